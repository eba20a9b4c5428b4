// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <string.h>
#include "analysis/report.h"

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
