/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * report.h - what one report is made of: the statistics of an interval
 * or of the whole run, and everything needed to name and qualify them.
 * The session (session.h) fills it; the outputs (output/) print it and
 * never change it.
 */
#ifndef HS_REPORT_H
#define HS_REPORT_H

#include <stdbool.h>
#include <stdint.h>
#include "hopscope.h"
#include "analysis/join_clock.h"
#include "analysis/hops.h"
#include "analysis/match.h"
#include "analysis/nat.h"
#include "analysis/points.h"

/* The kernel times the probes (two clock reads a run, which cost the
 * traffic too) for 200 ms in every 10 s: enough packets for their cost,
 * little of the run paying for knowing it. */
#define HS_TIMING_ON_NS 200000000ULL
#define HS_TIMING_PERIOD_NS 10000000000ULL

/* What the kernel timed of one point's program (kernel.bpf_stats). */
struct hs_probe_cost {
	uint64_t run_time_ns;
	uint64_t run_cnt;
};

/* What the session itself left out or could not use. */
struct hs_session_counters {
	uint64_t left_out_warmup; /* trajectories */
	uint64_t left_out_cooldown;
	uint64_t cooldown_overflow; /* folded early: the queue was full */
	uint64_t bad_records; /* malformed ring-buffer records */
};

struct hs_report {
	const struct hs_point_table *points;
	const struct hs_counters *counters; /* per point: points->n */
	const struct hs_hops *hops;
	const struct hs_match_counters *match;
	const struct hs_session_counters *session;
	const struct hs_probe_cost *cost; /* per point, or NULL */
	/* per point, enum hs_point_state; NULL: every point is live */
	const uint8_t *state;
	/* hosts' files joined: how their clocks were aligned; NULL else */
	const struct hs_join_clocks *join;
	/* the NAT hops' rewrites in words, as far as known; NULL: none */
	const struct hs_nat_names *nat;
	bool final;
	double elapsed_s; /* since measuring started */
	double interval_s; /* the span the interval statistics cover */
};

/* Does the report show point i on a line of its own (counters, metrics)?
 * Not when skipped, absent from the table or free again. */
static inline bool hs_report_point_shown(const struct hs_report *r,
					 unsigned int i)
{
	return !r->points->p[i].skipped && !r->points->p[i].absent &&
	       (!r->state || r->state[i] != HS_POINT_FREE);
}

/*
 * What kind of hop joins two points, with what made it in via: nat, with
 * the rewrite, where the hop's packets were seen rewritten (the words
 * from r->nat, or the two flow hashes); else what the points are
 * (hs_points_classify()).
 */
enum hs_hop_kind hs_report_hop_kind(const struct hs_report *r, uint16_t from,
				    uint16_t to, char *via, size_t len);

/* The clocks' say on a delay from point from to point to, on two hosts
 * of a joined run. */
static inline const struct hs_join_pair *
hs_report_join_pair(const struct hs_report *r, uint16_t from, uint16_t to)
{
	return &r->join->pair[r->points->p[from].host][r->points->p[to].host];
}

/* The probes' cost per hook, summed over the points with that hook. */
struct hs_hook_cost {
	uint64_t ns, runs;
	unsigned int points;
};

/* hc[HS_HOOK_COUNT] from r->cost; false when nothing was timed. */
bool hs_report_hook_cost(const struct hs_report *r, struct hs_hook_cost *hc);

#endif /* HS_REPORT_H */
