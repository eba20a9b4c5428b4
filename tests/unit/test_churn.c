// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * churn.c: points that come and go while records flow (hopscope agent).
 *
 * A point added mid-run is measured from then on; one removed stops
 * being reported once its hops expire, and only then is its id free;
 * a re-added id starts from nothing; endless churn stays within the
 * tables' bounds; and a record file of a churning run replays to the
 * same JSON, byte for byte.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <criterion/criterion.h>
#include "chain.h"
#include "scenario.h"
#include "analysis/session.h"
#include "output/output.h"
#include "store/recorder.h"
#include "store/replay.h"
#include "store/runinfo.h"

#define MS 1000000ULL
#define WINDOW (50 * MS)

static struct hs_point_table points;
static struct hs_session s;
static bool s_up;
static char recpath[64];

static void teardown(void)
{
	if (s_up)
		hs_session_free(&s);
	s_up = false;
	if (recpath[0])
		unlink(recpath);
	recpath[0] = '\0';
}

TestSuite(churn, .fini = teardown);

/* The chain's four points, a session over them, measuring from 1 ms. */
static void start(void)
{
	struct hs_session_config cfg = { .window_ns = WINDOW,
					 .max_inflight = 4096 };

	scenario_churn_points(&points);
	cr_assert_eq(hs_session_init(&s, &cfg, &points), 0);
	s_up = true;
	hs_session_armed(&s, MS);
	hs_session_ready(&s, MS);
}

/* Point id as container "ctr", added at ts. */
static void add_point(uint16_t id, const char *ns, uint64_t ts)
{
	memset(&points.p[id], 0, sizeof(points.p[id]));
	test_point(&points, id, ns, 500 + id, 2, "eth0", HS_HOOK_TC_INGRESS);
	cr_assert_eq(hs_session_point_added(&s, id, ts), 0, "adding %u", id);
}

static void record(uint64_t ts, uint16_t point, uint64_t fp)
{
	struct hs_record r = { .ts_ns = ts,
			       .fingerprint = fp,
			       .flow_hash = 7,
			       .point_id = point };

	hs_session_record(&s, &r);
}

/* A packet at ts over rcv (3) into point id, the hop taking d ns. */
static void packet(uint64_t ts, uint16_t id, uint64_t fp, uint64_t d)
{
	record(ts, 3, fp);
	record(ts + d, id, fp);
}

/* Drains until ts: the window has passed what came before. */
static void drain_to(uint64_t ts)
{
	hs_session_horizon(&s, ts);
}

Test(churn, a_point_added_mid_run_is_measured)
{
	uint64_t fp;

	start();
	cr_assert(hs_session_point_reusable(&s, 4));
	cr_assert_not(hs_session_point_reusable(&s, 3));
	cr_assert_eq(hs_session_point_added(&s, 3, 5 * MS), -EINVAL);
	/* a record of an id not yet added is malformed */
	record(6 * MS, 4, 1);
	cr_assert_eq(s.counters.bad_records, 1);
	add_point(4, "ctr", 10 * MS);
	for (fp = 100; fp < 110; fp++)
		packet(10 * MS + fp * MS, 4, fp, 3000);
	drain_to(300 * MS);
	hs_session_report(&s, true, 1, 1, s.point_counters);
	cr_assert_not_null(hs_hops_find(&s.hops, 3, 4));
	cr_assert_eq(hs_hops_find(&s.hops, 3, 4)->leg.total.delay.n, 10);
	cr_assert_eq(s.counters.bad_records, 1);
}

Test(churn, a_removed_points_hops_go_after_expiry)
{
	uint64_t fp;

	start();
	add_point(4, "ctr", 10 * MS);
	for (fp = 0; fp < 10; fp++)
		packet(20 * MS + fp * MS, 4, fp, 2000);
	cr_assert_eq(hs_session_point_removed(&s, 4, 40 * MS), 0);
	cr_assert_eq(hs_session_point_removed(&s, 4, 40 * MS), -EINVAL);
	/* after the removal, its records are malformed */
	record(41 * MS, 4, 999);
	cr_assert_eq(s.counters.bad_records, 1);
	drain_to(200 * MS);
	/* expired only expire_ns after its removal */
	cr_assert_eq(hs_session_expire(&s, 200 * MS, 500 * MS), 0);
	cr_assert_not_null(hs_hops_find(&s.hops, 3, 4));
	cr_assert_not(hs_session_point_reusable(&s, 4));
	cr_assert_eq(hs_session_expire(&s, 540 * MS, 500 * MS), 1);
	cr_assert_null(hs_hops_find(&s.hops, 3, 4));
	cr_assert_eq(s.hops.n_hops, 0);
	cr_assert_eq(s.hops.n_paths, 0);
	cr_assert_eq(s.hops.n_segments, 0);
	cr_assert(hs_session_point_reusable(&s, 4));
	cr_assert_eq(s.point_state[4], HS_POINT_FREE);
}

