// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * fate.c: the session tells the hops what the topology says of each
 * point: its successor (a veth end's egress -> its peer's ingress), and
 * whether its interface is dead. On a chain a -> b -> c of veths:
 *   0 a:eth0 tc-egress   -> 1 b:eth0 tc-ingress   (peers)
 *   2 b:eth1 tc-ingress     3 b:eth1 tc-egress    -> 4 c:eth0 tc-ingress
 * An event names an interface by its first point (2 for b:eth1); the
 * point after b:eth0 on the path is 3.
 */
#include <string.h>
#include <criterion/criterion.h>
#include "chain.h"
#include "analysis/session.h"

#define MS 1000000ULL
#define WINDOW (10 * MS)

static struct hs_point_table points;
static struct hs_session s;
static bool s_up;

static void teardown(void)
{
	if (s_up)
		hs_session_free(&s);
	s_up = false;
}

TestSuite(fate, .fini = teardown);

static void veth(uint16_t id, const char *ns, uint64_t inode, int ifindex,
		 const char *ifname, enum hs_hook hook, uint64_t peer_inode,
		 int peer_ifindex)
{
	struct hs_point_info *p =
		test_point(&points, id, ns, inode, ifindex, ifname, hook);

	p->link.peer.netns_inode = peer_inode;
	p->link.peer.ifindex = peer_ifindex;
}

static void start(void)
{
	struct hs_session_config cfg = { .window_ns = WINDOW,
					 .max_inflight = 4096 };

	memset(&points, 0, sizeof(points));
	points.n_hosts = 1;
	veth(0, "a", 1, 2, "eth0", HS_HOOK_TC_EGRESS, 2, 2);
	veth(1, "b", 2, 2, "eth0", HS_HOOK_TC_INGRESS, 1, 2);
	veth(2, "b", 2, 3, "eth1", HS_HOOK_TC_INGRESS, 3, 2);
	veth(3, "b", 2, 3, "eth1", HS_HOOK_TC_EGRESS, 3, 2);
	veth(4, "c", 3, 2, "eth0", HS_HOOK_TC_INGRESS, 2, 3);
	cr_assert_eq(hs_session_init(&s, &cfg, &points), 0);
	s_up = true;
	hs_session_armed(&s, MS);
	hs_session_ready(&s, MS);
}

/* Packet i of the flow at points[0 .. n), 1 us apart, 100 us after the
 * one before; the window passed over what came before it. */
static void packet(uint64_t i, const uint16_t *at, int n)
{
	uint64_t t = 2 * MS + i * 100000;
	int k;

	for (k = 0; k < n; k++) {
		struct hs_record r = { .ts_ns = t + (uint64_t)k * 1000,
				       .fingerprint = 0xF00000 + i,
				       .flow_hash = 7,
				       .point_id = at[k] };

		hs_session_record(&s, &r);
	}
	hs_session_horizon(&s, t);
}

/* The hop from -> to's packets and losses over the run, once every
 * trajectory is folded. */
static const struct hs_acc *hop_total(uint16_t from, uint16_t to)
{
	const struct hs_hop *h;

	hs_hops_settle(&s.hops, true);
	h = hs_hops_find(&s.hops, from, to);
	cr_assert_not_null(h, "no hop %u -> %u", from, to);
	return &h->leg.total;
}

static const uint16_t whole[] = { 0, 1, 3, 4 };

Test(fate, a_packet_lost_before_the_peer_counts_from_the_first)
{
	static const uint16_t only_a[] = { 0 };
	uint64_t i;

	start();
	for (i = 0; i < 50; i++)
		packet(i, only_a, 1);
	packet(50, whole, 4);
	/* past the window: the last packets are folded, not cut short */
	hs_session_horizon(&s, 2 * MS + 51 * 100000 + 2 * WINDOW);
	cr_assert_eq(hop_total(0, 1)->lost, 50);
	cr_assert_eq(hop_total(1, 3)->lost, 0);
}

Test(fate, gone_on_the_interfaces_first_point_keeps_the_path)
{
	static const uint16_t to_b[] = { 0, 1 };
	uint64_t i;

	start();
	for (i = 0; i < 100; i++)
		packet(i, whole, 4);
	/* b:eth1 goes: the event names its first point, 2 */
	hs_session_event(&s, 2, "gone");
	for (i = 100; i < 3100; i++)
		packet(i, to_b, 2);
	hs_session_horizon(&s, 2 * MS + 3101 * 100000 + 2 * WINDOW);
	cr_assert_eq(hop_total(1, 3)->lost, 3000,
		     "%lu of 3000 lost after b:eth1 went",
		     (unsigned long)hop_total(1, 3)->lost);
	cr_assert_eq(hop_total(0, 1)->lost, 0);
	cr_assert_eq(hop_total(1, 3)->delay.n, 100);
}

/*
 * A point let go (agent: its container stopped, its hops expired) is no
 * one's successor any more, though its line in the table stays until the
 * id is taken again: a packet at its old peer is not lost to it.
 */
Test(fate, a_point_let_go_is_no_successor)
{
	static const uint16_t only_a[] = { 0 }, elsewhere[] = { 2 };
	uint64_t i, end = 2 * MS + 100 * 100000 + 2 * WINDOW;

	start();
	cr_assert_eq(hs_session_point_removed(&s, 1, 2 * MS), 0);
	/* other traffic moves the match on past the removal */
	for (i = 0; i < 100; i++)
		packet(i, elsewhere, 1);
	hs_session_horizon(&s, end);
	cr_assert_eq(hs_session_expire(&s, end, WINDOW), 1);
	cr_assert(hs_session_point_reusable(&s, 1));
	for (i = 400; i < 450; i++)
		packet(i, only_a, 1);
	hs_session_horizon(&s, 2 * MS + 451 * 100000 + 2 * WINDOW);
	hs_hops_settle(&s.hops, true);
	cr_assert_null(hs_hops_find(&s.hops, 0, 1),
		       "packets counted lost on the way to a freed id");
}
