// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * json.c: the JSON lines read back with json-c, field by field, for what
 * they mean. Their bytes are held by the golden tests (test_session.c);
 * here a line may change its spacing or key order and still pass, but
 * not carry a wrong number, a field under the wrong name, or a field
 * where it must not be.
 *
 * A hand-made report (the five trajectories of test_csv.c, whose numbers
 * are worked out there), then the scenario of tests/lib/scenario.h, whose
 * lines must agree with the session that printed them.
 */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <criterion/criterion.h>
#include <json-c/json.h>
#include "chain.h"
#include "scenario.h"
#include "analysis/session.h"
#include "output/json.h"
#include "output/output.h"

/* Static and freed in fini, which also runs after a failed assertion. */
static struct hs_point_table pts;
static struct hs_hops h;
static bool h_up;
static struct hs_session s;
static bool s_up;
static struct hs_counters counters[HS_MAX_POINTS];
static struct hs_match_counters match;
static struct hs_session_counters sess;
static struct hs_probe_cost cost[HS_MAX_POINTS];
static struct hs_report report;

static FILE *mem;
static char *text;
static size_t text_len;

#define MAX_LINES 512
static json_object *lines[MAX_LINES];
static unsigned int n_lines;

static void drop_lines(void)
{
	while (n_lines)
		json_object_put(lines[--n_lines]);
}

static void setup(void)
{
	memset(&pts, 0, sizeof(pts));
	memset(counters, 0, sizeof(counters));
	memset(&match, 0, sizeof(match));
	memset(&sess, 0, sizeof(sess));
	memset(cost, 0, sizeof(cost));
	memset(&report, 0, sizeof(report));
}

static void teardown(void)
{
	drop_lines();
	if (mem)
		fclose(mem);
	mem = NULL;
	free(text);
	text = NULL;
	if (h_up)
		hs_hops_free(&h);
	h_up = false;
	if (s_up)
		hs_session_free(&s);
	s_up = false;
}

TestSuite(json, .init = setup, .fini = teardown);

/* ---- writing into memory, reading back ---- */

static FILE *open_text(void)
{
	drop_lines();
	free(text);
	text = NULL;
	mem = open_memstream(&text, &text_len);
	cr_assert_not_null(mem);
	return mem;
}

/* Every line one JSON object, whole, with a string "type". */
static void parse_text(void)
{
	const char *p, *nl;

	/* fclose sets text: not read before */
	cr_assert_eq(fclose(mem), 0);
	mem = NULL;
	cr_assert_not_null(text);
	for (p = text; *p; p = nl + 1) {
		struct json_tokener *tok = json_tokener_new();
		json_object *o, *type;
		size_t len;

		cr_assert_not_null(tok);
		nl = strchr(p, '\n');
		cr_assert_not_null(nl, "the last line has no newline: %s", p);
		len = (size_t)(nl - p);
		o = json_tokener_parse_ex(tok, p, (int)len);
		cr_assert_not_null(
			o, "not JSON (%s): %.*s",
			json_tokener_error_desc(json_tokener_get_error(tok)),
			(int)len, p);
		/* nothing after the object on its line */
		cr_assert_eq(json_tokener_get_parse_end(tok), len,
			     "more than one object on: %.*s", (int)len, p);
		json_tokener_free(tok);
		cr_assert_lt(n_lines, MAX_LINES);
		lines[n_lines++] = o;
		cr_assert(json_object_is_type(o, json_type_object),
			  "not an object: %.*s", (int)len, p);
		cr_assert(json_object_object_get_ex(o, "type", &type) &&
				  json_object_is_type(type, json_type_string),
			  "no \"type\": %.*s", (int)len, p);
	}
}

static const char *line_text(json_object *o)
{
	return json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN);
}

static bool has(json_object *o, const char *key)
{
	return json_object_object_get_ex(o, key, NULL);
}

static json_object *field(json_object *o, const char *key)
{
	json_object *v;

	cr_assert(json_object_object_get_ex(o, key, &v), "no \"%s\" in %s", key,
		  line_text(o));
	return v;
}

static int64_t num(json_object *o, const char *key)
{
	json_object *v = field(o, key);

	cr_assert(json_object_is_type(v, json_type_int),
		  "\"%s\" is not an integer in %s", key, line_text(o));
	return json_object_get_int64(v);
}

static double real(json_object *o, const char *key)
{
	json_object *v = field(o, key);

	cr_assert(json_object_is_type(v, json_type_double) ||
			  json_object_is_type(v, json_type_int),
		  "\"%s\" is not a number in %s", key, line_text(o));
	return json_object_get_double(v);
}

static const char *str(json_object *o, const char *key)
{
	json_object *v = field(o, key);

	cr_assert(json_object_is_type(v, json_type_string),
		  "\"%s\" is not a string in %s", key, line_text(o));
	return json_object_get_string(v);
}

static bool flag(json_object *o, const char *key)
{
	json_object *v = field(o, key);

	cr_assert(json_object_is_type(v, json_type_boolean),
		  "\"%s\" is not a boolean in %s", key, line_text(o));
	return json_object_get_boolean(v);
}

static bool is(json_object *o, const char *type)
{
	return !strcmp(str(o, "type"), type);
}

static unsigned int count(const char *type)
{
	unsigned int i, n = 0;

	for (i = 0; i < n_lines; i++)
		n += is(lines[i], type);
	return n;
}

/* The k-th line of a type (0-based), or NULL. */
static json_object *nth(const char *type, unsigned int k)
{
	unsigned int i;

	for (i = 0; i < n_lines; i++)
		if (is(lines[i], type) && !k--)
			return lines[i];
	return NULL;
}

static json_object *hop_line(bool final, int64_t from, int64_t to)
{
	unsigned int i;

	for (i = 0; i < n_lines; i++)
		if (is(lines[i], "hop") && flag(lines[i], "final") == final &&
		    num(lines[i], "from") == from && num(lines[i], "to") == to)
			return lines[i];
	cr_assert_fail("no %s hop line %lld -> %lld",
		       final ? "final" : "interval", (long long)from,
		       (long long)to);
	return NULL;
}

