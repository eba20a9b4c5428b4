// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "analysis/match.h"

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
	if (!capacity || capacity > (1u << 30))
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
	m->index = calloc(index_size, sizeof(*m->index));
	m->heap = calloc(capacity, sizeof(*m->heap));
	if (!m->slots || !m->free_list || !m->index || !m->heap) {
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
	free(m->index);
	free(m->heap);
	m->slots = NULL;
	m->free_list = NULL;
	m->index = NULL;
	m->heap = NULL;
}

uint64_t hs_matcher_bytes(const struct hs_matcher *m)
{
	return (uint64_t)m->capacity *
		       (sizeof(*m->slots) + sizeof(*m->free_list) +
			sizeof(*m->heap)) +
	       (uint64_t)(m->index_mask + 1) * sizeof(*m->index);
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

/* ---- fingerprint index: linear probing, backward-shift deletion ---- */

static uint32_t *index_find(struct hs_matcher *m, uint64_t fp)
{
	uint32_t i = index_home(m, fp);

	while (m->index[i]) {
		if (m->slots[m->index[i] - 1].fingerprint == fp)
			return &m->index[i];
		i = (i + 1) & m->index_mask;
	}
	return NULL;
}

static void index_insert(struct hs_matcher *m, uint64_t fp, uint32_t slot)
{
	uint32_t i = index_home(m, fp);

	while (m->index[i])
		i = (i + 1) & m->index_mask;
	m->index[i] = slot + 1;
}

static void index_remove(struct hs_matcher *m, uint32_t *entry)
{
	uint32_t hole = (uint32_t)(entry - m->index);
	uint32_t i = hole;

	for (;;) {
		uint32_t home;

		i = (i + 1) & m->index_mask;
		if (!m->index[i])
			break;
		home = index_home(m, m->slots[m->index[i] - 1].fingerprint);
		/* move the entry into the hole unless its home lies
		 * cyclically in (hole, i] */
		if (((i - home) & m->index_mask) >=
		    ((i - hole) & m->index_mask)) {
			m->index[hole] = m->index[i];
			hole = i;
		}
	}
	m->index[hole] = 0;
}

/* ---- trajectories ---- */

static void sort_sightings(struct hs_trajectory *t)
{
	int i, j;

	for (i = 1; i < t->n; i++) {
		struct hs_sighting s = t->s[i];

		for (j = i - 1; j >= 0 && t->s[j].ts_ns > s.ts_ns; j--)
			t->s[j + 1] = t->s[j];
		t->s[j + 1] = s;
	}
}

/* Remove the heap's root, emit it, free its slot. */
static void emit_oldest(struct hs_matcher *m, int evicted, int at_end)
{
	uint32_t slot = m->heap[0];
	struct hs_trajectory *t = &m->slots[slot];
	uint32_t *entry = index_find(m, t->fingerprint);

	if (entry)
		index_remove(m, entry);
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
	sort_sightings(t);
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
	t->s[t->n] =
		(struct hs_sighting){ .ts_ns = r->ts_ns, .point = r->point_id };
	t->n++;
	t->point_bits |= point_bit(r->point_id);
	if (r->ts_ns < t->first_ts) {
		t->first_ts = r->ts_ns;
		heap_up(m, t->heap_pos);
	}
}

void hs_matcher_add(struct hs_matcher *m, const struct hs_record *r)
{
	struct hs_trajectory *t;
	uint32_t *entry, slot;

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
		add_sighting(m, &m->slots[*entry - 1], r);
		return;
	}
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
	t->s[0] =
		(struct hs_sighting){ .ts_ns = r->ts_ns, .point = r->point_id };
	index_insert(m, r->fingerprint, slot);
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
