/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * topology.h - the host's virtual network: namespaces, interfaces, what
 * each interface is and how they connect, asked of the kernel (libnl-3
 * route, ethtool, sysfs) and of Open vSwitch (its OVSDB socket).
 *
 * Kinds follow DESIGN.md: loopback, veth, macvlan, bridge, ovs-bridge, tun,
 * vxlan, physical, sriov-pf, sriov-vf, other. Edges: a veth and its peer
 * (across namespaces, through IFLA_LINK and IFLA_LINK_NETNSID), a macvlan
 * and its parent, a port and its bridge (kernel master, or OVS), a VF and
 * its PF. The kind decides which hooks a point gets by default; the edges
 * name hops and find the path between two namespaces.
 */
#ifndef HS_TOPOLOGY_H
#define HS_TOPOLOGY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <net/if.h>
#include "topo/netns.h"

#define HS_KIND_MAX 16
#define HS_TOPO_MAX_PIDS 8

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
	char kind[HS_KIND_MAX];
	unsigned int flags; /* IFF_* */
	char driver[32]; /* ethtool's driver name, "" if none */
	char bus_info[32]; /* ethtool's bus address, e.g. a PCI address */
	char mode[16]; /* macvlan mode: "bridge", "vepa", ... */
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

struct hs_topo_ns {
	struct hs_netns ns; /* name: /run/netns name, else "pid:PID" */
	bool named; /* under /run/netns */
	unsigned int n_pids;
	pid_t pids[HS_TOPO_MAX_PIDS]; /* the lowest pids in it */
	char comm[16]; /* command of pids[0] */
};

struct hs_topo {
	unsigned int n_ns, n_links;
	struct hs_topo_ns *ns;
	struct hs_link *links;
	unsigned int *link_ns; /* index into ns, per link */
};

struct hs_topo_opts {
	const char *sysfs_root; /* "" or NULL: "/sys"; tests use fixtures */
	const char *ovs_rundir; /* NULL: $OVS_RUNDIR, else /var/run/openvswitch */
	bool processes; /* also the namespaces of running processes */
	/* namespaces the caller opened by other names (paths): included
	 * under those names; the caller keeps them open */
	const struct hs_netns *const *extra;
	unsigned int n_extra;
};

struct nl_sock;
/* A NETLINK_ROUTE socket bound to ns (made inside it); NULL on failure. */
struct nl_sock *hs_route_socket_in(const struct hs_netns *ns);

/* Discover everything. 0 or -errno with a message printed. */
int hs_topo_discover(struct hs_topo *t, const struct hs_topo_opts *o);
void hs_topo_free(struct hs_topo *t);
/* The link by namespace inode and name, NULL if none. */
const struct hs_link *hs_topo_find(const struct hs_topo *t, uint64_t inode,
				   const char *ifname);
const struct hs_link *hs_topo_find_ref(const struct hs_topo *t,
				       const struct hs_link_ref *ref);
/* Index of the namespace with this inode, -1 if none. */
int hs_topo_ns_index(const struct hs_topo *t, uint64_t inode);
/*
 * The interfaces on the shortest path from namespace a to namespace b:
 * veth peers, bridge ports, macvlan siblings, OVS ports, and any two
 * interfaces of one namespace (a function forwards between them). Fills
 * path with link indices in order; returns their count, 0 if there is no
 * path, -E2BIG if it is longer than max.
 */
int hs_topo_between(const struct hs_topo *t, unsigned int a, unsigned int b,
		    unsigned int *path, unsigned int max);

/* The kind for a link as netlink names it (IFLA_INFO_KIND, NULL for none),
 * its flags and, for devices with hardware behind them, sysfs. */
const char *hs_link_kind(const char *info_kind, unsigned int flags);
/*
 * Decode one RTM_NEWLINK message into l (kind from IFLA_INFO_KIND, master,
 * IFLA_LINK, IFLA_LINK_NETNSID, macvlan mode). Returns 0 or -EINVAL.
 */
int hs_link_from_nlmsg(const void *msg, size_t len, struct hs_link *l);
/*
 * Refine a device with a driver and a PCI address (ethtool's bus_info) by
 * sysfs under root: an SR-IOV PF (sriov_numvfs > 0) or VF (physfn). For a
 * VF, *pf_bus receives the PF's PCI address. No-op for virtual devices.
 */
void hs_link_sriov(struct hs_link *l, const char *sysfs_root, char *pf_bus,
		   size_t pf_bus_len);
/* XDP modes an interface of this kind takes: bit 0 native, bit 1 generic. */
unsigned int hs_link_xdp_modes(const struct hs_link *l);

/* One end of a hop, for naming it. */
struct hs_hop_end {
	const char *netns_name;
	const struct hs_link *link;
	int hook; /* enum hs_hook */
};

/*
 * Classify a hop from what its two points are: "stack" (XDP -> tc on one
 * device), "wire" (a veth and its peer), "switch" (through a bridge, OVS
 * or macvlan: port to port) or "function" (in one namespace from one
 * interface to another: the network function itself). Writes what made
 * the hop into via ("veth", "bridge br0", "ovs br1", "macvlan mvp
 * (bridge mode)", "VNF vnf1"). Returns the kind.
 */
const char *hs_hop_classify(const struct hs_hop_end *from,
			    const struct hs_hop_end *to, char *via,
			    size_t via_len);

#endif /* HS_TOPOLOGY_H */
