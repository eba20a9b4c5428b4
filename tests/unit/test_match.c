// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * match.c: sightings become trajectories, in time order, emitted in the
 * order of their first sighting; window expiry, duplicates, eviction, and
 * a randomised run against a plain reference model.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <criterion/criterion.h>
#include "analysis/match.h"

/* What the emit callback saw, in order. Static: see test_stats.c. */
#define MAX_EMITS 100000

struct emits {
	unsigned int n;
	struct hs_trajectory t[MAX_EMITS];
};

/* On the heap, not static: every test's process would have LeakSanitizer
 * scan it at exit, and the unit binary forks one per test. */
static struct emits *sink_mem;
#define sink (*sink_mem)
/* the reference model of the randomised test, on the heap too */
static struct refmodel *ref_mem;

/*
 * One matcher per test (each test is its own process). It is freed in the
 * suite's fini, which also runs after a failed assertion: a test that
 * stops early must not turn into a leak report.
 */
static struct hs_matcher m;

static void setup(void)
{
	sink_mem = calloc(1, sizeof(*sink_mem));
	cr_assert_not_null(sink_mem);
}

static void teardown(void)
{
	hs_matcher_free(&m);
	free(sink_mem);
	free(ref_mem);
	sink_mem = NULL;
	ref_mem = NULL;
}

TestSuite(match, .init = setup, .fini = teardown);

static void collect(const struct hs_trajectory *t, void *ctx)
{
	struct emits *s = ctx;

	cr_assert_lt(s->n, MAX_EMITS);
	s->t[s->n++] = *t;
}

static struct hs_record rec(uint64_t fp, uint16_t point, uint64_t ts)
{
	struct hs_record r = {};

	r.fingerprint = fp;
	r.point_id = point;
	r.ts_ns = ts;
	r.flow_hash = (uint32_t)(fp * 7);
	return r;
}

static void add(struct hs_matcher *mt, uint64_t fp, uint16_t point,
		uint64_t ts)
{
	struct hs_record r = rec(fp, point, ts);

	hs_matcher_add(mt, &r);
}

static void init(struct hs_matcher *mt, uint32_t capacity, uint64_t window)
{
	memset(&sink, 0, sizeof(sink));
	cr_assert_eq(hs_matcher_init(mt, capacity, window, collect, &sink), 0);
}

static void assert_sighting(const struct hs_trajectory *t, int i,
			    uint16_t point, uint64_t ts)
{
	cr_assert_eq(t->s[i].point, point, "sighting %d: point %u, want %u",
		     i, t->s[i].point, point);
	cr_assert_eq(t->s[i].ts_ns, ts, "sighting %d: ts %lu, want %lu", i,
		     (unsigned long)t->s[i].ts_ns, (unsigned long)ts);
}

Test(match, init_rejects_zero_capacity)
{

	cr_assert_eq(hs_matcher_init(&m, 0, 1000, collect, &sink), -EINVAL);
}

Test(match, shuffled_sightings_sorted_by_time)
{
	const struct hs_trajectory *t;

	init(&m, 16, 1000);
	/* points 1, 2, 3 at 100, 200, 300, handed in as 3, 1, 2 */
	add(&m, 0xA, 3, 300);
	add(&m, 0xA, 1, 100);
	add(&m, 0xA, 2, 200);
	cr_assert_eq(sink.n, 0, "nothing closes inside the window");
	hs_matcher_flush(&m);
	cr_assert_eq(sink.n, 1);
	t = &sink.t[0];
	cr_assert_eq(t->fingerprint, 0xA);
	cr_assert_eq(t->flow_hash, 0xA * 7);
	cr_assert_eq(t->n, 3);
	cr_assert_eq(t->first_ts, 100);
	cr_assert_eq(t->evicted, 0);
	assert_sighting(t, 0, 1, 100);
	assert_sighting(t, 1, 2, 200);
	assert_sighting(t, 2, 3, 300);
	cr_assert_eq(m.counters.records, 3);
	cr_assert_eq(m.counters.trajectories, 1);
	cr_assert_eq(m.counters.singletons, 0);
	cr_assert_eq(m.used, 0);
}

