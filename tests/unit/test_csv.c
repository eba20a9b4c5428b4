// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * csv.c: reports as RFC 4180 rows, read back field by field.
 *
 * With HS_CSV_FIXTURE=FILE in the environment, the demo test also writes
 * its CSV to FILE: that is how tests/fixtures/csv/demo.csv was made.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <criterion/criterion.h>
#include "chain.h"
#include "output/csv.h"

/* Static and freed in fini, which also runs after a failed assertion. */
static struct hs_point_table t;
static struct hs_hops h;
static char *text;

static void setup(void)
{
	memset(&t, 0, sizeof(t));
	cr_assert_eq(hs_hops_init(&h, 10000), 0);
}

static void teardown(void)
{
	hs_hops_free(&h);
	free(text);
}

TestSuite(csv, .init = setup, .fini = teardown);

/* ---- the chain: names[0] -> names[1] -> ... -> names[n - 1] ---- */

static void build_chain(const char *const *names, unsigned int n)
{
	test_chain(&t, names, n);
}

static const char *const chain4[] = { "snd", "vnf1", "vnf2", "rcv" };

#define FLOW_F 0xF0F0
#define FLOW_G 0x0606

/* Fold a trajectory over points 0, 1, ... from time t0, hop delays d[]
 * (n points: n - 1 delays). */
static void fold(uint32_t flow, unsigned int n, uint16_t first, uint64_t t0,
		 const uint64_t *d)
{
	struct hs_trajectory tr = {};
	unsigned int i;

	tr.fingerprint = t0 ^ ((uint64_t)flow << 32);
	tr.flow_hash = flow;
	tr.first_ts = t0;
	tr.n = (uint8_t)n;
	for (i = 0; i < n; i++) {
		tr.s[i].point = (uint16_t)(first + i);
		tr.s[i].ts_ns = i ? tr.s[i - 1].ts_ns + d[i - 1] : t0;
	}
	hs_hops_fold(&tr, &h);
}

/*
 * Five packets of one flow, 100 us apart, along snd -> vnf1 -> vnf2 -> rcv
 * (points 0..5); hop delays in ns:
 *
 *        0->1   1->2   2->3    3->4   4->5      path
 *   T1   5000  20000   5000  100000   5000    135000
 *   T2   6000  22000   5000  300000   6000    339000
 *   T3   5000  21000   7000  150000   5000    188000
 *   T4   7000  25000   5000  400000   8000    445000
 *   T5   5000  20000   5000    lost in vnf2
 *
 * T3 reaches point 4 at 1383000, before T2 (1433000) which left point 3
 * earlier: T2 is reordered, on hop 3->4 and on the path.
 */
static void fold_five(void)
{
	static const uint64_t d[5][5] = {
		{ 5000, 20000, 5000, 100000, 5000 },
		{ 6000, 22000, 5000, 300000, 6000 },
		{ 5000, 21000, 7000, 150000, 5000 },
		{ 7000, 25000, 5000, 400000, 8000 },
		{ 5000, 20000, 5000 },
	};
	unsigned int i;

	for (i = 0; i < 5; i++)
		fold(FLOW_F, i < 4 ? 6 : 4, 0, 1000000 + i * 100000, d[i]);
}

/* ---- the CSV, written and read back ---- */

#define MAX_FIELDS 48
#define MAX_ROWS 64
#define FIELD_MAX 256

struct rec {
	unsigned int n;
	char f[MAX_FIELDS][FIELD_MAX];
};

static struct rec rows[MAX_ROWS]; /* rows[0] is the header */
static unsigned int n_rows;

/* One RFC 4180 record from *s, which moves past its line break. */
static void split(const char **s, struct rec *r)
{
	const char *p = *s;
	bool quoted = false;
	size_t len = 0;

	memset(r, 0, sizeof(*r));
	r->n = 1;
	for (; *p && (quoted || *p != '\n'); p++) {
		char c = *p;

		if (c == '"' && quoted && p[1] == '"') {
			p++; /* a doubled quote is one quote */
		} else if (c == '"') {
			quoted = !quoted;
			continue;
		} else if (c == ',' && !quoted) {
			cr_assert_lt(r->n, MAX_FIELDS);
			r->n++;
			len = 0;
			continue;
		}
		cr_assert_lt(len + 1, FIELD_MAX);
		r->f[r->n - 1][len++] = c;
	}
	cr_assert_not(quoted, "unterminated quote");
	*s = *p ? p + 1 : p;
}

