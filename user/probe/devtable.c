// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <errno.h>
#include "probe/devtable.h"

int hs_devtable_slot(const struct hs_dev_slot *table, uint32_t netns_ino,
		     uint32_t ifindex)
{
	uint64_t key = hs_dev_key(netns_ino, ifindex);
	uint32_t home = hs_dev_home(key), i;

	for (i = 0; i < HS_DEV_PROBES; i++)
		if (table[hs_dev_nth(home, i)].key == key)
			return (int)hs_dev_nth(home, i);
	return -1;
}

/* The first free slot of key's window, or -1. */
static int free_slot(const struct hs_dev_slot *table, uint64_t key)
{
	uint32_t home = hs_dev_home(key), i;

	for (i = 0; i < HS_DEV_PROBES; i++)
		if (!table[hs_dev_nth(home, i)].key)
			return (int)hs_dev_nth(home, i);
	return -1;
}

int hs_devtable_set(struct hs_dev_slot *table, uint32_t netns_ino,
		    uint32_t ifindex, enum hs_hook hook, uint16_t id)
{
	int s = hs_devtable_slot(table, netns_ino, ifindex);
	struct hs_dev_slot *slot;
	unsigned int h;

	if (!netns_ino || !ifindex || id >= HS_MAX_POINTS ||
	    (unsigned int)hook >= HS_HOOK_COUNT)
		return -EINVAL;
	if (s >= 0) {
		slot = &table[s];
		if (slot->point[hook] != HS_NO_POINT)
			return -EEXIST;
		__atomic_store_n(&slot->point[hook], id, __ATOMIC_RELEASE);
		return 0;
	}
	s = free_slot(table, hs_dev_key(netns_ino, ifindex));
	if (s < 0)
		return -ENOSPC;
	/* free, so no probe reads these ids until the key below is there */
	slot = &table[s];
	for (h = 0; h < HS_HOOK_COUNT; h++)
		slot->point[h] = h == (unsigned int)hook ? id : HS_NO_POINT;
	__atomic_store_n(&slot->key, hs_dev_key(netns_ino, ifindex),
			 __ATOMIC_RELEASE);
	return 0;
}

void hs_devtable_clear(struct hs_dev_slot *table, uint32_t netns_ino,
		       uint32_t ifindex, enum hs_hook hook)
{
	int s = hs_devtable_slot(table, netns_ino, ifindex);
	struct hs_dev_slot *slot;
	unsigned int h;

	if (s < 0 || (unsigned int)hook >= HS_HOOK_COUNT)
		return;
	slot = &table[s];
	__atomic_store_n(&slot->point[hook], HS_NO_POINT, __ATOMIC_RELEASE);
	for (h = 0; h < HS_HOOK_COUNT; h++)
		if (slot->point[h] != HS_NO_POINT)
			return;
	__atomic_store_n(&slot->key, 0, __ATOMIC_RELEASE);
}
