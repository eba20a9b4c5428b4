// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <stdio.h>
#include <string.h>
#include "core/hooks.h"
#include "topo/hopkind.h"

static const char *const hop_kind_names[HS_HOP_KIND_COUNT] = {
	[HS_HOP_WIRE] = "wire",		[HS_HOP_SWITCH] = "switch",
	[HS_HOP_FUNCTION] = "function", [HS_HOP_STACK] = "stack",
	[HS_HOP_NETWORK] = "network",	[HS_HOP_ENCAP] = "encap",
	[HS_HOP_DECAP] = "decap",	[HS_HOP_NAT] = "nat",
};

const char *hs_hop_kind_name(enum hs_hop_kind kind)
{
	return (unsigned int)kind < HS_HOP_KIND_COUNT ? hop_kind_names[kind] :
							"?";
}

/* Port to port: a bridge, an OVS, or a macvlan and its sibling or its
 * lower device. HS_HOP_KIND_COUNT when the two are no such ports. */
static enum hs_hop_kind classify_ports(const struct hs_link *a,
				       const struct hs_link *b, char *via,
				       size_t via_len)
{
	if (hs_link_refs_equal(&a->master, &b->master)) {
		snprintf(via, via_len, "bridge %s", a->master.ifname);
		return HS_HOP_SWITCH;
	}
	if (a->ovs_bridge[0] && !strcmp(a->ovs_bridge, b->ovs_bridge) &&
	    a->netns_inode == b->netns_inode) {
		snprintf(via, via_len, "ovs %s", a->ovs_bridge);
		return HS_HOP_SWITCH;
	}
	if (hs_link_refs_equal(&a->parent, &b->parent) ||
	    hs_link_ref_is(&a->parent, b) || hs_link_ref_is(&b->parent, a)) {
		const struct hs_link *child = a->parent.ifindex ? a : b;

		snprintf(via, via_len, "%s %s%s%s%s",
			 hs_link_kind_name(child->kind), child->parent.ifname,
			 child->mode[0] ? " (" : "", child->mode,
			 child->mode[0] ? " mode)" : "");
		return HS_HOP_SWITCH;
	}
	return HS_HOP_KIND_COUNT;
}

/* Into a tunnel (its device's egress, then the underlay) or out of it (the
 * underlay, then the device's ingress), in one namespace: the probe sees
 * the inner packet at the device and the outer one on the underlay, one
 * fingerprint (hs_packet.h). HS_HOP_KIND_COUNT when neither. */
static enum hs_hop_kind classify_tunnel(const struct hs_hop_end *from,
					const struct hs_hop_end *to, char *via,
					size_t via_len)
{
	const struct hs_link *a = from->link, *b = to->link;

	if (a->netns_inode != b->netns_inode)
		return HS_HOP_KIND_COUNT;
	if (a->kind == HS_LINK_VXLAN && b->kind != HS_LINK_VXLAN &&
	    from->hook == HS_HOOK_TC_EGRESS) {
		snprintf(via, via_len, "vxlan %s", a->ifname);
		return HS_HOP_ENCAP;
	}
	if (b->kind == HS_LINK_VXLAN && a->kind != HS_LINK_VXLAN &&
	    to->hook != HS_HOOK_TC_EGRESS) {
		snprintf(via, via_len, "vxlan %s", b->ifname);
		return HS_HOP_DECAP;
	}
	return HS_HOP_KIND_COUNT;
}

/*
 * In at one device and in at the next, nothing seen leaving in between
 * (--hooks ingress): what forwarded the packet out of from's namespace
 * and the wire it took, as one hop. A bridge or OVS port forwards it on
 * as a switch; elsewhere a function does. HS_HOP_KIND_COUNT for the pairs
 * that are one thing even so: a macvlan's lower device and the macvlan,
 * XDP and tc ingress of one device, a tunnel's underlay and its device, a
 * port and its bridge's own device.
 */
static enum hs_hop_kind classify_ingress_pair(const struct hs_hop_end *from,
					      const struct hs_hop_end *to,
					      char *via, size_t via_len)
{
	const struct hs_link *a = from->link, *b = to->link;
	const char *wire = hs_link_kind_name(b->kind);

	if (!hs_hook_is_ingress(from->hook) || !hs_hook_is_ingress(to->hook) ||
	    hs_link_same(a, b) || hs_link_ref_is(&a->parent, b) ||
	    hs_link_ref_is(&b->parent, a) || a->kind == HS_LINK_VXLAN ||
	    b->kind == HS_LINK_VXLAN || hs_link_is_switch(b))
		return HS_HOP_KIND_COUNT;
	if (a->master.ifindex) {
		snprintf(via, via_len, "bridge %s + %s", a->master.ifname, wire);
		return HS_HOP_SWITCH;
	}
	if (a->ovs_bridge[0]) {
		snprintf(via, via_len, "ovs %s + %s", a->ovs_bridge, wire);
		return HS_HOP_SWITCH;
	}
	snprintf(via, via_len, "VNF %s + %s", from->netns_name, wire);
	return HS_HOP_FUNCTION;
}

enum hs_hop_kind hs_hop_classify(const struct hs_hop_end *from,
				 const struct hs_hop_end *to, char *via,
				 size_t via_len)
{
	const struct hs_link *a = from->link, *b = to->link;
	enum hs_hop_kind kind;

	if (hs_link_same(a, b)) {
		/* XDP -> tc ingress: the kernel's receive path; in at one
		 * hook and out at another: a function sends it back out */
		if (from->hook == HS_HOOK_XDP) {
			snprintf(via, via_len, "%s", a->ifname);
			return HS_HOP_STACK;
		}
		snprintf(via, via_len, "VNF %s", from->netns_name);
		return HS_HOP_FUNCTION;
	}
	if (hs_link_ref_is(&a->peer, b) || hs_link_ref_is(&b->peer, a)) {
		snprintf(via, via_len, "veth");
		return HS_HOP_WIRE;
	}
	kind = classify_ingress_pair(from, to, via, via_len);
	if (kind != HS_HOP_KIND_COUNT)
		return kind;
	kind = classify_ports(a, b, via, via_len);
	if (kind != HS_HOP_KIND_COUNT)
		return kind;
	kind = classify_tunnel(from, to, via, via_len);
	if (kind != HS_HOP_KIND_COUNT)
		return kind;
	if (a->netns_inode == b->netns_inode) {
		if (hs_link_is_switch(a) || hs_link_is_switch(b)) {
			const struct hs_link *sw = hs_link_is_switch(a) ? a : b;

			snprintf(via, via_len, "%s %s",
				 hs_link_kind_name(sw->kind), sw->ifname);
			return HS_HOP_SWITCH;
		}
		snprintf(via, via_len, "VNF %s", from->netns_name);
		return HS_HOP_FUNCTION;
	}
	/* points with unobserved interfaces between them */
	snprintf(via, via_len, "%s -> %s", hs_link_kind_name(a->kind),
		 hs_link_kind_name(b->kind));
	return HS_HOP_WIRE;
}
