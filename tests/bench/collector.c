// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * collector - the collector's limits (issue 5), on one core:
 *  ingest  records per second through hs_session_record, which matches
 *          them into trajectories and folds those into hops and paths,
 *          for 1, 4 and 16 hops and 1 to 100000 flows;
 *  ring    the same end to end: copies of the probe fill one ring buffer
 *          through BPF_PROG_TEST_RUN, ring_buffer__consume() is timed;
 *  memory  resident memory after seconds of simulated traffic, in a fresh
 *          child per configuration: set by max_inflight, not by the rate
 *          or the number of flows.
 *
 *   collector [--quick] [--cpu N] [--section ingest|threads|ring|memory]
 *             [--hops H] [--flows F] [--rounds N] [--rate R]
 *
 * Synthetic records look like the probes' own: fingerprints well mixed and
 * distinct per packet, flow hashes distinct per flow, every packet seen at
 * each point of its path a few microseconds after the previous one, and
 * packets spaced by the rate, so that several are in flight at once. They
 * reach the session in time order, with a horizon every 20 ms of record
 * time as the live collector's drain sets it.
 *
 * Targets (issue 5): ingest at 20 million records/s or more; under 64
 * MiB resident at 1 million records/s with a 100 ms window and the
 * default max_inflight.
 *
 * Times are the thread's CPU time: on a shared machine, time spent running
 * someone else is not ours (the wall-clock figure goes to the JSON too).
 * Variants alternate within each round (A B C A B C ...) and the median
 * over rounds is reported with its interquartile range. With BENCH_JSON
 * set, one JSON object per result is appended to that file.
 */
#include <errno.h>
#include <getopt.h>
#include <sched.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/wait.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <json-c/json.h>
/* net/if.h (through chain.h) before linux/if.h (through hs_packet.h) */
#include "chain.h"
#include "packet.h"
#include "probe/attach.h"
#include "probe/rings.h"
#include "live/merge.h"
#include "analysis/session.h"
#include "hopscope.h"
#include "hs_packet.h"
#include "hopscope.skel.h"

#define MS 1000000ULL
#define MIB (1024.0 * 1024.0)
#define WINDOW_NS (100 * MS) /* the default match window */
#define DRAIN_NS (20 * MS) /* the collector's drain period */
#define SUBMIT_SLACK_NS (2 * MS) /* the horizon trails a drain by this */
#define DEFAULT_INFLIGHT (1u << 18)
#define SIM_START_NS 1000000000ULL /* record time starts at 1 s */
#define MAX_ROUNDS 64
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#define INGEST_TARGET 20e6 /* records/s (issue 5) */
/* issue 13, 1000 flows: 4 hops, and 1 hop */
#define INGEST_TARGET_4_HOPS 30e6
#define INGEST_TARGET_1_HOP 15e6
#define THREADS_TARGET 1.7 /* 2 threads over 1 */
#define MEMORY_TARGET_MIB 64.0

struct options {
	bool quick;
	int cpu;
	char cpu_arg[16]; /* cpu, for the memory children */
	const char *memory_child; /* in a memory child: what to measure */
	const char *section; /* NULL: all */
	unsigned int hops; /* 0: all */
	uint32_t flows; /* 0: all */
	int rounds; /* 0: by --quick */
	double rate; /* ingest: records per second of record time */
};

static struct options opt = { .rate = 1e6 };

/* 18 points: enough for a path of 16 hops */
static struct hs_point_table chain_points;

/* ---- time, statistics, output ---- */

static double cpu_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static double wall_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

struct spread {
	double median, q1, q3;
};

/* Quantile q of sorted v by linear interpolation between neighbours. */
static double quantile(const double *v, int n, double q)
{
	double pos = q * (n - 1);
	int i = (int)pos;

	if (i + 1 >= n)
		return v[n - 1];
	return v[i] + (pos - i) * (v[i + 1] - v[i]);
}

static struct spread spread_of(const double *samples, int n)
{
	double v[MAX_ROUNDS];
	struct spread s;

	memcpy(v, samples, n * sizeof(*v));
	qsort(v, n, sizeof(*v), cmp_double);
	s.median = quantile(v, n, 0.5);
	s.q1 = quantile(v, n, 0.25);
	s.q3 = quantile(v, n, 0.75);
	return s;
}

/* One result line in $BENCH_JSON; extra (may be NULL) is consumed. */
static void json_result(const char *section, const char *name, double value,
			const char *unit, const struct spread *s,
			const char *target, bool met, struct json_object *extra)
{
	const char *path = getenv("BENCH_JSON");
	struct json_object *o;
	FILE *f;

	if (!path || !*path) {
		json_object_put(extra);
		return;
	}
	o = json_object_new_object();
	json_object_object_add(o, "bench", json_object_new_string("collector"));
	json_object_object_add(o, "section", json_object_new_string(section));
	json_object_object_add(o, "name", json_object_new_string(name));
	json_object_object_add(o, "value", json_object_new_double(value));
	json_object_object_add(o, "unit", json_object_new_string(unit));
	json_object_object_add(o, "q1", json_object_new_double(s->q1));
	json_object_object_add(o, "q3", json_object_new_double(s->q3));
	if (target) {
		json_object_object_add(o, "target",
				       json_object_new_string(target));
		json_object_object_add(o, "met", json_object_new_boolean(met));
	}
	if (extra) {
		json_object_object_foreach(extra, key, val)
			json_object_object_add(o, key, json_object_get(val));
		json_object_put(extra);
	}
	f = fopen(path, "a");
	if (!f) {
		fprintf(stderr, "collector: cannot append to %s: %s\n", path,
			strerror(errno));
	} else {
		fprintf(f, "%s\n",
			json_object_to_json_string_ext(
				o, JSON_C_TO_STRING_PLAIN |
					   JSON_C_TO_STRING_NOSLASHESCAPE));
		fclose(f);
	}
	json_object_put(o);
}

