// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include "analysis/hops.h"
#include "core/util.h"

static void fate_reset(struct hs_point_fate *f)
{
	*f = (struct hs_point_fate){
		.successor = HS_NO_POINT,
		.until = UINT64_MAX,
	};
}

int hs_hops_init(struct hs_hops *h, uint64_t window_ns)
{
	unsigned int i;

	memset(h, 0, sizeof(*h));
	h->window_ns = window_ns;
	h->hop_index = calloc((size_t)HS_MAX_POINTS * HS_MAX_POINTS,
			      sizeof(*h->hop_index));
	/* large and zeroed: pages are only touched as hops appear */
	h->hops = calloc(HS_MAX_HOPS, sizeof(*h->hops));
	h->paths = calloc(HS_MAX_PATHS, sizeof(*h->paths));
	h->segments = calloc(HS_MAX_SEGMENTS, sizeof(*h->segments));
	h->flows = calloc(HS_FLOW_SLOTS, sizeof(*h->flows));
	h->drops = calloc(HS_MAX_POINTS, sizeof(*h->drops));
	h->fate = calloc(HS_MAX_POINTS, sizeof(*h->fate));
	if (!h->hop_index || !h->hops || !h->paths || !h->segments ||
	    !h->flows || !h->drops || !h->fate) {
		hs_hops_free(h);
		return -ENOMEM;
	}
	for (i = 0; i < HS_MAX_POINTS; i++)
		fate_reset(&h->fate[i]);
	/* resident now: a flow lands anywhere in the table by its hash, so
	 * its pages would otherwise become resident one by one for as long
	 * as new flows come, up to the same 1.3 MB: a soak's slow growth */
	hs_prefault(h->flows, HS_FLOW_SLOTS * sizeof(*h->flows));
	return 0;
}

static void leg_free(struct hs_leg *l)
{
	free(l->pend.buf);
	free(l->arr.buf);
	free(l->history);
}

void hs_hops_free(struct hs_hops *h)
{
	uint32_t i;

	for (i = 0; h->hops && i < h->n_hops; i++)
		leg_free(&h->hops[i].leg);
	for (i = 0; h->paths && i < h->n_paths; i++)
		leg_free(&h->paths[i].leg);
	for (i = 0; h->segments && i < h->n_segments; i++)
		leg_free(&h->segments[i]);
	free(h->hop_index);
	free(h->hops);
	free(h->paths);
	free(h->segments);
	free(h->flows);
	free(h->drops);
	free(h->fate);
	memset(h, 0, sizeof(*h));
}

void hs_hops_new_interval(struct hs_hops *h)
{
	uint32_t i;

	for (i = 0; i < h->n_hops; i++)
		memset(&h->hops[i].leg.interval, 0, sizeof(struct hs_acc));
	for (i = 0; i < h->n_paths; i++)
		memset(&h->paths[i].leg.interval, 0, sizeof(struct hs_acc));
	/* a twin's statistics are its hop's, just reset */
	for (i = 0; i < h->n_segments; i++)
		if (!h->segments[i].twin)
			memset(&h->segments[i].interval, 0,
			       sizeof(struct hs_acc));
}

struct hs_hop *hs_hops_find(const struct hs_hops *h, uint16_t from,
			    uint16_t to)
{
	uint16_t idx;

	if (from >= HS_MAX_POINTS || to >= HS_MAX_POINTS)
		return NULL;
	idx = h->hop_index[from * HS_MAX_POINTS + to];
	return idx ? &h->hops[idx - 1] : NULL;
}

static struct hs_leg *segment(const struct hs_hops *h, const struct hs_path *p,
			      unsigned int k)
{
	if (!p || p->seg0 == HS_NO_SEGMENTS || p->n < 2 || k + 1 >= p->n)
		return NULL;
	return &h->segments[p->seg0 + k];
}

/* ---- expiry: what touches a point let go leaves, the rest moves down ---- */

