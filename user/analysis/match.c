// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include "analysis/match.h"
#include "core/mem.h"

static uint32_t index_home(const struct hs_matcher *m, uint64_t fp)
{
	/* fingerprints are already well mixed */
	return (uint32_t)(fp ^ (fp >> 32)) & m->index_mask;
}

int hs_matcher_init(struct hs_matcher *m, uint32_t capacity, uint64_t window_ns,
		    hs_emit_fn emit, void *emit_ctx)
{
	uint32_t index_size = 1, i;

	memset(m, 0, sizeof(*m));
	/* the index is twice the capacity, in 32 bits */
	if (!capacity || capacity > HS_MATCH_MAX_CAPACITY)
		return -EINVAL;
	/* load factor at most 1/2 keeps linear probing short */
	while (index_size < 2 * capacity)
		index_size <<= 1;
	m->capacity = capacity;
	m->index_mask = index_size - 1;
	m->window_ns = window_ns;
	m->emit = emit;
	m->emit_ctx = emit_ctx;
	m->slots = calloc(capacity, sizeof(*m->slots));
	m->free_list = calloc(capacity, sizeof(*m->free_list));
	/* read at random, record after record: in large pages */
	m->index = hs_table_alloc(index_size, sizeof(*m->index));
	m->nat_index = hs_table_alloc(index_size, sizeof(*m->nat_index));
	m->nat_flows = calloc(HS_NAT_FLOW_SLOTS, sizeof(*m->nat_flows));
	m->heap = hs_table_alloc(capacity, sizeof(*m->heap));
	if (!m->slots || !m->free_list || !m->index || !m->nat_index ||
	    !m->nat_flows || !m->heap) {
		hs_matcher_free(m);
		return -ENOMEM;
	}
	for (i = 0; i < capacity; i++)
		m->free_list[i] = capacity - 1 - i;
	m->n_free = capacity;
	return 0;
}

void hs_matcher_free(struct hs_matcher *m)
{
	free(m->slots);
	free(m->free_list);
	hs_table_free(m->index, m->index_mask + 1, sizeof(*m->index));
	hs_table_free(m->nat_index, m->index_mask + 1, sizeof(*m->nat_index));
	free(m->nat_flows);
	hs_table_free(m->heap, m->capacity, sizeof(*m->heap));
	m->slots = NULL;
	m->free_list = NULL;
	m->index = NULL;
	m->nat_index = NULL;
	m->nat_flows = NULL;
	m->heap = NULL;
}

uint64_t hs_matcher_bytes(const struct hs_matcher *m)
{
	return (uint64_t)m->capacity *
		       (sizeof(*m->slots) + sizeof(*m->free_list) +
			sizeof(*m->heap)) +
	       (uint64_t)(m->index_mask + 1) *
		       (sizeof(*m->index) + sizeof(*m->nat_index)) +
	       HS_NAT_FLOW_SLOTS * sizeof(*m->nat_flows);
}

void hs_matcher_set_host(struct hs_matcher *m, uint16_t point, uint8_t host,
			 bool egress)
{
	if (point >= HS_MAX_POINTS || host >= HS_MATCH_MAX_HOSTS)
		return;
	m->point_host[point] = host;
	m->point_egress[point] = egress;
	m->joined = m->joined || host;
}

void hs_matcher_set_slack(struct hs_matcher *m, uint8_t a, uint8_t b,
			  int64_t slack_ns)
{
	if (a < HS_MATCH_MAX_HOSTS && b < HS_MATCH_MAX_HOSTS)
		m->host_slack[a][b] = slack_ns;
}

void hs_matcher_set_nat_zone(struct hs_matcher *m, uint16_t point,
			     uint32_t zone)
{
	if (point < HS_MAX_POINTS)
		m->nat_zone[point] = zone;
}

/* ---- min-heap of slots on first_ts ---- */

static uint64_t heap_key(const struct hs_matcher *m, uint32_t pos)
{
	return m->slots[m->heap[pos]].first_ts;
}

static void heap_set(struct hs_matcher *m, uint32_t pos, uint32_t slot)
{
	m->heap[pos] = slot;
	m->slots[slot].heap_pos = pos;
}