static void add_int(struct json_object *o, const char *key, int64_t v)
{
	json_object_object_add(o, key, json_object_new_int64(v));
}

static void add_double(struct json_object *o, const char *key, double v)
{
	json_object_object_add(o, key, json_object_new_double(v));
}

static int pin_to_cpu(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	return sched_setaffinity(0, sizeof(set), &set) ? -errno : 0;
}

static void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n, size);

	if (!p) {
		fprintf(stderr, "collector: out of memory\n");
		exit(1);
	}
	return p;
}

/* ---- synthetic records ---- */

/* splitmix64's finaliser: a bijection, so distinct inputs stay distinct
 * and come out as well mixed as hs_fingerprint() output. */
static uint64_t mix64(uint64_t x)
{
	x ^= x >> 30;
	x *= 0xbf58476d1ce4e5b9ULL;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}

/* murmur3's 32-bit finaliser, also a bijection. */
static uint32_t mix32(uint32_t x)
{
	x ^= x >> 16;
	x *= 0x85ebca6bu;
	x ^= x >> 13;
	x *= 0xc2b2ae35u;
	return x ^ (x >> 16);
}

static uint64_t rng_next(uint64_t *state)
{
	*state += 0x9e3779b97f4a7c15ULL;
	return mix64(*state);
}

struct traffic {
	unsigned int points; /* sightings per packet: hops + 1 */
	uint32_t flows;
	double rate; /* records per second of record time */
	uint64_t seed;
};

/*
 * Makes records in time order: a packet starts every gap_ns, its
 * sightings wait in a min-heap on time and leave it once no packet still
 * to start can be seen earlier.
 */
struct generator {
	struct traffic t;
	double gap_ns;
	uint64_t packet; /* the next packet to start */
	uint64_t rng;
	struct hs_record *heap;
	size_t n, cap;
};

static void gen_init(struct generator *g, const struct traffic *t)
{
	memset(g, 0, sizeof(*g));
	g->t = *t;
	g->gap_ns = 1e9 * t->points / t->rate;
	g->rng = t->seed;
}

static void gen_free(struct generator *g)
{
	free(g->heap);
	g->heap = NULL;
}

static uint64_t gen_start_time(const struct generator *g, uint64_t packet)
{
	return SIM_START_NS + (uint64_t)((double)packet * g->gap_ns);
}

static void heap_push(struct generator *g, const struct hs_record *r)
{
	size_t i = g->n++;

	if (g->n > g->cap) {
		g->cap = g->cap ? 2 * g->cap : 256;
		g->heap = realloc(g->heap, g->cap * sizeof(*g->heap));
		if (!g->heap) {
			fprintf(stderr, "collector: out of memory\n");
			exit(1);
		}
	}
	while (i && g->heap[(i - 1) / 2].ts_ns > r->ts_ns) {
		g->heap[i] = g->heap[(i - 1) / 2];
		i = (i - 1) / 2;
	}
	g->heap[i] = *r;
}

static struct hs_record heap_pop(struct generator *g)
{
	struct hs_record top = g->heap[0], last = g->heap[--g->n];
	size_t i = 0;

	for (;;) {
		size_t c = 2 * i + 1;

		if (c >= g->n)
			break;
		if (c + 1 < g->n && g->heap[c + 1].ts_ns < g->heap[c].ts_ns)
			c++;
		if (g->heap[c].ts_ns >= last.ts_ns)
			break;
		g->heap[i] = g->heap[c];
		i = c;
	}
	if (g->n)
		g->heap[i] = last;
	return top;
}

/* Each hop its own delay, 1.5 to 6.5 us, so that hops differ. */
static uint64_t hop_delay(struct generator *g, unsigned int hop)
{
	return 1500 + 1000 * (hop % 4) + rng_next(&g->rng) % 2000;
}

static void gen_packet(struct generator *g)
{
	uint64_t k = g->packet++;
	uint32_t flow = (uint32_t)(rng_next(&g->rng) % g->t.flows);
	struct hs_record r = {
		.ts_ns = gen_start_time(g, k),
		.fingerprint = mix64(k ^ g->t.seed),
		.flow_hash = mix32(flow ^ (uint32_t)g->t.seed),
		.ip_len = (uint16_t)(64 + flow % 1400),
		.proto = 17,
	};
	unsigned int p;

	for (p = 0; p < g->t.points; p++) {
		r.point_id = (uint16_t)p;
		heap_push(g, &r);
		r.ts_ns += hop_delay(g, p);
	}
}

static void gen_take(struct generator *g, struct hs_record *out, size_t n)
{
	size_t got = 0;

	while (got < n) {
		if (g->n && g->heap[0].ts_ns < gen_start_time(g, g->packet))
			out[got++] = heap_pop(g);
		else
			gen_packet(g);
	}
}

/* ---- the session, fed as the live collector feeds it ---- */

struct feeder {
	struct hs_session *s;
	uint64_t next_drain;
};

static int session_start(struct hs_session *s, struct feeder *f,
			 uint32_t max_inflight, uint32_t threads)
{
	struct hs_session_config cfg = { .window_ns = WINDOW_NS,
					 .max_inflight = max_inflight,
					 .threads = threads };

	f->s = s;
	f->next_drain = SIM_START_NS + DRAIN_NS;
	return hs_session_init(s, &cfg, &chain_points);
}

/* Records in time order, with the horizon each drain would set. */
static void feed(struct feeder *f, const struct hs_record *r, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		while (r[i].ts_ns >= f->next_drain) {
			hs_session_horizon(f->s,
					   f->next_drain - SUBMIT_SLACK_NS);
			f->next_drain += DRAIN_NS;
		}
		hs_session_record(f->s, &r[i]);
	}
}

/* ---- 1: ingest, match and fold ---- */

static const unsigned int ingest_hops[] = { 1, 4, 16 };
static const uint32_t ingest_flows[] = { 1, 10, 1000, 100000 };
#define N_INGEST (ARRAY_SIZE(ingest_hops) * ARRAY_SIZE(ingest_flows))