/* Slots [from, to) of a table, left behind by the survivors moving down:
 * zeroed once, for whatever takes them next (a leg is ~40 KiB: moving
 * and clearing are what expiry costs). */
#define clear_tail(arr, from, to) \
	memset(&(arr)[from], 0, ((to) - (from)) * sizeof((arr)[0]))

static void expire_hops(struct hs_hops *h, const bool *gone)
{
	uint32_t i, j = 0, n = h->n_hops;

	for (i = 0; i < h->n_hops; i++) {
		struct hs_hop *hop = &h->hops[i];

		if (gone[hop->from] || gone[hop->to]) {
			/* its twin segment is on a path through the point */
			h->hop_index[hop->from * HS_MAX_POINTS + hop->to] = 0;
			if (hop->leg.twin)
				hop->leg.twin->twin = NULL;
			leg_free(&hop->leg);
			continue;
		}
		if (i != j) {
			h->hops[j] = *hop;
			if (h->hops[j].leg.twin)
				h->hops[j].leg.twin->twin = &h->hops[j].leg;
		}
		h->hop_index[h->hops[j].from * HS_MAX_POINTS + h->hops[j].to] =
			(uint16_t)(j + 1);
		j++;
	}
	clear_tail(h->hops, j, n);
	h->n_hops = j;
}

static bool path_gone(const struct hs_path *p, const bool *gone)
{
	int k;

	for (k = 0; k < p->n; k++)
		if (gone[p->points[k]])
			return true;
	return false;
}

/* The segments of path p, moved down to *next (p's are at or above). */
static void move_segments(struct hs_hops *h, struct hs_path *p, uint32_t *next)
{
	uint32_t k, n = p->n - 1u;

	for (k = 0; k < n; k++) {
		struct hs_leg *from = &h->segments[p->seg0 + k];
		struct hs_leg *to = &h->segments[*next + k];

		if (from == to)
			continue;
		*to = *from;
		if (to->twin)
			to->twin->twin = to;
	}
	p->seg0 = *next;
	*next += n;
}

static void drop_segments(struct hs_hops *h, struct hs_path *p)
{
	uint32_t k;

	for (k = 0; p->seg0 != HS_NO_SEGMENTS && k + 1u < p->n; k++) {
		struct hs_leg *seg = &h->segments[p->seg0 + k];

		/* its live hop keeps what they shared; a twin itself never
		 * took a crossing: its buffers are NULL */
		if (seg->twin)
			seg->twin->twin = NULL;
		leg_free(seg);
	}
}

/* Paths (and their segments) through a point let go leave; remap[i] is
 * then path i's new index + 1, or 0. Segments were taken in the order of
 * the paths, so moving both down in that order keeps them in place. */
static void expire_paths(struct hs_hops *h, const bool *gone, uint32_t *remap)
{
	uint32_t i, j = 0, next = 0, n = h->n_paths, n_segs = h->n_segments;

	for (i = 0; i < n; i++) {
		struct hs_path *p = &h->paths[i];

		remap[i] = 0;
		if (path_gone(p, gone)) {
			drop_segments(h, p);
			leg_free(&p->leg);
			continue;
		}
		if (p->seg0 != HS_NO_SEGMENTS)
			move_segments(h, p, &next);
		if (i != j)
			h->paths[j] = *p;
		remap[i] = j + 1;
		j++;
	}
	clear_tail(h->paths, j, n);
	clear_tail(h->segments, next, n_segs);
	h->n_paths = j;
	h->n_segments = next;
}

static void expire_flows(struct hs_hops *h, const uint32_t *remap)
{
	uint32_t i;
	int k;

	for (i = 0; i < HS_FLOW_SLOTS; i++) {
		struct hs_flow *f = &h->flows[i];

		for (k = 0; k < 2; k++) {
			if (!f->path[k])
				continue;
			f->path[k] = remap[f->path[k] - 1];
			if (!f->path[k])
				f->votes[k] = 0;
		}
	}
}