static void heap_up(struct hs_matcher *m, uint32_t pos)
{
	uint32_t slot = m->heap[pos];
	uint64_t key = m->slots[slot].first_ts;

	while (pos > 0) {
		uint32_t parent = (pos - 1) / 2;

		if (heap_key(m, parent) <= key)
			break;
		heap_set(m, pos, m->heap[parent]);
		pos = parent;
	}
	heap_set(m, pos, slot);
}

static void heap_down(struct hs_matcher *m, uint32_t pos)
{
	uint32_t slot = m->heap[pos];
	uint64_t key = m->slots[slot].first_ts;

	for (;;) {
		uint32_t child = 2 * pos + 1;

		if (child >= m->used)
			break;
		if (child + 1 < m->used &&
		    heap_key(m, child + 1) < heap_key(m, child))
			child++;
		if (heap_key(m, child) >= key)
			break;
		heap_set(m, pos, m->heap[child]);
		pos = child;
	}
	heap_set(m, pos, slot);
}

/*
 * ---- the indexes: linear probing, backward-shift deletion ----
 *
 * An entry is a slot + 1 in its low 30 bits and, in the fingerprint
 * index, which of the trajectory's fingerprints it stands for in the two
 * above: the key is the slot's, so the table stays 4 bytes an entry.
 */

#define ENTRY_SLOT_MASK ((1u << 30) - 1)
#define ENTRY_WHICH_SHIFT 30

struct index_view {
	uint32_t *table;
	bool nat; /* keyed by NAT key, else by fingerprint */
};

static uint64_t entry_key(const struct hs_matcher *m, bool nat, uint32_t e)
{
	const struct hs_trajectory *t = &m->slots[(e & ENTRY_SLOT_MASK) - 1];
	uint32_t which = e >> ENTRY_WHICH_SHIFT;

	if (nat)
		return t->nat_key;
	return which ? t->alias[which - 1] : t->fingerprint;
}

static uint32_t *index_find(struct hs_matcher *m, uint64_t fp)
{
	uint32_t i = index_home(m, fp);

	while (m->index[i]) {
		if (entry_key(m, false, m->index[i]) == fp)
			return &m->index[i];
		i = (i + 1) & m->index_mask;
	}
	return NULL;
}

/* The entry that is exactly e, under key. */
static uint32_t *index_entry(struct hs_matcher *m, struct index_view v,
			     uint64_t key, uint32_t e)
{
	uint32_t i = index_home(m, key);

	while (v.table[i]) {
		if (v.table[i] == e)
			return &v.table[i];
		i = (i + 1) & m->index_mask;
	}
	return NULL;
}

static void index_insert(struct hs_matcher *m, struct index_view v,
			 uint64_t key, uint32_t e)
{
	uint32_t i = index_home(m, key);

	while (v.table[i])
		i = (i + 1) & m->index_mask;
	v.table[i] = e;
}

static void index_remove(struct hs_matcher *m, struct index_view v,
			 uint32_t *entry)
{
	uint32_t hole = (uint32_t)(entry - v.table);
	uint32_t i = hole;

	for (;;) {
		uint32_t home;

		i = (i + 1) & m->index_mask;
		if (!v.table[i])
			break;
		home = index_home(m, entry_key(m, v.nat, v.table[i]));
		/* move the entry into the hole unless its home lies
		 * cyclically in (hole, i] */
		if (((i - home) & m->index_mask) >=
		    ((i - hole) & m->index_mask)) {
			v.table[hole] = v.table[i];
			hole = i;
		}
	}
	v.table[hole] = 0;
}

static void index_drop(struct hs_matcher *m, struct index_view v,
		       uint64_t key, uint32_t e)
{
	uint32_t *entry = index_entry(m, v, key, e);

	if (entry)
		index_remove(m, v, entry);
}

/* Take every key of the trajectory in slot out of the indexes. */
static void unindex(struct hs_matcher *m, uint32_t slot)
{
	struct index_view fps = { m->index, false }, nat = { m->nat_index, true };
	const struct hs_trajectory *t = &m->slots[slot];
	uint32_t k;

	index_drop(m, fps, t->fingerprint, slot + 1);
	for (k = 0; k < t->n_alias; k++)
		index_drop(m, fps, t->alias[k],
			   ((k + 1) << ENTRY_WHICH_SHIFT) | (slot + 1));
	if (t->nat_key)
		index_drop(m, nat, t->nat_key, slot + 1);
}

