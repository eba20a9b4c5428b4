/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * metrics.h - a Prometheus endpoint (text exposition format 0.0.4) served
 * with libmicrohttpd from the collector's own event loop: no thread, so a
 * scrape reads the statistics without locks.
 *
 * GET /metrics: per hop, the delay histogram (seconds, fixed buckets from
 * 1 us to 10 s), RFC 3550 jitter and lateness gauges, lost, reordered and
 * duplicate counters; per point, the probes' counters; the pipeline's
 * counters. Everything is cumulative over the run.
 */
#ifndef HS_METRICS_H
#define HS_METRICS_H

#include <stddef.h>
#include <stdio.h>
#include <sys/socket.h>
#include "output/output.h"

/* Fills r (totals) for one scrape; r's pointers must stay valid until the
 * scrape is answered, which happens before hs_metrics_run returns. */
typedef void (*hs_metrics_source)(void *ctx, struct hs_report *r);

struct hs_metrics;

/* "PORT", "ADDR:PORT" or "[ADDR6]:PORT"; ADDR defaults to 127.0.0.1.
 * 0, or -EINVAL with a message naming spec in err. */
int hs_metrics_parse_addr(const char *spec, struct sockaddr_storage *ss,
			  socklen_t *len, char *err, size_t errlen);
/* Listen on spec. 0, or -errno with a message naming spec in err. */
int hs_metrics_start(struct hs_metrics **m, const char *spec,
		     hs_metrics_source src, void *ctx, char *err,
		     size_t errlen);
/* What scrapes read from now on; NULL (before the collector starts, and
 * after it ends): 503. Between arming and measuring, a scrape sees zeros. */
void hs_metrics_set_source(struct hs_metrics *m, hs_metrics_source src,
			   void *ctx);
/* A descriptor for epoll (readable: call hs_metrics_run). */
int hs_metrics_fd(const struct hs_metrics *m);
/* Serve what is waiting; also call it on a timer for timeouts. */
void hs_metrics_run(struct hs_metrics *m);
/* Safe with NULL. */
void hs_metrics_stop(struct hs_metrics *m);
/* The exposition of a report. 0, or -1 when a write failed. */
int hs_metrics_render(FILE *f, const struct hs_report *r);

#endif /* HS_METRICS_H */
