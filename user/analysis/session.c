// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <errno.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include "analysis/session.h"

/* Trajectories waiting out the cooldown, in the order they were closed:
 * a ring that grows up to 32 MiB. */
#define HS_COOLDOWN_MAX ((uint32_t)((32u << 20) / sizeof(struct hs_trajectory)))

struct cooldown {
	uint32_t head, n, cap;
	struct hs_trajectory *q;
};

static void fold(struct hs_session *s, const struct hs_trajectory *t)
{
	hs_hops_fold(t, &s->hops);
}

static struct hs_trajectory *cooldown_front(struct cooldown *c)
{
	return c->n ? &c->q[c->head] : NULL;
}

static void cooldown_pop(struct cooldown *c)
{
	c->n--;
	/* empty: start again at the first slot (a slow stream keeps to the
	 * queue's first pages instead of walking all of it resident) */
	c->head = c->n ? (c->head + 1) % c->cap : 0;
}

static bool cooldown_grow(struct cooldown *c)
{
	uint32_t cap = c->cap ? 2 * c->cap : 1024, i;
	struct hs_trajectory *q;

	if (cap > HS_COOLDOWN_MAX)
		cap = HS_COOLDOWN_MAX;
	if (cap <= c->cap)
		return false;
	q = malloc(cap * sizeof(*q));
	if (!q)
		return false;
	for (i = 0; i < c->n; i++)
		q[i] = c->q[(c->head + i) % c->cap];
	free(c->q);
	c->q = q;
	c->head = 0;
	c->cap = cap;
	return true;
}

/* Hold t until it is cooldown_ns old; when the queue is full the oldest
 * is folded early, and counted. */
static void cooldown_push(struct hs_session *s, const struct hs_trajectory *t)
{
	struct cooldown *c = s->cooldown;

	if (c->n == c->cap && !cooldown_grow(c)) {
		s->counters.cooldown_overflow++;
		if (!c->n) {
			fold(s, t); /* no queue at all */
			return;
		}
		fold(s, cooldown_front(c));
		cooldown_pop(c);
	}
	/* a trajectory from the shards holds only its sightings */
	memcpy(&c->q[(c->head + c->n) % c->cap], t, hs_trajectory_size(t));
	c->n++;
}

/* Fold what showed up more than cooldown_ns before the newest packet:
 * it cannot be in the stream's tail. */
static void cooldown_release(struct hs_session *s)
{
	struct cooldown *c = s->cooldown;
	struct hs_trajectory *t;

	while ((t = cooldown_front(c)) &&
	       t->first_ts + s->cfg.cooldown_ns < s->stream_last) {
		fold(s, t);
		cooldown_pop(c);
	}
}

/* The matcher's emit callback: left out, held back or folded. */
static void on_trajectory(const struct hs_trajectory *t, void *ctx)
{
	struct hs_session *s = ctx;

	if (!s->stream_first)
		s->stream_first = t->first_ts;
	if (t->first_ts > s->stream_last)
		s->stream_last = t->first_ts;
	if (t->first_ts < s->stream_first + s->cfg.warmup_ns) {
		s->counters.left_out_warmup++;
		return;
	}
	if (!s->cooldown) {
		fold(s, t);
		return;
	}
	cooldown_push(s, t);
	cooldown_release(s);
}

/* The shards' advance callback: a segment has been folded. */
static void on_advance(uint64_t open_from, void *ctx)
{
	struct hs_session *s = ctx;

	if (!s->cooldown)
		hs_hops_advance(&s->hops, open_from);
}

/* Every matcher: the one, or each shard's (after a sync). */
static unsigned int n_matchers(const struct hs_session *s)
{
	return s->shards ? hs_shards_count(s->shards) : 1;
}

static struct hs_matcher *matcher_at(struct hs_session *s, unsigned int i)
{
	return s->shards ? hs_shards_matcher(s->shards, i) : &s->matcher;
}

#define for_each_matcher(s, m)                              \
	for (unsigned int _i = 0; _i < n_matchers(s); _i++) \
		for (struct hs_matcher *m = matcher_at(s, _i); m; m = NULL)

/* Everything the matchers have closed is folded, and they are idle. */
static void settle(struct hs_session *s)
{
	if (s->shards)
		hs_shards_sync(s->shards);
}

static int matchers_init(struct hs_session *s)
{
	const struct hs_session_config *c = &s->cfg;

	if (c->threads > 1)
		return hs_shards_new(&s->shards, c->threads, c->max_inflight,
				     c->window_ns, on_trajectory, on_advance,
				     s);
	return hs_matcher_init(&s->matcher, c->max_inflight, c->window_ns,
			       on_trajectory, s);
}