Test(match, emitted_in_first_sighting_order)
{

	init(&m, 16, 1000000);
	/* handed in as A (first seen 500), B (100), C (300): out B, C, A */
	add(&m, 0xA, 1, 500);
	add(&m, 0xB, 1, 100);
	add(&m, 0xC, 1, 300);
	add(&m, 0xA, 2, 550);
	add(&m, 0xB, 2, 150);
	hs_matcher_flush(&m);
	cr_assert_eq(sink.n, 3);
	cr_assert_eq(sink.t[0].fingerprint, 0xB);
	cr_assert_eq(sink.t[1].fingerprint, 0xC);
	cr_assert_eq(sink.t[2].fingerprint, 0xA);
	cr_assert_eq(sink.t[0].n, 2);
	cr_assert_eq(sink.t[1].n, 1);
	/* C has one sighting: a singleton, no hop */
	cr_assert_eq(m.counters.singletons, 1);
}

Test(match, expire_emits_only_closed_windows)
{

	/* closed when first_ts + window < newest_ts (strictly) */
	init(&m, 16, 1000);
	add(&m, 0xA, 1, 0);
	add(&m, 0xA, 2, 50);
	add(&m, 0xB, 1, 600);
	add(&m, 0xC, 1, 1500);
	cr_assert_eq(m.newest_ts, 1500);
	hs_matcher_expire(&m);
	/* A: 0 + 1000 < 1500 closed; B: 1600 < 1500 no; C no */
	cr_assert_eq(sink.n, 1);
	cr_assert_eq(sink.t[0].fingerprint, 0xA);
	cr_assert_eq(sink.t[0].n, 2);
	cr_assert_eq(sink.t[0].evicted, 0);

	/* newest 1600: B's 600 + 1000 = 1600 is not < 1600, still open */
	add(&m, 0xD, 1, 1600);
	hs_matcher_expire(&m);
	cr_assert_eq(sink.n, 1);

	/* newest 1601: B closes, C (2500) and D (2600) stay */
	add(&m, 0xD, 2, 1601);
	hs_matcher_expire(&m);
	cr_assert_eq(sink.n, 2);
	cr_assert_eq(sink.t[1].fingerprint, 0xB);
	cr_assert_eq(m.used, 2);

	/* an old record does not move newest_ts back */
	add(&m, 0xE, 1, 10);
	cr_assert_eq(m.newest_ts, 1601);
	/* E: 10 + 1000 < 1601, closes at once and before C */
	hs_matcher_expire(&m);
	cr_assert_eq(sink.n, 3);
	cr_assert_eq(sink.t[2].fingerprint, 0xE);

	hs_matcher_flush(&m);
	cr_assert_eq(sink.n, 5);
	cr_assert_eq(sink.t[3].fingerprint, 0xC);
	cr_assert_eq(sink.t[4].fingerprint, 0xD);
	cr_assert_eq(m.counters.evicted, 0);
}

Test(match, duplicate_sighting_counted_and_ignored)
{
	const struct hs_trajectory *t;

	init(&m, 16, 1000);
	add(&m, 0xA, 1, 100);
	add(&m, 0xA, 2, 200);
	add(&m, 0xA, 2, 250); /* a second sighting at point 2 */
	add(&m, 0xA, 1, 90); /* and at point 1, earlier than the first */
	cr_assert_eq(m.counters.duplicates, 2);
	cr_assert_eq(m.counters.records, 4);
	hs_matcher_flush(&m);
	cr_assert_eq(sink.n, 1);
	t = &sink.t[0];
	/* the first sightings stay, first_ts did not move to 90 */
	cr_assert_eq(t->n, 2);
	cr_assert_eq(t->first_ts, 100);
	assert_sighting(t, 0, 1, 100);
	assert_sighting(t, 1, 2, 200);
	/* each sighting knows how often its point saw the packet again */
	cr_assert_eq(t->s[0].dups, 1);
	cr_assert_eq(t->s[1].dups, 1);
	cr_assert_eq(m.counters.point_duplicates[1], 1);
	cr_assert_eq(m.counters.point_duplicates[2], 1);
	cr_assert_eq(m.counters.point_duplicates[3], 0);
}

