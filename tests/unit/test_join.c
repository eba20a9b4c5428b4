// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * join.c: two hosts' runs joined into one (store/join.h).
 *
 * The clock arithmetic first, on made-up hosts whose true delays and
 * clock offset are known: host A (snd, gw) and host B (fw, rcv), a
 * stream each way between gw and fw, B's clock OFFSET ahead of A's. A
 * packet from A to B shows a gap d_ab = t_ab + OFFSET between its last
 * sighting on A and its first on B, one from B to A a gap d_ba = t_ba -
 * OFFSET; the estimate must be (min d_ab - min d_ba) / 2, within
 * (min d_ab + min d_ba) / 2, whatever the headers' realtime clocks say.
 * Then two record files written with the record-file API, joined end to
 * end into the report a user reads.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <criterion/criterion.h>
#include "chain.h"
#include <json-c/json.h>
#include "core/exit.h"
#include "output/output.h"
#include "store/join.h"
#include "store/recfile.h"
#include "store/runinfo.h"

#define US 1000LL
#define MS 1000000LL
/* B's clock minus A's */
#define OFFSET (3700 * US)
#define WINDOW (50 * MS)
/* packets each way */
#define N 40
/* 3 sightings on each host per packet, and some local traffic */
#define MAX_REC (4 * N * 3 + 64)

/*
 * True one-way delays between the hosts: A to B 40 us and up, B to A
 * 60 us and up. Both minima are reached. Their difference is even, so
 * that halving it is exact.
 */
#define MIN_AB (40 * US)
#define MIN_BA (60 * US)
static int64_t delay_ab(unsigned int i)
{
	return MIN_AB + (int64_t)(i % 7) * US;
}

static int64_t delay_ba(unsigned int j)
{
	return MIN_BA + (int64_t)(j % 5) * 2 * US;
}

/* What the estimate must give: on raw clocks min d_ab = MIN_AB + OFFSET,
 * min d_ba = MIN_BA - OFFSET. */
#define WANT_OFFSET (((MIN_AB + OFFSET) - (MIN_BA - OFFSET)) / 2)
#define WANT_UNCERTAINTY (((MIN_AB + OFFSET) + (MIN_BA - OFFSET)) / 2)

/* A's realtime offset; B's is chosen to make the coarse offset (A's
 * minus B's) OFFSET plus an error. */
#define REALTIME_A 1700000000000000000LL

struct host {
	struct hs_run_info info;
	struct hs_point_table points;
	struct hs_record rec[MAX_REC];
	size_t n;
};

/* Static and freed in fini, which also runs after a failed assertion. */
static struct host A, B;
static char dir[] = "/tmp/hs-test-join.XXXXXX";
static bool dir_made;
static char path_a[256], path_b[256];
static struct hs_rec_part *part_a, *part_b;
static FILE *mem;
static char *text;
static size_t text_len;
#define MAX_LINES 256
static json_object *lines[MAX_LINES];
static unsigned int n_lines;

static void setup(void)
{
	memset(&A, 0, sizeof(A));
	memset(&B, 0, sizeof(B));
}

static void teardown(void)
{
	while (n_lines)
		json_object_put(lines[--n_lines]);
	if (mem)
		fclose(mem);
	free(text);
	hs_rec_part_free(part_a);
	hs_rec_part_free(part_b);
	if (dir_made) {
		unlink(path_a);
		unlink(path_b);
		rmdir(dir);
	}
}

TestSuite(join, .init = setup, .fini = teardown);

/* ---- two made-up hosts ---- */

static void point(struct hs_point_table *t, unsigned int id, const char *ns,
		  uint64_t inode, int ifindex, const char *ifname, int hook)
{
	test_point(t, id, ns, inode, ifindex, ifname, hook)->prog_id = 10 + id;
}

/*
 * A: snd:eth0 -veth- gw:eth0, and gw:eth1 towards B. Going out to B:
 * 0 snd:eth0 egress, 1 gw:eth0 ingress, 2 gw:eth1 egress; coming back:
 * 3 gw:eth1 ingress, 4 gw:eth0 egress, 5 snd:eth0 ingress.
 * B: fw:eth0 towards A, fw:eth1 -veth- rcv:eth0. Coming in from A:
 * 0 fw:eth0 ingress, 1 fw:eth1 egress, 2 rcv:eth0 ingress; going back:
 * 3 rcv:eth0 egress, 4 fw:eth1 ingress, 5 fw:eth0 egress.
 */
