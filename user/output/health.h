/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * health.h - whether a live run is well, as /healthz answers it: the
 * collector's figures (struct hs_health_values, fields.h) and a verdict.
 *
 * A run is unhealthy while no probe is attached (every interface gone or
 * down), or when the collector has not drained the ring buffer for
 * HS_HEALTH_STALE_S (fifty drain periods: its loop is stuck). Before
 * measuring starts it is "starting". Dropped and bad records are counted,
 * not judged: a burst that fills the ring is no outage, and an alert on
 * their rate belongs to Prometheus.
 */
#ifndef HS_HEALTH_H
#define HS_HEALTH_H

#include <stdbool.h>
#include <stdio.h>
#include "output/fields.h"

/* No drain for this long: the collector is stuck. */
#define HS_HEALTH_STALE_S 1.0

struct hs_health {
	struct hs_health_values v;
	bool measuring; /* false until measuring starts */
	bool ok; /* hs_health_judge's verdict */
	char reasons[256]; /* why not ok, "; "-joined; "" when ok */
};

/* Judge h->v: sets ok, reasons and v.healthy. */
void hs_health_judge(struct hs_health *h);
/* "ok", "unhealthy" or "starting". */
const char *hs_health_status(const struct hs_health *h);
/* /healthz's body, one JSON object and a newline: status, the reasons
 * when there are any, then every field. 0, or -1 when a write failed. */
int hs_health_json(FILE *f, const struct hs_health *h);

#endif /* HS_HEALTH_H */