static void set_nat_zone(struct hs_session *s, uint16_t id)
{
	for_each_matcher(s, m)
		hs_matcher_set_nat_zone(m, id,
					hs_points_nat_zone(s->points, id));
}

/* Where a packet must go from point id (points.h): nowhere sure from or
 * to an id let go, whose line in the table stays until it is taken
 * again. */
static uint16_t successor_of(const struct hs_session *s, uint16_t id)
{
	uint16_t next;

	if (s->point_state[id] == HS_POINT_FREE)
		return HS_NO_POINT;
	next = hs_points_successor(s->points, id);
	return next != HS_NO_POINT && s->point_state[next] == HS_POINT_FREE ?
		       HS_NO_POINT :
		       next;
}

/* Every point's successor: again whenever a point comes or goes, since a
 * successor may be either. At most HS_MAX_POINTS squared steps, only
 * then. */
static void successors_update(struct hs_session *s)
{
	unsigned int i;

	for (i = 0; i < s->points->n && i < HS_MAX_POINTS; i++)
		hs_hops_set_successor(&s->hops, (uint16_t)i,
				      successor_of(s, (uint16_t)i));
}

int hs_session_init(struct hs_session *s, const struct hs_session_config *c,
		    const struct hs_point_table *points)
{
	int err;

	unsigned int i;

	memset(s, 0, sizeof(*s));
	s->cfg = *c;
	s->points = points;
	for (i = 0; i < HS_MAX_POINTS; i++)
		s->point_state[i] = i < points->n && !points->p[i].absent ?
					    HS_POINT_LIVE :
					    HS_POINT_FREE;
	err = hs_hops_init(&s->hops, c->window_ns);
	if (!err)
		err = matchers_init(s);
	for (i = 0; !err && i < points->n; i++)
		if (!points->p[i].absent)
			set_nat_zone(s, (uint16_t)i);
	if (!err)
		successors_update(s);
	if (!err && c->cooldown_ns) {
		s->cooldown = calloc(1, sizeof(struct cooldown));
		if (!s->cooldown)
			err = -ENOMEM;
	}
	if (err)
		hs_session_free(s);
	return err;
}

int hs_session_add_sink(struct hs_session *s, const struct hs_sink *sink)
{
	if (s->n_sinks == HS_SESSION_SINKS)
		return -E2BIG;
	s->sinks[s->n_sinks++] = *sink;
	return 0;
}

void hs_session_free(struct hs_session *s)
{
	struct cooldown *c = s->cooldown;

	if (s->shards)
		hs_shards_free(s->shards);
	else
		hs_matcher_free(&s->matcher);
	s->shards = NULL;
	hs_hops_free(&s->hops);
	if (c)
		free(c->q);
	free(c);
	s->cooldown = NULL;
}

/* Every sink that takes this event: k, the sink, in its turn. */
#define for_each_sink(s, k, event)                                          \
	for (struct hs_sink *k = (s)->sinks; k < (s)->sinks + (s)->n_sinks; \
	     k++)                                                           \
		if (k->event)

void hs_session_armed(struct hs_session *s, uint64_t ts)
{
	for_each_sink(s, k, armed)
		k->armed(k->ctx, ts);
	settle(s);
	if (s->shards)
		hs_shards_ignore_before(s->shards, ts);
	else
		s->matcher.ignore_before = ts;
}

void hs_session_ready(struct hs_session *s, uint64_t ts)
{
	for_each_sink(s, k, ready)
		k->ready(k->ctx, ts, s->points);
}

int hs_session_point_added(struct hs_session *s, uint16_t id, uint64_t ts)
{
	if (id >= s->points->n || id >= HS_MAX_POINTS ||
	    s->point_state[id] != HS_POINT_FREE)
		return -EINVAL;
	/* nothing of an earlier point with this id carries over */
	settle(s);
	memset(&s->hops.drops[id], 0, sizeof(s->hops.drops[id]));
	for_each_matcher(s, m)
		m->counters.point_duplicates[id] = 0;
	memset(&s->point_counters[id], 0, sizeof(s->point_counters[id]));
	memset(&s->cost[id], 0, sizeof(s->cost[id]));
	s->point_state[id] = HS_POINT_LIVE;
	s->removed_ts[id] = 0;
	set_nat_zone(s, id);
	/* relied on as a successor one window on, as the first points are
	 * after they are armed: a tick attaches its points one by one */
	hs_hops_set_measured(&s->hops, id, ts + s->cfg.window_ns, UINT64_MAX);
	hs_hops_point_dead(&s->hops, id, false);
	successors_update(s);
	for_each_sink(s, k, point_added)
		k->point_added(k->ctx, ts, s->points, id);
	return 0;
}

