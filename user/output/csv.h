/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * csv.h - reports as CSV rows (RFC 4180), for spreadsheets and gnuplot
 * (scripts/plot.sh draws from them).
 *
 * One flat table, one header line, then per report: a "hop" row per hop,
 * a "path" row per path and a "segment" row per hop of each path (the
 * path's breakdown, with each hop's share of its mean, p99 and jitter).
 * Times in nanoseconds. The columns: what the row is (report, elapsed_s,
 * final, row, path, index, from, to, from_name, to_name, kind, via), then
 * the measurements in the CSV order of fields.h's leg table, then a
 * segment's shares (docs/output.md lists them all).
 */
#ifndef HS_CSV_H
#define HS_CSV_H

#include <stdio.h>
#include "analysis/report.h"

/* The header line. 0, or -1 when the write failed. */
int hs_csv_header(FILE *f);
/* The rows of one report, numbered report_no (1, 2, ...). 0 or -1. */
int hs_csv_report(FILE *f, const struct hs_report *r, unsigned int report_no);

#endif /* HS_CSV_H */