struct ingest_case {
	unsigned int hops;
	uint32_t flows;
	struct hs_record *recs;
	size_t warm, timed; /* records: untimed, then timed */
	double rate[MAX_ROUNDS], wall_rate[MAX_ROUNDS];
	/* the matcher alone, trajectories dropped unfolded: where the
	 * issue 13 targets apply (1000 flows) */
	double match_rate[MAX_ROUNDS];
	uint64_t evicted; /* would mean the match table was too small */
};

static struct hs_session session;

static void ingest_prepare(struct ingest_case *c, size_t timed)
{
	struct traffic t = { .points = c->hops + 1,
			     .flows = c->flows,
			     .rate = opt.rate,
			     .seed = 0x5eed0000ULL + c->hops * 1000003ULL +
				     c->flows };
	struct generator g;

	/* a window and a half: the match table at its steady fill */
	c->warm = (size_t)(opt.rate * 0.15);
	c->timed = timed;
	c->recs = xcalloc(c->warm + c->timed, sizeof(*c->recs));
	gen_init(&g, &t);
	gen_take(&g, c->recs, c->warm + c->timed);
	gen_free(&g);
}

static void drop_trajectory(const struct hs_trajectory *t, void *ctx)
{
	(void)t;
	(void)ctx;
}

/* The same records and horizons into a bare matcher: what matching
 * costs, apart from folding and the session around it. */
static double match_round(const struct ingest_case *c)
{
	static struct hs_matcher m;
	uint64_t next_drain = SIM_START_NS + DRAIN_NS;
	size_t i, n = c->warm + c->timed;
	double t0 = 0;

	if (hs_matcher_init(&m, DEFAULT_INFLIGHT, WINDOW_NS, drop_trajectory,
			    NULL)) {
		fprintf(stderr, "collector: hs_matcher_init failed\n");
		exit(1);
	}
	for (i = 0; i < n; i++) {
		if (i == c->warm)
			t0 = cpu_now();
		while (c->recs[i].ts_ns >= next_drain) {
			uint64_t horizon = next_drain - SUBMIT_SLACK_NS;

			if (horizon > m.newest_ts)
				m.newest_ts = horizon;
			hs_matcher_expire(&m);
			next_drain += DRAIN_NS;
		}
		hs_matcher_add(&m, &c->recs[i]);
	}
	t0 = cpu_now() - t0;
	hs_matcher_free(&m);
	return (double)c->timed / t0;
}

static void ingest_round(struct ingest_case *c, int round)
{
	struct feeder f;
	double t0, t1, w0, w1;

	if (session_start(&session, &f, DEFAULT_INFLIGHT, 1)) {
		fprintf(stderr, "collector: hs_session_init failed\n");
		exit(1);
	}
	feed(&f, c->recs, c->warm);
	t0 = cpu_now();
	w0 = wall_now();
	feed(&f, c->recs + c->warm, c->timed);
	t1 = cpu_now();
	w1 = wall_now();
	c->rate[round] = (double)c->timed / (t1 - t0);
	c->wall_rate[round] = (double)c->timed / (w1 - w0);
	c->evicted = session.matcher.counters.evicted;
	hs_session_free(&session);
	if (c->flows == 1000)
		c->match_rate[round] = match_round(c);
}

/* Per record: the matcher alone, and what folding and the session add to
 * it (the whole less the matcher, medians of each round's). */
static void match_report(const struct ingest_case *c, int rounds)
{
	struct spread m = spread_of(c->match_rate, rounds);
	double fold[MAX_ROUNDS];
	struct spread f;
	char name[64];
	int r;

	for (r = 0; r < rounds; r++)
		fold[r] = 1e9 / c->rate[r] - 1e9 / c->match_rate[r];
	f = spread_of(fold, rounds);
	printf("      of which: matching %.1f ns/record (%.2f M/s alone), "
	       "folding and the session %.1f ns [%.1f, %.1f]\n",
	       1e9 / m.median, m.median / 1e6, f.median, f.q1, f.q3);
	snprintf(name, sizeof(name), "%u hop%s, %u flows: the matcher alone",
		 c->hops, c->hops == 1 ? "" : "s", c->flows);
	json_result("ingest", name, m.median, "records/s", &m, NULL, false,
		    NULL);
	snprintf(name, sizeof(name),
		 "%u hop%s, %u flows: folding and the session", c->hops,
		 c->hops == 1 ? "" : "s", c->flows);
	json_result("ingest", name, f.median, "ns/record", &f, NULL, false,
		    NULL);
}

static double ingest_target(const struct ingest_case *c)
{
	if (c->flows == 1000 && c->hops == 4)
		return INGEST_TARGET_4_HOPS;
	if (c->flows == 1000 && c->hops == 1)
		return INGEST_TARGET_1_HOP;
	return INGEST_TARGET;
}

static void ingest_report(const struct ingest_case *c, int rounds)
{
	struct spread s = spread_of(c->rate, rounds);
	struct spread w = spread_of(c->wall_rate, rounds);
	struct json_object *x = json_object_new_object();
	double target = ingest_target(c);
	bool met = s.median >= target;
	char name[64], want[32];

	snprintf(name, sizeof(name), "%u hop%s, %u flow%s", c->hops,
		 c->hops == 1 ? "" : "s", c->flows, c->flows == 1 ? "" : "s");
	snprintf(want, sizeof(want), ">= %.0fe6 records/s", target / 1e6);
	printf("%5u %7u %12.2f %8.2f %8.2f %12.2f   %s: %s\n", c->hops,
	       c->flows, s.median / 1e6, s.q1 / 1e6, s.q3 / 1e6, 1e9 / s.median,
	       want, met ? "met" : "missed");
	add_int(x, "hops", c->hops);
	add_int(x, "flows", c->flows);
	add_int(x, "records", (int64_t)c->timed);
	add_int(x, "rounds", rounds);
	add_double(x, "sim_rate", opt.rate);
	add_double(x, "ns_per_record", 1e9 / s.median);
	add_double(x, "wall_median", w.median);
	add_int(x, "evicted", (int64_t)c->evicted);
	json_result("ingest", name, s.median, "records/s", &s, want, met, x);
}

