// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * fields.c - the field tables (fields.h) and the flat views they read.
 */
#include <stddef.h>
#include <string.h>
#include "core/util.h"
#include "output/fields.h"

/* ---- the flat views ---- */

static double ratio(uint64_t part, uint64_t whole)
{
	return whole ? (double)part / (double)whole : 0.0;
}

void hs_leg_values(const struct hs_acc *a, struct hs_leg_values *v)
{
	/* extent and late time are measured where the history reached */
	uint64_t measured = a->reordered - a->extent_beyond;
	struct hs_lateness late;
	struct hs_summary s;

	hs_delay_summary(&a->delay, &s);
	hs_lateness(&s, &late);
	*v = (struct hs_leg_values){
		.packets = s.n,
		.min = s.min,
		.p50 = s.p50,
		.p90 = s.p90,
		.p99 = s.p99,
		.p999 = s.p999,
		.max = s.max,
		.mean = s.mean,
		.stdev = s.stdev,
		.jitter_n = a->jitter.n,
		.jitter_last = a->jitter.last,
		.jitter_mean = hs_jitter_mean(&a->jitter),
		.jitter_max = a->jitter.max,
		.jitter_min = a->jitter.min,
		.jitter_stdev = hs_jitter_stdev(&a->jitter),
		.ipdv_p50 = hs_hist_percentile(&a->jitter.ipdv, 50),
		.ipdv_p99 = hs_hist_percentile(&a->jitter.ipdv, 99),
		.late_max = late.max,
		.late_mean = late.mean,
		.late_stdev = late.stdev,
		.lost = a->lost,
		.reordered = a->reordered,
		.reordered_ratio = ratio(a->reordered, a->arrivals),
		.extent_max = a->extent_max,
		.extent_mean = ratio(a->extent_sum, measured),
		.extent_beyond = a->extent_beyond,
		.reorder_late_max = a->late_max_ns,
		.reorder_late_mean = ratio(a->late_sum_ns, measured),
		.duplicates = a->duplicates,
		.negative = a->negative,
		.negative_min = a->negative_min,
	};
}

void hs_point_values(const struct hs_report *r, unsigned int id,
		     struct hs_point_values *v)
{
	static const struct hs_counters none;
	const struct hs_counters *c = r->counters ? &r->counters[id] : &none;

	*v = (struct hs_point_values){
		.seen = c->seen,
		.parse_errors = c->parse_errors,
		.filtered = c->filtered,
		.sampled_out = c->sampled_out,
		.sampled = c->sampled,
		.recorded = c->recorded,
		.ringbuf_drops = c->ringbuf_drops,
		.duplicates = r->match ? r->match->point_duplicates[id] : 0,
	};
}

void hs_pipeline_values(const struct hs_report *r, struct hs_pipeline_values *v)
{
	const struct hs_match_counters *m = r->match;
	const struct hs_session_counters *s = r->session;
	const struct hs_hops *h = r->hops;

	memset(v, 0, sizeof(*v));
	if (m) {
		v->records = m->records;
		v->trajectories = m->trajectories;
		v->unmatched = m->singletons;
		v->evicted = m->evicted;
		v->duplicates = m->duplicates;
		v->overflow = m->overflow;
		v->warmup = m->warmup;
		v->at_end = m->at_end;
		v->nat_joined = m->nat_joined;
		v->nat_ambiguous = m->nat_ambiguous;
		v->nat_contradicted = m->nat_contradicted;
	}
	if (h) {
		v->unverified = h->unverified;
		v->hops_overflow = h->hops_overflow;
		v->paths_overflow = h->paths_overflow;
		v->segments_overflow = h->segments_overflow;
		v->flows_replaced = h->flows_replaced;
	}
	if (s) {
		v->left_out_warmup = s->left_out_warmup;
		v->left_out_cooldown = s->left_out_cooldown;
		v->cooldown_overflow = s->cooldown_overflow;
		v->bad_records = s->bad_records;
	}
}

void hs_cost_values(const struct hs_hook_cost *c, struct hs_cost_values *v)
{
	*v = (struct hs_cost_values){
		.points = c->points,
		.packets = c->runs,
		.run_time_ns = c->ns,
		.ns_per_packet = ratio(c->ns, c->runs),
	};
}

