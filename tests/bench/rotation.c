// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * rotation - what --write DIR costs the collector's loop (issue 10):
 *  tick    the rotation check each drain tick makes: the part's size on
 *          disk (hs_rec_bytes, one lseek) against --rotate
 *          (hs_rotate_due), on a part being written;
 *  prune   listing a record directory of 20 and 200 parts and deciding
 *          what --keep deletes (nothing, here: the cost of the look);
 *  part    closing a part and opening the next with a header of 64 points'
 *          worth of JSON (hs_rec_reopen_at), in a temporary directory.
 *
 *   rotation [--quick]
 *
 * Wall-clock medians over rounds with their interquartile range; with
 * BENCH_JSON set, one JSON object per figure is appended to that file.
 * Only the loop's own work is timed: no probes, no traffic.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>
#include <json-c/json.h>
#include "store/parts.h"
#include "store/recfile.h"

#define ROUNDS_MAX 64

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int cmp_d(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* The median and quartiles of v[0..n), printed and put in BENCH_JSON. */
static void result(const char *section, const char *name, double *v, int n,
		   const char *unit)
{
	const char *path = getenv("BENCH_JSON");
	double med, q1, q3;
	json_object *o;
	FILE *f;

	qsort(v, (size_t)n, sizeof(*v), cmp_d);
	med = v[n / 2];
	q1 = v[n / 4];
	q3 = v[(3 * n) / 4];
	printf("%-8s %-40s %12.2f %-4s [%.2f, %.2f]\n", section, name, med,
	       unit, q1, q3);
	if (!path || !(f = fopen(path, "a")))
		return;
	o = json_object_new_object();
	json_object_object_add(o, "bench", json_object_new_string("rotation"));
	json_object_object_add(o, "section", json_object_new_string(section));
	json_object_object_add(o, "name", json_object_new_string(name));
	json_object_object_add(o, "value", json_object_new_double(med));
	json_object_object_add(o, "unit", json_object_new_string(unit));
	json_object_object_add(o, "q1", json_object_new_double(q1));
	json_object_object_add(o, "q3", json_object_new_double(q3));
	fprintf(f, "%s\n", json_object_to_json_string(o));
	json_object_put(o);
	fclose(f);
}

/* A header about the size of one with 64 points. */
static char *fake_header(void)
{
	size_t n = 64 * 600;
	char *h = malloc(n + 3);
	size_t i;

	if (!h)
		exit(1);
	h[0] = '"';
	for (i = 1; i <= n; i++)
		h[i] = "abcdefghijklmnopqrstuvwxyz0123456789"[(i * 7) % 36];
	h[n + 1] = '"';
	h[n + 2] = '\0';
	return h;
}

static void bench_tick(struct hs_rec_writer *w, int rounds)
{
	struct hs_rotate_policy p = { .max_bytes = 100ULL << 20,
				      .max_age_ns = 3600ULL * 1000000000ULL };
	double v[ROUNDS_MAX];
	int r, i, n = 100000, due = 0;

	for (r = 0; r < rounds; r++) {
		double t0 = now_s();

		for (i = 0; i < n; i++)
			due += hs_rotate_due(&p, hs_rec_bytes(w),
					     (uint64_t)i * 20000000ULL);
		v[r] = (now_s() - t0) / n * 1e9;
	}
	if (due)
		fprintf(stderr, "rotation: %d ticks were due\n", due);
	result("tick", "rotation check (lseek + policy)", v, rounds, "ns");
}

static void make_parts(const char *dir, int n)
{
	char name[HS_PART_NAME_MAX], path[512];
	int i;

	for (i = 0; i < n; i++) {
		FILE *f;

		hs_part_name(name, sizeof(name), 1796292900 + i, 1,
			     (unsigned)i);
		snprintf(path, sizeof(path), "%s/%s", dir, name);
		f = fopen(path, "w");
		if (!f || fputs("x", f) < 0 || fclose(f))
			exit(1);
	}
}

static void bench_prune(const char *dir, int parts, int rounds)
{
	struct hs_rotate_policy p = { .max_bytes = 1 << 20,
				      .keep_bytes = 1ULL << 30 };
	struct hs_prune_result res;
	double v[ROUNDS_MAX];
	char err[256], name[64];
	int r;

	make_parts(dir, parts);
	for (r = 0; r < rounds; r++) {
		double t0 = now_s();

		if (hs_parts_prune(dir, NULL, &p, &res, err, sizeof(err))) {
			fprintf(stderr, "rotation: %s\n", err);
			exit(1);
		}
		v[r] = (now_s() - t0) * 1e6;
	}
	snprintf(name, sizeof(name), "list %d parts, decide --keep", parts);
	result("prune", name, v, rounds, "us");
}

static void bench_part(struct hs_rec_writer *w, const char *dir, int rounds)
{
	char *header = fake_header(), path[512];
	double v[ROUNDS_MAX];
	char err[256];
	int r;

	for (r = 0; r < rounds; r++) {
		double t0;

		snprintf(path, sizeof(path), "%s/next-%d.hsr", dir, r);
		t0 = now_s();
		if (hs_rec_reopen_at(w, path, header, err, sizeof(err))) {
			fprintf(stderr, "rotation: %s\n", err);
			exit(1);
		}
		v[r] = (now_s() - t0) * 1e6;
	}
	free(header);
	result("part", "close a part, open the next (64 points)", v, rounds,
	       "us");
}

int main(int argc, char **argv)
{
	int rounds = argc > 1 && !strcmp(argv[1], "--quick") ? 5 : 31;
	char dir[] = "/tmp/hs-bench-rotation-XXXXXX", cmd[128], path[512];
	struct hs_rec_writer *w;
	struct hs_record rec = { 0 };
	char err[256];
	int i, rc;

	if (!mkdtemp(dir))
		return 1;
	snprintf(path, sizeof(path), "%s/first.hsr", dir);
	if (hs_rec_create(&w, path, "{}", err, sizeof(err))) {
		fprintf(stderr, "rotation: %s\n", err);
		return 1;
	}
	for (i = 0; i < 100000; i++) {
		rec.ts_ns = (uint64_t)i;
		hs_rec_put_record(w, &rec);
	}
	hs_rec_flush(w, true);
	bench_tick(w, rounds);
	bench_part(w, dir, rounds);
	rc = hs_rec_close(w);
	snprintf(path, sizeof(path), "%s/p20", dir);
	if (mkdir(path, 0700))
		return 1;
	bench_prune(path, 20, rounds);
	snprintf(path, sizeof(path), "%s/p200", dir);
	if (mkdir(path, 0700))
		return 1;
	bench_prune(path, 200, rounds);
	snprintf(cmd, sizeof(cmd), "rm -rf -- '%s'", dir);
	if (system(cmd))
		fprintf(stderr, "rotation: could not remove %s\n", dir);
	return rc ? 1 : 0;
}
