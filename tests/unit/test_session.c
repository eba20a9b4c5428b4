// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * session.c: one run's events through a session and its sinks.
 *
 * The scenario (tests/lib/scenario.h) gives every output all it can
 * print; the table, JSON lines, CSV and the Prometheus exposition must be
 * those hopscope printed before its architecture changed, byte for byte
 * (tests/fixtures/record/scenario.*, tests/fixtures/output/joined.*).
 * The record file the session writes, replayed, must give them again.
 * Then the sinks themselves: what reaches them, in which order.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <criterion/criterion.h>
#include "golden.h"
#include "scenario.h"
#include "analysis/session.h"
#include "output/output.h"
#include "output/prom.h"
#include "store/recorder.h"
#include "store/replay.h"

#define FIXTURES "tests/fixtures/"

/* Outputs written into memory. Static and freed in fini, which also runs
 * after a failed assertion. */
struct capture {
	FILE *f;
	char *buf;
	size_t len;
};

static struct capture table, json, csv, prom;
static struct hs_point_table points;
static struct hs_session s;
static bool s_up;
static char recpath[64];

static void open_capture(struct capture *c)
{
	c->f = open_memstream(&c->buf, &c->len);
	cr_assert_not_null(c->f);
}

static void close_capture(struct capture *c)
{
	if (c->f)
		fclose(c->f);
	c->f = NULL;
}

static void setup(void)
{
	open_capture(&table);
	open_capture(&json);
	open_capture(&csv);
	open_capture(&prom);
	recpath[0] = '\0';
}

static void teardown(void)
{
	struct capture *all[] = { &table, &json, &csv, &prom };
	size_t i;

	for (i = 0; i < sizeof(all) / sizeof(all[0]); i++) {
		close_capture(all[i]);
		free(all[i]->buf);
		all[i]->buf = NULL;
	}
	if (s_up)
		hs_session_free(&s);
	s_up = false;
	if (recpath[0])
		unlink(recpath);
}

TestSuite(session, .init = setup, .fini = teardown);

static void output_to_captures(struct hs_output *out)
{
	memset(out, 0, sizeof(*out));
	out->table = table.f;
	out->json = json.f;
	out->csv = csv.f;
}

static void expect_golden(struct capture *c, const char *path)
{
	const char *diff;

	fflush(c->f);
	diff = golden_diff(c->buf, c->len, path);
	cr_assert_null(diff, "%s", diff);
}

/* The exposition a scrape at the end of the run would read. */
static void render_prom(const struct hs_session *sess, double elapsed)
{
	struct hs_report r;

	hs_session_fill_report(sess, &r, true);
	r.elapsed_s = elapsed;
	cr_assert_eq(hs_prom_render(prom.f, &r), 0);
}

static void expect_scenario(const char *base)
{
	char path[128];

	snprintf(path, sizeof(path), "%s.table", base);
	expect_golden(&table, path);
	snprintf(path, sizeof(path), "%s.jsonl", base);
	expect_golden(&json, path);
	snprintf(path, sizeof(path), "%s.csv", base);
	expect_golden(&csv, path);
	snprintf(path, sizeof(path), "%s.prom", base);
	expect_golden(&prom, path);
}

static void scenario_with_threads(uint32_t threads)
{
	struct hs_run_info info;
	struct hs_output out;
	struct hs_sink sink;

	scenario_points(&points, false);
	scenario_info(&info);
	info.cfg.threads = threads;
	cr_assert_eq(hs_session_init(&s, &info.cfg, &points), 0);
	s_up = true;
	output_to_captures(&out);
	hs_output_sink(&out, &sink);
	cr_assert_eq(hs_session_add_sink(&s, &sink), 0);
	scenario_feed(&s, false);
	cr_assert_not(out.failed);
	render_prom(&s, SCENARIO_ELAPSED_S);
	expect_scenario(FIXTURES "record/scenario");
}

Test(session, scenario_prints_what_it_always_printed)
{
	scenario_with_threads(1);
}

/* Loss, reordering, a duplicate, ring drops, warm-up and cool-down: the
 * matcher split across threads folds the same, byte for byte. */
Test(session, scenario_prints_the_same_with_two_collector_threads)
{
	scenario_with_threads(2);
	cr_assert_not_null(s.shards);
}

Test(session, scenario_prints_the_same_with_five_collector_threads)
{
	scenario_with_threads(5);
	cr_assert_eq(hs_shards_count(s.shards), 5);
}