/* ---- trajectories ---- */

/* Whether a comes before b on the packet's way (match.h: joined). */
static bool before(const struct hs_matcher *m, const struct hs_sighting *a,
		   const struct hs_sighting *b)
{
	uint8_t ha = m->point_host[a->point], hb = m->point_host[b->point];
	int64_t d = (int64_t)(b->ts_ns - a->ts_ns);

	if (m->joined && ha != hb && d < m->host_slack[ha][hb] &&
	    -d < m->host_slack[ha][hb] &&
	    m->point_egress[a->point] != m->point_egress[b->point])
		return m->point_egress[a->point];
	return a->ts_ns < b->ts_ns;
}

static void sort_sightings(const struct hs_matcher *m, struct hs_trajectory *t)
{
	int i, j;

	for (i = 1; i < t->n; i++) {
		struct hs_sighting s = t->s[i];

		for (j = i - 1; j >= 0 && before(m, &s, &t->s[j]); j--)
			t->s[j + 1] = t->s[j];
		t->s[j + 1] = s;
	}
}

/* Remove the heap's root, emit it, free its slot. */
static void emit_oldest(struct hs_matcher *m, int evicted, int at_end)
{
	uint32_t slot = m->heap[0];
	struct hs_trajectory *t = &m->slots[slot];

	unindex(m, slot);
	m->used--;
	if (m->used) {
		heap_set(m, 0, m->heap[m->used]);
		heap_down(m, 0);
	}
	t->evicted = evicted;
	t->at_end = at_end;
	if (evicted)
		m->counters.evicted++;
	if (at_end)
		m->counters.at_end++;
	sort_sightings(m, t);
	m->counters.trajectories++;
	if (t->n < 2)
		m->counters.singletons++;
	if (m->emit)
		m->emit(t, m->emit_ctx);
	m->free_list[m->n_free++] = slot;
}

static uint32_t point_bit(uint16_t point)
{
	return 1u << (point % 32);
}

/* The sighting of t at point, if any. */
static struct hs_sighting *find_point(struct hs_trajectory *t, uint16_t point)
{
	int i;

	if (!(t->point_bits & point_bit(point)))
		return NULL;
	for (i = 0; i < t->n; i++)
		if (t->s[i].point == point)
			return &t->s[i];
	return NULL;
}

static void add_sighting(struct hs_matcher *m, struct hs_trajectory *t,
			 const struct hs_record *r)
{
	struct hs_sighting *seen = find_point(t, r->point_id);

	if (seen) {
		m->counters.duplicates++;
		m->counters.point_duplicates[r->point_id]++;
		if (seen->dups < UINT8_MAX)
			seen->dups++;
		return;
	}
	if (t->n == HS_MAX_TRAJ_POINTS) {
		m->counters.overflow++;
		return;
	}
	t->s[t->n] = (struct hs_sighting){ .ts_ns = r->ts_ns,
					   .point = r->point_id,
					   .flow_hash = r->flow_hash };
	t->n++;
	t->point_bits |= point_bit(r->point_id);
	if (r->ts_ns < t->first_ts) {
		t->first_ts = r->ts_ns;
		heap_up(m, t->heap_pos);
	}
}

/* ---- the flows NAT made, learned from the joins ---- */

static uint64_t flow_key(uint32_t zone, uint32_t flow)
{
	return (uint64_t)zone << 32 | flow;
}

static struct hs_nat_flow *flow_slot(const struct hs_matcher *m, uint64_t key,
				     bool take)
{
	/* flow hashes are well mixed already; the zone moves the start */
	uint32_t home = (uint32_t)(key ^ (key >> 29)), i;
	struct hs_nat_flow *oldest = NULL;

	for (i = 0; i < HS_NAT_FLOW_PROBES; i++) {
		struct hs_nat_flow *f =
			&m->nat_flows[(home + i) & (HS_NAT_FLOW_SLOTS - 1)];

		if (f->key == key)
			return f;
		if (!oldest || !f->key || (oldest->key && f->ts < oldest->ts))
			oldest = f;
	}
	return take ? oldest : NULL;
}

