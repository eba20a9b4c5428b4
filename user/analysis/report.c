// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <stdio.h>
#include <string.h>
#include "analysis/report.h"

enum hs_hop_kind hs_report_hop_kind(const struct hs_report *r, uint16_t from,
				    uint16_t to, char *via, size_t len)
{
	const struct hs_hop *hop = r->hops ? hs_hops_find(r->hops, from, to) :
					     NULL;
	const char *name;

	if (!hop || !hop->nat.crossings)
		return hs_points_classify(r->points, from, to, via, len);
	name = r->nat ? hs_nat_name_find(r->nat, hop->nat.flow_in,
					 hop->nat.flow_out) :
			NULL;
	if (name)
		snprintf(via, len, "%s", name);
	else
		snprintf(via, len, "flow %08x -> %08x", hop->nat.flow_in,
			 hop->nat.flow_out);
	return HS_HOP_NAT;
}

bool hs_report_hook_cost(const struct hs_report *r, struct hs_hook_cost *hc)
{
	bool any = false;
	unsigned int i;

	memset(hc, 0, HS_HOOK_COUNT * sizeof(*hc));
	if (!r->cost)
		return false;
	for (i = 0; i < r->points->n; i++) {
		const struct hs_probe_cost *c = &r->cost[i];
		uint8_t h = r->points->p[i].hook;

		if (!c->run_cnt || h >= HS_HOOK_COUNT)
			continue;
		hc[h].ns += c->run_time_ns;
		hc[h].runs += c->run_cnt;
		hc[h].points++;
		any = true;
	}
	return any;
}
