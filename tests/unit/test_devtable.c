// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * devtable.c and hs_devtable.h: the shared probes' device table, placed by
 * the loader and read with the probe's own lookup (hs_dev_lookup, the
 * function the BPF program inlines). Collisions are built from the shared
 * hash, so every test knows which slot each device must take.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <criterion/criterion.h>
#include "probe/devtable.h"

#define INO 4026532001u

static struct hs_dev_slot *table;

static void setup(void)
{
	table = calloc(HS_DEV_SLOTS, sizeof(*table));
	cr_assert_not_null(table);
}

static void teardown(void)
{
	free(table);
}

TestSuite(devtable, .init = setup, .fini = teardown);

static uint32_t lookup(uint32_t ino, uint32_t ifindex, enum hs_hook hook)
{
	return hs_dev_lookup(table, hs_dev_key(ino, ifindex), hook);
}

/* n ifindexes of namespace INO, all with the home slot of (INO, 1),
 * that one included first. */
static void colliding(uint32_t *ifindex, unsigned int n)
{
	uint32_t home = hs_dev_home(hs_dev_key(INO, 1)), k;
	unsigned int found = 0;

	for (k = 1; found < n && k < (1u << 26); k++)
		if (hs_dev_home(hs_dev_key(INO, k)) == home)
			ifindex[found++] = k;
	cr_assert_eq(found, n, "only %u keys share slot %u", found, home);
}

Test(devtable, hooks_of_one_device_share_a_slot)
{
	cr_assert_eq(hs_devtable_set(table, INO, 2, HS_HOOK_TC_INGRESS, 7), 0);
	cr_assert_eq(hs_devtable_set(table, INO, 2, HS_HOOK_TC_EGRESS, 8), 0);
	cr_expect_eq(lookup(INO, 2, HS_HOOK_TC_INGRESS), 7);
	cr_expect_eq(lookup(INO, 2, HS_HOOK_TC_EGRESS), 8);
	cr_expect_eq(lookup(INO, 2, HS_HOOK_XDP), HS_NO_POINT);
	cr_expect_eq(hs_devtable_slot(table, INO, 2),
		     (int)hs_dev_home(hs_dev_key(INO, 2)));
	cr_expect_eq(hs_devtable_set(table, INO, 2, HS_HOOK_TC_EGRESS, 9),
		     -EEXIST, "a second point at one hook");
	cr_expect_eq(lookup(INO, 2, HS_HOOK_TC_EGRESS), 8);

	/* one hook off: the slot stays for the other */
	hs_devtable_clear(table, INO, 2, HS_HOOK_TC_INGRESS);
	cr_expect_eq(lookup(INO, 2, HS_HOOK_TC_INGRESS), HS_NO_POINT);
	cr_expect_eq(lookup(INO, 2, HS_HOOK_TC_EGRESS), 8);
	hs_devtable_clear(table, INO, 2, HS_HOOK_TC_EGRESS);
	cr_expect_eq(hs_devtable_slot(table, INO, 2), -1, "slot not freed");
	cr_expect_eq(table[hs_dev_home(hs_dev_key(INO, 2))].key, 0);
	/* and nothing for what has no point */
	hs_devtable_clear(table, INO, 2, HS_HOOK_TC_EGRESS);
	hs_devtable_clear(table, INO + 1, 2, HS_HOOK_XDP);
}

/* One ifindex in two namespaces: two devices. */
Test(devtable, same_ifindex_two_namespaces)
{
	cr_assert_eq(hs_devtable_set(table, INO, 2, HS_HOOK_TC_INGRESS, 1), 0);
	cr_assert_eq(hs_devtable_set(table, INO + 1, 2, HS_HOOK_TC_INGRESS, 2),
		     0);
	cr_expect_eq(lookup(INO, 2, HS_HOOK_TC_INGRESS), 1);
	cr_expect_eq(lookup(INO + 1, 2, HS_HOOK_TC_INGRESS), 2);
	cr_expect_eq(lookup(INO + 2, 2, HS_HOOK_TC_INGRESS), HS_NO_POINT);
}

Test(devtable, collisions_probe_on_and_survive_removal)
{
	uint32_t k[3];
	uint32_t home = hs_dev_home(hs_dev_key(INO, 1));

	colliding(k, 3);
	cr_assert_eq(hs_devtable_set(table, INO, k[0], HS_HOOK_XDP, 10), 0);
	cr_assert_eq(hs_devtable_set(table, INO, k[1], HS_HOOK_XDP, 11), 0);
	cr_assert_eq(hs_devtable_set(table, INO, k[2], HS_HOOK_XDP, 12), 0);
	cr_expect_eq(hs_devtable_slot(table, INO, k[0]), (int)home);
	cr_expect_eq(hs_devtable_slot(table, INO, k[1]),
		     (int)hs_dev_nth(home, 1));
	cr_expect_eq(hs_devtable_slot(table, INO, k[2]),
		     (int)hs_dev_nth(home, 2));
	for (int i = 0; i < 3; i++)
		cr_expect_eq(lookup(INO, k[i], HS_HOOK_XDP), 10u + i);

	/* the first gone: the others are found past the hole */
	hs_devtable_clear(table, INO, k[0], HS_HOOK_XDP);
	cr_expect_eq(lookup(INO, k[0], HS_HOOK_XDP), HS_NO_POINT);
	cr_expect_eq(lookup(INO, k[1], HS_HOOK_XDP), 11);
	cr_expect_eq(lookup(INO, k[2], HS_HOOK_XDP), 12);
	/* a hook added to one past the hole stays in its slot, not twice */
	cr_assert_eq(hs_devtable_set(table, INO, k[2], HS_HOOK_TC_EGRESS, 13),
		     0);
	cr_expect_eq(hs_devtable_slot(table, INO, k[2]),
		     (int)hs_dev_nth(home, 2));
	cr_expect_eq(table[home].key, 0, "k[2] took a second slot");
	/* and the first back takes the hole */
	cr_assert_eq(hs_devtable_set(table, INO, k[0], HS_HOOK_XDP, 14), 0);
	cr_expect_eq(hs_devtable_slot(table, INO, k[0]), (int)home);
	cr_expect_eq(lookup(INO, k[0], HS_HOOK_XDP), 14);
	cr_expect_eq(lookup(INO, k[2], HS_HOOK_TC_EGRESS), 13);
}

