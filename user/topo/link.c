// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <linux/ethtool.h>
#include <linux/rtnetlink.h>
#include <linux/sockios.h>
#include <netlink/msg.h>
#include <netlink/netlink.h>
#include <netlink/route/link.h>
#include <netlink/route/link/macvlan.h>
#include <netlink/route/link/vxlan.h>
#include "core/util.h"
#include "topo/link.h"

static const char *const kind_names[HS_LINK_KIND_COUNT] = {
	[HS_LINK_OTHER] = "other",	 [HS_LINK_LOOPBACK] = "loopback",
	[HS_LINK_VETH] = "veth",	 [HS_LINK_MACVLAN] = "macvlan",
	[HS_LINK_BRIDGE] = "bridge",	 [HS_LINK_OVS_BRIDGE] = "ovs-bridge",
	[HS_LINK_TUN] = "tun",		 [HS_LINK_VXLAN] = "vxlan",
	[HS_LINK_PHYSICAL] = "physical", [HS_LINK_SRIOV_PF] = "sriov-pf",
	[HS_LINK_SRIOV_VF] = "sriov-vf",
};

const char *hs_link_kind_name(enum hs_link_kind kind)
{
	return (unsigned int)kind < HS_LINK_KIND_COUNT ? kind_names[kind] : "?";
}

int hs_link_kind_parse(const char *name)
{
	int i;

	for (i = 0; i < HS_LINK_KIND_COUNT; i++)
		if (!strcmp(name, kind_names[i]))
			return i;
	return -1;
}

enum hs_link_kind hs_link_kind(const char *info_kind, unsigned int flags)
{
	static const struct {
		const char *info_kind;
		enum hs_link_kind kind;
	} kinds[] = {
		{ "veth", HS_LINK_VETH },
		{ "macvlan", HS_LINK_MACVLAN },
		{ "macvtap", HS_LINK_MACVLAN },
		{ "bridge", HS_LINK_BRIDGE },
		{ "openvswitch", HS_LINK_OVS_BRIDGE },
		{ "tun", HS_LINK_TUN },
		{ "vxlan", HS_LINK_VXLAN },
	};
	size_t i;

	if (flags & IFF_LOOPBACK)
		return HS_LINK_LOOPBACK;
	/* no IFLA_INFO_KIND: a device with a hardware driver (refined to
	 * sriov-pf / sriov-vf by hs_link_sriov) */
	if (!info_kind)
		return HS_LINK_PHYSICAL;
	for (i = 0; i < ARRAY_SIZE(kinds); i++)
		if (!strcmp(info_kind, kinds[i].info_kind))
			return kinds[i].kind;
	return HS_LINK_OTHER;
}

unsigned int hs_link_xdp_modes(const struct hs_link *l)
{
	/* drivers with ndo_bpf: veth and (most) hardware NICs */
	switch (l->kind) {
	case HS_LINK_VETH:
	case HS_LINK_PHYSICAL:
	case HS_LINK_SRIOV_PF:
	case HS_LINK_SRIOV_VF:
		return HS_LINK_XDP_NATIVE | HS_LINK_XDP_GENERIC;
	default:
		return HS_LINK_XDP_GENERIC;
	}
}

bool hs_link_is_switch(const struct hs_link *l)
{
	return l->kind == HS_LINK_BRIDGE || l->kind == HS_LINK_OVS_BRIDGE;
}

/* ---- one link ---- */

/* kind_data: the message had IFLA_INFO_DATA, which libnl's getters of a
 * macvlan's mode and a vxlan's port read without looking (a message
 * with the kind and no data crashed them: found by fuzz_netlink). */