/* The keys of an object, in a set of allowed ones; the required ones all
 * there. Keeps a renamed or a stray field from passing. */
static void keys_exactly(json_object *o, const char *const *want, size_t n)
{
	size_t i;

	json_object_object_foreach(o, key, val)
	{
		bool known = false;

		(void)val;
		for (i = 0; i < n && !known; i++)
			known = !strcmp(key, want[i]);
		cr_assert(known, "unexpected \"%s\" in %s", key, line_text(o));
	}
	for (i = 0; i < n; i++)
		field(o, want[i]);
}

#define KEYS(o, ...)                                             \
	do {                                                     \
		static const char *const k_[] = { __VA_ARGS__ }; \
		keys_exactly(o, k_, sizeof(k_) / sizeof(k_[0])); \
	} while (0)

/* Report lines say whether they are the final summary; the others
 * ("point", "event") are no report's. */
static void check_types(void)
{
	static const char *const report_types[] = {
		"hop",	 "path",       "counters", "pipeline",
		"clock", "probe_cost", "fit_run",  "fit",
	};
	unsigned int i, k;

	for (i = 0; i < n_lines; i++) {
		json_object *o = lines[i];
		bool report_line = false;

		for (k = 0; k < sizeof(report_types) / sizeof(report_types[0]);
		     k++)
			report_line |= is(o, report_types[k]);
		if (report_line)
			flag(o, "final");
		else
			cr_assert(is(o, "point") || is(o, "event"),
				  "unknown type in %s", line_text(o));
	}
}

/* ---- a hand-made report: four names, five trajectories ---- */

#define FLOW_F 0xF0F0

static const char *const chain4[] = { "snd", "vnf1", "vnf2", "rcv" };

/* A trajectory over points first.. from time t0 with hop delays d[] (n
 * points: n - 1 delays; a delay may be below 0), dups[] per sighting. */
static void fold(unsigned int n, uint16_t first, uint64_t t0, const int64_t *d,
		 const uint8_t *dups)
{
	struct hs_trajectory tr = {};
	unsigned int i;

	tr.fingerprint = t0 ^ ((uint64_t)FLOW_F << 32);
	tr.flow_hash = FLOW_F;
	tr.first_ts = t0;
	tr.n = (uint8_t)n;
	for (i = 0; i < n; i++) {
		tr.s[i].point = (uint16_t)(first + i);
		tr.s[i].ts_ns = i ? tr.s[i - 1].ts_ns + (uint64_t)d[i - 1] : t0;
		tr.s[i].dups = dups ? dups[i] : 0;
	}
	hs_hops_fold(&tr, &h);
}

/*
 * snd -> vnf1 -> vnf2 -> rcv, points 0..5, plus point 6: rcv:eth0 XDP,
 * skipped (tc ingress measures there already). Five packets 100 us
 * apart; hop delays in ns:
 *
 *        0->1   1->2   2->3    3->4   4->5
 *   T1   5000  20000   5000  100000   5000
 *   T2   6000  22000   5000  300000   6000   copied on 1->2 (dups 1 from
 *                                            point 2 on)
 *   T3   5000  21000   7000  150000   5000
 *   T4   7000  25000   5000  400000   8000
 *   T5   5000  20000   5000    lost in vnf2
 *   T6   5500  23000   6000    lost in vnf2
 *
 * T3 reaches point 4 before T2, which left point 3 earlier: T2 is
 * reordered on 3->4. Lost (2), reordered (1) and duplicates (0 there, 1
 * on 1->2) differ: a field that shows another's number fails.
 */
static void hand_made(void)
{
	static const int64_t d[6][5] = {
		{ 5000, 20000, 5000, 100000, 5000 },
		{ 6000, 22000, 5000, 300000, 6000 },
		{ 5000, 21000, 7000, 150000, 5000 },
		{ 7000, 25000, 5000, 400000, 8000 },
		{ 5000, 20000, 5000 },
		{ 5500, 23000, 6000 },
	};
	static const uint8_t copied[6] = { 0, 0, 1, 1, 1, 1 };
	unsigned int i;

	test_chain(&pts, chain4, 4);
	pts.p[6] = pts.p[5];
	pts.p[6].id = 6;
	pts.p[6].hook = HS_HOOK_XDP;
	pts.p[6].skipped = true;
	pts.n = 7;
	cr_assert_eq(hs_hops_init(&h, 10000), 0);
	h_up = true;
	for (i = 0; i < 6; i++)
		fold(i < 4 ? 6 : 4, 0, 1000000 + i * 100000, d[i],
		     i == 1 ? copied : NULL);
	hs_hops_settle(&h, true);
	report = (struct hs_report){ .points = &pts,
				     .counters = counters,
				     .hops = &h,
				     .match = &match,
				     .session = &sess,
				     .final = true,
				     .elapsed_s = 1.5,
				     .interval_s = 1.5 };
}

static void write_report(void)
{
	cr_assert_eq(hs_json_report(open_text(), &report), 0);
	parse_text();
	check_types();
}

/* A percentile from the histogram: within its error of the true one. */
static void assert_near(json_object *o, const char *key, double want)
{
	double v = real(o, key);

	cr_assert(fabs(v - want) <= want * HS_HIST_MAX_REL_ERROR,
		  "%s = %.0f, want %.0f", key, v, want);
}

