// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * analysis/stats.c: delay moments, the log-linear histogram, RFC 3550
 * jitter and the lateness the outputs derive from a delay summary.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <criterion/criterion.h>
#include "analysis/stats.h"

/*
 * The structs are static, not on the heap: a failed assertion leaves the
 * test at once, and a heap object would then show up as a leak. Criterion
 * runs every test in its own process, so nothing is shared.
 */

/* deterministic xorshift64*, so every run checks the same values */
static uint64_t rng_state = 0x9E3779B97F4A7C15ULL;

static uint64_t rng(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545F4914F6CDD1DULL;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

Test(stats, delay_moments_hand_computed)
{
	/* {2,4,4,4,5,5,7,9} shuffled: sum 40, mean 5; squared deviations
	 * 9+1+1+1+0+0+4+16 = 32, population variance 32/8 = 4, stdev 2 */
	static const uint64_t v[] = { 4, 9, 2, 5, 4, 7, 4, 5 };
	static struct hs_delay dd;
	struct hs_delay *d = &dd;
	unsigned int i;

	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++)
		hs_delay_add(d, v[i]);
	cr_assert_eq(d->n, 8);
	cr_assert_eq(d->min, 2);
	cr_assert_eq(d->max, 9);
	cr_assert_float_eq(d->mean, 5.0, 1e-12);
	cr_assert_float_eq(hs_delay_stdev(d), 2.0, 1e-12);
	cr_assert_eq(d->hist.count, 8);
}

Test(stats, delay_empty_and_single)
{
	static struct hs_delay dd;
	struct hs_delay *d = &dd;
	struct hs_summary s;

	/* nothing measured: everything zero, no division by zero */
	cr_assert_float_eq(hs_delay_stdev(d), 0.0, 0.0);
	hs_delay_summary(d, &s);
	cr_assert_eq(s.n, 0);
	cr_assert_eq(s.p50, 0);
	cr_assert_eq(s.max, 0);

	/* one value: min = max = mean, stdev 0 */
	hs_delay_add(d, 12345);
	hs_delay_summary(d, &s);
	cr_assert_eq(s.n, 1);
	cr_assert_eq(s.min, 12345);
	cr_assert_eq(s.max, 12345);
	cr_assert_float_eq(s.mean, 12345.0, 1e-9);
	cr_assert_float_eq(s.stdev, 0.0, 1e-12);
}

Test(stats, delay_min_zero_is_kept)
{
	/* a zero delay must become the minimum, not be taken for "unset" */
	static struct hs_delay dd;
	struct hs_delay *d = &dd;

	hs_delay_add(d, 50);
	hs_delay_add(d, 0);
	hs_delay_add(d, 20);
	cr_assert_eq(d->min, 0);
	cr_assert_eq(d->max, 50);
	cr_assert_float_eq(d->mean, 70.0 / 3.0, 1e-12);
}

Test(stats, hist_small_values_exact)
{
	unsigned int v;

	/* 64 sub-buckets per power of two: below 128 every value is its own
	 * bucket (0..63 linear, 64..127 the first log octave of width 1) */
	for (v = 0; v < 128; v++) {
		unsigned int idx = hs_hist_index(v);

		cr_assert_eq(idx, v, "index(%u) = %u", v, idx);
		cr_assert_eq(hs_hist_bucket_low(idx), v);
		cr_assert_eq(hs_hist_bucket_high(idx), v);
	}
	/* 128 and 129 share a bucket of width 2: [128, 129] */
	cr_assert_eq(hs_hist_index(128), hs_hist_index(129));
	cr_assert_neq(hs_hist_index(129), hs_hist_index(130));
	cr_assert_eq(hs_hist_bucket_low(hs_hist_index(129)), 128);
	cr_assert_eq(hs_hist_bucket_high(hs_hist_index(129)), 129);
}