void hs_hops_expire(struct hs_hops *h, const bool *gone)
{
	uint32_t remap[HS_MAX_PATHS];
	unsigned int p;

	expire_hops(h, gone);
	expire_paths(h, gone, remap);
	expire_flows(h, remap);
	for (p = 0; p < HS_MAX_POINTS; p++) {
		if (!gone[p])
			continue;
		memset(&h->drops[p], 0, sizeof(h->drops[p]));
		fate_reset(&h->fate[p]);
	}
}

void hs_hops_set_successor(struct hs_hops *h, uint16_t point, uint16_t next)
{
	if (point < HS_MAX_POINTS)
		h->fate[point].successor = next < HS_MAX_POINTS ? next :
								  HS_NO_POINT;
}

void hs_hops_set_measured(struct hs_hops *h, uint16_t point, uint64_t since,
			  uint64_t until)
{
	if (point >= HS_MAX_POINTS)
		return;
	h->fate[point].since = since;
	h->fate[point].until = until;
}

void hs_hops_point_dead(struct hs_hops *h, uint16_t point, bool dead)
{
	if (point < HS_MAX_POINTS)
		h->fate[point].dead = dead;
}

const struct hs_leg *hs_path_segment(const struct hs_hops *h,
				     const struct hs_path *p, unsigned int k)
{
	const struct hs_leg *seg = segment(h, p, k);

	return seg && seg->twin ? seg->twin : seg;
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
	hop->nat = (struct hs_hop_nat){ 0 };
	h->hop_index[from * HS_MAX_POINTS + to] = (uint16_t)h->n_hops;
	return hop;
}

/* ---- a leg: crossings folded in order ---- */

static void acc_negative(struct hs_acc *a, int64_t d)
{
	if (!a->negative || d < a->negative_min)
		a->negative_min = d;
	a->negative++;
}

/* Delay and jitter of one crossing, in the order packets left the first
 * point. Interval and total take the same values: each is bucketed once. */
static void acc_add(struct hs_leg *l, uint64_t s, uint64_t r)
{
	uint64_t delay = r >= s ? r - s : 0, abs_d;
	unsigned int idx = hs_hist_index(delay);

	hs_delay_add_indexed(&l->interval.delay, delay, idx);
	hs_delay_add_indexed(&l->total.delay, delay, idx);
	if (r < s) {
		acc_negative(&l->interval, (int64_t)(r - s));
		acc_negative(&l->total, (int64_t)(r - s));
	}
	/* both accumulators see the same D, from one estimator state */
	if (hs_jitter_step(&l->jstate, s, r, &abs_d)) {
		idx = hs_hist_index(abs_d);
		hs_jitter_note(&l->interval.jitter, l->jstate.j, idx);
		hs_jitter_note(&l->total.jitter, l->jstate.j, idx);
	}
}

static void acc_reordered(struct hs_acc *a, uint64_t extent, bool beyond,
			  uint64_t late)
{
	a->reordered++;
	if (extent > a->extent_max)
		a->extent_max = extent;
	if (beyond) {
		a->extent_beyond++;
		return;
	}
	a->extent_sum += extent;
	a->late_sum_ns += late;
	if (late > a->late_max_ns)
		a->late_max_ns = late;
}

/*
 * RFC 4737 for one arrival at the second point, in arrival order: it is
 * reordered when an earlier arrival left the first point after it. The
 * earliest such arrival is found by binary search in the history, whose
 * running maximum of s only grows.
 */
