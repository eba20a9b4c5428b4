/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * output.h - what the user reads: a table per interval and a final summary
 * on stdout, and DESIGN.md's JSON lines ("point", "hop", "path",
 * "counters", "pipeline") to a file or stdout.
 */
#ifndef HS_OUTPUT_H
#define HS_OUTPUT_H

#include <stdbool.h>
#include <stdio.h>
#include "attach.h"
#include "hops.h"
#include "match.h"

#define HS_POINT_NAME_MAX 192

struct hs_output {
	FILE *json; /* NULL: no JSON */
	FILE *table; /* NULL: no table */
	bool json_is_stdout;
	bool failed; /* a write failed (disk full, reader gone): stop */
};

/* What one report is made of. */
struct hs_report {
	const struct hs_probes *probes;
	const struct hs_hops *hops;
	const struct hs_match_counters *match;
	bool final;
	double elapsed_s; /* since the start of the run */
	double interval_s; /* the span the interval statistics cover */
};

/* Open the JSON destination ("-" is stdout; the table then goes to
 * stderr so the two never mix). Returns 0 or -errno. */
int hs_output_open(struct hs_output *out, const char *json_path,
		   bool table);
void hs_output_close(struct hs_output *out);
/* The "point" lines and the table's list of points. */
void hs_output_points(struct hs_output *out, const struct hs_probes *p);
void hs_output_report(struct hs_output *out, const struct hs_report *r);
/* A JSON "event" line: something happened to the point's interface. */
void hs_output_event(struct hs_output *out, uint16_t point, const char *event);
/* "netns:ifname hook" of a point, for tables and messages. */
const char *hs_point_name(const struct hs_point *pt, char *buf, size_t len);

/* `hopscope topo`: a tree, JSON lines ("netns", "link") or Graphviz. */
struct hs_topo;
void hs_topo_print_text(FILE *f, const struct hs_topo *t);
void hs_topo_print_json(FILE *f, const struct hs_topo *t);
void hs_topo_print_dot(FILE *f, const struct hs_topo *t);

#endif /* HS_OUTPUT_H */
