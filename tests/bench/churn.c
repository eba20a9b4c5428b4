// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * churn - what points coming and going cost the analysis (issue 10): a
 * chain of 4 points carries a packet a millisecond while containers come
 * and go behind it, a container a cycle: added, one packet through it,
 * removed, drained; hs_session_expire every 100 cycles (as once a report)
 * lets the removed ones go.
 *
 *   churn [--quick]
 *
 *  cycle   CPU time of one container's cycle (add, records, remove,
 *          drain), expiry included
 *  expire  CPU time of one hs_session_expire that lets ~100 points go
 *  memory  resident memory after 1/4 and after all of the cycles: bound
 *          by the tables, not by how many points came and went
 *
 * Medians over rounds with their interquartile range; with BENCH_JSON
 * set, one JSON object per figure is appended to that file.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <json-c/json.h>
#include "analysis/session.h"

#define MS 1000000ULL
#define ROUNDS 5

static struct hs_point_table points;
static struct hs_session session;

static double cpu_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Resident memory in MiB, from /proc/self/statm. */
static double rss_mib(void)
{
	long pages = 0, resident = 0;
	FILE *f = fopen("/proc/self/statm", "r");

	if (f && fscanf(f, "%ld %ld", &pages, &resident) != 2)
		resident = 0;
	if (f)
		fclose(f);
	return (double)resident * 4096 / (1024.0 * 1024.0);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static void result(const char *name, double *v, int n, const char *unit)
{
	const char *path = getenv("BENCH_JSON");
	json_object *o;
	FILE *f;

	qsort(v, n, sizeof(*v), cmp_double);
	printf("%-28s %12.2f %-6s [%.2f, %.2f]\n", name, v[n / 2], unit,
	       v[n / 4], v[(3 * n) / 4]);
	if (!path || !*path || !(f = fopen(path, "a")))
		return;
	o = json_object_new_object();
	json_object_object_add(o, "bench", json_object_new_string("churn"));
	json_object_object_add(o, "section", json_object_new_string("churn"));
	json_object_object_add(o, "name", json_object_new_string(name));
	json_object_object_add(o, "value", json_object_new_double(v[n / 2]));
	json_object_object_add(o, "unit", json_object_new_string(unit));
	json_object_object_add(o, "q1", json_object_new_double(v[n / 4]));
	json_object_object_add(o, "q3", json_object_new_double(v[(3 * n) / 4]));
	fprintf(f, "%s\n",
		json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
	fclose(f);
	json_object_put(o);
}

/* One container's cycle at ts, point id. */
static int cycle(unsigned int c, uint64_t ts)
{
	uint16_t id = (uint16_t)(4 + c % 200), k;
	struct hs_record r = { .fingerprint = 0x9E3779B97F4A7C15ULL * (c + 1),
			       .flow_hash = c % 64 };

	memset(&points.p[id], 0, sizeof(points.p[id]));
	points.p[id].id = id;
	snprintf(points.p[id].netns, sizeof(points.p[id].netns), "ctr%u", c);
	if (points.n <= id)
		points.n = id + 1u;
	if (hs_session_point_added(&session, id, ts))
		return -1;
	for (k = 0; k < 4; k++) {
		r.ts_ns = ts + k * 1000;
		r.point_id = k;
		hs_session_record(&session, &r);
	}
	r.ts_ns = ts + 5000;
	r.point_id = id;
	hs_session_record(&session, &r);
	return hs_session_point_removed(&session, id, ts + MS);
}

/* n cycles into a fresh session; per-cycle and per-expiry CPU time. */
static int run(unsigned int n, double *per_cycle, double *per_expire,
	       double *rss_quarter, double *rss_end)
{
	struct hs_session_config cfg = { .window_ns = 100 * MS,
					 .max_inflight = 1u << 18 };
	double t0, texp = 0;
	uint64_t ts = 10 * MS;
	unsigned int c, n_exp = 0;

	memset(&points, 0, sizeof(points));
	for (c = 0; c < 4; c++)
		points.p[c].id = (uint16_t)c;
	points.n = 4;
	points.n_hosts = 1;
	if (hs_session_init(&session, &cfg, &points))
		return -1;
	hs_session_armed(&session, MS);
	hs_session_ready(&session, MS);
	t0 = cpu_now();
	for (c = 0; c < n; c++, ts += 2 * MS) {
		if (cycle(c, ts))
			return -1;
		hs_session_horizon(&session, ts + 2 * MS);
		if (c % 100 == 99) {
			double e = cpu_now();

			hs_session_expire(&session, ts + 2 * MS, 10 * MS);
			texp += cpu_now() - e;
			n_exp++;
		}
		if (c == n / 4)
			*rss_quarter = rss_mib();
	}
	*per_cycle = (cpu_now() - t0) / n * 1e6;
	*per_expire = n_exp ? texp / n_exp * 1e3 : 0;
	*rss_end = rss_mib();
	hs_session_free(&session);
	return 0;
}

int main(int argc, char **argv)
{
	bool quick = argc > 1 && !strcmp(argv[1], "--quick");
	unsigned int n = quick ? 10000 : 100000;
	double cyc[ROUNDS], exp[ROUNDS], rq[ROUNDS], re[ROUNDS];
	int i, rounds = quick ? 3 : ROUNDS;

	printf("== churn: %u containers added and removed, a packet through each, expiry every 100\n",
	       n);
	for (i = 0; i < rounds; i++)
		if (run(n, &cyc[i], &exp[i], &rq[i], &re[i])) {
			fprintf(stderr,
				"churn: a point id was not free in time\n");
			return 1;
		}
	result("cycle (add, 5 records, remove)", cyc, rounds, "us");
	result("expire (~100 points)", exp, rounds, "ms");
	result("resident after 1/4", rq, rounds, "MiB");
	result("resident at the end", re, rounds, "MiB");
	return 0;
}
