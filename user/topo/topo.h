/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * topo.h - the host's virtual network: every namespace, every interface
 * in it (link.h) and how they connect, asked of the kernel (libnl-3
 * route, ethtool, sysfs) and of Open vSwitch (its OVSDB socket, ovsdb.h).
 *
 * Namespaces are the one hopscope runs in, those under /run/netns, those
 * the caller opened by other names and, on request, those of running
 * processes. Their names: a container's docker:NAME or podman:NAME (its
 * runtime asked, runtime.h), pid 1's "host", else the /run/netns name or
 * the caller's, else pid:PID by the lowest pid. Edges: a veth and its
 * peer (across namespaces, through IFLA_LINK and IFLA_LINK_NETNSID), a
 * macvlan and its parent, a port and its bridge (kernel master, or OVS),
 * a VF and its PF.
 */
#ifndef HS_TOPO_H
#define HS_TOPO_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include "topo/link.h"
#include "topo/netns.h"

#define HS_TOPO_MAX_PIDS 8

struct hs_topo_ns {
	struct hs_netns ns; /* name: as topo.h says above */
	bool named; /* by a container, "host", /run/netns or the caller */
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
	/* containers inspected before, kept for the next discovery (the
	 * agent's); NULL: every container is inspected */
	struct hs_container_cache *containers;
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
/* Index of the namespace with this inode, -1 if none. */
int hs_topo_ns_index(const struct hs_topo *t, uint64_t inode);

#endif /* HS_TOPO_H */