static void fill_link(struct rtnl_link *link, struct hs_link *out,
		      bool kind_data)
{
	const char *name = rtnl_link_get_name(link);
	const char *type = rtnl_link_get_type(link);
	int32_t nsid;

	memset(out, 0, sizeof(*out));
	out->ifindex = rtnl_link_get_ifindex(link);
	out->flags = rtnl_link_get_flags(link);
	snprintf(out->ifname, sizeof(out->ifname), "%s", name ? name : "");
	out->kind = hs_link_kind(type, out->flags);
	out->master_ifindex = rtnl_link_get_master(link);
	out->link_ifindex = rtnl_link_get_link(link);
	out->link_nsid = rtnl_link_get_link_netnsid(link, &nsid) ? -1 : nsid;
	/* netlink's own word: libnl reads a mode only off a macvlan (not a
	 * macvtap, which shares our kind) */
	if (kind_data && type && !strcmp(type, "macvlan")) {
		char mode[sizeof(out->mode)];

		rtnl_link_macvlan_mode2str(rtnl_link_macvlan_get_mode(link),
					   mode, sizeof(mode));
		memcpy(out->mode, mode, sizeof(mode));
	}
	if (kind_data && type && !strcmp(type, "vxlan")) {
		uint32_t port = 0;

		if (!rtnl_link_vxlan_get_port(link, &port))
			out->udp_port = (uint16_t)port;
	}
}

void hs_link_fill(struct rtnl_link *link, struct hs_link *out)
{
	/* libnl's own objects, from the kernel's dumps: the kernel sends a
	 * macvlan's and a vxlan's data with their kind */
	fill_link(link, out, true);
}

struct parse_ctx {
	struct hs_link *out;
	bool kind_data;
	int found;
};

/*
 * A macvlan's (or macvtap's) data: libnl allocates IFLA_MACVLAN_MACADDR_COUNT addresses
 * before it reads them, so a count beyond the addresses there asks it for
 * gigabytes (found by fuzz_netlink). The kernel sends the count of what
 * follows.
 */
/* No attribute type twice among these: libnl would take the last, and
 * our look at them the first. The kernel repeats none at these levels. */
static bool types_unique(struct nlattr *head, int len)
{
	uint64_t seen = 0;
	struct nlattr *a;
	int rem;

	nla_for_each_attr(a, head, len, rem) {
		unsigned int t = (unsigned int)nla_type(a);

		if (t < 64 && (seen & (1ULL << t)))
			return false;
		if (t < 64)
			seen |= 1ULL << t;
	}
	return true;
}

static bool macvlan_data_sane(struct nlattr *li)
{
	struct nlattr *kind =
		nla_find(nla_data(li), nla_len(li), IFLA_INFO_KIND);
	struct nlattr *data =
		nla_find(nla_data(li), nla_len(li), IFLA_INFO_DATA);
	struct nlattr *count, *macs, *mac;
	uint32_t n = 0;
	int rem;

	if (data && !types_unique(nla_data(data), nla_len(data)))
		return false;
	/* libnl parses a macvtap's data as a macvlan's */
	if (!kind || !data || nla_len(kind) < 8 ||
	    (strncmp(nla_data(kind), "macvlan", 8) &&
	     strncmp(nla_data(kind), "macvtap", 8)))
		return true;
	count = nla_find(nla_data(data), nla_len(data),
			 IFLA_MACVLAN_MACADDR_COUNT);
	if (!count)
		return true;
	if (nla_len(count) < (int)sizeof(uint32_t))
		return false;
	macs = nla_find(nla_data(data), nla_len(data),
			IFLA_MACVLAN_MACADDR_DATA);
	if (macs)
		nla_for_each_nested(mac, macs, rem)
			n++;
	return nla_get_u32(count) <= n;
}

/* A veth's link info with data: the kernel's veth fills in none (its
 * peer is only ever sent to the kernel, to create a pair), and libnl's
 * veth parser takes a peer from it that it does not check
 * (fuzz_netlink: a write through NULL). */
static bool veth_with_data(struct nlattr *li)
{
	struct nlattr *kind =
		nla_find(nla_data(li), nla_len(li), IFLA_INFO_KIND);

	return kind && nla_len(kind) >= 5 &&
	       !strncmp(nla_data(kind), "veth", 5);
}

/*
 * What libnl must not be handed, as fuzz_netlink found: IFLA_LINKINFO
 * twice, or a part of it twice (libnl takes the last, we would look at
 * the first), statistics without data (libnl gives a kind's parser the
 * data whenever either is there, and its parsers take the data for
 * granted), and a veth's data (above). The kernel sends none of these.
 * *data: IFLA_INFO_DATA is there. Returns false for a message to refuse.
 */
