// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/log.h"
#include "analysis/session.h"
#include "store/recorder.h"
#include "store/runinfo.h"

_Static_assert(sizeof(((struct hs_frame_event *)0)->event) ==
		       HS_SESSION_EVENT_MAX,
	       "an event frame holds what the session passes on");

static void put_time(struct hs_recorder *rec, uint32_t type, uint64_t ts)
{
	struct hs_frame_time f = { .ts_ns = ts };

	hs_rec_put(rec->w, type, &f, sizeof(f));
}

static void on_armed(void *ctx, uint64_t ts)
{
	put_time(ctx, HS_FRAME_ARMED, ts);
}

static void on_ready(void *ctx, uint64_t ts, const struct hs_point_table *t)
{
	(void)t; /* the header has the table */
	put_time(ctx, HS_FRAME_READY, ts);
}

/* The time, then the point as the header would have it. */
static void on_point_added(void *ctx, uint64_t ts,
			   const struct hs_point_table *t, uint16_t id)
{
	struct hs_recorder *rec = ctx;
	struct hs_frame_time f = { .ts_ns = ts };
	char *json = hs_run_info_point_to_json(&t->p[id]);
	size_t len = json ? strlen(json) : 0;
	char *buf = json ? malloc(sizeof(f) + len) : NULL;

	if (!buf) {
		/* the replay then refuses the point's records: said there */
		pr_err("record file '%s': no memory for point %u; its records will not replay",
		       hs_rec_path(rec->w), id);
		free(json);
		return;
	}
	memcpy(buf, &f, sizeof(f));
	memcpy(buf + sizeof(f), json, len);
	hs_rec_put(rec->w, HS_FRAME_POINT_ADDED, buf,
		   (uint32_t)(sizeof(f) + len));
	free(buf);
	free(json);
}

static void on_point_removed(void *ctx, uint64_t ts, uint16_t id)
{
	struct hs_recorder *rec = ctx;
	struct hs_frame_point f = { .ts_ns = ts, .point = id };

	hs_rec_put(rec->w, HS_FRAME_POINT_REMOVED, &f, sizeof(f));
}

static void on_expire(void *ctx, uint64_t now, uint64_t expire_ns)
{
	struct hs_recorder *rec = ctx;
	struct hs_frame_expire f = { .now_ns = now, .expire_ns = expire_ns };

	hs_rec_put(rec->w, HS_FRAME_EXPIRE, &f, sizeof(f));
}

static void on_record(void *ctx, const struct hs_record *r)
{
	struct hs_recorder *rec = ctx;

	hs_rec_put_record(rec->w, r);
}

static void on_bad_record(void *ctx)
{
	struct hs_recorder *rec = ctx;

	hs_rec_put(rec->w, HS_FRAME_BAD_RECORD, NULL, 0);
}

static void on_drops(void *ctx, uint16_t point, uint64_t total, uint64_t from,
		     uint64_t to)
{
	struct hs_recorder *rec = ctx;
	struct hs_frame_drops f = {
		.total = total, .from = from, .to = to, .point = point
	};

	hs_rec_put(rec->w, HS_FRAME_DROPS, &f, sizeof(f));
}

/* Each drain: the frame, and at most once a second the compressor
 * flushed, so a crash loses little. */
static void on_horizon(void *ctx, uint64_t ts)
{
	struct hs_recorder *rec = ctx;

	put_time(rec, HS_FRAME_HORIZON, ts);
	if (hs_rec_flush(rec->w, false) && !rec->said_failed) {
		/* said once; the run goes on and fails at its end */
		rec->said_failed = true;
		pr_err("writing record file '%s' failed: %s; measuring goes on",
		       hs_rec_path(rec->w),
		       strerror(-hs_rec_flush(rec->w, true)));
	}
}

static void on_event(void *ctx, uint16_t point, const char *event)
{
	struct hs_recorder *rec = ctx;
	struct hs_frame_event f = { .point = point };

	snprintf(f.event, sizeof(f.event), "%s", event);
	hs_rec_put(rec->w, HS_FRAME_EVENT, &f, sizeof(f));
}

static void on_nat_name(void *ctx, uint32_t flow_in, uint32_t flow_out,
			const char *text)
{
	struct hs_recorder *rec = ctx;
	struct hs_frame_nat_name f = { .flow_in = flow_in,
				       .flow_out = flow_out };

	snprintf(f.text, sizeof(f.text), "%s", text);
	hs_rec_put(rec->w, HS_FRAME_NAT_NAME, &f, sizeof(f));
}

static void on_cost(void *ctx, const struct hs_probe_cost *cost, unsigned int n)
{
	struct hs_recorder *rec = ctx;
	struct hs_frame_cost f[HS_MAX_POINTS];
	unsigned int i;

	memset(f, 0, sizeof(f));
	for (i = 0; i < n; i++) {
		f[i].run_time_ns = cost[i].run_time_ns;
		f[i].run_cnt = cost[i].run_cnt;
		f[i].point = (uint16_t)i;
	}
	hs_rec_put(rec->w, HS_FRAME_COST, f, (uint32_t)(n * sizeof(f[0])));
}

/* The report frame carries the probes' counters, which only the live run
 * can read; then the file is flushed, so a report is on disk whole. */
static void on_report(void *ctx, const struct hs_report *r)
{
	struct hs_recorder *rec = ctx;
	struct hs_frame_report f = { .final = r->final,
				     .n_points = r->points->n,
				     .elapsed_s = r->elapsed_s,
				     .interval_s = r->interval_s };
	size_t cnt = r->points->n * sizeof(*r->counters);
	char *buf = malloc(sizeof(f) + cnt);

	if (!buf) {
		/* the file then lacks this report; the run goes on */
		return;
	}
	memcpy(buf, &f, sizeof(f));
	memcpy(buf + sizeof(f), r->counters, cnt);
	hs_rec_put(rec->w, HS_FRAME_REPORT, buf, (uint32_t)(sizeof(f) + cnt));
	free(buf);
	hs_rec_flush(rec->w, true);
}

static void on_end(void *ctx, uint64_t ts)
{
	put_time(ctx, HS_FRAME_END, ts);
}

void hs_recorder_sink(struct hs_recorder *rec, struct hs_sink *sink)
{
	*sink = (struct hs_sink){
		.ctx = rec,
		.armed = on_armed,
		.ready = on_ready,
		.point_added = on_point_added,
		.point_removed = on_point_removed,
		.expire = on_expire,
		.record = on_record,
		.bad_record = on_bad_record,
		.drops = on_drops,
		.horizon = on_horizon,
		.event = on_event,
		.nat_name = on_nat_name,
		.cost = on_cost,
		.report = on_report,
		.end = on_end,
	};
}
