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
 */
#ifndef HS_MATCH_H
#define HS_MATCH_H

#include <stdint.h>
#include "hopscope.h"

/* A chain of 8 functions crossed at both hooks of every interface takes
 * 18 points; 32 leaves room for switches. */
#define HS_MAX_TRAJ_POINTS 32

struct hs_sighting {
	uint64_t ts_ns;
	uint16_t point;
	uint8_t dups; /* further sightings at this point (saturates) */
};

struct hs_trajectory {
	uint64_t fingerprint;
	uint64_t first_ts;
	uint32_t flow_hash;
	uint32_t heap_pos;
	uint8_t n;
	uint8_t evicted; /* emitted before its window closed: table full */
	uint8_t at_end; /* still open when the run ended */
	/* bit point % 32 of every point in s[]: no other point needs
	 * looking for among them (in what was padding: same size) */
	uint32_t point_bits;
	struct hs_sighting s[HS_MAX_TRAJ_POINTS]; /* s[n] on: not set */
};

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
};

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
	uint32_t *index; /* open addressing on fingerprint: slot + 1, 0 empty */
	uint32_t *heap; /* slot numbers, min-heap on first_ts */
	hs_emit_fn emit;
	void *emit_ctx;
	struct hs_match_counters counters;
};

/* 0, -ENOMEM, or -EINVAL unless 1 <= capacity <= 2^30. */
int hs_matcher_init(struct hs_matcher *m, uint32_t capacity, uint64_t window_ns,
		    hs_emit_fn emit, void *emit_ctx);
void hs_matcher_free(struct hs_matcher *m);
void hs_matcher_add(struct hs_matcher *m, const struct hs_record *r);
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
