// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * topo/link.c, one link at a time: RTM_NEWLINK messages recorded on a real
 * machine decoded into struct hs_link (hs_link_from_nlmsg), physical NICs
 * refined into SR-IOV PFs and VFs by recorded-shape sysfs trees
 * (hs_link_sriov), and what a kind implies: hooks (hs_default_hooks) and
 * XDP modes (hs_link_xdp_modes). The fixtures and how they were made:
 * tests/fixtures/README.md. Run from the repository root.
 *
 * Regression: hs_link_from_nlmsg decoded nothing, because the message
 * nlmsg_convert() copies has protocol -1 and nl_msg_parse() then finds no
 * parser; every fixture decode here would fail without
 * nlmsg_set_proto(m, NETLINK_ROUTE).
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <net/if.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <criterion/criterion.h>
#include "hopscope.h"
#include "probe/spec.h"
#include "topo/link.h"
#include "topo/topo.h"

/* A kind by its name; the test fails on a name no kind has. */
static enum hs_link_kind kind_of(const char *name)
{
	int k = hs_link_kind_parse(name);

	cr_assert_geq(k, 0, "no kind is called '%s'", name);
	return (enum hs_link_kind)k;
}

#define NL_DIR "tests/fixtures/netlink/"
#define SYSFS_SRIOV "tests/fixtures/sysfs-sriov"
#define SYSFS_VIRTIO "tests/fixtures/sysfs-virtio"

#define XDP (1u << HS_HOOK_XDP)
#define TC_IN (1u << HS_HOOK_TC_INGRESS)
#define TC_OUT (1u << HS_HOOK_TC_EGRESS)
#define ALL_HOOKS (XDP | TC_IN | TC_OUT)
#define TC_ONLY (TC_IN | TC_OUT)
#define XDP_NATIVE 1u
#define XDP_GENERIC 2u

