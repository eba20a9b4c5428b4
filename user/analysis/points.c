// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <stdio.h>
#include <string.h>
#include "core/hooks.h"
#include "analysis/hops.h"
#include "analysis/points.h"

const char *hs_point_label(const struct hs_point_table *t, uint16_t id,
			   char *buf, size_t len)
{
	const struct hs_point_info *pt = &t->p[id];

	if (t->n_hosts > 1)
		snprintf(buf, len, "%s/%s:%s %s", t->host[pt->host], pt->netns,
			 pt->link.ifname, hs_hook_name(pt->hook));
	else
		snprintf(buf, len, "%s:%s %s", pt->netns, pt->link.ifname,
			 hs_hook_name(pt->hook));
	return buf;
}

enum hs_hop_kind hs_points_classify(const struct hs_point_table *t,
				    uint16_t from, uint16_t to, char *via,
				    size_t len)
{
	const struct hs_point_info *a = &t->p[from], *b = &t->p[to];
	struct hs_hop_end ea = { a->netns, &a->link, a->hook };
	struct hs_hop_end eb = { b->netns, &b->link, b->hook };

	if (a->host != b->host) {
		/* two hosts: nothing in either topology joins them */
		snprintf(via, len, "%s -> %s", t->host[a->host],
			 t->host[b->host]);
		return HS_HOP_NETWORK;
	}
	return hs_hop_classify(&ea, &eb, via, len);
}

uint32_t hs_points_nat_zone(const struct hs_point_table *t, uint16_t id)
{
	const struct hs_point_info *p = &t->p[id];
	unsigned int j;

	for (j = 0; j < t->n; j++)
		if (!t->p[j].absent && t->p[j].host == p->host &&
		    !strcmp(t->p[j].netns, p->netns))
			return j + 1;
	return (uint32_t)id + 1;
}

/* A point that records on the interface r names, on host. */
static bool measures(const struct hs_point_info *p, uint8_t host,
		     const struct hs_link_ref *r)
{
	return !p->absent && !p->skipped && p->host == host &&
	       hs_link_ref_is(r, &p->link);
}

uint16_t hs_points_successor(const struct hs_point_table *t, uint16_t id)
{
	const struct hs_point_info *x = &t->p[id];
	uint16_t next = HS_NO_POINT;
	unsigned int j;

	if (x->absent || x->hook != HS_HOOK_TC_EGRESS ||
	    x->link.kind != HS_LINK_VETH || !x->link.peer.ifindex)
		return HS_NO_POINT;
	for (j = 0; j < t->n; j++) {
		const struct hs_point_info *y = &t->p[j];

		if (!measures(y, x->host, &x->link.peer))
			continue;
		if (y->hook == HS_HOOK_XDP)
			return (uint16_t)j;
		if (y->hook == HS_HOOK_TC_INGRESS)
			next = (uint16_t)j;
	}
	return next;
}

static bool in_switch_ns(const struct hs_point_table *t,
			 const struct hs_path *p, const char *ns)
{
	char via[128];
	int i;

	/* a switch hop inside ns: port to port of a bridge or an OVS (a
	 * macvlan hop goes from one function straight to the next) */
	for (i = 1; i < p->n; i++) {
		const struct hs_point_info *a = &t->p[p->points[i - 1]];
		const struct hs_point_info *b = &t->p[p->points[i]];

		if (!strcmp(a->netns, ns) && !strcmp(b->netns, ns) &&
		    a->host == b->host &&
		    hs_points_classify(t, p->points[i - 1], p->points[i], via,
				       sizeof(via)) == HS_HOP_SWITCH)
			return true;
	}
	return false;
}

void hs_path_chain(const struct hs_point_table *t, const struct hs_path *p,
		   char *buf, size_t len)
{
	const struct hs_point_info *node = &t->p[p->points[0]];
	char label[128] = "", via[128];
	size_t used;
	int i;

	used = (size_t)snprintf(buf, len, "%s", node->netns);
	for (i = 1; i < p->n && used < len; i++) {
		const struct hs_point_info *pt = &t->p[p->points[i]];
		enum hs_hop_kind kind = hs_points_classify(
			t, p->points[i - 1], p->points[i], via, sizeof(via));

		/* a switch names the link; a wire only if nothing else */
		if (kind == HS_HOP_NETWORK)
			snprintf(label, sizeof(label), "%s",
				 hs_hop_kind_name(HS_HOP_NETWORK));
		else if (kind == HS_HOP_SWITCH ||
			 (kind == HS_HOP_WIRE && !label[0]))
			memcpy(label, via, sizeof(label));
		if ((!strcmp(pt->netns, node->netns) &&
		     pt->host == node->host) ||
		    in_switch_ns(t, p, pt->netns))
			continue;
		used += (size_t)snprintf(buf + used, len - used, " -%s-> %s",
					 label[0] ? label : "?", pt->netns);
		node = pt;
		label[0] = '\0';
	}
}