Test(match, overflow_beyond_max_points)
{
	uint16_t p;

	init(&m, 4, 1000000);
	/* HS_MAX_TRAJ_POINTS (16) distinct points fit, two more do not */
	for (p = 0; p < HS_MAX_TRAJ_POINTS + 2; p++)
		add(&m, 0xA, p, 1000 + p);
	cr_assert_eq(m.counters.overflow, 2);
	hs_matcher_flush(&m);
	cr_assert_eq(sink.n, 1);
	cr_assert_eq(sink.t[0].n, HS_MAX_TRAJ_POINTS);
	assert_sighting(&sink.t[0], HS_MAX_TRAJ_POINTS - 1,
			HS_MAX_TRAJ_POINTS - 1, 1000 + HS_MAX_TRAJ_POINTS - 1);
}

Test(match, full_table_evicts_oldest)
{

	/* capacity 2, windows never close on their own */
	init(&m, 2, 1000000);
	add(&m, 0xA, 1, 200);
	add(&m, 0xB, 1, 100);
	add(&m, 0xA, 2, 300);
	cr_assert_eq(sink.n, 0);
	/* C needs a slot: B (first seen 100) is the oldest, out early */
	add(&m, 0xC, 1, 400);
	cr_assert_eq(sink.n, 1);
	cr_assert_eq(sink.t[0].fingerprint, 0xB);
	cr_assert_eq(sink.t[0].evicted, 1);
	cr_assert_eq(m.counters.evicted, 1);
	/* a later sighting of B starts a new trajectory: A goes now */
	add(&m, 0xB, 2, 450);
	cr_assert_eq(sink.n, 2);
	cr_assert_eq(sink.t[1].fingerprint, 0xA);
	cr_assert_eq(sink.t[1].evicted, 1);
	cr_assert_eq(sink.t[1].n, 2);
	cr_assert_eq(m.counters.evicted, 2);
	hs_matcher_flush(&m);
	cr_assert_eq(sink.n, 4);
	cr_assert_eq(sink.t[2].fingerprint, 0xC);
	cr_assert_eq(sink.t[2].evicted, 0);
	cr_assert_eq(sink.t[3].fingerprint, 0xB);
	cr_assert_eq(sink.t[3].n, 1);
	cr_assert_eq(sink.t[3].evicted, 0);
	cr_assert_eq(m.counters.trajectories, 4);
	cr_assert_eq(m.counters.evicted, 2);
}

Test(match, full_table_closed_window_is_not_evicted)
{
	/* capacity 1, window 100. B at 1000 moves newest_ts past A's window
	 * (0 + 100 < 1000): A is closed, not cut short, so it must come out
	 * with evicted = 0 (hops.c never counts an evicted trajectory as
	 * lost, so a wrong flag would hide a loss) */
	init(&m, 1, 100);
	add(&m, 0xA, 1, 0);
	add(&m, 0xB, 1, 1000);
	cr_assert_eq(sink.n, 1);
	cr_assert_eq(sink.t[0].fingerprint, 0xA);
	cr_assert_eq(sink.t[0].evicted, 0);
	cr_assert_eq(m.counters.evicted, 0);
}

Test(match, add_closes_passed_windows_first)
{
	/* no explicit expire: a batch that spans more than the window must
	 * not join two packets with one fingerprint 5 us apart */
	init(&m, 16, 1000);
	add(&m, 0xA, 1, 0);
	add(&m, 0xA, 2, 5000);
	cr_assert_eq(sink.n, 1, "the first A closes when 5000 arrives");
	cr_assert_eq(sink.t[0].n, 1);
	cr_assert_eq(sink.t[0].first_ts, 0);
	hs_matcher_flush(&m);
	cr_assert_eq(sink.n, 2);
	cr_assert_eq(sink.t[1].fingerprint, 0xA);
	cr_assert_eq(sink.t[1].first_ts, 5000);
	assert_sighting(&sink.t[1], 0, 2, 5000);
	cr_assert_eq(m.counters.duplicates, 0);
}

