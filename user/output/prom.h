/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * prom.h - a report in the Prometheus text exposition format 0.0.4.
 *
 * Per hop and per path: the delay histogram (seconds, fixed buckets from
 * 1 us to 10 s), delay quantiles, RFC 3550 jitter and lateness gauges,
 * packets, lost, reordered, duplicate and negative-delay counters; per
 * point, the probes' counters; the pipeline's counters. Everything is
 * cumulative over the run (docs/output.md lists the names).
 */
#ifndef HS_PROM_H
#define HS_PROM_H

#include <stdio.h>
#include "analysis/report.h"
#include "output/fields.h"

/* The exposition of a report. 0, or -1 when a write failed. */
int hs_prom_render(FILE *f, const struct hs_report *r);
/* The collector's figures as they stand (health.h): hopscope_healthy,
 * the probes attached, the ring buffer's drops summed, drains, the match
 * table's fill, the record parts. 0, or -1 when a write failed. */
int hs_prom_render_health(FILE *f, const struct hs_health_values *v);

#endif /* HS_PROM_H */