/* text as rows, each with as many fields as the header */
static void split_text(void)
{
	const char *s;

	for (s = text, n_rows = 0; *s; n_rows++) {
		cr_assert_lt(n_rows, MAX_ROWS);
		split(&s, &rows[n_rows]);
		cr_assert_eq(rows[n_rows].n, rows[0].n, "row %u: %u fields",
			     n_rows, rows[n_rows].n);
	}
}

/* Write the header and the report into text, and split it into rows. */
static void write_report(bool final, double elapsed_s, unsigned int no)
{
	struct hs_report r = { .points = &t, .hops = &h, .final = final };
	size_t size;
	FILE *f;

	r.elapsed_s = elapsed_s;
	hs_hops_settle(&h, true);
	free(text);
	f = open_memstream(&text, &size);
	cr_assert_not_null(f);
	cr_assert_eq(hs_csv_header(f), 0);
	cr_assert_eq(hs_csv_report(f, &r, no), 0);
	cr_assert_eq(fclose(f), 0);
	split_text();
}

static const char *get(const struct rec *r, const char *column)
{
	unsigned int i;

	for (i = 0; i < rows[0].n; i++)
		if (!strcmp(rows[0].f[i], column))
			return r->f[i];
	cr_assert_fail("no column %s", column);
	return NULL;
}

static double num(const struct rec *r, const char *column)
{
	const char *v = get(r, column);
	char *end;
	double d = strtod(v, &end);

	cr_assert(*v && !*end, "%s: '%s' is not a number", column, v);
	return d;
}

static unsigned int count(const char *type)
{
	unsigned int i, n = 0;

	for (i = 1; i < n_rows; i++)
		n += !strcmp(get(&rows[i], "row"), type);
	return n;
}

static const struct rec *find(const char *type, uint16_t from, uint16_t to)
{
	unsigned int i;

	for (i = 1; i < n_rows; i++)
		if (!strcmp(get(&rows[i], "row"), type) &&
		    num(&rows[i], "from") == from && num(&rows[i], "to") == to)
			return &rows[i];
	cr_assert_fail("no %s row %u -> %u", type, from, to);
	return NULL;
}

/* A percentile from the histogram: within its error of the true one. */
static void assert_near(const struct rec *r, const char *column, double want)
{
	double v = num(r, column);

	cr_assert(fabs(v - want) <= want * HS_HIST_MAX_REL_ERROR,
		  "%s = %.0f, want %.0f", column, v, want);
}

/* ---- the tests ---- */

/* The columns, as scripts/plot.sh and spreadsheets rely on them. */
#define COLUMNS                                                               \
	"report,elapsed_s,final,row,path,index,from,to,from_name,to_name,"   \
	"kind,via,packets,min_ns,p50_ns,p90_ns,p99_ns,p999_ns,max_ns,"       \
	"mean_ns,stdev_ns,jitter_mean_ns,jitter_max_ns,ipdv_p50_ns,"         \
	"ipdv_p99_ns,late_max_ns,late_mean_ns,late_stdev_ns,lost,reordered," \
	"reordered_ratio,reorder_extent_max,duplicates,mean_share,p99_share," \
	"jitter_share"

Test(csv, header_is_the_column_list)
{
	FILE *f;
	size_t size;

	f = open_memstream(&text, &size);
	cr_assert_not_null(f);
	cr_assert_eq(hs_csv_header(f), 0);
	cr_assert_eq(fclose(f), 0);
	cr_assert_str_eq(text, COLUMNS "\n");
}

Test(csv, rows_of_each_kind)
{
	build_chain(chain4, 4);
	fold_five();
	write_report(true, 12.3456, 7);
	/* sizeof counts the NUL: the header's newline is compared too */
	cr_assert_eq(strncmp(text, COLUMNS "\n", sizeof(COLUMNS)),
		     0);
	/* 5 hops; the path of T1..T4 (T5's prefix path carried nothing) and
	 * its 5 segments */
	cr_assert_eq(count("hop"), 5);
	cr_assert_eq(count("path"), 1);
	cr_assert_eq(count("segment"), 5);
	cr_assert_eq(n_rows, 1 + 11);
	cr_assert_str_eq(get(&rows[1], "report"), "7");
	cr_assert_str_eq(get(&rows[1], "elapsed_s"), "12.346");
	cr_assert_str_eq(get(&rows[1], "final"), "1");
}