static void make_hosts(enum hs_clock clock, int64_t coarse_error)
{
	point(&A.points, 0, "snd", 11, 2, "eth0", HS_HOOK_TC_EGRESS);
	point(&A.points, 1, "gw", 12, 2, "eth0", HS_HOOK_TC_INGRESS);
	point(&A.points, 2, "gw", 12, 3, "eth1", HS_HOOK_TC_EGRESS);
	point(&A.points, 3, "gw", 12, 3, "eth1", HS_HOOK_TC_INGRESS);
	point(&A.points, 4, "gw", 12, 2, "eth0", HS_HOOK_TC_EGRESS);
	point(&A.points, 5, "snd", 11, 2, "eth0", HS_HOOK_TC_INGRESS);
	point(&B.points, 0, "fw", 21, 2, "eth0", HS_HOOK_TC_INGRESS);
	point(&B.points, 1, "fw", 21, 3, "eth1", HS_HOOK_TC_EGRESS);
	point(&B.points, 2, "rcv", 22, 2, "eth0", HS_HOOK_TC_INGRESS);
	point(&B.points, 3, "rcv", 22, 2, "eth0", HS_HOOK_TC_EGRESS);
	point(&B.points, 4, "fw", 21, 3, "eth1", HS_HOOK_TC_INGRESS);
	point(&B.points, 5, "fw", 21, 2, "eth0", HS_HOOK_TC_EGRESS);
	A.points.n_hosts = B.points.n_hosts = 1;
	snprintf(A.points.host[0], sizeof(A.points.host[0]), "hostA");
	snprintf(B.points.host[0], sizeof(B.points.host[0]), "hostB");

	A.info.fingerprint = B.info.fingerprint = HS_FINGERPRINT_VERSION;
	snprintf(A.info.run_id, sizeof(A.info.run_id), "hostA-1-1");
	snprintf(B.info.run_id, sizeof(B.info.run_id), "hostB-2-2");
	snprintf(A.info.host, sizeof(A.info.host), "hostA");
	snprintf(B.info.host, sizeof(B.info.host), "hostB");
	snprintf(A.info.kernel, sizeof(A.info.kernel), "6.18.0");
	snprintf(B.info.kernel, sizeof(B.info.kernel), "6.18.0");
	A.info.clock = B.info.clock = clock;
	/* realtime = record time + realtime_offset on each host */
	A.info.realtime_offset_ns = REALTIME_A;
	B.info.realtime_offset_ns = REALTIME_A - OFFSET + coarse_error;
	A.info.cfg = B.info.cfg =
		(struct hs_session_config){ .window_ns = WINDOW,
					    .max_inflight = 1024 };
	A.info.sample_one_in = B.info.sample_one_in = 1;
}

static void sight(struct host *h, uint16_t point, int64_t ts, uint64_t fp)
{
	cr_assert_lt(h->n, MAX_REC);
	cr_assert_gt(ts, 0);
	h->rec[h->n++] = (struct hs_record){ .ts_ns = (uint64_t)ts,
					     .fingerprint = fp,
					     .flow_hash = (uint32_t)(fp >> 12),
					     .point_id = point,
					     .ip_len = 92,
					     .proto = 17 };
}

#define FP_AB 0xAB000ULL
#define FP_BA 0xBA000ULL
#define FP_LOCAL 0xCC000ULL

/* Packet i from A to B, leaving snd at time t on A's clock: B stamps
 * with its own clock, shift (OFFSET, or 0 for synchronised TAI) ahead. */
static void packet_ab(unsigned int i, int64_t t, int64_t shift)
{
	int64_t out = t + 12 * US, in = out + delay_ab(i) + shift;

	sight(&A, 0, t, FP_AB + i);
	sight(&A, 1, t + 2 * US, FP_AB + i);
	sight(&A, 2, out, FP_AB + i);
	sight(&B, 0, in, FP_AB + i);
	sight(&B, 1, in + 15 * US, FP_AB + i);
	sight(&B, 2, in + 17 * US, FP_AB + i);
}

static void packet_ba(unsigned int j, int64_t t, int64_t shift)
{
	int64_t out = t + 12 * US, in = out + delay_ba(j);

	sight(&B, 3, t + shift, FP_BA + j);
	sight(&B, 4, t + 2 * US + shift, FP_BA + j);
	sight(&B, 5, out + shift, FP_BA + j);
	sight(&A, 3, in, FP_BA + j);
	sight(&A, 4, in + 15 * US, FP_BA + j);
	sight(&A, 5, in + 17 * US, FP_BA + j);
}

/* A stream each way (or one), a packet a millisecond, and packets that
 * stay on A: never a gap between the hosts. */
static void traffic(bool ab, bool ba, int64_t shift)
{
	unsigned int i;

	for (i = 0; i < N; i++) {
		if (ab)
			packet_ab(i, 10 * MS + i * MS, shift);
		if (ba)
			packet_ba(i, 10 * MS + i * MS + MS / 2, shift);
	}
	for (i = 0; i < 5; i++) {
		sight(&A, 0, 10 * MS + i * 7 * MS + 300 * US, FP_LOCAL + i);
		sight(&A, 1, 10 * MS + i * 7 * MS + 302 * US, FP_LOCAL + i);
	}
}

static int estimate(struct hs_join_clock *jc)
{
	struct hs_join_side a = { &A.info, &A.points, A.rec, A.n };
	struct hs_join_side b = { &B.info, &B.points, B.rec, B.n };

	return hs_join_estimate(&a, &b, WINDOW, jc);
}

static void expect_min_delay(const struct hs_join_clock *jc, uint64_t ab,
			     uint64_t ba)
{
	cr_assert_eq(jc->method, HS_JOIN_MIN_DELAY);
	cr_assert_eq(jc->offset_ns, WANT_OFFSET, "offset %lld, want %lld",
		     (long long)jc->offset_ns, (long long)WANT_OFFSET);
	cr_assert_eq(jc->uncertainty_ns, WANT_UNCERTAINTY,
		     "uncertainty %lld, want %lld",
		     (long long)jc->uncertainty_ns,
		     (long long)WANT_UNCERTAINTY);
	cr_assert_eq(jc->packets_ab, ab);
	cr_assert_eq(jc->packets_ba, ba);
}