Test(match, earlier_record_reorders_heap)
{
	init(&m, 16, 1000);
	add(&m, 0xA, 1, 100);
	add(&m, 0xB, 1, 200);
	add(&m, 0xC, 1, 300);
	/* C is seen earlier elsewhere (another CPU's record came late):
	 * its first_ts becomes 50, and it must now come out first */
	add(&m, 0xC, 0, 50);
	cr_assert_eq(sink.n, 0);
	/* newest 1150: C (50 + 1000 < 1150) and A (1100 < 1150) close,
	 * B (200 + 1000 = 1200) does not */
	add(&m, 0xD, 1, 1150);
	cr_assert_eq(sink.n, 2);
	cr_assert_eq(sink.t[0].fingerprint, 0xC);
	cr_assert_eq(sink.t[0].first_ts, 50);
	assert_sighting(&sink.t[0], 0, 0, 50);
	assert_sighting(&sink.t[0], 1, 1, 300);
	cr_assert_eq(sink.t[1].fingerprint, 0xA);
	hs_matcher_flush(&m);
	cr_assert_eq(sink.n, 4);
	cr_assert_eq(sink.t[2].fingerprint, 0xB);
	cr_assert_eq(sink.t[3].fingerprint, 0xD);
}

Test(match, earlier_record_deep_in_heap)
{
	uint64_t i;

	/* 15 trajectories at 1000, 2000, ... 15000 fill a heap of 4 levels;
	 * the last one gets a sighting at 5 and must bubble to the root */
	init(&m, 32, 1000000);
	for (i = 1; i <= 15; i++)
		add(&m, i, 1, i * 1000);
	add(&m, 15, 2, 5);
	hs_matcher_flush(&m);
	cr_assert_eq(sink.n, 15);
	cr_assert_eq(sink.t[0].fingerprint, 15);
	for (i = 1; i < 15; i++)
		cr_assert_eq(sink.t[i].fingerprint, i, "emit %lu",
			     (unsigned long)i);
}

Test(match, flush_emits_everything)
{
	uint64_t i;

	init(&m, 64, 10);
	for (i = 0; i < 40; i++)
		add(&m, 1000 + i, (uint16_t)(i % 3), 5);
	cr_assert_eq(m.used, 40);
	hs_matcher_flush(&m);
	cr_assert_eq(sink.n, 40);
	cr_assert_eq(m.used, 0);
	cr_assert_eq(m.n_free, 64);
	cr_assert_eq(m.counters.trajectories, 40);
	cr_assert_eq(m.counters.singletons, 40);
	/* a second flush has nothing left */
	hs_matcher_flush(&m);
	cr_assert_eq(sink.n, 40);
}

Test(match, bytes_accounts_for_tables)
{

	/* capacity 100: two indexes (fingerprint, NAT key) of 256 entries
	 * (power of two >= 2 * 100) */
	init(&m, 100, 10);
	cr_assert_eq(m.index_mask, 255);
	cr_assert_eq(hs_matcher_bytes(&m),
		     100 * (sizeof(struct hs_trajectory) + 4 + 4) + 2 * 256 * 4 +
			     HS_NAT_FLOW_SLOTS * sizeof(struct hs_nat_flow));
}

/* ---- randomised run against a reference model ---- */

/* The reference: an unordered array scanned linearly. Same contract. */
struct refmodel {
	uint32_t capacity;
	uint64_t window;
	uint64_t newest;
	unsigned int n;
	struct hs_trajectory t[64];
	struct hs_match_counters c;
	struct emits out;
};

#define ref (*ref_mem)

static void ref_sort(struct hs_trajectory *t)
{
	int i, j;

	for (i = 1; i < t->n; i++)
		for (j = i; j > 0 && t->s[j - 1].ts_ns > t->s[j].ts_ns; j--) {
			struct hs_sighting x = t->s[j];

			t->s[j] = t->s[j - 1];
			t->s[j - 1] = x;
		}
}

static void ref_emit_min(struct refmodel *r, int evicted)
{
	unsigned int i, min = 0;

	for (i = 1; i < r->n; i++)
		if (r->t[i].first_ts < r->t[min].first_ts)
			min = i;
	r->t[min].evicted = evicted;
	ref_sort(&r->t[min]);
	r->out.t[r->out.n++] = r->t[min];
	r->c.trajectories++;
	r->c.evicted += evicted;
	r->c.singletons += r->t[min].n < 2;
	r->t[min] = r->t[--r->n];
}

