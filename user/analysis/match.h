/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * match.h - sightings of one packet at several points become a trajectory.
 *
 * Records are matched by fingerprint in a fixed-capacity table: memory is
 * set by the configuration, never by the traffic. A trajectory is complete
 * when the newest record seen is more than the match window past its first
 * sighting; it is then handed to the emit callback with its sightings in
 * time order, and trajectories are emitted in the order of their first
 * sighting. Records from different CPUs may arrive slightly out of time
 * order: anything within the window is matched. When the table is full the
 * oldest trajectory is emitted early and counted as evicted; nothing is
 * dropped without a counter.
 *
 * NAT. A hop that rewrites addresses or ports changes the fingerprint, so
 * the packet's sightings past it would start a trajectory of their own.
 * Where a record's fingerprint matches nothing, the matcher looks for it
 * by its NAT key (hs_nat_key(): everything but addresses and ports), but
 * only where NAT can have happened: the record's point lies in a NAT zone
 * (hs_matcher_set_nat_zone(): the collector gives every network
 * namespace its own) and the trajectory has a sighting in the same zone
 * and none at the record's point.
 *
 * Packets of many flows can be alike in all NAT keeps (the same payload,
 * IPv4 id 0 as Linux sends unconnected UDP with DF). So the matcher learns
 * from each join which flow became which in that zone (per zone, flow
 * hash to flow hash, both ways), as the kernel's conntrack does, and a
 * candidate whose flow is known to become another is no candidate (the
 * false match it would have been is counted: nat_contradicted). Of the
 * rest, one known to become the record's flow is taken; else exactly one
 * must be left: where two are (two new flows at once), the record joins
 * neither, the refusal is counted (nat_ambiguous), and every trajectory
 * involved is marked nat_unsure, so that none counts as lost. The
 * record's fingerprint then leads to the trajectory too (up to
 * HS_MAX_NAT_ALIASES rewrites on one path), so the hops after the NAT
 * match as any other.
 */
#ifndef HS_MATCH_H
#define HS_MATCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "hopscope.h"

/* A chain of 8 functions crossed at both hooks of every interface takes
 * 18 points; 32 leaves room for switches. */
#define HS_MAX_TRAJ_POINTS 32

struct hs_sighting {
	uint64_t ts_ns;
	uint16_t point;
	uint8_t dups; /* further sightings at this point (saturates) */
	/* the packet's flow hash here: it changes where NAT rewrote it */
	uint32_t flow_hash;
};

/* Fingerprints a trajectory takes on past NAT hops, its first apart. */
#define HS_MAX_NAT_ALIASES 3

struct hs_trajectory {
	uint64_t fingerprint;
	uint64_t nat_key; /* 0: none (a record file of format 1) */
	uint64_t alias[HS_MAX_NAT_ALIASES]; /* alias[0 .. n_alias) */
	uint8_t n_alias;
	uint64_t first_ts;
	uint32_t flow_hash;
	uint32_t heap_pos;
	uint8_t n;
	uint8_t evicted; /* emitted before its window closed: table full */
	uint8_t at_end; /* still open when the run ended */
	/* a NAT join it may have taken was refused as ambiguous: where it
	 * stops short, that is no loss */
	uint8_t nat_unsure;
	/* bit point % 32 of every point in s[]: no other point needs
	 * looking for among them (in what was padding: same size) */
	uint32_t point_bits;
	struct hs_sighting s[HS_MAX_TRAJ_POINTS]; /* s[n] on: not set */
};

/* The bytes of t that hold anything: its sightings past n are not set. */
static inline size_t hs_trajectory_size(const struct hs_trajectory *t)
{
	return offsetof(struct hs_trajectory, s) + t->n * sizeof(t->s[0]);
}

struct hs_match_counters {
	uint64_t records; /* sightings handed in */
	uint64_t trajectories; /* emitted */
	uint64_t evicted; /* emitted early because the table was full */
	uint64_t duplicates; /* a second sighting at the same point */
	uint64_t point_duplicates[HS_MAX_POINTS]; /* the same, per point */
	uint64_t overflow; /* more than HS_MAX_TRAJ_POINTS sightings */
	uint64_t singletons; /* trajectories of one sighting: no hop */
	uint64_t warmup; /* records from before the probes were all armed */
	uint64_t at_end; /* trajectories still open when the run ended */
	uint64_t nat_joined; /* records joined to a trajectory by NAT key */
	/* records that two open trajectories' NAT keys could have taken:
	 * joined to neither */
	uint64_t nat_ambiguous;
	/* joined, but past HS_MAX_NAT_ALIASES rewrites: later sightings of
	 * that fingerprint start a trajectory of their own */
	uint64_t nat_alias_overflow;
	/* candidates whose flow was known to become another flow there: the
	 * false matches the learned flows kept out */
	uint64_t nat_contradicted;
};

