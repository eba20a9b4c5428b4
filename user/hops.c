// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "hops.h"

int hs_hops_init(struct hs_hops *h)
{
	memset(h, 0, sizeof(*h));
	h->hop_index = calloc((size_t)HS_MAX_POINTS * HS_MAX_POINTS,
			      sizeof(*h->hop_index));
	h->hops = calloc(HS_MAX_HOPS, sizeof(*h->hops));
	h->paths = calloc(HS_MAX_PATHS, sizeof(*h->paths));
	h->flows = calloc(HS_FLOW_SLOTS, sizeof(*h->flows));
	if (!h->hop_index || !h->hops || !h->paths || !h->flows) {
		hs_hops_free(h);
		return -ENOMEM;
	}
	return 0;
}

void hs_hops_free(struct hs_hops *h)
{
	free(h->hop_index);
	free(h->hops);
	free(h->paths);
	free(h->flows);
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

	if (f->path && f->flow_hash != flow_hash) {
		h->flows_replaced++;
		f->path = 0;
	}
	f->flow_hash = flow_hash;
	return f;
}

static void count_loss(struct hs_hops *h, struct hs_path *p, uint8_t at)
{
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
	struct hs_path *p, *known;
	struct hs_flow *f;
	int i;

	if (!t->n)
		return;
	for (i = 1; i < t->n; i++) {
		struct hs_hop *hop = hop_get(h, t->s[i - 1].point, t->s[i].point);

		if (hop)
			acc_add(&hop->interval, &hop->total, &hop->jstate,
				&hop->max_to_ts, t->s[i - 1].ts_ns,
				t->s[i].ts_ns);
	}
	f = flow_get(h, t->flow_hash);
	known = f->path ? &h->paths[f->path - 1] : NULL;
	if (known && known->n > t->n && path_matches(known, t)) {
		/* stopped short of where its flow goes: lost on the next hop,
		 * unless the match table or the end of the run cut it short */
		if (!t->evicted && !t->at_end)
			count_loss(h, known, t->n);
		return;
	}
	/* a lone sighting is no path of its own */
	if (t->n < 2)
		return;
	p = path_get(h, t);
	if (!p)
		return;
	if (!known || p->n > known->n)
		f->path = (uint32_t)(p - h->paths) + 1;
	acc_add(&p->interval, &p->total, &p->jstate, &p->max_to_ts,
		t->s[0].ts_ns, t->s[t->n - 1].ts_ns);
}