Test(stats, hist_bucket_bounds_consistent_with_index)
{
	unsigned int idx;

	cr_assert_eq(hs_hist_bucket_low(0), 0);
	for (idx = 0; idx < HS_HIST_BUCKETS; idx++) {
		uint64_t lo = hs_hist_bucket_low(idx);
		uint64_t hi = hs_hist_bucket_high(idx);

		cr_assert_leq(lo, hi, "bucket %u: [%lu, %lu]", idx,
			      (unsigned long)lo, (unsigned long)hi);
		cr_assert_eq(hs_hist_index(lo), idx, "low of bucket %u", idx);
		cr_assert_eq(hs_hist_index(hi), idx, "high of bucket %u", idx);
		/* buckets tile the number line without gaps or overlap */
		if (idx + 1 < HS_HIST_BUCKETS)
			cr_assert_eq(hi + 1, hs_hist_bucket_low(idx + 1),
				     "gap after bucket %u", idx);
		/* width / low <= 1/64: the midpoint is within 1/128 */
		if (lo >= HS_HIST_SUB && idx + 1 < HS_HIST_BUCKETS)
			cr_assert_leq((hi - lo + 1) * HS_HIST_SUB, lo,
				      "bucket %u too wide", idx);
	}
	/* the top bucket takes everything above the range */
	cr_assert_eq(hs_hist_index(UINT64_MAX), HS_HIST_BUCKETS - 1);
	cr_assert_eq(hs_hist_bucket_high(HS_HIST_BUCKETS - 1), UINT64_MAX);
}

Test(stats, hist_percentile_nearest_rank_small)
{
	static struct hs_hist hh;
	struct hs_hist *h = &hh;
	uint64_t v;

	/* 1..20, all below 64 so exact; nearest rank = ceil(p/100 * 20) */
	for (v = 20; v >= 1; v--)
		hs_hist_add(h, v);
	cr_assert_eq(h->count, 20);
	cr_assert_eq(hs_hist_percentile(h, 50), 10); /* rank 10 */
	cr_assert_eq(hs_hist_percentile(h, 90), 18); /* rank 18 */
	cr_assert_eq(hs_hist_percentile(h, 99), 20); /* ceil(19.8) = 20 */
	cr_assert_eq(hs_hist_percentile(h, 100), 20);
	cr_assert_eq(hs_hist_percentile(h, 5), 1); /* rank 1 */
	cr_assert_eq(hs_hist_percentile(h, 0.1), 1); /* ceil(0.02) = 1 */
	cr_assert_eq(hs_hist_percentile(h, 52), 11); /* ceil(10.4) = 11 */
}

Test(stats, hist_percentile_empty_is_zero)
{
	static struct hs_hist hh;
	struct hs_hist *h = &hh;

	cr_assert_eq(hs_hist_percentile(h, 50), 0);
	cr_assert_eq(hs_hist_percentile(h, 99.9), 0);
}

Test(stats, hist_percentile_bucket_midpoint)
{
	static struct hs_hist hh;
	struct hs_hist *h = &hh;

	/* 1000 = 0b1111101000: exponent 9, width 2^(9-6) = 8, sub-bucket
	 * (1000 >> 3) & 63 = 61: the bucket is [1000, 1007], middle 1003 */
	hs_hist_add(h, 1000);
	cr_assert_eq(hs_hist_bucket_low(hs_hist_index(1000)), 1000);
	cr_assert_eq(hs_hist_bucket_high(hs_hist_index(1000)), 1007);
	cr_assert_eq(hs_hist_percentile(h, 50), 1003);
}

Test(stats, hist_merge_adds_counts)
{
	static struct hs_hist ha, hb;
	struct hs_hist *a = &ha, *b = &hb;

	/* a = {1, 2, 3}, b = {4, 5}: merged 5 values, median rank 3 = 3 */
	hs_hist_add(a, 1);
	hs_hist_add(a, 2);
	hs_hist_add(a, 3);
	hs_hist_add(b, 4);
	hs_hist_add(b, 5);
	hs_hist_merge(a, b);
	cr_assert_eq(a->count, 5);
	cr_assert_eq(hs_hist_percentile(a, 50), 3);
	cr_assert_eq(hs_hist_percentile(a, 100), 5);
	cr_assert_eq(b->count, 2);
}

