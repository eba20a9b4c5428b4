// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * replay.c: record files back into a session.
 *
 * tests/fixtures/record/demo.hsr is a real run of `hopscope demo`
 * (--duration 1 --rate 500 --interval 0.5), recorded and reported by
 * hopscope before its architecture changed (commit e25690b); replayed now
 * it must report exactly what it reported then. Then the frames one by
 * one: what the replay refuses, and how files group into runs.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <criterion/criterion.h>
#include "golden.h"
#include "output/output.h"
#include "output/prom.h"
#include "store/replay.h"

#define RECORD "tests/fixtures/record/"

struct capture {
	FILE *f;
	char *buf;
	size_t len;
};

static struct capture table, json, csv, prom;
static struct hs_rec_part *parts[4];
static struct hs_session s;
static bool s_up;
static struct hs_point_table points;

static void setup(void)
{
	struct capture *all[] = { &table, &json, &csv, &prom };
	size_t i;

	for (i = 0; i < 4; i++) {
		all[i]->f = open_memstream(&all[i]->buf, &all[i]->len);
		cr_assert_not_null(all[i]->f);
	}
}

static void teardown(void)
{
	struct capture *all[] = { &table, &json, &csv, &prom };
	size_t i;

	for (i = 0; i < 4; i++) {
		if (all[i]->f)
			fclose(all[i]->f);
		free(all[i]->buf);
		memset(all[i], 0, sizeof(*all[i]));
	}
	for (i = 0; i < 4; i++) {
		hs_rec_part_free(parts[i]);
		parts[i] = NULL;
	}
	if (s_up)
		hs_session_free(&s);
	s_up = false;
}

TestSuite(replay, .init = setup, .fini = teardown);

static void expect_golden(struct capture *c, const char *path)
{
	const char *diff;

	fflush(c->f);
	diff = golden_diff(c->buf, c->len, path);
	cr_assert_null(diff, "%s", diff);
}

/* Keeps the last report's elapsed time: what a scrape at the end saw. */
static void note_elapsed(void *ctx, const struct hs_report *r)
{
	*(double *)ctx = r->elapsed_s;
}

static double last_elapsed;

static int replay_file(const char *path,
		       const struct hs_replay_overrides *change)
{
	struct hs_output out = { .table = table.f,
				 .json = json.f,
				 .csv = csv.f };
	struct hs_sink elapsed = { .ctx = &last_elapsed,
				   .report = note_elapsed };
	struct hs_rec_run run = { .n = 1 };
	struct hs_sink sink;
	int ret;

	cr_assert_eq(hs_rec_part_open(path, &parts[0]), 0);
	run.part[0] = parts[0];
	cr_assert_eq(hs_replay_session(&run, change, &s), 0);
	s_up = true;
	hs_output_sink(&out, &sink);
	hs_session_add_sink(&s, &sink);
	hs_session_add_sink(&s, &elapsed);
	ret = hs_replay_run(&run, &s);
	cr_assert_not(out.failed);
	return ret;
}

/* What a scrape at the end of the run reads. */
static void scrape(void)
{
	struct hs_report r;

	hs_session_fill_report(&s, &r, true);
	r.elapsed_s = last_elapsed;
	cr_assert_eq(hs_prom_render(prom.f, &r), 0);
}

Test(replay, the_demo_reports_what_it_always_reported)
{
	cr_assert_eq(replay_file(RECORD "demo.hsr", NULL), 0);
	expect_golden(&table, RECORD "demo.table");
	expect_golden(&json, RECORD "demo.jsonl");
	expect_golden(&csv, RECORD "demo.csv");
	scrape();
	expect_golden(&prom, RECORD "demo.prom");
}

Test(replay, warmup_and_cooldown_reanalyse_the_demo)
{
	struct hs_replay_overrides change = {
		.warmup_set = true,
		.warmup_ns = 200000000,
		.cooldown_set = true,
		.cooldown_ns = 200000000,
	};

	cr_assert_eq(replay_file(RECORD "demo.hsr", &change), 0);
	expect_golden(&table, RECORD "demo-warmup.table");
	expect_golden(&json, RECORD "demo-warmup.jsonl");
	cr_assert_gt(s.counters.left_out_warmup, 0);
	cr_assert_gt(s.counters.left_out_cooldown, 0);
}