static void bench_ingest(void)
{
	int rounds = opt.rounds ? opt.rounds : opt.quick ? 5 : 11;
	size_t timed = opt.quick ? 400000 : 1500000;
	struct ingest_case cases[N_INGEST];
	size_t n = 0, i, hi, fi;
	int r;

	for (hi = 0; hi < ARRAY_SIZE(ingest_hops); hi++)
		for (fi = 0; fi < ARRAY_SIZE(ingest_flows); fi++) {
			if ((opt.hops && opt.hops != ingest_hops[hi]) ||
			    (opt.flows && opt.flows != ingest_flows[fi]))
				continue;
			memset(&cases[n], 0, sizeof(cases[n]));
			cases[n].hops = ingest_hops[hi];
			cases[n].flows = ingest_flows[fi];
			ingest_prepare(&cases[n], timed);
			n++;
		}
	printf("== ingest, match and fold: hs_session_record on CPU %d, "
	       "%.0f ms window, records at %.3g/s of record time, %zu timed "
	       "per round, %d rounds\n",
	       opt.cpu, WINDOW_NS / 1e6, opt.rate, timed, rounds);
	printf("%5s %7s %12s %8s %8s %12s   %s\n", "hops", "flows",
	       "Mrecords/s", "q1", "q3", "ns/record", "target");
	for (r = 0; r < rounds; r++)
		for (i = 0; i < n; i++)
			ingest_round(&cases[i], r);
	for (i = 0; i < n; i++) {
		ingest_report(&cases[i], rounds);
		if (cases[i].flows == 1000)
			match_report(&cases[i], rounds);
		if (cases[i].evicted)
			fprintf(stderr,
				"collector: %u hops, %u flows: %llu trajectories "
				"evicted: the match table was too small\n",
				cases[i].hops, cases[i].flows,
				(unsigned long long)cases[i].evicted);
		free(cases[i].recs);
	}
	printf("\n");
}

/* ---- 1b: the matcher on two threads (--collector-threads) ---- */

static const unsigned int threads_hops[] = { 4, 1 };

struct threads_case {
	struct ingest_case in;
	double rate[2][MAX_ROUNDS]; /* wall: 1 thread, 2 threads */
	double ratio[MAX_ROUNDS];
};

/* Every CPU, for the threads; back to opt.cpu after. */
static int allow_all_cpus(void)
{
	cpu_set_t set;
	long i, n = sysconf(_SC_NPROCESSORS_ONLN);

	CPU_ZERO(&set);
	for (i = 0; i < n && i < CPU_SETSIZE; i++)
		CPU_SET(i, &set);
	return sched_setaffinity(0, sizeof(set), &set) ? -errno : 0;
}

/* Wall time: the second thread's work is the point. The clock stops once
 * the shards have handed back all they were given. */
static double threads_round(struct ingest_case *c, uint32_t threads)
{
	struct feeder f;
	double w0, w1;

	if (session_start(&session, &f, DEFAULT_INFLIGHT, threads)) {
		fprintf(stderr,
			"collector: hs_session_init (%u threads) failed\n",
			threads);
		exit(1);
	}
	feed(&f, c->recs, c->warm);
	if (session.shards)
		hs_shards_sync(session.shards);
	w0 = wall_now();
	feed(&f, c->recs + c->warm, c->timed);
	if (session.shards)
		hs_shards_sync(session.shards);
	w1 = wall_now();
	hs_session_free(&session);
	return (double)c->timed / (w1 - w0);
}

static void threads_report(const struct threads_case *c, int rounds)
{
	struct spread one = spread_of(c->rate[0], rounds);
	struct spread two = spread_of(c->rate[1], rounds);
	struct spread r = spread_of(c->ratio, rounds);
	struct json_object *x = json_object_new_object();
	bool met = r.median >= THREADS_TARGET;
	char name[80];

	snprintf(name, sizeof(name), "%u hop%s, %u flows: 2 threads over 1",
		 c->in.hops, c->in.hops == 1 ? "" : "s", c->in.flows);
	printf("%5u %7u %10.2f %10.2f %8.2fx %7.2f %7.2f   >= %.1fx: %s\n",
	       c->in.hops, c->in.flows, one.median / 1e6, two.median / 1e6,
	       r.median, r.q1, r.q3, THREADS_TARGET, met ? "met" : "missed");
	add_int(x, "hops", c->in.hops);
	add_int(x, "flows", c->in.flows);
	add_int(x, "records", (int64_t)c->in.timed);
	add_int(x, "rounds", rounds);
	add_double(x, "one_thread", one.median);
	add_double(x, "two_threads", two.median);
	json_result("threads", name, r.median, "ratio", &r, ">= 1.7", met, x);
}

static void bench_threads(void)
{
	int rounds = opt.rounds ? opt.rounds : opt.quick ? 5 : 11;
	size_t timed = opt.quick ? 400000 : 1500000;
	struct threads_case cases[ARRAY_SIZE(threads_hops)];
	size_t i;
	int r;

	if (sysconf(_SC_NPROCESSORS_ONLN) < 2) {
		printf("== threads: skipped, one CPU\n\n");
		return;
	}
	if (allow_all_cpus()) {
		fprintf(stderr, "collector: cannot run on every CPU\n");
		exit(1);
	}
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		memset(&cases[i], 0, sizeof(cases[i]));
		cases[i].in.hops = opt.hops ? opt.hops : threads_hops[i];
		cases[i].in.flows = opt.flows ? opt.flows : 1000;
		ingest_prepare(&cases[i].in, timed);
	}
	printf("== threads: the same records through 1 and 2 collector threads "
	       "(--collector-threads), wall time on every CPU, %zu timed per "
	       "round, %d rounds\n",
	       timed, rounds);
	printf("%5s %7s %10s %10s %9s %7s %7s   %s\n", "hops", "flows",
	       "1: Mrec/s", "2: Mrec/s", "2 over 1", "q1", "q3", "target");
	for (r = 0; r < rounds; r++)
		for (i = 0; i < ARRAY_SIZE(cases); i++) {
			struct threads_case *c = &cases[i];

			c->rate[0][r] = threads_round(&c->in, 1);
			c->rate[1][r] = threads_round(&c->in, 2);
			c->ratio[r] = c->rate[1][r] / c->rate[0][r];
		}
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		threads_report(&cases[i], rounds);
		free(cases[i].in.recs);
	}
	printf("\n");
	pin_to_cpu(opt.cpu);
}

