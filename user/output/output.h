/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * output.h - what the user reads of a run: a table per interval and a
 * final summary on stdout (table.h), JSON lines (json.h) and CSV rows
 * (csv.h) to a file or stdout, fed by a session through its sink.
 */
#ifndef HS_OUTPUT_H
#define HS_OUTPUT_H

#include <stdbool.h>
#include <stdio.h>
#include "analysis/fit.h"
#include "analysis/report.h"
#include "analysis/sink.h"

struct hs_output {
	FILE *json; /* NULL: no JSON */
	FILE *table; /* NULL: no table */
	FILE *csv; /* NULL: no CSV */
	bool json_is_stdout;
	bool csv_is_stdout;
	bool csv_header_done;
	unsigned int csv_reports; /* numbers CSV reports 1, 2, ... */
	bool failed; /* a write failed (disk full, reader gone): stop */
	const char *json_path, *csv_path; /* for hs_output_reopen */
	/* the session's point table, once measuring started (the point
	 * lines a reopened JSON file starts with) */
	const struct hs_point_table *points;
};

/* Open the JSON and CSV destinations (NULL: none; "-" is stdout, and the
 * table then goes to stderr so the two never mix; only one of them may be
 * stdout). Returns 0 or -errno, with *which naming the failed path. */
int hs_output_open(struct hs_output *out, const char *json_path,
		   const char *csv_path, bool table, const char **which);
void hs_output_close(struct hs_output *out);
/* SIGHUP (log rotation): open the JSON and CSV files again at their paths
 * (not stdout, nor a FIFO or a device), appending; a file that starts empty gets the point lines
 * (JSON) or the header (CSV) first, so it reads on its own. A path that
 * cannot be opened keeps its old stream: -errno, *which naming it. */
int hs_output_reopen(struct hs_output *out, const char **which);
/* A sink that prints a session's point lines (and the table's list of
 * points), its interface events (JSON "event" lines) and its reports. */
void hs_output_sink(struct hs_output *out, struct hs_sink *sink);
/* hopscope report --fit: the runs and a line per metric (HS_FIT_METRICS
 * fits), as a table and as JSON "fit_run" and "fit" lines. */
void hs_output_fit(struct hs_output *out, const struct hs_fit_run *runs,
		   unsigned int n, const struct hs_fit *fits);

#endif /* HS_OUTPUT_H */