/* The whole file in a buffer of exactly its size (ASan sees overreads). */
static void *load(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	void *buf;
	long n;

	cr_assert_not_null(f, "%s: cannot open (run from the repository root)",
			   path);
	cr_assert_eq(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	cr_assert_gt(n, 0, "%s is empty", path);
	rewind(f);
	buf = malloc((size_t)n);
	cr_assert_not_null(buf);
	cr_assert_eq(fread(buf, 1, (size_t)n, f), (size_t)n, "%s: short read",
		     path);
	fclose(f);
	*len = (size_t)n;
	return buf;
}

/* A copy of the first len bytes in a buffer of exactly len bytes. */
static void *prefix(const void *msg, size_t len)
{
	void *p = malloc(len ? len : 1);

	cr_assert_not_null(p);
	memcpy(p, msg, len);
	return p;
}

/* Decode a fixture; the struct starts full of junk so that every field
 * the decoder leaves alone shows. */
static struct hs_link decode(const char *name)
{
	char path[256];
	struct hs_link l;
	size_t len;
	void *msg;
	int err;

	snprintf(path, sizeof(path), NL_DIR "%s", name);
	msg = load(path, &len);
	cr_assert_eq(((struct nlmsghdr *)msg)->nlmsg_len, len,
		     "%s: one whole message", path);
	memset(&l, 0xa5, sizeof(l));
	err = hs_link_from_nlmsg(msg, len, &l);
	free(msg);
	cr_assert_eq(err, 0,
		     "hs_link_from_nlmsg(%s) = %d (does the converted "
		     "nl_msg have NETLINK_ROUTE as its protocol?)",
		     name, err);
	return l;
}

/* What netlink does not say is zero / empty after decoding. */
static void assert_rest_clear(const struct hs_link *l)
{
	cr_assert_eq(l->netns_inode, 0);
	cr_assert_str_eq(l->driver, "");
	cr_assert_str_eq(l->bus_info, "");
	cr_assert_eq(l->num_vfs, 0);
	cr_assert_eq(l->peer.ifindex, 0);
	cr_assert_eq(l->master.ifindex, 0);
	cr_assert_eq(l->parent.ifindex, 0);
	cr_assert_str_eq(l->ovs_bridge, "");
}

/* ---- hs_link_from_nlmsg on recorded messages ---- */

Test(netlink, loopback)
{
	struct hs_link l = decode("loopback-lo.bin");

	cr_assert_eq(l.ifindex, 1);
	cr_assert_str_eq(l.ifname, "lo");
	cr_assert_str_eq(hs_link_kind_name(l.kind), "loopback");
	cr_assert(l.flags & IFF_LOOPBACK);
	cr_assert(l.flags & IFF_UP, "recorded after ip link set lo up");
	cr_assert_eq(l.master_ifindex, 0);
	cr_assert_eq(l.link_ifindex, 0);
	cr_assert_eq(l.link_nsid, -1);
	cr_assert_str_eq(l.mode, "");
	assert_rest_clear(&l);
}

Test(netlink, physical_nic)
{
	struct hs_link l = decode("physical-eth0.bin");

	cr_assert_eq(l.ifindex, 4);
	cr_assert_str_eq(l.ifname, "eth0");
	/* no IFLA_LINKINFO at all: a device with a hardware driver */
	cr_assert_str_eq(hs_link_kind_name(l.kind), "physical");
	cr_assert(l.flags & IFF_UP);
	cr_assert_not(l.flags & IFF_LOOPBACK);
	cr_assert_eq(l.master_ifindex, 0);
	cr_assert_eq(l.link_ifindex, 0);
	cr_assert_eq(l.link_nsid, -1);
	cr_assert_str_eq(l.mode, "");
	assert_rest_clear(&l);
}

Test(netlink, sriov_pf_is_physical_until_sysfs_says_more)
{
	struct hs_link l = decode("sriov-pf-enp3s0f0.bin");

	cr_assert_eq(l.ifindex, 6);
	cr_assert_str_eq(l.ifname, "enp3s0f0");
	/* IFLA_NUM_VF = 4 and the VF list decode, but the kind and the VF
	 * count come from sysfs (hs_link_sriov) */
	cr_assert_str_eq(hs_link_kind_name(l.kind), "physical");
	cr_assert(l.flags & IFF_UP);
	cr_assert_eq(l.link_ifindex, 0);
	cr_assert_eq(l.link_nsid, -1);
	assert_rest_clear(&l);
}

Test(netlink, sriov_vf_is_physical_until_sysfs_says_more)
{
	struct hs_link l = decode("sriov-vf-enp3s16.bin");

	cr_assert_eq(l.ifindex, 7);
	cr_assert_str_eq(l.ifname, "enp3s16");
	cr_assert_str_eq(hs_link_kind_name(l.kind), "physical");
	cr_assert_eq(l.link_ifindex, 0);
	cr_assert_eq(l.link_nsid, -1);
	assert_rest_clear(&l);
}

Test(netlink, bridge)
{
	struct hs_link l = decode("bridge-br0.bin");

	cr_assert_eq(l.ifindex, 20);
	cr_assert_str_eq(l.ifname, "br0");
	cr_assert_str_eq(hs_link_kind_name(l.kind), "bridge");
	cr_assert(l.flags & IFF_UP);
	cr_assert_eq(l.master_ifindex, 0);
	cr_assert_eq(l.link_ifindex, 0);
	cr_assert_eq(l.link_nsid, -1);
	assert_rest_clear(&l);
}

Test(netlink, bridge_port_veth_with_peer_in_another_namespace)
{
	struct hs_link l = decode("veth-port-p1.bin");

	cr_assert_eq(l.ifindex, 21);
	cr_assert_str_eq(l.ifname, "p1");
	cr_assert_str_eq(hs_link_kind_name(l.kind), "veth");
	cr_assert(l.flags & IFF_UP);
	cr_assert_eq(l.master_ifindex, 20, "port of br0");
	/* the peer eth1 is ifindex 2 in the namespace this one calls 3 */
	cr_assert_eq(l.link_ifindex, 2);
	cr_assert_eq(l.link_nsid, 3);
	cr_assert_str_eq(l.mode, "");
	assert_rest_clear(&l);
}

Test(netlink, veth_peer_side)
{
	struct hs_link l = decode("veth-eth1.bin");

	cr_assert_eq(l.ifindex, 2);
	cr_assert_str_eq(l.ifname, "eth1");
	cr_assert_str_eq(hs_link_kind_name(l.kind), "veth");
	cr_assert_eq(l.master_ifindex, 0);
	cr_assert_eq(l.link_ifindex, 21);
	cr_assert_eq(l.link_nsid, 5);
	assert_rest_clear(&l);
}

Test(netlink, macvlan_bridge_mode)
{
	struct hs_link l = decode("macvlan-bridge-mv0.bin");

	cr_assert_eq(l.ifindex, 32);
	cr_assert_str_eq(l.ifname, "mv0");
	cr_assert_str_eq(hs_link_kind_name(l.kind), "macvlan");
	cr_assert(l.flags & IFF_UP);
	cr_assert_eq(l.link_ifindex, 30, "parent mvp");
	cr_assert_eq(l.link_nsid, -1, "parent in the same namespace");
	cr_assert_str_eq(l.mode, "bridge");
	assert_rest_clear(&l);
}

Test(netlink, macvlan_vepa_mode_down)
{
	struct hs_link l = decode("macvlan-vepa-mv1.bin");

	cr_assert_eq(l.ifindex, 33);
	cr_assert_str_eq(hs_link_kind_name(l.kind), "macvlan");
	cr_assert_not(l.flags & IFF_UP, "recorded down");
	cr_assert_eq(l.link_ifindex, 30);
	cr_assert_str_eq(l.mode, "vepa");
}

Test(netlink, macvlan_moved_to_another_namespace)
{
	struct hs_link l = decode("macvlan-netns-mv2.bin");

	cr_assert_eq(l.ifindex, 34);
	cr_assert_str_eq(l.ifname, "mv2");
	cr_assert_str_eq(hs_link_kind_name(l.kind), "macvlan");
	cr_assert_eq(l.link_ifindex, 30);
	cr_assert_eq(l.link_nsid, 9, "its parent's namespace, as it names it");
	cr_assert_str_eq(l.mode, "bridge");
}

/* ---- malformed messages ---- */

static void *eth0(size_t *len)
{
	return load(NL_DIR "physical-eth0.bin", len);
}

static void refused(const void *msg, size_t len, const char *what)
{
	struct hs_link l;

	cr_assert_eq(hs_link_from_nlmsg(msg, len, &l), -EINVAL, "%s accepted",
		     what);
}

Test(netlink_malformed, shorter_than_a_header)
{
	size_t len;
	void *msg = eth0(&len), *p;

	refused(msg, 0, "0 bytes");
	p = prefix(msg, sizeof(struct nlmsghdr) - 1);
	refused(p, sizeof(struct nlmsghdr) - 1, "15 bytes");
	free(p);
	free(msg);
}

Test(netlink_malformed, truncated)
{
	size_t len;
	void *msg = eth0(&len), *p;

	/* the header still says 1520 bytes */
	p = prefix(msg, 64);
	refused(p, 64, "the first 64 bytes");
	free(p);
	p = prefix(msg, len - 1);
	refused(p, len - 1, "all but the last byte");
	free(p);
	free(msg);
}

Test(netlink_malformed, nlmsg_len_beyond_buffer)
{
	size_t len;
	void *msg = eth0(&len);
	struct nlmsghdr *h = msg;

	h->nlmsg_len = (uint32_t)len + 4;
	refused(msg, len, "nlmsg_len 4 bytes past the buffer");
	h->nlmsg_len = UINT32_MAX;
	refused(msg, len, "nlmsg_len 0xffffffff");
	free(msg);
}

Test(netlink_malformed, nlmsg_len_too_short_for_ifinfomsg)
{
	size_t len;
	void *msg = eth0(&len);
	struct nlmsghdr *h = msg;
	uint32_t bad[] = { 0, 8, sizeof(*h), sizeof(*h) + 8 };
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char what[64];

		h->nlmsg_len = bad[i];
		snprintf(what, sizeof(what), "nlmsg_len %u", bad[i]);
		refused(msg, len, what);
	}
	free(msg);
}

