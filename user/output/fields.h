/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * fields.h - every number hopscope reports, once: one table per
 * statistics struct, each row a field with its name, unit, help, where it
 * lies, how it prints, and where each output puts it. The JSON lines, the
 * CSV columns, the Prometheus exposition and the text table are all
 * written by walking these tables, so adding a metric is adding a row.
 *
 * The tables read flat views of the statistics (struct hs_leg_values and
 * the others below), filled once per leg, point or report from what the
 * analysis keeps. Each output takes the rows in its own order: the
 * position a row gives for that output (1, 2, ...; 0: not there). The
 * orders differ because the outputs' formats were fixed before the tables
 * existed (JSON nests the delay as min, max, mean, ...; CSV and the table
 * run min, p50, ..., max), and they stay byte for byte.
 */
#ifndef HS_FIELDS_H
#define HS_FIELDS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "analysis/breakdown.h"
#include "analysis/fit.h"
#include "analysis/join_clock.h"
#include "analysis/report.h"

/* How a value is stored and printed. */
enum hs_field_type {
	HS_FIELD_COUNT, /* uint64_t: packets, events */
	HS_FIELD_NS, /* uint64_t nanoseconds */
	HS_FIELD_NS_REAL, /* double nanoseconds (a mean): printed whole */
	HS_FIELD_NS_SIGNED, /* int64_t nanoseconds */
	HS_FIELD_REAL, /* double: JSON 4 decimals, CSV 6 */
	HS_FIELD_SHARE, /* double, a fraction of 1: 4 decimals, table % */
};

/* The outputs a field can appear in. */
enum hs_output_kind {
	HS_OUT_JSON,
	HS_OUT_CSV,
	HS_OUT_TABLE,
	HS_OUT_PROM,
	HS_OUT_KINDS,
};

/* hs_field.flags */
#define HS_FIELD_IF_NONZERO (1u << 0) /* JSON leaves it out when 0 */
/* the report part a pipeline field comes from: when the report lacks
 * it, the exposition leaves the field out */
#define HS_FIELD_FROM_MATCH (1u << 1)
#define HS_FIELD_FROM_HOPS (1u << 2)
#define HS_FIELD_FROM_SESSION (1u << 3)

/* Where a field appears in one output. */
struct hs_field_place {
	unsigned int at; /* position in that output, 1 on; 0: not there */
	const char *name; /* its name there (JSON key, CSV column, table
			   * header, Prometheus name or label value) */
	int width; /* the table's column width */
	/* the table's decimals for a real number (in us when its unit is
	 * "ns"); 0: as few as the value needs (table.c's fmt_us) */
	int decimals;
};

/* A group of JSON keys in one object, or of Prometheus samples in one
 * family told apart by a label. */
struct hs_prom_family {
	const char *name; /* after "hopscope_hop_" or "hopscope_path_" */
	const char *type; /* "gauge", "counter" */
	const char *help;
	const char *label; /* the key of the label telling samples apart */
	/* a leg whose value here is 0 has nothing to say in this family */
	size_t present_off;
};

struct hs_field {
	const char *name; /* for the documentation: "delay.p50" */
	const char *unit; /* "ns", "packets", "" */
	const char *help;
	size_t off; /* in the values struct */
	enum hs_field_type type;
	unsigned int flags; /* HS_FIELD_* */
	const char *json_group; /* the JSON object it sits in; NULL: the line */
	/* a family of hs_leg_families; NULL: a family of its own, named
	 * place[HS_OUT_PROM].name, typed counter, helped by help */
	const struct hs_prom_family *prom_family;
	struct hs_field_place place[HS_OUT_KINDS];
};

/* ---- the flat views ---- */

/* Everything a hop, a path or a segment reports (struct hs_acc). */
struct hs_leg_values {
	uint64_t packets; /* delays measured */
	uint64_t min, p50, p90, p99, p999, max;
	double mean, stdev;
	uint64_t jitter_n; /* updates of J: 0 until two packets */
	double jitter_last, jitter_mean, jitter_max, jitter_min, jitter_stdev;
	uint64_t ipdv_p50, ipdv_p99;
	uint64_t late_max;
	double late_mean, late_stdev;
	uint64_t lost, reordered;
	double reordered_ratio;
	uint64_t extent_max;
	double extent_mean;
	uint64_t extent_beyond;
	uint64_t reorder_late_max;
	double reorder_late_mean;
	uint64_t duplicates;
	uint64_t negative;
	int64_t negative_min;
};

/* One point's probe counters and the matcher's duplicates there. */
struct hs_point_values {
	uint64_t seen, parse_errors, filtered, sampled_out, sampled, recorded,
		ringbuf_drops, duplicates;
};

/* The pipeline's health: the matcher's, the hops' and the session's
 * counters. */
