/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * join.h - one chain across several hosts: the record files of each,
 * joined by fingerprint into one set of trajectories.
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

#include <stddef.h>
#include <stdint.h>
#include "analysis/join_clock.h"
#include "analysis/points.h"
#include "analysis/sink.h"
#include "store/replay.h"
#include "store/runinfo.h"

/* What the clock estimate reads of one host's run. */
struct hs_join_side {
	const struct hs_run_info *info; /* its clock and realtime offset */
	const struct hs_point_table *points; /* the hooks of its points */
	const struct hs_record *rec; /* every record, any order */
	size_t n_rec;
};

/*
 * B's clock against A's: TAI as is; else coarsely from the realtime
 * offsets in the headers, then from the smallest gap each way between a
 * packet's last sighting on one host and its first on the other. A
 * fingerprint seen over more than window_ns on one host is two packets
 * and counts for nothing. 0 or -ENOMEM.
 */
int hs_join_estimate(const struct hs_join_side *a, const struct hs_join_side *b,
		     uint64_t window_ns, struct hs_join_clock *jc);

/* Join n hosts' runs (2 to HS_MAX_HOSTS) into one session and report it
 * to sink (NULL: none), with o's changes to the configuration (NULL:
 * none). Every pair of hosts is measured (hs_join_estimate()) and the
 * clocks placed on the first host's from all of them together
 * (hs_join_solve()). Returns an enum hs_exit. */
int hs_join_runs(struct hs_rec_run *runs, unsigned int n,
		 const struct hs_replay_overrides *o,
		 const struct hs_sink *sink);

#endif /* HS_JOIN_H */
