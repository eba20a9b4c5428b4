// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * fit.c - least squares over runs of different chain lengths, and the
 * chain length of a path.
 */
#include <errno.h>
#include <string.h>
#include "analysis/fit.h"

int hs_fit_line(const double *x, const double *y, unsigned int n,
		struct hs_fit *f)
{
	double mx = 0, my = 0, sxx = 0, sxy = 0, syy = 0, ss_res = 0;
	unsigned int i;

	if (n < 2)
		return -EINVAL;
	/*
	 * Sums of products of deviations from the means, never sums of raw
	 * squares: delays in ns are large and close together, and x^2 - mean^2
	 * would cancel away their digits. Measuring from the first point
	 * first keeps a constant x or y exactly constant (deviations 0).
	 */
	for (i = 0; i < n; i++) {
		mx += x[i] - x[0];
		my += y[i] - y[0];
	}
	mx /= n;
	my /= n;
	for (i = 0; i < n; i++) {
		double dx = x[i] - x[0] - mx, dy = y[i] - y[0] - my;

		sxx += dx * dx;
		sxy += dx * dy;
		syy += dy * dy;
	}
	/* also catches NaN */
	if (!(sxx > 0))
		return -EINVAL;
	f->n = n;
	f->slope = sxy / sxx;
	f->intercept = y[0] + my - f->slope * (x[0] + mx);
	for (i = 0; i < n; i++) {
		double e = (y[i] - y[0] - my) - f->slope * (x[i] - x[0] - mx);

		ss_res += e * e;
	}
	f->r2 = syy > 0 ? 1 - ss_res / syy : 1;
	return 0;
}

unsigned int hs_path_functions(const struct hs_point_table *t,
			       const struct hs_path *p)
{
	char via[HS_POINT_NAME_MAX];
	unsigned int n = 0;
	int k;

	for (k = 0; k + 1 < p->n; k++)
		n += hs_points_classify(t, p->points[k], p->points[k + 1], via,
					sizeof(via)) == HS_HOP_FUNCTION;
	return n;
}

const struct hs_path *hs_fit_main_path(const struct hs_hops *h)
{
	const struct hs_path *best = NULL;
	uint32_t i;

	for (i = 0; i < h->n_paths; i++)
		if (h->paths[i].n >= 2 &&
		    (!best ||
		     h->paths[i].leg.total.delay.n > best->leg.total.delay.n))
			best = &h->paths[i];
	return best;
}

int hs_fit_run_of(const struct hs_point_table *t, const struct hs_hops *h,
		  const char *file, struct hs_fit_run *fr)
{
	const struct hs_path *p = hs_fit_main_path(h);
	struct hs_summary sum;
	struct hs_lateness late;

	memset(fr, 0, sizeof(*fr));
	fr->file = file;
	if (!p || !p->leg.total.delay.n)
		return -ENOENT;
	hs_delay_summary(&p->leg.total.delay, &sum);
	hs_lateness(&sum, &late);
	fr->functions = hs_path_functions(t, p);
	fr->packets = sum.n;
	fr->value[HS_FIT_DELAY_MEAN] = sum.mean;
	fr->value[HS_FIT_DELAY_P50] = (double)sum.p50;
	fr->value[HS_FIT_DELAY_P99] = (double)sum.p99;
	fr->value[HS_FIT_JITTER_MEAN] = hs_jitter_mean(&p->leg.total.jitter);
	fr->value[HS_FIT_LATENESS_MEAN] = late.mean;
	return 0;
}
