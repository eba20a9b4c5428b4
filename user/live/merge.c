// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "live/merge.h"

int hs_merge_init(struct hs_merge *m, unsigned int rings)
{
	memset(m, 0, sizeof(*m));
	m->rings = calloc(rings ? rings : 1, sizeof(*m->rings));
	m->heap = calloc(rings ? rings : 1, sizeof(*m->heap));
	if (!m->rings || !m->heap) {
		hs_merge_free(m);
		return -ENOMEM;
	}
	m->n = rings;
	return 0;
}

void hs_merge_free(struct hs_merge *m)
{
	unsigned int i;

	for (i = 0; m->rings && i < m->n; i++)
		free(m->rings[i].recs);
	free(m->rings);
	free(m->heap);
	memset(m, 0, sizeof(*m));
}

int hs_merge_add(struct hs_merge *m, unsigned int ring,
		 const struct hs_record *rec)
{
	struct hs_merge_ring *r = &m->rings[ring];

	if (r->n == r->cap) {
		size_t cap = r->cap ? r->cap * 2 : 1024;
		struct hs_record *recs = realloc(r->recs, cap * sizeof(*recs));

		if (!recs)
			return -ENOMEM;
		r->recs = recs;
		r->cap = cap;
	}
	r->recs[r->n++] = *rec;
	return 0;
}

static uint64_t head_ts(const struct hs_merge *m, unsigned int ring)
{
	const struct hs_merge_ring *r = &m->rings[ring];

	return r->recs[r->next].ts_ns;
}

/* Ties go to the lower ring: the order is a function of the input. */
static int before(const struct hs_merge *m, unsigned int a, unsigned int b)
{
	uint64_t ta = head_ts(m, a), tb = head_ts(m, b);

	return ta < tb || (ta == tb && a < b);
}

static void sift_down(struct hs_merge *m, unsigned int *heap, unsigned int n,
		      unsigned int i)
{
	for (;;) {
		unsigned int l = 2 * i + 1, least = i, t;

		if (l < n && before(m, heap[l], heap[least]))
			least = l;
		if (l + 1 < n && before(m, heap[l + 1], heap[least]))
			least = l + 1;
		if (least == i)
			return;
		t = heap[i];
		heap[i] = heap[least];
		heap[least] = t;
		i = least;
	}
}

/* One ring with records, the usual case with one busy CPU: in order. */
static void flush_one(struct hs_merge_ring *r,
		      void (*fn)(void *ctx, const struct hs_record *rec),
		      void *ctx)
{
	size_t i;

	for (i = 0; i < r->n; i++)
		fn(ctx, &r->recs[i]);
}

void hs_merge_flush(struct hs_merge *m,
		    void (*fn)(void *ctx, const struct hs_record *rec),
		    void *ctx)
{
	unsigned int i, n = 0;

	for (i = 0; i < m->n; i++) {
		m->rings[i].next = 0;
		if (m->rings[i].n)
			m->heap[n++] = i;
	}
	if (n == 1) {
		flush_one(&m->rings[m->heap[0]], fn, ctx);
	} else if (n > 1) {
		for (i = n / 2; i-- > 0;)
			sift_down(m, m->heap, n, i);
		while (n) {
			struct hs_merge_ring *r = &m->rings[m->heap[0]];

			fn(ctx, &r->recs[r->next++]);
			if (r->next == r->n)
				m->heap[0] = m->heap[--n];
			sift_down(m, m->heap, n, 0);
		}
	}
	for (i = 0; i < m->n; i++)
		m->rings[i].n = 0;
}
