// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "chain.h"
#include "scenario.h"

#define MS 1000000ULL
#define FLOW_MAIN 0x1111
#define FLOW_SIDE 0x2222
#define MAX_RECORDS 8192

/* A point of the scenario: up and running, its program numbered. */
static void point(struct hs_point_table *t, unsigned int id, const char *ns,
		  uint64_t inode, int ifindex, const char *ifname, int hook)
{
	struct hs_point_info *p =
		test_point(t, id, ns, inode, ifindex, ifname, hook);

	p->link.flags = 0x11043;
	p->prog_id = 100 + id;
}

static void ref(struct hs_link_ref *r, uint64_t inode, int ifindex,
		const char *ifname)
{
	r->netns_inode = inode;
	r->ifindex = ifindex;
	snprintf(r->ifname, sizeof(r->ifname), "%s", ifname);
}

/* snd:eth0 (2) <-> vnf1:eth0 (2); vnf1:eth1 (3) <-> sw:p1 (5); sw:p2 (6)
 * <-> rcv:eth0 (2); br0 (4) is the master of p1 and p2. */
void scenario_points(struct hs_point_table *t, bool joined)
{
	unsigned int i;

	memset(t, 0, sizeof(*t));
	t->n_hosts = 1;
	snprintf(t->host[0], sizeof(t->host[0]), "golden");
	point(t, 0, "snd", 1001, 2, "eth0", HS_HOOK_TC_EGRESS);
	ref(&t->p[0].link.peer, 1002, 2, "eth0");
	point(t, 1, "vnf1", 1002, 2, "eth0", HS_HOOK_TC_INGRESS);
	ref(&t->p[1].link.peer, 1001, 2, "eth0");
	point(t, 2, "vnf1", 1002, 3, "eth1", HS_HOOK_TC_EGRESS);
	ref(&t->p[2].link.peer, 1003, 5, "p1");
	point(t, 3, "sw", 1003, 5, "p1", HS_HOOK_TC_INGRESS);
	ref(&t->p[3].link.peer, 1002, 3, "eth1");
	ref(&t->p[3].link.master, 1003, 4, "br0");
	t->p[3].link.master_ifindex = 4;
	point(t, 4, "sw", 1003, 6, "p2", HS_HOOK_TC_EGRESS);
	ref(&t->p[4].link.peer, 1004, 2, "eth0");
	ref(&t->p[4].link.master, 1003, 4, "br0");
	t->p[4].link.master_ifindex = 4;
	point(t, 5, "rcv", 1004, 2, "eth0", HS_HOOK_XDP);
	snprintf(t->p[5].xdp_mode, sizeof(t->p[5].xdp_mode), "generic");
	ref(&t->p[5].link.peer, 1003, 6, "p2");
	point(t, 6, "rcv", 1004, 2, "eth0", HS_HOOK_TC_INGRESS);
	ref(&t->p[6].link.peer, 1003, 6, "p2");
	point(t, 7, "vnf1", 1002, 3, "eth1", HS_HOOK_XDP);
	t->p[7].skipped = true;
	ref(&t->p[7].link.peer, 1003, 5, "p1");
	if (!joined)
		return;
	t->n_hosts = 2;
	snprintf(t->host[0], sizeof(t->host[0]), "hostA");
	snprintf(t->host[1], sizeof(t->host[1]), "hostB");
	for (i = 4; i < t->n; i++)
		t->p[i].host = 1;
}

void scenario_info(struct hs_run_info *info)
{
	memset(info, 0, sizeof(*info));
	snprintf(info->run_id, sizeof(info->run_id), "golden-1-1");
	snprintf(info->host, sizeof(info->host), "golden");
	snprintf(info->kernel, sizeof(info->kernel), "6.18.0");
	info->clock = HS_CLOCK_MONOTONIC;
	info->realtime_offset_ns = 1700000000000000000LL;
	info->tai_offset_ns = 1700000037000000000LL;
	info->monotonic_offset_ns = 0;
	info->cfg.window_ns = 50 * MS;
	info->cfg.max_inflight = 1024;
	info->cfg.warmup_ns = 3 * MS;
	info->cfg.cooldown_ns = 4 * MS;
	info->sample_one_in = 1;
	snprintf(info->filter, sizeof(info->filter), "udp");
}

