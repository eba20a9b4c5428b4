// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include "hops.h"

int hs_hops_init(struct hs_hops *h, uint64_t window_ns)
{
	memset(h, 0, sizeof(*h));
	h->window_ns = window_ns;
	h->hop_index = calloc((size_t)HS_MAX_POINTS * HS_MAX_POINTS,
			      sizeof(*h->hop_index));
	h->hops = calloc(HS_MAX_HOPS, sizeof(*h->hops));
	h->paths = calloc(HS_MAX_PATHS, sizeof(*h->paths));
	h->flows = calloc(HS_FLOW_SLOTS, sizeof(*h->flows));
	h->drops = calloc(HS_MAX_POINTS, sizeof(*h->drops));
	if (!h->hop_index || !h->hops || !h->paths || !h->flows || !h->drops) {
		hs_hops_free(h);
		return -ENOMEM;
	}
	return 0;
}

void hs_hops_free(struct hs_hops *h)
{
	uint32_t i;

	for (i = 0; h->hops && i < h->n_hops; i++)
		free(h->hops[i].pend);
	free(h->hop_index);
	free(h->hops);
	free(h->paths);
	free(h->flows);
	free(h->drops);
	memset(h, 0, sizeof(*h));
}

static void acc_reset(struct hs_acc *a)
{
	hs_delay_reset(&a->delay);
	hs_jitter_reset(&a->jitter);
	a->reordered = 0;
	a->lost = 0;
}

void hs_hops_new_interval(struct hs_hops *h)
{
	uint32_t i;

	for (i = 0; i < h->n_hops; i++)
		acc_reset(&h->hops[i].interval);
	for (i = 0; i < h->n_paths; i++)
		acc_reset(&h->paths[i].interval);
}

struct hs_hop *hs_hops_find(struct hs_hops *h, uint16_t from, uint16_t to)
{
	uint16_t idx;

	if (from >= HS_MAX_POINTS || to >= HS_MAX_POINTS)
		return NULL;
	idx = h->hop_index[from * HS_MAX_POINTS + to];
	return idx ? &h->hops[idx - 1] : NULL;
}

static struct hs_hop *hop_get(struct hs_hops *h, uint16_t from, uint16_t to)
{
	struct hs_hop *hop = hs_hops_find(h, from, to);

	if (hop || from >= HS_MAX_POINTS || to >= HS_MAX_POINTS)
		return hop;
	if (h->n_hops == HS_MAX_HOPS) {
		h->hops_overflow++;
		return NULL;
	}
	hop = &h->hops[h->n_hops++];
	hop->from = from;
	hop->to = to;
	h->hop_index[from * HS_MAX_POINTS + to] = (uint16_t)h->n_hops;
	return hop;
}

/* One packet crossing from time s to time r. */
static void acc_add(struct hs_acc *interval, struct hs_acc *total,
		    struct hs_jitter_state *js, uint64_t *max_to_ts,
		    uint64_t s, uint64_t r)
{
	struct hs_jitter_state copy = *js;

	hs_delay_add(&interval->delay, r - s);
	hs_delay_add(&total->delay, r - s);
	/* both accumulators see the same D, from one estimator state */
	hs_jitter_update(js, &interval->jitter, s, r);
	hs_jitter_update(&copy, &total->jitter, s, r);
	if (r < *max_to_ts) {
		interval->reordered++;
		total->reordered++;
	} else {
		*max_to_ts = r;
	}
}

static int path_matches(const struct hs_path *p,
			const struct hs_trajectory *t)
{
	int i;

	if (p->n < t->n)
		return 0;
	for (i = 0; i < t->n; i++)
		if (p->points[i] != t->s[i].point)
			return 0;
	return 1;
}

/* The path of exactly these points, made if new. */
static struct hs_path *path_get(struct hs_hops *h,
				const struct hs_trajectory *t)
{
	struct hs_path *p;
	uint32_t i;
	int k;

	for (i = 0; i < h->n_paths; i++) {
		p = &h->paths[i];
		if (p->n == t->n && path_matches(p, t))
			return p;
	}
	if (h->n_paths == HS_MAX_PATHS) {
		h->paths_overflow++;
		return NULL;
	}
	p = &h->paths[h->n_paths++];
	p->n = t->n;
	for (k = 0; k < t->n; k++)
		p->points[k] = t->s[k].point;
	return p;
}