Test(json, hop_lines_carry_what_was_folded)
{
	json_object *o, *d;

	hand_made();
	write_report();
	/* five hops, each once; nothing else folded a hop */
	cr_assert_eq(count("hop"), 5);

	o = hop_line(true, 3, 4);
	cr_assert_str_eq(str(o, "kind"), "function");
	cr_assert_str_eq(str(o, "via"), "VNF vnf2");
	cr_assert_eq(num(o, "packets"), 4);
	d = field(o, "delay_ns");
	cr_assert_eq(num(d, "min"), 100000);
	cr_assert_eq(num(d, "max"), 400000);
	/* 100000 150000 300000 400000: nearest rank */
	assert_near(d, "p50", 150000);
	cr_assert_eq(num(d, "mean"), 237500);
	cr_assert_eq(num(o, "lost"), 2);
	cr_assert_eq(num(o, "reordered"), 1);
	cr_assert_float_eq(real(o, "reordered_ratio"), 0.25, 1e-9);
	cr_assert_eq(num(field(o, "reorder_extent"), "max"), 1);
	cr_assert_eq(num(o, "duplicates"), 0);

	o = hop_line(true, 1, 2);
	cr_assert_str_eq(str(o, "kind"), "function");
	cr_assert_str_eq(str(o, "via"), "VNF vnf1");
	/* T5 and T6 too: 20000 22000 21000 25000 20000 23000; T2's copy
	 * made here */
	cr_assert_eq(num(o, "packets"), 6);
	d = field(o, "delay_ns");
	cr_assert_eq(num(d, "min"), 20000);
	cr_assert_eq(num(d, "max"), 25000);
	assert_near(d, "p50", 21000);
	cr_assert_eq(num(o, "duplicates"), 1);
	cr_assert_eq(num(o, "lost"), 0);
	cr_assert_eq(num(o, "reordered"), 0);

	o = hop_line(true, 0, 1);
	cr_assert_str_eq(str(o, "kind"), "wire");
	cr_assert_str_eq(str(o, "via"), "veth");
	cr_assert_eq(num(o, "packets"), 6);
	cr_assert_eq(num(field(o, "delay_ns"), "min"), 5000);
	cr_assert_eq(num(field(o, "delay_ns"), "max"), 7000);
	/* the copy is counted where it was made, not again further on */
	cr_assert_eq(num(hop_line(true, 2, 3), "duplicates"), 0);
	cr_assert_eq(num(hop_line(true, 4, 5), "packets"), 4);
	/* one host: no clock, and no uncertainty on any delay */
	cr_assert_eq(count("clock"), 0);
	cr_assert_not(has(o, "delay_uncertainty_ns"));
}

Test(json, every_hop_line_has_its_fields)
{
	unsigned int i;

	hand_made();
	write_report();
	for (i = 0; i < n_lines; i++) {
		json_object *o = lines[i];

		if (!is(o, "hop"))
			continue;
		KEYS(o, "type", "final", "from", "to", "kind", "via", "packets",
		     "delay_ns", "jitter_ns", "lateness_ns", "lost",
		     "reordered", "reordered_ratio", "reorder_extent",
		     "reorder_late_ns", "duplicates");
		KEYS(field(o, "delay_ns"), "min", "max", "mean", "stdev", "p50",
		     "p90", "p99", "p999");
		KEYS(field(o, "jitter_ns"), "last", "mean", "max", "min",
		     "stdev", "ipdv_p50", "ipdv_p99");
		KEYS(field(o, "lateness_ns"), "max", "mean", "stdev");
		KEYS(field(o, "reorder_extent"), "max", "mean", "beyond");
		KEYS(field(o, "reorder_late_ns"), "max", "mean");
		cr_assert(flag(o, "final"));
	}
}

Test(json, an_interval_carries_its_own_numbers)
{
	static const int64_t d[5] = { 5000, 20000, 5000, 50000, 5000 };
	json_object *o;

	hand_made();
	hs_hops_new_interval(&h);
	fold(6, 0, 2000000, d, NULL);
	hs_hops_settle(&h, true);
	cost[0] =
		(struct hs_probe_cost){ .run_time_ns = 13000, .run_cnt = 100 };
	report.cost = cost;
	report.final = false;
	write_report();
	o = hop_line(false, 3, 4);
	cr_assert_eq(num(o, "packets"), 1);
	cr_assert_eq(num(field(o, "delay_ns"), "min"), 50000);
	cr_assert_eq(num(o, "lost"), 0);
	cr_assert_eq(num(o, "reordered"), 0);
	cr_assert_eq(count("counters"), 6);
	cr_assert_not(flag(nth("pipeline", 0), "final"));
	/* not final: the probes' cost is for the summary only */
	cr_assert_eq(count("probe_cost"), 0);

	report.final = true;
	write_report();
	cr_assert_eq(count("probe_cost"), 1);
	o = hop_line(true, 3, 4);
	cr_assert_eq(num(o, "packets"), 5);
	cr_assert_eq(num(field(o, "delay_ns"), "min"), 50000);
	cr_assert_eq(num(o, "lost"), 2);
}

Test(json, negative_delays_only_where_there_are_some)
{
	/* T7 reaches rcv 3 us before it left vnf2 (two hosts' clocks) */
	static const int64_t neg[5] = { 5000, 20000, 5000, 100000, -3000 };
	unsigned int i;

	hand_made();
	write_report();
	for (i = 0; i < n_lines; i++)
		cr_assert_not(has(lines[i], "negative_delays") ||
				      has(lines[i], "negative_min_ns"),
			      "no delay was negative: %s", line_text(lines[i]));

	fold(6, 0, 3000000, neg, NULL);
	hs_hops_settle(&h, true);
	write_report();
	for (i = 0; i < n_lines; i++) {
		json_object *o = lines[i];
		bool there = is(o, "hop") && num(o, "from") == 4;

		if (!is(o, "hop") && !is(o, "path"))
			continue;
		cr_assert_eq(has(o, "negative_delays"), there, "%s",
			     line_text(o));
		cr_assert_eq(has(o, "negative_min_ns"), there, "%s",
			     line_text(o));
		if (!there)
			continue;
		cr_assert_eq(num(o, "negative_delays"), 1);
		cr_assert_eq(num(o, "negative_min_ns"), -3000);
		/* folded as 0, and counted among the packets */
		cr_assert_eq(num(o, "packets"), 5);
		cr_assert_eq(num(field(o, "delay_ns"), "min"), 0);
	}
}

