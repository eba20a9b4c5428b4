/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * fit.h - the chain-length study (the paper's Table III): end-to-end delay
 * and jitter of runs over chains of different length, fitted by least
 * squares against the number of functions on the path.
 */
#ifndef HS_FIT_H
#define HS_FIT_H

#include <stdint.h>
#include "analysis/hops.h"
#include "analysis/points.h"

struct hs_fit {
	unsigned int n; /* points fitted */
	double slope; /* per function */
	double intercept;
	double r2; /* coefficient of determination; 1 when y is constant */
};

/* What is fitted: of each run's main path (the one most packets took). */
enum hs_fit_metric {
	HS_FIT_DELAY_MEAN = 0,
	HS_FIT_DELAY_P50,
	HS_FIT_DELAY_P99,
	HS_FIT_JITTER_MEAN,
	HS_FIT_LATENESS_MEAN,
	HS_FIT_METRICS,
};

/* One run of the study. */
struct hs_fit_run {
	const char *file;
	unsigned int functions; /* on its main path */
	uint64_t packets;
	double value[HS_FIT_METRICS]; /* ns */
};

/* y = slope * x + intercept. 0, or -EINVAL when n < 2 or every x is the
 * same (no line through them). */
int hs_fit_line(const double *x, const double *y, unsigned int n,
		struct hs_fit *f);
/* The network functions a path crosses: its "function" hops. */
unsigned int hs_path_functions(const struct hs_point_table *t,
			       const struct hs_path *p);
/* A run's main path: the one of two points or more most packets took;
 * NULL if none. */
const struct hs_path *hs_fit_main_path(const struct hs_hops *h);
/* One run of the study, from its statistics: its main path's functions,
 * packets and fitted values. 0, or -ENOENT when no path carried a
 * packet. */
int hs_fit_run_of(const struct hs_point_table *t, const struct hs_hops *h,
		  const char *file, struct hs_fit_run *fr);

#endif /* HS_FIT_H */