/* The flow's entry in the flow table; a different flow in the slot is
 * replaced (and counted): the table's size is fixed. */
static struct hs_flow *flow_get(struct hs_hops *h, uint32_t flow_hash)
{
	struct hs_flow *f = &h->flows[flow_hash & (HS_FLOW_SLOTS - 1)];

	if ((f->path[0] || f->path[1]) && f->flow_hash != flow_hash) {
		h->flows_replaced++;
		memset(f, 0, sizeof(*f));
	}
	f->flow_hash = flow_hash;
	return f;
}

#define HS_VOTE_CAP 1024

/*
 * The flow's path is the one most of its recent packets took: two
 * candidates with counts, halved now and then so that the recent past
 * weighs most. One packet flooded to an extra bridge port cannot make
 * every later packet look lost; a path that changes for good takes over.
 */
static void flow_vote(struct hs_hops *h, struct hs_flow *f,
		      const struct hs_path *p)
{
	uint32_t idx = (uint32_t)(p - h->paths) + 1;
	int k = f->path[0] == idx ? 0 : f->path[1] == idx ? 1 : -1;

	if (k < 0) {
		k = f->votes[0] <= f->votes[1] ? 0 : 1;
		f->path[k] = idx;
		f->votes[k] = 0;
	}
	if (++f->votes[k] >= HS_VOTE_CAP) {
		f->votes[0] /= 2;
		f->votes[1] /= 2;
	}
}

/* The flow's reference path: more votes, the longer path on a tie. */
static const struct hs_path *flow_path(const struct hs_hops *h,
				       const struct hs_flow *f)
{
	const struct hs_path *a = f->path[0] ? &h->paths[f->path[0] - 1] : NULL;
	const struct hs_path *b = f->path[1] ? &h->paths[f->path[1] - 1] : NULL;

	if (!a || !b)
		return a ? a : b;
	if (f->votes[0] != f->votes[1])
		return f->votes[0] > f->votes[1] ? a : b;
	return a->n >= b->n ? a : b;
}

/* Did the ring buffer drop records at point between t0 and t1? */
static bool dropped(const struct hs_hops *h, uint16_t point, uint64_t t0,
		    uint64_t t1)
{
	const struct hs_point_drops *d = &h->drops[point];
	unsigned int i;

	for (i = 0; i < HS_DROP_WINDOWS; i++)
		if (d->w[i].to && d->w[i].from <= t1 && d->w[i].to >= t0)
			return true;
	return false;
}

void hs_hops_note_drops(struct hs_hops *h, uint16_t point, uint64_t total,
			uint64_t from, uint64_t to)
{
	struct hs_point_drops *d;

	if (point >= HS_MAX_POINTS)
		return;
	d = &h->drops[point];
	if (total == d->total)
		return;
	d->total = total;
	d->w[d->next].from = from;
	d->w[d->next].to = to;
	d->next = (d->next + 1) % HS_DROP_WINDOWS;
}

static bool has_point(const struct hs_trajectory *t, uint16_t point)
{
	int i;

	for (i = 0; i < t->n; i++)
		if (t->s[i].point == point)
			return true;
	return false;
}

/* A point of the flow's path missing from t whose records were dropped
 * meanwhile: t's hops would join points that are not neighbours. */
static bool missing_dropped(const struct hs_hops *h, const struct hs_path *ref,
			    const struct hs_trajectory *t)
{
	uint64_t t0 = t->s[0].ts_ns, t1 = t->s[t->n - 1].ts_ns + h->window_ns;
	int i;

	for (i = 0; i < ref->n; i++)
		if (!has_point(t, ref->points[i]) &&
		    dropped(h, ref->points[i], t0, t1))
			return true;
	return false;
}

/* Fold the first n pending crossings, in order, and drop them. */
static void hop_fold_front(struct hs_hop *hop, uint32_t n)
{
	uint32_t i;

	if (!n)
		return;
	for (i = 0; i < n; i++)
		acc_add(&hop->interval, &hop->total, &hop->jstate,
			&hop->max_to_ts, hop->pend[i].s, hop->pend[i].r);
	memmove(hop->pend, hop->pend + n,
		(hop->n_pend - n) * sizeof(*hop->pend));
	hop->n_pend -= n;
}

