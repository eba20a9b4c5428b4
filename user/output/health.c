// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <stdio.h>
#include <string.h>
#include "output/health.h"
#include "output/json.h"

/* Add one reason to the list. */
static void why(struct hs_health *h, const char *text)
{
	size_t n = strlen(h->reasons);

	snprintf(h->reasons + n, sizeof(h->reasons) - n, "%s%s", n ? "; " : "",
		 text);
}

void hs_health_judge(struct hs_health *h)
{
	char line[96];

	h->reasons[0] = '\0';
	if (!h->measuring)
		why(h, "not measuring yet");
	if (h->measuring && !h->v.probes_attached)
		why(h, "no probe attached");
	if (h->measuring && h->v.last_drain_age_s > HS_HEALTH_STALE_S) {
		snprintf(line, sizeof(line),
			 "no drain of the ring buffer for %.1f s",
			 h->v.last_drain_age_s);
		why(h, line);
	}
	h->ok = !h->reasons[0];
	h->v.healthy = h->ok;
}

const char *hs_health_status(const struct hs_health *h)
{
	if (!h->measuring)
		return "starting";
	return h->ok ? "ok" : "unhealthy";
}

int hs_health_json(FILE *f, const struct hs_health *h)
{
	return hs_json_health(f, hs_health_status(h), h->ok ? NULL : h->reasons,
			      &h->v);
}
