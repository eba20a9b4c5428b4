// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <stdio.h>
#include <string.h>
#include "probe/attach.h"
#include "analysis/points.h"

void hs_points_from_probes(struct hs_point_table *t, const struct hs_probes *p)
{
	unsigned int i;

	memset(t, 0, sizeof(*t));
	t->n = p->n;
	t->n_hosts = 1;
	for (i = 0; i < p->n; i++) {
		const struct hs_point *src = &p->points[i];
		struct hs_point_info *dst = &t->p[i];

		dst->id = src->id;
		dst->hook = (uint8_t)src->hook;
		dst->skipped = src->skipped;
		snprintf(dst->netns, sizeof(dst->netns), "%s", src->ns->name);
		dst->link = src->link;
		snprintf(dst->xdp_mode, sizeof(dst->xdp_mode), "%s",
			 src->xdp_mode ? src->xdp_mode : "");
		dst->prog_id = src->prog_id;
	}
}

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

const char *hs_points_classify(const struct hs_point_table *t, uint16_t from,
			       uint16_t to, char *via, size_t len)
{
	const struct hs_point_info *a = &t->p[from], *b = &t->p[to];
	struct hs_hop_end ea = { a->netns, &a->link, a->hook };
	struct hs_hop_end eb = { b->netns, &b->link, b->hook };

	if (a->host != b->host) {
		/* two hosts: nothing in either topology joins them */
		snprintf(via, len, "%s -> %s", t->host[a->host],
			 t->host[b->host]);
		return "network";
	}
	return hs_hop_classify(&ea, &eb, via, len);
}
