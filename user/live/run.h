/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * run.h - one measurement from start to end: check the kernel and our
 * privileges, resolve the points, attach, collect, report, detach.
 * Shared by `hopscope run` and `hopscope demo`.
 */
#ifndef HS_RUN_H
#define HS_RUN_H

#include <stdbool.h>
#include "live/collect.h"
#include "live/follow.h"
#include "probe/attach.h"
#include "probe/resolve.h"

struct hs_run_opts {
	struct hs_selection select; /* --point, --netns, --between */
	/* `hopscope agent`: follow this selection as it changes, instead
	 * of select's fixed points; NULL for run and demo */
	const struct hs_follow_config *follow;
	struct hs_probe_config probe;
	struct hs_collect_config collect;
	const char *json_path; /* NULL, "-" or a file */
	const char *csv_path; /* NULL, "-" or a file */
	const char *metrics; /* [ADDR:]PORT of a Prometheus endpoint, or NULL */
	bool table;
	/* called from the collector's loop when measuring starts, a match
	 * window after everything is attached; the demo starts its traffic
	 * here. Nonzero return aborts the run. */
	int (*on_attached)(void *ctx);
	void *ctx;
	/* once measuring starts, keep only the capabilities still needed
	 * (hs_run_least_privilege()): run and agent, whose process ends with
	 * the run; not the demo or the study, which build testbeds after */
	bool drop_caps;
};

/* Fail with a message when the kernel or our privileges cannot do it. */
int hs_run_preflight(void);
/* The same for `hopscope topo`, which needs no BPF. */
int hs_run_preflight_topo(void);
/* Returns an enum hs_exit. */
int hs_run(const struct hs_run_opts *o);
/* Keep only the capabilities a run still needs once its probes are
 * attached (the agent: what attaching new containers' points needs), in
 * the effective, permitted and bounding sets. 0, or -1 with a warning. */
int hs_run_least_privilege(bool follow);

#endif /* HS_RUN_H */