Test(csv, hop_row_values)
{
	const struct rec *r;

	build_chain(chain4, 4);
	fold_five();
	write_report(true, 1, 1);
	r = find("hop", 3, 4);
	cr_assert_str_eq(get(r, "from_name"), "vnf2:eth0 tc-ingress");
	cr_assert_str_eq(get(r, "to_name"), "vnf2:eth1 tc-egress");
	cr_assert_str_eq(get(r, "kind"), "function");
	cr_assert_str_eq(get(r, "via"), "VNF vnf2");
	cr_assert_str_eq(get(r, "path"), "");
	cr_assert_str_eq(get(r, "index"), "");
	cr_assert_str_eq(get(r, "mean_share"), "");
	/* delays 100000 300000 150000 400000 */
	cr_assert_eq(num(r, "packets"), 4);
	cr_assert_eq(num(r, "min_ns"), 100000);
	cr_assert_eq(num(r, "max_ns"), 400000);
	assert_near(r, "p50_ns", 150000);
	assert_near(r, "p90_ns", 400000);
	assert_near(r, "p99_ns", 400000);
	assert_near(r, "p999_ns", 400000);
	/* mean 237500; deviations -137500 62500 -87500 162500, squares sum
	 * to 56875e6, population stdev sqrt(56875e6 / 4) = 119242.4 */
	cr_assert_eq(num(r, "mean_ns"), 237500);
	cr_assert_eq(num(r, "stdev_ns"), 119242);
	/* D = 200000, -150000, 250000: J = 12500, then
	 * 12500 + (150000 - 12500)/16 = 21093.75, then
	 * 21093.75 + (250000 - 21093.75)/16 = 35400.390625;
	 * mean (12500 + 21093.75 + 35400.390625)/3 = 22998.05 */
	cr_assert_eq(num(r, "jitter_mean_ns"), 22998);
	cr_assert_eq(num(r, "jitter_max_ns"), 35400);
	/* |D| = 150000 200000 250000 */
	assert_near(r, "ipdv_p50_ns", 200000);
	assert_near(r, "ipdv_p99_ns", 250000);
	/* lateness: delay - 100000 */
	cr_assert_eq(num(r, "late_max_ns"), 300000);
	cr_assert_eq(num(r, "late_mean_ns"), 137500);
	cr_assert_eq(num(r, "late_stdev_ns"), 119242);
	cr_assert_eq(num(r, "lost"), 1);
	/* T2 arrives after T3, 1 of 4 arrivals, one packet between */
	cr_assert_eq(num(r, "reordered"), 1);
	cr_assert_str_eq(get(r, "reordered_ratio"), "0.250000");
	cr_assert_eq(num(r, "reorder_extent_max"), 1);
	cr_assert_eq(num(r, "duplicates"), 0);

	r = find("hop", 0, 1);
	cr_assert_str_eq(get(r, "kind"), "wire");
	cr_assert_str_eq(get(r, "via"), "veth");
	/* T5 crossed it too: 5000 6000 5000 7000 5000 */
	cr_assert_eq(num(r, "packets"), 5);
	cr_assert_eq(num(r, "mean_ns"), 5600);
	cr_assert_eq(num(r, "lost"), 0);
	cr_assert_str_eq(get(r, "reordered_ratio"), "0.000000");
}

Test(csv, path_row_values)
{
	const struct rec *r;

	build_chain(chain4, 4);
	fold_five();
	write_report(true, 1, 1);
	r = find("path", 0, 5);
	cr_assert_str_eq(get(r, "path"), "0");
	cr_assert_str_eq(get(r, "index"), "");
	cr_assert_str_eq(get(r, "kind"), "path");
	cr_assert_str_eq(get(r, "via"), "0 1 2 3 4 5");
	cr_assert_str_eq(get(r, "from_name"), "snd:eth0 tc-egress");
	cr_assert_str_eq(get(r, "to_name"), "rcv:eth0 tc-ingress");
	cr_assert_eq(num(r, "packets"), 4);
	cr_assert_eq(num(r, "min_ns"), 135000);
	cr_assert_eq(num(r, "max_ns"), 445000);
	/* (135000 + 339000 + 188000 + 445000) / 4 */
	cr_assert_eq(num(r, "mean_ns"), 276750);
	/* D = 204000, -151000, 257000: J = 12750, 21390.625, 36116.2109375 */
	cr_assert_eq(num(r, "jitter_max_ns"), 36116);
	cr_assert_eq(num(r, "lost"), 1);
	cr_assert_eq(num(r, "reordered"), 1);
}

