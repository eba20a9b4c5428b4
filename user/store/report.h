/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * report.h - `hopscope report`: statistics from record files, offline.
 *
 * One run (one file, or the parts SIGHUP made of one run, in order) is
 * replayed event by event through a session (session.h), so its report is
 * the live run's. Two runs of one chain on two hosts are joined (join.h).
 * With --fit, each run is one point of the chain-length study (fit.h).
 */
#ifndef HS_REPORT_H
#define HS_REPORT_H

#include <stdbool.h>
#include <stdint.h>
#include "analysis/points.h"
#include "store/recfile.h"
#include "store/runinfo.h"
#include "analysis/session.h"

struct hs_report_opts {
	const char *const *files;
	unsigned int n_files;
	const char *json_path; /* NULL, "-" or a file */
	const char *csv_path;
	bool fit;
	/* override what the files say */
	bool warmup_set, cooldown_set;
	uint64_t warmup_ns, cooldown_ns;
};

/* Returns an enum hs_exit. */
int hs_report_files(const struct hs_report_opts *o);

/* ---- shared with join.c ---- */

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
	struct hs_rec_part *part[16];
};

/* Apply one frame to a session. 0, or -EINVAL with err filled when the
 * frame's content does not fit the run. */
int hs_replay_frame(struct hs_session *s, const struct hs_rec_frame *f,
		    char *err, size_t errlen);

/* Join two hosts' runs and report (join.c). Returns an enum hs_exit. */
int hs_join_runs(struct hs_rec_run *a, struct hs_rec_run *b,
		 const struct hs_report_opts *o, struct hs_output *out);

#endif /* HS_REPORT_H */
