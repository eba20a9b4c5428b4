/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * join.h - one chain across two hosts: the record files of both, joined by
 * fingerprint into one set of trajectories.
 *
 * Clocks. Files stamped with TAI (run --clock tai, hosts synchronised by
 * PTP) are taken as they are. Otherwise host B's clock is placed on host
 * A's from the minimum delay in each direction: a packet from A to B shows
 * a gap d_ab = t_ab + offset between its last sighting on A and its first
 * on B, one from B to A a gap d_ba = t_ba - offset. With delays never
 * below zero and the fastest packets equally fast both ways, offset =
 * (min d_ab - min d_ba) / 2, within +- (min d_ab + min d_ba) / 2: every
 * delay between the hosts is reported with that uncertainty. Jitter and
 * lateness do not depend on a constant offset and carry none. With
 * traffic one way only the offset cannot be separated from the delay:
 * the hosts' realtime clocks are trusted and the uncertainty is unknown.
 * Negative one-way delays are counted on their hop, never hidden.
 *
 * Which way a packet went: it leaves one host at an egress hook and
 * enters the other at an ingress hook; where both readings fit, the
 * realtime clocks decide.
 */
#ifndef HS_JOIN_H
#define HS_JOIN_H

#include <stdint.h>

enum hs_join_method {
	HS_JOIN_TAI = 0, /* both stamped with TAI: taken as is */
	HS_JOIN_MIN_DELAY, /* offset from the minimum delay both ways */
	HS_JOIN_REALTIME, /* one way only: the realtime clocks trusted */
};

struct hs_join_clock {
	enum hs_join_method method;
	int64_t offset_ns; /* B's records minus this are on A's clock */
	int64_t uncertainty_ns; /* +- on delays between hosts; -1 unknown */
	uint64_t packets_ab, packets_ba; /* seen crossing each way */
	int64_t min_ab_ns, min_ba_ns; /* smallest gaps, before correction */
};

const char *hs_join_method_name(enum hs_join_method m);

#endif /* HS_JOIN_H */