/* ---- the estimate ---- */

Test(join, both_ways_give_the_offset_and_its_uncertainty)
{
	struct hs_join_clock jc;

	/* the numbers themselves: 3.69 ms, +- 50 us, the truth within */
	cr_assert_eq(WANT_OFFSET, OFFSET - 10 * US);
	cr_assert_eq(WANT_UNCERTAINTY, 50 * US);
	make_hosts(HS_CLOCK_MONOTONIC, 0);
	traffic(true, true, OFFSET);
	cr_assert_eq(estimate(&jc), 0);
	expect_min_delay(&jc, N, N);
	/* the smallest gaps, on the headers' clocks (here exact) */
	cr_assert_eq(jc.min_ab_ns, MIN_AB);
	cr_assert_eq(jc.min_ba_ns, MIN_BA);
	cr_assert_leq(llabs(jc.offset_ns - OFFSET), jc.uncertainty_ns);
}

Test(join, the_headers_realtime_error_does_not_matter)
{
	/* NTP a little off either way, and off by more than the delays:
	 * then B's clock puts packets in before they left A, and only the
	 * hooks say which way they went */
	static const int64_t errors[] = { 250 * US, -250 * US, 5 * MS, -5 * MS,
					  1 };
	struct hs_join_clock jc;
	unsigned int k;

	for (k = 0; k < sizeof(errors) / sizeof(errors[0]); k++) {
		memset(&A, 0, sizeof(A));
		memset(&B, 0, sizeof(B));
		make_hosts(HS_CLOCK_MONOTONIC, errors[k]);
		traffic(true, true, OFFSET);
		cr_assert_eq(estimate(&jc), 0);
		expect_min_delay(&jc, N, N);
		/* the gaps are taken after the coarse correction */
		cr_assert_eq(jc.min_ab_ns, MIN_AB + errors[k]);
		cr_assert_eq(jc.min_ba_ns, MIN_BA - errors[k]);
	}
}

Test(join, records_in_any_order)
{
	struct hs_join_clock jc;
	size_t i;

	make_hosts(HS_CLOCK_MONOTONIC, 250 * US);
	traffic(true, true, OFFSET);
	for (i = 0; i < A.n / 2; i++) {
		struct hs_record r = A.rec[i];

		A.rec[i] = A.rec[A.n - 1 - i];
		A.rec[A.n - 1 - i] = r;
	}
	for (i = 0; i + 1 < B.n; i += 2) {
		struct hs_record r = B.rec[i];

		B.rec[i] = B.rec[i + 1];
		B.rec[i + 1] = r;
	}
	cr_assert_eq(estimate(&jc), 0);
	expect_min_delay(&jc, N, N);
}

Test(join, tai_is_taken_as_it_is)
{
	struct hs_join_clock jc;

	/* synchronised clocks, whatever the realtime offsets say */
	make_hosts(HS_CLOCK_TAI, 0);
	B.info.realtime_offset_ns = REALTIME_A - 7 * MS;
	traffic(true, true, 0);
	cr_assert_eq(estimate(&jc), 0);
	cr_assert_eq(jc.method, HS_JOIN_TAI);
	cr_assert_eq(jc.offset_ns, 0);
	cr_assert_eq(jc.uncertainty_ns, -1);
	cr_assert_eq(jc.packets_ab, N);
	cr_assert_eq(jc.packets_ba, N);

	/* even when the records would say otherwise */
	memset(&A, 0, sizeof(A));
	memset(&B, 0, sizeof(B));
	make_hosts(HS_CLOCK_TAI, 0);
	traffic(true, true, OFFSET);
	cr_assert_eq(estimate(&jc), 0);
	cr_assert_eq(jc.method, HS_JOIN_TAI);
	cr_assert_eq(jc.offset_ns, 0);
}

Test(join, tai_on_one_host_only_is_no_tai)
{
	struct hs_join_clock jc;

	make_hosts(HS_CLOCK_MONOTONIC, 0);
	B.info.clock = HS_CLOCK_TAI;
	traffic(true, true, OFFSET);
	cr_assert_eq(estimate(&jc), 0);
	expect_min_delay(&jc, N, N);
}

Test(join, one_way_trusts_the_realtime_clocks)
{
	struct hs_join_clock jc;

	make_hosts(HS_CLOCK_MONOTONIC, 250 * US);
	traffic(true, false, OFFSET);
	cr_assert_eq(estimate(&jc), 0);
	cr_assert_eq(jc.method, HS_JOIN_REALTIME);
	cr_assert_eq(jc.uncertainty_ns, -1);
	/* the headers' offset, A's realtime offset minus B's */
	cr_assert_eq(jc.offset_ns, OFFSET - 250 * US);
	cr_assert_eq(jc.packets_ab, N);
	cr_assert_eq(jc.packets_ba, 0);

	memset(&A, 0, sizeof(A));
	memset(&B, 0, sizeof(B));
	make_hosts(HS_CLOCK_MONOTONIC, -3 * US);
	traffic(false, true, OFFSET);
	cr_assert_eq(estimate(&jc), 0);
	cr_assert_eq(jc.method, HS_JOIN_REALTIME);
	cr_assert_eq(jc.uncertainty_ns, -1);
	cr_assert_eq(jc.offset_ns, OFFSET + 3 * US);
	cr_assert_eq(jc.packets_ab, 0);
	cr_assert_eq(jc.packets_ba, N);
}

