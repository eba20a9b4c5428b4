/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * report.h - `hopscope report`: statistics from record files, offline.
 *
 * One run (one file, or the parts SIGHUP made of one run, in order) is
 * replayed event by event (store/replay.h), so its report is the live
 * run's. Two runs of one chain on two hosts are joined (store/join.h).
 * With --fit, each run is one point of the chain-length study
 * (analysis/fit.h).
 */
#ifndef HS_CMD_REPORT_H
#define HS_CMD_REPORT_H

#include <stdbool.h>
#include "store/replay.h"

struct hs_report_opts {
	const char *const *files;
	unsigned int n_files;
	const char *json_path; /* NULL, "-" or a file */
	const char *csv_path;
	bool fit;
	struct hs_replay_overrides change; /* --warmup, --cooldown */
};

/* Returns an enum hs_exit. */
int hs_report_files(const struct hs_report_opts *o);

#endif /* HS_CMD_REPORT_H */
