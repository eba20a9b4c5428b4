/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * http.h - the --metrics endpoint: GET /metrics answers with the
 * Prometheus exposition of the run so far (prom.h), GET /healthz with
 * whether the collector is well (health.h: 200 when it is, else 503, a
 * JSON object either way), served with
 * libmicrohttpd from the collector's own event loop: no thread, so a
 * scrape reads the statistics without locks.
 */
#ifndef HS_HTTP_H
#define HS_HTTP_H

#include <stddef.h>
#include <stdio.h>
#include <sys/socket.h>
#include "analysis/report.h"
#include "output/health.h"

/* Fills r (totals) for one scrape; r's pointers must stay valid until the
 * scrape is answered, which happens before hs_metrics_run returns. */
typedef void (*hs_metrics_source)(void *ctx, struct hs_report *r);
/* Fills h->v and h->measuring for one /healthz or scrape (the endpoint
 * judges). */
typedef void (*hs_health_source)(void *ctx, struct hs_health *h);

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
/* Where /healthz and the collector's metrics come from; NULL: /healthz
 * answers 503 "starting" and /metrics leaves them out. */
void hs_metrics_set_health(struct hs_metrics *m, hs_health_source src,
			   void *ctx);
/* A descriptor for epoll (readable: call hs_metrics_run). */
int hs_metrics_fd(const struct hs_metrics *m);
/* Serve what is waiting; also call it on a timer for timeouts. */
void hs_metrics_run(struct hs_metrics *m);
/* Safe with NULL. */
void hs_metrics_stop(struct hs_metrics *m);

#endif /* HS_HTTP_H */
