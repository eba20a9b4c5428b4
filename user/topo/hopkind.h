/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * hopkind.h - what made a hop, from what its two points are.
 *
 * A hop joins two observation points a packet crossed one after the
 * other. Its kind says what lies between them:
 *   stack     XDP -> tc ingress on one device: the kernel's receive path
 *   wire      a veth and its peer
 *   switch    port to port of a bridge or an OVS, or macvlan siblings
 *   function  into a namespace and out of it: the network function
 *   network   between two hosts (record files joined; never from here)
 *   nat       a function seen rewriting addresses or ports (from the
 *             traffic: analysis/report.h; never from here)
 * and "via" names it: "veth", "bridge br0", "ovs br1", "macvlan mvp
 * (bridge mode)", "VNF vnf1". With ingress hooks only (--hooks ingress)
 * a hop from one device's ingress to the next's holds the wire as well:
 * a function ("VNF vnf1 + veth") or a switch ("bridge br0 + veth").
 * One table of names serves every output.
 */
#ifndef HS_HOPKIND_H
#define HS_HOPKIND_H

#include <stddef.h>
#include "hopscope.h"
#include "topo/link.h"

enum hs_hop_kind {
	HS_HOP_WIRE = 0,
	HS_HOP_SWITCH,
	HS_HOP_FUNCTION,
	HS_HOP_STACK,
	HS_HOP_NETWORK,
	HS_HOP_ENCAP, /* into a tunnel: its device's egress to the underlay */
	HS_HOP_DECAP, /* out of it: the underlay to the device's ingress */
	/* a function that rewrote addresses or ports: known from the
	 * packets, never from the points (analysis/report.h) */
	HS_HOP_NAT,
	HS_HOP_KIND_COUNT,
};

/* "wire", "switch", ...; "?" out of range. */
const char *hs_hop_kind_name(enum hs_hop_kind kind);

/* One end of a hop, for naming it. */
struct hs_hop_end {
	const char *netns_name;
	const struct hs_link *link;
	enum hs_hook hook;
};

/* The kind of the hop from one end to the other, with what made it
 * written into via. */
enum hs_hop_kind hs_hop_classify(const struct hs_hop_end *from,
				 const struct hs_hop_end *to, char *via,
				 size_t via_len);

#endif /* HS_HOPKIND_H */
