/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * collect.h - the live event loop: records out of the ring buffer, into
 * the session (session.h), out as reports, a record file and metrics.
 *
 * One epoll over the ring buffer (readable only when a probe passes the
 * wake-up threshold), a timerfd that drains the ring on a fixed period and
 * paces the reports, a signalfd for SIGINT, SIGTERM and SIGHUP, and the
 * metrics endpoint's descriptor. The caller blocks those signals before it
 * starts anything (see hs_collect_block_signals) so that they are only
 * ever read here. SIGHUP starts the record file afresh (log rotation).
 */
#ifndef HS_COLLECT_H
#define HS_COLLECT_H

#include <stdint.h>
#include "core/clock.h"
#include "analysis/session.h"
#include "live/follow.h"
#include "live/watch.h"
#include "output/http.h"
#include "output/output.h"
#include "probe/attach.h"
#include "store/parts.h"
#include "store/runinfo.h"

struct hs_collect_config {
	double duration_s; /* 0: until a signal */
	double interval_s; /* 0: only the final summary */
	struct hs_session_config session; /* window, table, warmup, cooldown */
	uint32_t drain_ms; /* timer period */
	enum hs_clock clock; /* what the probes stamp with */
	const char *write_path; /* record file or directory, NULL: none */
	/* write_path is a directory of parts (parts.h), rotated by rotate */
	bool write_dir;
	struct hs_rotate_policy rotate; /* zeros: not given */
	bool rotate_given; /* --rotate (not only --keep) given */
	/* the record file's header: sample and filter are the caller's,
	 * the rest is filled in here */
	struct hs_run_info info;
	struct hs_metrics *metrics; /* NULL: none */
	/* called from the loop once measuring starts, a match window after
	 * the probes are attached (so every packet from then on is seen at
	 * every point); the duration counts from then. Nonzero aborts. */
	int (*on_ready)(void *ctx);
	void *ready_ctx;
	struct hs_watch *watch; /* told of link changes; looks once a second */
	/* the agent: points come and go with what it follows; NULL: the
	 * points stay as attached */
	struct hs_follow *follow;
};

/* Block SIGINT, SIGTERM and SIGHUP; returns 0 or -errno. */
int hs_collect_block_signals(void);
/* 1 if SIGINT or SIGTERM is pending (for setup phases before the loop), or
 * stopped a run already (for commands that run several). */
int hs_collect_stop_pending(void);

/*
 * Run until the duration passes or SIGINT/SIGTERM arrives, then drain
 * everything, flush the matcher and write the final report. Returns 0 or
 * -errno; the probes stay attached (the caller detaches).
 */
int hs_collect_run(struct hs_probes *probes,
		   const struct hs_collect_config *cfg, struct hs_output *out);

#endif /* HS_COLLECT_H */
