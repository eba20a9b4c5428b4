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
 * every later version to them byte for byte. Changed once on purpose
 * since, when loss learned the topology (issue 14): the side flow stops at
 * vnf1:eth1's egress, whose veth peer sw:p1 is measured, so each of its
 * packets is lost on that wire (a path no packet got through), and so are
 * the joined variant's three trajectories that stop at sw:p2's egress.
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
/*
 * Churn: the chain snd -> vnf1 -> rcv (points 0..3) carries a flow all
 * along, while containers come and go behind rcv: container c is point
 * 4 + c % 2, added at the start of its 300 ms, sent to for 100 ms (its
 * hop from rcv takes 1000 + 500 c ns), removed at 110 ms, and let go
 * expire_ns later, so that its id is free again for container c + 2.
 * Drains every 10 ms, each followed by hs_session_expire; an interval
 * report per container, the final one at the end. t is the session's
 * table, which the scenario fills as points come. 0, or -1 when an id
 * was not free when its turn came (or adding or removing it failed).
 */
void scenario_churn_points(struct hs_point_table *t);
int scenario_churn_feed(struct hs_session *s, struct hs_point_table *t,
			unsigned int cycles, uint64_t expire_ns);

/* The elapsed time a scrape at the end would see. */
#define SCENARIO_ELAPSED_S 0.215

#endif /* HS_TEST_SCENARIO_H */