/* ---- 2: end to end through the ring buffer ---- */

#define RING_POINTS 5 /* 4 hops */
#define RING_FLOWS 1000
/* 8 of ring header and the record */
#define RING_RECORD_BYTES (8 + sizeof(struct hs_record))

struct ring_bench {
	struct hopscope_bpf *skel[RING_POINTS];
	int prog_fd[RING_POINTS];
	/* every CPU's ring read as collect.c reads them, merged by
	 * timestamp; rb reads the same rings one after the other */
	struct hs_ring_reader merged;
	struct ring_buffer *rb;
	struct hs_session *session; /* NULL: records are only counted */
	uint64_t consumed;
	uint64_t packet; /* the next packet's number, in its payload */
	double fill_s; /* wall time spent filling the ring, all rounds */
	uint64_t filled; /* records made meanwhile */
};

static int quiet_libbpf(enum libbpf_print_level level, const char *fmt,
			va_list ap)
{
	(void)level;
	(void)fmt;
	(void)ap;
	return 0;
}

/* As the live collector's on_record() and on_bad_record(). */
static void bench_record(void *ctx, const struct hs_record *rec)
{
	struct ring_bench *b = ctx;

	b->consumed++;
	if (b->session)
		hs_session_record(b->session, rec);
}

static void bench_bad_record(void *ctx)
{
	struct ring_bench *b = ctx;

	b->consumed++;
	if (b->session)
		hs_session_bad_record(b->session);
}

/* The same for the rings read one after the other, as they come. */
static int ring_record(void *ctx, void *data, size_t size)
{
	if (size < sizeof(struct hs_record))
		bench_bad_record(ctx);
	else
		bench_record(ctx, data);
	return 0;
}

/* One copy of the probe per point, sharing the rings (each CPU's of
 * ring_bytes) and one counters map, as user/probe/attach.c loads them. */
static int ring_load(struct ring_bench *b, uint32_t ring_bytes)
{
	struct bpf_map *first_rb = NULL, *first_cnt = NULL;
	int i, err = 0;

	for (i = 0; i < RING_POINTS; i++) {
		struct hopscope_bpf *skel = hopscope_bpf__open();

		if (!skel)
			return -errno;
		b->skel[i] = skel;
		skel->rodata->point_id = (uint16_t)i;
		skel->rodata->sample_threshold = hs_sample_threshold(1);
		bpf_program__set_autoload(skel->progs.hs_xdp, false);
		if (!first_rb) {
			err = hs_probes_load_rings(skel,
						   ring_bytes * hs_rings_cpus());
		} else {
			err = bpf_map__reuse_fd(skel->maps.rings,
						bpf_map__fd(first_rb));
			if (!err)
				err = bpf_map__reuse_fd(skel->maps.counters,
							bpf_map__fd(first_cnt));
			if (!err)
				err = hopscope_bpf__load(skel);
		}
		if (err)
			return err;
		if (!first_rb) {
			first_rb = skel->maps.rings;
			first_cnt = skel->maps.counters;
		}
		b->prog_fd[i] = bpf_program__fd(skel->progs.hs_tc);
	}
	err = hs_ring_reader_open(&b->merged, bpf_map__fd(first_rb),
				  bench_record, bench_bad_record, b);
	if (err)
		return err;
	b->rb = hs_rings_reader(&b->merged.rings, ring_record, b, NULL);
	return b->rb ? 0 : -errno;
}

static void ring_unload(struct ring_bench *b)
{
	int i;

	ring_buffer__free(b->rb);
	hs_ring_reader_close(&b->merged);
	for (i = 0; i < RING_POINTS; i++)
		hopscope_bpf__destroy(b->skel[i]);
}

/* packets frames, each through every point's tc program: a flow's own
 * addresses and ports, a payload of its own. */
/* two_cpus: 64 packets on one CPU, the next 64 on the next, as a host
 * whose flows two CPUs carry fills two rings; the caller's CPU after */
static int ring_fill(struct ring_bench *b, size_t packets, bool two_cpus)
{
	uint8_t frame[TPKT_MAX], payload[16] = {};
	struct tpkt p;
	char src[32];
	size_t i, len;
	int pt, err = 0;

	for (i = 0; i < packets && !err; i++) {
		uint64_t k = b->packet++;
		uint32_t flow = (uint32_t)(k % RING_FLOWS);

		if (two_cpus && i % 64 == 0)
			err = pin_to_cpu((opt.cpu + (int)(i / 64) % 2) %
					 (int)b->merged.rings.n);

		tpkt_init(&p);
		snprintf(src, sizeof(src), "10.%u.%u.%u", 1 + flow / 65536,
			 flow / 256 % 256, flow % 256);
		p.src = src;
		p.sport = (uint16_t)(1024 + flow);
		p.ip_id = (uint16_t)k;
		memcpy(payload, &k, sizeof(k));
		p.payload = payload;
		p.payload_len = sizeof(payload);
		len = tpkt_build(&p, frame);
		for (pt = 0; pt < RING_POINTS; pt++) {
			LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = frame,
				    .data_size_in = (__u32)len, .repeat = 1);

			if (bpf_prog_test_run_opts(b->prog_fd[pt], &o))
				return -errno;
		}
	}
	if (two_cpus && !err)
		err = pin_to_cpu(opt.cpu);
	return err;
}

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

