// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/libbpf.h>
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
static void flush_one(struct hs_merge_ring *r, hs_record_fn fn, void *ctx)
{
	size_t i;

	for (i = 0; i < r->n; i++)
		fn(ctx, &r->recs[i]);
}

void hs_merge_flush(struct hs_merge *m, hs_record_fn fn, void *ctx)
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

/* A ring's sample: held for the merge, or handed on as it comes. */
static int on_sample(void *ctx, void *data, size_t size)
{
	const struct hs_ring_tag *tag = ctx;
	struct hs_ring_reader *r = tag->r;

	if (size < sizeof(struct hs_record))
		r->bad(r->ctx);
	else if (r->rings.n < 2 || hs_merge_add(&r->merge, tag->ring, data))
		/* one ring, or no memory to hold it: in the ring's order */
		r->fn(r->ctx, data);
	return 0;
}

int hs_ring_reader_open(struct hs_ring_reader *r, int rings_fd,
			hs_record_fn fn, void (*bad)(void *ctx), void *ctx)
{
	unsigned int i;
	int err = hs_rings_open(&r->rings, rings_fd);

	r->fn = fn;
	r->bad = bad;
	r->ctx = ctx;
	if (err)
		return err;
	r->tags = calloc(r->rings.n, sizeof(*r->tags));
	r->tag_ptrs = calloc(r->rings.n, sizeof(*r->tag_ptrs));
	if (!r->tags || !r->tag_ptrs || hs_merge_init(&r->merge, r->rings.n))
		return -ENOMEM;
	for (i = 0; i < r->rings.n; i++) {
		r->tags[i] = (struct hs_ring_tag){ .r = r, .ring = i };
		r->tag_ptrs[i] = &r->tags[i];
	}
	r->rb = hs_rings_reader(&r->rings, on_sample, NULL, r->tag_ptrs);
	return r->rb ? 0 : -errno;
}

int hs_ring_reader_read(struct hs_ring_reader *r)
{
	int n = ring_buffer__consume(r->rb);

	hs_merge_flush(&r->merge, r->fn, r->ctx);
	return n;
}

int hs_ring_reader_fd(const struct hs_ring_reader *r)
{
	return ring_buffer__epoll_fd(r->rb);
}

void hs_ring_reader_close(struct hs_ring_reader *r)
{
	ring_buffer__free(r->rb);
	hs_merge_free(&r->merge);
	hs_rings_close(&r->rings);
	free(r->tags);
	free(r->tag_ptrs);
	memset(r, 0, sizeof(*r));
}
