// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <math.h>
#include <string.h>
#include "analysis/stats.h"

void hs_hist_reset(struct hs_hist *h)
{
	memset(h, 0, sizeof(*h));
}

uint64_t hs_hist_bucket_low(unsigned int idx)
{
	unsigned int exp, sub;

	if (idx < HS_HIST_SUB)
		return idx;
	exp = idx / HS_HIST_SUB + HS_HIST_SUB_BITS - 1;
	sub = idx % HS_HIST_SUB;
	return ((uint64_t)(HS_HIST_SUB + sub)) << (exp - HS_HIST_SUB_BITS);
}

uint64_t hs_hist_bucket_high(unsigned int idx)
{
	if (idx < HS_HIST_SUB)
		return idx;
	if (idx == HS_HIST_BUCKETS - 1)
		return UINT64_MAX;
	return hs_hist_bucket_low(idx + 1) - 1;
}

void hs_hist_merge(struct hs_hist *dst, const struct hs_hist *src)
{
	unsigned int i;

	for (i = 0; i < HS_HIST_BUCKETS; i++)
		dst->buckets[i] += src->buckets[i];
	dst->count += src->count;
}

uint64_t hs_hist_percentile(const struct hs_hist *h, double p)
{
	uint64_t rank, seen = 0, low, high;
	unsigned int i;
	double exact;

	if (!h->count)
		return 0;
	/* nearest rank; 99.9 / 100 * 1000 is 999.0000000000001 in binary
	 * floating point, so shave the rounding error before ceil() */
	exact = p / 100.0 * (double)h->count;
	rank = (uint64_t)ceil(exact - exact * 1e-12);
	if (rank < 1)
		rank = 1;
	for (i = 0; i < HS_HIST_BUCKETS; i++) {
		seen += h->buckets[i];
		if (seen >= rank)
			break;
	}
	if (i == HS_HIST_BUCKETS)
		i = HS_HIST_BUCKETS - 1;
	low = hs_hist_bucket_low(i);
	high = hs_hist_bucket_high(i);
	if (high == UINT64_MAX)
		return low;
	/* the middle of the bucket halves the worst-case error */
	return low + (high - low) / 2;
}

void hs_delay_reset(struct hs_delay *d)
{
	memset(d, 0, sizeof(*d));
}

double hs_delay_stdev(const struct hs_delay *d)
{
	/* population standard deviation: the whole measured stream */
	return d->n ? sqrt(d->m2 / (double)d->n) : 0.0;
}

static uint64_t clamp_u64(uint64_t v, uint64_t lo, uint64_t hi)
{
	return v < lo ? lo : v > hi ? hi : v;
}

void hs_delay_summary(const struct hs_delay *d, struct hs_summary *out)
{
	memset(out, 0, sizeof(*out));
	out->n = d->n;
	if (!d->n)
		return;
	out->min = d->min;
	out->max = d->max;
	out->mean = d->mean;
	out->stdev = hs_delay_stdev(d);
	/* a bucket's midpoint can lie outside what was observed */
	out->p50 = clamp_u64(hs_hist_percentile(&d->hist, 50), d->min, d->max);
	out->p90 = clamp_u64(hs_hist_percentile(&d->hist, 90), d->min, d->max);
	out->p99 = clamp_u64(hs_hist_percentile(&d->hist, 99), d->min, d->max);
	out->p999 =
		clamp_u64(hs_hist_percentile(&d->hist, 99.9), d->min, d->max);
}

void hs_jitter_reset(struct hs_jitter *j)
{
	memset(j, 0, sizeof(*j));
}

double hs_jitter_mean(const struct hs_jitter *j)
{
	return j->n ? j->sum / (double)j->n : 0.0;
}

double hs_jitter_stdev(const struct hs_jitter *j)
{
	double mean = hs_jitter_mean(j), var;

	if (!j->n)
		return 0.0;
	var = j->sum_sq / (double)j->n - mean * mean;
	/* rounding can take a constant J's variance just below 0 */
	return var > 0 ? sqrt(var) : 0.0;
}

void hs_lateness(const struct hs_summary *s, struct hs_lateness *out)
{
	/* a constant shift of every value: the spread stays */
	out->max = s->n ? s->max - s->min : 0;
	out->mean = s->n ? s->mean - (double)s->min : 0.0;
	out->stdev = s->stdev;
}