static void ref_expire(struct refmodel *r)
{
	for (;;) {
		unsigned int i, min = 0;

		if (!r->n)
			return;
		for (i = 1; i < r->n; i++)
			if (r->t[i].first_ts < r->t[min].first_ts)
				min = i;
		if (r->t[min].first_ts + r->window >= r->newest)
			return;
		ref_emit_min(r, 0);
	}
}

static void ref_add(struct refmodel *r, const struct hs_record *rc)
{
	struct hs_trajectory *t;
	unsigned int i;
	int k;

	r->c.records++;
	/* windows the new record passes close before it is matched */
	if (rc->ts_ns > r->newest) {
		r->newest = rc->ts_ns;
		ref_expire(r);
	}
	for (i = 0; i < r->n; i++) {
		if (r->t[i].fingerprint != rc->fingerprint)
			continue;
		t = &r->t[i];
		for (k = 0; k < t->n; k++)
			if (t->s[k].point == rc->point_id)
				break;
		if (k < t->n) {
			r->c.duplicates++;
		} else if (t->n == HS_MAX_TRAJ_POINTS) {
			r->c.overflow++;
		} else {
			t->s[t->n].point = rc->point_id;
			t->s[t->n++].ts_ns = rc->ts_ns;
			if (rc->ts_ns < t->first_ts)
				t->first_ts = rc->ts_ns;
		}
		return;
	}
	if (r->n == r->capacity)
		ref_emit_min(r, 1);
	t = &r->t[r->n++];
	memset(t, 0, sizeof(*t));
	t->fingerprint = rc->fingerprint;
	t->flow_hash = rc->flow_hash;
	t->first_ts = rc->ts_ns;
	t->s[0].point = rc->point_id;
	t->s[0].ts_ns = rc->ts_ns;
	t->n = 1;
}

static uint64_t rng_state = 0x2545F4914F6CDD1DULL;

static uint64_t rng(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545F4914F6CDD1DULL;
}

static void assert_same_emits(const struct emits *a, const struct emits *b)
{
	unsigned int i;
	int k;

	cr_assert_eq(a->n, b->n, "emitted %u, reference %u", a->n, b->n);
	for (i = 0; i < a->n; i++) {
		const struct hs_trajectory *x = &a->t[i], *y = &b->t[i];

		cr_assert_eq(x->fingerprint, y->fingerprint,
			     "emit %u: fp %#lx, reference %#lx", i,
			     (unsigned long)x->fingerprint,
			     (unsigned long)y->fingerprint);
		cr_assert_eq(x->first_ts, y->first_ts, "emit %u", i);
		cr_assert_eq(x->evicted, y->evicted, "emit %u", i);
		cr_assert_eq(x->flow_hash, y->flow_hash, "emit %u", i);
		cr_assert_eq(x->n, y->n, "emit %u", i);
		for (k = 0; k < x->n; k++) {
			cr_assert_eq(x->s[k].point, y->s[k].point,
				     "emit %u sighting %d", i, k);
			cr_assert_eq(x->s[k].ts_ns, y->s[k].ts_ns,
				     "emit %u sighting %d", i, k);
		}
	}
}