static void joined_with_threads(uint32_t threads)
{
	struct hs_session_config cfg = { .window_ns = 50000000,
					 .max_inflight = 1024,
					 .threads = threads };
	struct hs_fit_run runs[3];
	struct hs_fit fits[HS_FIT_METRICS];
	struct hs_join_clock jc;
	static struct hs_join_clocks clocks;
	struct hs_output out;
	struct hs_sink sink;
	unsigned int n;

	scenario_points(&points, true);
	scenario_clock(&jc);
	cr_assert_eq(hs_session_init(&s, &cfg, &points), 0);
	s_up = true;
	hs_join_clocks_two(&clocks, &jc);
	hs_session_set_join(&s, &clocks);
	output_to_captures(&out);
	hs_output_sink(&out, &sink);
	hs_session_add_sink(&s, &sink);
	scenario_feed(&s, true);
	scenario_fit(runs, &n, fits);
	hs_output_fit(&out, runs, n, fits);
	cr_assert_not(out.failed);
	render_prom(&s, SCENARIO_ELAPSED_S);
	expect_scenario(FIXTURES "output/joined");
}

Test(session, joined_hosts_print_what_they_always_printed)
{
	joined_with_threads(1);
}

Test(session, joined_hosts_print_the_same_with_three_collector_threads)
{
	joined_with_threads(3);
}

Test(session, recorded_run_replays_to_the_same_outputs)
{
	struct hs_rec_writer *w;
	struct hs_recorder rec = {};
	struct hs_run_info info;
	struct hs_rec_part *part = NULL;
	struct hs_rec_run run;
	struct hs_output out;
	struct hs_sink sink;
	char err[256], *header;
	int fd;

	scenario_points(&points, false);
	scenario_info(&info);
	snprintf(recpath, sizeof(recpath), "/tmp/hs-session-XXXXXX");
	fd = mkstemp(recpath);
	cr_assert_geq(fd, 0);
	close(fd);
	header = hs_run_info_to_json(&info, &points);
	cr_assert_not_null(header);
	cr_assert_eq(hs_rec_create(&w, recpath, header, err, sizeof(err)), 0,
		     "%s", err);
	free(header);
	cr_assert_eq(hs_session_init(&s, &info.cfg, &points), 0);
	rec.w = w;
	hs_recorder_sink(&rec, &sink);
	hs_session_add_sink(&s, &sink);
	scenario_feed(&s, false);
	hs_session_free(&s);
	cr_assert_eq(hs_rec_close(w), 0);

	/* the file, replayed, gives every output the live run gave */
	cr_assert_eq(hs_rec_part_open(recpath, &part), 0);
	run = (struct hs_rec_run){ .n = 1, .part = { part } };
	output_to_captures(&out);
	cr_assert_eq(hs_replay_session(&run, NULL, &s), 0);
	s_up = true;
	hs_output_sink(&out, &sink);
	hs_session_add_sink(&s, &sink);
	cr_assert_eq(hs_replay_run(&run, &s), 0);
	render_prom(&s, SCENARIO_ELAPSED_S);
	hs_rec_part_free(part);
	expect_scenario(FIXTURES "record/scenario");
}

/* ---- the sinks ---- */

#define LOG_MAX 4096

struct log {
	char text[LOG_MAX];
	size_t n;
	unsigned int records, reports;
};