/* What flow in zone is known to become (or to come from), or 0. */
static uint32_t flow_known(const struct hs_matcher *m, uint32_t zone,
			   uint32_t flow)
{
	const struct hs_nat_flow *f = flow_slot(m, flow_key(zone, flow), false);

	if (!f || f->ts + HS_NAT_FLOW_TTL_NS < m->newest_ts)
		return 0;
	return f->other;
}

static void flow_learn_one(struct hs_matcher *m, uint32_t zone, uint32_t a,
			   uint32_t b)
{
	struct hs_nat_flow *f = flow_slot(m, flow_key(zone, a), true);

	*f = (struct hs_nat_flow){ .key = flow_key(zone, a),
				   .ts = m->newest_ts,
				   .other = b };
}

static void flow_learn(struct hs_matcher *m, uint32_t zone, uint32_t a,
		       uint32_t b)
{
	flow_learn_one(m, zone, a, b);
	flow_learn_one(m, zone, b, a);
}

/* ---- joins across NAT ---- */

/* t's flow hash where it crossed zone; 0 (no candidate) where t has a
 * sighting at point, or none in the zone. */
static uint32_t zone_flow(const struct hs_matcher *m,
			  const struct hs_trajectory *t, uint16_t point,
			  uint32_t zone)
{
	uint32_t flow = 0;
	int i;

	for (i = 0; i < t->n; i++) {
		if (t->s[i].point == point)
			return 0;
		if (!flow && m->nat_zone[t->s[i].point] == zone)
			flow = t->s[i].flow_hash;
	}
	return flow;
}

enum nat_fit { NAT_NO, NAT_MAYBE, NAT_KNOWN };

/* How t, whose flow was flow in the zone, fits r: a flow known to become
 * r's is a fit; one known to become another is none, and would have
 * been a false match. */
static enum nat_fit nat_fit(struct hs_matcher *m, uint32_t zone,
			    uint32_t flow, uint32_t r_flow)
{
	uint32_t t_to = flow_known(m, zone, flow);
	uint32_t r_from = flow_known(m, zone, r_flow);

	if ((t_to && t_to != r_flow) || (r_from && r_from != flow)) {
		m->counters.nat_contradicted++;
		return NAT_NO;
	}
	return t_to ? NAT_KNOWN : NAT_MAYBE;
}

struct nat_pick {
	int64_t known, maybe; /* slot, -1 none, -2 more than one */
	uint32_t known_flow, maybe_flow;
};

static void pick(int64_t *slot, uint32_t *flow, uint32_t s, uint32_t f)
{
	*slot = *slot == -1 ? (int64_t)s : -2;
	*flow = f;
}

/* Mark every candidate of r unsure: an ambiguous join was refused. */
static void mark_unsure(struct hs_matcher *m, const struct hs_record *r,
			uint32_t zone)
{
	uint32_t i = index_home(m, r->nat_key);

	for (; m->nat_index[i]; i = (i + 1) & m->index_mask) {
		struct hs_trajectory *t = &m->slots[m->nat_index[i] - 1];

		if (t->nat_key == r->nat_key &&
		    zone_flow(m, t, r->point_id, zone))
			t->nat_unsure = 1;
	}
}

/* The one open trajectory r continues past a NAT (match.h), or -1; -2
 * where it is ambiguous. *flow: the trajectory's flow in the zone. */
static int64_t nat_find(struct hs_matcher *m, const struct hs_record *r,
			uint32_t zone, uint32_t *flow)
{
	struct nat_pick p = { -1, -1, 0, 0 };
	uint32_t i = index_home(m, r->nat_key);

	for (; m->nat_index[i]; i = (i + 1) & m->index_mask) {
		uint32_t slot = m->nat_index[i] - 1;
		uint32_t f;

		if (m->slots[slot].nat_key != r->nat_key)
			continue;
		f = zone_flow(m, &m->slots[slot], r->point_id, zone);
		if (!f || f == r->flow_hash)
			continue;
		switch (nat_fit(m, zone, f, r->flow_hash)) {
		case NAT_KNOWN:
			pick(&p.known, &p.known_flow, slot, f);
			break;
		case NAT_MAYBE:
			pick(&p.maybe, &p.maybe_flow, slot, f);
			break;
		case NAT_NO:
			break;
		}
	}
	if (p.known >= 0) {
		*flow = p.known_flow;
		return p.known;
	}
	if (p.known == -1 && p.maybe >= 0) {
		*flow = p.maybe_flow;
		return p.maybe;
	}
	return p.known == -2 || p.maybe == -2 ? -2 : -1;
}

