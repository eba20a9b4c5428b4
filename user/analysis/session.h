/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * session.h - one measurement's analysis, from events to reports.
 *
 * Every event of a run goes through here in order: the probes armed,
 * measuring started, a record, ring-buffer drops noticed, a drain's
 * horizon, an interface event, a report, the end. The live collector
 * makes these events from the ring buffer and its timer; `hopscope
 * report` makes them from a record file, where the live run wrote each of
 * them as it happened. The same events in the same order give the same
 * statistics: a file replayed reports exactly what its run reported.
 * Each event also goes to the session's sinks (sink.h), in order: the
 * record file and the outputs.
 *
 * --warmup and --cooldown leave out the head and the tail of the stream,
 * the packets measured from the first to the last, by the first sighting
 * of each: those within warmup_ns of the first packet's, and those within
 * cooldown_ns of the last packet's. A packet waits until one more than
 * cooldown_ns younger shows up before it is folded (in a bounded queue:
 * past it, the oldest are folded early and counted as cooldown_overflow),
 * and what waits at the end is the tail.
 *
 * Points come and go (hopscope agent): the table the session was given
 * stays the caller's, who fills p[id] (raising n past id) before
 * hs_session_point_added, and keeps it until the id is free again. An id
 * goes LIVE -> REMOVED (no record of it comes any more) -> FREE: once it
 * has been removed for the expiry time, and no trajectory still open or
 * held back for the cool-down can hold a sighting of it, hs_session_expire
 * lets its hops, paths and segments go (memory reused: hops.h), and only
 * then may the caller add the id again (hs_session_point_reusable). Ids of
 * the table the session starts with are LIVE, except those marked absent;
 * ids past its n are FREE.
 */
#ifndef HS_SESSION_H
#define HS_SESSION_H

#include <stdbool.h>
#include <stdint.h>
#include "hopscope.h"
#include "analysis/hops.h"
#include "analysis/match.h"
#include "analysis/points.h"
#include "analysis/shards.h"
#include "analysis/report.h"
#include "analysis/sink.h"

/* What a configuration may ask for, from the command line or a file. A
 * window below ~2 drain periods would let a slow drain close trajectories
 * before their later sightings are read. */
#define HS_WINDOW_MIN_MS 50
#define HS_WINDOW_MAX_MS 60000
#define HS_INFLIGHT_MAX (1u << 24)
#define HS_THREADS_MAX HS_SHARDS_MAX
#define HS_SECONDS_MAX 31536000 /* a year: warm-up, cool-down, duration */

struct hs_session_config {
	uint64_t window_ns; /* match window */
	uint32_t max_inflight; /* trajectories in the match table */
	uint64_t warmup_ns; /* left out after measuring starts */
	uint64_t cooldown_ns; /* left out before the end */
	/* matcher threads (shards.h); 0 or 1: one matcher, on the
	 * caller's thread */
	uint32_t threads;
};

/* Sinks a session feeds: a record file and the outputs, at most. */
#define HS_SESSION_SINKS 4
/* An interface event's text ("down", "up", "gone") is cut to this, its
 * NUL included: what a record file's frame holds of it. */
#define HS_SESSION_EVENT_MAX 16

struct hs_session {
	struct hs_session_config cfg;
	const struct hs_point_table *points;
	unsigned int n_sinks;
	struct hs_sink sinks[HS_SESSION_SINKS];
	struct hs_matcher matcher; /* unless shards */
	struct hs_shards *shards; /* cfg.threads > 1 */
	struct hs_hops hops;
	struct hs_session_counters counters;
	/* per point, as of the last report */
	struct hs_counters point_counters[HS_MAX_POINTS];
	/* per point: enum hs_point_state, and when it was removed */
	uint8_t point_state[HS_MAX_POINTS];
	uint64_t removed_ts[HS_MAX_POINTS];
	/* per point, as the run ended; run_cnt 0 everywhere: not measured */
	struct hs_probe_cost cost[HS_MAX_POINTS];
	uint64_t stream_first, stream_last; /* first sightings: the stream */
	void *cooldown; /* the queue, when cooldown_ns > 0 */
	/* hosts' files joined: how their clocks were aligned */
	const struct hs_join_clocks *join;
	/* the NAT hops' rewrites in words, as the collector found them */
	struct hs_nat_names nat_names;
};