void hs_fit_run_values(const struct hs_fit_run *r, struct hs_fit_run_values *v)
{
	memset(v, 0, sizeof(*v));
	v->functions = r->functions;
	v->packets = r->packets;
	memcpy(v->value, r->value, sizeof(v->value));
}

void hs_fit_values(const struct hs_fit *f, struct hs_fit_values *v)
{
	*v = (struct hs_fit_values){
		.runs = f->n,
		.slope = f->slope,
		.intercept = f->intercept,
		.r2 = f->r2,
	};
}

/* ---- the tables ---- */

/* The tables are laid out by hand, a row a field, so they read as tables:
 * clang-format would put every member on a line of its own. */
/* clang-format off */

/* Where a field goes in each output: position and name there. */
#define JSON(at, key) [HS_OUT_JSON] = { at, key, 0 }
#define CSV(at, column) [HS_OUT_CSV] = { at, column, 0 }
#define TABLE(at, header, width) [HS_OUT_TABLE] = { at, header, width, 0 }
/* a real number with a fixed number of decimals */
#define TABLE_FIXED(at, header, width, decimals) \
	[HS_OUT_TABLE] = { at, header, width, decimals }
#define PROM(at, name) [HS_OUT_PROM] = { at, name, 0 }

#define LEG(field) offsetof(struct hs_leg_values, field)

/* The Prometheus families that hold several of a leg's fields; the
 * delay histogram, made from the histogram itself, is prom.c's. */
static const struct hs_prom_family quantiles = {
	"delay_quantile_seconds", "gauge",
	"delay quantiles within 1% (0 is the minimum, 1 the maximum)",
	"quantile", LEG(packets)
};
static const struct hs_prom_family jitter = {
	"jitter_seconds", "gauge",
	"RFC 3550 interarrival jitter J: its last, mean and highest value",
	"stat", LEG(jitter_n) /* J needs two packets */
};
static const struct hs_prom_family lateness = {
	"lateness_seconds", "gauge",
	"lateness, delay minus the minimum delay: max, mean and stdev", "stat",
	LEG(packets)
};

/*
 * A row: the field's name, unit and help; where it lies and its type;
 * flags; the JSON object it sits in; its Prometheus family (NULL: its
 * own). Then where each output puts it: position and name there.
 */
