/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * hops.h - trajectories become per-hop and per-path statistics.
 *
 * A hop is a pair of consecutive points on a trajectory; a path is the
 * whole sequence of points a trajectory crossed. Each keeps two sets of
 * statistics: the current interval and the whole run. Jitter follows RFC
 * 3550 over consecutive packets in the order they reached the hop's first
 * point; a packet is reordered on a hop when it reaches the hop's second
 * point before a packet that reached the first point earlier.
 *
 * Loss: every flow (addresses, protocol, ports) learns the path most of
 * its recent packets take. A packet of the flow whose points are a proper
 * prefix of that path stopped at its last point: it counts as lost on the
 * hop that leaves that point. Packets of other flows (neighbour discovery
 * addressed to a function, say) never count against it. Nor do
 * trajectories cut short by a full match table (evicted) or by the end of
 * the run (at_end), nor those where the ring buffer dropped the record of
 * the next point meanwhile: those are counted as unverified, apart.
 */
#ifndef HS_HOPS_H
#define HS_HOPS_H

#include <stdbool.h>
#include <stdint.h>
#include "match.h"
#include "stats.h"

#define HS_MAX_HOPS 1024
#define HS_MAX_PATHS 256

struct hs_acc {
	struct hs_delay delay;
	struct hs_jitter jitter;
	uint64_t reordered;
	uint64_t lost;
};

/* A packet's crossing of a hop, waiting to be folded in order. */
struct hs_crossing {
	uint64_t s; /* time at the hop's first point */
	uint64_t r; /* time at its second */
};

#define HS_HOP_PENDING_MAX 65536

struct hs_hop {
	uint16_t from;
	uint16_t to;
	uint32_t n_pend, cap_pend;
	struct hs_crossing *pend; /* sorted by s */
	struct hs_jitter_state jstate;
	uint64_t max_to_ts; /* latest arrival at `to` so far */
	struct hs_acc interval;
	struct hs_acc total;
};

struct hs_path {
	uint8_t n;
	uint16_t points[HS_MAX_TRAJ_POINTS];
	struct hs_jitter_state jstate;
	uint64_t max_to_ts;
	struct hs_acc interval;
	struct hs_acc total;
};

#define HS_FLOW_SLOTS (1u << 16)

struct hs_flow {
	uint32_t flow_hash;
	uint32_t path[2]; /* candidate paths: index + 1, 0 none */
	uint32_t votes[2];
};

/* When the ring buffer dropped records at a point: windows of time. */
#define HS_DROP_WINDOWS 32

struct hs_point_drops {
	uint64_t total; /* ringbuf_drops last seen */
	uint32_t next;
	struct {
		uint64_t from, to;
	} w[HS_DROP_WINDOWS];
};

struct hs_hops {
	uint32_t n_hops;
	uint32_t n_paths;
	uint64_t hops_overflow; /* hop pairs beyond HS_MAX_HOPS */
	uint64_t paths_overflow;
	uint64_t flows_replaced; /* flow table slots taken over */
	uint64_t unverified; /* neither folded nor lost: records dropped */
	uint64_t window_ns; /* the match window */
	uint64_t watermark; /* first sighting of the newest trajectory */
	uint16_t *hop_index; /* [from * HS_MAX_POINTS + to] = hop + 1 */
	struct hs_hop *hops;
	struct hs_path *paths;
	struct hs_flow *flows;
	struct hs_point_drops *drops; /* per point */
};

int hs_hops_init(struct hs_hops *h, uint64_t window_ns);
void hs_hops_free(struct hs_hops *h);
/* The hs_emit_fn for hs_matcher: ctx is the struct hs_hops. */
void hs_hops_fold(const struct hs_trajectory *t, void *ctx);
/* The collector saw point's ring-buffer drop counter at total, having
 * last looked at time from; a change marks [from, to] as lossy there. */
void hs_hops_note_drops(struct hs_hops *h, uint16_t point, uint64_t total,
			uint64_t from, uint64_t to);
/* Fold what each hop holds back for ordering: what no trajectory still
 * to come can precede, or everything (all: the end of the run). Call
 * before reading hop statistics. */
void hs_hops_settle(struct hs_hops *h, bool all);
/* Start a new interval: interval statistics restart, totals go on. */
void hs_hops_new_interval(struct hs_hops *h);
struct hs_hop *hs_hops_find(struct hs_hops *h, uint16_t from, uint16_t to);

#endif /* HS_HOPS_H */
