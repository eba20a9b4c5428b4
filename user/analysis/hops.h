/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * hops.h - trajectories become per-hop and per-path statistics.
 *
 * A hop is a pair of consecutive points on a trajectory; a path is the
 * whole sequence of points a trajectory crossed. Every path also keeps its
 * own copy of each of its hops (a segment), measured over the packets of
 * that path only: the breakdown of a path's delay and jitter by hop comes
 * from those. Hops, paths and segments are legs: each keeps two sets of
 * statistics, the current interval and the whole run. While every packet
 * over a hop took the same path (one path, the common case), the hop and
 * that path's segment over it would hold the same numbers: they share the
 * hop's, folded once, until the two would differ.
 *
 * Order. Trajectories arrive in the order of their first sighting. A leg
 * holds its crossings until no trajectory still to come can precede them,
 * then folds them twice:
 *  - in the order they left its first point: delay, and RFC 3550 jitter
 *    over consecutive packets (S = time at the first point, R = at the
 *    second);
 *  - in the order they reached its second point: RFC 4737 reordering. A
 *    packet is reordered when it arrives after a packet that left the
 *    first point later; its extent is how many packets arrived between the
 *    first of those and itself, its late time how much later it arrived
 *    than that first one.
 *
 * Loss, from the topology first: a packet whose last point has a
 * successor (the one point every packet seen there must reach next: a
 * veth end's egress -> its peer's first measured ingress, points.h) and
 * that never reached it is lost on the hop between them, whatever its
 * flow did before: the first packet of a flow too, and a flow some hop
 * swallows whole. Then from the traffic: every flow (addresses, protocol,
 * ports) learns the path most of its recent packets take. A packet of the
 * flow whose points are a proper prefix of that path stopped at its last
 * point: it counts as lost on the hop that leaves that point. A flow that
 * keeps stopping there takes that for its new path (a path change), unless
 * the point it no longer reaches is dead: its interface down or gone, or
 * its probe removed (hs_hops_point_dead). Then every such packet is lost,
 * and the old path stays the flow's. Packets of other flows (neighbour
 * discovery addressed to a function, say) never count against it. Nor do
 * trajectories cut short by a full match table (evicted) or by the end of
 * the run (at_end), nor those where the ring buffer dropped the record of
 * the next point meanwhile: those are counted as unverified, apart.
 *
 * Churn: points come and go (session.h). hs_hops_expire takes out every
 * hop, path and segment that touches a point let go, and the flows' votes
 * for those paths; the survivors move down, in their order, so that the
 * tables stay dense and their slots are taken again. Memory is then bound
 * by HS_MAX_HOPS, HS_MAX_PATHS and HS_MAX_SEGMENTS however many points
 * come and go; the overflow counters count only what the live set itself
 * does not fit.
 *
 * Duplicates: a second sighting of one packet at one point counts on the
 * hop into that point. Negative delays (two hosts' clocks joined) are
 * counted and folded as 0, never hidden.
 */
#ifndef HS_HOPS_H
#define HS_HOPS_H

#include <stdbool.h>
#include <stdint.h>
#include "analysis/match.h"
#include "analysis/stats.h"

#define HS_MAX_HOPS 1024
#define HS_MAX_PATHS 256
/* segments of all paths together; a path beyond has no breakdown */
#define HS_MAX_SEGMENTS 2048
/* arrivals a leg remembers to measure reordering extent */
#define HS_REORDER_HISTORY 1024

struct hs_acc {
	struct hs_delay delay;
	struct hs_jitter jitter;
	uint64_t lost;
	uint64_t duplicates;
	uint64_t negative; /* delays below 0, folded as 0 */
	int64_t negative_min; /* the lowest of them, ns */
	/* RFC 4737, in arrival order at the second point */
	uint64_t arrivals;
	uint64_t reordered;
	uint64_t extent_sum, extent_max; /* packets */
	uint64_t extent_beyond; /* further back than HS_REORDER_HISTORY */
	uint64_t late_sum_ns, late_max_ns;
};

/* A packet's crossing of a leg. */
struct hs_crossing {
	uint64_t s; /* time at the leg's first point */
	uint64_t r; /* time at its second */
};

#define HS_LEG_PENDING_MAX 65536

/* One arrival remembered for reordering extent. */
struct hs_arrival {
	uint64_t max_s; /* highest s of this and every earlier arrival */
	uint64_t r;
};

/* Crossings held back, in order: buf[head .. head + n). Taken from the
 * front by moving head, so that nothing is moved as they go. */
struct hs_crossings {
	uint32_t head, n, cap;
	struct hs_crossing *buf;
};

struct hs_leg {
	/* stage 1: by s, for delay and jitter */
	struct hs_crossings pend;
	struct hs_jitter_state jstate;
	/* stage 2: by r, for reordering */
	struct hs_crossings arr;
	uint64_t max_s; /* highest s arrived so far */
	uint64_t n_arrived;
	/* most a crossing arrived before it left (two hosts' clocks): the
	 * arrivals wait that much longer to be sure of their order */
	uint64_t max_early;
	struct hs_arrival *history; /* ring, HS_REORDER_HISTORY entries */
	/* a hop and a segment over it are twins while every crossing and
	 * count of the one was also the other's: the hop's statistics then
	 * serve both (the segment's own stay unused) until they would part */
	struct hs_leg *twin;
	bool used; /* has taken a crossing or a count */
	struct hs_acc interval;
	struct hs_acc total;
};

/* A hop whose packets left with other addresses or ports than they came
 * with: NAT rewrote them between its two points (match.h). */
struct hs_hop_nat {
	uint64_t crossings; /* packets seen rewritten over the hop */
	/* the flow hashes of the last one rewritten, before and after */
	uint32_t flow_in, flow_out;
};

struct hs_hop {
	uint16_t from;
	uint16_t to;
	struct hs_hop_nat nat;
	struct hs_leg leg;
};

#define HS_NO_SEGMENTS UINT32_MAX

struct hs_path {
	uint8_t n;
	uint16_t points[HS_MAX_TRAJ_POINTS];
	/* segments[seg0 .. seg0 + n - 2]: hop k of this path, for its packets
	 * only; HS_NO_SEGMENTS when the pool was full */
	uint32_t seg0;
	struct hs_leg leg;
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
	struct hs_drop_window {
		uint64_t from, to;
	} w[HS_DROP_WINDOWS];
};

/* What the topology says of a point, for loss (hs_hops_set_successor and
 * the calls after it). */
struct hs_point_fate {
	uint16_t successor; /* HS_NO_POINT: it may go several ways */
	bool dead; /* its interface is down or gone */
	/* its probe records over [since, until): a successor is relied on
	 * only while it measures */
	uint64_t since, until;
};

struct hs_hops {
	uint32_t n_hops;
	uint32_t n_paths;
	uint32_t n_segments;
	uint64_t hops_overflow; /* hop pairs beyond HS_MAX_HOPS */
	uint64_t paths_overflow;
	uint64_t segments_overflow; /* paths left without a breakdown */
	uint64_t flows_replaced; /* flow table slots taken over */
	uint64_t unverified; /* neither folded nor lost: records dropped */
	uint64_t window_ns; /* the match window */
	/* no trajectory still to come starts before this: the newest one's
	 * first sighting, or what the matcher says is closed */
	uint64_t watermark;
	uint16_t *hop_index; /* [from * HS_MAX_POINTS + to] = hop + 1 */
	struct hs_hop *hops;
	struct hs_path *paths;
	struct hs_leg *segments;
	struct hs_flow *flows;
	struct hs_point_drops *drops; /* per point */
	struct hs_point_fate *fate; /* per point */
};

int hs_hops_init(struct hs_hops *h, uint64_t window_ns);
void hs_hops_free(struct hs_hops *h);
/* The hs_emit_fn for hs_matcher: ctx is the struct hs_hops. */
void hs_hops_fold(const struct hs_trajectory *t, void *ctx);
/* The collector saw point's ring-buffer drop counter at total, having
 * last looked at time from; a change marks [from, to] as lossy there. */
void hs_hops_note_drops(struct hs_hops *h, uint16_t point, uint64_t total,
			uint64_t from, uint64_t to);
/* Every packet seen at point must be seen at next after it (HS_NO_POINT:
 * it may go several ways, or nowhere measured). Points start with none. */
void hs_hops_set_successor(struct hs_hops *h, uint16_t point, uint16_t next);
/* point's probe records from since on, until until (UINT64_MAX: still);
 * points start measured from 0 on, for ever. */
void hs_hops_set_measured(struct hs_hops *h, uint16_t point, uint64_t since,
			  uint64_t until);
/* point's interface went down or away (dead), or is up again. */
void hs_hops_point_dead(struct hs_hops *h, uint16_t point, bool dead);
/* Fold what the legs hold back for ordering: what no trajectory still to
 * come can precede, or everything (all: the end of the run). Call before
 * reading statistics. */
void hs_hops_settle(struct hs_hops *h, bool all);
/* No trajectory still to come starts before ts (the matcher has closed
 * everything older): fold what that allows. */
void hs_hops_advance(struct hs_hops *h, uint64_t ts);
/* Start a new interval: interval statistics restart, totals go on. */
void hs_hops_new_interval(struct hs_hops *h);
/* Let go of every hop, path and segment with a point p for which
 * gone[p] is set (p < HS_MAX_POINTS), and of those points' drop windows:
 * their slots are free for new ones. */
void hs_hops_expire(struct hs_hops *h, const bool *gone);
/* The hop from -> to, or NULL; the table is the caller's to change. */
struct hs_hop *hs_hops_find(const struct hs_hops *h, uint16_t from,
			    uint16_t to);
/* Segment k (0-based: points[k] -> points[k + 1]) of a path, or NULL. */
const struct hs_leg *hs_path_segment(const struct hs_hops *h,
				     const struct hs_path *p, unsigned int k);

/* The interval or the whole run of a leg. */
static inline const struct hs_acc *hs_leg_acc(const struct hs_leg *l,
					      bool total)
{
	return total ? &l->total : &l->interval;
}

#endif /* HS_HOPS_H */
