// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * shards.c: the matcher split across threads hands the fold what one
 * matcher would: the same trajectories, with the same sightings, in the
 * same order where one matcher emits in order of first sighting; the
 * same counters, the same open_from. Random streams with late and
 * duplicate sightings and NAT rewrites, against hs_matcher itself.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <criterion/criterion.h>
#include "analysis/match.h"
#include "analysis/shards.h"

#define MAX_EMITS 60000
#define WINDOW_NS 100000000ULL

struct sink {
	unsigned int n;
	uint64_t advances[4096];
	unsigned int n_advances;
	struct hs_trajectory t[MAX_EMITS];
};

/* On the heap (a static one would be scanned by LeakSanitizer at the end
 * of every unit test's process), freed in fini, which also runs after a
 * failed assertion. */
static struct sink *one_mem, *split_mem;
#define one (*one_mem)
#define split (*split_mem)
static struct hs_matcher m;
static struct hs_shards *sh;

static void teardown(void)
{
	hs_matcher_free(&m);
	hs_shards_free(sh);
	sh = NULL;
	free(one_mem);
	free(split_mem);
	one_mem = split_mem = NULL;
}

TestSuite(shards, .fini = teardown);

static void collect(const struct hs_trajectory *t, void *ctx)
{
	struct sink *s = ctx;

	cr_assert_lt(s->n, MAX_EMITS);
	memset(&s->t[s->n], 0, sizeof(s->t[0]));
	memcpy(&s->t[s->n], t, hs_trajectory_size(t));
	s->n++;
}

static void advanced(uint64_t open_from, void *ctx)
{
	struct sink *s = ctx;

	if (s->n_advances < 4096)
		s->advances[s->n_advances++] = open_from;
}

static struct hs_record rec(uint64_t fp, uint64_t nat_key, uint16_t point,
			    uint64_t ts)
{
	return (struct hs_record){ .fingerprint = fp,
				   .nat_key = nat_key,
				   .point_id = point,
				   .ts_ns = ts,
				   .flow_hash = (uint32_t)fp };
}

static void expect_same_trajectory(const struct hs_trajectory *a,
				   const struct hs_trajectory *b,
				   unsigned int i)
{
	unsigned int k;

	cr_assert_eq(a->fingerprint, b->fingerprint,
		     "trajectory %u: fingerprint %#llx, one matcher %#llx", i,
		     (unsigned long long)b->fingerprint,
		     (unsigned long long)a->fingerprint);
	cr_assert_eq(a->first_ts, b->first_ts, "trajectory %u", i);
	cr_assert_eq(a->n, b->n, "trajectory %u: %u sightings, one matcher %u",
		     i, b->n, a->n);
	cr_assert_eq(a->at_end, b->at_end, "trajectory %u", i);
	cr_assert_eq(a->evicted, b->evicted, "trajectory %u", i);
	cr_assert_eq(a->n_alias, b->n_alias, "trajectory %u", i);
	for (k = 0; k < a->n; k++) {
		cr_assert_eq(a->s[k].ts_ns, b->s[k].ts_ns, "trajectory %u", i);
		cr_assert_eq(a->s[k].point, b->s[k].point, "trajectory %u", i);
		cr_assert_eq(a->s[k].dups, b->s[k].dups, "trajectory %u", i);
	}
}

static void start(unsigned int n, uint32_t capacity)
{
	one_mem = calloc(1, sizeof(*one_mem));
	split_mem = calloc(1, sizeof(*split_mem));
	cr_assert(one_mem && split_mem);
	cr_assert_eq(hs_matcher_init(&m, capacity, WINDOW_NS, collect, &one),
		     0);
	cr_assert_eq(hs_shards_new(&sh, n, capacity, WINDOW_NS, collect,
				   advanced, &split),
		     0);
}

/* Both get r. */
static void both_add(const struct hs_record *r)
{
	hs_matcher_add(&m, r);
	hs_shards_add(sh, r);
}

/* Both see a drain's horizon; one matcher's open_from is what the shards
 * will say once this segment is folded. */