Test(join, no_crossing_at_all_is_realtime)
{
	struct hs_join_clock jc;

	make_hosts(HS_CLOCK_MONOTONIC, 0);
	traffic(false, false, OFFSET);
	cr_assert_eq(estimate(&jc), 0);
	cr_assert_eq(jc.method, HS_JOIN_REALTIME);
	cr_assert_eq(jc.offset_ns, OFFSET);
	cr_assert_eq(jc.packets_ab + jc.packets_ba, 0);
}

/*
 * One more packet from A to B whose gap, 1 us, would be the smallest
 * and move the estimate; its sightings on one host span `span`.
 */
static void long_lived(bool on_a, int64_t span)
{
	const uint64_t fp = 0xDD000;
	int64_t t = 80 * MS;

	if (on_a) {
		sight(&A, 0, t, fp);
		sight(&A, 2, t + span, fp);
		sight(&B, 0, t + span + 1 * US + OFFSET, fp);
	} else {
		sight(&A, 2, t, fp);
		sight(&B, 0, t + 1 * US + OFFSET, fp);
		sight(&B, 2, t + 1 * US + OFFSET + span, fp);
	}
}

Test(join, a_fingerprint_seen_over_more_than_the_window_is_ignored)
{
	struct hs_join_clock jc;
	unsigned int k;

	for (k = 0; k < 2; k++) {
		bool on_a = k == 0;

		/* over the window on one host: two packets, no gap */
		memset(&A, 0, sizeof(A));
		memset(&B, 0, sizeof(B));
		make_hosts(HS_CLOCK_MONOTONIC, 0);
		traffic(true, true, OFFSET);
		long_lived(on_a, WINDOW + 1);
		cr_assert_eq(estimate(&jc), 0);
		expect_min_delay(&jc, N, N);

		/* exactly the window: one packet, and it counts */
		memset(&A, 0, sizeof(A));
		memset(&B, 0, sizeof(B));
		make_hosts(HS_CLOCK_MONOTONIC, 0);
		traffic(true, true, OFFSET);
		long_lived(on_a, WINDOW);
		cr_assert_eq(estimate(&jc), 0);
		cr_assert_eq(jc.packets_ab, N + 1, "%s", on_a ? "A" : "B");
		cr_assert_eq(jc.min_ab_ns, 1 * US);
		cr_assert_eq(jc.offset_ns,
			     ((1 * US + OFFSET) - (MIN_BA - OFFSET)) / 2);
	}
}

Test(join, hooks_decide_the_direction_clocks_only_where_both_fit)
{
	struct hs_join_clock jc;
	unsigned int i;

	/*
	 * Both hosts forward: a packet enters each at an ingress hook and
	 * leaves at an egress one, so either way fits the hooks and the
	 * clocks must tell. A to B: A's gw in and out, then B's fw in and
	 * out; B to A the other way round.
	 */
	make_hosts(HS_CLOCK_MONOTONIC, 20 * US);
	for (i = 0; i < N; i++) {
		int64_t t = 10 * MS + i * MS, u = t + MS / 2;
		int64_t in = t + 10 * US + delay_ab(i) + OFFSET;
		int64_t back = u + 10 * US + delay_ba(i);

		sight(&A, 1, t, FP_AB + i);
		sight(&A, 2, t + 10 * US, FP_AB + i);
		sight(&B, 0, in, FP_AB + i);
		sight(&B, 1, in + 15 * US, FP_AB + i);

		sight(&B, 4, u + OFFSET, FP_BA + i);
		sight(&B, 5, u + 10 * US + OFFSET, FP_BA + i);
		sight(&A, 3, back, FP_BA + i);
		sight(&A, 4, back + 15 * US, FP_BA + i);
	}
	cr_assert_eq(estimate(&jc), 0);
	expect_min_delay(&jc, N, N);
}

/* ---- two record files joined, end to end ---- */

/*
 * with_drops: the file also says the ring buffer dropped nothing (a drops
 * frame that changes nothing), as a live run's may. Files both with and
 * without such frames are joined: without any, join.c once handed
 * memcpy a NULL array (files_without_drops_frames holds it to that).
 */
/* A NAT hop's name host B's file carries, when its text is set. */
static struct hs_frame_nat_name nat_name_b;