/* Log-uniform over [1 ns, 10 s]: exp(u * ln(1e10)). */
static uint64_t log_uniform_ns(void)
{
	double u = (double)(rng() >> 11) / (double)(1ULL << 53);

	return (uint64_t)llround(exp(u * log(1e10)));
}

Test(stats, hist_percentile_relative_error_over_decades)
{
	/* percentiles in per mille; the exact nearest rank is computed in
	 * integers: ceil(pm * N / 1000) */
	static const unsigned int pm[] = { 1,   10,  50,  100, 250, 500,
					   750, 900, 950, 990, 999, 1000 };
	enum { N = 20000 };
	static uint64_t v[N];
	static struct hs_hist hh;
	struct hs_hist *h = &hh;
	unsigned int i;
	int below_64 = 0;

	for (i = 0; i < N; i++) {
		v[i] = log_uniform_ns();
		if (v[i] < 64)
			below_64++;
		hs_hist_add(h, v[i]);
	}
	/* log-uniform: ln(64)/ln(1e10) = 18% of values are below 64, so the
	 * exact region is exercised too */
	cr_assert_gt(below_64, N / 10);
	qsort(v, N, sizeof(*v), cmp_u64);
	cr_assert_geq(v[N - 1], 1000000000ULL, "want values up to seconds");

	for (i = 0; i < sizeof(pm) / sizeof(pm[0]); i++) {
		uint64_t rank = ((uint64_t)pm[i] * N + 999) / 1000;
		uint64_t exact = v[rank - 1];
		uint64_t got = hs_hist_percentile(h, pm[i] / 10.0);
		double err = fabs((double)got - (double)exact) / (double)exact;

		cr_assert_leq(err, HS_HIST_MAX_REL_ERROR,
			      "p%.1f: histogram %lu, exact %lu, error %.4f",
			      pm[i] / 10.0, (unsigned long)got,
			      (unsigned long)exact, err);
		if (exact < 64)
			cr_assert_eq(got, exact, "p%.1f below 64 not exact",
				     pm[i] / 10.0);
	}
}

Test(stats, hist_every_value_within_error_of_its_bucket)
{
	static struct hs_hist hh;
	struct hs_hist *h = &hh;
	unsigned int i;

	/* a histogram of one value reports that value within 1% */
	for (i = 0; i < 5000; i++) {
		uint64_t v = log_uniform_ns();
		uint64_t got;

		hs_hist_reset(h);
		hs_hist_add(h, v);
		got = hs_hist_percentile(h, 50);
		cr_assert_leq(fabs((double)got - (double)v),
			      HS_HIST_MAX_REL_ERROR * (double)v,
			      "%lu reported as %lu", (unsigned long)v,
			      (unsigned long)got);
	}
}

/*
 * Regression: ceil(p / 100.0 * count) in floating point made p99.9 of 1000
 * values rank 1000 (99.9 / 100.0 * 1000 is 999.00000000000011), not 999.
 */
Test(stats, hist_p999_nearest_rank_of_1000_values)
{
	static struct hs_hist hh;
	struct hs_hist *h = &hh;
	int i;

	/* 998 x 1, then 2 at rank 999 and 3 at rank 1000:
	 * nearest-rank p99.9 = value at rank ceil(0.999 * 1000) = 999 = 2 */
	for (i = 0; i < 998; i++)
		hs_hist_add(h, 1);
	hs_hist_add(h, 2);
	hs_hist_add(h, 3);
	cr_assert_eq(hs_hist_percentile(h, 99.9), 2,
		     "p99.9 of 1000 values is rank %s, want rank 999",
		     hs_hist_percentile(h, 99.9) == 3 ? "1000" : "?");
}

