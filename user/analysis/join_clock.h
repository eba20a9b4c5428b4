/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * join_clock.h - how the clocks of two hosts were put on one, when their
 * record files are joined (store/join.h finds it; the reports state it
 * and qualify every delay between the hosts with its uncertainty).
 */
#ifndef HS_JOIN_CLOCK_H
#define HS_JOIN_CLOCK_H

#include <stdint.h>

enum hs_join_method {
	HS_JOIN_TAI = 0, /* both stamped with TAI: taken as is */
	HS_JOIN_MIN_DELAY, /* offset from the minimum delay both ways */
	HS_JOIN_REALTIME, /* one way only: the realtime clocks trusted */
	HS_JOIN_METHOD_COUNT,
};

struct hs_join_clock {
	enum hs_join_method method;
	int64_t offset_ns; /* B's records minus this are on A's clock */
	int64_t uncertainty_ns; /* +- on delays between hosts; -1 unknown */
	uint64_t packets_ab, packets_ba; /* seen crossing each way */
	int64_t min_ab_ns, min_ba_ns; /* smallest gaps, before correction */
};

/* "tai", "min-delay", "realtime"; "?" out of range. */
const char *hs_join_method_name(enum hs_join_method m);

#endif /* HS_JOIN_CLOCK_H */