void scenario_clock(struct hs_join_clock *jc)
{
	*jc = (struct hs_join_clock){ .method = HS_JOIN_MIN_DELAY,
				      .offset_ns = 3700005,
				      .uncertainty_ns = 416,
				      .packets_ab = 180,
				      .packets_ba = 170 };
}

struct rec {
	uint64_t ts;
	uint16_t point;
	uint64_t fp;
	uint32_t flow;
};

static struct rec recs[MAX_RECORDS];
static unsigned int n_recs;

static void add(uint64_t ts, uint16_t point, uint64_t fp, uint32_t flow)
{
	if (n_recs < MAX_RECORDS)
		recs[n_recs++] = (struct rec){ ts, point, fp, flow };
}

static int by_ts(const void *a, const void *b)
{
	const struct rec *x = a, *y = b;

	return x->ts < y->ts ? -1 : x->ts > y->ts;
}

/*
 * 200 packets of the main flow, 1 ms apart, along points 0..6; every 25th
 * held 1.5 ms in vnf1 (overtaken: reordered), every 40th from the 79th on
 * lost between vnf1 and sw, every 60th copied at sw:p1. 20 packets of a
 * side flow only from vnf1:eth0 to vnf1:eth1. shift: added to the second
 * host's points (4 on).
 */
static void make_records(int64_t shift)
{
	unsigned int i;

	n_recs = 0;
	for (i = 0; i < 200; i++) {
		uint64_t t = 10 * MS + i * MS, fp = 0xA000000000ULL + i;
		uint64_t d[6] = {
			2000 + (i % 7) * 100,
			10000 + (i % 13) * 1000 + (i % 50 == 49 ? 400000 : 0),
			1500 + (i % 3) * 50,
			5000 + (i % 5) * 700,
			800 + (i % 4) * 20,
			300 + (i % 2) * 10
		};
		unsigned int k, n = 7;

		if (i % 25 == 12)
			d[1] += 1500000;
		if (i % 40 == 39 && i > 40)
			n = 3;
		for (k = 0; k < n; k++) {
			uint64_t ts =
				t + (shift && k >= 4 ? (uint64_t)shift : 0);

			add(ts, (uint16_t)k, fp, FLOW_MAIN);
			if (k == 3 && i % 60 == 30)
				add(ts + 100, (uint16_t)k, fp, FLOW_MAIN);
			if (k < 6)
				t += d[k];
		}
	}
	for (i = 0; i < 20; i++) {
		uint64_t t = 12 * MS + i * 10 * MS + 333;

		add(t, 1, 0xB000000000ULL + i, FLOW_SIDE);
		add(t + 7000 + i * 10, 2, 0xB000000000ULL + i, FLOW_SIDE);
	}
	qsort(recs, n_recs, sizeof(recs[0]), by_ts);
}

/* The probes' counters as the k-th report reads them. */
static void counters_for(struct hs_counters *c, unsigned int n, unsigned int k)
{
	unsigned int i;

	memset(c, 0, n * sizeof(*c));
	for (i = 0; i < n; i++) {
		c[i].seen = 300 * k + i * 3;
		c[i].filtered = 7 * k + i;
		c[i].parse_errors = i == 2 ? k : 0;
		c[i].sampled = 200 * k + i;
		c[i].recorded = 200 * k + i - (i == 4 ? 3 : 0);
		c[i].ringbuf_drops = i == 4 ? 3 : 0;
	}
}