static void leg_arrive(struct hs_leg *l, uint64_t s, uint64_t r)
{
	uint64_t i = l->n_arrived;

	l->interval.arrivals++;
	l->total.arrivals++;
	if (i && s < l->max_s) {
		uint64_t lo = i > HS_REORDER_HISTORY ? i - HS_REORDER_HISTORY :
						       0;
		uint64_t a = lo, b = i - 1, late;
		const struct hs_arrival *first;
		bool beyond;

		while (a < b) {
			uint64_t mid = a + (b - a) / 2;

			if (l->history[mid % HS_REORDER_HISTORY].max_s > s)
				b = mid;
			else
				a = mid + 1;
		}
		first = &l->history[a % HS_REORDER_HISTORY];
		/* the history may not reach back to the true first one */
		beyond = a == lo && lo > 0;
		late = r >= first->r ? r - first->r : 0;
		acc_reordered(&l->interval, i - a, beyond, late);
		acc_reordered(&l->total, i - a, beyond, late);
	} else {
		l->max_s = s;
	}
	l->history[i % HS_REORDER_HISTORY].max_s = l->max_s;
	l->history[i % HS_REORDER_HISTORY].r = r;
	l->n_arrived++;
}

/* ---- crossings held back: a queue kept in order ---- */

/* The tail is at the end of the buffer: what is left moves to the front,
 * or when the buffer is full it doubles, up to HS_LEG_PENDING_MAX. */
static bool cq_compact_or_grow(struct hs_crossings *q)
{
	uint32_t cap = q->cap ? 2 * q->cap : 64;
	struct hs_crossing *p;

	if (q->n < q->cap) {
		memmove(q->buf, q->buf + q->head, q->n * sizeof(*q->buf));
		q->head = 0;
		return true;
	}
	/* full: head is 0 */
	if (cap > HS_LEG_PENDING_MAX)
		return false;
	p = realloc(q->buf, cap * sizeof(*p));
	if (!p)
		return false;
	q->buf = p;
	q->cap = cap;
	return true;
}

/* Room for one more at the tail? */
static inline bool cq_make_room(struct hs_crossings *q)
{
	return q->head + q->n < q->cap || cq_compact_or_grow(q);
}

static const struct hs_crossing *cq_at(const struct hs_crossings *q, uint32_t i)
{
	return &q->buf[q->head + i];
}

static void cq_drop_front(struct hs_crossings *q, uint32_t n)
{
	q->n -= n;
	q->head = q->n ? q->head + n : 0;
}

/* A queue is in order of s (pending crossings) or of r (arrivals). */
static inline uint64_t cq_key(const struct hs_crossing *c, bool by_r)
{
	return by_r ? c->r : c->s;
}

/* Insert after every crossing whose key is not above its own; there must
 * be room. In order of time, a crossing almost always goes last. */
static inline void cq_insert(struct hs_crossings *q, uint64_t s, uint64_t r,
			     bool by_r)
{
	struct hs_crossing *base = q->buf + q->head;
	struct hs_crossing c = { .s = s, .r = r };
	uint32_t i;

	for (i = q->n; i > 0 && cq_key(&base[i - 1], by_r) > cq_key(&c, by_r);
	     i--)
		base[i] = base[i - 1];
	base[i] = c;
	q->n++;
}

/* How many crossings at the front have their key below upto. */
static inline uint32_t cq_count_below(const struct hs_crossings *q,
				      uint64_t upto, bool by_r)
{
	uint32_t n = 0;

	while (n < q->n && cq_key(cq_at(q, n), by_r) < upto)
		n++;
	return n;
}

static bool have_history(struct hs_leg *l)
{
	if (!l->history)
		l->history = calloc(HS_REORDER_HISTORY, sizeof(*l->history));
	return l->history != NULL;
}

/* The first n queued arrivals, in order. */
static void leg_arrive_front(struct hs_leg *l, uint32_t n)
{
	uint32_t i;

	if (!n || !have_history(l))
		return; /* kept: tried again at the next release */
	for (i = 0; i < n; i++)
		leg_arrive(l, cq_at(&l->arr, i)->s, cq_at(&l->arr, i)->r);
	cq_drop_front(&l->arr, n);
}

/* Arrivals that no crossing still to come can precede, in order. */
static void leg_release_arrivals(struct hs_leg *l, uint64_t upto)
{
	/* a crossing still to come leaves at upto or later, but may arrive
	 * up to max_early before it left */
	if (upto != UINT64_MAX)
		upto = upto > l->max_early ? upto - l->max_early : 0;
	leg_arrive_front(l, cq_count_below(&l->arr, upto, true));
}

