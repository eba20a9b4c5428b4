/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * csv.h - reports as CSV rows (RFC 4180), for spreadsheets and gnuplot
 * (scripts/plot.sh draws from them).
 *
 * One flat table, one header line, then per report: a "hop" row per hop,
 * a "path" row per path and a "segment" row per hop of each path (the
 * path's breakdown, with each hop's share of its mean, p99 and jitter).
 * Times in nanoseconds. The columns are HS_CSV_COLUMNS, in that order.
 */
#ifndef HS_CSV_H
#define HS_CSV_H

#include <stdio.h>
#include "analysis/report.h"

#define HS_CSV_COLUMNS                                                        \
	"report,elapsed_s,final,row,path,index,from,to,from_name,to_name,"   \
	"kind,via,packets,min_ns,p50_ns,p90_ns,p99_ns,p999_ns,max_ns,"       \
	"mean_ns,stdev_ns,jitter_mean_ns,jitter_max_ns,ipdv_p50_ns,"         \
	"ipdv_p99_ns,late_max_ns,late_mean_ns,late_stdev_ns,lost,reordered," \
	"reordered_ratio,reorder_extent_max,duplicates,mean_share,p99_share," \
	"jitter_share"

/* The header line. 0, or -1 when the write failed. */
int hs_csv_header(FILE *f);
/* The rows of one report, numbered report_no (1, 2, ...). 0 or -1. */
int hs_csv_report(FILE *f, const struct hs_report *r, unsigned int report_no);

#endif /* HS_CSV_H */
