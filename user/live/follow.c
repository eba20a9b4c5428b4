// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/epoll.h>
#include "core/hooks.h"
#include "core/log.h"
#include "live/follow.h"
#include "topo/runtime.h"
#include "topo/topo.h"
#include "topo/change.h"

/* Records reserved before a probe was detached are submitted within
 * this; the ring drained after it holds all of them. */
#define HS_DETACH_SLACK_NS 2000000ULL
/* A full look at least this often (or each rescan period if longer),
 * whatever the cheap signs say: for what they cannot see. */
#define HS_FULL_LOOK_NS 30000000000ULL
/* After a selected namespace came or went, full looks each period for
 * this long: a new namespace is often given its interfaces just after it
 * appears, by means the cheap signs may not see (ip -n A link add ...
 * peer netns B). Others' namespaces coming and going do not start it. */
#define HS_SETTLE_NS 5000000000ULL

enum slot_state {
	SLOT_FREE = 0,
	SLOT_LIVE, /* attached */
	SLOT_DETACHED, /* records may still be in the ring */
	SLOT_REMOVED, /* announced; the session may still refer to it */
};

struct slot {
	enum slot_state state;
	uint64_t since; /* detached at */
	struct hs_netns ns; /* the probe's: name and inode, fd while needed */
	bool seen; /* in the latest scan */
	bool used; /* has had a point: its counters hold its counts */
};

struct hs_follow {
	struct hs_follow_config cfg;
	struct hs_selector sel[16];
	uint64_t next_scan; /* the next cheap look */
	uint64_t next_full; /* the next full look in any case */
	bool scan_due;
	/* what makes a look cheap: containers inspected before, and the
	 * signs of a change since the last full look (topo/change.h) */
	struct hs_container_cache containers;
	struct hs_topo_watch *watch;
	uint64_t ns_digest;
	uint64_t selected_sum; /* of the selected namespaces' inodes */
	uint64_t settle_until; /* full looks each period until then */
	unsigned int n_live;
	/* the runtimes' events, inside an epoll set of our own so that the
	 * collector's descriptor stays when a stream is opened again */
	int epfd;
	struct hs_runtimes runtimes;
	struct hs_runtime_events *events;
	uint64_t event_ns; /* the start that asked for the pending scan */
	struct slot slots[HS_MAX_POINTS];
	struct hs_point_spec want[HS_MAX_POINTS];
};

void hs_follow_point_info(struct hs_point_info *dst, const struct hs_point *src)
{
	memset(dst, 0, sizeof(*dst));
	dst->id = src->id;
	dst->hook = (uint8_t)src->hook;
	dst->skipped = src->skipped;
	snprintf(dst->netns, sizeof(dst->netns), "%s", src->ns->name);
	dst->container = src->ns->container;
	dst->link = src->link;
	snprintf(dst->xdp_mode, sizeof(dst->xdp_mode), "%s",
		 src->xdp_mode ? src->xdp_mode : "");
	dst->prog_id = src->prog_id;
}

/* The runtimes' event streams, opened (again); none found is no error:
 * the rescans still find namespaces, and a runtime started later is
 * looked for at each of them. */
static void events_open(struct hs_follow *f)
{
	struct epoll_event ee = { .events = EPOLLIN };

	if (!hs_runtimes_find(&f->runtimes))
		return;
	f->events = hs_runtime_events_open(&f->runtimes);
	if (!f->events) {
		pr_warn("cannot follow the container runtimes' events (%s): rescanning every period only",
			strerror(errno));
		return;
	}
	ee.data.fd = hs_runtime_events_fd(f->events);
	if (epoll_ctl(f->epfd, EPOLL_CTL_ADD, ee.data.fd, &ee)) {
		pr_warn("epoll_ctl: %s: rescanning every period only",
			strerror(errno));
		hs_runtime_events_close(f->events);
		f->events = NULL;
		return;
	}
	pr_debug("following the events of %u container runtime(s)",
		 f->runtimes.n);
}