static void leg_queue_arrival(struct hs_leg *l, uint64_t s, uint64_t r)
{
	if (!cq_make_room(&l->arr)) {
		/* bounded: the earliest arrival goes now, in order */
		if (!l->arr.n || r <= cq_at(&l->arr, 0)->r) {
			if (have_history(l))
				leg_arrive(l, s, r);
			return;
		}
		leg_arrive_front(l, 1);
		if (l->arr.n == l->arr.cap)
			return; /* no history to arrive into: dropped */
		cq_make_room(&l->arr);
	}
	cq_insert(&l->arr, s, r, true);
}

/* Fold the first n pending crossings, in order, and drop them. */
static void leg_fold_front(struct hs_leg *l, uint32_t n)
{
	uint32_t i;

	for (i = 0; i < n; i++) {
		const struct hs_crossing *c = cq_at(&l->pend, i);

		acc_add(l, c->s, c->r);
		leg_queue_arrival(l, c->s, c->r);
	}
	cq_drop_front(&l->pend, n);
}

/*
 * Fold what left the first point before upto, in the order it left; then
 * what reached the second point before upto, in the order it arrived.
 * Every trajectory still to come starts at or after upto (trajectories
 * come in order of their first sighting), so none can precede these.
 */
static void leg_release(struct hs_leg *l, uint64_t upto)
{
	leg_fold_front(l, cq_count_below(&l->pend, upto, false));
	leg_release_arrivals(l, upto);
}

static void leg_push(struct hs_hops *h, struct hs_leg *l, uint64_t s,
		     uint64_t r)
{
	l->used = true;
	/* before anything is released: this one may arrive early */
	if (r < s && s - r > l->max_early)
		l->max_early = s - r;
	leg_release(l, h->watermark);
	if (!cq_make_room(&l->pend)) {
		if (!l->pend.n) {
			/* no room at all: fold it now, out of order at worst */
			acc_add(l, s, r);
			leg_queue_arrival(l, s, r);
			return;
		}
		leg_fold_front(l, 1); /* bounded: the oldest goes now */
		cq_make_room(&l->pend);
	}
	cq_insert(&l->pend, s, r, false);
}

/* ---- twins: a hop and the one segment over it that saw all it saw ---- */

/* A copy of what q holds, in a buffer of its own; on failure (out of
 * memory) nothing, and the crossings held back are lost to the copy. */
static void cq_copy(struct hs_crossings *dst, const struct hs_crossings *src)
{
	memset(dst, 0, sizeof(*dst));
	if (!src->n)
		return;
	dst->buf = malloc(src->cap * sizeof(*dst->buf));
	if (!dst->buf)
		return;
	memcpy(dst->buf, cq_at(src, 0), src->n * sizeof(*dst->buf));
	dst->n = src->n;
	dst->cap = src->cap;
}

/* The hop is about to take what its twin does not: the segment gets its
 * own copy of their statistics, and goes its own way. */
static void part_twins(struct hs_leg *hop)
{
	struct hs_leg *seg = hop->twin;

	if (!seg)
		return;
	*seg = *hop;
	cq_copy(&seg->pend, &hop->pend);
	cq_copy(&seg->arr, &hop->arr);
	seg->history = NULL;
	if (hop->history && have_history(seg))
		memcpy(seg->history, hop->history,
		       HS_REORDER_HISTORY * sizeof(*seg->history));
	seg->twin = NULL;
	hop->twin = NULL;
}

/*
 * A hop and the segment over it (either may be NULL) are about to take
 * the same crossing or count. Returns the segment when it must take it
 * too, or NULL when the hop's statistics serve it: they are twins, or
 * become twins now, both never used. A hop that is to take it without
 * its twin parts from it first. (A segment whose hop is NULL is no twin:
 * hops are never removed.)
 */
