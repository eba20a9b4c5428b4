/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * shards.h - the matcher split across threads (--collector-threads).
 *
 * Matching is most of what a record costs the collector, and one packet's
 * sightings never need another packet's: so records are dealt to n
 * matchers by their NAT key (the fingerprint where there is none), which
 * no hop changes, so a packet's sightings meet in one shard, across NAT
 * too. Shard 0 runs on the caller's thread, shards 1 .. n-1 on threads of
 * their own, each fed through a queue of its own. Folding stays on the
 * caller's thread: a flow's jitter and reordering need its packets in
 * order, and its packets are in every shard.
 *
 * What the caller sees is what one matcher would give it:
 *   - Every record is handed its shard with the newest time seen so far
 *     across all shards, and the shard closes what that time has passed
 *     before matching it: a trajectory holds exactly the sightings one
 *     matcher would have given it.
 *   - A horizon ends a segment. Each shard's trajectories of a segment are
 *     merged by first sighting (ties: the lower shard first) and handed to
 *     the fold callback, then the advance callback gets the time before
 *     which nothing is open any more, as hs_matcher_open_from() would say.
 *     Where one matcher emits in order of first sighting, as it does but
 *     for a sighting late by nearly the window, the folds are the same,
 *     in the same order; packets first seen in the same nanosecond may
 *     come in another order than one matcher's heap gives them.
 *   - Segments also end every few hundred records (a tick): what is
 *     folded is then still in the caches, and a tick moves nothing on.
 *   - Segments are folded as the shards finish them, up to a few segments
 *     late, so that the shards go on matching while the caller folds;
 *     hs_shards_sync() folds all there is, for a report, the end, or
 *     anything that must see it folded.
 * The result depends on the records and n, never on how the threads ran:
 * a replay with the same n reports what the run reported. Where n
 * changes it: each shard holds capacity / n trajectories, so a full
 * table evicts by shard; and each learns NAT flows only from its own
 * joins (match.h), so where many flows send identical packets at once,
 * a join one matcher would take may be refused as ambiguous.
 */
#ifndef HS_SHARDS_H
#define HS_SHARDS_H

#include <stdint.h>
#include "hopscope.h"
#include "analysis/match.h"

#define HS_SHARDS_MAX 16

/* A segment has been folded: no trajectory still to come starts before
 * open_from. */
typedef void (*hs_advance_fn)(uint64_t open_from, void *ctx);

struct hs_shards;

/* n (2 .. HS_SHARDS_MAX) matchers of capacity / n trajectories each (at
 * least 1) and n - 1 threads. 0, -EINVAL, -ENOMEM, or -(pthread_create's
 * error). */
int hs_shards_new(struct hs_shards **out, unsigned int n, uint32_t capacity,
		  uint64_t window_ns, hs_emit_fn fold, hs_advance_fn advance,
		  void *ctx);
/* Stops the threads; what was not folded is lost (hs_shards_flush first). */
void hs_shards_free(struct hs_shards *sh);

void hs_shards_add(struct hs_shards *sh, const struct hs_record *r);
/* Nothing older than ts is still to come: close what the window has
 * passed; segments the shards have finished are folded. */
void hs_shards_horizon(struct hs_shards *sh, uint64_t ts);
/* Fold every trajectory closed so far; the threads are then idle until
 * the next record, and hs_shards_matcher() may be changed. */
void hs_shards_sync(struct hs_shards *sh);
/* The end: every trajectory still open is emitted (at_end) and folded. */
void hs_shards_flush(struct hs_shards *sh);

unsigned int hs_shards_count(const struct hs_shards *sh);
/* Shard i's matcher: to be changed only just after hs_shards_sync(). */
struct hs_matcher *hs_shards_matcher(struct hs_shards *sh, unsigned int i);
/* As of the last sync: the shards' counters summed, trajectories open. */
const struct hs_match_counters *hs_shards_counters(const struct hs_shards *sh);
uint32_t hs_shards_used(const struct hs_shards *sh);
/* The newest time handed in: a record's or a horizon's. */
uint64_t hs_shards_newest(const struct hs_shards *sh);
/* As of the last fold: hs_matcher_open_from() over all shards. */
uint64_t hs_shards_open_from(const struct hs_shards *sh);
/* Records before ts count as warm-up in every shard (hs_matcher's
 * ignore_before); only just after hs_shards_sync(). */
void hs_shards_ignore_before(struct hs_shards *sh, uint64_t ts);

#endif /* HS_SHARDS_H */