Test(json, a_path_breaks_down_into_shares_that_add_up)
{
	double mean = 0, p99 = 0, jitter = 0, best = -1;
	json_object *o, *b, *worst = NULL;
	char want[256];
	size_t i;

	hand_made();
	write_report();
	/* T1..T4's path; T5's prefix path carried nothing of its own */
	cr_assert_eq(count("path"), 1);
	o = nth("path", 0);
	cr_assert_str_eq(str(o, "chain"),
			 "snd -veth-> vnf1 -veth-> vnf2 -veth-> rcv");
	b = field(o, "points");
	cr_assert_eq(json_object_array_length(b), 6);
	for (i = 0; i < 6; i++)
		cr_assert_eq(
			json_object_get_int(json_object_array_get_idx(b, i)),
			(int)i);
	cr_assert_eq(num(o, "packets"), 4);
	cr_assert_eq(num(o, "lost"), 2);
	/* (135000 + 339000 + 188000 + 445000) / 4 */
	cr_assert_eq(num(field(o, "delay_ns"), "mean"), 276750);

	b = field(o, "breakdown");
	cr_assert(json_object_is_type(b, json_type_array));
	cr_assert_eq(json_object_array_length(b), 5);
	for (i = 0; i < 5; i++) {
		json_object *e = json_object_array_get_idx(b, i);

		KEYS(e, "from", "to", "kind", "via", "packets", "mean_ns",
		     "p99_ns", "jitter_ns", "mean_share", "p99_share",
		     "jitter_share", "lost");
		/* hop i of the path, in order, named as the hop lines are */
		cr_assert_eq(num(e, "from"), (int64_t)i);
		cr_assert_eq(num(e, "to"), (int64_t)i + 1);
		cr_assert_str_eq(str(e, "kind"),
				 str(hop_line(true, (int64_t)i, (int64_t)i + 1),
				     "kind"));
		cr_assert_str_eq(str(e, "via"),
				 str(hop_line(true, (int64_t)i, (int64_t)i + 1),
				     "via"));
		mean += real(e, "mean_share");
		p99 += real(e, "p99_share");
		jitter += real(e, "jitter_share");
		if (real(e, "p99_share") > best) {
			best = real(e, "p99_share");
			worst = e;
		}
	}
	/* five shares of 4 decimals each: within 5 * 0.00005 of 1 */
	cr_assert_float_eq(mean, 1.0, 2.5e-4);
	cr_assert_float_eq(p99, 1.0, 2.5e-4);
	cr_assert_float_eq(jitter, 1.0, 2.5e-4);
	/* segment means (the first three with T5 and T6) 33500 / 6,
	 * 131000 / 6, 33000 / 6, 237500, 6000: vnf2's share of their sum */
	cr_assert_float_eq(real(json_object_array_get_idx(b, 3), "mean_share"),
			   237500.0 / (197500.0 / 6 + 237500 + 6000), 1e-4);
	cr_assert_eq(num(json_object_array_get_idx(b, 3), "lost"), 2);

	/* the verdict names the hop with the largest share, with its shares */
	cr_assert_eq(num(worst, "from"), 3);
	snprintf(
		want, sizeof(want),
		"VNF vnf2 adds %d%% of p99 delay and %d%% of jitter on snd -> rcv; "
		"VNF vnf2 loses 2 packets",
		(int)(real(worst, "p99_share") * 100 + 0.5),
		(int)(real(worst, "jitter_share") * 100 + 0.5));
	cr_assert_str_eq(str(o, "verdict"), want);
}

Test(json, a_one_hop_path_has_no_breakdown)
{
	static const int64_t d[1] = { 5000 };
	unsigned int i;

	hand_made();
	/* another flow, only snd -> vnf1 */
	for (i = 0; i < 3; i++) {
		struct hs_trajectory tr = { .fingerprint = 77 + i,
					    .flow_hash = 0x0606,
					    .first_ts = 4000000 + i * 1000,
					    .n = 2 };

		tr.s[0] = (struct hs_sighting){ .ts_ns = tr.first_ts };
		tr.s[1] = (struct hs_sighting){
			.ts_ns = tr.first_ts + (uint64_t)d[0], .point = 1
		};
		hs_hops_fold(&tr, &h);
	}
	hs_hops_settle(&h, true);
	write_report();
	cr_assert_eq(count("path"), 2);
	for (i = 0; i < 2; i++) {
		json_object *o = nth("path", i);
		bool one_hop = json_object_array_length(field(o, "points")) ==
			       2;

		cr_assert_eq(has(o, "breakdown"), !one_hop, "%s", line_text(o));
		cr_assert_eq(has(o, "verdict"), !one_hop, "%s", line_text(o));
		if (one_hop)
			cr_assert_eq(num(o, "packets"), 3);
	}
}

Test(json, counters_leave_out_skipped_points)
{
	bool seen[7] = {};
	unsigned int i;

	hand_made();
	for (i = 0; i < 7; i++) {
		/* every field its own value: a swap shows */
		counters[i] = (struct hs_counters){ .seen = 1000 + i,
						    .parse_errors = 1100 + i,
						    .filtered = 1200 + i,
						    .sampled_out = 1300 + i,
						    .sampled = 1400 + i,
						    .recorded = 1500 + i,
						    .ringbuf_drops = 1600 + i };
		match.point_duplicates[i] = 1700 + i;
	}
	write_report();
	cr_assert_eq(count("counters"), 6);
	for (i = 0; i < n_lines; i++) {
		json_object *o = lines[i];
		int64_t p;

		if (!is(o, "counters"))
			continue;
		KEYS(o, "type", "final", "point", "seen", "filtered",
		     "sampled_out", "sampled", "recorded", "ringbuf_drops",
		     "parse_errors", "duplicates");
		p = num(o, "point");
		cr_assert(p >= 0 && p < 6, "point %lld is skipped or none",
			  (long long)p);
		cr_assert_not(seen[p], "point %lld twice", (long long)p);
		seen[p] = true;
		cr_assert_eq(num(o, "seen"), 1000 + p);
		cr_assert_eq(num(o, "parse_errors"), 1100 + p);
		cr_assert_eq(num(o, "filtered"), 1200 + p);
		cr_assert_eq(num(o, "sampled_out"), 1300 + p);
		cr_assert_eq(num(o, "sampled"), 1400 + p);
		cr_assert_eq(num(o, "recorded"), 1500 + p);
		cr_assert_eq(num(o, "ringbuf_drops"), 1600 + p);
		cr_assert_eq(num(o, "duplicates"), 1700 + p);
	}
}