static void write_file(const char *path, const struct host *h,
		       int64_t clock_shift, bool with_drops)
{
	struct hs_frame_drops none = { .total = 0, .point = 0 };
	struct hs_frame_time armed = { (uint64_t)(9 * MS + clock_shift) };
	struct hs_frame_time ready = { (uint64_t)(9500 * US + clock_shift) };
	struct {
		struct hs_frame_report rep;
		struct hs_counters c[6];
	} report = { .rep = { .final = 1, .n_points = 6, .elapsed_s = 0.1 } };
	struct hs_frame_time end;
	struct hs_rec_writer *w;
	struct hs_record sorted[MAX_REC];
	char err[256], *header;
	size_t i, k;

	/* a run writes its records in time order */
	memcpy(sorted, h->rec, h->n * sizeof(sorted[0]));
	for (i = 1; i < h->n; i++)
		for (k = i; k > 0 && sorted[k - 1].ts_ns > sorted[k].ts_ns;
		     k--) {
			struct hs_record r = sorted[k];

			sorted[k] = sorted[k - 1];
			sorted[k - 1] = r;
		}
	header = hs_run_info_to_json(&h->info, &h->points);
	cr_assert_not_null(header);
	cr_assert_eq(hs_rec_create(&w, path, header, err, sizeof(err)), 0, "%s",
		     err);
	free(header);
	cr_assert_eq(hs_rec_put(w, HS_FRAME_ARMED, &armed, sizeof(armed)), 0);
	cr_assert_eq(hs_rec_put(w, HS_FRAME_READY, &ready, sizeof(ready)), 0);
	if (h == &B && nat_name_b.text[0])
		cr_assert_eq(hs_rec_put(w, HS_FRAME_NAT_NAME, &nat_name_b,
					sizeof(nat_name_b)),
			     0);
	none.from = none.to = ready.ts_ns;
	if (with_drops)
		cr_assert_eq(hs_rec_put(w, HS_FRAME_DROPS, &none, sizeof(none)),
			     0);
	for (i = 0; i < h->n; i++) {
		cr_assert_eq(hs_rec_put_record(w, &sorted[i]), 0);
		report.c[sorted[i].point_id].seen++;
		report.c[sorted[i].point_id].recorded++;
	}
	end.ts_ns = sorted[h->n - 1].ts_ns + MS;
	cr_assert_eq(hs_rec_put(w, HS_FRAME_END, &end, sizeof(end)), 0);
	cr_assert_eq(hs_rec_put(w, HS_FRAME_REPORT, &report, sizeof(report)),
		     0);
	cr_assert_eq(hs_rec_close(w), 0);
}

/* Write both hosts' files, join them, and read the JSON lines. */
static int join_files_drops(int64_t shift, bool with_drops)
{
	struct hs_output out = {};
	struct hs_rec_run ra = { .n = 1 }, rb = { .n = 1 };
	struct hs_sink sink;
	const char *p, *nl;
	int ret;

	cr_assert_not_null(mkdtemp(dir));
	dir_made = true;
	snprintf(path_a, sizeof(path_a), "%s/a.hsr", dir);
	snprintf(path_b, sizeof(path_b), "%s/b.hsr", dir);
	write_file(path_a, &A, 0, with_drops);
	write_file(path_b, &B, shift, with_drops);
	cr_assert_eq(hs_rec_part_open(path_a, &part_a), 0);
	cr_assert_eq(hs_rec_part_open(path_b, &part_b), 0);
	ra.part[0] = part_a;
	rb.part[0] = part_b;
	mem = open_memstream(&text, &text_len);
	cr_assert_not_null(mem);
	out.json = mem;
	hs_output_sink(&out, &sink);
	ret = hs_join_runs((struct hs_rec_run[]){ ra, rb }, 2, NULL, &sink);
	cr_assert_not(out.failed);
	cr_assert_eq(fclose(mem), 0);
	mem = NULL;
	for (p = text; p && *p; p = nl + 1) {
		nl = strchr(p, '\n');
		cr_assert_not_null(nl);
		cr_assert_lt(n_lines, MAX_LINES);
		lines[n_lines] =
			json_tokener_parse(strndupa(p, (size_t)(nl - p)));
		cr_assert_not_null(lines[n_lines], "not JSON: %.*s",
				   (int)(nl - p), p);
		n_lines++;
	}
	return ret;
}

static int join_files(int64_t shift)
{
	return join_files_drops(shift, true);
}

static const char *line_text(json_object *o)
{
	return json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN);
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
	return json_object_get_int64(field(o, key));
}

static const char *str(json_object *o, const char *key)
{
	return json_object_get_string(field(o, key));
}

static bool is(json_object *o, const char *type)
{
	return !strcmp(str(o, "type"), type);
}

static json_object *only(const char *type)
{
	json_object *found = NULL;
	unsigned int i;

	for (i = 0; i < n_lines; i++) {
		if (!is(lines[i], type))
			continue;
		cr_assert_null(found, "more than one %s line", type);
		found = lines[i];
	}
	cr_assert_not_null(found, "no %s line", type);
	return found;
}

static json_object *hop(int64_t from, int64_t to)
{
	unsigned int i;

	for (i = 0; i < n_lines; i++)
		if (is(lines[i], "hop") && num(lines[i], "from") == from &&
		    num(lines[i], "to") == to)
			return lines[i];
	cr_assert_fail("no hop %lld -> %lld", (long long)from, (long long)to);
	return NULL;
}

/* The path over exactly these joined point ids. */
static json_object *path(const int *ids, size_t n)
{
	unsigned int i;
	size_t k;

	for (i = 0; i < n_lines; i++) {
		json_object *pts;

		if (!is(lines[i], "path"))
			continue;
		pts = field(lines[i], "points");
		if (json_object_array_length(pts) != n)
			continue;
		for (k = 0; k < n; k++)
			if (json_object_get_int(json_object_array_get_idx(
				    pts, k)) != ids[k])
				break;
		if (k == n)
			return lines[i];
	}
	cr_assert_fail("no path over those points");
	return NULL;
}

/* B's point k in the joined run: after A's six */
#define JB(k) (6 + (k))