/* 0 or -errno. points stay the caller's. */
int hs_session_init(struct hs_session *s, const struct hs_session_config *c,
		    const struct hs_point_table *points);
/* Feed sink too, after those added before. 0, or -E2BIG past
 * HS_SESSION_SINKS. */
int hs_session_add_sink(struct hs_session *s, const struct hs_sink *sink);
void hs_session_free(struct hs_session *s);

/* The probes are attached: records before ts are their warm-up (they
 * attach one by one, so early packets miss early points). */
void hs_session_armed(struct hs_session *s, uint64_t ts);
/* Measuring starts: the "point" lines. */
void hs_session_ready(struct hs_session *s, uint64_t ts);
void hs_session_record(struct hs_session *s, const struct hs_record *r);
/* The points' hosts were joined with these clocks (store/join.h): the
 * reports state them, and the matcher orders sightings on two hosts by
 * how far their clocks can be trusted. */
void hs_session_set_join(struct hs_session *s,
			 const struct hs_join_clocks *join);
/* NAT turned flow flow_in into flow_out: text says how (nat.h); the
 * reports name the hop's rewrite with it, and the sinks take it. */
void hs_session_nat_name(struct hs_session *s, uint32_t flow_in,
			 uint32_t flow_out, const char *text);
/* A record the ring buffer handed over that is not an hs_record. */
void hs_session_bad_record(struct hs_session *s);
/* Point's ring-buffer drop counter stood at total at time to, having
 * been looked at last at from. */
void hs_session_drops(struct hs_session *s, uint16_t point, uint64_t total,
		      uint64_t from, uint64_t to);
/* No record older than ts is still to come: close what the window has
 * passed. */
void hs_session_horizon(struct hs_session *s, uint64_t ts);
/* Something happened to a point's interface: "down", "up", "gone". */
void hs_session_event(struct hs_session *s, uint16_t point, const char *event);
/* Point id (points->p[id], id < points->n, filled by the caller) is
 * measured from ts on, with statistics of its own from nothing. 0, or
 * -EINVAL when id is past the table or not FREE. */
int hs_session_point_added(struct hs_session *s, uint16_t id, uint64_t ts);
/* No record of point id comes after ts: its probe is detached and the
 * ring buffer drained past ts. 0, or -EINVAL when id is not LIVE. */
int hs_session_point_removed(struct hs_session *s, uint16_t id, uint64_t ts);
/* After a drain's horizon, now in the records' clock (the horizon's time):
 * let go of the points removed at least expire_ns before now whose
 * records can no longer be in a trajectory still to be folded: their
 * hops, paths and segments leave the statistics (interval and totals) and
 * the ids become FREE. Returns how many points it let go. */
unsigned int hs_session_expire(struct hs_session *s, uint64_t now,
			       uint64_t expire_ns);
/* May id be added again? Only when FREE: nothing refers to it. */
bool hs_session_point_reusable(const struct hs_session *s, uint16_t id);
/* The caller's table as out, with every id that is not LIVE marked
 * absent: the points a record file part started now begins with. */
void hs_session_live_points(const struct hs_session *s,
			    struct hs_point_table *out);
/* What each point's program cost (points->n entries), before the final
 * report. */
void hs_session_cost(struct hs_session *s, const struct hs_probe_cost *cost);
/* A table and JSON lines: the interval (then a new one starts) or the
 * final summary. counters: per point, points->n entries. */
void hs_session_report(struct hs_session *s, bool final, double elapsed_s,
		       double interval_s, const struct hs_counters *counters);
/* A report of the statistics as they stand (final: the totals), without
 * settling anything: for a metrics scrape between reports. */
void hs_session_fill_report(const struct hs_session *s, struct hs_report *r,
			    bool final);
/* The run is over at ts: everything still open is folded or left out. */
void hs_session_end(struct hs_session *s, uint64_t ts);
/* The match table: trajectories open (as of the last report with
 * threads), and its capacity. */
uint32_t hs_session_inflight(const struct hs_session *s);
uint32_t hs_session_capacity(const struct hs_session *s);
/* The newest time the matching has seen: a record's or a horizon's. */
uint64_t hs_session_newest(const struct hs_session *s);

#endif /* HS_SESSION_H */
