/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * join_clock.h - how the clocks of several hosts were put on one, when
 * their record files are joined (store/join.h measures the gaps; the
 * reports state the result and qualify every delay between two hosts
 * with its uncertainty).
 *
 * Host 0's clock is the reference. Each ordered pair of hosts (i, j) that
 * packets crossed gives the smallest gap g_ij between a packet's last
 * sighting on i and its first on j; the packet's true delay is g_ij minus
 * j's clock offset against i's, and never below 0. So, with R_k host k's
 * offset against host 0's, R_j - R_i <= g_ij: difference constraints,
 * whose shortest paths d(i, j) bound every offset (R_k - R_0 lies in
 * [-d(k, 0), d(0, k)]), however the traffic went: a chain whose replies
 * go straight back (sender -> VNF host -> receiver -> sender) bounds the
 * VNF host through the others. Each offset is taken at the middle of its
 * interval; the uncertainty of a delay from host a to host b is the
 * half-width of the interval of R_b - R_a plus how far the offsets taken
 * are from its middle. With two hosts and traffic both ways this is the
 * classic estimate, offset (g_ab - g_ba) / 2 within (g_ab + g_ba) / 2.
 */
#ifndef HS_JOIN_CLOCK_H
#define HS_JOIN_CLOCK_H

#include <stdbool.h>
#include <stdint.h>
#include "analysis/points.h"

enum hs_join_method {
	HS_JOIN_TAI = 0, /* both stamped with TAI: taken as is */
	HS_JOIN_MIN_DELAY, /* offset from the minimum delays around */
	HS_JOIN_REALTIME, /* no way back: the realtime clocks trusted */
	HS_JOIN_METHOD_COUNT,
};

/* One host's clock placed on host 0's. */
struct hs_join_clock {
	enum hs_join_method method;
	int64_t offset_ns; /* its records minus this are on host 0's clock */
	int64_t uncertainty_ns; /* +- on delays to or from host 0; -1 unknown */
	uint64_t packets_ab, packets_ba; /* seen crossing from 0, and to 0 */
	int64_t min_ab_ns, min_ba_ns; /* smallest gaps, before correction */
};

/* A delay between two hosts: how it was made, how far to trust it. */
struct hs_join_pair {
	enum hs_join_method method;
	int64_t uncertainty_ns; /* -1 unknown; below 0: the clocks drifted */
};

struct hs_join_clocks {
	unsigned int n_hosts;
	/* [k]: host k against host 0 ([0]: offset 0) */
	struct hs_join_clock host[HS_MAX_HOSTS];
	struct hs_join_pair pair[HS_MAX_HOSTS][HS_MAX_HOSTS];
};

/* What store/join.c measured: per ordered pair (i, j), the packets that
 * crossed from i to j and the smallest gap, with every host's records
 * placed on host 0's clock by coarse[k] (the realtime offsets). */
struct hs_join_gaps {
	unsigned int n_hosts;
	bool tai; /* every host stamped with TAI: coarse is 0 */
	int64_t coarse[HS_MAX_HOSTS];
	uint64_t packets[HS_MAX_HOSTS][HS_MAX_HOSTS];
	int64_t gap[HS_MAX_HOSTS][HS_MAX_HOSTS]; /* where packets > 0 */
};

/* "tai", "min-delay", "realtime"; "?" out of range. */
const char *hs_join_method_name(enum hs_join_method m);

/* Every host's offset and every pair's uncertainty from the gaps (see
 * above). False when the gaps contradict each other (a cycle of gaps
 * below 0: the clocks drifted during the runs): each host is then placed
 * by its gaps to and from host 0 alone. */
bool hs_join_solve(const struct hs_join_gaps *g, struct hs_join_clocks *c);

/* The clocks of two hosts, from host 1's clock against host 0's. */
void hs_join_clocks_two(struct hs_join_clocks *c,
			const struct hs_join_clock *b);

#endif /* HS_JOIN_CLOCK_H */