static const struct hs_field leg_rows[] = {
	{ "packets", "packets", "packets whose delay was measured",
	  LEG(packets), HS_FIELD_COUNT, 0, NULL, NULL,
	  { JSON(1, "packets"), CSV(1, "packets"), TABLE(1, "pkts", 8),
	    PROM(13, "packets_total") } },
	{ "delay.min", "ns", "the smallest delay", LEG(min), HS_FIELD_NS, 0,
	  "delay_ns", &quantiles,
	  { JSON(2, "min"), CSV(2, "min_ns"), TABLE(2, "min", 8),
	    PROM(1, "0") } },
	{ "delay.max", "ns", "the largest delay", LEG(max), HS_FIELD_NS, 0,
	  "delay_ns", &quantiles,
	  { JSON(3, "max"), CSV(7, "max_ns"), TABLE(5, "max", 8),
	    PROM(6, "1") } },
	{ "delay.mean", "ns", "the mean delay", LEG(mean), HS_FIELD_NS_REAL, 0,
	  "delay_ns", NULL,
	  { JSON(4, "mean"), CSV(8, "mean_ns"), TABLE(6, "mean", 8) } },
	{ "delay.stdev", "ns", "the delay's standard deviation", LEG(stdev),
	  HS_FIELD_NS_REAL, 0, "delay_ns", NULL,
	  { JSON(5, "stdev"), CSV(9, "stdev_ns") } },
	{ "delay.p50", "ns", "the median delay, within 1%", LEG(p50),
	  HS_FIELD_NS, 0, "delay_ns", &quantiles,
	  { JSON(6, "p50"), CSV(3, "p50_ns"), TABLE(3, "p50", 8),
	    PROM(2, "0.5") } },
	{ "delay.p90", "ns", "the 90th percentile of delay, within 1%",
	  LEG(p90), HS_FIELD_NS, 0, "delay_ns", &quantiles,
	  { JSON(7, "p90"), CSV(4, "p90_ns"), PROM(3, "0.9") } },
	{ "delay.p99", "ns", "the 99th percentile of delay, within 1%",
	  LEG(p99), HS_FIELD_NS, 0, "delay_ns", &quantiles,
	  { JSON(8, "p99"), CSV(5, "p99_ns"), TABLE(4, "p99", 8),
	    PROM(4, "0.99") } },
	{ "delay.p999", "ns", "the 99.9th percentile of delay, within 1%",
	  LEG(p999), HS_FIELD_NS, 0, "delay_ns", &quantiles,
	  { JSON(9, "p999"), CSV(6, "p999_ns"), PROM(5, "0.999") } },
	{ "jitter.last", "ns", "RFC 3550 jitter J after the last packet",
	  LEG(jitter_last), HS_FIELD_NS_REAL, 0, "jitter_ns", &jitter,
	  { JSON(10, "last"), PROM(7, "last") } },
	{ "jitter.mean", "ns", "RFC 3550 jitter J, its mean over the packets",
	  LEG(jitter_mean), HS_FIELD_NS_REAL, 0, "jitter_ns", &jitter,
	  { JSON(11, "mean"), CSV(10, "jitter_mean_ns"),
	    TABLE(7, "jitter", 8), PROM(8, "mean") } },
	{ "jitter.max", "ns", "RFC 3550 jitter J, its highest value",
	  LEG(jitter_max), HS_FIELD_NS_REAL, 0, "jitter_ns", &jitter,
	  { JSON(12, "max"), CSV(11, "jitter_max_ns"), PROM(9, "max") } },
	{ "jitter.min", "ns", "RFC 3550 jitter J, its lowest value",
	  LEG(jitter_min), HS_FIELD_NS_REAL, 0, "jitter_ns", NULL,
	  { JSON(13, "min") } },
	{ "jitter.stdev", "ns",
	  "RFC 3550 jitter J, its standard deviation over the packets",
	  LEG(jitter_stdev), HS_FIELD_NS_REAL, 0, "jitter_ns", NULL,
	  { JSON(14, "stdev") } },
	{ "jitter.ipdv_p50", "ns",
	  "the median |D| of consecutive packets (IPDV), within 1%",
	  LEG(ipdv_p50), HS_FIELD_NS, 0, "jitter_ns", NULL,
	  { JSON(15, "ipdv_p50"), CSV(12, "ipdv_p50_ns") } },
	{ "jitter.ipdv_p99", "ns", "the 99th percentile of |D| (IPDV)",
	  LEG(ipdv_p99), HS_FIELD_NS, 0, "jitter_ns", NULL,
	  { JSON(16, "ipdv_p99"), CSV(13, "ipdv_p99_ns") } },
	{ "lateness.max", "ns", "the largest delay minus the smallest",
	  LEG(late_max), HS_FIELD_NS, 0, "lateness_ns", &lateness,
	  { JSON(17, "max"), CSV(14, "late_max_ns"), TABLE(8, "late.max", 8),
	    PROM(10, "max") } },
	{ "lateness.mean", "ns", "the mean delay minus the smallest",
	  LEG(late_mean), HS_FIELD_NS_REAL, 0, "lateness_ns", &lateness,
	  { JSON(18, "mean"), CSV(15, "late_mean_ns"),
	    TABLE(9, "late.avg", 8), PROM(11, "mean") } },
	{ "lateness.stdev", "ns", "the lateness's standard deviation",
	  LEG(late_stdev), HS_FIELD_NS_REAL, 0, "lateness_ns", &lateness,
	  { JSON(19, "stdev"), CSV(16, "late_stdev_ns"), PROM(12, "stdev") } },
	{ "lost", "packets",
	  "packets seen at its first point and never at its second: where the topology allows one way on, or where their flow went before", LEG(lost),
	  HS_FIELD_COUNT, 0, NULL, NULL,
	  { JSON(20, "lost"), CSV(17, "lost"), TABLE(10, "lost", 6),
	    PROM(14, "lost_total") } },
	{ "reordered", "packets", "RFC 4737 reordered arrivals at its last point",
	  LEG(reordered), HS_FIELD_COUNT, 0, NULL, NULL,
	  { JSON(21, "reordered"), CSV(18, "reordered"), TABLE(11, "reord", 6),
	    PROM(15, "reordered_total") } },
	{ "reordered_ratio", "", "reordered arrivals over all arrivals",
	  LEG(reordered_ratio), HS_FIELD_REAL, 0, NULL, NULL,
	  { JSON(22, "reordered_ratio"), CSV(19, "reordered_ratio") } },
	{ "reorder_extent.max", "packets",
	  "RFC 4737 extent: the most packets that arrived between a late one's first overtaker and itself",
	  LEG(extent_max), HS_FIELD_COUNT, 0, "reorder_extent", NULL,
	  { JSON(23, "max"), CSV(20, "reorder_extent_max") } },
	{ "reorder_extent.mean", "packets", "the mean extent",
	  LEG(extent_mean), HS_FIELD_REAL, 0, "reorder_extent", NULL,
	  { JSON(24, "mean") } },
	{ "reorder_extent.beyond", "packets",
	  "reordered further back than the 1024 arrivals remembered (no extent)",
	  LEG(extent_beyond), HS_FIELD_COUNT, 0, "reorder_extent", NULL,
	  { JSON(25, "beyond") } },
	{ "reorder_late_ns.max", "ns",
	  "the most a reordered packet arrived after its first overtaker",
	  LEG(reorder_late_max), HS_FIELD_NS, 0, "reorder_late_ns", NULL,
	  { JSON(26, "max") } },
	{ "reorder_late_ns.mean", "ns", "the mean of that",
	  LEG(reorder_late_mean), HS_FIELD_NS_REAL, 0, "reorder_late_ns", NULL,
	  { JSON(27, "mean") } },
	{ "duplicates", "packets", "copies of packets made on the way",
	  LEG(duplicates), HS_FIELD_COUNT, 0, NULL, NULL,
	  { JSON(28, "duplicates"), CSV(21, "duplicates"),
	    PROM(16, "duplicates_total") } },
	{ "negative_delays", "packets",
	  "delays below zero (two hosts' clocks joined), counted as 0",
	  LEG(negative), HS_FIELD_COUNT, HS_FIELD_IF_NONZERO, NULL, NULL,
	  { JSON(29, "negative_delays"), PROM(17, "negative_delays_total") } },
	{ "negative_min_ns", "ns", "the lowest of them", LEG(negative_min),
	  HS_FIELD_NS_SIGNED, HS_FIELD_IF_NONZERO, NULL, NULL,
	  { JSON(30, "negative_min_ns") } },
};