Test(churn, an_id_waits_for_the_trajectories_through_it)
{
	start();
	add_point(4, "ctr", 10 * MS);
	/* a packet seen at 4 whose trajectory is still open */
	packet(100 * MS, 4, 42, 1000);
	cr_assert_eq(hs_session_point_removed(&s, 4, 101 * MS), 0);
	drain_to(120 * MS);
	cr_assert_eq(hs_session_expire(&s, 120 * MS, 0), 0);
	cr_assert_not(hs_session_point_reusable(&s, 4));
	/* the window has passed the removal: the trajectory is folded */
	drain_to(101 * MS + WINDOW + 2 * MS);
	cr_assert_not_null(hs_hops_find(&s.hops, 3, 4));
	cr_assert_eq(hs_session_expire(&s, 101 * MS + WINDOW + 2 * MS, 0), 1);
	cr_assert(hs_session_point_reusable(&s, 4));
	cr_assert_null(hs_hops_find(&s.hops, 3, 4));
}

Test(churn, a_re_added_id_starts_fresh)
{
	const struct hs_hop *hop;
	uint64_t fp;

	start();
	add_point(4, "old", 10 * MS);
	for (fp = 0; fp < 10; fp++)
		packet(20 * MS + fp * MS, 4, fp, 1000);
	record(35 * MS, 4, 5); /* a duplicate at 4 */
	hs_session_drops(&s, 4, 9, 30 * MS, 31 * MS);
	cr_assert_eq(hs_session_point_removed(&s, 4, 40 * MS), 0);
	drain_to(200 * MS);
	cr_assert_eq(hs_session_expire(&s, 200 * MS, 0), 1);
	add_point(4, "new", 210 * MS);
	cr_assert_eq(s.matcher.counters.point_duplicates[4], 0);
	cr_assert_eq(s.hops.drops[4].total, 0);
	for (fp = 100; fp < 105; fp++)
		packet(220 * MS + fp * MS, 4, fp, 5000);
	drain_to(600 * MS);
	hs_session_report(&s, true, 1, 1, s.point_counters);
	hop = hs_hops_find(&s.hops, 3, 4);
	cr_assert_not_null(hop);
	cr_assert_eq(hop->leg.total.delay.n, 5);
	cr_assert_eq(hop->leg.total.delay.min, 5000);
	cr_assert_eq(hop->leg.total.duplicates, 0);
	cr_assert_eq(s.hops.n_hops, 1);
	cr_assert_str_eq(points.p[4].netns, "new");
}

/* 100000 points added and removed, each with a packet through it and
 * the chain, expiry once per 100 (as once per report): the tables never
 * hold more than the live set and what waits to expire. */
Test(churn, endless_churn_stays_bounded, .timeout = 120)
{
	uint32_t max_hops = 0, max_paths = 0, max_segs = 0;
	uint64_t ts = 10 * MS;
	unsigned int c;
	uint16_t k;

	start();
	for (c = 0; c < 100000; c++) {
		uint16_t id = (uint16_t)(4 + c % 200);
		struct hs_record r = { .fingerprint = 0xE0000000ULL + c,
				       .flow_hash = c % 64 };

		cr_assert(hs_session_point_reusable(&s, id), "cycle %u", c);
		add_point(id, "ctr", ts);
		for (k = 0; k < 4; k++) {
			r.ts_ns = ts + k * 1000;
			r.point_id = k;
			hs_session_record(&s, &r);
		}
		r.ts_ns = ts + 5000;
		r.point_id = id;
		hs_session_record(&s, &r);
		cr_assert_eq(hs_session_point_removed(&s, id, ts + MS), 0);
		ts += 2 * MS;
		drain_to(ts);
		if (c % 100 == 99)
			hs_session_expire(&s, ts, 10 * MS);
		max_hops = s.hops.n_hops > max_hops ? s.hops.n_hops : max_hops;
		max_paths = s.hops.n_paths > max_paths ? s.hops.n_paths :
							 max_paths;
		max_segs = s.hops.n_segments > max_segs ? s.hops.n_segments :
							  max_segs;
	}
	/* 3 hops of the chain, and at most ~130 containers not yet expired
	 * (100 between expiries, 25 in the window, 5 within expire_ns) */
	cr_assert_leq(max_hops, 3 + 140, "%u hops", max_hops);
	cr_assert_leq(max_paths, 1 + 140, "%u paths", max_paths);
	cr_assert_leq(max_segs, 4 * (1 + 140), "%u segments", max_segs);
	cr_assert_eq(s.hops.hops_overflow, 0);
	cr_assert_eq(s.hops.paths_overflow, 0);
	cr_assert_eq(s.hops.segments_overflow, 0);
	cr_assert_eq(s.matcher.counters.evicted, 0);
	cr_assert_eq(s.matcher.counters.trajectories + s.matcher.used, 100000);
}

