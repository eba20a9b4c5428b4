/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * recorder.h - a session's events into a record file (recfile.h), as
 * they happen: each event one frame, so that replaying the frames
 * (replay.h) gives the session exactly what the live run gave it.
 *
 * A write that fails is said once ("measuring goes on"); the run fails at
 * its end, when the file is closed.
 */
#ifndef HS_RECORDER_H
#define HS_RECORDER_H

#include <stdbool.h>
#include "analysis/sink.h"
#include "store/recfile.h"

struct hs_recorder {
	struct hs_rec_writer *w;
	bool said_failed;
};

/* A sink writing to rec->w, which stays the caller's. */
void hs_recorder_sink(struct hs_recorder *rec, struct hs_sink *sink);

#endif /* HS_RECORDER_H */