/* Fill the ring, then drain it as collect.c's drain() does (from two
 * CPUs' rings, merged, with two_cpus); returns the records per second of
 * CPU time, or a negative errno. */
static double ring_round(struct ring_bench *b, size_t packets,
			 struct hs_session *s, bool two_cpus)
{
	uint64_t want = packets * RING_POINTS;
	double t0, t1;
	int err, n;

	t0 = wall_now();
	err = ring_fill(b, packets, two_cpus);
	if (err)
		return err;
	b->fill_s += wall_now() - t0;
	b->filled += want;
	b->session = s;
	b->consumed = 0;
	t0 = cpu_now();
	n = two_cpus ? hs_ring_reader_read(&b->merged) :
		       ring_buffer__consume(b->rb);
	if (s)
		hs_session_horizon(s, mono_ns() - SUBMIT_SLACK_NS);
	t1 = cpu_now();
	if (n < 0)
		return n;
	if (b->consumed != want) {
		fprintf(stderr, "collector: consumed %llu records, made %llu\n",
			(unsigned long long)b->consumed,
			(unsigned long long)want);
		return -EIO;
	}
	return (double)b->consumed / (t1 - t0);
}

static void ring_report(const char *name, const double *rate, int rounds,
			size_t records, uint32_t ring_bytes,
			double producer_rate)
{
	struct spread s = spread_of(rate, rounds);
	struct json_object *x = json_object_new_object();

	printf("%-44s %12.2f %8.2f %8.2f %12.2f\n", name, s.median / 1e6,
	       s.q1 / 1e6, s.q3 / 1e6, 1e9 / s.median);
	add_int(x, "hops", RING_POINTS - 1);
	add_int(x, "flows", RING_FLOWS);
	add_int(x, "records", (int64_t)records);
	add_int(x, "rounds", rounds);
	add_int(x, "ring_bytes", ring_bytes);
	/* the record time the session sees passes at this rate */
	add_double(x, "producer_rate", producer_rate);
	add_double(x, "ns_per_record", 1e9 / s.median);
	json_result("ring", name, s.median, "records/s", &s, NULL, false, x);
}

/* What a over b costs a record: the median of the rounds' differences
 * in ns per record, each round's two drains run one after the other. */
static void ring_difference(const char *label, const char *name,
			    const double *a, const double *b, int rounds,
			    struct json_object *extra)
{
	double diff[MAX_ROUNDS];
	struct spread s;
	int r;

	for (r = 0; r < rounds; r++)
		diff[r] = 1e9 / a[r] - 1e9 / b[r];
	s = spread_of(diff, rounds);
	printf("%-44s %12s %8.2f %8.2f %12.2f\n", label, "", s.q1, s.q3,
	       s.median);
	json_result("ring", name, s.median, "ns/record", &s, NULL, false,
		    extra);
}

/* What the session adds to a record over the floor, a drain that only
 * counts (ring_buffer__consume with a callback that does nothing else). */
static void ring_over_floor(const double *with_session, const double *ring_only,
			    int rounds)
{
	struct json_object *x = json_object_new_object();

	add_double(x, "floor_ns_per_record", 1e9 / spread_of(ring_only, rounds).median);
	ring_difference("ring to session, over the ring floor",
			"4 hops, 1000 flows: ring to session over the ring floor",
			with_session, ring_only, rounds, x);
}

static void bench_ring(void)
{
	int rounds = opt.rounds ? opt.rounds : opt.quick ? 3 : 7;
	uint32_t ring_bytes = opt.quick ? 8u << 20 : 16u << 20;
	/* nine tenths of the ring: nothing may be dropped */
	size_t packets = ring_bytes / RING_RECORD_BYTES * 9 / 10 / RING_POINTS;
	double with_session[MAX_ROUNDS], ring_only[MAX_ROUNDS], v = 0;
	double merged[MAX_ROUNDS];
	bool two = hs_rings_cpus() > 1;
	double producer_rate;
	struct ring_bench b = {};
	struct feeder f;
	int r, err;

	libbpf_set_print(quiet_libbpf);
	err = ring_load(&b, ring_bytes);
	if (err) {
		printf("== ring: skipped, cannot load the probe (%s; root?)\n\n",
		       strerror(-err));
		ring_unload(&b);
		return;
	}
	if (session_start(&session, &f, DEFAULT_INFLIGHT, 1)) {
		fprintf(stderr, "collector: hs_session_init failed\n");
		exit(1);
	}
	printf("== ring: %d copies of the probe (tc, BPF_PROG_TEST_RUN) fill a "
	       "%u MiB ring with %zu records of %d flows; "
	       "ring_buffer__consume() on CPU %d, %d rounds\n",
	       RING_POINTS, ring_bytes >> 20, packets * RING_POINTS, RING_FLOWS,
	       opt.cpu, rounds);
	printf("%-44s %12s %8s %8s %12s\n", "", "Mrecords/s", "q1", "q3",
	       "ns/record");
	/* round -1 warms the session's tables up and is not counted */
	for (r = -1; r < rounds; r++) {
		v = ring_round(&b, packets, &session, false);
		if (v < 0)
			break;
		if (r >= 0)
			with_session[r] = v;
		v = ring_round(&b, packets, NULL, false);
		if (v < 0)
			break;
		if (r >= 0)
			ring_only[r] = v;
		if (!two)
			continue;
		v = ring_round(&b, packets, &session, true);
		if (v < 0)
			break;
		if (r >= 0)
			merged[r] = v;
	}
	hs_session_free(&session);
	ring_unload(&b);
	if (v < 0) {
		printf("ring: failed: %s\n\n", strerror((int)-v));
		return;
	}
	producer_rate = (double)b.filled / b.fill_s;
	ring_report("4 hops, 1000 flows: ring to session", with_session, rounds,
		    packets * RING_POINTS, ring_bytes, producer_rate);
	ring_report("4 hops, 1000 flows: ring only, records counted", ring_only,
		    rounds, packets * RING_POINTS, ring_bytes, producer_rate);
	ring_over_floor(with_session, ring_only, rounds);
	if (two) {
		ring_report("4 hops, 1000 flows: two rings merged",
			    merged, rounds, packets * RING_POINTS, ring_bytes,
			    producer_rate);
		/* what merging two CPUs' rings adds, over one ring */
		ring_difference("two rings merged, over one ring",
				"4 hops, 1000 flows: two rings merged over one ring",
				merged, with_session, rounds, NULL);
	}
	printf("(the probes made %.2g records/s through BPF_PROG_TEST_RUN: "
	       "the pace of record time)\n\n",
	       producer_rate);
}