/* The hop between the hosts: kind network, every packet, the delays. */
static void expect_network_hop(int64_t from, int64_t to, const char *via,
			       int64_t min, int64_t max, int64_t uncertainty)
{
	json_object *o = hop(from, to);

	cr_assert_str_eq(str(o, "kind"), "network", "%s", line_text(o));
	cr_assert_str_eq(str(o, "via"), via);
	cr_assert_eq(num(o, "packets"), N, "%s", line_text(o));
	cr_assert_eq(num(field(o, "delay_ns"), "min"), min, "%s", line_text(o));
	cr_assert_eq(num(field(o, "delay_ns"), "max"), max, "%s", line_text(o));
	cr_assert_eq(num(o, "delay_uncertainty_ns"), uncertainty);
	cr_assert_not(json_object_object_get_ex(o, "negative_delays", NULL),
		      "%s", line_text(o));
}

/*
 * B's fw masquerades what goes from A to B: past fw:eth0 its packets have
 * another fingerprint and flow, the NAT key the same. Joined, the hop
 * through fw is of kind nat, named as B's file names the rewrite.
 */
Test(join, a_nat_hop_keeps_its_name)
{
	const uint32_t out_flow = 0x5e6f7a8bu;
	size_t i;

	make_hosts(HS_CLOCK_MONOTONIC, 0);
	traffic(true, true, OFFSET);
	for (i = 0; i < A.n; i++)
		A.rec[i].nat_key = A.rec[i].fingerprint ^ 0x77;
	for (i = 0; i < B.n; i++) {
		struct hs_record *r = &B.rec[i];

		r->nat_key = r->fingerprint ^ 0x77;
		if ((r->fingerprint & ~0xfffULL) == FP_AB &&
		    (r->point_id == 1 || r->point_id == 2)) {
			r->fingerprint += 0x500000;
			r->flow_hash = out_flow;
		}
	}
	nat_name_b = (struct hs_frame_nat_name){
		.flow_in = (uint32_t)(FP_AB >> 12), .flow_out = out_flow
	};
	snprintf(nat_name_b.text, sizeof(nat_name_b.text),
		 "198.18.0.1:5000 -> 198.18.9.1:61000");
	cr_assert_eq(join_files(OFFSET), HS_EXIT_OK);
	cr_assert_str_eq(str(hop(JB(0), JB(1)), "kind"), "nat");
	cr_assert_str_eq(str(hop(JB(0), JB(1)), "via"),
			 "198.18.0.1:5000 -> 198.18.9.1:61000");
	cr_assert_eq(num(hop(JB(0), JB(1)), "packets"), N);
	cr_assert_str_eq(str(hop(JB(1), JB(2)), "kind"), "wire");
}

Test(join, two_record_files_joined_with_the_offset_recovered)
{
	static const int out_ids[] = { 0, 1, 2, JB(0), JB(1), JB(2) };
	static const int back_ids[] = { JB(3), JB(4), JB(5), 3, 4, 5 };
	json_object *o;
	unsigned int i, points = 0;

	make_hosts(HS_CLOCK_MONOTONIC, 250 * US);
	traffic(true, true, OFFSET);
	cr_assert_eq(join_files(OFFSET), HS_EXIT_OK);

	o = only("clock");
	cr_assert_str_eq(str(o, "method"), "min-delay");
	cr_assert_eq(num(o, "offset_ns"), WANT_OFFSET);
	cr_assert_eq(num(o, "uncertainty_ns"), WANT_UNCERTAINTY);
	cr_assert_eq(num(o, "packets_ab"), N);
	cr_assert_eq(num(o, "packets_ba"), N);
	cr_assert_str_eq(str(o, "host_a"), "hostA");
	cr_assert_str_eq(str(o, "host_b"), "hostB");

	/* the offset splits the asymmetry: each way 10 us off its truth,
	 * both within the uncertainty, none below 0 */
	expect_network_hop(2, JB(0), "hostA -> hostB", MIN_AB + 10 * US,
			   MIN_AB + 6 * US + 10 * US, WANT_UNCERTAINTY);
	expect_network_hop(JB(5), 3, "hostB -> hostA", MIN_BA - 10 * US,
			   MIN_BA + 8 * US - 10 * US, WANT_UNCERTAINTY);
	/* on one host the delays are as they were */
	o = hop(JB(0), JB(1));
	cr_assert_str_neq(str(o, "kind"), "network");
	cr_assert_eq(num(field(o, "delay_ns"), "min"), 15 * US);
	cr_assert_not(
		json_object_object_get_ex(o, "delay_uncertainty_ns", NULL));
	cr_assert_eq(num(field(hop(0, 1), "delay_ns"), "max"), 2 * US);

	/* one path each way across both hosts, every packet */
	cr_assert_eq(num(path(out_ids, 6), "packets"), N);
	cr_assert_eq(num(path(back_ids, 6), "packets"), N);
	cr_assert_eq(num(path(out_ids, 6), "lost"), 0);

	/* the points of both, named by host; B's counters under B's ids */
	for (i = 0; i < n_lines; i++) {
		o = lines[i];
		if (is(o, "point")) {
			points++;
			cr_assert_str_eq(str(o, "host"),
					 num(o, "id") < 6 ? "hostA" : "hostB");
		}
		if (is(o, "counters") && num(o, "point") == JB(0))
			cr_assert_eq(num(o, "seen"), N);
	}
	cr_assert_eq(points, 12);
	o = only("pipeline");
	/* every packet one trajectory across both hosts, the local ones too */
	cr_assert_eq(num(o, "trajectories"), 2 * N + 5);
	cr_assert_eq(num(o, "records"), (int64_t)(A.n + B.n));
}

