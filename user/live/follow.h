/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * follow.h - keep the probes on what `hopscope agent` selects while
 * containers and namespaces come and go.
 *
 * A rescan discovers the host's topology, takes the points of the
 * selected namespaces (select.h) and compares them with the points
 * attached: new ones are attached under a free id and announced to the
 * session, vanished ones are detached. A rescan runs when a container
 * runtime says a container started or died (its events stream, read
 * through the descriptor the collector polls), and each rescan period
 * when a cheap sign says something changed (hs_follow_changed: the set of
 * namespaces, a link in the follower's own namespace) or for 5 s after
 * a selected namespace came or went (a new one is given its interfaces
 * just after it appears), and at least every 30 s (or rescan period, if longer) in any
 * case, for what the signs do not show. A full look inspects only containers it has not seen
 * (runtime.h's cache; a start or die event forgets the container).
 *
 * Ids. A detached point is announced as removed once every record it
 * made has been drained; its id is free again only when the session
 * holds nothing of it (hs_session_point_reusable: the match window has
 * passed, its hops expired), so no record or statistic ever refers to
 * two points. Ids are handed out in turn, the longest free first.
 */
#ifndef HS_FOLLOW_H
#define HS_FOLLOW_H

#include <stdbool.h>
#include <stdint.h>
#include "analysis/points.h"
#include "analysis/session.h"
#include "probe/attach.h"
#include "probe/select.h"

struct hs_follow_config {
	const struct hs_selector *sel; /* none: every container */
	unsigned int n_sel;
	uint64_t rescan_ns; /* rescan at least this often */
	uint64_t expire_ns; /* hops of removed points leave after this */
	bool runtime_events; /* follow the runtimes' event streams */
	int hook_set; /* --hooks, enum hs_hook_set */
};

struct hs_follow;

/* NULL on failure, with a message. */
struct hs_follow *hs_follow_new(const struct hs_follow_config *cfg);
void hs_follow_free(struct hs_follow *f);

/* What the follower works on: the collector's. */
struct hs_follow_target {
	struct hs_probes *probes;
	struct hs_point_table *points; /* the session's; unused before it */
	struct hs_session *session; /* NULL before the session starts */
	/* what the probes of ids used again had counted, so that totals
	 * summed over the points never go down; NULL: not kept */
	struct hs_counters *retired;
	/* asked before each point is attached: nonzero stops the scan
	 * there (SIGINT or SIGTERM came); NULL: never */
	int (*stop)(void);
};

/*
 * Scan now and attach every selected point. Before the session starts
 * (t->session NULL, t->points unused) they are only attached: the
 * collector makes its table from the probes; later they go into
 * t->points and are announced. Returns the number of points attached now, or -errno when
 * the topology cannot be read.
 */
int hs_follow_scan(struct hs_follow *f, const struct hs_follow_target *t,
		   uint64_t now);
/*
 * Whether a full look may find what the last one did not: the host's
 * namespaces changed (came, went, named), a link changed in the
 * follower's own namespace, or a runtime is there whose events cannot be
 * followed (topo/change.h). Cheap: what the follower asks each rescan period
 * before it looks fully.
 */
bool hs_follow_changed(struct hs_follow *f);
/* The descriptor to poll for runtime events, -1 if none. */
int hs_follow_fd(const struct hs_follow *f);
/*
 * Once a loop of the collector, after the ring is drained: read what the
 * runtimes said (readable: the descriptor polled ready), rescan when due,
 * announce the points whose records are all in, expire, free ids.
 */
void hs_follow_tick(struct hs_follow *f, const struct hs_follow_target *t,
		    uint64_t now, bool readable);
/* The table entry of an attached point. */
void hs_follow_point_info(struct hs_point_info *dst, const struct hs_point *src);
/* Points attached now. */
unsigned int hs_follow_attached(const struct hs_follow *f);

#endif /* HS_FOLLOW_H */