Test(stats, summary_clamps_percentiles_to_observed_range)
{
	static struct hs_delay dd;
	struct hs_delay *d = &dd;
	struct hs_summary s;

	/* 1000 alone: bucket [1000, 1007], midpoint 1003 > max: clamped */
	hs_delay_add(d, 1000);
	cr_assert_eq(hs_hist_percentile(&d->hist, 50), 1003);
	hs_delay_summary(d, &s);
	cr_assert_eq(s.p50, 1000);
	cr_assert_eq(s.p90, 1000);
	cr_assert_eq(s.p99, 1000);
	cr_assert_eq(s.p999, 1000);

	/* 1007 alone: same bucket, midpoint 1003 < min: clamped up */
	hs_delay_reset(d);
	hs_delay_add(d, 1007);
	cr_assert_eq(hs_hist_percentile(&d->hist, 50), 1003);
	hs_delay_summary(d, &s);
	cr_assert_eq(s.min, 1007);
	cr_assert_eq(s.p50, 1007);
	cr_assert_eq(s.p999, 1007);
}

Test(stats, summary_percentiles_of_spread)
{
	static struct hs_delay dd;
	struct hs_delay *d = &dd;
	struct hs_summary s;
	uint64_t v;

	/* 1..50 in reverse: p50 rank 25, p90 rank 45, p99 ceil(49.5) = 50,
	 * p99.9 ceil(49.95) = 50; all exact below 64 */
	for (v = 50; v >= 1; v--)
		hs_delay_add(d, v);
	hs_delay_summary(d, &s);
	cr_assert_eq(s.n, 50);
	cr_assert_eq(s.p50, 25);
	cr_assert_eq(s.p90, 45);
	cr_assert_eq(s.p99, 50);
	cr_assert_eq(s.p999, 50);
	/* mean 25.5; variance (50^2 - 1) / 12 = 208.25 */
	cr_assert_float_eq(s.mean, 25.5, 1e-12);
	cr_assert_float_eq(s.stdev, sqrt(208.25), 1e-9);
}

Test(stats, jitter_rfc3550_worked_sequence)
{
	/*
	 * (S, R) pairs; D = (R_i - R_{i-1}) - (S_i - S_{i-1}),
	 * J += (|D| - J) / 16:
	 *   (0, 100)       first packet: no D, no update
	 *   (1000, 1150)   D = 1050 - 1000 = 50   J = 50/16 = 3.125
	 *   (2000, 2100)   D = 950 - 1000 = -50   J = 3.125 + 46.875/16
	 *                                           = 6.0546875
	 *   (3000, 3100)   D = 0                  J = 6.0546875 * 15/16
	 *                                           = 5.67626953125
	 *   (4000, 4420)   D = 1320 - 1000 = 320  J = 5.67626953125
	 *                                 + 314.32373046875/16 = 25.321502685546875
	 *   (5000, 5420)   D = 0                  J = 25.321502685546875 * 15/16
	 *                                           = 23.738908767700195...
	 * mean of the five J = 63.91636848449707 / 5 = 12.783273696899414,
	 * max 25.321502685546875 (not the last), min 3.125 (the first J;
	 * the first packet's 0 is no estimate), population standard
	 * deviation of the five 9.657108855140882 (the paper's s).
	 */
	static const uint64_t sr[][2] = { { 0, 100 },	  { 1000, 1150 },
					  { 2000, 2100 }, { 3000, 3100 },
					  { 4000, 4420 }, { 5000, 5420 } };
	static const double want_j[] = { 0.0,
					 3.125,
					 6.0546875,
					 5.67626953125,
					 25.321502685546875,
					 25.321502685546875 * 15.0 / 16.0 };
	struct hs_jitter_state st = {};
	static struct hs_jitter jj;
	struct hs_jitter *j = &jj;
	unsigned int i;

	hs_jitter_reset(j);
	for (i = 0; i < 6; i++) {
		hs_jitter_update(&st, j, sr[i][0], sr[i][1]);
		cr_assert_eq(j->n, i, "after packet %u", i + 1);
		cr_assert_float_eq(st.j, want_j[i], 1e-9, "J after packet %u",
				   i + 1);
		if (i)
			cr_assert_float_eq(j->last, want_j[i], 1e-9);
	}
	cr_assert_float_eq(j->last, 23.738908767700195, 1e-9);
	cr_assert_float_eq(j->max, 25.321502685546875, 1e-9);
	cr_assert_float_eq(hs_jitter_mean(j), 12.783273696899414, 1e-9);
	cr_assert_float_eq(j->min, 3.125, 1e-12);
	cr_assert_float_eq(hs_jitter_stdev(j), 9.657108855140882, 1e-9);
	/* IPDV: |D| = {50, 50, 0, 320, 0}; median (rank 3) = 50 */
	cr_assert_eq(j->ipdv.count, 5);
	cr_assert_eq(hs_hist_percentile(&j->ipdv, 50), 50);
	cr_assert_eq(hs_hist_percentile(&j->ipdv, 40), 0); /* rank 2 */
}