Test(join, tai_files_joined_as_they_are)
{
	make_hosts(HS_CLOCK_TAI, 0);
	traffic(true, true, 0);
	cr_assert_eq(join_files(0), HS_EXIT_OK);
	cr_assert_str_eq(str(only("clock"), "method"), "tai");
	cr_assert_eq(num(only("clock"), "offset_ns"), 0);
	/* the true delays, with an unknown uncertainty */
	expect_network_hop(2, JB(0), "hostA -> hostB", MIN_AB, MIN_AB + 6 * US,
			   -1);
	expect_network_hop(JB(5), 3, "hostB -> hostA", MIN_BA, MIN_BA + 8 * US,
			   -1);
}

Test(join, one_way_files_trust_the_realtime_clocks)
{
	make_hosts(HS_CLOCK_MONOTONIC, 20 * US);
	traffic(true, false, OFFSET);
	cr_assert_eq(join_files(OFFSET), HS_EXIT_OK);
	cr_assert_str_eq(str(only("clock"), "method"), "realtime");
	cr_assert_eq(num(only("clock"), "uncertainty_ns"), -1);
	cr_assert_eq(num(only("clock"), "offset_ns"), OFFSET - 20 * US);
	/* the headers' 20 us error lands on the delay */
	expect_network_hop(2, JB(0), "hostA -> hostB", MIN_AB + 20 * US,
			   MIN_AB + 6 * US + 20 * US, -1);
}

Test(join, one_machine_two_runs_named_by_their_files)
{
	make_hosts(HS_CLOCK_MONOTONIC, 0);
	snprintf(A.info.host, sizeof(A.info.host), "vm");
	snprintf(B.info.host, sizeof(B.info.host), "vm");
	traffic(true, true, OFFSET);
	cr_assert_eq(join_files(OFFSET), HS_EXIT_OK);
	cr_assert_str_eq(str(only("clock"), "host_a"), "a");
	cr_assert_str_eq(str(only("clock"), "host_b"), "b");
	cr_assert_str_eq(str(hop(2, JB(0)), "via"), "a -> b");
}

Test(join, files_without_drops_frames)
{
	make_hosts(HS_CLOCK_MONOTONIC, 0);
	traffic(true, true, OFFSET);
	cr_assert_eq(join_files_drops(OFFSET, false), HS_EXIT_OK);
	cr_assert_eq(num(only("clock"), "offset_ns"), WANT_OFFSET);
}

/* Files whose probes fingerprint packets differently can never match: the
 * join is refused, not run to an empty report. */
Test(join, files_of_two_fingerprint_versions_refused)
{
	make_hosts(HS_CLOCK_MONOTONIC, 0);
	traffic(true, true, OFFSET);
	cr_assert_eq(A.info.fingerprint, HS_FINGERPRINT_VERSION);
	B.info.fingerprint = 1;
	cr_assert_eq(join_files(OFFSET), HS_EXIT_USAGE);
	cr_assert_eq(n_lines, 0);
}

/* ---- placing N hosts' clocks from their pairs' gaps ---- */

/* Gaps made from true offsets and true smallest delays: g_ij = t_ij +
 * (off_j - off_i); t < 0 means no packet went from i to j. */
static void true_gaps(struct hs_join_gaps *g, unsigned int n,
		      const int64_t *off, const int64_t t[][HS_MAX_HOSTS])
{
	unsigned int i, j;

	memset(g, 0, sizeof(*g));
	g->n_hosts = n;
	for (i = 0; i < n; i++)
		for (j = 0; j < n; j++)
			if (i != j && t[i][j] >= 0) {
				g->packets[i][j] = 10;
				g->gap[i][j] = t[i][j] + off[j] - off[i];
			}
}

/* Every offset and every pair's delay within the uncertainty stated. */
static void expect_within(const struct hs_join_clocks *c, unsigned int n,
			  const int64_t *off)
{
	unsigned int a, b;

	for (a = 0; a < n; a++) {
		int64_t err = c->host[a].offset_ns - off[a];

		cr_assert_eq(c->host[a].method,
			     a ? HS_JOIN_MIN_DELAY : c->host[a].method);
		if (a)
			cr_assert_leq(llabs(err), c->host[a].uncertainty_ns,
				      "host %u: offset %lld, true %lld, +- %lld",
				      a, (long long)c->host[a].offset_ns,
				      (long long)off[a],
				      (long long)c->host[a].uncertainty_ns);
		for (b = 0; b < n; b++) {
			int64_t est = c->host[b].offset_ns -
				      c->host[a].offset_ns;

			if (a == b)
				continue;
			cr_assert_geq(c->pair[a][b].uncertainty_ns, 0);
			cr_assert_leq(llabs(est - (off[b] - off[a])),
				      c->pair[a][b].uncertainty_ns,
				      "%u -> %u: %lld, true %lld, +- %lld", a,
				      b, (long long)est,
				      (long long)(off[b] - off[a]),
				      (long long)c->pair[a][b].uncertainty_ns);
		}
	}
}