Test(netlink_malformed, wrong_type)
{
	size_t len;
	void *msg = eth0(&len);
	struct nlmsghdr *h = msg;
	uint16_t types[] = { RTM_DELLINK, RTM_GETLINK, RTM_NEWADDR,
			     RTM_NEWROUTE, NLMSG_ERROR, NLMSG_DONE };
	size_t i;

	for (i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		char what[64];

		h->nlmsg_type = types[i];
		snprintf(what, sizeof(what), "nlmsg_type %u", types[i]);
		refused(msg, len, what);
	}
	free(msg);
}

/* Every crash fuzz_netlink found in libnl, through hs_link_from_nlmsg:
 * refused before libnl sees it, or decoded without the part that
 * crashed (under ASan a crash or a wild write fails the test). */
Test(netlink_malformed, fuzz_regressions_decode_safely)
{
	const char *dir = "tests/fuzz/regressions/netlink";
	DIR *d = opendir(dir);
	struct dirent *e;
	struct hs_link l;
	unsigned int n = 0;
	int rc;

	cr_assert_not_null(d, "no %s", dir);
	while ((e = readdir(d))) {
		char path[512];
		size_t len;
		void *msg;

		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		msg = load(path, &len);
		rc = hs_link_from_nlmsg(msg, len, &l);
		free(msg);
		cr_assert(rc == 0 || rc == -EINVAL, "%s: %d", e->d_name, rc);
		n++;
	}
	closedir(d);
	cr_assert_geq(n, 6, "%u regressions", n);
}