Test(match, random_against_reference, .timeout = 20)
{
	/*
	 * capacity 64: the index has 128 entries (mask 127). Half of the
	 * fingerprints are built as (x << 32) | (x ^ h) so that their home
	 * slot fp ^ (fp >> 32) is h, with h in {126, 127, 0}: long probe
	 * chains that wrap around the end of the index, which is where a
	 * wrong backward-shift deletion loses entries. Any lost entry makes
	 * the matcher start a second trajectory for a fingerprint and the
	 * emitted stream diverges from the reference.
	 *
	 * Timestamps are (i - d) * 1024 + (i % 1024) for record i and a
	 * random lag d in 0..31: arrival is out of time order (first_ts
	 * moves back, the heap must follow), yet no two records share a
	 * timestamp, so the emit order is unambiguous.
	 */
	static const uint32_t homes[] = { 126, 127, 0 };
	enum { RECORDS = 100000, POOL = 1000 };
	static uint64_t pool[POOL];
	unsigned int i, slice;

	init(&m, 64, 128 * 1024);
	cr_assert_eq(m.index_mask, 127);
	ref_mem = calloc(1, sizeof(*ref_mem));
	cr_assert_not_null(ref_mem);
	ref.capacity = 64;
	ref.window = 128 * 1024;
	for (i = 0; i < POOL; i++) {
		uint64_t x = i + 1;

		if (i % 2)
			pool[i] = rng();
		else
			pool[i] = x << 32 | (x ^ homes[i / 2 % 3]);
	}
	for (i = 0; i < RECORDS; i++) {
		uint64_t lag = rng() % 32;
		struct hs_record r;

		/* a fingerprint from a moving slice of the pool: each comes
		 * back a few times, then rests and returns as a new packet.
		 * Phases of 5000 records alternate a narrow slice (32: ~4
		 * sightings a trajectory, duplicates) and a wide one (400:
		 * ~100 fingerprints inside one window, more than the 64
		 * slots, so the table runs full and evicts). */
		slice = (i / 5000) % 2 ? 400 : 32;
		r = rec(pool[(i / 8 + rng() % slice) % POOL],
			(uint16_t)(rng() % 20),
			(i + 32 - lag) * 1024 + i % 1024);
		hs_matcher_add(&m, &r);
		ref_add(&ref, &r);
		if (rng() % 8 == 0) {
			hs_matcher_expire(&m);
			ref_expire(&ref);
		}
		/* a lost index entry shows up here at once, as a second
		 * trajectory for one fingerprint, before it can fill the
		 * index and hang the probing loop */
		cr_assert_eq(m.used, ref.n, "record %u: %u in flight, reference %u",
			     i, m.used, ref.n);
		cr_assert_eq(sink.n, ref.out.n, "record %u", i);
	}
	hs_matcher_flush(&m);
	while (ref.n)
		ref_emit_min(&ref, 0);

	assert_same_emits(&sink, &ref.out);
	cr_assert_eq(m.counters.records, ref.c.records);
	cr_assert_eq(m.counters.trajectories, ref.c.trajectories);
	cr_assert_eq(m.counters.evicted, ref.c.evicted);
	cr_assert_eq(m.counters.duplicates, ref.c.duplicates);
	cr_assert_eq(m.counters.overflow, ref.c.overflow);
	cr_assert_eq(m.counters.singletons, ref.c.singletons);
	/* the run must have exercised every path */
	cr_assert_gt(ref.c.evicted, 0);
	cr_assert_gt(ref.c.duplicates, 0);
	cr_assert_gt(ref.c.trajectories - ref.c.evicted, 1000);
}

/* ---- across NAT: the NAT key where the fingerprint fails ---- */

TestSuite(match_nat, .init = setup, .fini = teardown);

static void add_flow(uint64_t fp, uint64_t key, uint32_t flow, uint16_t point,
		     uint64_t ts)
{
	struct hs_record r = rec(fp, point, ts);

	r.nat_key = key;
	r.flow_hash = flow;
	hs_matcher_add(&m, &r);
}

/* A record whose flow hash follows from its fingerprint (rec()). */
static void add_nat(uint64_t fp, uint64_t key, uint16_t point, uint64_t ts)
{
	add_flow(fp, key, (uint32_t)(fp * 7), point, ts);
}

/* A chain snd(0) -> nat box in(1), out(2) -> rcv(3); the box rewrites the
 * source: fingerprint 0x100 before it, 0x200 after, NAT key 0x77. */
static void nat_chain(void)
{
	init(&m, 64, 1000);
	hs_matcher_set_nat_zone(&m, 0, 1);
	hs_matcher_set_nat_zone(&m, 1, 2);
	hs_matcher_set_nat_zone(&m, 2, 2);
	hs_matcher_set_nat_zone(&m, 3, 3);
}