/* Three trajectories whose joined delay from point 2 to 3 is below 0. */
static void fold_negative(struct hs_session *s)
{
	unsigned int i, k;

	for (i = 0; i < 3; i++) {
		struct hs_trajectory t = { .fingerprint = 0xC0 + i,
					   .first_ts = 9600000 + i * 1000,
					   .flow_hash = FLOW_MAIN,
					   .n = 4 };

		for (k = 0; k < 4; k++) {
			t.s[k].point = (uint16_t)(k + 1);
			t.s[k].ts_ns = t.first_ts + k * 5000 -
				       (k == 2 ? 8000 + i * 100 : 0);
		}
		hs_hops_fold(&t, &s->hops);
	}
}

/* Drains every 20 ms of record time, as the collector's timer makes
 * them, and what happens between. */
static void between_drains(struct hs_session *s, uint64_t horizon,
			   unsigned int *rep)
{
	struct hs_counters c[HS_MAX_POINTS];

	hs_session_horizon(s, horizon);
	if (horizon == 60 * MS)
		hs_session_drops(s, 4, 3, 58 * MS, 61 * MS);
	if (horizon == 100 * MS)
		hs_session_event(s, 4, "down");
	if (horizon == 120 * MS) {
		hs_session_event(s, 4, "up");
		hs_session_bad_record(s);
	}
	if (horizon == 80 * MS * *rep && *rep < 3) {
		counters_for(c, s->points->n, *rep);
		hs_session_report(s, false, *rep * 0.08, 0.08, c);
		(*rep)++;
	}
}

void scenario_feed(struct hs_session *s, bool joined)
{
	struct hs_counters c[HS_MAX_POINTS];
	struct hs_probe_cost cost[HS_MAX_POINTS] = {};
	uint64_t horizon = 20 * MS, last = 0;
	unsigned int i, rep = 1;
	struct hs_record r;

	make_records(joined ? -3000 : 0);
	if (joined)
		fold_negative(s);
	hs_session_armed(s, 9 * MS);
	hs_session_ready(s, 9500000);
	for (i = 0; i < n_recs; i++) {
		for (; recs[i].ts > horizon + 2 * MS; horizon += 20 * MS)
			between_drains(s, horizon, &rep);
		memset(&r, 0, sizeof(r));
		r.ts_ns = recs[i].ts;
		r.fingerprint = recs[i].fp;
		r.flow_hash = recs[i].flow;
		r.point_id = recs[i].point;
		r.ip_len = 92;
		r.proto = 17;
		hs_session_record(s, &r);
		last = recs[i].ts;
	}
	memset(&r, 0, sizeof(r));
	r.point_id = 200; /* past the table: malformed */
	hs_session_record(s, &r);
	hs_session_horizon(s, last);
	hs_session_end(s, last + MS);
	for (i = 0; i < s->points->n; i++) {
		cost[i].run_cnt = i == 7 ? 0 : 1000 + i;
		cost[i].run_time_ns =
			(s->points->p[i].hook == HS_HOOK_XDP ? 80 : 130) *
				(1000 + i) +
			i;
	}
	hs_session_cost(s, cost);
	counters_for(c, s->points->n, 3);
	hs_session_report(s, true, SCENARIO_ELAPSED_S, 0.055, c);
}

void scenario_fit(struct hs_fit_run *runs, unsigned int *n, struct hs_fit *fits)
{
	static const struct hs_fit_run study[3] = {
		{ "chain1.hsr",
		  1,
		  1000,
		  { 213640.4, 209920, 248830, 14260.2, 10960.7 } },
		{ "chain2.hsr",
		  2,
		  1000,
		  { 414350.1, 411650, 456700, 6500.5, 9180.3 } },
		{ "chain3.hsr",
		  3,
		  999,
		  { 607220.9, 603640, 618500, 3650.1, 3590.8 } },
	};
	double x[3] = { 1, 2, 3 }, y[3];
	unsigned int m, i;

	memcpy(runs, study, sizeof(study));
	*n = 3;
	for (m = 0; m < HS_FIT_METRICS; m++) {
		for (i = 0; i < 3; i++)
			y[i] = runs[i].value[m];
		hs_fit_line(x, y, 3, &fits[m]);
	}
}