/* ---- hs_link_sriov on sysfs trees ---- */

/* A link as discovery has it before hs_link_sriov: netlink said
 * "physical", ethtool gave driver and bus_info. */
static struct hs_link nic(const char *ifname, const char *driver,
			  const char *bus_info)
{
	struct hs_link l;

	memset(&l, 0, sizeof(l));
	l.ifindex = 6;
	l.link_nsid = -1;
	l.flags = IFF_UP | IFF_BROADCAST | IFF_MULTICAST;
	snprintf(l.ifname, sizeof(l.ifname), "%s", ifname);
	l.kind = hs_link_kind(NULL, l.flags);
	snprintf(l.driver, sizeof(l.driver), "%s", driver);
	snprintf(l.bus_info, sizeof(l.bus_info), "%s", bus_info);
	return l;
}

Test(sriov, pf_with_vfs)
{
	struct hs_link l = nic("enp3s0f0", "ixgbe", "0000:03:00.0");
	char pf[32] = "junk";

	cr_assert_str_eq(hs_link_kind_name(l.kind), "physical");
	hs_link_sriov(&l, SYSFS_SRIOV, pf, sizeof(pf));
	cr_assert_str_eq(hs_link_kind_name(l.kind), "sriov-pf");
	cr_assert_eq(l.num_vfs, 4, "sriov_numvfs says 4");
	cr_assert_str_eq(pf, "", "a PF has no PF");
	cr_assert_str_eq(l.bus_info, "0000:03:00.0");
}