Test(match_nat, joined_through_the_box_and_on_by_the_new_fingerprint)
{
	nat_chain();
	add_nat(0x100, 0x77, 0, 10);
	add_nat(0x100, 0x77, 1, 20);
	add_nat(0x200, 0x77, 2, 30);
	add_nat(0x200, 0x77, 3, 40);
	hs_matcher_flush(&m);
	cr_assert_eq(sink.n, 1);
	cr_assert_eq(sink.t[0].n, 4);
	assert_sighting(&sink.t[0], 2, 2, 30);
	assert_sighting(&sink.t[0], 3, 3, 40);
	/* the flow hash is each record's own: it changes at the box */
	cr_assert_eq(sink.t[0].s[1].flow_hash, (uint32_t)(0x100 * 7));
	cr_assert_eq(sink.t[0].s[2].flow_hash, (uint32_t)(0x200 * 7));
	cr_assert_eq(m.counters.nat_joined, 1);
}

/* Records of one CPU may come before another's: the rewritten side first
 * joins all the same. */
Test(match_nat, the_far_side_first)
{
	nat_chain();
	add_nat(0x200, 0x77, 2, 30);
	add_nat(0x200, 0x77, 3, 40);
	add_nat(0x100, 0x77, 1, 20);
	add_nat(0x100, 0x77, 0, 10);
	hs_matcher_flush(&m);
	cr_assert_eq(sink.n, 1);
	cr_assert_eq(sink.t[0].n, 4);
	assert_sighting(&sink.t[0], 0, 0, 10);
}

/* Only inside one zone: from the sender's namespace to the box's is no
 * place for a rewrite, and no zone means no NAT looked for. */
Test(match_nat, only_within_a_zone)
{
	nat_chain();
	add_nat(0x100, 0x77, 0, 10);
	add_nat(0x200, 0x77, 1, 20); /* zone 2: no sighting there yet */
	hs_matcher_set_nat_zone(&m, 3, 0);
	add_nat(0x300, 0x88, 1, 21);
	add_nat(0x400, 0x88, 3, 22);
	hs_matcher_flush(&m);
	cr_assert_eq(sink.n, 4);
	cr_assert_eq(m.counters.nat_joined, 0);
}

/* Two packets alike in all NAT keeps (identical payloads, ids that
 * happen to agree): a third that either could be joins neither. */
Test(match_nat, ambiguous_joins_neither)
{
	nat_chain();
	add_nat(0x100, 0x77, 1, 10);
	add_nat(0x101, 0x77, 1, 11); /* a second flow, same NAT key */
	add_nat(0x200, 0x77, 2, 20);
	hs_matcher_flush(&m);
	cr_assert_eq(sink.n, 3);
	cr_assert_eq(m.counters.nat_ambiguous, 1);
	cr_assert_eq(m.counters.nat_joined, 0);
	/* none of them may count as lost */
	cr_assert(sink.t[0].nat_unsure && sink.t[1].nat_unsure &&
		  sink.t[2].nat_unsure);
}

/*
 * Many flows with identical payloads (IPv4 id 0): every packet of flows A
 * and B has the NAT key of the other's packet with the same sequence. The
 * first packets, one flow at a time, teach the matcher that A becomes A2
 * and B becomes B2; after that, both in flight at once are told apart by
 * flow, and a join that would cross them is counted as contradicted.
 */
Test(match_nat, learned_flows_tell_alike_packets_apart)
{
	const uint32_t A = 0xa, A2 = 0xa2, B = 0xb, B2 = 0xb2;

	nat_chain();
	/* sequence 0 of each, one after the other: learned */
	add_flow(0x10, 0x70, A, 1, 10);
	add_flow(0x11, 0x70, A2, 2, 20);
	add_flow(0x20, 0x71, B, 1, 30);
	add_flow(0x21, 0x71, B2, 2, 40);
	/* sequence 1 of both in flight at once, NAT key 0x80 for both */
	add_flow(0x30, 0x80, A, 1, 100);
	add_flow(0x40, 0x80, B, 1, 101);
	add_flow(0x41, 0x80, B2, 2, 110);
	add_flow(0x31, 0x80, A2, 2, 111);
	hs_matcher_flush(&m);
	cr_assert_eq(sink.n, 4);
	cr_assert_eq(sink.t[2].n, 2);
	cr_assert_eq(sink.t[2].s[1].flow_hash, A2);
	cr_assert_eq(sink.t[3].n, 2);
	cr_assert_eq(sink.t[3].s[1].flow_hash, B2);
	cr_assert_eq(m.counters.nat_joined, 4);
	cr_assert_eq(m.counters.nat_ambiguous, 0);
	/* B2 passed A by, then A2 passed B (already joined) by: A by then
	 * alone */
	cr_assert_geq(m.counters.nat_contradicted, 1);
}