Test(stats, jitter_first_packet_no_update)
{
	struct hs_jitter_state st = {};
	static struct hs_jitter jj;
	struct hs_jitter *j = &jj;

	hs_jitter_update(&st, j, 5000, 9000);
	cr_assert_eq(j->n, 0);
	cr_assert_eq(j->ipdv.count, 0);
	cr_assert_float_eq(j->last, 0.0, 0.0);
	cr_assert_float_eq(hs_jitter_mean(j), 0.0, 0.0);
	cr_assert(st.have_prev);
	cr_assert_eq(st.prev_s, 5000);
	cr_assert_eq(st.prev_r, 9000);
}

Test(stats, jitter_constant_delay_is_zero)
{
	struct hs_jitter_state st = {};
	static struct hs_jitter jj;
	struct hs_jitter *j = &jj;
	uint64_t i;

	/* a constant 700 ns delay at irregular spacing: D = 0 every time */
	for (i = 0; i < 100; i++) {
		uint64_t s = i * i * 37;

		hs_jitter_update(&st, j, s, s + 700);
	}
	cr_assert_eq(j->n, 99);
	cr_assert_float_eq(j->max, 0.0, 0.0);
	cr_assert_eq(hs_hist_percentile(&j->ipdv, 100), 0);
}

Test(stats, jitter_negative_transit_difference)
{
	struct hs_jitter_state st = {};
	static struct hs_jitter jj;
	struct hs_jitter *j = &jj;

	/* R before the previous R (reordering): D = (900 - 1000) - (10 - 0)
	 * = -110, |D| = 110, J = 110/16 = 6.875 */
	hs_jitter_update(&st, j, 0, 1000);
	hs_jitter_update(&st, j, 10, 900);
	cr_assert_float_eq(j->last, 6.875, 1e-12);
}

Test(stats, lateness_from_delay_summary)
{
	/* lateness = delay - min delay (hs_lateness, which output/fields.c uses):
	 * delays {10, 12, 15, 11, 30}: min 10, max 30, mean 78/5 = 15.6
	 *   max lateness  = 30 - 10 = 20
	 *   mean lateness = 15.6 - 10 = 5.6
	 *   stdev: squared deviations 31.36 + 12.96 + 0.36 + 21.16 + 207.36
	 *          = 273.2, / 5 = 54.64, sqrt = 7.3918874...
	 *          (a constant shift leaves it unchanged) */
	static const uint64_t v[] = { 10, 12, 15, 11, 30 };
	static struct hs_delay dd;
	struct hs_delay *d = &dd;
	struct hs_lateness l;
	struct hs_summary s;
	unsigned int i;

	for (i = 0; i < 5; i++)
		hs_delay_add(d, v[i]);
	hs_delay_summary(d, &s);
	hs_lateness(&s, &l);
	cr_assert_eq(l.max, 20);
	cr_assert_float_eq(l.mean, 5.6, 1e-9);
	cr_assert_float_eq(l.stdev, sqrt(54.64), 1e-9);
	/* nothing measured: no lateness */
	hs_delay_reset(d);
	hs_delay_summary(d, &s);
	hs_lateness(&s, &l);
	cr_assert_eq(l.max, 0);
	cr_assert_float_eq(l.mean, 0.0, 1e-12);
}