Test(json, the_pipeline_line_names_each_counter)
{
	json_object *o;

	hand_made();
	match = (struct hs_match_counters){ .records = 101,
					    .trajectories = 102,
					    .singletons = 103,
					    .evicted = 104,
					    .duplicates = 105,
					    .overflow = 106,
					    .warmup = 107,
					    .at_end = 108,
					    .nat_joined = 118,
					    .nat_ambiguous = 119,
					    .nat_contradicted = 120 };
	h.unverified = 109;
	h.hops_overflow = 110;
	h.paths_overflow = 111;
	h.segments_overflow = 112;
	h.flows_replaced = 113;
	sess = (struct hs_session_counters){ .left_out_warmup = 114,
					     .left_out_cooldown = 115,
					     .cooldown_overflow = 116,
					     .bad_records = 117 };
	write_report();
	cr_assert_eq(count("pipeline"), 1);
	o = nth("pipeline", 0);
	KEYS(o, "type", "final", "records", "trajectories", "unmatched",
	     "evicted", "duplicates", "overflow", "warmup", "at_end",
	     "unverified", "hops_overflow", "paths_overflow",
	     "segments_overflow", "flows_replaced", "left_out_warmup",
	     "left_out_cooldown", "cooldown_overflow", "bad_records",
	     "nat_joined", "nat_ambiguous", "nat_contradicted");
	cr_assert(flag(o, "final"));
	cr_assert_eq(num(o, "nat_joined"), 118);
	cr_assert_eq(num(o, "nat_ambiguous"), 119);
	cr_assert_eq(num(o, "nat_contradicted"), 120);
	cr_assert_eq(num(o, "records"), 101);
	cr_assert_eq(num(o, "trajectories"), 102);
	cr_assert_eq(num(o, "unmatched"), 103);
	cr_assert_eq(num(o, "evicted"), 104);
	cr_assert_eq(num(o, "duplicates"), 105);
	cr_assert_eq(num(o, "overflow"), 106);
	cr_assert_eq(num(o, "warmup"), 107);
	cr_assert_eq(num(o, "at_end"), 108);
	cr_assert_eq(num(o, "unverified"), 109);
	cr_assert_eq(num(o, "hops_overflow"), 110);
	cr_assert_eq(num(o, "paths_overflow"), 111);
	cr_assert_eq(num(o, "segments_overflow"), 112);
	cr_assert_eq(num(o, "flows_replaced"), 113);
	cr_assert_eq(num(o, "left_out_warmup"), 114);
	cr_assert_eq(num(o, "left_out_cooldown"), 115);
	cr_assert_eq(num(o, "cooldown_overflow"), 116);
	cr_assert_eq(num(o, "bad_records"), 117);
}

Test(json, probe_cost_per_hook_in_the_summary)
{
	json_object *o;
	unsigned int i;

	hand_made();
	/* tc-egress: points 0, 2, 4; tc-ingress: 1, 3, 5 (5 never timed);
	 * the skipped XDP point never ran */
	for (i = 0; i < 5; i++)
		cost[i] = (struct hs_probe_cost){
			.run_time_ns = 130000 + i * 1000, .run_cnt = 1000
		};
	report.cost = cost;
	write_report();
	cr_assert_eq(count("probe_cost"), 2);
	for (i = 0; i < 2; i++) {
		o = nth("probe_cost", i);
		KEYS(o, "type", "final", "hook", "points", "packets",
		     "run_time_ns", "ns_per_packet");
		cr_assert(flag(o, "final"));
		if (!strcmp(str(o, "hook"), "tc-egress")) {
			cr_assert_eq(num(o, "points"), 3);
			cr_assert_eq(num(o, "packets"), 3000);
			cr_assert_eq(num(o, "run_time_ns"), 396000);
			cr_assert_eq(num(o, "ns_per_packet"), 132);
		} else {
			cr_assert_str_eq(str(o, "hook"), "tc-ingress");
			cr_assert_eq(num(o, "points"), 2);
			cr_assert_eq(num(o, "packets"), 2000);
			/* 131000 + 133000 over 2000: 132 */
			cr_assert_eq(num(o, "run_time_ns"), 264000);
			cr_assert_eq(num(o, "ns_per_packet"), 132);
		}
	}
	/* rounded to the nearest ns: 1001 ns over 2 runs */
	memset(cost, 0, sizeof(cost));
	cost[1] = (struct hs_probe_cost){ .run_time_ns = 1001, .run_cnt = 2 };
	write_report();
	cr_assert_eq(count("probe_cost"), 1);
	cr_assert_eq(num(nth("probe_cost", 0), "ns_per_packet"), 501);
	/* nothing timed: no line */
	report.cost = NULL;
	write_report();
	cr_assert_eq(count("probe_cost"), 0);
}