Test(sriov, vf_names_its_pf)
{
	const char *vfs[] = { "0000:03:10.0", "0000:03:10.2", "0000:03:10.4",
			      "0000:03:10.6" };
	size_t i;

	for (i = 0; i < sizeof(vfs) / sizeof(vfs[0]); i++) {
		struct hs_link l = nic("enp3s16", "ixgbevf", vfs[i]);
		char pf[32] = "junk";

		hs_link_sriov(&l, SYSFS_SRIOV, pf, sizeof(pf));
		cr_assert_str_eq(hs_link_kind_name(l.kind), "sriov-vf", "%s", vfs[i]);
		cr_assert_str_eq(pf, "0000:03:00.0", "%s: physfn", vfs[i]);
		cr_assert_eq(l.num_vfs, 0);
	}
}

Test(sriov, vf_without_pf_buffer)
{
	struct hs_link l = nic("enp3s16", "ixgbevf", "0000:03:10.0");

	hs_link_sriov(&l, SYSFS_SRIOV, NULL, 0);
	cr_assert_str_eq(hs_link_kind_name(l.kind), "sriov-vf");
}

Test(sriov, pf_buffer_too_small_is_cut_not_overrun)
{
	struct hs_link l = nic("enp3s16", "ixgbevf", "0000:03:10.0");
	char *pf = malloc(8);

	cr_assert_not_null(pf);
	hs_link_sriov(&l, SYSFS_SRIOV, pf, 8);
	cr_assert_str_eq(hs_link_kind_name(l.kind), "sriov-vf");
	cr_assert_str_eq(pf, "0000:03");
	free(pf);
}

Test(sriov, capable_pf_with_vfs_off_stays_physical)
{
	struct hs_link l = nic("enp3s0f1", "ixgbe", "0000:03:00.1");
	char pf[32] = "junk";

	hs_link_sriov(&l, SYSFS_SRIOV, pf, sizeof(pf));
	cr_assert_str_eq(hs_link_kind_name(l.kind), "physical", "sriov_numvfs is 0");
	cr_assert_eq(l.num_vfs, 0);
	cr_assert_str_eq(pf, "");
}

Test(sriov, plain_nic_stays_physical)
{
	struct hs_link l = nic("eth0", "virtio_net", "0000:00:03.0");
	char pf[32] = "junk";

	hs_link_sriov(&l, SYSFS_VIRTIO, pf, sizeof(pf));
	cr_assert_str_eq(hs_link_kind_name(l.kind), "physical");
	cr_assert_eq(l.num_vfs, 0);
	cr_assert_str_eq(pf, "");
}

Test(sriov, unknown_or_odd_bus_info_stays_physical)
{
	const char *odd[] = {
		"",
		"0000:00:09.0", /* not in the tree */
		"usb-0000:00:14.0-1",
		/* no walking out of bus/pci/devices, even to a real PF */
		"../../../devices/pci0000:00/0000:00:01.0/0000:03:00.0",
		"0000:03:10.0/physfn",
	};
	size_t i;

	for (i = 0; i < sizeof(odd) / sizeof(odd[0]); i++) {
		struct hs_link l = nic("eth9", "x", odd[i]);
		char pf[32] = "junk";

		hs_link_sriov(&l, SYSFS_SRIOV, pf, sizeof(pf));
		cr_assert_str_eq(hs_link_kind_name(l.kind), "physical", "bus_info '%s'", odd[i]);
		cr_assert_eq(l.num_vfs, 0, "bus_info '%s'", odd[i]);
		cr_assert_str_eq(pf, "", "bus_info '%s'", odd[i]);
	}
}

Test(sriov, virtual_kinds_left_alone)
{
	const char *kinds[] = { "veth", "macvlan", "bridge", "loopback",
				"ovs-bridge", "tun", "vxlan", "other" };
	size_t i;

	for (i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		/* even with the bus address of a PF and of a VF */
		struct hs_link l = nic("v0", "veth", "0000:03:00.0");
		struct hs_link m = nic("v1", "veth", "0000:03:10.0");
		char pf[32] = "junk";

		l.kind = kind_of(kinds[i]);
		m.kind = kind_of(kinds[i]);
		hs_link_sriov(&l, SYSFS_SRIOV, pf, sizeof(pf));
		cr_assert_str_eq(hs_link_kind_name(l.kind), kinds[i]);
		cr_assert_eq(l.num_vfs, 0);
		hs_link_sriov(&m, SYSFS_SRIOV, pf, sizeof(pf));
		cr_assert_str_eq(hs_link_kind_name(m.kind), kinds[i]);
		cr_assert_str_eq(pf, "");
	}
}

