/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * sink.h - where a session's events go, without the session knowing
 * what is behind: the record file writes every event down
 * (store/recorder.h), the outputs print the point lines, the interface
 * events and the reports (output/output.h).
 *
 * The session calls each sink in the order they were added, with the
 * event as it happened (a report: once the statistics are settled); a
 * sink leaves NULL whatever it has no use for.
 */
#ifndef HS_SINK_H
#define HS_SINK_H

#include <stdint.h>
#include "hopscope.h"
#include "analysis/points.h"
#include "analysis/report.h"

struct hs_sink {
	void *ctx;
	/* the probes are all attached: records before ts are warm-up */
	void (*armed)(void *ctx, uint64_t ts);
	/* measuring starts, at these points */
	void (*ready)(void *ctx, uint64_t ts, const struct hs_point_table *t);
	/* point id of t (t->p[id]) is measured from ts on */
	void (*point_added)(void *ctx, uint64_t ts,
			    const struct hs_point_table *t, uint16_t id);
	/* no record of point id comes after ts */
	void (*point_removed)(void *ctx, uint64_t ts, uint16_t id);
	/* hs_session_expire(now, expire_ns) let some points go (session.h) */
	void (*expire)(void *ctx, uint64_t now, uint64_t expire_ns);
	/* one record, of a point of the table */
	void (*record)(void *ctx, const struct hs_record *r);
	/* a record that was none */
	void (*bad_record)(void *ctx);
	/* point's ring-buffer drops stood at total, a change since from */
	void (*drops)(void *ctx, uint16_t point, uint64_t total, uint64_t from,
		      uint64_t to);
	/* no record older than ts is still to come */
	void (*horizon)(void *ctx, uint64_t ts);
	/* "down", "up" or "gone" happened to the point's interface */
	void (*event)(void *ctx, uint16_t point, const char *event);
	/* NAT turned flow flow_in into flow_out, in words (nat.h) */
	void (*nat_name)(void *ctx, uint32_t flow_in, uint32_t flow_out,
			 const char *text);
	/* what each point's program cost, n points */
	void (*cost)(void *ctx, const struct hs_probe_cost *cost,
		     unsigned int n);
	/* an interval's or the run's statistics */
	void (*report)(void *ctx, const struct hs_report *r);
	/* the run is over at ts */
	void (*end)(void *ctx, uint64_t ts);
};

#endif /* HS_SINK_H */