static struct hs_leg *pair_legs(struct hs_leg *hop, struct hs_leg *seg)
{
	if (!hop)
		return seg;
	if (seg && hop->twin == seg)
		return NULL;
	part_twins(hop);
	if (!seg || hop->used || seg->used)
		return seg;
	hop->twin = seg;
	seg->twin = hop;
	return NULL;
}

void hs_hops_settle(struct hs_hops *h, bool all)
{
	uint64_t upto = all ? UINT64_MAX : h->watermark;
	uint32_t i;

	for (i = 0; i < h->n_hops; i++)
		leg_release(&h->hops[i].leg, upto);
	for (i = 0; i < h->n_paths; i++)
		leg_release(&h->paths[i].leg, upto);
	for (i = 0; i < h->n_segments; i++)
		if (!h->segments[i].twin)
			leg_release(&h->segments[i], upto);
}

void hs_hops_advance(struct hs_hops *h, uint64_t ts)
{
	if (ts <= h->watermark)
		return;
	h->watermark = ts;
	hs_hops_settle(h, false);
}

/* ---- paths and flows ---- */

/* p goes further than t, the way t went: t's points are a proper prefix
 * of p's, and p->points[t->n] is where t stopped short of. */
static bool stops_short_of(const struct hs_path *p,
			   const struct hs_trajectory *t)
{
	int i;

	if (!p || p->n <= t->n)
		return false;
	for (i = 0; i < t->n; i++)
		if (p->points[i] != t->s[i].point)
			return false;
	return true;
}

/* The path of exactly these n points, made if new. */
static struct hs_path *path_of(struct hs_hops *h, const uint16_t *points,
			       uint8_t n)
{
	struct hs_path *p;
	uint32_t i;

	for (i = 0; i < h->n_paths; i++) {
		p = &h->paths[i];
		if (p->n == n &&
		    !memcmp(p->points, points, n * sizeof(*points)))
			return p;
	}
	if (h->n_paths == HS_MAX_PATHS) {
		h->paths_overflow++;
		return NULL;
	}
	p = &h->paths[h->n_paths++];
	p->n = n;
	memcpy(p->points, points, n * sizeof(*points));
	p->seg0 = HS_NO_SEGMENTS;
	if (n >= 2) {
		if (h->n_segments + n - 1u <= HS_MAX_SEGMENTS) {
			p->seg0 = h->n_segments;
			h->n_segments += n - 1u;
		} else {
			h->segments_overflow++;
		}
	}
	return p;
}

/* t's points, in order, into points (HS_MAX_TRAJ_POINTS). */
static void traj_points(const struct hs_trajectory *t, uint16_t *points)
{
	int i;

	for (i = 0; i < t->n; i++)
		points[i] = t->s[i].point;
}