/* ---- churn: containers come and go while the chain carries traffic ---- */

/* Container c's point at id: its eth0 tc-ingress, behind rcv. */
static void churn_point(struct hs_point_table *t, uint16_t id, unsigned int c)
{
	char ns[32];

	memset(&t->p[id], 0, sizeof(t->p[id]));
	snprintf(ns, sizeof(ns), "ctr%u", c);
	test_point(t, id, ns, 200 + c, 2, "eth0", HS_HOOK_TC_INGRESS);
	t->p[id].prog_id = 300 + c;
}

/* One packet at ts along points 0..3 and, when to_ctr, on to point id;
 * the hop into the container takes ctr_ns. */
static void churn_packet(struct hs_session *s, uint64_t ts, uint64_t fp,
			 bool to_ctr, uint16_t id, uint64_t ctr_ns)
{
	struct hs_record r = { .flow_hash = to_ctr ? FLOW_SIDE : FLOW_MAIN,
			       .ip_len = 92,
			       .proto = 17 };
	uint16_t k;

	r.fingerprint = fp;
	for (k = 0; k < 4; k++) {
		r.ts_ns = ts + k * (2000 + (fp % 5) * 100);
		r.point_id = k;
		hs_session_record(s, &r);
	}
	if (!to_ctr)
		return;
	r.ts_ns += ctr_ns + (fp % 3) * 50;
	r.point_id = id;
	hs_session_record(s, &r);
}

#define CHURN_CYCLE_MS 300

/* One container's life: added at base, traffic to it for 100 ms, removed
 * at 110 ms, its hops let go once expired; the chain's own traffic all
 * along, drains every 10 ms, and an interval report at the end. */
static int churn_cycle(struct hs_session *s, struct hs_point_table *t,
		       unsigned int c, uint64_t base, uint64_t expire_ns)
{
	struct hs_counters cnt[HS_MAX_POINTS] = {};
	uint16_t id = 4 + c % 2; /* two ids, taken in turn */
	unsigned int ms;

	if (!hs_session_point_reusable(s, id))
		return -1;
	churn_point(t, id, c);
	if (hs_session_point_added(s, id, base))
		return -1;
	for (ms = 0; ms < CHURN_CYCLE_MS; ms++) {
		uint64_t ts = base + ms * MS;

		churn_packet(s, ts, 0xD000000000ULL + c * 1000 + ms, ms < 100,
			     id, 1000 + c * 500);
		if (ms == 110 && hs_session_point_removed(s, id, ts))
			return -1;
		if (ms % 10 == 9) {
			hs_session_horizon(s, ts);
			hs_session_expire(s, ts, expire_ns);
		}
	}
	hs_session_report(s, false, (base + CHURN_CYCLE_MS * MS) / 1e9,
			  CHURN_CYCLE_MS / 1e3, cnt);
	return 0;
}

void scenario_churn_points(struct hs_point_table *t)
{
	static const char *const names[] = { "snd", "vnf1", "rcv" };

	test_chain(t, names, 3);
}

int scenario_churn_feed(struct hs_session *s, struct hs_point_table *t,
			unsigned int cycles, uint64_t expire_ns)
{
	struct hs_counters cnt[HS_MAX_POINTS] = {};
	uint64_t base = 10 * MS, end;
	unsigned int c;

	hs_session_armed(s, MS);
	hs_session_ready(s, MS);
	for (c = 0; c < cycles; c++, base += CHURN_CYCLE_MS * MS)
		if (churn_cycle(s, t, c, base, expire_ns))
			return -1;
	end = base + MS;
	hs_session_horizon(s, end);
	hs_session_end(s, end);
	hs_session_report(s, true, end / 1e9, CHURN_CYCLE_MS / 1e3, cnt);
	return 0;
}
