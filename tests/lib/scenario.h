/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * scenario.h - one made-up run that touches every line of every output:
 * a chain snd -> vnf1 -> sw (a bridge) -> rcv with an XDP point (a stack
 * hop) and a skipped one, 200 packets of one flow with loss, RFC 4737
 * reordering and a duplicate, a second flow on a path of its own,
 * ring-buffer drops, interface events, a malformed record, warm-up and
 * cool-down, two interval reports, the probes' cost and the final report.
 *
 * The joined variant puts rcv and the bridge's second port on a second
 * host ("network" hops), its clock 3 us off, states how the clocks were
 * joined, and folds three trajectories whose joined delay is below zero.
 *
 * The golden outputs in tests/fixtures/record/scenario.* and
 * tests/fixtures/output/joined.* were written from this scenario by
 * hopscope before the architecture change (commit e25690b); the tests hold
 * every later version to them byte for byte.
 */
#ifndef HS_TEST_SCENARIO_H
#define HS_TEST_SCENARIO_H

#include "analysis/fit.h"
#include "analysis/session.h"
#include "store/runinfo.h"

/* The points, on one host or two (joined). */
void scenario_points(struct hs_point_table *t, bool joined);
/* What the scenario's record file header says. */
void scenario_info(struct hs_run_info *info);
/* The joined variant's clock. */
void scenario_clock(struct hs_join_clock *jc);
/* Every event of the run, in order, into s (made with
 * scenario_info's configuration, or any for the joined one). */
void scenario_feed(struct hs_session *s, bool joined);
/* The joined variant's report --fit: three runs and their fits. */
void scenario_fit(struct hs_fit_run *runs, unsigned int *n,
		  struct hs_fit *fits);
/* The elapsed time a scrape at the end would see. */
#define SCENARIO_ELAPSED_S 0.215

#endif /* HS_TEST_SCENARIO_H */