/* ---- kinds ---- */

Test(kind, from_info_kind_and_flags)
{
	static const struct {
		const char *info_kind;
		unsigned int flags;
		const char *kind;
	} cases[] = {
		{ NULL, 0, "physical" },
		{ NULL, IFF_UP | IFF_BROADCAST, "physical" },
		{ NULL, IFF_UP | IFF_LOOPBACK, "loopback" },
		{ "veth", IFF_LOOPBACK, "loopback" },
		{ "veth", IFF_UP, "veth" },
		{ "macvlan", 0, "macvlan" },
		{ "macvtap", 0, "macvlan" },
		{ "bridge", 0, "bridge" },
		{ "openvswitch", 0, "ovs-bridge" },
		{ "tun", 0, "tun" },
		{ "vxlan", 0, "vxlan" },
		{ "ifb", 0, "other" },
		{ "dummy", 0, "other" },
		{ "bond", 0, "other" },
		{ "ipip", 0, "other" },
		{ "", 0, "other" },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		cr_assert_str_eq(hs_link_kind_name(hs_link_kind(cases[i].info_kind,
								cases[i].flags)),
				 cases[i].kind, "IFLA_INFO_KIND %s, flags %#x",
				 cases[i].info_kind ? cases[i].info_kind : "(none)",
				 cases[i].flags);
}

static const struct {
	const char *kind;
	unsigned int hooks, xdp;
} by_kind[] = {
	/* hardware: XDP as well; veth takes native XDP, but it is costly, so
	 * tc only by default */
	{ "physical", ALL_HOOKS, XDP_NATIVE | XDP_GENERIC },
	{ "sriov-pf", ALL_HOOKS, XDP_NATIVE | XDP_GENERIC },
	{ "sriov-vf", ALL_HOOKS, XDP_NATIVE | XDP_GENERIC },
	{ "veth", TC_ONLY, XDP_NATIVE | XDP_GENERIC },
	{ "loopback", TC_ONLY, XDP_GENERIC },
	{ "macvlan", TC_ONLY, XDP_GENERIC },
	{ "bridge", TC_ONLY, XDP_GENERIC },
	{ "ovs-bridge", TC_ONLY, XDP_GENERIC },
	{ "tun", TC_ONLY, XDP_GENERIC },
	{ "vxlan", TC_ONLY, XDP_GENERIC },
	{ "other", TC_ONLY, XDP_GENERIC },
};

static unsigned int hooks_of_kind(const char *kind)
{
	struct hs_link l;

	memset(&l, 0, sizeof(l));
	l.kind = kind_of(kind);
	return hs_default_hooks(&l);
}

Test(kind, default_hooks)
{
	size_t i;

	for (i = 0; i < sizeof(by_kind) / sizeof(by_kind[0]); i++)
		cr_assert_eq(hooks_of_kind(by_kind[i].kind), by_kind[i].hooks,
			     "%s: hooks %#x, want %#x", by_kind[i].kind,
			     hooks_of_kind(by_kind[i].kind), by_kind[i].hooks);
}

/* A port of OVS's userspace datapath (an OVS bridge, no kernel master) is
 * taken in at XDP, before OVS's AF_PACKET tap; one of the kernel datapath
 * (master ovs-system) at tc ingress as any veth. */
Test(kind, ovs_userspace_ports_come_in_at_xdp)
{
	struct hs_link l;

	memset(&l, 0, sizeof(l));
	l.kind = HS_LINK_VETH;
	snprintf(l.ovs_bridge, sizeof(l.ovs_bridge), "br3");
	cr_assert_eq(hs_default_hooks(&l),
		     1u << HS_HOOK_XDP | 1u << HS_HOOK_TC_EGRESS);
	l.master_ifindex = 7;
	cr_assert_eq(hs_default_hooks(&l),
		     1u << HS_HOOK_TC_INGRESS | 1u << HS_HOOK_TC_EGRESS);
}

Test(kind, xdp_modes)
{
	size_t i;

	for (i = 0; i < sizeof(by_kind) / sizeof(by_kind[0]); i++) {
		struct hs_link l;

		memset(&l, 0, sizeof(l));
		l.kind = kind_of(by_kind[i].kind);
		cr_assert_eq(hs_link_xdp_modes(&l), by_kind[i].xdp,
			     "%s: XDP modes %#x, want %#x", by_kind[i].kind,
			     hs_link_xdp_modes(&l), by_kind[i].xdp);
	}
}

/* ---- end to end: message, ethtool's answer, sysfs -> kind -> hooks ---- */

static void chain(const char *fixture, const char *driver, const char *bus,
		  const char *sysfs, const char *kind, int num_vfs,
		  const char *pf_bus, unsigned int hooks, unsigned int xdp)
{
	struct hs_link l = decode(fixture);
	char pf[32] = "junk";

	snprintf(l.driver, sizeof(l.driver), "%s", driver);
	snprintf(l.bus_info, sizeof(l.bus_info), "%s", bus);
	hs_link_sriov(&l, sysfs, pf, sizeof(pf));
	cr_assert_str_eq(hs_link_kind_name(l.kind), kind, "%s", fixture);
	cr_assert_eq(l.num_vfs, num_vfs, "%s", fixture);
	cr_assert_str_eq(pf, pf_bus, "%s", fixture);
	cr_assert_eq(hs_default_hooks(&l), hooks, "%s", fixture);
	cr_assert_eq(hs_link_xdp_modes(&l), xdp, "%s", fixture);
}

Test(fixture_chain, sriov_pf)
{
	chain("sriov-pf-enp3s0f0.bin", "ixgbe", "0000:03:00.0", SYSFS_SRIOV,
	      "sriov-pf", 4, "", ALL_HOOKS, XDP_NATIVE | XDP_GENERIC);
}

Test(fixture_chain, sriov_vf)
{
	chain("sriov-vf-enp3s16.bin", "ixgbevf", "0000:03:10.0", SYSFS_SRIOV,
	      "sriov-vf", 0, "0000:03:00.0", ALL_HOOKS,
	      XDP_NATIVE | XDP_GENERIC);
}

Test(fixture_chain, plain_physical)
{
	chain("physical-eth0.bin", "virtio_net", "0000:00:03.0", SYSFS_VIRTIO,
	      "physical", 0, "", ALL_HOOKS, XDP_NATIVE | XDP_GENERIC);
}

Test(fixture_chain, virtual_devices)
{
	/* ethtool reports no bus address for these; even a stray one with
	 * a PF's address would change nothing */
	chain("veth-port-p1.bin", "veth", "", SYSFS_SRIOV, "veth", 0, "",
	      TC_ONLY, XDP_NATIVE | XDP_GENERIC);
	chain("veth-eth1.bin", "veth", "0000:03:00.0", SYSFS_SRIOV, "veth", 0,
	      "", TC_ONLY, XDP_NATIVE | XDP_GENERIC);
	chain("macvlan-bridge-mv0.bin", "macvlan", "", SYSFS_SRIOV, "macvlan",
	      0, "", TC_ONLY, XDP_GENERIC);
	chain("bridge-br0.bin", "bridge", "N/A", SYSFS_SRIOV, "bridge", 0, "",
	      TC_ONLY, XDP_GENERIC);
	chain("loopback-lo.bin", "", "", SYSFS_SRIOV, "loopback", 0, "",
	      TC_ONLY, XDP_GENERIC);
}