Test(csv, segment_shares)
{
	double mean = 0, p99 = 0, jitter = 0;
	const struct rec *r;
	unsigned int i, k = 0;

	build_chain(chain4, 4);
	fold_five();
	write_report(true, 1, 1);
	for (i = 1; i < n_rows; i++) {
		r = &rows[i];
		if (strcmp(get(r, "row"), "segment"))
			continue;
		cr_assert_str_eq(get(r, "path"), "0");
		cr_assert_eq(num(r, "index"), k);
		cr_assert_eq(num(r, "from"), k);
		cr_assert_eq(num(r, "to"), k + 1);
		mean += num(r, "mean_share");
		p99 += num(r, "p99_share");
		jitter += num(r, "jitter_share");
		k++;
	}
	cr_assert_eq(k, 5);
	cr_assert_float_eq(mean, 1.0, 1e-3);
	cr_assert_float_eq(p99, 1.0, 1e-3);
	cr_assert_float_eq(jitter, 1.0, 1e-3);
	/* segment means 5600 21600 5400 237500 6000 (the first three with
	 * T5): vnf2 holds 237500 / 276100 of the mean */
	r = find("segment", 3, 4);
	cr_assert_str_eq(get(r, "kind"), "function");
	cr_assert_eq(num(r, "packets"), 4);
	cr_assert_eq(num(r, "lost"), 1);
	cr_assert_float_eq(num(r, "mean_share"), 237500.0 / 276100, 1e-4);
	cr_assert_eq(num(find("segment", 1, 2), "packets"), 5);
}

Test(csv, interval_or_total)
{
	static const uint64_t d[] = { 5000, 20000, 5000, 50000, 5000 };
	const struct rec *r;

	build_chain(chain4, 4);
	fold_five();
	hs_hops_settle(&h, true);
	hs_hops_new_interval(&h);
	fold(FLOW_F, 6, 0, 2000000, d);

	write_report(false, 2.5, 3);
	r = find("hop", 3, 4);
	cr_assert_str_eq(get(r, "report"), "3");
	cr_assert_str_eq(get(r, "elapsed_s"), "2.500");
	cr_assert_str_eq(get(r, "final"), "0");
	cr_assert_eq(num(r, "packets"), 1);
	cr_assert_eq(num(r, "mean_ns"), 50000);
	cr_assert_eq(num(r, "lost"), 0);

	write_report(true, 2.5, 4);
	r = find("hop", 3, 4);
	cr_assert_str_eq(get(r, "final"), "1");
	cr_assert_eq(num(r, "packets"), 5);
	cr_assert_eq(num(r, "min_ns"), 50000);
	cr_assert_eq(num(r, "lost"), 1);
}

Test(csv, quoting)
{
	static const char *const names[] = { "snd", "vnf\"1,a", "rcv" };
	static const uint64_t d[] = { 5000, 20000, 5000 };
	const struct rec *r;

	build_chain(names, 3);
	fold(FLOW_F, 4, 0, 1000000, d);
	write_report(true, 1, 1);
	/* the fields, doubled quotes and all, as RFC 4180 writes them */
	cr_assert_not_null(strstr(text, ",\"vnf\"\"1,a:eth0 tc-ingress\","));
	cr_assert_not_null(strstr(text, ",\"VNF vnf\"\"1,a\","));
	/* and read back whole */
	r = find("hop", 1, 2);
	cr_assert_str_eq(get(r, "from_name"), "vnf\"1,a:eth0 tc-ingress");
	cr_assert_str_eq(get(r, "to_name"), "vnf\"1,a:eth1 tc-egress");
	cr_assert_str_eq(get(r, "via"), "VNF vnf\"1,a");
	cr_assert_eq(num(r, "mean_ns"), 20000);
}

Test(csv, failed_write)
{
	struct hs_report r = { .points = &t, .hops = &h, .final = true };
	static const uint64_t d[] = { 5000, 20000, 5000, 50000, 5000 };
	FILE *f = fopen("/dev/full", "w");

	if (!f)
		cr_skip_test("no /dev/full");
	build_chain(chain4, 4);
	fold(FLOW_F, 6, 0, 1000000, d);
	hs_hops_settle(&h, true);
	cr_expect_eq(hs_csv_header(f), -1);
	cr_expect_eq(hs_csv_report(f, &r, 1), -1);
	fclose(f);
}

