// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * topo/path.c and topo/hopkind.c over a whole host, built by hand the way discovery would
 * resolve it: the path between two namespaces (hs_topo_between) and the
 * name of every kind of hop (hs_hop_classify).
 *
 *   snd -veth- vnf1 -veth- sw (bridge br0: p1 p2 p3) -veth- vnf2
 *       -macvlan siblings on mvhost's mvp- vnf3 -veth- rcv
 *
 * plus, unconnected to it: the host (eth0), u1 (a veth pair inside it and
 * a veth to u2), an OVS namespace, an SR-IOV PF in the host with a VF in
 * each of c1 and c2, and a namespace with nothing but lo. Every namespace
 * has its lo.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <criterion/criterion.h>
#include "hopscope.h"
#include "topo/hopkind.h"
#include "topo/path.h"
#include "topo/topo.h"

enum {
	HOST, SND, VNF1, SW, VNF2, MVHOST, VNF3, RCV, U1, U2, OVS, C1, C2,
	EMPTY, N_NS
};

static const char *const ns_names[N_NS] = {
	[HOST] = "host", [SND] = "snd", [VNF1] = "vnf1", [SW] = "sw",
	[VNF2] = "vnf2", [MVHOST] = "mvhost", [VNF3] = "vnf3", [RCV] = "rcv",
	[U1] = "u1", [U2] = "u2", [OVS] = "ovs", [C1] = "c1", [C2] = "c2",
	[EMPTY] = "empty",
};

#define MAX_LINKS 64

static struct hs_topo_ns topo_ns[N_NS];
static struct hs_link links[MAX_LINKS];
static unsigned int link_ns[MAX_LINKS];
static struct hs_topo topo;

static uint64_t inode_of(unsigned int ns)
{
	return ns == HOST ? 4026531840ull : 4026532400ull + ns;
}

static unsigned int add(unsigned int ns, const char *ifname, int ifindex,
			const char *kind)
{
	unsigned int i = topo.n_links++;
	struct hs_link *l = &links[i];

	cr_assert_lt(i, MAX_LINKS);
	memset(l, 0, sizeof(*l));
	l->netns_inode = inode_of(ns);
	l->ifindex = ifindex;
	l->link_nsid = -1;
	snprintf(l->ifname, sizeof(l->ifname), "%s", ifname);
	cr_assert_geq(hs_link_kind_parse(kind), 0, "%s", kind);
	l->kind = (enum hs_link_kind)hs_link_kind_parse(kind);
	link_ns[i] = ns;
	return i;
}

static void ref(struct hs_link_ref *r, unsigned int to)
{
	r->netns_inode = links[to].netns_inode;
	r->ifindex = links[to].ifindex;
	memcpy(r->ifname, links[to].ifname, sizeof(r->ifname));
}

static void veth(unsigned int a, unsigned int b)
{
	ref(&links[a].peer, b);
	ref(&links[b].peer, a);
}

/* link indices, by name */
static unsigned int snd_eth0, vnf1_eth0, vnf1_eth1, sw_br0, sw_p1, sw_p2,
	sw_p3, vnf2_eth0, vnf2_mv0, mvhost_mvp, mvhost_mvq, vnf3_mv1,
	vnf3_eth1, rcv_eth0, host_eth0, host_pf, c1_vf, c2_vf, ovs_br1,
	ovs_o1, ovs_o2, ovs_br2, ovs_o3, u1_ua, u1_ub, u1_uc, u2_ud;

/* Links in an order unlike the chain's, so that the path cannot come out
 * right by following the array. */