/* Hops and paths beyond the bounds are still counted as overflow while
 * the live set itself does not fit. */
Test(churn, overflow_counts_the_live_set)
{
	uint16_t id;

	start();
	for (id = 4; id < 4 + 300; id++) {
		add_point(id, "ctr", 10 * MS);
		packet(20 * MS + id * 10000, id, id, 1000);
	}
	drain_to(200 * MS);
	cr_assert_eq(s.hops.n_paths, HS_MAX_PATHS);
	cr_assert_gt(s.hops.paths_overflow, 0);
}

/* Live outputs (JSON) of the churn scenario, recording it when rec. */
static void run_churn(char **out_json, size_t *len, const char *rec)
{
	struct hs_session_config cfg = { .window_ns = WINDOW,
					 .max_inflight = 4096 };
	struct hs_recorder recorder = {};
	struct hs_output out = {};
	struct hs_sink sink;
	struct hs_run_info info = {};
	struct hs_rec_writer *w = NULL;
	char err[256], *header;

	scenario_churn_points(&points);
	snprintf(info.run_id, sizeof(info.run_id), "churn-1-1");
	snprintf(info.host, sizeof(info.host), "golden");
	info.cfg = cfg;
	info.sample_one_in = 1;
	cr_assert_eq(hs_session_init(&s, &cfg, &points), 0);
	s_up = true;
	header = hs_run_info_to_json(&info, &points);
	cr_assert_not_null(header);
	cr_assert_eq(hs_rec_create(&w, rec, header, err, sizeof(err)), 0, "%s",
		     err);
	free(header);
	recorder.w = w;
	hs_recorder_sink(&recorder, &sink);
	hs_session_add_sink(&s, &sink);
	out.json = open_memstream(out_json, len);
	hs_output_sink(&out, &sink);
	hs_session_add_sink(&s, &sink);
	cr_assert_eq(scenario_churn_feed(&s, &points, 6, 100 * MS), 0);
	fclose(out.json);
	cr_assert_not(out.failed);
	cr_assert_eq(hs_rec_close(w), 0);
	hs_session_free(&s);
	s_up = false;
}

Test(churn, a_churning_runs_file_replays_to_the_same_json)
{
	struct hs_rec_part *part = NULL;
	struct hs_output out = {};
	struct hs_rec_run run;
	struct hs_sink sink;
	char *live = NULL, *replayed = NULL;
	size_t live_len = 0, replayed_len = 0;
	int fd;

	snprintf(recpath, sizeof(recpath), "/tmp/hs-churn-XXXXXX");
	fd = mkstemp(recpath);
	cr_assert_geq(fd, 0);
	close(fd);
	run_churn(&live, &live_len, recpath);
	/* what the live run printed of the churn */
	cr_assert_not_null(strstr(live, "\"netns\":\"ctr5\""));
	cr_assert_not_null(strstr(live, "\"since_ns\":1510000000"));
	cr_assert_not_null(strstr(
		live,
		"{\"type\":\"event\",\"point\":4,\"event\":\"removed\"}"));
	cr_assert_eq(hs_rec_part_open(recpath, &part), 0);
	run = (struct hs_rec_run){ .n = 1, .part = { part } };
	cr_assert_eq(hs_replay_session(&run, NULL, &s), 0);
	s_up = true;
	out.json = open_memstream(&replayed, &replayed_len);
	hs_output_sink(&out, &sink);
	hs_session_add_sink(&s, &sink);
	cr_assert_eq(hs_replay_run(&run, &s), 0);
	fclose(out.json);
	cr_assert_eq(replayed_len, live_len);
	cr_assert_eq(memcmp(live, replayed, live_len), 0, "replayed:\n%s",
		     replayed);
	hs_rec_part_free(part);
	free(live);
	free(replayed);
}