Test(replay, the_recorded_scenario_reports_as_the_live_one)
{
	cr_assert_eq(replay_file(RECORD "scenario.hsr", NULL), 0);
	expect_golden(&table, RECORD "scenario.table");
	expect_golden(&json, RECORD "scenario.jsonl");
	expect_golden(&csv, RECORD "scenario.csv");
}

/* ---- frames one by one ---- */

static void blank_session(unsigned int n_points)
{
	struct hs_session_config cfg = { .window_ns = 1000000,
					 .max_inflight = 64 };

	memset(&points, 0, sizeof(points));
	points.n = n_points;
	points.n_hosts = 1;
	cr_assert_eq(hs_session_init(&s, &cfg, &points), 0);
	s_up = true;
}

static int frame(uint32_t type, const void *data, uint32_t len, char *err)
{
	struct hs_rec_frame f = {
		.type = type, .len = len, .data = data, .offset = 4242
	};

	return hs_replay_frame(&s, &f, err, 256);
}

Test(replay, frames_of_a_wrong_size_are_refused_with_their_offset)
{
	struct hs_frame_time t = { 5 };
	struct hs_record r[2] = {};
	char err[256], bytes[12] = {};

	blank_session(2);
	cr_assert_eq(frame(HS_FRAME_ARMED, bytes, 4, err), -EINVAL);
	cr_assert_str_eq(
		err,
		"corrupt frame at byte 4242 of its content: a time of a wrong size");
	cr_assert_eq(frame(HS_FRAME_RECORDS, r, sizeof(r) - 1, err), -EINVAL);
	cr_assert_not_null(strstr(err, "records of a wrong size"));
	cr_assert_eq(frame(HS_FRAME_DROPS, bytes, 12, err), -EINVAL);
	cr_assert_not_null(strstr(err, "drops of a wrong size"));
	cr_assert_eq(frame(HS_FRAME_HEADER, "{}", 2, err), -EINVAL);
	cr_assert_not_null(strstr(err, "a second header"));
	/* the right size is taken */
	cr_assert_eq(frame(HS_FRAME_ARMED, &t, sizeof(t), err), 0);
	cr_assert_eq(s.matcher.ignore_before, 5);
}

Test(replay, an_event_must_name_a_point_and_end)
{
	struct hs_frame_event ev = { .point = 1 };
	char err[256];

	blank_session(2);
	memset(ev.event, 'x', sizeof(ev.event)); /* no NUL */
	cr_assert_eq(frame(HS_FRAME_EVENT, &ev, sizeof(ev), err), -EINVAL);
	cr_assert_not_null(strstr(err, "a malformed event"));
	snprintf(ev.event, sizeof(ev.event), "down");
	ev.point = 2;
	cr_assert_eq(frame(HS_FRAME_EVENT, &ev, sizeof(ev), err), -EINVAL);
	ev.point = 1;
	cr_assert_eq(frame(HS_FRAME_EVENT, &ev, sizeof(ev), err), 0);
}

Test(replay, a_report_must_fit_the_point_table)
{
	struct {
		struct hs_frame_report rep;
		struct hs_counters c[3];
	} f = { .rep = { .final = 0, .n_points = 3, .elapsed_s = 1 } };
	char err[256];

	blank_session(2);
	cr_assert_eq(frame(HS_FRAME_REPORT, &f, sizeof(f), err), -EINVAL);
	cr_assert_not_null(strstr(err, "a report that does not fit"));
	f.rep.n_points = 2;
	cr_assert_eq(frame(HS_FRAME_REPORT, &f,
			   sizeof(f.rep) + 2 * sizeof(struct hs_counters), err),
		     0);
}

