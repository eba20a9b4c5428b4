// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * live/merge.c: each CPU's ring's records of one drain, handed on in
 * timestamp order; probe/rings.c: how the rings share their size.
 */
#include <stdlib.h>
#include <string.h>
#include <criterion/criterion.h>
#include "live/merge.h"
#include "probe/rings.h"

#define MAX_OUT 4096

struct sink {
	struct hs_record out[MAX_OUT];
	size_t n;
};

static void collect(void *ctx, const struct hs_record *rec)
{
	struct sink *s = ctx;

	cr_assert_lt(s->n, MAX_OUT);
	s->out[s->n++] = *rec;
}

static void add(struct hs_merge *m, unsigned int ring, uint64_t ts,
		uint16_t point)
{
	struct hs_record r = { .ts_ns = ts, .point_id = point };

	cr_assert_eq(hs_merge_add(m, ring, &r), 0);
}

Test(merge, rings_interleave_by_timestamp)
{
	static struct sink s;
	struct hs_merge m;
	size_t i;

	cr_assert_eq(hs_merge_init(&m, 3), 0);
	/* each ring in its own order, as a CPU stamps them */
	add(&m, 0, 10, 0);
	add(&m, 0, 40, 0);
	add(&m, 0, 41, 0);
	add(&m, 1, 20, 1);
	add(&m, 1, 30, 1);
	add(&m, 2, 5, 2);
	add(&m, 2, 50, 2);
	s.n = 0;
	hs_merge_flush(&m, collect, &s);
	cr_assert_eq(s.n, 7);
	for (i = 1; i < s.n; i++)
		cr_assert_leq(s.out[i - 1].ts_ns, s.out[i].ts_ns,
			      "record %zu: %llu after %llu", i,
			      (unsigned long long)s.out[i].ts_ns,
			      (unsigned long long)s.out[i - 1].ts_ns);
	/* flushed: nothing held, nothing handed on twice */
	s.n = 0;
	hs_merge_flush(&m, collect, &s);
	cr_assert_eq(s.n, 0);
	hs_merge_free(&m);
}

/* Equal stamps: the lower ring first, a ring's own order kept. */
Test(merge, ties_are_deterministic)
{
	static struct sink s;
	struct hs_merge m;

	cr_assert_eq(hs_merge_init(&m, 2), 0);
	add(&m, 1, 7, 10);
	add(&m, 1, 7, 11);
	add(&m, 0, 7, 20);
	s.n = 0;
	hs_merge_flush(&m, collect, &s);
	cr_assert_eq(s.n, 3);
	cr_assert_eq(s.out[0].point_id, 20);
	cr_assert_eq(s.out[1].point_id, 10);
	cr_assert_eq(s.out[2].point_id, 11);
	hs_merge_free(&m);
}

/* Many rings, thousands of records, random stamps each ring in order:
 * all come out once, in order, past the first growth of every ring. */
Test(merge, many_rings_in_order)
{
	static struct sink s;
	uint64_t seed = 12345, last[8] = { 0 }, sum_in = 0, sum_out = 0;
	struct hs_merge m;
	size_t i;

	cr_assert_eq(hs_merge_init(&m, 8), 0);
	for (i = 0; i < MAX_OUT; i++) {
		unsigned int ring;

		seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
		ring = (unsigned int)(seed >> 61);
		last[ring] += (seed >> 40) % 1000;
		add(&m, ring, last[ring], (uint16_t)ring);
		sum_in += last[ring];
	}
	s.n = 0;
	hs_merge_flush(&m, collect, &s);
	cr_assert_eq(s.n, MAX_OUT);
	for (i = 0; i < s.n; i++) {
		sum_out += s.out[i].ts_ns;
		if (i)
			cr_assert_leq(s.out[i - 1].ts_ns, s.out[i].ts_ns);
	}
	cr_assert_eq(sum_in, sum_out);
	hs_merge_free(&m);
}

/* One busy ring: handed on as it is */
Test(merge, one_ring_in_its_order)
{
	static struct sink s;
	struct hs_merge m;

	cr_assert_eq(hs_merge_init(&m, 4), 0);
	add(&m, 2, 3, 1);
	add(&m, 2, 1, 2); /* out of order within a ring: left as it came */
	s.n = 0;
	hs_merge_flush(&m, collect, &s);
	cr_assert_eq(s.n, 2);
	cr_assert_eq(s.out[0].point_id, 1);
	cr_assert_eq(s.out[1].point_id, 2);
	hs_merge_free(&m);
}

Test(rings, each_cpu_gets_its_share_a_power_of_two)
{
	cr_assert_eq(hs_ring_bytes(8u << 20, 2), 4u << 20);
	cr_assert_eq(hs_ring_bytes(8u << 20, 1), 8u << 20);
	cr_assert_eq(hs_ring_bytes(8u << 20, 3), 2u << 20);
	cr_assert_eq(hs_ring_bytes(8u << 20, 128), 64u << 10);
	/* never under a page */
	cr_assert_eq(hs_ring_bytes(4096, 2), 4096);
	cr_assert_eq(hs_ring_bytes(4096, 1024), 4096);
}