static void events_close(struct hs_follow *f)
{
	if (!f->events)
		return;
	epoll_ctl(f->epfd, EPOLL_CTL_DEL, hs_runtime_events_fd(f->events),
		  NULL);
	hs_runtime_events_close(f->events);
	f->events = NULL;
}

/* A container started or died: scan now. A stream that ended (its
 * daemon stopped) is opened again at the next scan. */
static void events_read(struct hs_follow *f)
{
	struct hs_container_event ev[32];
	int i, n;

	while (f->events &&
	       (n = hs_runtime_events_read(f->events, ev, 32)) != 0) {
		if (n < 0) {
			pr_warn("a container runtime's event stream ended; looking for it again at each scan");
			events_close(f);
			break;
		}
		for (i = 0; i < n; i++) {
			pr_debug("%s %s %s", ev[i].runtime, ev[i].name,
				 ev[i].action);
			/* a new process, or none: inspect it again */
			hs_container_cache_forget(&f->containers, ev[i].runtime,
						  ev[i].id);
			if (!f->scan_due && !strcmp(ev[i].action, "start"))
				f->event_ns = ev[i].time_ns;
			f->scan_due = true;
		}
		if (n < 32)
			break;
	}
}

struct hs_follow *hs_follow_new(const struct hs_follow_config *cfg)
{
	struct hs_follow *f = calloc(1, sizeof(*f));

	if (!f) {
		pr_err("out of memory");
		return NULL;
	}
	if (cfg->n_sel > sizeof(f->sel) / sizeof(f->sel[0])) {
		pr_err("more than %zu --select words",
		       sizeof(f->sel) / sizeof(f->sel[0]));
		free(f);
		return NULL;
	}
	f->cfg = *cfg;
	memcpy(f->sel, cfg->sel, cfg->n_sel * sizeof(*cfg->sel));
	f->cfg.sel = f->sel;
	f->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (f->epfd < 0) {
		pr_err("epoll_create1: %s", strerror(errno));
		free(f);
		return NULL;
	}
	if (cfg->runtime_events)
		events_open(f);
	f->watch = hs_topo_watch_new();
	return f;
}

void hs_follow_free(struct hs_follow *f)
{
	unsigned int i;

	if (!f)
		return;
	for (i = 0; i < HS_MAX_POINTS; i++)
		hs_netns_close(&f->slots[i].ns);
	events_close(f);
	hs_topo_watch_free(f->watch);
	hs_container_cache_free(&f->containers);
	if (f->epfd >= 0)
		close(f->epfd);
	free(f);
}

int hs_follow_fd(const struct hs_follow *f)
{
	return f->epfd;
}

unsigned int hs_follow_attached(const struct hs_follow *f)
{
	return f->n_live;
}

/* The attached point that is want, or -1. */
static int find_live(const struct hs_follow *f, const struct hs_probes *p,
		     const struct hs_point_spec *want)
{
	unsigned int i;

	for (i = 0; i < p->n; i++) {
		const struct hs_point *pt = &p->points[i];

		if (f->slots[i].state == SLOT_LIVE &&
		    f->slots[i].ns.inode == want->ns->inode &&
		    pt->link.ifindex == want->link.ifindex &&
		    pt->hook == want->hook)
			return (int)i;
	}
	return -1;
}

/* The lowest free id. Free means nothing refers to it any more, so any
 * free id is safe; the lowest keeps the ids in use, and so the pages of
 * every table indexed by point id that are ever touched, as few as the
 * points live and waiting to expire at once, however long the churn
 * goes on (make soak). */
static int free_id(const struct hs_follow *f)
{
	unsigned int i;

	for (i = 0; i < HS_MAX_POINTS; i++)
		if (f->slots[i].state == SLOT_FREE)
			return (int)i;
	return -1;
}

/* A copy of the namespace the probe can keep: name and inode, and its
 * own descriptor for the attach. */
static int ns_copy(struct hs_netns *dst, const struct hs_netns *src)
{
	*dst = *src;
	dst->fd = src->fd >= 0 ? dup(src->fd) : -1;
	if (src->fd >= 0 && dst->fd < 0)
		return -errno;
	return 0;
}