int hs_session_point_removed(struct hs_session *s, uint16_t id, uint64_t ts)
{
	if (id >= HS_MAX_POINTS || s->point_state[id] != HS_POINT_LIVE)
		return -EINVAL;
	/* what is folded from here on knows it is no longer measured */
	settle(s);
	s->point_state[id] = HS_POINT_REMOVED;
	s->removed_ts[id] = ts;
	hs_hops_set_measured(&s->hops, id, s->hops.fate[id].since, ts);
	for_each_sink(s, k, point_removed)
		k->point_removed(k->ctx, ts, id);
	return 0;
}

/* The earliest first sighting of a trajectory not yet folded: open in
 * the matcher, or held back for the cool-down. */
static uint64_t unfolded_from(const struct hs_session *s)
{
	const struct cooldown *c = s->cooldown;
	uint64_t from = s->shards ? hs_shards_open_from(s->shards) :
				    hs_matcher_open_from(&s->matcher);

	if (c && c->n && c->q[c->head].first_ts < from)
		from = c->q[c->head].first_ts;
	return from;
}

/* Removed long enough, and every record of it folded: a trajectory
 * holding one started at or before it was removed. */
static bool may_expire(const struct hs_session *s, uint16_t id, uint64_t now,
		       uint64_t expire_ns, uint64_t unfolded)
{
	return s->point_state[id] == HS_POINT_REMOVED &&
	       now - s->removed_ts[id] >= expire_ns &&
	       now >= s->removed_ts[id] && unfolded > s->removed_ts[id];
}

static bool any_removed(const struct hs_session *s)
{
	unsigned int i;

	for (i = 0; i < HS_MAX_POINTS; i++)
		if (s->point_state[i] == HS_POINT_REMOVED)
			return true;
	return false;
}

unsigned int hs_session_expire(struct hs_session *s, uint64_t now,
			       uint64_t expire_ns)
{
	bool gone[HS_MAX_POINTS];
	unsigned int i, n = 0;
	uint64_t unfolded;

	if (!any_removed(s))
		return 0;
	settle(s);
	unfolded = unfolded_from(s);
	for (i = 0; i < HS_MAX_POINTS; i++) {
		gone[i] = may_expire(s, (uint16_t)i, now, expire_ns, unfolded);
		n += gone[i];
	}
	if (!n)
		return 0;
	/* a replay must let the same points go at the same moment */
	for_each_sink(s, k, expire)
		k->expire(k->ctx, now, expire_ns);
	hs_hops_expire(&s->hops, gone);
	for (i = 0; i < HS_MAX_POINTS; i++)
		if (gone[i])
			s->point_state[i] = HS_POINT_FREE;
	successors_update(s);
	return n;
}

bool hs_session_point_reusable(const struct hs_session *s, uint16_t id)
{
	return id < HS_MAX_POINTS && s->point_state[id] == HS_POINT_FREE;
}

void hs_session_live_points(const struct hs_session *s,
			    struct hs_point_table *out)
{
	unsigned int i;

	*out = *s->points;
	for (i = 0; i < out->n; i++)
		if (s->point_state[i] != HS_POINT_LIVE)
			out->p[i].absent = true;
}

void hs_session_bad_record(struct hs_session *s)
{
	for_each_sink(s, k, bad_record)
		k->bad_record(k->ctx);
	s->counters.bad_records++;
}

void hs_session_record(struct hs_session *s, const struct hs_record *r)
{
	if (r->point_id >= s->points->n ||
	    s->point_state[r->point_id] != HS_POINT_LIVE) {
		hs_session_bad_record(s);
		return;
	}
	for_each_sink(s, k, record)
		k->record(k->ctx, r);
	if (s->shards)
		hs_shards_add(s->shards, r);
	else
		hs_matcher_add(&s->matcher, r);
}

void hs_session_drops(struct hs_session *s, uint16_t point, uint64_t total,
		      uint64_t from, uint64_t to)
{
	if (point >= s->points->n || s->point_state[point] == HS_POINT_FREE ||
	    total == s->hops.drops[point].total)
		return;
	for_each_sink(s, k, drops)
		k->drops(k->ctx, point, total, from, to);
	/* the windows excuse what is folded after them, no sooner */
	settle(s);
	hs_hops_note_drops(&s->hops, point, total, from, to);
}

void hs_session_horizon(struct hs_session *s, uint64_t ts)
{
	for_each_sink(s, k, horizon)
		k->horizon(k->ctx, ts);
	if (s->shards) {
		hs_shards_horizon(s->shards, ts); /* on_advance */
		return;
	}
	if (ts > s->matcher.newest_ts)
		s->matcher.newest_ts = ts;
	hs_matcher_expire(&s->matcher);
	/* quiet streams: their last packets need not wait for another */
	if (!s->cooldown)
		hs_hops_advance(&s->hops, hs_matcher_open_from(&s->matcher));
}