const struct hs_field_table hs_leg_fields = { leg_rows, ARRAY_SIZE(leg_rows) };

#define POINT(field) offsetof(struct hs_point_values, field)

static const struct hs_field point_rows[] = {
	{ "seen", "packets", "packets the probe ran on", POINT(seen),
	  HS_FIELD_COUNT, 0, NULL, NULL,
	  { JSON(1, "seen"), TABLE(1, "seen", 0), PROM(1, "seen_total") } },
	{ "filtered", "packets", "packets the filter left out",
	  POINT(filtered), HS_FIELD_COUNT, 0, NULL, NULL,
	  { JSON(2, "filtered"), TABLE(2, "filtered", 0),
	    PROM(2, "filtered_total") } },
	{ "sampled_out", "packets", "packets sampling left out",
	  POINT(sampled_out), HS_FIELD_COUNT, 0, NULL, NULL,
	  { JSON(3, "sampled_out"), PROM(4, "sampled_out_total") } },
	{ "sampled", "packets", "packets sampled", POINT(sampled),
	  HS_FIELD_COUNT, 0, NULL, NULL,
	  { JSON(4, "sampled"), TABLE(3, "sampled", 0),
	    PROM(5, "sampled_total") } },
	{ "recorded", "records", "records put in the ring buffer",
	  POINT(recorded), HS_FIELD_COUNT, 0, NULL, NULL,
	  { JSON(5, "recorded"), TABLE(4, "recorded", 0),
	    PROM(6, "recorded_total") } },
	{ "ringbuf_drops", "records",
	  "records lost to a full ring buffer (never counted as packet loss)",
	  POINT(ringbuf_drops), HS_FIELD_COUNT, 0, NULL, NULL,
	  { JSON(6, "ringbuf_drops"), TABLE(5, "ringbuf drops", 0),
	    PROM(7, "ringbuf_drops_total") } },
	{ "parse_errors", "packets", "packets it could not parse",
	  POINT(parse_errors), HS_FIELD_COUNT, 0, NULL, NULL,
	  { JSON(7, "parse_errors"), TABLE(6, "parse errors", 0),
	    PROM(3, "parse_errors_total") } },
	{ "duplicates", "sightings", "second sightings of one packet here",
	  POINT(duplicates), HS_FIELD_COUNT, HS_FIELD_FROM_MATCH, NULL, NULL,
	  { JSON(8, "duplicates"), PROM(8, "duplicates_total") } },
};