/* ---- 3: memory bounded by configuration ---- */

struct memory_case {
	unsigned int hops;
	uint32_t flows;
	double rate; /* records per second of record time */
	uint32_t max_inflight;
};

/* The < 64 MiB target: 1 million records/s, the default max_inflight. */
static bool memory_targeted(const struct memory_case *c)
{
	return c->rate == 1e6 && c->max_inflight == DEFAULT_INFLIGHT;
}

static const struct memory_case memory_cases[] = {
	{ .hops = 4, .flows = 1000, .rate = 1e6, .max_inflight = 1u << 16 },
	{ .hops = 4, .flows = 1000, .rate = 1e6, .max_inflight = 1u << 18 },
	{ .hops = 4, .flows = 1000, .rate = 1e6, .max_inflight = 1u << 20 },
	{ .hops = 4, .flows = 1000, .rate = 4e6, .max_inflight = 1u << 16 },
	{ .hops = 4, .flows = 1000, .rate = 4e6, .max_inflight = 1u << 18 },
	{ .hops = 4, .flows = 1000, .rate = 4e6, .max_inflight = 1u << 20 },
	{ .hops = 4, .flows = 100000, .rate = 1e6, .max_inflight = 1u << 18 },
	{ .hops = 1, .flows = 1000, .rate = 1e6, .max_inflight = 1u << 18 },
};
#define N_MEMORY ARRAY_SIZE(memory_cases)

struct memory_result {
	int ok;
	double base_mib; /* resident before the session was made */
	double rss_mib, peak_mib; /* VmRSS at the end, VmHWM */
	double matcher_mib; /* hs_matcher_bytes(): the table's bound */
	uint64_t records, in_flight, evicted;
};

/* A "VmRSS:"-style line of /proc/self/status, in MiB; -1 if missing. */
static double status_mib(const char *field)
{
	FILE *f = fopen("/proc/self/status", "r");
	size_t len = strlen(field);
	char line[256];
	double v = -1;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, field, len)) {
			v = strtod(line + len, NULL) / 1024.0; /* kB */
			break;
		}
	fclose(f);
	return v;
}

/* In a fresh child: generate and feed, a chunk at a time, so that the
 * records themselves take no memory to speak of. */
static void memory_child(const struct memory_case *c, double seconds, int fd)
{
	struct traffic t = { .points = c->hops + 1,
			     .flows = c->flows,
			     .rate = c->rate,
			     .seed = 0x3e3000ULL + c->hops };
	struct memory_result res = { .ok = 1 };
	static struct hs_record chunk[4096];
	uint64_t total = (uint64_t)(seconds * c->rate);
	struct generator g;
	struct feeder f;
	ssize_t w;

	res.base_mib = status_mib("VmRSS:");
	if (session_start(&session, &f, c->max_inflight, 1))
		_exit(1);
	gen_init(&g, &t);
	while (res.records < total) {
		size_t n = total - res.records < 4096 ? total - res.records :
							4096;

		gen_take(&g, chunk, n);
		feed(&f, chunk, n);
		res.records += n;
	}
	res.rss_mib = status_mib("VmRSS:");
	res.peak_mib = status_mib("VmHWM:");
	res.matcher_mib = (double)hs_matcher_bytes(&session.matcher) / MIB;
	res.in_flight = session.matcher.used;
	res.evicted = session.matcher.counters.evicted;
	w = write(fd, &res, sizeof(res));
	_exit(w == sizeof(res) ? 0 : 1);
}

/*
 * A fresh process per configuration, the benchmark itself started again:
 * a forked child would inherit this one's heap, and glibc's mmap threshold
 * as earlier frees raised it, and then its tables would come from
 * already-touched memory instead of fresh pages.
 */
static int memory_run(size_t index, double seconds, struct memory_result *res)
{
	char arg[64];
	int fds[2], status;
	ssize_t got;
	pid_t pid;

	memset(res, 0, sizeof(*res));
	if (pipe(fds))
		return -errno;
	fflush(NULL);
	pid = fork();
	if (pid < 0)
		return -errno;
	if (!pid) {
		close(fds[0]);
		snprintf(arg, sizeof(arg), "%zu:%g:%d", index, seconds, fds[1]);
		execl("/proc/self/exe", "collector", "--cpu", opt.cpu_arg,
		      "--memory-child", arg, (char *)NULL);
		_exit(127);
	}
	close(fds[1]);
	got = read(fds[0], res, sizeof(*res));
	close(fds[0]);
	if (waitpid(pid, &status, 0) < 0 || got != sizeof(*res) ||
	    !WIFEXITED(status) || WEXITSTATUS(status))
		return -EIO;
	return 0;
}

/* The child's side: "INDEX:SECONDS:FD". */
static int memory_child_main(const char *arg)
{
	unsigned int index;
	double seconds;
	int fd;

	if (sscanf(arg, "%u:%lf:%d", &index, &seconds, &fd) != 3 ||
	    index >= N_MEMORY || seconds <= 0)
		return 2;
	memory_child(&memory_cases[index], seconds, fd);
	return 1;
}

