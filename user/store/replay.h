/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * replay.h - a run's record files back into a session, event by event, so
 * that its statistics are those the live run had.
 *
 * A run is one file, or the parts SIGHUP made of it (one run id, part
 * numbers in order); a later part alone starts in the middle of its run.
 * A truncated or corrupt file is replayed up to the damage.
 */
#ifndef HS_REPLAY_H
#define HS_REPLAY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "analysis/session.h"
#include "analysis/sink.h"
#include "store/recfile.h"
#include "store/runinfo.h"

/* One record file: its header and its reader. */
struct hs_rec_part {
	const char *path;
	struct hs_rec_reader *reader;
	struct hs_run_info info;
	struct hs_point_table *points;
};

/* The parts of one run, in order. */
struct hs_rec_run {
	unsigned int n;
	struct hs_rec_part *part[64]; /* as many as report takes files */
};

/* What a report may change of the configuration a file recorded. */
struct hs_replay_overrides {
	bool warmup_set, cooldown_set;
	uint64_t warmup_ns, cooldown_ns;
	uint32_t threads; /* 0: as the run had them */
};

/* cfg with o's changes (o may be NULL: none). */
void hs_replay_overrides_apply(struct hs_session_config *cfg,
			       const struct hs_replay_overrides *o);

/* Open path and read its header into *pp (free it with
 * hs_rec_part_free, also on failure). 0, or -errno with a message
 * printed: -EIO for damage, -ENOMEM, anything else a file that is not
 * one (bad usage). */
int hs_rec_part_open(const char *path, struct hs_rec_part **pp);
void hs_rec_part_free(struct hs_rec_part *p);
/* Files of one run (one run id) go together, in part order. 0, or -E2BIG
 * with a message printed. */
int hs_rec_runs_group(struct hs_rec_part **parts, unsigned int n,
		      struct hs_rec_run *runs, unsigned int max_runs,
		      unsigned int *n_runs);
/* Every part of a run must describe the same points (a missing part is
 * only warned of). 0, or -EINVAL with a message printed. */
int hs_rec_run_check(const struct hs_rec_run *run);

/* Apply one frame to a session. 0, or -EINVAL with err filled when the
 * frame's content does not fit the run. */
int hs_replay_frame(struct hs_session *s, const struct hs_rec_frame *f,
		    char *err, size_t errlen);
/* Make s for replaying run: its configuration, with o's changes (if
 * o). The caller adds the sinks. 0, or -ENOMEM with a message printed. */
int hs_replay_session(const struct hs_rec_run *run,
		      const struct hs_replay_overrides *o,
		      struct hs_session *s);
/* Replay the run's frames into s (from hs_replay_session). A run cut
 * short is reported to its last record. The session stays for the
 * caller to read and free. Returns an enum hs_exit: 1 when a file was
 * truncated or corrupt, said last. */
int hs_replay_run(const struct hs_rec_run *run, struct hs_session *s);

#endif /* HS_REPLAY_H */