/* A trajectory that has a sighting at the point already is no candidate,
 * and a NAT key of 0 (a format 1 record file) never joins. */
Test(match_nat, not_twice_at_a_point_and_never_key_0)
{
	nat_chain();
	add_nat(0x100, 0x77, 1, 10);
	add_nat(0x100, 0x77, 2, 11);
	add_nat(0x200, 0x77, 2, 20);
	add_nat(0x300, 0, 1, 30);
	add_nat(0x400, 0, 2, 31);
	hs_matcher_flush(&m);
	/* 0x100 at 1 and 2; 0x200; 0x300; 0x400 */
	cr_assert_eq(sink.n, 4);
	cr_assert_eq(m.counters.nat_joined, 0);
}

/* A trajectory's aliases leave the index with it: the same fingerprint
 * after the window starts afresh, and a long run of joins keeps the
 * index consistent (every emitted trajectory has what it was given). */
Test(match_nat, aliases_leave_with_their_trajectory)
{
	uint64_t i;

	nat_chain();
	for (i = 0; i < 5000; i++) {
		uint64_t t0 = i * 100;

		add_nat(0x1000 + i, 0x5000 + i, 1, t0);
		add_nat(0x9000 + i, 0x5000 + i, 2, t0 + 10);
		add_nat(0x9000 + i, 0x5000 + i, 3, t0 + 20);
	}
	hs_matcher_flush(&m);
	cr_assert_eq(sink.n, 5000);
	for (i = 0; i < 5000; i++)
		cr_assert_eq(sink.t[i].n, 3, "trajectory %lu: %u sightings",
			     (unsigned long)i, sink.t[i].n);
	cr_assert_eq(m.counters.nat_joined, 5000);
	cr_assert_eq(m.used, 0);
	for (i = 0; i <= m.index_mask; i++)
		cr_assert_eq(m.index[i] | m.nat_index[i], 0);
}

/* Past HS_MAX_NAT_ALIASES rewrites on one path (four NAT functions in a
 * row, each rewriting between its two points), the sighting still joins,
 * and the overflow is counted. */
Test(match_nat, alias_overflow_counted)
{
	uint16_t p;

	init(&m, 64, 1000);
	for (p = 0; p < 8; p++)
		hs_matcher_set_nat_zone(&m, p, 1 + p / 2);
	for (p = 0; p < 8; p++)
		add_nat(0x100 + (p + 1) / 2, 0x77, p, 10 + p);
	hs_matcher_flush(&m);
	cr_assert_eq(sink.n, 1);
	cr_assert_eq(sink.t[0].n, 8);
	cr_assert_eq(m.counters.nat_joined, 4);
	cr_assert_eq(m.counters.nat_alias_overflow, 4 - HS_MAX_NAT_ALIASES);
}

/* ---- hosts joined: the order a packet takes, within the clocks' slack ---- */

/* Point 0 an egress on host 0, point 1 an ingress on host 1. A sighting at
 * 1 that the joined clocks put 2 ns before the one at 0 is the packet
 * arriving after it left, when the clocks are uncertain by 5 ns; with
 * 1 ns of slack, the times decide. */
Test(match, joined_hosts_keep_the_way_a_packet_goes)
{
	int64_t slack;

	for (slack = 5; slack >= 1; slack -= 4) {
		hs_matcher_free(&m);
		init(&m, 8, 1000);
		hs_matcher_set_host(&m, 0, 0, true);
		hs_matcher_set_host(&m, 1, 1, false);
		hs_matcher_set_slack(&m, 0, 1, slack);
		hs_matcher_set_slack(&m, 1, 0, slack);
		add(&m, 0x42, 0, 100);
		add(&m, 0x42, 1, 98);
		hs_matcher_flush(&m);
		cr_assert_eq(sink.n, 1);
		assert_sighting(&sink.t[0], 0, slack == 5 ? 0 : 1,
				slack == 5 ? 100 : 98);
	}
}
