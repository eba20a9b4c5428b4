/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * link.h - one network interface: what it is and what it is attached to,
 * as the kernel tells it (an RTM_NEWLINK message, ethtool, sysfs).
 *
 * Kinds follow docs/design.md: loopback, veth, macvlan, bridge,
 * ovs-bridge, tun, vxlan, physical, sriov-pf, sriov-vf, other. A link
 * refers to the others it is tied to by identity (namespace inode and
 * ifindex): a veth to its peer, a port to its bridge, a macvlan to its
 * lower device, a VF to its PF. The kind decides which hooks a point gets
 * by default; the references name hops and find paths (topo.h).
 */
#ifndef HS_LINK_H
#define HS_LINK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <net/if.h>

enum hs_link_kind {
	HS_LINK_OTHER = 0,
	HS_LINK_LOOPBACK,
	HS_LINK_VETH,
	HS_LINK_MACVLAN,
	HS_LINK_BRIDGE,
	HS_LINK_OVS_BRIDGE,
	HS_LINK_TUN,
	HS_LINK_VXLAN,
	HS_LINK_PHYSICAL,
	HS_LINK_SRIOV_PF,
	HS_LINK_SRIOV_VF,
	HS_LINK_KIND_COUNT,
};

/* "veth", "ovs-bridge", ...; "?" out of range. */
const char *hs_link_kind_name(enum hs_link_kind kind);
/* -1 if unknown. */
int hs_link_kind_parse(const char *name);

/* Another interface, by identity: valid when ifindex != 0. */
struct hs_link_ref {
	uint64_t netns_inode;
	int ifindex;
	char ifname[IF_NAMESIZE];
};

struct hs_link {
	uint64_t netns_inode;
	int ifindex;
	char ifname[IF_NAMESIZE];
	enum hs_link_kind kind;
	unsigned int flags; /* IFF_* */
	char driver[32]; /* ethtool's driver name, "" if none */
	char bus_info[32]; /* ethtool's bus address, e.g. a PCI address */
	char mode[16]; /* macvlan mode: "bridge", "vepa", ... */
	uint16_t udp_port; /* vxlan: the UDP port it sends to (dstport) */
	int num_vfs; /* SR-IOV PF: VFs enabled */
	/* as netlink reports them */
	int master_ifindex; /* same namespace; 0 none */
	int link_ifindex; /* IFLA_LINK: veth peer, macvlan parent */
	int link_nsid; /* IFLA_LINK_NETNSID, -1: same namespace */
	/* resolved */
	struct hs_link_ref peer; /* veth */
	struct hs_link_ref master; /* bridge */
	struct hs_link_ref parent; /* macvlan's lower device, VF's PF */
	char ovs_bridge[IF_NAMESIZE]; /* OVS bridge of a port, "" none */
};

/* The kind for a link as netlink names it (IFLA_INFO_KIND, NULL for
 * none) and its flags; sysfs refines hardware (hs_link_sriov). */
enum hs_link_kind hs_link_kind(const char *info_kind, unsigned int flags);
/*
 * Decode one RTM_NEWLINK message into l (kind from IFLA_INFO_KIND, master,
 * IFLA_LINK, IFLA_LINK_NETNSID, macvlan mode). Returns 0 or -EINVAL.
 */
int hs_link_from_nlmsg(const void *msg, size_t len, struct hs_link *l);
struct rtnl_link;
/* The same from a libnl link object. */
void hs_link_fill(struct rtnl_link *link, struct hs_link *out);
/* Driver and bus address through ethtool; sock is an AF_INET socket in
 * the link's namespace (nothing is filled if it is -1). */
void hs_link_fill_drvinfo(int sock, struct hs_link *l);
/*
 * Refine a device with a driver and a PCI address (ethtool's bus_info) by
 * sysfs under root: an SR-IOV PF (sriov_numvfs > 0) or VF (physfn). For a
 * VF, *pf_bus receives the PF's PCI address. No-op for virtual devices.
 */
void hs_link_sriov(struct hs_link *l, const char *sysfs_root, char *pf_bus,
		   size_t pf_bus_len);
/* hs_link_xdp_modes: the XDP modes an interface of this kind takes */
#define HS_LINK_XDP_NATIVE (1u << 0) /* its driver has the XDP hook */
#define HS_LINK_XDP_GENERIC (1u << 1) /* every device has the kernel's */
unsigned int hs_link_xdp_modes(const struct hs_link *l);
/* A bridge or an OVS bridge: the device that switches between ports. */
bool hs_link_is_switch(const struct hs_link *l);

/* ref names l. */
static inline bool hs_link_ref_is(const struct hs_link_ref *r,
				  const struct hs_link *l)
{
	return r->ifindex && r->netns_inode == l->netns_inode &&
	       r->ifindex == l->ifindex;
}

/* Both name the same, existing link. */
static inline bool hs_link_refs_equal(const struct hs_link_ref *a,
				      const struct hs_link_ref *b)
{
	return a->ifindex && a->netns_inode == b->netns_inode &&
	       a->ifindex == b->ifindex;
}

static inline bool hs_link_same(const struct hs_link *a,
				const struct hs_link *b)
{
	return a->netns_inode == b->netns_inode && a->ifindex == b->ifindex;
}

#endif /* HS_LINK_H */