Test(json, point_lines_name_their_interface)
{
	json_object *o;
	unsigned int i;

	hand_made();
	for (i = 0; i < 7; i++)
		pts.p[i].prog_id = 500 + i;
	snprintf(pts.p[6].xdp_mode, sizeof(pts.p[6].xdp_mode), "generic");
	pts.p[6].skipped = false;
	pts.p[3].skipped = true;
	cr_assert_eq(hs_json_points(open_text(), &pts), 0);
	parse_text();
	check_types();
	cr_assert_eq(count("point"), 6);
	cr_assert_eq(n_lines, 6);
	for (i = 0; i < n_lines; i++) {
		int64_t id;

		o = lines[i];
		id = num(o, "id");
		cr_assert_neq(id, 3, "a skipped point has a line");
		if (id == 6)
			KEYS(o, "type", "id", "netns", "ifname", "ifindex",
			     "kind", "hook", "xdp_mode", "prog_id");
		else
			KEYS(o, "type", "id", "netns", "ifname", "ifindex",
			     "kind", "hook", "prog_id");
		cr_assert_str_eq(str(o, "netns"), pts.p[id].netns);
		cr_assert_str_eq(str(o, "ifname"), pts.p[id].link.ifname);
		cr_assert_eq(num(o, "ifindex"), pts.p[id].link.ifindex);
		cr_assert_str_eq(str(o, "kind"), "veth");
		cr_assert_eq(num(o, "prog_id"), 500 + id);
	}
	o = nth("point", 0);
	cr_assert_str_eq(str(o, "netns"), "snd");
	cr_assert_str_eq(str(o, "ifname"), "eth0");
	cr_assert_str_eq(str(o, "hook"), "tc-egress");
	o = nth("point", 1);
	cr_assert_str_eq(str(o, "netns"), "vnf1");
	cr_assert_str_eq(str(o, "hook"), "tc-ingress");
	o = nth("point", 5);
	cr_assert_eq(num(o, "id"), 6);
	cr_assert_str_eq(str(o, "hook"), "xdp");
	cr_assert_str_eq(str(o, "xdp_mode"), "generic");

	/* two hosts: each point says whose it is */
	pts.n_hosts = 2;
	snprintf(pts.host[0], sizeof(pts.host[0]), "alpha");
	snprintf(pts.host[1], sizeof(pts.host[1]), "beta");
	for (i = 4; i < 7; i++)
		pts.p[i].host = 1;
	cr_assert_eq(hs_json_points(open_text(), &pts), 0);
	parse_text();
	for (i = 0; i < n_lines; i++)
		cr_assert_str_eq(str(lines[i], "host"),
				 num(lines[i], "id") >= 4 ? "beta" : "alpha");
}

Test(json, event_line)
{
	json_object *o;

	cr_assert_eq(hs_json_event(open_text(), 4, "gone"), 0);
	parse_text();
	check_types();
	cr_assert_eq(n_lines, 1);
	o = lines[0];
	KEYS(o, "type", "point", "event");
	cr_assert_str_eq(str(o, "type"), "event");
	cr_assert_eq(num(o, "point"), 4);
	cr_assert_str_eq(str(o, "event"), "gone");
}

Test(json, clock_line_and_the_uncertainty_of_network_hops)
{
	static const struct {
		enum hs_join_method m;
		const char *name;
		int64_t unc;
	} methods[] = {
		{ HS_JOIN_TAI, "tai", -1 },
		{ HS_JOIN_MIN_DELAY, "min-delay", 41700 },
		{ HS_JOIN_REALTIME, "realtime", -1 },
	};
	struct hs_join_clock jc;
	struct hs_join_clocks clocks;
	unsigned int k, i;

	hand_made();
	/* vnf2 and rcv on a second host: 2 -> 3 crosses the network */
	pts.n_hosts = 2;
	snprintf(pts.host[0], sizeof(pts.host[0]), "alpha");
	snprintf(pts.host[1], sizeof(pts.host[1]), "beta");
	for (i = 3; i < 7; i++)
		pts.p[i].host = 1;
	report.join = &clocks;
	for (k = 0; k < 3; k++) {
		json_object *o;

		jc = (struct hs_join_clock){ .method = methods[k].m,
					     .offset_ns = -3700123,
					     .uncertainty_ns = methods[k].unc,
					     .packets_ab = 17 + k,
					     .packets_ba = 0 };
		hs_join_clocks_two(&clocks, &jc);
		write_report();
		/* once per report, before its hops */
		cr_assert_eq(count("clock"), 1);
		o = lines[0];
		cr_assert_str_eq(str(o, "type"), "clock");
		KEYS(o, "type", "final", "method", "host_a", "host_b",
		     "offset_ns", "uncertainty_ns", "packets_ab", "packets_ba");
		cr_assert_str_eq(str(o, "method"), methods[k].name);
		cr_assert_str_eq(str(o, "host_a"), "alpha");
		cr_assert_str_eq(str(o, "host_b"), "beta");
		cr_assert_eq(num(o, "offset_ns"), -3700123);
		cr_assert_eq(num(o, "uncertainty_ns"), methods[k].unc);
		cr_assert_eq(num(o, "packets_ab"), 17 + k);
		cr_assert_eq(num(o, "packets_ba"), 0);
		for (i = 0; i < n_lines; i++) {
			bool net;

			o = lines[i];
			if (!is(o, "hop"))
				continue;
			/* from an egress (even id): a wire, or the network
			 * between the hosts; from an ingress: a function */
			net = num(o, "from") == 2;
			cr_assert_str_eq(str(o, "kind"),
					 net		    ? "network" :
					 num(o, "from") % 2 ? "function" :
							      "wire",
					 "%s", line_text(o));
			cr_assert_eq(has(o, "delay_uncertainty_ns"), net, "%s",
				     line_text(o));
			if (net) {
				cr_assert_str_eq(str(o, "via"),
						 "alpha -> beta");
				cr_assert_eq(num(o, "delay_uncertainty_ns"),
					     methods[k].unc);
			}
		}
	}
}

/* The fitted metrics' JSON names, by enum hs_fit_metric. */
static const char *const fit_keys[HS_FIT_METRICS] = {
	"delay_mean_ns",  "delay_p50_ns",     "delay_p99_ns",
	"jitter_mean_ns", "lateness_mean_ns",
};