static void memory_name(const struct memory_case *c, char *buf, size_t len)
{
	snprintf(buf, len, "%u hop%s, %u flows, %gM records/s, max_inflight %u",
		 c->hops, c->hops == 1 ? "" : "s", c->flows, c->rate / 1e6,
		 c->max_inflight);
}

static double sample_field(const struct memory_result *r, int field)
{
	return field == 0 ? r->rss_mib : field == 1 ? r->peak_mib : r->base_mib;
}

static void memory_report(const struct memory_case *c,
			  const struct memory_result *res, int reps,
			  double seconds)
{
	double v[3][MAX_ROUNDS];
	struct spread s[3];
	struct json_object *x = json_object_new_object();
	char name[128];
	bool met;
	int i, k;

	for (k = 0; k < 3; k++) {
		for (i = 0; i < reps; i++)
			v[k][i] = sample_field(&res[i], k);
		s[k] = spread_of(v[k], reps);
	}
	met = s[0].median < MEMORY_TARGET_MIB &&
	      s[1].median < MEMORY_TARGET_MIB;
	memory_name(c, name, sizeof(name));
	printf("%5u %7u %5gM %10u %9.1f %9.1f %9.1f %11.1f %10llu %9llu   %s\n",
	       c->hops, c->flows, c->rate / 1e6, c->max_inflight, s[0].median,
	       s[1].median, s[2].median, res[0].matcher_mib,
	       (unsigned long long)res[0].in_flight,
	       (unsigned long long)res[0].evicted,
	       !memory_targeted(c) ? "" :
	       met		   ? "met" :
				     "missed");
	add_int(x, "hops", c->hops);
	add_int(x, "flows", c->flows);
	add_double(x, "sim_rate", c->rate);
	add_int(x, "max_inflight", c->max_inflight);
	add_double(x, "sim_seconds", seconds);
	add_double(x, "window_ms", WINDOW_NS / 1e6);
	add_double(x, "peak_mib", s[1].median);
	add_double(x, "base_mib", s[2].median);
	add_double(x, "matcher_mib", res[0].matcher_mib);
	add_int(x, "in_flight", (int64_t)res[0].in_flight);
	add_int(x, "evicted", (int64_t)res[0].evicted);
	add_int(x, "repeats", reps);
	json_result("memory", name, s[0].median, "MiB", &s[0],
		    memory_targeted(c) ? "< 64 MiB resident" : NULL, met, x);
}

static void bench_memory(void)
{
	int reps = opt.quick ? 1 : 3, r;
	double seconds = opt.quick ? 1.5 : 4.0;
	struct memory_result res[N_MEMORY][MAX_ROUNDS];
	size_t i;

	printf("== memory: resident after %.1f s of simulated traffic, %.0f ms "
	       "window, a fresh process each, %d repeat%s\n",
	       seconds, WINDOW_NS / 1e6, reps, reps == 1 ? "" : "s");
	for (r = 0; r < reps; r++)
		for (i = 0; i < N_MEMORY; i++)
			if (memory_run(i, seconds, &res[i][r])) {
				fprintf(stderr,
					"collector: memory child failed\n");
				return;
			}
	printf("%5s %7s %6s %10s %9s %9s %9s %11s %10s %9s   %s\n", "hops",
	       "flows", "rate", "inflight", "RSS MiB", "peak MiB", "base MiB",
	       "table bound", "in flight", "evicted", "target < 64 MiB");
	for (i = 0; i < N_MEMORY; i++)
		memory_report(&memory_cases[i], res[i], reps, seconds);
	printf("\n");
}

/* ---- main ---- */

static void usage(void)
{
	fprintf(stderr,
		"usage: collector [--quick] [--cpu N] [--section ingest|threads|ring|memory]\n"
		"                 [--hops H] [--flows F] [--rounds N] [--rate R]\n");
	exit(2);
}

static void parse_args(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "quick", no_argument, NULL, 'q' },
		{ "cpu", required_argument, NULL, 'c' },
		{ "section", required_argument, NULL, 's' },
		{ "hops", required_argument, NULL, 'H' },
		{ "flows", required_argument, NULL, 'F' },
		{ "rounds", required_argument, NULL, 'r' },
		{ "rate", required_argument, NULL, 'R' },
		{ "memory-child", required_argument, NULL, 'M' },
		{}
	};
	int c;

	opt.cpu = sched_getcpu();
	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (c) {
		case 'q':
			opt.quick = true;
			break;
		case 'c':
			opt.cpu = atoi(optarg);
			break;
		case 's':
			opt.section = optarg;
			break;
		case 'H':
			opt.hops = (unsigned int)atoi(optarg);
			break;
		case 'F':
			opt.flows = (uint32_t)atoi(optarg);
			break;
		case 'r':
			opt.rounds = atoi(optarg);
			break;
		case 'R':
			opt.rate = atof(optarg);
			break;
		case 'M':
			opt.memory_child = optarg;
			break;
		default:
			usage();
		}
	}
	if (optind < argc || opt.rounds < 0 || opt.rounds > MAX_ROUNDS ||
	    opt.rate < 1e3 || opt.rate > 1e9 || opt.cpu < 0)
		usage();
	snprintf(opt.cpu_arg, sizeof(opt.cpu_arg), "%d", opt.cpu);
}

static bool want(const char *section)
{
	return !opt.section || !strcmp(opt.section, section);
}

int main(int argc, char **argv)
{
	static const char *const names[] = { "snd", "f1", "f2", "f3", "f4",
					     "f5",  "f6", "f7", "f8", "rcv" };

	parse_args(argc, argv);
	if (pin_to_cpu(opt.cpu)) {
		fprintf(stderr, "collector: cannot pin to CPU %d\n", opt.cpu);
		return 1;
	}
	test_chain(&chain_points, names, ARRAY_SIZE(names));
	if (opt.memory_child)
		return memory_child_main(opt.memory_child);
	if (want("ingest"))
		bench_ingest();
	if (want("threads"))
		bench_threads();
	if (want("ring"))
		bench_ring();
	if (want("memory"))
		bench_memory();
	return 0;
}
