/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * topology.h - what an interface is, asked of the kernel through libnl-3.
 *
 * Kinds follow DESIGN.md: loopback, veth, macvlan, bridge, ovs-bridge, tun,
 * vxlan, physical, other. The kind decides which hooks a point gets by
 * default and how a hop is named.
 */
#ifndef HS_TOPOLOGY_H
#define HS_TOPOLOGY_H

#include <stddef.h>
#include <stdint.h>
#include <net/if.h>
#include "netns.h"

#define HS_KIND_MAX 16

struct hs_link {
	int ifindex;
	char ifname[IF_NAMESIZE];
	char kind[HS_KIND_MAX];
	unsigned int flags; /* IFF_* */
};

/* The kind name for a link type as libnl reports it (IFLA_INFO_KIND,
 * NULL for none) and its flags. */
const char *hs_link_kind(const char *info_kind, unsigned int flags);
/* Look an interface up by name in ns. -ENODEV if it does not exist. */
int hs_link_lookup(const struct hs_netns *ns, const char *ifname,
		   struct hs_link *out);
/* Every interface of ns; *links is malloc'ed. Returns the count or -errno. */
int hs_link_list(const struct hs_netns *ns, struct hs_link **links);



/* One end of a hop, for naming it. */
struct hs_hop_end {
	uint64_t netns_inode;
	const char *netns_name;
	const struct hs_link *link;
	int hook; /* enum hs_hook */
};

/*
 * Classify a hop from what its two points are: "stack" (XDP -> tc on one
 * device), "wire" (across namespaces: a veth and its peer), "switch" (in
 * one namespace through a bridge or macvlan) or "function" (in one
 * namespace from one interface to another: the network function itself).
 * Writes a human name of what made the hop into via. Returns the kind.
 */
const char *hs_hop_classify(const struct hs_hop_end *from,
			    const struct hs_hop_end *to, char *via,
			    size_t via_len);
#endif /* HS_TOPOLOGY_H */