/* The path of exactly t's points, made if new. */
static struct hs_path *path_get(struct hs_hops *h,
				const struct hs_trajectory *t)
{
	uint16_t points[HS_MAX_TRAJ_POINTS];

	traj_points(t, points);
	return path_of(h, points, t->n);
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
static struct hs_path *flow_path(struct hs_hops *h, const struct hs_flow *f)
{
	struct hs_path *a = f->path[0] ? &h->paths[f->path[0] - 1] : NULL;
	struct hs_path *b = f->path[1] ? &h->paths[f->path[1] - 1] : NULL;

	if (!a || !b)
		return a ? a : b;
	if (f->votes[0] != f->votes[1])
		return f->votes[0] > f->votes[1] ? a : b;
	return a->n >= b->n ? a : b;
}

/* ---- ring-buffer drops: a missing record is not a lost packet ---- */

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
	struct hs_drop_window *last;

	if (point >= HS_MAX_POINTS)
		return;
	d = &h->drops[point];
	if (total == d->total)
		return;
	d->total = total;
	/* drains in a row that each saw drops (a small ring, woken every
	 * few records, drains hundreds of times a second) make one window:
	 * a window apiece would push the oldest out while trajectories
	 * that need it are still open, and their gaps would read as loss */
	last = &d->w[(d->next + HS_DROP_WINDOWS - 1) % HS_DROP_WINDOWS];
	if (last->to && from <= last->to && to >= last->from) {
		if (from < last->from)
			last->from = from;
		if (to > last->to)
			last->to = to;
		return;
	}
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

/* ---- folding a trajectory ---- */

/* Copies made on the hop into sighting i: more duplicates there than at
 * the point before (a copy made earlier is seen again at every point). */
static uint64_t dups_made(const struct hs_trajectory *t, int i)
{
	return t->s[i].dups > t->s[i - 1].dups ?
		       (uint64_t)(t->s[i].dups - t->s[i - 1].dups) :
		       0;
}

static void leg_count_dups(struct hs_leg *l, uint64_t n)
{
	if (!n)
		return;
	l->used = true;
	l->interval.duplicates += n;
	l->total.duplicates += n;
}

static void leg_count_lost(struct hs_leg *l)
{
	l->used = true;
	l->interval.lost++;
	l->total.lost++;
}

/* Each hop of t into the hop table, and into the segments of path p
 * (t's own path, or the path t stopped short of), when p has them. */
static void fold_hops(struct hs_hops *h, const struct hs_trajectory *t,
		      const struct hs_path *p)
{
	int i;

	for (i = 1; i < t->n; i++) {
		struct hs_hop *hop =
			hop_get(h, t->s[i - 1].point, t->s[i].point);
		struct hs_leg *hop_leg = hop ? &hop->leg : NULL;
		struct hs_leg *seg = segment(h, p, (unsigned int)i - 1);
		uint64_t dups = dups_made(t, i);

		seg = pair_legs(hop_leg, seg);
		if (hop_leg) {
			leg_push(h, hop_leg, t->s[i - 1].ts_ns, t->s[i].ts_ns);
			leg_count_dups(hop_leg, dups);
		}
		if (hop && t->s[i - 1].flow_hash != t->s[i].flow_hash)
			hop->nat = (struct hs_hop_nat){
				.crossings = hop->nat.crossings + 1,
				.flow_in = t->s[i - 1].flow_hash,
				.flow_out = t->s[i].flow_hash,
			};
		if (seg) {
			leg_push(h, seg, t->s[i - 1].ts_ns, t->s[i].ts_ns);
			leg_count_dups(seg, dups);
		}
	}
}

/* Lost on the hop from -> to, the hop at-1 -> at of path p when p is
 * not NULL. */
static void count_loss(struct hs_hops *h, uint16_t from, uint16_t to,
		       struct hs_path *p, uint8_t at)
{
	struct hs_hop *hop = hop_get(h, from, to);
	struct hs_leg *hop_leg = hop ? &hop->leg : NULL;
	struct hs_leg *seg = pair_legs(hop_leg, segment(h, p, at - 1u));

	if (p)
		leg_count_lost(&p->leg);
	if (hop_leg)
		leg_count_lost(hop_leg);
	if (seg)
		leg_count_lost(seg);
}

/*
 * t stopped at its last point and never reached next, the point after it
 * on path p (of which t is a proper prefix; NULL: the path table is
 * full): its hops fold into p's segments, and it is lost on the hop to
 * next, unless the match table or the end of the run cut it short, or
 * the ring buffer dropped the record that would tell, or it may have gone
 * on past a NAT under a flow of its own.
 */
static void stopped_short(struct hs_hops *h, const struct hs_trajectory *t,
			  struct hs_path *p, uint16_t next)
{
	uint64_t last = t->s[t->n - 1].ts_ns;

	fold_hops(h, t, p);
	if (t->evicted || t->at_end)
		return;
	if (t->nat_unsure || dropped(h, next, last, last + h->window_ns)) {
		h->unverified++;
		return;
	}
	count_loss(h, t->s[t->n - 1].point, next, p, t->n);
}

/* Was point measuring over [ts, ts + the window]? */
static bool measuring(const struct hs_hops *h, uint16_t point, uint64_t ts)
{
	const struct hs_point_fate *f = &h->fate[point];

	return ts >= f->since && f->until > ts && f->until - ts >= h->window_ns;
}

/* The point t had to reach after its last one, and never did: that
 * point's successor, while it measured. HS_NO_POINT when there is none,
 * or t was there already (a second arrival is a duplicate there). */
static uint16_t must_reach(const struct hs_hops *h,
			   const struct hs_trajectory *t)
{
	const struct hs_sighting *last = &t->s[t->n - 1];
	uint16_t next;

	if (last->point >= HS_MAX_POINTS)
		return HS_NO_POINT;
	next = h->fate[last->point].successor;
	if (next == HS_NO_POINT || !measuring(h, next, last->ts_ns) ||
	    has_point(t, next))
		return HS_NO_POINT;
	return next;
}

/* The path t stopped short of on its way to next: the flow's reference
 * path, when t is a prefix of it that goes there; else t's points and
 * next. */
static struct hs_path *path_to(struct hs_hops *h, struct hs_path *ref,
			       const struct hs_trajectory *t, uint16_t next)
{
	uint16_t points[HS_MAX_TRAJ_POINTS];

	if (stops_short_of(ref, t) && ref->points[t->n] == next)
		return ref;
	if (t->n >= HS_MAX_TRAJ_POINTS)
		return NULL;
	traj_points(t, points);
	points[t->n] = next;
	return path_of(h, points, (uint8_t)(t->n + 1));
}

static bool point_dead(const struct hs_hops *h, uint16_t point)
{
	return point < HS_MAX_POINTS &&
	       (h->fate[point].dead || h->fate[point].until != UINT64_MAX);
}

/* A path of the flow (the reference first) of which t is a proper prefix
 * and whose next point is dead: where t was going when it was dropped.
 * NULL if none. */
static struct hs_path *dead_end(struct hs_hops *h, const struct hs_flow *f,
				struct hs_path *ref,
				const struct hs_trajectory *t)
{
	struct hs_path *c[3] = { ref };
	int k, n = 1;

	for (k = 0; k < 2; k++)
		if (f->path[k] && &h->paths[f->path[k] - 1] != ref)
			c[n++] = &h->paths[f->path[k] - 1];
	for (k = 0; k < n; k++)
		if (stops_short_of(c[k], t) &&
		    point_dead(h, c[k]->points[t->n]))
			return c[k];
	return NULL;
}

void hs_hops_fold(const struct hs_trajectory *t, void *ctx)
{
	struct hs_hops *h = ctx;
	struct hs_path *ref, *p;
	struct hs_flow *f;
	uint16_t next;

	if (!t->n)
		return;
	/* trajectories come in first-sighting order */
	if (t->first_ts > h->watermark)
		h->watermark = t->first_ts;
	f = flow_get(h, t->flow_hash);
	ref = flow_path(h, f);
	/* lost where the topology says it had to go next: a flow some hop
	 * swallows whole never votes for the path it is cut down to */
	next = must_reach(h, t);
	if (next != HS_NO_POINT) {
		stopped_short(h, t, path_to(h, ref, t, next), next);
		return;
	}
	/* lost where it went before, now dead: no vote either, so that the
	 * path stays the flow's for as long as the point is dead */
	p = dead_end(h, f, ref, t);
	if (p) {
		stopped_short(h, t, p, p->points[t->n]);
		return;
	}
	p = path_get(h, t);
	if (p)
		flow_vote(h, f, p);
	if (stops_short_of(ref, t)) {
		/* stopped short of where its flow goes */
		stopped_short(h, t, ref, ref->points[t->n]);
		return;
	}
	if (ref && ref != p && missing_dropped(h, ref, t)) {
		h->unverified++;
		return;
	}
	fold_hops(h, t, p);
	/* a lone sighting is no path of its own */
	if (t->n < 2 || !p)
		return;
	leg_push(h, &p->leg, t->s[0].ts_ns, t->s[t->n - 1].ts_ns);
	leg_count_dups(&p->leg, t->s[t->n - 1].dups);
}
