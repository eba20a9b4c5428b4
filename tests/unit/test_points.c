// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * points.c: where the topology says a packet must be seen next.
 */
#include <string.h>
#include <criterion/criterion.h>
#include "analysis/points.h"

static struct hs_point_table t;

/* A point on a link: namespace inode ns, interface ifindex, of kind,
 * whose veth peer (if peer_ifindex) is peer_ns:peer_ifindex. */
static uint16_t add(uint64_t ns, int ifindex, enum hs_link_kind kind,
		    enum hs_hook hook, uint64_t peer_ns, int peer_ifindex)
{
	struct hs_point_info *p = &t.p[t.n];

	memset(p, 0, sizeof(*p));
	p->id = (uint16_t)t.n;
	p->hook = (uint8_t)hook;
	p->link.netns_inode = ns;
	p->link.ifindex = ifindex;
	p->link.kind = kind;
	p->link.peer.netns_inode = peer_ns;
	p->link.peer.ifindex = peer_ifindex;
	return (uint16_t)t.n++;
}

static void setup(void)
{
	memset(&t, 0, sizeof(t));
	t.n_hosts = 1;
}

TestSuite(points, .init = setup);

Test(points, veth_egress_goes_to_the_peers_first_ingress)
{
	uint16_t a_out = add(10, 2, HS_LINK_VETH, HS_HOOK_TC_EGRESS, 20, 3);
	uint16_t a_in = add(10, 2, HS_LINK_VETH, HS_HOOK_TC_INGRESS, 20, 3);
	uint16_t b_in = add(20, 3, HS_LINK_VETH, HS_HOOK_TC_INGRESS, 10, 2);
	uint16_t b_out = add(20, 3, HS_LINK_VETH, HS_HOOK_TC_EGRESS, 10, 2);

	cr_assert_eq(hs_points_successor(&t, a_out), b_in);
	cr_assert_eq(hs_points_successor(&t, b_out), a_in);
	/* an ingress goes where routing or a bridge sends it */
	cr_assert_eq(hs_points_successor(&t, a_in), HS_NO_POINT);
	cr_assert_eq(hs_points_successor(&t, b_in), HS_NO_POINT);
}

Test(points, xdp_comes_before_tc_ingress)
{
	uint16_t a_out = add(10, 2, HS_LINK_VETH, HS_HOOK_TC_EGRESS, 20, 3);
	uint16_t b_xdp;

	add(20, 3, HS_LINK_VETH, HS_HOOK_TC_INGRESS, 10, 2);
	b_xdp = add(20, 3, HS_LINK_VETH, HS_HOOK_XDP, 10, 2);
	cr_assert_eq(hs_points_successor(&t, a_out), b_xdp);
	/* XDP could not attach and tc ingress measures there: skipped */
	t.p[b_xdp].skipped = true;
	cr_assert_eq(hs_points_successor(&t, a_out), b_xdp - 1);
	/* XDP to tc ingress: GRO may merge segments in between */
	cr_assert_eq(hs_points_successor(&t, b_xdp), HS_NO_POINT);
}

Test(points, nothing_measured_or_nothing_sure)
{
	uint16_t a_out = add(10, 2, HS_LINK_VETH, HS_HOOK_TC_EGRESS, 20, 3);
	uint16_t m_out = add(10, 4, HS_LINK_MACVLAN, HS_HOOK_TC_EGRESS, 0, 0);
	uint16_t b_in;

	/* the peer is not measured */
	cr_assert_eq(hs_points_successor(&t, a_out), HS_NO_POINT);
	/* a macvlan goes to its siblings or out of its lower device */
	cr_assert_eq(hs_points_successor(&t, m_out), HS_NO_POINT);
	/* the peer measured, but on another host (joined files): not it */
	b_in = add(20, 3, HS_LINK_VETH, HS_HOOK_TC_INGRESS, 10, 2);
	t.p[b_in].host = 1;
	cr_assert_eq(hs_points_successor(&t, a_out), HS_NO_POINT);
	t.p[b_in].host = 0;
	cr_assert_eq(hs_points_successor(&t, a_out), b_in);
	/* gone from the table (a point of the agent's let go) */
	t.p[b_in].absent = true;
	cr_assert_eq(hs_points_successor(&t, a_out), HS_NO_POINT);
}