/* The counts of the point an id had, kept before the id is used again
 * (adding a point starts its counters at zero). */
static void retire_counters(const struct hs_follow_target *t, uint16_t id)
{
	struct hs_counters old;

	if (!t->retired || hs_probes_counters(t->probes, id, &old))
		return;
	hs_counters_add(t->retired, &old);
}

static int attach_one(struct hs_follow *f, const struct hs_follow_target *t,
		      const struct hs_point_spec *want)
{
	struct hs_point_spec spec = *want;
	int id = free_id(f);
	struct slot *s;

	if (id < 0) {
		pr_warn("no free point id for %s:%s@%s: %d points are in use or waiting to expire",
			want->ns->name, want->link.ifname,
			hs_hook_name(want->hook), HS_MAX_POINTS);
		return -E2BIG;
	}
	s = &f->slots[id];
	if (s->used)
		retire_counters(t, (uint16_t)id);
	if (ns_copy(&s->ns, want->ns))
		return -errno;
	spec.ns = &s->ns;
	if (hs_probes_add(t->probes, &spec, (uint16_t)id)) {
		hs_netns_close(&s->ns);
		return -EIO;
	}
	/* a bpf_link needs no namespace to detach; clsact does */
	if (t->probes->points[id].attached != HS_ATTACHED_CLSACT &&
	    s->ns.fd >= 0) {
		close(s->ns.fd);
		s->ns.fd = -1;
	}
	s->state = SLOT_LIVE;
	s->seen = true;
	s->used = true;
	f->n_live++;
	return id;
}

static void detach_one(struct hs_follow *f, const struct hs_follow_target *t,
		       unsigned int id, uint64_t now)
{
	struct slot *s = &f->slots[id];

	hs_probes_remove(t->probes, (uint16_t)id);
	hs_netns_close(&s->ns);
	s->state = SLOT_DETACHED;
	s->since = now;
	f->n_live--;
}

/* Attach what is wanted and not attached; note what still is. */
static int attach_wanted(struct hs_follow *f, const struct hs_follow_target *t,
			 unsigned int n_want, uint64_t now)
{
	unsigned int i, added = 0;
	int id;

	for (i = 0; i < n_want; i++) {
		if (t->stop && t->stop())
			break;
		id = find_live(f, t->probes, &f->want[i]);
		if (id >= 0) {
			f->slots[id].seen = true;
			continue;
		}
		id = attach_one(f, t, &f->want[i]);
		if (id < 0)
			continue;
		added++;
		/* before the session, the collector makes its table from
		 * the probes */
		if (!t->session)
			continue;
		hs_follow_point_info(&t->points->p[id],
				     &t->probes->points[id]);
		if (t->points->n <= (unsigned int)id)
			t->points->n = (unsigned int)id + 1;
		hs_session_point_added(t->session, (uint16_t)id, now);
	}
	return (int)added;
}

/* The selected namespaces, as one number: a namespace selected or let
 * go changes it. */
static uint64_t selected_sum(const struct hs_follow *f,
			     const struct hs_topo *topo)
{
	uint64_t sum = 0;
	unsigned int i;

	for (i = 0; i < topo->n_ns; i++)
		if (hs_select_match(f->cfg.sel, f->cfg.n_sel, &topo->ns[i]))
			sum += topo->ns[i].ns.inode * 0x9e3779b97f4a7c15ULL;
	return sum;
}