/* r's fingerprint matched nothing: join it to a trajectory by NAT key
 * where one fits (match.h). */
static bool nat_join(struct hs_matcher *m, const struct hs_record *r,
		     bool *unsure)
{
	uint32_t zone = m->nat_zone[r->point_id], flow = 0;
	struct hs_trajectory *t;
	int64_t slot;

	if (!zone || !r->nat_key)
		return false;
	slot = nat_find(m, r, zone, &flow);
	if (slot == -2) {
		m->counters.nat_ambiguous++;
		mark_unsure(m, r, zone);
		*unsure = true;
	}
	if (slot < 0)
		return false;
	t = &m->slots[slot];
	flow_learn(m, zone, flow, r->flow_hash);
	add_sighting(m, t, r);
	m->counters.nat_joined++;
	if (t->n_alias == HS_MAX_NAT_ALIASES) {
		m->counters.nat_alias_overflow++;
		return true;
	}
	t->alias[t->n_alias++] = r->fingerprint;
	index_insert(m, (struct index_view){ m->index, false }, r->fingerprint,
		     ((uint32_t)t->n_alias << ENTRY_WHICH_SHIFT) |
			     (uint32_t)(slot + 1));
	return true;
}

void hs_matcher_add(struct hs_matcher *m, const struct hs_record *r)
{
	struct hs_trajectory *t;
	uint32_t *entry, slot;
	bool unsure = false;

	m->counters.records++;
	if (r->ts_ns < m->ignore_before) {
		m->counters.warmup++;
		return;
	}
	/* a batch can span more than the window (a slow drain, a burst):
	 * close what the window has passed before matching this record */
	if (r->ts_ns > m->newest_ts) {
		m->newest_ts = r->ts_ns;
		hs_matcher_expire(m);
	}
	entry = index_find(m, r->fingerprint);
	if (entry) {
		add_sighting(m, &m->slots[(*entry & ENTRY_SLOT_MASK) - 1], r);
		return;
	}
	if (nat_join(m, r, &unsure))
		return;
	if (!m->n_free)
		emit_oldest(m, 1, 0);
	slot = m->free_list[--m->n_free];
	t = &m->slots[slot];
	/* not memset: sightings past n are never read, and clearing all
	 * 32 would write nine cache lines for the few a path uses */
	t->fingerprint = r->fingerprint;
	t->first_ts = r->ts_ns;
	t->flow_hash = r->flow_hash;
	t->n = 1;
	t->evicted = 0;
	t->at_end = 0;
	t->point_bits = point_bit(r->point_id);
	t->s[0] = (struct hs_sighting){ .ts_ns = r->ts_ns,
					.point = r->point_id,
					.flow_hash = r->flow_hash };
	t->nat_key = r->nat_key;
	t->n_alias = 0;
	t->nat_unsure = unsure;
	index_insert(m, (struct index_view){ m->index, false }, r->fingerprint,
		     slot + 1);
	if (r->nat_key)
		index_insert(m, (struct index_view){ m->nat_index, true },
			     r->nat_key, slot + 1);
	m->heap[m->used] = slot;
	t->heap_pos = m->used;
	m->used++;
	heap_up(m, t->heap_pos);
}

void hs_matcher_expire(struct hs_matcher *m)
{
	while (m->used && heap_key(m, 0) + m->window_ns < m->newest_ts)
		emit_oldest(m, 0, 0);
}

uint64_t hs_matcher_open_from(const struct hs_matcher *m)
{
	/* anything new starts no earlier than what is already closed */
	uint64_t from =
		m->newest_ts > m->window_ns ? m->newest_ts - m->window_ns : 0;

	if (m->used && heap_key(m, 0) < from)
		from = heap_key(m, 0);
	return from;
}

void hs_matcher_flush(struct hs_matcher *m)
{
	while (m->used)
		emit_oldest(m, 0, 1);
}