/* Two hosts, both ways: the classic estimate. */
Test(join_solve, two_hosts_both_ways)
{
	const int64_t off[2] = { 0, 50 };
	const int64_t t[2][HS_MAX_HOSTS] = { { 0, 100 }, { 100, 0 } };
	struct hs_join_gaps g;
	struct hs_join_clocks c;

	true_gaps(&g, 2, off, t);
	cr_assert(hs_join_solve(&g, &c));
	cr_assert_eq(c.host[1].offset_ns, 50);
	cr_assert_eq(c.host[1].uncertainty_ns, 100);
	cr_assert_eq(c.host[1].min_ab_ns, 150);
	cr_assert_eq(c.host[1].min_ba_ns, 50);
}

/*
 * The paper's Fig. 7: sender S -> VNF host V -> receiver R, replies
 * straight back R -> S. No pair but S-R has traffic both ways, yet every
 * host is placed, V through the loop S -> V -> R -> S.
 */
Test(join_solve, three_hosts_replies_straight_back)
{
	/* S, V, R; S -> R is seen too (the packet on both ends), with V's
	 * 20 ns of residence in it */
	const int64_t off[3] = { 0, 1000, -500 };
	const int64_t t[3][HS_MAX_HOSTS] = {
		{ 0, 100, 220 },
		{ -1, 0, 100 },
		{ 100, -1, 0 },
	};
	struct hs_join_gaps g;
	struct hs_join_clocks c;

	true_gaps(&g, 3, off, t);
	cr_assert(hs_join_solve(&g, &c));
	expect_within(&c, 3, off);
	/* V: R_V in [1100 - 300, 1100] = [800, 1100] */
	cr_assert_eq(c.host[1].offset_ns, 950);
	cr_assert_eq(c.host[1].uncertainty_ns, 150);
	cr_assert_eq(c.host[2].offset_ns, -450);
	cr_assert_eq(c.pair[1][2].uncertainty_ns, 300);
	/* V and S saw packets one way only: the direct counts say so */
	cr_assert_eq(c.host[1].packets_ab, 10);
	cr_assert_eq(c.host[1].packets_ba, 0);
}

/* Random chains of up to 8 hosts, each link both ways or one way round a
 * loop: whatever the offsets, the truth lies within what is stated. */
Test(join_solve, random_chains_hold_the_truth)
{
	unsigned int round, n, i, j;

	srand(7);
	for (round = 0; round < 500; round++) {
		int64_t off[HS_MAX_HOSTS], t[HS_MAX_HOSTS][HS_MAX_HOSTS];
		struct hs_join_gaps g;
		struct hs_join_clocks c;

		n = 2 + (unsigned int)rand() % (HS_MAX_HOSTS - 1);
		for (i = 0; i < n; i++) {
			off[i] = i ? rand() % 2000000 - 1000000 : 0;
			for (j = 0; j < n; j++)
				t[i][j] = -1;
		}
		/* forward along the chain, back from its end to the start,
		 * and some links both ways */
		for (i = 0; i + 1 < n; i++) {
			t[i][i + 1] = 1000 + rand() % 50000;
			if (rand() % 3 == 0)
				t[i + 1][i] = 1000 + rand() % 50000;
		}
		t[n - 1][0] = 1000 + rand() % 50000;
		true_gaps(&g, n, off, t);
		cr_assert(hs_join_solve(&g, &c));
		expect_within(&c, n, off);
	}
}

/* No way back to host 0: the realtime clocks, the uncertainty unknown;
 * TAI: taken as is. */
Test(join_solve, one_way_realtime_and_tai)
{
	const int64_t off[2] = { 0, 50 };
	const int64_t t[2][HS_MAX_HOSTS] = { { 0, 100 }, { -1, 0 } };
	struct hs_join_gaps g;
	struct hs_join_clocks c;

	true_gaps(&g, 2, off, t);
	g.coarse[1] = 7;
	cr_assert(hs_join_solve(&g, &c));
	cr_assert_eq(c.host[1].method, HS_JOIN_REALTIME);
	cr_assert_eq(c.host[1].offset_ns, 7);
	cr_assert_eq(c.host[1].uncertainty_ns, -1);
	cr_assert_eq(c.pair[0][1].method, HS_JOIN_REALTIME);
	g.tai = true;
	g.coarse[1] = 0;
	cr_assert(hs_join_solve(&g, &c));
	cr_assert_eq(c.host[1].method, HS_JOIN_TAI);
	cr_assert_eq(c.host[1].offset_ns, 0);
	cr_assert_eq(c.pair[1][0].method, HS_JOIN_TAI);
}

/* Gaps that add up to less than 0 around a loop (clocks that drifted):
 * said, and each host placed from its own gaps with host 0. */
Test(join_solve, a_loop_below_zero_is_said)
{
	struct hs_join_gaps g = { .n_hosts = 2 };
	struct hs_join_clocks c;

	g.packets[0][1] = g.packets[1][0] = 1;
	g.gap[0][1] = 100;
	g.gap[1][0] = -300;
	cr_assert_not(hs_join_solve(&g, &c));
	cr_assert_eq(c.host[1].offset_ns, 200);
	cr_assert_eq(c.host[1].uncertainty_ns, -100);
}