static void log_add(struct log *l, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void log_add(struct log *l, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	l->n += (size_t)vsnprintf(l->text + l->n, LOG_MAX - l->n, fmt, ap);
	va_end(ap);
	cr_assert_lt(l->n, LOG_MAX);
}

static void on_armed(void *ctx, uint64_t ts)
{
	log_add(ctx, "armed %llu;", (unsigned long long)ts);
}

static void on_ready(void *ctx, uint64_t ts, const struct hs_point_table *t)
{
	log_add(ctx, "ready %llu %u;", (unsigned long long)ts, t->n);
}

static void on_record(void *ctx, const struct hs_record *r)
{
	log_add(ctx, "record %u;", r->point_id);
}

static void on_bad_record(void *ctx)
{
	log_add(ctx, "bad;");
}

static void on_drops(void *ctx, uint16_t point, uint64_t total, uint64_t from,
		     uint64_t to)
{
	log_add(ctx, "drops %u %llu %llu-%llu;", point,
		(unsigned long long)total, (unsigned long long)from,
		(unsigned long long)to);
}

static void on_horizon(void *ctx, uint64_t ts)
{
	log_add(ctx, "horizon %llu;", (unsigned long long)ts);
}

static void on_event(void *ctx, uint16_t point, const char *event)
{
	log_add(ctx, "event %u %s;", point, event);
}

static void on_cost(void *ctx, const struct hs_probe_cost *c, unsigned int n)
{
	log_add(ctx, "cost %u %llu;", n, (unsigned long long)c[1].run_cnt);
}

static void on_report(void *ctx, const struct hs_report *r)
{
	const struct hs_hop *h = r->hops->n_hops ? &r->hops->hops[0] : NULL;

	log_add(ctx, "report %s %.1f %llu pkts %llu;",
		r->final ? "final" : "interval", r->elapsed_s,
		(unsigned long long)r->counters[0].seen,
		h ? (unsigned long long)hs_leg_acc(&h->leg, r->final)->delay.n :
		    0ULL);
}

static void on_end(void *ctx, uint64_t ts)
{
	log_add(ctx, "end %llu;", (unsigned long long)ts);
}

static const struct hs_sink logging = {
	.armed = on_armed,
	.ready = on_ready,
	.record = on_record,
	.bad_record = on_bad_record,
	.drops = on_drops,
	.horizon = on_horizon,
	.event = on_event,
	.cost = on_cost,
	.report = on_report,
	.end = on_end,
};

static struct hs_record rec_at(uint16_t point, uint64_t ts, uint64_t fp)
{
	return (struct hs_record){ .ts_ns = ts,
				   .fingerprint = fp,
				   .flow_hash = 1,
				   .point_id = point };
}

static void two_point_session(struct log *first, struct log *second)
{
	struct hs_session_config cfg = { .window_ns = 1000,
					 .max_inflight = 16 };
	struct hs_sink a = logging, b = logging;

	memset(&points, 0, sizeof(points));
	points.n = 2;
	points.n_hosts = 1;
	cr_assert_eq(hs_session_init(&s, &cfg, &points), 0);
	s_up = true;
	a.ctx = first;
	b.ctx = second;
	cr_assert_eq(hs_session_add_sink(&s, &a), 0);
	if (second)
		cr_assert_eq(hs_session_add_sink(&s, &b), 0);
}

Test(session, every_event_reaches_every_sink_in_order)
{
	struct hs_counters c[2] = { { .seen = 7 }, { .seen = 9 } };
	struct hs_probe_cost cost[2] = { { 10, 1 }, { 20, 2 } };
	struct hs_record r;
	struct log a = {}, b = {};

	two_point_session(&a, &b);
	hs_session_armed(&s, 100);
	hs_session_ready(&s, 200);
	r = rec_at(0, 300, 42);
	hs_session_record(&s, &r);
	r = rec_at(1, 350, 42);
	hs_session_record(&s, &r);
	r = rec_at(2, 360, 43); /* no point 2: malformed */
	hs_session_record(&s, &r);
	hs_session_drops(&s, 1, 5, 310, 400);
	hs_session_drops(&s, 1, 5, 400, 500); /* unchanged: no event */
	hs_session_drops(&s, 9, 5, 400, 500); /* no such point */
	hs_session_horizon(&s, 2000);
	hs_session_event(&s, 1, "a-very-long-event-text");
	hs_session_report(&s, false, 1.5, 1.5, c);
	hs_session_end(&s, 2500);
	hs_session_cost(&s, cost);
	hs_session_report(&s, true, 2.0, 0.5, c);
	cr_assert_str_eq(a.text,
			 "armed 100;ready 200 2;record 0;record 1;bad;"
			 "drops 1 5 310-400;horizon 2000;"
			 "event 1 a-very-long-eve;"
			 "report interval 1.5 7 pkts 1;end 2500;cost 2 2;"
			 "report final 2.0 7 pkts 1;");
	/* the second sink hears the same */
	cr_assert_str_eq(b.text, a.text);
	cr_assert_eq(s.counters.bad_records, 1);
}

/* Which sink heard an event, in one log for both. */
static void on_event_tagged(void *ctx, uint16_t point, const char *event)
{
	struct log *l = *(struct log **)ctx;

	log_add(l, "%s %u %s;", (const char *)((struct log **)ctx)[1], point,
		event);
}

Test(session, sinks_hear_each_event_in_the_order_they_were_added)
{
	struct log shared = {};
	void *first[2] = { &shared, "first" },
	     *second[2] = { &shared, "second" };
	struct hs_sink a = { .ctx = first, .event = on_event_tagged };
	struct hs_sink b = { .ctx = second, .event = on_event_tagged };

	two_point_session(&shared, NULL);
	s.n_sinks = 0;
	hs_session_add_sink(&s, &a);
	hs_session_add_sink(&s, &b);
	hs_session_event(&s, 0, "down");
	hs_session_event(&s, 1, "up");
	cr_assert_str_eq(shared.text,
			 "first 0 down;second 0 down;first 1 up;second 1 up;");
}

Test(session, a_full_session_refuses_another_sink)
{
	struct log a = {};
	struct hs_sink k = logging;
	unsigned int i;

	two_point_session(&a, NULL);
	k.ctx = &a;
	for (i = 1; i < HS_SESSION_SINKS; i++)
		cr_assert_eq(hs_session_add_sink(&s, &k), 0);
	cr_assert_eq(hs_session_add_sink(&s, &k), -E2BIG);
}

Test(session, a_sink_leaves_out_what_it_does_not_take)
{
	struct hs_sink only_reports = { .report = on_report };
	struct hs_counters c[2] = {};
	struct hs_record r = rec_at(0, 300, 42);
	struct log a = {};

	two_point_session(&a, NULL);
	s.n_sinks = 0;
	only_reports.ctx = &a;
	hs_session_add_sink(&s, &only_reports);
	hs_session_armed(&s, 100);
	hs_session_record(&s, &r);
	hs_session_event(&s, 0, "down");
	hs_session_end(&s, 500);
	hs_session_report(&s, true, 1.0, 1.0, c);
	cr_assert_str_eq(a.text, "report final 1.0 0 pkts 0;");
}