/* The window wraps at the end of the table. */
Test(devtable, window_wraps)
{
	uint32_t k[2], found = 0, ifindex;

	for (ifindex = 1; found < 2 && ifindex < (1u << 26); ifindex++)
		if (hs_dev_home(hs_dev_key(INO, ifindex)) == HS_DEV_SLOTS - 1)
			k[found++] = ifindex;
	cr_assert_eq(found, 2);
	cr_assert_eq(hs_devtable_set(table, INO, k[0], HS_HOOK_XDP, 1), 0);
	cr_assert_eq(hs_devtable_set(table, INO, k[1], HS_HOOK_XDP, 2), 0);
	cr_expect_eq(hs_devtable_slot(table, INO, k[1]), 0);
	cr_expect_eq(lookup(INO, k[1], HS_HOOK_XDP), 2);
}

Test(devtable, full_window_is_refused)
{
	uint32_t k[HS_DEV_PROBES + 1];
	unsigned int i;

	colliding(k, HS_DEV_PROBES + 1);
	for (i = 0; i < HS_DEV_PROBES; i++)
		cr_assert_eq(hs_devtable_set(table, INO, k[i],
					     HS_HOOK_TC_INGRESS, (uint16_t)i),
			     0, "device %u", i);
	cr_expect_eq(hs_devtable_set(table, INO, k[HS_DEV_PROBES],
				     HS_HOOK_TC_INGRESS, 99),
		     -ENOSPC);
	cr_expect_eq(lookup(INO, k[HS_DEV_PROBES], HS_HOOK_TC_INGRESS),
		     HS_NO_POINT);
	/* a device there already still takes another hook */
	cr_expect_eq(hs_devtable_set(table, INO, k[3], HS_HOOK_TC_EGRESS, 98),
		     0);
	/* room again once one leaves */
	hs_devtable_clear(table, INO, k[5], HS_HOOK_TC_INGRESS);
	cr_expect_eq(hs_devtable_set(table, INO, k[HS_DEV_PROBES],
				     HS_HOOK_TC_INGRESS, 99),
		     0);
	cr_expect_eq(lookup(INO, k[HS_DEV_PROBES], HS_HOOK_TC_INGRESS), 99);
}

Test(devtable, bad_arguments)
{
	cr_expect_eq(hs_devtable_set(table, 0, 2, HS_HOOK_XDP, 1), -EINVAL);
	cr_expect_eq(hs_devtable_set(table, INO, 0, HS_HOOK_XDP, 1), -EINVAL);
	cr_expect_eq(hs_devtable_set(table, INO, 2, HS_HOOK_XDP, HS_MAX_POINTS),
		     -EINVAL);
	cr_expect_eq(hs_devtable_set(table, INO, 2, HS_HOOK_COUNT, 1), -EINVAL);
}

/*
 * HS_MAX_POINTS devices fit: as a host gives them (namespace inodes in
 * runs, a few ifindexes each) and as a fixed pseudo-random draw.
 */
Test(devtable, max_points_fit)
{
	unsigned int i;
	uint64_t x = 88172645463325252ull;

	for (i = 0; i < HS_MAX_POINTS; i++)
		cr_assert_eq(hs_devtable_set(table, INO + i / 4, 1 + i % 4,
					     HS_HOOK_TC_INGRESS, (uint16_t)i),
			     0, "device %u", i);
	for (i = 0; i < HS_MAX_POINTS; i++)
		cr_expect_eq(lookup(INO + i / 4, 1 + i % 4, HS_HOOK_TC_INGRESS),
			     i);
	memset(table, 0, HS_DEV_SLOTS * sizeof(*table));
	for (i = 0; i < HS_MAX_POINTS; i++) {
		uint32_t ino, ifindex;

		x ^= x << 13; /* xorshift64, a fixed sequence */
		x ^= x >> 7;
		x ^= x << 17;
		ino = (uint32_t)(x >> 32) | 1;
		ifindex = ((uint32_t)x & 0xffff) | 1;
		if (hs_devtable_slot(table, ino, ifindex) >= 0)
			continue; /* drawn twice */
		cr_assert_eq(hs_devtable_set(table, ino, ifindex, HS_HOOK_XDP,
					     (uint16_t)i),
			     0, "random device %u", i);
	}
}