/* ---- the demo: tests/fixtures/csv/demo.csv ---- */

/* deterministic xorshift64*: the fixture is the same every time */
static uint64_t rng_state = 0x9E3779B97F4A7C15ULL;

static double uniform(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return (double)((rng_state * 0x2545F4914F6CDD1DULL) >> 11) / 0x1p53;
}

/* Base plus an exponential part of the given mean, now and then a tail:
 * delays as veths and busy functions give them. */
static uint64_t delay(double base, double mean, double tail_p, double tail)
{
	double v = base - mean * log(1 - uniform());

	if (uniform() < tail_p)
		v += tail * uniform();
	return (uint64_t)v;
}

/*
 * 3 s of a 1000 pps UDP stream along snd -> vnf1 -> vnf2 -> rcv, vnf2
 * slow (~150 us and a tail into ms, dropping 0.5%), and a 10 pps ping
 * to vnf1 (path snd -> vnf1:eth0); an interval report every second, then
 * the final one.
 */
static void write_demo(FILE *f)
{
	struct hs_report r = { .points = &t, .hops = &h };
	const uint64_t start = 5000000000000ULL;
	unsigned int i, reports = 0;

	cr_assert_eq(hs_csv_header(f), 0);
	for (i = 0; i < 3000; i++) {
		uint64_t t0 = start + i * 1000000ULL + delay(0, 20000, 0, 0);
		uint64_t d[5] = {
			delay(4000, 1500, 0.01, 20000),
			delay(12000, 3000, 0.01, 40000),
			delay(4000, 1500, 0.01, 20000),
			delay(150000, 60000, 0.005, 2500000),
			delay(4000, 1500, 0.01, 20000),
		};
		bool lost = uniform() < 0.005;

		if (i % 100 == 50)
			fold(FLOW_G, 2, 0, t0 - 500000, d);
		fold(FLOW_F, lost ? 4 : 6, 0, t0, d);
		if (i % 1000 != 999)
			continue;
		hs_hops_settle(&h, false);
		r.elapsed_s = (i + 1) / 1000.0;
		cr_assert_eq(hs_csv_report(f, &r, ++reports), 0);
		hs_hops_new_interval(&h);
	}
	hs_hops_settle(&h, true);
	r.final = true;
	r.elapsed_s = 3.012;
	cr_assert_eq(hs_csv_report(f, &r, ++reports), 0);
}

Test(csv, demo)
{
	const char *fixture = getenv("HS_CSV_FIXTURE");
	const struct rec *r, *worst = NULL;
	unsigned int i, final = 0;
	const char *stream = "";
	size_t size;
	FILE *f;

	build_chain(chain4, 4);
	f = open_memstream(&text, &size);
	cr_assert_not_null(f);
	write_demo(f);
	cr_assert_eq(fclose(f), 0);
	if (fixture) {
		f = fopen(fixture, "w");
		cr_assert_not_null(f, "cannot write %s", fixture);
		fputs(text, f);
		cr_assert_eq(fclose(f), 0);
	}
	split_text();
	/* per report: 5 hops; the stream's path and its 5 segments, the
	 * ping's path (one hop: no breakdown) */
	cr_assert_eq(n_rows, 1 + 4 * 12);
	for (i = 1; i < n_rows; i++) {
		r = &rows[i];
		if (num(r, "final") != 1)
			continue;
		final++;
		cr_assert_eq(num(r, "report"), 4);
		/* a path row comes before its segments */
		if (!strcmp(get(r, "row"), "path") && num(r, "to") == 5)
			stream = get(r, "path");
		if (!strcmp(get(r, "row"), "segment") &&
		    !strcmp(get(r, "path"), stream) &&
		    (!worst || num(r, "p99_share") > num(worst, "p99_share")))
			worst = r;
	}
	cr_assert_eq(final, 12);
	/* the slow function holds most of the stream's p99 and drops */
	cr_assert_not_null(worst);
	cr_assert_str_eq(get(worst, "via"), "VNF vnf2");
	cr_assert_gt(num(worst, "p99_share"), 0.8);
	cr_assert_gt(num(worst, "lost"), 0);
}
