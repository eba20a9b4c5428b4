/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * stats.h - the numbers hopscope reports, and nothing else.
 *
 * hs_hist: a log-linear histogram of non-negative nanosecond values whose
 *   percentiles are within HS_HIST_MAX_REL_ERROR of the true nearest-rank
 *   percentile (64 sub-buckets per power of two; values below 64 exact).
 * hs_delay: n, min, max, mean, stdev (Welford) and the histogram.
 * hs_jitter: RFC 3550 section 6.4.1 interarrival jitter J with gain 1/16,
 *   fed pairs (S = time at the first point, R = time at the second), plus
 *   the distribution of |D| (IPDV).
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
	double max;
	struct hs_hist ipdv; /* |D| per packet pair */
};

struct hs_summary {
	uint64_t n;
	uint64_t min, max, p50, p90, p99, p999;
	double mean, stdev;
};

void hs_hist_reset(struct hs_hist *h);
unsigned int hs_hist_index(uint64_t v);
/* Lowest and highest value a bucket holds. */
uint64_t hs_hist_bucket_low(unsigned int idx);
uint64_t hs_hist_bucket_high(unsigned int idx);
void hs_hist_add(struct hs_hist *h, uint64_t v);
void hs_hist_merge(struct hs_hist *dst, const struct hs_hist *src);
/* Nearest-rank percentile p in (0, 100]; 0 on an empty histogram. */
uint64_t hs_hist_percentile(const struct hs_hist *h, double p);

void hs_delay_reset(struct hs_delay *d);
void hs_delay_add(struct hs_delay *d, uint64_t v);
double hs_delay_stdev(const struct hs_delay *d);
void hs_delay_summary(const struct hs_delay *d, struct hs_summary *out);

/* Lateness (delay - the hop's minimum delay), from a delay summary. */
struct hs_lateness {
	uint64_t max;
	double mean, stdev;
};
void hs_lateness(const struct hs_summary *s, struct hs_lateness *out);

void hs_jitter_reset(struct hs_jitter *j);
/* Feed one packet: s = time at the hop's first point, r = at its second.
 * Updates the estimator state and, from the second packet on, j. */
void hs_jitter_update(struct hs_jitter_state *st, struct hs_jitter *j,
		      uint64_t s, uint64_t r);
double hs_jitter_mean(const struct hs_jitter *j);

#endif /* HS_STATS_H */