static bool linkinfo_sane(const struct nlmsghdr *hdr, bool *data)
{
	struct nlattr *a, *li = NULL;
	int rem;

	*data = false;
	if (hdr->nlmsg_len < NLMSG_LENGTH(sizeof(struct ifinfomsg)))
		return true; /* libnl refuses it itself */
	nla_for_each_attr(a, nlmsg_attrdata(hdr, sizeof(struct ifinfomsg)),
			  nlmsg_attrlen(hdr, sizeof(struct ifinfomsg)), rem) {
		if (nla_type(a) != IFLA_LINKINFO)
			continue;
		if (li)
			return false;
		li = a;
	}
	if (!li)
		return true;
	if (!types_unique(nla_data(li), nla_len(li)))
		return false;
	*data = nla_find(nla_data(li), nla_len(li), IFLA_INFO_DATA) != NULL;
	if (!*data)
		return !nla_find(nla_data(li), nla_len(li), IFLA_INFO_XSTATS);
	return !veth_with_data(li) && macvlan_data_sane(li);
}

static void parse_one(struct nl_object *obj, void *arg)
{
	struct parse_ctx *ctx = arg;

	if (strcmp(nl_object_get_type(obj), "route/link"))
		return;
	fill_link((struct rtnl_link *)obj, ctx->out, ctx->kind_data);
	ctx->found = 1;
}

int hs_link_from_nlmsg(const void *msg, size_t len, struct hs_link *l)
{
	const struct nlmsghdr *hdr = msg;
	struct parse_ctx ctx = { .out = l };
	struct nl_msg *m;

	if (len < sizeof(*hdr) || hdr->nlmsg_len > len ||
	    hdr->nlmsg_type != RTM_NEWLINK)
		return -EINVAL;
	if (!linkinfo_sane(hdr, &ctx.kind_data))
		return -EINVAL;
	m = nlmsg_convert((struct nlmsghdr *)msg);
	if (!m)
		return -ENOMEM;
	/* a converted message has no protocol: libnl finds no parser */
	nlmsg_set_proto(m, NETLINK_ROUTE);
	if (nl_msg_parse(m, parse_one, &ctx) < 0)
		ctx.found = 0;
	nlmsg_free(m);
	return ctx.found ? 0 : -EINVAL;
}

static int read_sysfs(const char *root, const char *bus, const char *file,
		      char *buf, size_t len)
{
	char path[PATH_MAX];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "%s/bus/pci/devices/%s/%s", root, bus,
		 file);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, len - 1);
	close(fd);
	if (n < 0)
		return -EIO;
	buf[n] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	return 0;
}

void hs_link_sriov(struct hs_link *l, const char *sysfs_root, char *pf_bus,
		   size_t pf_bus_len)
{
	char buf[64], path[PATH_MAX], target[PATH_MAX];
	const char *root = sysfs_root && *sysfs_root ? sysfs_root : "/sys";
	ssize_t n;

	if (pf_bus && pf_bus_len)
		pf_bus[0] = '\0';
	if (l->kind != HS_LINK_PHYSICAL || !l->bus_info[0] ||
	    strchr(l->bus_info, '/'))
		return;
	if (!read_sysfs(root, l->bus_info, "sriov_numvfs", buf, sizeof(buf)) &&
	    atoi(buf) > 0) {
		l->num_vfs = atoi(buf);
		l->kind = HS_LINK_SRIOV_PF;
		return;
	}
	/* a VF's physfn links to its PF's PCI device */
	snprintf(path, sizeof(path), "%s/bus/pci/devices/%s/physfn", root,
		 l->bus_info);
	n = readlink(path, target, sizeof(target) - 1);
	if (n <= 0)
		return;
	target[n] = '\0';
	l->kind = HS_LINK_SRIOV_VF;
	if (pf_bus && pf_bus_len)
		snprintf(pf_bus, pf_bus_len, "%s", basename(target));
}

void hs_link_fill_drvinfo(int sock, struct hs_link *l)
{
	struct ethtool_drvinfo info = { .cmd = ETHTOOL_GDRVINFO };
	struct ifreq ifr = {};

	if (sock < 0)
		return;
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", l->ifname);
	ifr.ifr_data = (void *)&info;
	if (ioctl(sock, SIOCETHTOOL, &ifr))
		return;
	snprintf(l->driver, sizeof(l->driver), "%s", info.driver);
	snprintf(l->bus_info, sizeof(l->bus_info), "%s", info.bus_info);
}