static void build(void)
{
	unsigned int ns;

	memset(&topo, 0, sizeof(topo));
	for (ns = 0; ns < N_NS; ns++) {
		memset(&topo_ns[ns], 0, sizeof(topo_ns[ns]));
		topo_ns[ns].ns.fd = -1;
		topo_ns[ns].ns.inode = inode_of(ns);
		topo_ns[ns].ns.self = ns == HOST;
		snprintf(topo_ns[ns].ns.name, sizeof(topo_ns[ns].ns.name), "%s",
			 ns_names[ns]);
		topo_ns[ns].named = ns != HOST;
	}
	topo.n_ns = N_NS;
	topo.ns = topo_ns;
	topo.links = links;
	topo.link_ns = link_ns;

	rcv_eth0 = add(RCV, "eth0", 2, "veth");
	u1_ua = add(U1, "ua", 2, "veth");
	vnf3_eth1 = add(VNF3, "eth1", 3, "veth");
	sw_p3 = add(SW, "p3", 5, "veth");
	sw_p2 = add(SW, "p2", 4, "veth");
	host_eth0 = add(HOST, "eth0", 4, "physical");
	vnf3_mv1 = add(VNF3, "mv1", 2, "macvlan");
	mvhost_mvq = add(MVHOST, "mvq", 3, "veth");
	mvhost_mvp = add(MVHOST, "mvp", 2, "veth");
	u1_ub = add(U1, "ub", 3, "veth");
	vnf2_mv0 = add(VNF2, "mv0", 3, "macvlan");
	vnf2_eth0 = add(VNF2, "eth0", 2, "veth");
	sw_br0 = add(SW, "br0", 2, "bridge");
	sw_p1 = add(SW, "p1", 3, "veth");
	u2_ud = add(U2, "ud", 2, "veth");
	vnf1_eth1 = add(VNF1, "eth1", 3, "veth");
	vnf1_eth0 = add(VNF1, "eth0", 2, "veth");
	u1_uc = add(U1, "uc", 4, "veth");
	snd_eth0 = add(SND, "eth0", 2, "veth");
	host_pf = add(HOST, "enp3s0f0", 6, "sriov-pf");
	c1_vf = add(C1, "eth0", 7, "sriov-vf");
	c2_vf = add(C2, "eth0", 8, "sriov-vf");
	ovs_br1 = add(OVS, "br1", 2, "ovs-bridge");
	ovs_o1 = add(OVS, "o1", 3, "tun");
	ovs_o2 = add(OVS, "o2", 4, "tun");
	ovs_br2 = add(OVS, "br2", 5, "ovs-bridge");
	ovs_o3 = add(OVS, "o3", 6, "tun");
	/* lo everywhere, ifindex 1 */
	for (ns = 0; ns < N_NS; ns++)
		add(ns, "lo", 1, "loopback");

	veth(snd_eth0, vnf1_eth0);
	veth(vnf1_eth1, sw_p1);
	veth(sw_p2, vnf2_eth0);
	veth(vnf3_eth1, rcv_eth0);
	veth(mvhost_mvp, mvhost_mvq);
	veth(u1_ua, u1_ub);
	veth(u1_uc, u2_ud);
	/* p3's peer is in no namespace we know: no peer */
	ref(&links[sw_p1].master, sw_br0);
	ref(&links[sw_p2].master, sw_br0);
	ref(&links[sw_p3].master, sw_br0);
	ref(&links[vnf2_mv0].parent, mvhost_mvp);
	ref(&links[vnf3_mv1].parent, mvhost_mvp);
	strcpy(links[vnf2_mv0].mode, "bridge");
	strcpy(links[vnf3_mv1].mode, "bridge");
	links[host_pf].num_vfs = 2;
	ref(&links[c1_vf].parent, host_pf);
	ref(&links[c2_vf].parent, host_pf);
	strcpy(links[ovs_o1].ovs_bridge, "br1");
	strcpy(links[ovs_o2].ovs_bridge, "br1");
	strcpy(links[ovs_o3].ovs_bridge, "br2");
}

TestSuite(between, .init = build);
TestSuite(classify, .init = build);

/* ---- hs_topo_between ---- */

/* The path as "ns/ifname ns/ifname ...". */
static const char *names(const unsigned int *path, int n)
{
	static char buf[1024];
	size_t used = 0;
	int i;

	buf[0] = '\0';
	for (i = 0; i < n; i++)
		used += (size_t)snprintf(buf + used, sizeof(buf) - used, "%s%s/%s",
					 i ? " " : "", ns_names[link_ns[path[i]]],
					 links[path[i]].ifname);
	return buf;
}

static void path_is(unsigned int a, unsigned int b, const char *want)
{
	unsigned int *path = malloc(MAX_LINKS * sizeof(*path));
	int n;

	cr_assert_not_null(path);
	n = hs_topo_between(&topo, a, b, path, MAX_LINKS);
	cr_assert_gt(n, 0, "%s -> %s: %d", ns_names[a], ns_names[b], n);
	cr_assert_str_eq(names(path, n), want, "%s -> %s", ns_names[a],
			 ns_names[b]);
	free(path);
}

