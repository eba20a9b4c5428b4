/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * json.h - JSON lines, one object per line with a "type": "point",
 * "event", "clock", "hop", "path", "counters", "pipeline", "probe_cost",
 * "fit_run", "fit" (docs/output.md). Each line is flushed as written.
 * Every function returns 0, or -1 when a write failed.
 */
#ifndef HS_JSON_H
#define HS_JSON_H

#include <stdint.h>
#include <stdio.h>
#include "analysis/fit.h"
#include "analysis/report.h"
#include "output/fields.h"

/* A "point" line per point measured (skipped and absent ones left out). */
int hs_json_points(FILE *f, const struct hs_point_table *t);
/* The "point" line of point id, added at ts (its "since_ns"). */
int hs_json_point_added(FILE *f, const struct hs_point_table *t, uint16_t id,
			uint64_t ts);
/* An "event" line: something happened to the point's interface. */
int hs_json_event(FILE *f, uint16_t point, const char *event);
/* The lines of one report. */
int hs_json_report(FILE *f, const struct hs_report *r);
/* report --fit: a "fit_run" line per run, a "fit" line per metric. */
int hs_json_fit(FILE *f, const struct hs_fit_run *runs, unsigned int n,
		const struct hs_fit *fits);
/* /healthz's answer (not a line of the run's output): one object with
 * "status", "reasons" (unless NULL) and the health fields. */
int hs_json_health(FILE *f, const char *status, const char *reasons,
		   const struct hs_health_values *v);

#endif /* HS_JSON_H */