/* A part begun mid-run has the points live then, with gaps, and how many
 * ids its table has. */
Test(churn, a_header_carries_the_live_points)
{
	struct hs_point_table *live = calloc(1, sizeof(*live));
	struct hs_point_table *back = calloc(1, sizeof(*back));
	struct hs_run_info info = {}, info_back;
	char err[256], *header;

	cr_assert(live && back);
	start();
	add_point(4, "a", 10 * MS);
	add_point(5, "b", 10 * MS);
	add_point(6, "c", 10 * MS);
	cr_assert_eq(hs_session_point_removed(&s, 4, 20 * MS), 0);
	cr_assert_eq(hs_session_point_removed(&s, 6, 20 * MS), 0);
	hs_session_live_points(&s, live);
	snprintf(info.run_id, sizeof(info.run_id), "r");
	snprintf(info.host, sizeof(info.host), "h");
	info.cfg = s.cfg;
	header = hs_run_info_to_json(&info, live);
	cr_assert_not_null(header);
	cr_assert_eq(hs_run_info_from_json(header, &info_back, back, err,
					   sizeof(err)),
		     0, "%s", err);
	free(header);
	cr_assert_eq(back->n, 7);
	cr_assert(back->p[4].absent);
	cr_assert_not(back->p[5].absent);
	cr_assert_str_eq(back->p[5].netns, "b");
	cr_assert(back->p[6].absent);
	cr_assert_not(back->p[3].absent);
	free(live);
	free(back);
}

/* A live hop and the segment it shares its statistics with move down
 * together when what was before them expires, and part as before. */
Test(churn, twins_survive_the_move)
{
	const struct hs_leg *seg;
	uint64_t fp;

	start();
	add_point(4, "ctr", 10 * MS);
	for (fp = 0; fp < 5; fp++)
		packet(20 * MS + fp * MS, 4, fp, 1000);
	for (fp = 10; fp < 15; fp++) {
		record(30 * MS + fp * MS, 2, fp);
		record(30 * MS + fp * MS + 2000, 3, fp);
	}
	cr_assert_eq(hs_session_point_removed(&s, 4, 60 * MS), 0);
	drain_to(200 * MS);
	cr_assert_eq(s.hops.n_paths, 2);
	cr_assert_eq(hs_session_expire(&s, 200 * MS, 0), 1);
	cr_assert_eq(s.hops.n_hops, 1);
	cr_assert_eq(s.hops.n_paths, 1);
	cr_assert_eq(s.hops.n_segments, 1);
	cr_assert_eq(s.hops.hops[0].from, 2);
	cr_assert_eq(hs_hops_find(&s.hops, 2, 3), &s.hops.hops[0]);
	cr_assert_eq(s.hops.hops[0].leg.twin, &s.hops.segments[0]);
	cr_assert_eq(s.hops.segments[0].twin, &s.hops.hops[0].leg);
	/* a packet over 1 -> 2 -> 3 takes the hop but not the segment */
	record(300 * MS, 1, 77);
	record(300 * MS + 1000, 2, 77);
	record(300 * MS + 3000, 3, 77);
	drain_to(500 * MS);
	hs_session_report(&s, true, 1, 1, s.point_counters);
	cr_assert_null(s.hops.hops[0].leg.twin);
	cr_assert_eq(s.hops.hops[0].leg.total.delay.n, 6);
	seg = hs_path_segment(&s.hops, &s.hops.paths[0], 0);
	cr_assert_not_null(seg);
	cr_assert_eq(seg->total.delay.n, 5);
}

/* SIGHUP as the collector does it, after the third report: the part so
 * far moved aside, a new one begun with the points live now. */
struct rotator {
	struct hs_rec_writer *w;
	struct hs_run_info *info;
	const char *aside;
	unsigned int reports;
};

static void rotate_on_report(void *ctx, const struct hs_report *r)
{
	struct rotator *rot = ctx;
	struct hs_point_table *live;
	char err[256], *header;

	(void)r;
	if (++rot->reports != 3)
		return;
	live = malloc(sizeof(*live));
	cr_assert_not_null(live);
	hs_session_live_points(&s, live);
	rot->info->part++;
	header = hs_run_info_to_json(rot->info, live);
	cr_assert_not_null(header);
	cr_assert_eq(rename(recpath, rot->aside), 0);
	cr_assert_eq(hs_rec_reopen(rot->w, header, err, sizeof(err)), 0, "%s",
		     err);
	free(header);
	free(live);
}