/* What the matcher learned a flow became in a NAT zone, both ways. A
 * mapping unconfirmed this long is forgotten (the kernel may have
 * reused the ports). */
#define HS_NAT_FLOW_SLOTS (1u << 14)
#define HS_NAT_FLOW_PROBES 8
#define HS_NAT_FLOW_TTL_NS (120ULL * 1000000000ULL)

struct hs_nat_flow {
	uint64_t key; /* zone << 32 | flow hash; 0 free */
	uint64_t ts; /* last confirmed */
	uint32_t other; /* the flow hash it becomes, or came from */
	uint32_t __pad;
};

/* Hosts whose records one matcher may join (analysis/points.h's
 * HS_MAX_HOSTS). */
#define HS_MATCH_MAX_HOSTS 8

/* The index's entries keep the slot in their low 30 bits. */
#define HS_MATCH_MAX_CAPACITY ((1u << 29) - 1)

typedef void (*hs_emit_fn)(const struct hs_trajectory *t, void *ctx);

struct hs_matcher {
	uint32_t capacity; /* trajectories in flight */
	uint32_t used;
	uint32_t index_mask; /* index has index_mask + 1 entries */
	uint64_t window_ns;
	uint64_t newest_ts;
	/* records before this time are counted as warmup and not matched:
	 * while probes attach one by one, early packets miss early points */
	uint64_t ignore_before;
	struct hs_trajectory *slots;
	uint32_t *free_list; /* free slot numbers, a stack */
	uint32_t n_free;
	/* open addressing on fingerprint: (which << 30) | (slot + 1), 0
	 * empty; which: 0 the trajectory's fingerprint, k its alias k - 1 */
	uint32_t *index;
	/* open addressing on NAT key, trajectories with one: slot + 1 */
	uint32_t *nat_index;
	/* per point, its NAT zone; 0: no NAT is looked for there */
	uint32_t nat_zone[HS_MAX_POINTS];
	struct hs_nat_flow *nat_flows; /* HS_NAT_FLOW_SLOTS */
	/* several hosts' records joined (hs_matcher_set_host()): a
	 * trajectory's sightings on two hosts closer in time than their
	 * clocks can be trusted are put in the order a packet takes, out of
	 * one host at an egress hook and into the next at an ingress one */
	bool joined;
	uint8_t point_host[HS_MAX_POINTS];
	bool point_egress[HS_MAX_POINTS];
	int64_t host_slack[HS_MATCH_MAX_HOSTS][HS_MATCH_MAX_HOSTS];
	uint32_t *heap; /* slot numbers, min-heap on first_ts */
	hs_emit_fn emit;
	void *emit_ctx;
	struct hs_match_counters counters;
};

/* 0, -ENOMEM, or -EINVAL unless 1 <= capacity <= HS_MATCH_MAX_CAPACITY. */
int hs_matcher_init(struct hs_matcher *m, uint32_t capacity, uint64_t window_ns,
		    hs_emit_fn emit, void *emit_ctx);
void hs_matcher_free(struct hs_matcher *m);
void hs_matcher_add(struct hs_matcher *m, const struct hs_record *r);
/* Records at point may have crossed NAT from another point of zone (not
 * 0); 0 takes the point out of every zone. */
void hs_matcher_set_nat_zone(struct hs_matcher *m, uint16_t point,
			     uint32_t zone);
/* Point is on host (< HS_MATCH_MAX_HOSTS), at an egress hook or not. */
void hs_matcher_set_host(struct hs_matcher *m, uint16_t point, uint8_t host,
			 bool egress);
/* Delays from host a to host b are uncertain by slack_ns (0: trusted). */
void hs_matcher_set_slack(struct hs_matcher *m, uint8_t a, uint8_t b,
			  int64_t slack_ns);
/* Emit every trajectory whose window has closed. */
void hs_matcher_expire(struct hs_matcher *m);
/* The earliest first sighting a trajectory not yet emitted can have. */
uint64_t hs_matcher_open_from(const struct hs_matcher *m);
/* Emit everything still in flight (end of run), marked at_end: such a
 * trajectory may be a packet still on its way, never a loss. */
void hs_matcher_flush(struct hs_matcher *m);
/* Bytes of memory the matcher holds. */
uint64_t hs_matcher_bytes(const struct hs_matcher *m);

#endif /* HS_MATCH_H */