static uint64_t both_horizon(uint64_t ts)
{
	if (ts > m.newest_ts)
		m.newest_ts = ts;
	hs_matcher_expire(&m);
	hs_shards_horizon(sh, ts);
	return hs_matcher_open_from(&m);
}

static void both_flush(void)
{
	hs_matcher_flush(&m);
	hs_shards_flush(sh);
}

static uint64_t rng(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/*
 * Packets along 4 points, a packet every 20 us of record time, each
 * sighting 1..200 us after the one before; one packet in 50 seen twice
 * at each point, and one in 40 seen at its last point again 90 ms after
 * its first sighting but handed over 15 ms late (by then one matcher has
 * closed it: the sighting starts a trajectory of its own). With nat, a
 * rewrite before the third point (another fingerprint, the same NAT
 * key). Records are handed over in the order they arrive; a horizon
 * every 5 ms.
 */
/* Trajectories with the same first sighting come in the order of one
 * matcher's heap, or of the shards (the lower first): put each such run
 * in fingerprint order before comparing. */
static void ties_by_fingerprint(struct sink *x)
{
	unsigned int i, k;

	for (i = 1; i < x->n; i++) {
		struct hs_trajectory t = x->t[i];

		for (k = i; k > 0 && x->t[k - 1].first_ts == t.first_ts &&
			    x->t[k - 1].fingerprint > t.fingerprint;
		     k--)
			x->t[k] = x->t[k - 1];
		x->t[k] = t;
	}
}

struct arrival {
	uint64_t at;
	struct hs_record r;
};

static void arrive(struct arrival *a, unsigned int *n, uint64_t at,
		   struct hs_record r)
{
	a[*n].at = at;
	a[(*n)++].r = r;
}

static void random_run(unsigned int n, bool nat, uint64_t seed)
{
	struct arrival *recs = calloc(8 * 20000, sizeof(*recs));
	uint64_t opens[4096];
	unsigned int i, k, n_recs = 0, n_opens = 0;
	uint64_t horizon = 5000000;

	cr_assert_not_null(recs);
	start(n, 1u << 16);
	for (k = 0; k < 4; k++)
		hs_matcher_set_nat_zone(&m, (uint16_t)k, nat ? 1 : 0);
	for (i = 0; i < n; i++)
		for (k = 0; k < 4; k++)
			hs_matcher_set_nat_zone(hs_shards_matcher(sh, i),
						(uint16_t)k, nat ? 1 : 0);
	for (i = 0; i < 20000; i++) {
		uint64_t fp = rng(&seed), key = rng(&seed);
		uint64_t first = 1000000 + i * 20000ULL, ts = first;
		struct hs_record r;

		for (k = 0; k < 4; k++) {
			uint64_t f = nat && k >= 2 ? fp ^ 0xF00D0000ULL : fp;

			ts += 1000 + rng(&seed) % 200000;
			r = rec(f, nat ? key : 0, (uint16_t)k, ts);
			arrive(recs, &n_recs, ts, r);
			r.ts_ns += 50;
			if (i % 50 == 7)
				arrive(recs, &n_recs, r.ts_ns, r);
		}
		r.ts_ns = first + 90000000;
		if (i % 40 == 3)
			arrive(recs, &n_recs, r.ts_ns + 15000000, r);
	}
	/* in the order they arrive: a stable sort */
	for (i = 1; i < n_recs; i++) {
		struct arrival a = recs[i];

		for (k = i; k > 0 && recs[k - 1].at > a.at; k--)
			recs[k] = recs[k - 1];
		recs[k] = a;
	}
	for (i = 0; i < n_recs; i++) {
		while (recs[i].at > horizon) {
			cr_assert_lt(n_opens, 4096);
			opens[n_opens++] = both_horizon(horizon);
			horizon += 5000000;
		}
		both_add(&recs[i].r);
	}
	free(recs);
	both_flush();
	cr_assert_gt(one.n, 20000, "%u trajectories", one.n);
	cr_assert_eq(split.n, one.n, "%u trajectories, one matcher %u", split.n,
		     one.n);
	ties_by_fingerprint(&one);
	ties_by_fingerprint(&split);
	for (i = 0; i < one.n; i++)
		expect_same_trajectory(&one.t[i], &split.t[i], i);
	/* each horizon's segment, folded one horizon late, and the last
	 * at the flush (which advances nothing) */
	cr_assert_eq(split.n_advances, n_opens);
	for (i = 0; i < n_opens; i++)
		cr_assert_eq(split.advances[i], opens[i], "horizon %u", i);
	cr_assert_eq(memcmp(hs_shards_counters(sh), &m.counters,
			    sizeof(m.counters)),
		     0, "the counters, summed over the shards");
}

Test(shards, two_threads_fold_what_one_matcher_folds)
{
	random_run(2, false, 0x5eed1);
}

Test(shards, four_threads_fold_what_one_matcher_folds)
{
	random_run(4, false, 0x5eed2);
}

Test(shards, a_nat_rewrite_meets_its_packet_in_one_shard)
{
	random_run(3, true, 0x5eed3);
	cr_assert_gt(m.counters.nat_joined, 10000, "%llu joined",
		     (unsigned long long)m.counters.nat_joined);
}

/*
 * One matcher closes fp1's trajectory when fp2, 200 ms later, passes the
 * window; fp1 seen again at 90 ms then starts a trajectory of its own.
 * fp1 and fp2 go to different shards (the keys' top bits), where fp1's
 * shard has seen nothing past 0: it must still close it, on the newest
 * time of all.
 */
Test(shards, a_shard_closes_on_the_newest_time_of_all)
{
	const uint64_t fp1 = 0x0000000100000001ULL, fp2 = 0xF000000100000002ULL;
	struct hs_record r;

	start(2, 64);
	r = rec(fp1, 0, 0, 1000);
	both_add(&r);
	r = rec(fp2, 0, 0, 200000000);
	both_add(&r);
	r = rec(fp1, 0, 1, 90000000);
	both_add(&r);
	both_flush();
	cr_assert_eq(one.n, 3);
	cr_assert_eq(split.n, 3);
	for (unsigned int i = 0; i < 3; i++)
		expect_same_trajectory(&one.t[i], &split.t[i], i);
	cr_assert_eq(split.t[0].n, 1,
		     "fp1's first trajectory took the late one");
}

Test(shards, sync_folds_what_is_closed_and_nothing_open)
{
	struct hs_record r;
	unsigned int i;

	start(2, 1024);
	for (i = 0; i < 100; i++) {
		r = rec(0x100000000ULL * i * 40000000ULL + i, 0, 0,
			i * 1000000ULL);
		hs_shards_add(sh, &r);
	}
	hs_shards_sync(sh);
	/* 100 ms window: the first (99 - 100) ... none closed by records
	 * alone until a horizon */
	cr_assert_eq(split.n, 0);
	hs_shards_horizon(sh, 150000000);
	hs_shards_sync(sh);
	cr_assert_eq(split.n, 50, "%u folded", split.n);
	cr_assert_eq(hs_shards_used(sh), 50);
	cr_assert_eq(hs_shards_counters(sh)->records, 100);
	for (i = 1; i < split.n; i++)
		cr_assert_lt(split.t[i - 1].first_ts, split.t[i].first_ts);
	hs_shards_flush(sh);
	cr_assert_eq(split.n, 100);
	cr_assert(split.t[99].at_end);
	cr_assert_eq(hs_shards_used(sh), 0);
}

Test(shards, a_count_out_of_range_is_refused)
{
	struct hs_shards *x = NULL;

	cr_assert_eq(hs_shards_new(&x, 1, 1024, WINDOW_NS, collect, NULL,
				   &split),
		     -EINVAL);
	cr_assert_eq(hs_shards_new(&x, HS_SHARDS_MAX + 1, 1024, WINDOW_NS,
				   collect, NULL, &split),
		     -EINVAL);
	cr_assert_eq(hs_shards_new(&x, 4, 0, WINDOW_NS, collect, NULL, &split),
		     -EINVAL, "no slots");
	cr_assert_null(x);
}
