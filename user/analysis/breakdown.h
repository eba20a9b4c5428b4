/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * breakdown.h - where a path's time goes: each hop's share of the path's
 * mean delay, p99 delay and jitter, and the verdict naming the bottleneck.
 *
 * Shares come from the path's own segments (its hops measured over its
 * packets only). A mean is additive, so a hop's share of the mean is its
 * mean over the sum of the hops' means. Percentiles and jitter are not
 * additive: a hop's share of the p99 is its p99 over the sum of the hops'
 * p99s, and likewise for the mean RFC 3550 jitter. Shares of a path add
 * up to 1.
 */
#ifndef HS_BREAKDOWN_H
#define HS_BREAKDOWN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "analysis/hops.h"
#include "analysis/points.h"

struct hs_hop_share {
	uint16_t from, to;
	uint64_t packets;
	double mean_ns, p99_ns, jitter_ns; /* the segment's own */
	double mean_share, p99_share, jitter_share; /* 0..1 */
	uint64_t lost;
};

struct hs_breakdown {
	unsigned int n; /* hops of the path */
	/* packets over the whole path; 0: every one was lost on the way,
	 * and no hop has a share */
	uint64_t delivered;
	struct hs_hop_share hop[HS_MAX_TRAJ_POINTS - 1];
	/* index of the hop with the largest share, -1 if none */
	int mean_worst, p99_worst, jitter_worst, lost_worst;
};

/* 0, or -ENOENT when the path has one hop, no segments, or none that
 * carried a packet (total: the whole run, else the current interval). */
int hs_breakdown(const struct hs_hops *h, const struct hs_path *p, bool total,
		 struct hs_breakdown *b);

/* A hop by what made it: "ovs br3", "VNF vnf1", "wire veth a:eth1 ->
 * b:eth0" (a bare "veth" would not say which). Returns buf. */
const char *hs_hop_label(const struct hs_point_table *t, uint16_t from,
			 uint16_t to, char *buf, size_t len);

/*
 * One sentence naming the bottleneck, e.g. "ovs br3 adds 71% of p99 delay
 * and 88% of jitter on snd -> rcv", and where packets are lost; on a path
 * no packet got through, only where they were lost. Returns buf.
 */
const char *hs_verdict(const struct hs_breakdown *b,
		       const struct hs_point_table *t, const struct hs_path *p,
		       char *buf, size_t len);

#endif /* HS_BREAKDOWN_H */