struct hs_pipeline_values {
	uint64_t records, trajectories, unmatched, evicted, duplicates,
		overflow, warmup, at_end;
	uint64_t unverified, hops_overflow, paths_overflow, segments_overflow,
		flows_replaced;
	uint64_t left_out_warmup, left_out_cooldown, cooldown_overflow,
		bad_records;
	uint64_t nat_joined, nat_ambiguous, nat_contradicted;
};

/* The collector as it runs: what /healthz answers and the exposition
 * adds to the report's (health.h fills and judges it). */
struct hs_health_values {
	uint64_t healthy; /* 1 or 0, health.h's verdict */
	uint64_t probes_attached; /* points measuring now */
	uint64_t probes; /* points of the run */
	uint64_t ringbuf_drops; /* the points' drops, summed */
	uint64_t bad_records;
	uint64_t records_lost; /* ringbuf_drops + bad_records */
	uint64_t records_read; /* records drained from the ring buffer */
	uint64_t drains;
	double last_drain_age_s;
	uint64_t inflight; /* trajectories open in the match table */
	uint64_t inflight_max;
	uint64_t record_parts; /* record file parts started */
	uint64_t record_parts_deleted; /* by --keep */
	uint64_t record_dir_bytes; /* hopscope's parts in --write DIR */
	/* what malloc has handed out and not had back: a leak shows here
	 * even while resident memory still grows from big zeroed tables
	 * being touched for the first time */
	uint64_t heap_bytes;
};

/* The probes' cost at one hook (struct hs_hook_cost). */
struct hs_cost_values {
	uint64_t points, packets, run_time_ns;
	double ns_per_packet;
};

/* One run of the chain-length study (struct hs_fit_run). */
struct hs_fit_run_values {
	uint64_t functions, packets;
	double value[HS_FIT_METRICS]; /* ns, by enum hs_fit_metric */
};

/* One metric's line through the runs (struct hs_fit). */
struct hs_fit_values {
	uint64_t runs;
	double slope, intercept, r2;
};

void hs_leg_values(const struct hs_acc *a, struct hs_leg_values *v);
void hs_cost_values(const struct hs_hook_cost *c, struct hs_cost_values *v);
void hs_fit_run_values(const struct hs_fit_run *r, struct hs_fit_run_values *v);
void hs_fit_values(const struct hs_fit *f, struct hs_fit_values *v);
/* Point id of r; the matcher's duplicates are 0 when r has no matcher. */
void hs_point_values(const struct hs_report *r, unsigned int id,
		     struct hs_point_values *v);
void hs_pipeline_values(const struct hs_report *r,
			struct hs_pipeline_values *v);

/* ---- the tables ---- */

/* Rows a table has at most. */
#define HS_FIELDS_MAX 64

struct hs_field_table {
	const struct hs_field *rows;
	unsigned int n;
};

/* struct hs_leg_values: hop, path and segment lines, rows and samples */
extern const struct hs_field_table hs_leg_fields;
/* struct hs_point_values: "counters" lines, point samples, the table's
 * pipeline sums */
extern const struct hs_field_table hs_point_fields;
/* struct hs_pipeline_values: "pipeline" lines and samples, the table */
extern const struct hs_field_table hs_pipeline_fields;
/* struct hs_hop_share: a path's breakdown */
extern const struct hs_field_table hs_share_fields;
/* struct hs_cost_values: "probe_cost" lines */
extern const struct hs_field_table hs_cost_fields;
/* struct hs_join_clock: the "clock" line of two hosts joined */
extern const struct hs_field_table hs_clock_fields;
/* struct hs_fit_run_values: "fit_run" lines and the study's table; the
 * rows of the fitted values name the metrics of the "fit" lines */
extern const struct hs_field_table hs_fit_run_fields;
/* struct hs_fit_values: "fit" lines and the fit's table */
extern const struct hs_field_table hs_fit_fields;
/* struct hs_health_values: /healthz and the collector's metrics */
extern const struct hs_field_table hs_health_fields;

/* The row of hs_fit_run_fields that holds metric m. */
const struct hs_field *hs_fit_metric_field(enum hs_fit_metric m);

/* The rows of t that output takes, in its order: their indices into
 * order (room for t->n); returns how many. */
unsigned int hs_fields_in(const struct hs_field_table *t,
			  enum hs_output_kind output, unsigned int *order);

/* The value of row f in the values struct at base, as read. */
static inline uint64_t hs_field_u64(const struct hs_field *f, const void *base)
{
	return *(const uint64_t *)((const char *)base + f->off);
}

static inline int64_t hs_field_i64(const struct hs_field *f, const void *base)
{
	return *(const int64_t *)((const char *)base + f->off);
}

static inline double hs_field_real(const struct hs_field *f, const void *base)
{
	return *(const double *)((const char *)base + f->off);
}

/* Any value as a double: what a unit conversion starts from. */
double hs_field_value(const struct hs_field *f, const void *base);
/* The value is 0 (any type). */
bool hs_field_is_zero(const struct hs_field *f, const void *base);

#endif /* HS_FIELDS_H */