/* Fold the hop's pending crossings that left its first point before
 * upto, in the order they left it. */
static void hop_release(struct hs_hop *hop, uint64_t upto)
{
	uint32_t n = 0;

	while (n < hop->n_pend && hop->pend[n].s < upto)
		n++;
	hop_fold_front(hop, n);
}

/*
 * Trajectories arrive in the order of their first sighting, which on a
 * hop further down the chain need not be the order packets reached the
 * hop: a packet overtaken upstream would count as reordered on every hop
 * after, and jitter would pair the wrong packets. So each hop holds its
 * crossings sorted by the time they left its first point, and folds them
 * once no trajectory still to come can leave that point earlier: every
 * later trajectory starts at or after the one being folded now.
 */
static void hop_push(struct hs_hops *h, struct hs_hop *hop, uint64_t s,
		     uint64_t r)
{
	uint32_t i;

	hop_release(hop, h->watermark);
	if (hop->n_pend == hop->cap_pend) {
		uint32_t cap = hop->cap_pend ? 2 * hop->cap_pend : 64;
		struct hs_crossing *p;

		if (cap > HS_HOP_PENDING_MAX ||
		    !(p = realloc(hop->pend, cap * sizeof(*p)))) {
			/* bounded: the oldest goes now, in order */
			hop_fold_front(hop, 1);
		} else {
			hop->pend = p;
			hop->cap_pend = cap;
		}
	}
	for (i = hop->n_pend; i > 0 && hop->pend[i - 1].s > s; i--)
		hop->pend[i] = hop->pend[i - 1];
	hop->pend[i].s = s;
	hop->pend[i].r = r;
	hop->n_pend++;
}

void hs_hops_settle(struct hs_hops *h, bool all)
{
	uint32_t i;

	for (i = 0; i < h->n_hops; i++)
		hop_release(&h->hops[i], all ? UINT64_MAX : h->watermark);
}

static void fold_hops(struct hs_hops *h, const struct hs_trajectory *t)
{
	int i;

	for (i = 1; i < t->n; i++) {
		struct hs_hop *hop = hop_get(h, t->s[i - 1].point, t->s[i].point);

		if (hop)
			hop_push(h, hop, t->s[i - 1].ts_ns, t->s[i].ts_ns);
	}
}

static void count_loss(struct hs_hops *h, const struct hs_path *cp,
		       uint8_t at)
{
	struct hs_path *p = &h->paths[cp - h->paths];
	struct hs_hop *hop = hop_get(h, p->points[at - 1], p->points[at]);

	p->interval.lost++;
	p->total.lost++;
	if (hop) {
		hop->interval.lost++;
		hop->total.lost++;
	}
}

void hs_hops_fold(const struct hs_trajectory *t, void *ctx)
{
	struct hs_hops *h = ctx;
	const struct hs_path *ref;
	struct hs_path *p;
	struct hs_flow *f;
	uint16_t next;

	if (!t->n)
		return;
	/* trajectories come in first-sighting order */
	if (t->first_ts > h->watermark)
		h->watermark = t->first_ts;
	f = flow_get(h, t->flow_hash);
	ref = flow_path(h, f);
	p = path_get(h, t);
	if (p)
		flow_vote(h, f, p);
	if (ref && ref != p && ref->n > t->n && path_matches(ref, t)) {
		/* stopped short of where its flow goes: lost on the next hop,
		 * unless the match table or the end of the run cut it short,
		 * or the ring buffer dropped the record that would tell */
		fold_hops(h, t);
		next = ref->points[t->n];
		if (t->evicted || t->at_end)
			return;
		if (dropped(h, next, t->s[t->n - 1].ts_ns,
			    t->s[t->n - 1].ts_ns + h->window_ns))
			h->unverified++;
		else
			count_loss(h, ref, t->n);
		return;
	}
	if (ref && ref != p && missing_dropped(h, ref, t)) {
		h->unverified++;
		return;
	}
	fold_hops(h, t);
	/* a lone sighting is no path of its own */
	if (t->n < 2 || !p)
		return;
	acc_add(&p->interval, &p->total, &p->jstate, &p->max_to_ts,
		t->s[0].ts_ns, t->s[t->n - 1].ts_ns);
}