Test(replay, probe_costs_come_in_point_order)
{
	struct hs_frame_cost c[2] = { { 100, 10, 1, {} }, { 200, 20, 0, {} } };
	char err[256];

	blank_session(2);
	cr_assert_eq(frame(HS_FRAME_COST, c, sizeof(c), err), -EINVAL);
	cr_assert_not_null(strstr(err, "out of order"));
	c[0].point = 0;
	c[1].point = 1;
	cr_assert_eq(frame(HS_FRAME_COST, c, sizeof(c) / 2, err), -EINVAL);
	cr_assert_eq(frame(HS_FRAME_COST, c, sizeof(c), err), 0);
	cr_assert_eq(s.cost[1].run_time_ns, 200);
	cr_assert_eq(s.cost[1].run_cnt, 20);
}

/* ---- files into runs ---- */

static struct hs_rec_part *fake_part(const char *id, unsigned int part)
{
	struct hs_rec_part *p = calloc(1, sizeof(*p));

	cr_assert_not_null(p);
	p->points = calloc(1, sizeof(*p->points));
	cr_assert_not_null(p->points);
	p->path = "fake";
	snprintf(p->info.run_id, sizeof(p->info.run_id), "%s", id);
	p->info.part = part;
	return p;
}

Test(replay, parts_sort_themselves_into_runs)
{
	struct hs_rec_run runs[2] = {};
	unsigned int n = 0;

	parts[0] = fake_part("run-b", 0);
	parts[1] = fake_part("run-a", 2);
	parts[2] = fake_part("run-a", 0);
	parts[3] = fake_part("run-a", 1);
	cr_assert_eq(hs_rec_runs_group(parts, 4, runs, 2, &n), 0);
	cr_assert_eq(n, 2);
	cr_assert_str_eq(runs[0].part[0]->info.run_id, "run-b");
	cr_assert_eq(runs[1].n, 3);
	cr_assert_eq(runs[1].part[0]->info.part, 0);
	cr_assert_eq(runs[1].part[1]->info.part, 1);
	cr_assert_eq(runs[1].part[2]->info.part, 2);
	cr_assert_eq(hs_rec_run_check(&runs[1]), 0);
	/* one run too many for the room given */
	cr_assert_eq(hs_rec_runs_group(parts, 4, runs, 1, &n), -E2BIG);
}

Test(replay, one_part_twice_is_refused)
{
	struct hs_rec_run runs[1] = {};
	unsigned int n = 0;

	parts[0] = fake_part("run-a", 1);
	parts[1] = fake_part("run-a", 1);
	cr_assert_eq(hs_rec_runs_group(parts, 2, runs, 1, &n), 0);
	cr_assert_eq(hs_rec_run_check(&runs[0]), -EINVAL);
}

Test(replay, a_later_part_alone_starts_mid_run)
{
	struct hs_output out = { .json = json.f };
	struct hs_rec_run run = { .n = 1 };
	struct hs_sink sink;

	/* the demo's file, taken for part 1 of its run */
	cr_assert_eq(hs_rec_part_open(RECORD "demo.hsr", &parts[0]), 0);
	parts[0]->info.part = 1;
	run.part[0] = parts[0];
	cr_assert_eq(hs_replay_session(&run, NULL, &s), 0);
	s_up = true;
	hs_output_sink(&out, &sink);
	hs_session_add_sink(&s, &sink);
	cr_assert_eq(hs_replay_run(&run, &s), 0);
	fflush(json.f);
	/* measuring was taken to start with the file: every record counts */
	cr_assert_eq(s.matcher.counters.warmup, 0);
	cr_assert_not_null(
		strstr(json.buf, "\"type\":\"path\",\"final\":true"));
}

Test(replay, a_cut_file_is_reported_to_its_last_record)
{
	char path[] = "/tmp/hs-replay-XXXXXX";
	FILE *in = fopen(RECORD "demo.hsr", "rb"), *out;
	char buf[65536];
	size_t n;
	int fd, ret;

	cr_assert_not_null(in);
	n = fread(buf, 1, sizeof(buf), in);
	fclose(in);
	fd = mkstemp(path);
	cr_assert_geq(fd, 0);
	out = fdopen(fd, "wb");
	fwrite(buf, 1, n / 2, out);
	fclose(out);
	ret = replay_file(path, NULL);
	unlink(path);
	cr_assert_eq(ret, 1, "exit status %d", ret);
	fflush(table.f);
	cr_assert_not_null(strstr(table.buf, "== summary"));
	cr_assert_gt(s.matcher.counters.records, 0);
}