static void no_path(unsigned int a, unsigned int b)
{
	unsigned int path[MAX_LINKS];
	int n = hs_topo_between(&topo, a, b, path, MAX_LINKS);

	cr_assert_eq(n, 0, "%s -> %s: %d (%s)", ns_names[a], ns_names[b], n,
		     n > 0 ? names(path, n) : "");
}

Test(between, whole_chain)
{
	path_is(SND, RCV,
		"snd/eth0 vnf1/eth0 vnf1/eth1 sw/p1 sw/p2 vnf2/eth0 "
		"vnf2/mv0 vnf3/mv1 vnf3/eth1 rcv/eth0");
}

Test(between, whole_chain_backwards)
{
	path_is(RCV, SND,
		"rcv/eth0 vnf3/eth1 vnf3/mv1 vnf2/mv0 vnf2/eth0 sw/p2 sw/p1 "
		"vnf1/eth1 vnf1/eth0 snd/eth0");
}

Test(between, nothing_unrelated_and_no_lo)
{
	unsigned int path[MAX_LINKS];
	int n = hs_topo_between(&topo, SND, RCV, path, MAX_LINKS), i;

	cr_assert_eq(n, 10);
	for (i = 0; i < n; i++) {
		unsigned int ns = link_ns[path[i]];

		cr_assert_neq(links[path[i]].kind, HS_LINK_LOOPBACK, "%s",
				  names(path, n));
		cr_assert(ns != HOST && ns != U1 && ns != U2 && ns != MVHOST &&
				  ns != OVS && ns != EMPTY,
			  "%s", names(path, n));
		cr_assert_neq(path[i], sw_br0, "the bridge device is no hop");
		cr_assert_neq(path[i], sw_p3, "an unused port is no hop");
	}
}

Test(between, partial_chains)
{
	path_is(SND, SW, "snd/eth0 vnf1/eth0 vnf1/eth1 sw/p1");
	path_is(SW, SND, "sw/p1 vnf1/eth1 vnf1/eth0 snd/eth0");
	path_is(VNF1, VNF2, "vnf1/eth1 sw/p1 sw/p2 vnf2/eth0");
	/* macvlan siblings talk directly, not through their parent */
	path_is(VNF2, VNF3, "vnf2/mv0 vnf3/mv1");
	path_is(VNF2, MVHOST, "vnf2/mv0 mvhost/mvp");
	path_is(U1, U2, "u1/uc u2/ud");
}

Test(between, sriov_vfs_and_their_pf)
{
	path_is(C1, C2, "c1/eth0 c2/eth0");
	path_is(C1, HOST, "c1/eth0 host/enp3s0f0");
	path_is(HOST, C2, "host/enp3s0f0 c2/eth0");
}

Test(between, disconnected_namespaces)
{
	no_path(SND, U1);
	no_path(U2, RCV);
	no_path(SND, HOST);
	no_path(SND, OVS);
	no_path(SND, EMPTY);
	no_path(EMPTY, SND);
	no_path(EMPTY, HOST);
}

Test(between, too_long_for_the_buffer)
{
	unsigned int max;

	for (max = 0; max <= 10; max++) {
		/* exactly max entries: ASan sees any write past them */
		unsigned int *path = malloc((max ? max : 1) * sizeof(*path));
		int n;

		cr_assert_not_null(path);
		n = hs_topo_between(&topo, SND, RCV, path, max);
		if (max < 10)
			cr_assert_eq(n, -E2BIG, "max %u: %d", max, n);
		else
			cr_assert_eq(n, 10, "max %u: %d", max, n);
		free(path);
	}
}

/* ---- hs_hop_classify ---- */

static void hop_is(unsigned int from, int from_hook, unsigned int to,
		   int to_hook, const char *kind, const char *via)
{
	struct hs_hop_end a = { ns_names[link_ns[from]], &links[from],
				from_hook };
	struct hs_hop_end b = { ns_names[link_ns[to]], &links[to], to_hook };
	char buf[128];
	const char *k;

	memset(buf, 'x', sizeof(buf));
	k = hs_hop_kind_name(hs_hop_classify(&a, &b, buf, sizeof(buf)));
	cr_assert_str_eq(k, kind, "%s/%s -> %s/%s", a.netns_name,
			 links[from].ifname, b.netns_name, links[to].ifname);
	cr_assert_str_eq(buf, via, "%s/%s -> %s/%s", a.netns_name,
			 links[from].ifname, b.netns_name, links[to].ifname);
}