Test(json, fit_lines)
{
	static const struct hs_fit_run runs[2] = {
		{ "one.hsr",
		  1,
		  1000,
		  { 200000.4, 199000.5, 250000, 1000, 2000 } },
		{ "two.hsr", 2, 999, { 400000, 399000, 450000, 1500, 2500 } },
	};
	struct hs_fit fits[HS_FIT_METRICS];
	double x[2] = { 1, 2 }, y[2];
	unsigned int i, m;

	for (m = 0; m < HS_FIT_METRICS; m++) {
		for (i = 0; i < 2; i++)
			y[i] = runs[i].value[m];
		cr_assert_eq(hs_fit_line(x, y, 2, &fits[m]), 0);
	}
	cr_assert_eq(hs_json_fit(open_text(), runs, 2, fits), 0);
	parse_text();
	check_types();
	cr_assert_eq(count("fit_run"), 2);
	cr_assert_eq(count("fit"), HS_FIT_METRICS);
	for (i = 0; i < 2; i++) {
		json_object *o = nth("fit_run", i);

		KEYS(o, "type", "final", "file", "functions", "packets",
		     "delay_mean_ns", "delay_p50_ns", "delay_p99_ns",
		     "jitter_mean_ns", "lateness_mean_ns");
		cr_assert(flag(o, "final"));
		cr_assert_str_eq(str(o, "file"), runs[i].file);
		cr_assert_eq(num(o, "functions"), runs[i].functions);
		cr_assert_eq(num(o, "packets"), runs[i].packets);
		for (m = 0; m < HS_FIT_METRICS; m++)
			/* whole nanoseconds */
			cr_assert_eq(num(o, fit_keys[m]),
				     (int64_t)(runs[i].value[m] + 0.5), "%s",
				     fit_keys[m]);
	}
	for (m = 0; m < HS_FIT_METRICS; m++) {
		json_object *o = nth("fit", m);
		const char *key = fit_keys[m];

		KEYS(o, "type", "final", "metric", "runs", "slope_ns",
		     "intercept_ns", "r2");
		cr_assert(flag(o, "final"));
		cr_assert_str_eq(str(o, "metric"), key);
		cr_assert_eq(num(o, "runs"), 2);
		cr_assert_float_eq(real(o, "slope_ns"), fits[m].slope, 5e-5);
		cr_assert_float_eq(real(o, "intercept_ns"), fits[m].intercept,
				   5e-5);
		cr_assert_float_eq(real(o, "r2"), 1.0, 5e-5);
	}
	/* two points: the slope is their difference */
	cr_assert_float_eq(real(nth("fit", HS_FIT_DELAY_MEAN), "slope_ns"),
			   199999.6, 5e-5);
}

/* ---- failed writes ---- */

/* Every writer on a stream of its own from open_f, each expected to say
 * -1 (a stream that failed once might fail the next writer for it). The
 * streams are buffered, as the outputs' files are: the failure may only
 * show when a line is flushed. */
static void expect_all_fail(FILE *(*open_f)(void), const char *what)
{
	struct hs_fit fits[HS_FIT_METRICS] = {};
	struct hs_fit_run run = { "x.hsr", 1, 1, {} };
	FILE *f;

	f = open_f();
	cr_expect_eq(hs_json_points(f, &pts), -1, "points to %s", what);
	fclose(f);
	f = open_f();
	cr_expect_eq(hs_json_event(f, 1, "down"), -1, "event to %s", what);
	fclose(f);
	f = open_f();
	cr_expect_eq(hs_json_report(f, &report), -1, "report to %s", what);
	fclose(f);
	f = open_f();
	cr_expect_eq(hs_json_fit(f, &run, 1, fits), -1, "fit to %s", what);
	fclose(f);
}

static FILE *full_disk(void)
{
	FILE *f = fopen("/dev/full", "w");

	cr_assert_not_null(f);
	return f;
}

Test(json, a_full_disk_fails_every_write)
{
	if (access("/dev/full", W_OK))
		cr_skip_test("no /dev/full");
	hand_made();
	expect_all_fail(full_disk, "/dev/full");
}

/* A pipe whose reader is gone. */
static FILE *closed_pipe(void)
{
	int fds[2];
	FILE *f;

	cr_assert_eq(pipe(fds), 0);
	close(fds[0]);
	f = fdopen(fds[1], "w");
	cr_assert_not_null(f);
	return f;
}

Test(json, a_reader_gone_fails_every_write)
{
	struct sigaction ign = { .sa_handler = SIG_IGN };

	/* each test runs in a process of its own: SIGPIPE ignored here only */
	cr_assert_eq(sigaction(SIGPIPE, &ign, NULL), 0);
	hand_made();
	expect_all_fail(closed_pipe, "a closed pipe");
}

static FILE *read_only(void)
{
	FILE *f = fopen("/dev/null", "r");

	cr_assert_not_null(f);
	return f;
}

Test(json, a_stream_not_open_for_writing_fails)
{
	hand_made();
	expect_all_fail(read_only, "a read-only stream");
}

/* ---- the scenario: the lines agree with the session ---- */

static void scenario_json(bool joined)
{
	struct hs_output out = {};
	struct hs_run_info info;
	struct hs_sink sink;

	scenario_points(&pts, joined);
	scenario_info(&info);
	cr_assert_eq(hs_session_init(&s, &info.cfg, &pts), 0);
	s_up = true;
	if (joined) {
		static struct hs_join_clock clock;
		static struct hs_join_clocks clocks;

		scenario_clock(&clock);
		hs_join_clocks_two(&clocks, &clock);
		hs_session_set_join(&s, &clocks);
	}
	out.json = open_text();
	hs_output_sink(&out, &sink);
	cr_assert_eq(hs_session_add_sink(&s, &sink), 0);
	scenario_feed(&s, joined);
	cr_assert_not(out.failed);
	parse_text();
	check_types();
}

/* The last line of a type. */
static json_object *last(const char *type)
{
	unsigned int i = n_lines;

	while (i--)
		if (is(lines[i], type))
			return lines[i];
	cr_assert_fail("no %s line", type);
	return NULL;
}