/* The JSON a replay of these parts prints. */
static char *replay_json(struct hs_rec_part **parts, unsigned int n,
			 size_t *len)
{
	struct hs_output out = {};
	struct hs_rec_run run = { .n = n };
	struct hs_session rs;
	struct hs_sink sink;
	char *buf = NULL;
	unsigned int i;

	for (i = 0; i < n; i++)
		run.part[i] = parts[i];
	cr_assert_eq(hs_rec_run_check(&run), 0);
	cr_assert_eq(hs_replay_session(&run, NULL, &rs), 0);
	out.json = open_memstream(&buf, len);
	hs_output_sink(&out, &sink);
	hs_session_add_sink(&rs, &sink);
	cr_assert_eq(hs_replay_run(&run, &rs), 0);
	fclose(out.json);
	hs_session_free(&rs);
	return buf;
}

Test(churn, a_rotated_churning_run_replays_whole_and_in_part)
{
	struct hs_session_config cfg = { .window_ns = WINDOW,
					 .max_inflight = 4096 };
	struct hs_rec_part *p0 = NULL, *p1 = NULL, *p1again = NULL;
	struct hs_recorder recorder = {};
	struct hs_output out = {};
	struct hs_run_info info = {};
	struct hs_rec_writer *w = NULL;
	char aside[80], err[256], *header, *live = NULL, *whole, *tail;
	struct rotator rot = { .info = &info, .aside = aside };
	size_t live_len = 0, whole_len, tail_len;
	struct hs_sink sink;
	int fd;

	snprintf(recpath, sizeof(recpath), "/tmp/hs-churn-XXXXXX");
	fd = mkstemp(recpath);
	cr_assert_geq(fd, 0);
	close(fd);
	snprintf(aside, sizeof(aside), "%s.0", recpath);
	scenario_churn_points(&points);
	snprintf(info.run_id, sizeof(info.run_id), "churn-1-2");
	snprintf(info.host, sizeof(info.host), "golden");
	info.cfg = cfg;
	cr_assert_eq(hs_session_init(&s, &cfg, &points), 0);
	s_up = true;
	header = hs_run_info_to_json(&info, &points);
	cr_assert_eq(hs_rec_create(&w, recpath, header, err, sizeof(err)), 0,
		     "%s", err);
	free(header);
	recorder.w = w;
	rot.w = w;
	hs_recorder_sink(&recorder, &sink);
	hs_session_add_sink(&s, &sink);
	sink = (struct hs_sink){ .ctx = &rot, .report = rotate_on_report };
	hs_session_add_sink(&s, &sink);
	out.json = open_memstream(&live, &live_len);
	hs_output_sink(&out, &sink);
	hs_session_add_sink(&s, &sink);
	cr_assert_eq(scenario_churn_feed(&s, &points, 6, 100 * MS), 0);
	fclose(out.json);
	cr_assert_eq(hs_rec_close(w), 0);
	hs_session_free(&s);
	s_up = false;

	cr_assert_eq(hs_rec_part_open(aside, &p0), 0);
	cr_assert_eq(hs_rec_part_open(recpath, &p1), 0);
	/* at the third report container 2 (id 4) was gone, 3 not yet come */
	cr_assert_eq(p1->points->n, 6);
	cr_assert(p1->points->p[4].absent);
	cr_assert(p1->points->p[5].absent);
	cr_assert_not(p1->points->p[3].absent);
	whole = replay_json((struct hs_rec_part *[]){ p0, p1 }, 2, &whole_len);
	cr_assert_eq(whole_len, live_len);
	cr_assert_eq(memcmp(whole, live, live_len), 0, "replayed:\n%s", whole);
	/* a later part alone: from where it starts, its ids free to come */
	cr_assert_eq(hs_rec_part_open(recpath, &p1again), 0);
	tail = replay_json(&p1again, 1, &tail_len);
	cr_assert_not_null(strstr(tail, "\"netns\":\"ctr5\""));
	cr_assert_null(strstr(tail, "\"netns\":\"ctr2\""));
	hs_rec_part_free(p0);
	hs_rec_part_free(p1);
	hs_rec_part_free(p1again);
	unlink(aside);
	free(live);
	free(whole);
	free(tail);
}
