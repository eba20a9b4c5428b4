/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * stats.h - the numbers hopscope reports, and nothing else.
 *
 * hs_hist: a log-linear histogram of non-negative nanosecond values whose
 *   percentiles are within HS_HIST_MAX_REL_ERROR of the true nearest-rank
 *   percentile (64 sub-buckets per power of two; values below 128 exact).
 * hs_delay: n, min, max, mean, stdev (Welford) and the histogram.
 * hs_jitter: RFC 3550 section 6.4.1 interarrival jitter J with gain 1/16,
 *   fed pairs (S = time at the first point, R = time at the second), plus
 *   J's min, max, mean and standard deviation over the packets (the paper's
 *   Table I) and the distribution of |D| (IPDV).
 * Lateness (the paper's Table II) is delay minus the minimum delay of the
 * same hop, so it is derived from hs_delay: max - min, mean - min, stdev.
 */
#ifndef HS_STATS_H
#define HS_STATS_H

#include <stdbool.h>
#include <stdint.h>

#define HS_HIST_SUB_BITS 6
#define HS_HIST_SUB (1u << HS_HIST_SUB_BITS)
#define HS_HIST_MAX_EXP 44 /* values up to 2^44 ns (~4.9 hours) */
#define HS_HIST_BUCKETS (HS_HIST_SUB * (HS_HIST_MAX_EXP - HS_HIST_SUB_BITS + 2))
#define HS_HIST_MAX_REL_ERROR 0.01

struct hs_hist {
	uint64_t count;
	uint32_t buckets[HS_HIST_BUCKETS];
};

struct hs_delay {
	uint64_t n;
	uint64_t min;
	uint64_t max;
	double mean;
	double m2; /* sum of squared deviations from the mean */
	struct hs_hist hist;
};

struct hs_jitter_state {
	bool have_prev;
	uint64_t prev_s;
	uint64_t prev_r;
	double j; /* the running RFC 3550 estimate, in ns */
};

struct hs_jitter {
	uint64_t n; /* updates of J */
	double last;
	double sum;
	double sum_sq; /* of J, for its standard deviation */
	double min;
	double max;
	struct hs_hist ipdv; /* |D| per packet pair */
};

struct hs_summary {
	uint64_t n;
	uint64_t min, max, p50, p90, p99, p999;
	double mean, stdev;
};

void hs_hist_reset(struct hs_hist *h);
/* Lowest and highest value a bucket holds. */
uint64_t hs_hist_bucket_low(unsigned int idx);
uint64_t hs_hist_bucket_high(unsigned int idx);
void hs_hist_merge(struct hs_hist *dst, const struct hs_hist *src);
/* Nearest-rank percentile p in (0, 100]; 0 on an empty histogram. */
uint64_t hs_hist_percentile(const struct hs_hist *h, double p);

void hs_delay_reset(struct hs_delay *d);
double hs_delay_stdev(const struct hs_delay *d);
void hs_delay_summary(const struct hs_delay *d, struct hs_summary *out);

/* Lateness (delay - the hop's minimum delay), from a delay summary. */
struct hs_lateness {
	uint64_t max;
	double mean, stdev;
};
void hs_lateness(const struct hs_summary *s, struct hs_lateness *out);

void hs_jitter_reset(struct hs_jitter *j);
double hs_jitter_mean(const struct hs_jitter *j);
/* J's population standard deviation over the packets (the paper's s). */
double hs_jitter_stdev(const struct hs_jitter *j);

/*
 * Adding values. Inline: every packet crossing every leg adds to four
 * histograms, two delays and two jitters (a leg's interval and its
 * total), and the _indexed forms let a value going into two of them be
 * bucketed once.
 */

static inline unsigned int hs_hist_index(uint64_t v)
{
	/* v >> shift keeps the leading one and the HS_HIST_SUB_BITS bits
	 * below it: it lies in [HS_HIST_SUB, 2 * HS_HIST_SUB), right after
	 * the buckets of the power of two below. Values below 2 *
	 * HS_HIST_SUB are not shifted: each is its own bucket. */
	unsigned int exp = 63 - (unsigned int)__builtin_clzll(v | 1);
	unsigned int shift;

	if (exp > HS_HIST_MAX_EXP)
		return HS_HIST_BUCKETS - 1;
	shift = exp > HS_HIST_SUB_BITS ? exp - HS_HIST_SUB_BITS : 0;
	return (shift << HS_HIST_SUB_BITS) + (unsigned int)(v >> shift);
}

static inline void hs_hist_add_indexed(struct hs_hist *h, unsigned int idx)
{
	h->buckets[idx]++;
	h->count++;
}

static inline void hs_hist_add(struct hs_hist *h, uint64_t v)
{
	hs_hist_add_indexed(h, hs_hist_index(v));
}

/* Add v, whose bucket is idx = hs_hist_index(v). */
static inline void hs_delay_add_indexed(struct hs_delay *d, uint64_t v,
					unsigned int idx)
{
	double delta;

	if (!d->n || v < d->min)
		d->min = v;
	if (!d->n || v > d->max)
		d->max = v;
	d->n++;
	/* Welford: one pass, no cancellation */
	delta = (double)v - d->mean;
	d->mean += delta / (double)d->n;
	d->m2 += delta * ((double)v - d->mean);
	hs_hist_add_indexed(&d->hist, idx);
}

static inline void hs_delay_add(struct hs_delay *d, uint64_t v)
{
	hs_delay_add_indexed(d, v, hs_hist_index(v));
}

/*
 * Feed one packet to the estimator: s = time at the hop's first point,
 * r = at its second. From the second packet on, returns true with |D| in
 * *abs_d and the new estimate in st->j, for hs_jitter_note() to record in
 * every hs_jitter this estimator feeds.
 */
static inline bool hs_jitter_step(struct hs_jitter_state *st, uint64_t s,
				  uint64_t r, uint64_t *abs_d)
{
	bool have_prev = st->have_prev;

	if (have_prev) {
		/* D(i-1,i) = (R_i - R_{i-1}) - (S_i - S_{i-1}) */
		int64_t d = ((int64_t)r - (int64_t)st->prev_r) -
			    ((int64_t)s - (int64_t)st->prev_s);

		*abs_d = d < 0 ? (uint64_t)-d : (uint64_t)d;
		st->j += ((double)*abs_d - st->j) / 16.0;
	}
	st->have_prev = true;
	st->prev_s = s;
	st->prev_r = r;
	return have_prev;
}

/* Record a step's estimate j and |D|, whose bucket is idx. */
static inline void hs_jitter_note(struct hs_jitter *jit, double j,
				  unsigned int idx)
{
	jit->n++;
	jit->last = j;
	jit->sum += j;
	jit->sum_sq += j * j;
	if (jit->n == 1 || j < jit->min)
		jit->min = j;
	if (j > jit->max)
		jit->max = j;
	hs_hist_add_indexed(&jit->ipdv, idx);
}

/* Both at once, for one hs_jitter. */
static inline void hs_jitter_update(struct hs_jitter_state *st,
				    struct hs_jitter *j, uint64_t s, uint64_t r)
{
	uint64_t abs_d;

	if (hs_jitter_step(st, s, r, &abs_d))
		hs_jitter_note(j, st->j, hs_hist_index(abs_d));
}

#endif /* HS_STATS_H */