#define XDP_ HS_HOOK_XDP
#define IN HS_HOOK_TC_INGRESS
#define OUT HS_HOOK_TC_EGRESS

Test(classify, stack)
{
	hop_is(vnf1_eth0, XDP_, vnf1_eth0, IN, "stack", "eth0");
	hop_is(host_pf, XDP_, host_pf, IN, "stack", "enp3s0f0");
}

/*
 * Regression: the same device twice was "stack" whatever the hooks.
 * docs/design.md defines stack as XDP -> tc-ingress; a packet in at eth0's
 * tc-ingress and out at eth0's tc-egress went into the namespace and out
 * of it (a one-armed VNF, a hairpin): a function, named like the others.
 */
Test(classify, same_device_in_then_out_is_the_function)
{
	struct hs_hop_end a = { "vnf1", &links[vnf1_eth0], IN };
	struct hs_hop_end b = { "vnf1", &links[vnf1_eth0], OUT };
	char via[64] = "";

	cr_assert_eq(hs_hop_classify(&a, &b, via, sizeof(via)), HS_HOP_FUNCTION,
			 "vnf1/eth0 tc-ingress -> tc-egress (via \"%s\")", via);
	cr_assert_str_eq(via, "VNF vnf1");
}

Test(classify, wire)
{
	hop_is(snd_eth0, OUT, vnf1_eth0, IN, "wire", "veth");
	hop_is(vnf1_eth0, OUT, snd_eth0, IN, "wire", "veth");
	hop_is(vnf1_eth1, OUT, sw_p1, IN, "wire", "veth");
	hop_is(vnf3_eth1, OUT, rcv_eth0, IN, "wire", "veth");
}

Test(classify, wire_known_from_one_side)
{
	memset(&links[vnf1_eth0].peer, 0, sizeof(links[vnf1_eth0].peer));
	hop_is(snd_eth0, OUT, vnf1_eth0, IN, "wire", "veth");
	hop_is(vnf1_eth0, OUT, snd_eth0, IN, "wire", "veth");
}

Test(classify, linux_bridge)
{
	hop_is(sw_p1, IN, sw_p2, OUT, "switch", "bridge br0");
	hop_is(sw_p2, IN, sw_p1, OUT, "switch", "bridge br0");
	/* to and from the bridge device itself */
	hop_is(sw_p1, IN, sw_br0, IN, "switch", "bridge br0");
	hop_is(sw_br0, OUT, sw_p2, OUT, "switch", "bridge br0");
}

Test(classify, ovs)
{
	struct hs_hop_end a = { "ovs", &links[ovs_o1], IN };
	struct hs_hop_end b = { "ovs", &links[ovs_br1], IN };
	char via[64];

	hop_is(ovs_o1, IN, ovs_o2, OUT, "switch", "ovs br1");
	hop_is(ovs_o2, IN, ovs_o1, OUT, "switch", "ovs br1");
	/* into the bridge's own port: a switch, named after br1 */
	cr_assert_eq(hs_hop_classify(&a, &b, via, sizeof(via)), HS_HOP_SWITCH);
	cr_assert_not_null(strstr(via, "br1"), "via \"%s\"", via);
}

Test(classify, same_ovs_bridge_name_in_another_namespace_is_not_a_switch)
{
	/* o3 is on br2; make a br1 port in vnf1 */
	strcpy(links[vnf1_eth1].ovs_bridge, "br1");
	hop_is(ovs_o1, OUT, vnf1_eth1, IN, "wire", "tun -> veth");
}

Test(classify, macvlan)
{
	/* siblings in bridge mode */
	hop_is(vnf2_mv0, OUT, vnf3_mv1, IN, "switch",
	       "macvlan mvp (bridge mode)");
	hop_is(vnf3_mv1, OUT, vnf2_mv0, IN, "switch",
	       "macvlan mvp (bridge mode)");
	/* child and parent, both ways */
	hop_is(vnf2_mv0, OUT, mvhost_mvp, IN, "switch",
	       "macvlan mvp (bridge mode)");
	hop_is(mvhost_mvp, IN, vnf3_mv1, IN, "switch",
	       "macvlan mvp (bridge mode)");
}

Test(classify, macvlan_without_mode)
{
	links[vnf2_mv0].mode[0] = '\0';
	hop_is(vnf2_mv0, OUT, mvhost_mvp, IN, "switch", "macvlan mvp");
}

