/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * output.h - what the user reads: a table per interval and a final summary
 * on stdout, DESIGN.md's JSON lines ("point", "hop", "path", "counters",
 * "pipeline", "event") to a file or stdout, and CSV rows for spreadsheets
 * and gnuplot (csv.h).
 */
#ifndef HS_OUTPUT_H
#define HS_OUTPUT_H

#include <stdbool.h>
#include <stdio.h>
#include "hopscope.h"
#include "analysis/hops.h"
#include "analysis/match.h"
#include "analysis/points.h"

struct hs_session_counters;
struct hs_probe_cost;
struct hs_join_clock;

struct hs_output {
	FILE *json; /* NULL: no JSON */
	FILE *table; /* NULL: no table */
	FILE *csv; /* NULL: no CSV */
	bool json_is_stdout;
	bool csv_is_stdout;
	bool csv_header_done;
	unsigned int csv_reports; /* numbers CSV reports 1, 2, ... */
	bool failed; /* a write failed (disk full, reader gone): stop */
};

/* What one report is made of. */
struct hs_report {
	const struct hs_point_table *points;
	const struct hs_counters *counters; /* per point: points->n */
	const struct hs_hops *hops;
	const struct hs_match_counters *match;
	const struct hs_session_counters *session;
	const struct hs_probe_cost *cost; /* per point, or NULL */
	/* two hosts' files joined: how their clocks were aligned; NULL else */
	const struct hs_join_clock *join;
	bool final;
	double elapsed_s; /* since measuring started */
	double interval_s; /* the span the interval statistics cover */
};

/* Open the JSON and CSV destinations (NULL: none; "-" is stdout, and the
 * table then goes to stderr so the two never mix; only one of them may be
 * stdout). Returns 0 or -errno, with *which naming the failed path. */
int hs_output_open(struct hs_output *out, const char *json_path,
		   const char *csv_path, bool table, const char **which);
void hs_output_close(struct hs_output *out);
/* The "point" lines and the table's list of points. */
void hs_output_points(struct hs_output *out, const struct hs_point_table *t);
void hs_output_report(struct hs_output *out, const struct hs_report *r);
struct hs_fit_run;
struct hs_fit;
/* hopscope report --fit: the runs and a line per metric (HS_FIT_METRICS
 * fits), as a table and as JSON "fit_run" and "fit" lines. */
void hs_output_fit(struct hs_output *out, const struct hs_fit_run *runs,
		   unsigned int n, const struct hs_fit *fits);
/* A JSON "event" line: something happened to the point's interface. */
void hs_output_event(struct hs_output *out, uint16_t point, const char *event);

/* `hopscope topo`: a tree, JSON lines ("netns", "link") or Graphviz. */
struct hs_topo;
void hs_topo_print_text(FILE *f, const struct hs_topo *t);
void hs_topo_print_json(FILE *f, const struct hs_topo *t);
void hs_topo_print_dot(FILE *f, const struct hs_topo *t);

#endif /* HS_OUTPUT_H */
