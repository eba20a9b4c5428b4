// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * fit.c: least squares for the chain-length study, and how many network
 * functions a path crosses.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <criterion/criterion.h>
#include "chain.h"
#include "analysis/fit.h"

/* Static: a failed assertion leaves the test at once. */
static struct hs_point_table t;

static void setup(void)
{
	memset(&t, 0, sizeof(t));
}

TestSuite(fit, .init = setup);

Test(fit, exact_line)
{
	static const double x[] = { 0, 1, 2, 3, 4 };
	static const double y[] = { 2, 5, 8, 11, 14 };
	struct hs_fit f;

	cr_assert_eq(hs_fit_line(x, y, 5, &f), 0);
	cr_assert_eq(f.n, 5);
	cr_assert_float_eq(f.slope, 3.0, 1e-12);
	cr_assert_float_eq(f.intercept, 2.0, 1e-12);
	cr_assert_float_eq(f.r2, 1.0, 1e-12);
}

/*
 * x = 1..5 functions, y = {3, 4, 8, 9, 11} us. Means 3 and 7; deviations
 * dx = -2 -1 0 1 2, dy = -4 -3 1 2 4.
 *   Sxx = 4+1+0+1+4 = 10, Sxy = 8+3+0+2+8 = 21, Syy = 16+9+1+4+16 = 46
 *   slope = 21/10 = 2.1, intercept = 7 - 2.1 * 3 = 0.7
 *   fitted 2.8 4.9 7.0 9.1 11.2, residuals 0.2 -0.9 1.0 -0.1 -0.2,
 *   SS_res = 0.04+0.81+1+0.01+0.04 = 1.9, R^2 = 1 - 1.9/46 = 44.1/46
 */
Test(fit, noisy_hand_computed)
{
	static const double x[] = { 1, 2, 3, 4, 5 };
	static const double y[] = { 3, 4, 8, 9, 11 };
	struct hs_fit f;

	cr_assert_eq(hs_fit_line(x, y, 5, &f), 0);
	cr_assert_float_eq(f.slope, 2.1, 1e-12);
	cr_assert_float_eq(f.intercept, 0.7, 1e-12);
	cr_assert_float_eq(f.r2, 44.1 / 46.0, 1e-12);
}

/* The same points far from the origin (ns since boot, say): raw sums of
 * squares would lose the digits that matter. */
Test(fit, far_from_origin)
{
	static const double x[] = { 1, 2, 3, 4, 5 };
	double y[] = { 3, 4, 8, 9, 11 };
	struct hs_fit f;
	unsigned int i;

	for (i = 0; i < 5; i++)
		y[i] += 1e12;
	cr_assert_eq(hs_fit_line(x, y, 5, &f), 0);
	cr_assert_float_eq(f.slope, 2.1, 1e-6);
	cr_assert_float_eq(f.intercept, 1e12 + 0.7, 1e-3);
	cr_assert_float_eq(f.r2, 44.1 / 46.0, 1e-6);
}

Test(fit, constant_y_fits_exactly)
{
	static const double x[] = { 1, 2, 3 };
	static const double y[] = { 0.1, 0.1, 0.1 };
	struct hs_fit f;

	cr_assert_eq(hs_fit_line(x, y, 3, &f), 0);
	cr_assert_eq(f.slope, 0.0);
	cr_assert_eq(f.intercept, 0.1);
	cr_assert_eq(f.r2, 1.0);
}

Test(fit, no_line)
{
	static const double x[] = { 0.1, 0.1, 0.1 };
	static const double y[] = { 1, 2, 3 };
	struct hs_fit f;

	cr_assert_eq(hs_fit_line(x, y, 0, &f), -EINVAL);
	cr_assert_eq(hs_fit_line(x, y, 1, &f), -EINVAL);
	cr_assert_eq(hs_fit_line(x, y, 3, &f), -EINVAL);
}

/* snd -> vnf1 -> ... -> vnfN -> rcv, joined by veth pairs. */
static void build_chain(unsigned int functions)
{
	static char names[10][16];
	const char *ptrs[10];
	unsigned int k;

	for (k = 0; k < functions + 2; k++) {
		if (!k)
			snprintf(names[k], sizeof(names[k]), "snd");
		else if (k == functions + 1)
			snprintf(names[k], sizeof(names[k]), "rcv");
		else
			snprintf(names[k], sizeof(names[k]), "vnf%u", k);
		ptrs[k] = names[k];
	}
	test_chain(&t, ptrs, functions + 2);
}

Test(fit, path_functions)
{
	struct hs_path p = { .n = 8 };
	char via[HS_POINT_NAME_MAX];
	uint16_t k;

	build_chain(3);
	cr_assert_eq(t.n, 8);
	for (k = 0; k < 8; k++)
		p.points[k] = k;
	/* the table says what each hop is: wire, function, wire, ... */
	cr_assert_eq(hs_points_classify(&t, 0, 1, via, sizeof(via)),
		     HS_HOP_WIRE);
	cr_assert_eq(hs_points_classify(&t, 1, 2, via, sizeof(via)),
		     HS_HOP_FUNCTION);
	cr_assert_str_eq(via, "VNF vnf1");
	cr_assert_eq(hs_path_functions(&t, &p), 3);
	/* up to vnf2's egress: two functions; from snd into vnf1: none */
	p.n = 5;
	cr_assert_eq(hs_path_functions(&t, &p), 2);
	p.n = 2;
	cr_assert_eq(hs_path_functions(&t, &p), 0);
	p.n = 1;
	cr_assert_eq(hs_path_functions(&t, &p), 0);
}