int hs_follow_scan(struct hs_follow *f, const struct hs_follow_target *t,
		   uint64_t now)
{
	struct hs_topo_opts to = { .processes = true,
				   .containers = &f->containers };
	struct hs_topo topo = {};
	unsigned int i, removed = 0;
	uint64_t sum;
	int n, added;

	/* the signs first: what changes during the look shows next time */
	if (f->watch)
		hs_topo_watch_links(f->watch);
	f->ns_digest = hs_topo_ns_digest();
	if (hs_topo_discover(&topo, &to))
		return -EIO;
	sum = selected_sum(f, &topo);
	if (sum != f->selected_sum)
		f->settle_until = now + HS_SETTLE_NS;
	f->selected_sum = sum;
	n = hs_select_points(&topo, f->cfg.sel, f->cfg.n_sel,
			     (enum hs_hook_set)f->cfg.hook_set, f->want,
			     HS_MAX_POINTS);
	if (n < 0) {
		pr_warn("the selection has more than %d points; following the first of them",
			HS_MAX_POINTS);
		n = HS_MAX_POINTS;
	}
	for (i = 0; i < HS_MAX_POINTS; i++)
		f->slots[i].seen = false;
	added = attach_wanted(f, t, (unsigned int)n, now);
	for (i = 0; i < HS_MAX_POINTS; i++)
		if (f->slots[i].state == SLOT_LIVE && !f->slots[i].seen) {
			detach_one(f, t, i, now);
			removed++;
		}
	hs_topo_free(&topo);
	if (added || removed)
		pr_info("following %u points: %d attached, %u detached",
			f->n_live, added, removed);
	f->scan_due = false;
	f->next_scan = now + f->cfg.rescan_ns;
	f->next_full = now + (f->cfg.rescan_ns > HS_FULL_LOOK_NS ?
				      f->cfg.rescan_ns :
				      HS_FULL_LOOK_NS);
	return added;
}

/* Detached points whose records are all drained are announced; removed
 * ones the session holds nothing of are free. */
static void settle(struct hs_follow *f, const struct hs_follow_target *t,
		   uint64_t now)
{
	unsigned int i;

	for (i = 0; i < HS_MAX_POINTS; i++) {
		struct slot *s = &f->slots[i];

		if (s->state == SLOT_DETACHED &&
		    now - s->since > HS_DETACH_SLACK_NS) {
			hs_session_point_removed(t->session, (uint16_t)i,
						 s->since);
			s->state = SLOT_REMOVED;
		}
		if (s->state == SLOT_REMOVED &&
		    hs_session_point_reusable(t->session, (uint16_t)i))
			s->state = SLOT_FREE;
	}
}

/* How long after the runtime's start event its points were attached:
 * the agent's attach latency, in the log. */
static void note_latency(struct hs_follow *f, int added)
{
	struct timespec ts;
	int64_t ms;

	if (!f->event_ns || added <= 0 ||
	    clock_gettime(CLOCK_REALTIME, &ts))
		return;
	ms = ((int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec -
	      (int64_t)f->event_ns) / 1000000;
	pr_info("%d points attached %lld ms after a container started", added,
		(long long)ms);
}

bool hs_follow_changed(struct hs_follow *f)
{
	/* drained each time, so one change asks for one full look */
	bool links = !f->watch || hs_topo_watch_links(f->watch);
	/* a runtime whose events cannot be followed says nothing of its
	 * containers: only a full look sees them */
	bool blind = f->cfg.runtime_events && !f->events && f->runtimes.n;
	bool ns = hs_topo_ns_digest() != f->ns_digest;

	if (ns || links || blind)
		pr_debug("looking again:%s%s%s",
			 ns ? " namespaces changed" : "",
			 links ? " links changed" : "",
			 blind ? " a runtime without events" : "");
	return ns || links || blind;
}

/* Each rescan period: a full look if it is due or a sign says something
 * changed; a runtime that came up (its stream opened now) is looked at. */
static void periodic(struct hs_follow *f, uint64_t now)
{
	if (!f->events && f->cfg.runtime_events) {
		events_open(f);
		if (f->events)
			f->scan_due = true;
	}
	if (now >= f->next_full || now < f->settle_until ||
	    hs_follow_changed(f))
		f->scan_due = true;
	f->next_scan = now + f->cfg.rescan_ns;
}

void hs_follow_tick(struct hs_follow *f, const struct hs_follow_target *t,
		    uint64_t now, bool readable)
{
	int added;

	if (readable)
		events_read(f);
	if (!f->scan_due && now >= f->next_scan)
		periodic(f, now);
	if (f->scan_due) {
		added = hs_follow_scan(f, t, now);
		note_latency(f, added);
		f->event_ns = 0;
	}
	hs_session_expire(t->session, now, f->cfg.expire_ns);
	settle(f, t, now);
}