/* Every point on point's interface: its interface went down or away
 * (dead), or came up again. */
static void mark_dead(struct hs_session *s, uint16_t point, bool dead)
{
	const struct hs_point_table *t = s->points;
	const struct hs_point_info *x = &t->p[point];
	unsigned int i;

	for (i = 0; i < t->n && i < HS_MAX_POINTS; i++)
		if (!t->p[i].absent && t->p[i].host == x->host &&
		    hs_link_same(&t->p[i].link, &x->link))
			hs_hops_point_dead(&s->hops, (uint16_t)i, dead);
}

void hs_session_event(struct hs_session *s, uint16_t point, const char *event)
{
	/* what a record file's frame holds of it, so a replay says the same */
	char text[HS_SESSION_EVENT_MAX];

	snprintf(text, sizeof(text), "%s", event);
	/* what is folded from here on knows it */
	settle(s);
	if (point < s->points->n)
		mark_dead(s, point, !!strcmp(text, "up"));
	for_each_sink(s, k, event)
		k->event(k->ctx, point, text);
}

_Static_assert(HS_MATCH_MAX_HOSTS == HS_MAX_HOSTS,
	       "the matcher orders the sightings of every host a join has");

void hs_session_set_join(struct hs_session *s,
			 const struct hs_join_clocks *join)
{
	const struct hs_point_table *t = s->points;
	unsigned int i, a, b;

	s->join = join;
	settle(s);
	for_each_matcher(s, m) {
		for (i = 0; i < t->n; i++)
			hs_matcher_set_host(m, (uint16_t)i, t->p[i].host,
					    t->p[i].hook == HS_HOOK_TC_EGRESS);
		for (a = 0; a < join->n_hosts; a++)
			for (b = 0; b < join->n_hosts; b++)
				hs_matcher_set_slack(
					m, (uint8_t)a, (uint8_t)b,
					join->pair[a][b].uncertainty_ns);
	}
}

void hs_session_nat_name(struct hs_session *s, uint32_t flow_in,
			 uint32_t flow_out, const char *text)
{
	const char *kept =
		hs_nat_name_set(&s->nat_names, flow_in, flow_out, text);

	for_each_sink(s, k, nat_name)
		k->nat_name(k->ctx, flow_in, flow_out, kept);
}

void hs_session_cost(struct hs_session *s, const struct hs_probe_cost *cost)
{
	memcpy(s->cost, cost, s->points->n * sizeof(*cost));
	for_each_sink(s, k, cost)
		k->cost(k->ctx, s->cost, s->points->n);
}

void hs_session_report(struct hs_session *s, bool final, double elapsed_s,
		       double interval_s, const struct hs_counters *counters)
{
	struct hs_report r;

	if (counters != s->point_counters)
		memcpy(s->point_counters, counters,
		       s->points->n * sizeof(*counters));
	settle(s);
	/* what the legs still hold back for ordering belongs in it */
	hs_hops_settle(&s->hops, final);
	hs_session_fill_report(s, &r, final);
	r.elapsed_s = elapsed_s;
	r.interval_s = interval_s;
	for_each_sink(s, k, report)
		k->report(k->ctx, &r);
	if (!final)
		hs_hops_new_interval(&s->hops);
}

void hs_session_fill_report(const struct hs_session *s, struct hs_report *r,
			    bool final)
{
	memset(r, 0, sizeof(*r));
	r->points = s->points;
	r->counters = s->point_counters;
	r->hops = &s->hops;
	r->match = s->shards ? hs_shards_counters(s->shards) :
			       &s->matcher.counters;
	r->session = &s->counters;
	r->cost = s->cost;
	r->state = s->point_state;
	r->join = s->join;
	r->nat = &s->nat_names;
	r->final = final;
}

void hs_session_end(struct hs_session *s, uint64_t ts)
{
	struct cooldown *c = s->cooldown;

	for_each_sink(s, k, end)
		k->end(k->ctx, ts);
	if (s->shards)
		hs_shards_flush(s->shards);
	else
		hs_matcher_flush(&s->matcher);
	if (!c)
		return;
	/* what waits is the stream's tail */
	s->counters.left_out_cooldown += c->n;
	c->n = 0;
}

uint32_t hs_session_inflight(const struct hs_session *s)
{
	return s->shards ? hs_shards_used(s->shards) : s->matcher.used;
}

uint32_t hs_session_capacity(const struct hs_session *s)
{
	return s->cfg.max_inflight;
}

uint64_t hs_session_newest(const struct hs_session *s)
{
	return s->shards ? hs_shards_newest(s->shards) : s->matcher.newest_ts;
}
