/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * table.h - reports as text for people: a table per interval and the
 * final summary (times in microseconds), the list of points measured, and
 * the chain-length fit.
 */
#ifndef HS_TABLE_H
#define HS_TABLE_H

#include <stdio.h>
#include "analysis/fit.h"
#include "analysis/report.h"

/* "point  3  vnf1:eth1 tc-egress", one line per point measured. */
void hs_table_points(FILE *f, const struct hs_point_table *t);
/* The same line for one point (added mid-run); skipped or absent: none. */
void hs_table_point(FILE *f, const struct hs_point_table *t, uint16_t id);
void hs_table_report(FILE *f, const struct hs_report *r);
void hs_table_fit(FILE *f, const struct hs_fit_run *runs, unsigned int n,
		  const struct hs_fit *fits);

#endif /* HS_TABLE_H */