const struct hs_field_table hs_point_fields = { point_rows,
						ARRAY_SIZE(point_rows) };

#define PIPE(field) offsetof(struct hs_pipeline_values, field)
/* A pipeline counter: JSON key and Prometheus name agree. */
#define PIPE_ROW(field, unit, from, help, json, table)                     \
	{ #field, unit, help, PIPE(field), HS_FIELD_COUNT, from, NULL, NULL,  \
	  { JSON(json, #field), TABLE(table, #field, 0),                      \
	    PROM(json, #field "_total") } }

static const struct hs_field pipeline_rows[] = {
	PIPE_ROW(records, "records", HS_FIELD_FROM_MATCH, "sightings matched",
		 1, 0),
	PIPE_ROW(trajectories, "packets", HS_FIELD_FROM_MATCH,
		 "trajectories made", 2, 1),
	PIPE_ROW(unmatched, "packets", HS_FIELD_FROM_MATCH,
		 "trajectories of one sighting: no hop", 3, 2),
	PIPE_ROW(evicted, "packets", HS_FIELD_FROM_MATCH,
		 "trajectories cut short by a full match table", 4, 3),
	PIPE_ROW(duplicates, "sightings", HS_FIELD_FROM_MATCH,
		 "second sightings of a packet at one point", 5, 4),
	PIPE_ROW(overflow, "sightings", HS_FIELD_FROM_MATCH,
		 "sightings past the most one trajectory holds", 6, 0),
	PIPE_ROW(warmup, "records", HS_FIELD_FROM_MATCH,
		 "records from before the probes were all attached", 7, 0),
	PIPE_ROW(at_end, "packets", HS_FIELD_FROM_MATCH,
		 "trajectories still open when the run ended", 8, 0),
	PIPE_ROW(unverified, "packets", HS_FIELD_FROM_HOPS,
		 "stopped packets whose next record was dropped", 9, 5),
	PIPE_ROW(hops_overflow, "hops", HS_FIELD_FROM_HOPS,
		 "hop pairs past the hop table", 10, 0),
	PIPE_ROW(paths_overflow, "paths", HS_FIELD_FROM_HOPS,
		 "paths past the path table", 11, 0),
	PIPE_ROW(segments_overflow, "paths", HS_FIELD_FROM_HOPS,
		 "paths left without a breakdown", 12, 0),
	PIPE_ROW(flows_replaced, "flows", HS_FIELD_FROM_HOPS,
		 "flow table slots taken over", 13, 0),
	PIPE_ROW(left_out_warmup, "packets", HS_FIELD_FROM_SESSION,
		 "trajectories left out by --warmup", 14, 0),
	PIPE_ROW(left_out_cooldown, "packets", HS_FIELD_FROM_SESSION,
		 "trajectories left out by --cooldown", 15, 0),
	PIPE_ROW(cooldown_overflow, "packets", HS_FIELD_FROM_SESSION,
		 "trajectories folded early: queue full", 16, 0),
	PIPE_ROW(bad_records, "records", HS_FIELD_FROM_SESSION,
		 "malformed ring-buffer records", 17, 0),
	PIPE_ROW(nat_joined, "records", HS_FIELD_FROM_MATCH,
		 "records matched past a NAT by their NAT key", 18, 0),
	PIPE_ROW(nat_ambiguous, "records", HS_FIELD_FROM_MATCH,
		 "NAT matches refused: two packets alike could be it", 19, 0),
	PIPE_ROW(nat_contradicted, "candidates", HS_FIELD_FROM_MATCH,
		 "NAT matches a flow learned to go elsewhere kept out", 20, 0),
};

const struct hs_field_table hs_pipeline_fields = { pipeline_rows,
						   ARRAY_SIZE(pipeline_rows) };

#define SHARE(field) offsetof(struct hs_hop_share, field)

static const struct hs_field share_rows[] = {
	{ "packets", "packets", "packets of the path measured on the hop",
	  SHARE(packets), HS_FIELD_COUNT, 0, NULL, NULL,
	  { JSON(1, "packets") } },
	{ "mean_ns", "ns", "the hop's mean delay over the path's packets",
	  SHARE(mean_ns), HS_FIELD_NS_REAL, 0, NULL, NULL,
	  { JSON(2, "mean_ns") } },
	{ "p99_ns", "ns", "its 99th percentile", SHARE(p99_ns),
	  HS_FIELD_NS_REAL, 0, NULL, NULL, { JSON(3, "p99_ns") } },
	{ "jitter_ns", "ns", "its mean RFC 3550 jitter", SHARE(jitter_ns),
	  HS_FIELD_NS_REAL, 0, NULL, NULL, { JSON(4, "jitter_ns") } },
	{ "mean_share", "", "its mean over the sum of the hops' means",
	  SHARE(mean_share), HS_FIELD_SHARE, 0, NULL, NULL,
	  { JSON(5, "mean_share"), CSV(1, "mean_share"),
	    TABLE(1, "mean", 5) } },
	{ "p99_share", "", "its p99 over the sum of the hops' p99s",
	  SHARE(p99_share), HS_FIELD_SHARE, 0, NULL, NULL,
	  { JSON(6, "p99_share"), CSV(2, "p99_share"), TABLE(2, "p99", 5) } },
	{ "jitter_share", "", "its jitter over the sum of the hops' jitters",
	  SHARE(jitter_share), HS_FIELD_SHARE, 0, NULL, NULL,
	  { JSON(7, "jitter_share"), CSV(3, "jitter_share"),
	    TABLE(3, "jitter", 6) } },
	{ "lost", "packets", "the path's packets lost on the hop",
	  SHARE(lost), HS_FIELD_COUNT, 0, NULL, NULL, { JSON(8, "lost") } },
};

const struct hs_field_table hs_share_fields = { share_rows,
						ARRAY_SIZE(share_rows) };

#define COST(field) offsetof(struct hs_cost_values, field)

static const struct hs_field cost_rows[] = {
	{ "points", "points", "points whose probes at this hook the kernel timed",
	  COST(points), HS_FIELD_COUNT, 0, NULL, NULL, { JSON(1, "points") } },
	{ "packets", "packets", "packets they ran on while timed",
	  COST(packets), HS_FIELD_COUNT, 0, NULL, NULL, { JSON(2, "packets") } },
	{ "run_time_ns", "ns", "the time they took", COST(run_time_ns),
	  HS_FIELD_NS, 0, NULL, NULL, { JSON(3, "run_time_ns") } },
	{ "ns_per_packet", "ns", "what one packet cost at this hook",
	  COST(ns_per_packet), HS_FIELD_NS_REAL, 0, NULL, NULL,
	  { JSON(4, "ns_per_packet") } },
};

const struct hs_field_table hs_cost_fields = { cost_rows, ARRAY_SIZE(cost_rows) };

#define CLOCK(field) offsetof(struct hs_join_clock, field)

static const struct hs_field clock_rows[] = {
	{ "offset_ns", "ns", "host B's clock minus host A's, as joined",
	  CLOCK(offset_ns), HS_FIELD_NS_SIGNED, 0, NULL, NULL,
	  { JSON(1, "offset_ns") } },
	{ "uncertainty_ns", "ns",
	  "+- on every delay between the hosts; -1: unknown",
	  CLOCK(uncertainty_ns), HS_FIELD_NS_SIGNED, 0, NULL, NULL,
	  { JSON(2, "uncertainty_ns") } },
	{ "packets_ab", "packets", "packets seen crossing from A to B",
	  CLOCK(packets_ab), HS_FIELD_COUNT, 0, NULL, NULL,
	  { JSON(3, "packets_ab") } },
	{ "packets_ba", "packets", "packets seen crossing from B to A",
	  CLOCK(packets_ba), HS_FIELD_COUNT, 0, NULL, NULL,
	  { JSON(4, "packets_ba") } },
};

const struct hs_field_table hs_clock_fields = { clock_rows,
						ARRAY_SIZE(clock_rows) };

#define FIT_RUN(field) offsetof(struct hs_fit_run_values, field)
/* A fitted value of a run; its row names the metric in the "fit" lines
 * (JSON name) and the fit's table (name). */
#define FITTED(m, metric, help, json, at, head)                          \
	{ metric, "ns", help, FIT_RUN(value[m]), HS_FIELD_NS_REAL, 0, NULL,   \
	  NULL, { JSON(at, json), TABLE_FIXED(at, head, 10, 2) } }

static const struct hs_field fit_run_rows[] = {
	{ "functions", "functions", "network functions on the run's main path",
	  FIT_RUN(functions), HS_FIELD_COUNT, 0, NULL, NULL,
	  { JSON(1, "functions"), TABLE(1, "functions", 9) } },
	{ "packets", "packets", "packets on the run's main path",
	  FIT_RUN(packets), HS_FIELD_COUNT, 0, NULL, NULL,
	  { JSON(2, "packets"), TABLE(2, "packets", 9) } },
	FITTED(HS_FIT_DELAY_MEAN, "delay_mean", "the main path's mean delay",
	       "delay_mean_ns", 3, "mean"),
	FITTED(HS_FIT_DELAY_P50, "delay_p50", "its median delay",
	       "delay_p50_ns", 4, "p50"),
	FITTED(HS_FIT_DELAY_P99, "delay_p99", "its 99th percentile of delay",
	       "delay_p99_ns", 5, "p99"),
	FITTED(HS_FIT_JITTER_MEAN, "jitter_mean", "its mean RFC 3550 jitter",
	       "jitter_mean_ns", 6, "jitter"),
	FITTED(HS_FIT_LATENESS_MEAN, "lateness_mean", "its mean lateness",
	       "lateness_mean_ns", 7, "late.avg"),
};

const struct hs_field_table hs_fit_run_fields = { fit_run_rows,
						  ARRAY_SIZE(fit_run_rows) };

#define FIT(field) offsetof(struct hs_fit_values, field)

static const struct hs_field fit_rows[] = {
	{ "runs", "runs", "runs fitted", FIT(runs), HS_FIELD_COUNT, 0, NULL,
	  NULL, { JSON(1, "runs") } },
	{ "slope", "ns", "least-squares slope: more per network function",
	  FIT(slope), HS_FIELD_REAL, 0, NULL, NULL,
	  { JSON(2, "slope_ns"), TABLE_FIXED(1, "slope/function us", 18, 3) } },
	{ "intercept", "ns", "the line's value at no function", FIT(intercept),
	  HS_FIELD_REAL, 0, NULL, NULL,
	  { JSON(3, "intercept_ns"), TABLE_FIXED(2, "intercept us", 14, 3) } },
	{ "r2", "", "coefficient of determination (1: on the line)", FIT(r2),
	  HS_FIELD_REAL, 0, NULL, NULL,
	  { JSON(4, "r2"), TABLE_FIXED(3, "R^2", 8, 4) } },
};

const struct hs_field_table hs_fit_fields = { fit_rows, ARRAY_SIZE(fit_rows) };

/* clang-format on */

/* ---- reading them ---- */

const struct hs_field *hs_fit_metric_field(enum hs_fit_metric m)
{
	size_t off = offsetof(struct hs_fit_run_values, value) +
		     (size_t)m * sizeof(double);
	unsigned int i;

	for (i = 0; i < hs_fit_run_fields.n; i++)
		if (hs_fit_run_fields.rows[i].off == off)
			return &hs_fit_run_fields.rows[i];
	return NULL;
}

unsigned int hs_fields_in(const struct hs_field_table *t,
			  enum hs_output_kind output, unsigned int *order)
{
	unsigned int i, n = 0, at;

	/* positions are 1..n without gaps (a unit test holds them to it):
	 * each finds its row */
	for (at = 1;; at++) {
		for (i = 0; i < t->n; i++)
			if (t->rows[i].place[output].at == at)
				break;
		if (i == t->n)
			return n;
		order[n++] = i;
	}
}

double hs_field_value(const struct hs_field *f, const void *base)
{
	switch (f->type) {
	case HS_FIELD_COUNT:
	case HS_FIELD_NS:
		return (double)hs_field_u64(f, base);
	case HS_FIELD_NS_SIGNED:
		return (double)hs_field_i64(f, base);
	case HS_FIELD_NS_REAL:
	case HS_FIELD_REAL:
	case HS_FIELD_SHARE:
		break;
	}
	return hs_field_real(f, base);
}

bool hs_field_is_zero(const struct hs_field *f, const void *base)
{
	return hs_field_value(f, base) == 0;
}

/* ---- the collector's health ---- */

/* clang-format off */
#define HEALTH(field) offsetof(struct hs_health_values, field)
/* A row of /healthz (JSON key) and of the exposition (after "hopscope_"):
 * a name ending in _total is a counter, any other a gauge (prom.c). */
#define HEALTH_ROW(field, unit, type, help, json, prom_at, prom)        \
	{ #field, unit, help, HEALTH(field), type, 0, NULL, NULL,          \
	  { JSON(json, #field), PROM(prom_at, prom) } }

static const struct hs_field health_rows[] = {
	{ "healthy", "", "1 when /healthz answers ok (200), else 0",
	  HEALTH(healthy), HS_FIELD_COUNT, 0, NULL, NULL,
	  { PROM(1, "healthy") } },
	HEALTH_ROW(probes_attached, "points", HS_FIELD_COUNT,
		   "points whose probe is attached and whose interface is up",
		   1, 2, "probes_attached"),
	HEALTH_ROW(probes, "points", HS_FIELD_COUNT, "points of the run", 2, 3,
		   "probes"),
	HEALTH_ROW(ringbuf_drops, "records", HS_FIELD_COUNT,
		   "records lost to a full ring buffer, all points", 3, 4,
		   "pipeline_ringbuf_drops_total"),
	{ "bad_records", "records", "malformed ring-buffer records",
	  HEALTH(bad_records), HS_FIELD_COUNT, 0, NULL, NULL,
	  { JSON(4, "bad_records") } },
	HEALTH_ROW(records_lost, "records", HS_FIELD_COUNT,
		   "records that never reached the statistics: ring-buffer drops and bad records",
		   5, 5, "pipeline_records_lost_total"),
	HEALTH_ROW(records_read, "records", HS_FIELD_COUNT,
		   "records drained from the ring buffer", 6, 6,
		   "pipeline_records_read_total"),
	HEALTH_ROW(drains, "drains", HS_FIELD_COUNT,
		   "times the collector drained the ring buffer", 7, 7,
		   "pipeline_drains_total"),
	HEALTH_ROW(last_drain_age_s, "s", HS_FIELD_REAL,
		   "seconds since the collector last drained the ring buffer",
		   8, 8, "pipeline_last_drain_age_seconds"),
	HEALTH_ROW(inflight, "packets", HS_FIELD_COUNT,
		   "trajectories open in the match table", 9, 9,
		   "pipeline_inflight"),
	HEALTH_ROW(inflight_max, "packets", HS_FIELD_COUNT,
		   "the match table's capacity (--max-inflight)", 10, 10,
		   "pipeline_inflight_max"),
	HEALTH_ROW(record_parts, "files", HS_FIELD_COUNT,
		   "record file parts started (--write)", 11, 11,
		   "record_parts_total"),
	HEALTH_ROW(record_parts_deleted, "files", HS_FIELD_COUNT,
		   "old parts --keep deleted", 12, 12,
		   "record_parts_deleted_total"),
	HEALTH_ROW(record_dir_bytes, "bytes", HS_FIELD_COUNT,
		   "what hopscope's parts in --write DIR hold", 13, 13,
		   "record_dir_bytes"),
	HEALTH_ROW(heap_bytes, "bytes", HS_FIELD_COUNT,
		   "memory malloc has handed out and not had back", 14, 14,
		   "heap_bytes"),
};

/* clang-format on */

const struct hs_field_table hs_health_fields = { health_rows,
						 ARRAY_SIZE(health_rows) };
