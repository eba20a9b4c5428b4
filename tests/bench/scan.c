// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * scan.c - what one of the agent's looks at the host costs (issue 10: a
 * host with 100 containers, looked at every second).
 *
 *   scan ROUNDS LABEL
 *
 * Run by scan.sh with DOCKER_HOST naming its private dockerd and LABEL
 * saying how many containers run. Each round, alternating:
 *   list      the runtimes' containers, every one inspected
 *             (hs_runtimes_list)
 *   cached    the same through an inspect cache that has seen them
 *             (hs_runtimes_list_cached)
 *   discover  the whole topology, processes' namespaces included
 *             (hs_topo_discover, processes=true, no cache)
 *   scan      the follower's full look when nothing changed: discover
 *             with its cache, select, compare (hs_follow_scan; every point
 *             was attached by a first scan before the rounds)
 *   check     the follower's cheap look, the one it takes each --rescan
 *             period while its event streams are alive
 *             (hs_follow_changed)
 * Medians and quartiles in ms, one JSON line each to $BENCH_JSON.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "core/log.h"
#include "live/follow.h"
#include "probe/attach.h"
#include "topo/runtime.h"
#include "topo/topo.h"

#define MAX_ROUNDS 64
#define N_WHAT 5

static const char *const what[N_WHAT] = { "list", "cached", "discover", "scan",
					  "check" };

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static void quartiles(double *v, int n, double *q1, double *med, double *q3)
{
	qsort(v, n, sizeof(*v), cmp_double);
	*q1 = v[(int)(0.25 * (n - 1) + 0.5)];
	*med = n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
	*q3 = v[(int)(0.75 * (n - 1) + 0.5)];
}

/* ms of one list of the containers, through cache k (NULL: none) */
static double list_once(struct hs_container_cache *k, unsigned int *n)
{
	struct hs_container *c = NULL;
	struct hs_runtimes rts;
	double t0 = now_ms();

	hs_runtimes_find(&rts);
	if (hs_runtimes_list_cached(&rts, k, &c, n)) {
		fprintf(stderr, "scan: cannot list the containers\n");
		exit(1);
	}
	free(c);
	return now_ms() - t0;
}

static double discover_once(void)
{
	struct hs_topo_opts o = { .processes = true };
	struct hs_topo t;
	double t0 = now_ms();

	if (hs_topo_discover(&t, &o))
		exit(1);
	t0 = now_ms() - t0;
	hs_topo_free(&t);
	return t0;
}

static double scan_once(struct hs_follow *f, struct hs_follow_target *t)
{
	double t0 = now_ms();

	if (hs_follow_scan(f, t, 0) < 0)
		exit(1);
	return now_ms() - t0;
}

/* the machine is shared: others' namespaces and links come and go, so
 * the check's answer is counted, not asserted */
static unsigned int changed;

static double check_once(struct hs_follow *f)
{
	double t0 = now_ms();

	changed += hs_follow_changed(f);
	return now_ms() - t0;
}

static void report(const char *label, double (*v)[MAX_ROUNDS], int rounds,
		   unsigned int points)
{
	const char *path = getenv("BENCH_JSON");
	FILE *f = path ? fopen(path, "a") : NULL;
	double q1, med, q3;
	int w;

	printf("%-16s", label);
	for (w = 0; w < N_WHAT; w++) {
		quartiles(v[w], rounds, &q1, &med, &q3);
		printf("  %s %7.2f ms [%.2f, %.2f]", what[w], med, q1, q3);
		if (f)
			fprintf(f,
				"{\"bench\":\"scan\",\"section\":\"one look at the host\","
				"\"name\":\"%s, %s\",\"value\":%.4g,\"unit\":\"ms\","
				"\"q1\":%.4g,\"q3\":%.4g,\"points\":%u%s}\n",
				what[w], label, med, q1, q3, points,
				w == 3 && strstr(label, "100 containers") ?
					(med < 100 ?
						 ",\"target\":\"< 100 ms\",\"met\":true" :
						 ",\"target\":\"< 100 ms\",\"met\":false") :
					"");
	}
	printf("  (%u points; the check saw a change %u of %d times)\n", points,
	       changed, rounds);
	if (f)
		fclose(f);
}

int main(int argc, char **argv)
{
	static double v[N_WHAT][MAX_ROUNDS];
	static struct hs_point_table table;
	struct hs_probe_config pcfg = { .sample_one_in = 1,
					.ringbuf_bytes = 1 << 20 };
	struct hs_follow_config fcfg = { .rescan_ns = 1000000000ULL };
	struct hs_container_cache cache = { 0 };
	struct hs_probes *p = calloc(1, sizeof(*p));
	struct hs_follow_target t = { .probes = p, .points = &table };
	struct hs_follow *f;
	unsigned int n;
	int rounds, r;

	if (argc != 3 || (rounds = atoi(argv[1])) < 1 || rounds > MAX_ROUNDS) {
		fprintf(stderr, "usage: scan ROUNDS(1..%d) LABEL\n",
			MAX_ROUNDS);
		return 2;
	}
	hs_log_set_level(HS_LOG_WARN);
	f = hs_follow_new(&fcfg);
	if (!p || !f || hs_probes_open(p, &pcfg))
		return 1;
	if (hs_follow_scan(f, &t, 0) < 0)
		return 1;
	list_once(&cache, &n);
	for (r = 0; r < rounds; r++) {
		v[0][r] = list_once(NULL, &n);
		v[1][r] = list_once(&cache, &n);
		v[2][r] = discover_once();
		v[3][r] = scan_once(f, &t);
		v[4][r] = check_once(f);
	}
	report(argv[2], v, rounds, hs_follow_attached(f));
	hs_container_cache_free(&cache);
	/* the points' namespaces are the follower's */
	hs_probes_detach(p);
	hs_follow_free(f);
	free(p);
	return 0;
}
