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
 * hs_link_from_nlmsg hands libnl a message of its own making, with only
 * what fill_link reads, each part checked first: libnl's parsers trust
 * their input, and fuzz_netlink found six ways to crash them or make
 * them ask for gigabytes through parts we never read (a veth's data, a
 * macvlan's address list, statistics, link info twice, ...). Of each
 * attribute the first is taken. The kernel sends each once, in the sizes
 * checked here.
 */

/* attr, when it is a string of at most max bytes with its NUL: else
 * NULL, and *bad set when it is there but no such string. */
static const char *attr_string(struct nlattr *attr, int max, bool *bad)
{
	if (!attr)
		return NULL;
	if (nla_len(attr) < 1 || nla_len(attr) > max ||
	    !memchr(nla_data(attr), '\0', (size_t)nla_len(attr))) {
		*bad = true;
		return NULL;
	}
	return nla_data(attr);
}

/* attr is there and not size bytes long */
static bool attr_bad_size(struct nlattr *attr, int size)
{
	return attr && nla_len(attr) != size;
}

/* The kind's data that fill_link reads, into m: a macvlan's mode, a
 * vxlan's port. *bad when it is there in another size. */
static int put_kind_data(struct nl_msg *m, const char *kind,
			 struct nlattr *data, bool *bad, bool *kind_data)
{
	struct nlattr *a = NULL, *nest;
	int type = 0, size = 0;

	if (!kind || !data)
		return 0;
	if (!strcmp(kind, "macvlan")) {
		type = IFLA_MACVLAN_MODE;
		size = 4;
	} else if (!strcmp(kind, "vxlan")) {
		type = IFLA_VXLAN_PORT;
		size = 2;
	}
	if (type)
		a = nla_find(nla_data(data), nla_len(data), type);
	if (!a)
		return 0;
	if (attr_bad_size(a, size)) {
		*bad = true;
		return 0;
	}
	nest = nla_nest_start(m, IFLA_INFO_DATA);
	if (!nest || nla_put(m, type, size, nla_data(a)))
		return -ENOMEM;
	nla_nest_end(m, nest);
	*kind_data = true;
	return 0;
}

/* IFLA_LINKINFO as fill_link reads it: the kind and its data. */
static int put_linkinfo(struct nl_msg *m, struct nlattr *li, bool *bad,
			bool *kind_data)
{
	struct nlattr *nest;
	const char *kind;

	if (!li)
		return 0;
	kind = attr_string(nla_find(nla_data(li), nla_len(li), IFLA_INFO_KIND),
			   64, bad);
	if (!kind)
		return 0;
	nest = nla_nest_start(m, IFLA_LINKINFO);
	if (!nest || nla_put_string(m, IFLA_INFO_KIND, kind) ||
	    put_kind_data(m, kind,
			  nla_find(nla_data(li), nla_len(li), IFLA_INFO_DATA),
			  bad, kind_data))
		return -ENOMEM;
	nla_nest_end(m, nest);
	return 0;
}

/* One u32 (or s32) attribute, copied when there. */
static int put_u32_of(struct nl_msg *m, struct nlattr *head, int len, int type,
		      bool *bad)
{
	struct nlattr *a = nla_find(head, len, type);

	if (!a)
		return 0;
	if (attr_bad_size(a, 4)) {
		*bad = true;
		return 0;
	}
	return nla_put_u32(m, type, nla_get_u32(a));
}

/* The message libnl is to parse, made from hdr's checked parts; NULL
 * when hdr is refused (*err -EINVAL) or memory ran out (-ENOMEM). */
static struct nl_msg *checked_copy(const struct nlmsghdr *hdr, bool *kind_data,
				   int *err)
{
	struct nlattr *head = nlmsg_attrdata(hdr, sizeof(struct ifinfomsg));
	int len = nlmsg_attrlen(hdr, sizeof(struct ifinfomsg));
	struct nl_msg *m;
	const char *name;
	bool bad = false;

	*err = -EINVAL;
	if (hdr->nlmsg_len < NLMSG_LENGTH(sizeof(struct ifinfomsg)))
		return NULL;
	m = nlmsg_alloc_simple(RTM_NEWLINK, 0);
	*err = -ENOMEM;
	if (!m || nlmsg_append(m, nlmsg_data(hdr), sizeof(struct ifinfomsg),
			       NLMSG_ALIGNTO))
		goto out;
	name = attr_string(nla_find(head, len, IFLA_IFNAME), IF_NAMESIZE, &bad);
	if ((name && nla_put_string(m, IFLA_IFNAME, name)) ||
	    put_u32_of(m, head, len, IFLA_MASTER, &bad) ||
	    put_u32_of(m, head, len, IFLA_LINK, &bad) ||
	    put_u32_of(m, head, len, IFLA_LINK_NETNSID, &bad) ||
	    put_linkinfo(m, nla_find(head, len, IFLA_LINKINFO), &bad,
			 kind_data))
		goto out;
	if (!bad)
		return m;
	*err = -EINVAL;
out:
	nlmsg_free(m);
	return NULL;
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
	int err;

	if (len < sizeof(*hdr) || hdr->nlmsg_len > len ||
	    hdr->nlmsg_type != RTM_NEWLINK)
		return -EINVAL;
	m = checked_copy(hdr, &ctx.kind_data, &err);
	if (!m)
		return err;
	/* a made message has no protocol: libnl finds no parser */
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