Test(json, scenario_pipeline_and_counters_are_the_sessions)
{
	const struct hs_match_counters *m = &s.matcher.counters;
	json_object *o;
	unsigned int i, n_counters = 0;

	scenario_json(false);
	/* two interval reports and the summary */
	cr_assert_eq(count("pipeline"), 3);
	o = last("pipeline");
	cr_assert(flag(o, "final"));
	cr_assert_not(flag(nth("pipeline", 0), "final"));
	/* the scenario makes these happen: the comparison is not 0 == 0 */
	cr_assert_gt(m->records, 0);
	cr_assert_gt(m->duplicates, 0);
	cr_assert_gt(s.counters.left_out_warmup, 0);
	cr_assert_gt(s.counters.bad_records, 0);
	cr_assert_eq(num(o, "records"), m->records);
	cr_assert_eq(num(o, "trajectories"), m->trajectories);
	cr_assert_eq(num(o, "unmatched"), m->singletons);
	cr_assert_eq(num(o, "evicted"), m->evicted);
	cr_assert_eq(num(o, "duplicates"), m->duplicates);
	cr_assert_eq(num(o, "overflow"), m->overflow);
	cr_assert_eq(num(o, "warmup"), m->warmup);
	cr_assert_eq(num(o, "at_end"), m->at_end);
	cr_assert_eq(num(o, "unverified"), s.hops.unverified);
	cr_assert_eq(num(o, "hops_overflow"), s.hops.hops_overflow);
	cr_assert_eq(num(o, "paths_overflow"), s.hops.paths_overflow);
	cr_assert_eq(num(o, "segments_overflow"), s.hops.segments_overflow);
	cr_assert_eq(num(o, "flows_replaced"), s.hops.flows_replaced);
	cr_assert_eq(num(o, "left_out_warmup"), s.counters.left_out_warmup);
	cr_assert_eq(num(o, "left_out_cooldown"), s.counters.left_out_cooldown);
	cr_assert_eq(num(o, "cooldown_overflow"), s.counters.cooldown_overflow);
	cr_assert_eq(num(o, "bad_records"), s.counters.bad_records);

	/* the summary's counters: those the last report was given, the
	 * skipped point 7 left out */
	for (i = 0; i < n_lines; i++) {
		int64_t p;

		o = lines[i];
		if (!is(o, "counters") || !flag(o, "final"))
			continue;
		n_counters++;
		p = num(o, "point");
		cr_assert(p >= 0 && p < 7, "point %lld", (long long)p);
		cr_assert_eq(num(o, "seen"), s.point_counters[p].seen);
		cr_assert_eq(num(o, "recorded"), s.point_counters[p].recorded);
		cr_assert_eq(num(o, "ringbuf_drops"),
			     s.point_counters[p].ringbuf_drops);
		cr_assert_eq(num(o, "parse_errors"),
			     s.point_counters[p].parse_errors);
		cr_assert_eq(num(o, "duplicates"), m->point_duplicates[p]);
	}
	cr_assert_eq(n_counters, 7);
	/* the skipped point has no "point" line either */
	cr_assert_eq(count("point"), 7);
	/* the interface events, in order */
	cr_assert_eq(count("event"), 2);
	cr_assert_str_eq(str(nth("event", 0), "event"), "down");
	cr_assert_str_eq(str(nth("event", 1), "event"), "up");
	cr_assert_eq(num(nth("event", 0), "point"), 4);
	/* one host: no clock */
	cr_assert_eq(count("clock"), 0);
	/* the probes' cost, in the summary only: XDP and the two tc hooks */
	cr_assert_eq(count("probe_cost"), 3);
}

Test(json, scenario_hops_are_the_sessions)
{
	unsigned int i, n = 0;

	scenario_json(true);
	for (i = 0; i < n_lines; i++) {
		json_object *o = lines[i];
		const struct hs_acc *a;
		struct hs_hop *hop;

		if (!is(o, "hop") || !flag(o, "final"))
			continue;
		hop = hs_hops_find(&s.hops, (uint16_t)num(o, "from"),
				   (uint16_t)num(o, "to"));
		cr_assert_not_null(hop, "%s", line_text(o));
		a = hs_leg_acc(&hop->leg, true);
		n++;
		cr_assert_eq(num(o, "packets"), a->delay.n, "%s", line_text(o));
		cr_assert_eq(num(o, "lost"), a->lost);
		cr_assert_eq(num(o, "reordered"), a->reordered);
		cr_assert_eq(num(o, "duplicates"), a->duplicates);
		cr_assert_eq(num(field(o, "delay_ns"), "min"), a->delay.min);
		cr_assert_eq(num(field(o, "delay_ns"), "max"), a->delay.max);
		cr_assert_eq(has(o, "negative_delays"), a->negative > 0);
		if (a->negative) {
			cr_assert_eq(num(o, "negative_delays"), a->negative);
			cr_assert_eq(num(o, "negative_min_ns"),
				     a->negative_min);
		}
		/* between the hosts: the clock's uncertainty */
		cr_assert_eq(has(o, "delay_uncertainty_ns"),
			     pts.p[hop->from].host != pts.p[hop->to].host, "%s",
			     line_text(o));
	}
	cr_assert_eq(n, s.hops.n_hops);
	/* every report states the clocks once, as the session has them */
	cr_assert_eq(count("clock"), 3);
	for (i = 0; i < 3; i++) {
		json_object *o = nth("clock", i);

		cr_assert_str_eq(str(o, "method"), "min-delay");
		cr_assert_eq(num(o, "offset_ns"), s.join->host[1].offset_ns);
		cr_assert_eq(num(o, "uncertainty_ns"),
			     s.join->host[1].uncertainty_ns);
		cr_assert_eq(num(o, "packets_ab"), s.join->host[1].packets_ab);
		cr_assert_eq(num(o, "packets_ba"), s.join->host[1].packets_ba);
		cr_assert_str_eq(str(o, "host_a"), "hostA");
		cr_assert_str_eq(str(o, "host_b"), "hostB");
	}
	/* the three trajectories joined below 0 show on their hop */
	cr_assert_eq(num(hop_line(true, 2, 3), "negative_delays"), 3);
}