Test(classify, sriov_vfs)
{
	/* VF to VF and VF to PF: the NIC's embedded switch, named after the
	 * PF */
	hop_is(c1_vf, OUT, c2_vf, IN, "switch", "sriov-vf enp3s0f0");
	hop_is(c1_vf, OUT, host_pf, IN, "switch", "sriov-vf enp3s0f0");
	hop_is(host_pf, OUT, c2_vf, IN, "switch", "sriov-vf enp3s0f0");
}

Test(classify, function)
{
	hop_is(vnf1_eth0, IN, vnf1_eth1, OUT, "function", "VNF vnf1");
	hop_is(vnf1_eth1, IN, vnf1_eth0, OUT, "function", "VNF vnf1");
	/* a macvlan in the function's namespace does not make it a switch */
	hop_is(vnf2_eth0, IN, vnf2_mv0, OUT, "function", "VNF vnf2");
	hop_is(vnf3_mv1, IN, vnf3_eth1, OUT, "function", "VNF vnf3");
}

/* --hooks ingress: in at one device, in at the next; the hop holds what
 * forwarded the packet and the wire it took */
Test(classify, ingress_to_ingress_folds_the_wire_in)
{
	hop_is(vnf1_eth0, IN, sw_p1, IN, "function", "VNF vnf1 + veth");
	hop_is(sw_p1, IN, vnf2_eth0, IN, "switch", "bridge br0 + veth");
	hop_is(vnf2_eth0, IN, vnf3_mv1, IN, "function", "VNF vnf2 + macvlan");
	hop_is(ovs_o1, XDP_, vnf1_eth1, IN, "switch", "ovs br1 + veth");
	/* one thing even so: into the bridge's own device, a macvlan from
	 * its lower device, XDP then tc on one device */
	hop_is(sw_p1, IN, sw_br0, IN, "switch", "bridge br0");
	hop_is(mvhost_mvp, IN, vnf3_mv1, IN, "switch",
	       "macvlan mvp (bridge mode)");
	hop_is(host_pf, XDP_, host_pf, IN, "stack", "enp3s0f0");
}

Test(classify, unobserved_links_between)
{
	hop_is(snd_eth0, OUT, sw_p1, IN, "wire", "veth -> veth");
	hop_is(vnf2_mv0, OUT, rcv_eth0, IN, "wire", "macvlan -> veth");
}

Test(classify, via_is_cut_to_its_buffer)
{
	struct hs_hop_end a = { "sw", &links[sw_p1], IN };
	struct hs_hop_end b = { "sw", &links[sw_p2], OUT };
	char *via = malloc(7);

	cr_assert_not_null(via);
	cr_assert_eq(hs_hop_classify(&a, &b, via, 7), HS_HOP_SWITCH);
	cr_assert_str_eq(via, "bridge");
	free(via);
}

/* A vxlan device and its underlay in one namespace: into the tunnel at
 * the device's egress, out of it into the device's ingress; a bridge
 * port beside it stays a switch hop, and the device's ingress to the
 * underlay's egress is no tunnel hop (a function's). */
Test(classify, encap_and_decap)
{
	struct hs_link vx = { .netns_inode = 77, .ifindex = 5,
			      .kind = HS_LINK_VXLAN },
		       ul = { .netns_inode = 77, .ifindex = 2,
			      .kind = HS_LINK_VETH };
	struct hs_hop_end into = { "ha", &vx, HS_HOOK_TC_EGRESS },
			  under = { "ha", &ul, HS_HOOK_TC_EGRESS },
			  under_in = { "hb", &ul, HS_HOOK_TC_INGRESS },
			  out_of = { "hb", &vx, HS_HOOK_TC_INGRESS };
	char via[64];

	snprintf(vx.ifname, sizeof(vx.ifname), "vx0");
	snprintf(ul.ifname, sizeof(ul.ifname), "ul0");
	cr_assert_str_eq(hs_hop_kind_name(hs_hop_classify(&into, &under, via,
							  sizeof(via))),
			 "encap");
	cr_assert_str_eq(via, "vxlan vx0");
	cr_assert_str_eq(hs_hop_kind_name(hs_hop_classify(&under_in, &out_of,
							  via, sizeof(via))),
			 "decap");
	cr_assert_str_eq(via, "vxlan vx0");
	cr_assert_str_eq(hs_hop_kind_name(hs_hop_classify(&out_of, &under, via,
							  sizeof(via))),
			 "function");
}
