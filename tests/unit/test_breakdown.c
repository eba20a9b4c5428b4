// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * breakdown.c: each hop's share of a path's mean, p99 and jitter, from the
 * path's own segments, and the verdict sentence naming the bottleneck.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <criterion/criterion.h>
#include "analysis/breakdown.h"
#include "chain.h"
#include "analysis/hops.h"

static struct hs_hops h;
static struct hs_point_table t;

static void setup(void)
{
	cr_assert_eq(hs_hops_init(&h, 10000000), 0);
	static const char *const chain[] = { "snd", "vnf", "rcv" };

	/* snd:eth0 -veth- vnf:eth0 [VNF] vnf:eth1 -veth- rcv:eth0 */
	test_chain(&t, chain, 3);
}

static void teardown(void)
{
	hs_hops_free(&h);
}

TestSuite(breakdown, .init = setup, .fini = teardown);

/* One packet through the chain: wire 1 us, function f ns, wire 2 us. */
static void packet(uint64_t start, uint64_t f)
{
	struct hs_trajectory tr = {};
	uint64_t ts[4] = { start, start + 1000, start + 1000 + f,
			   start + 3000 + f };
	int i;

	tr.fingerprint = start;
	tr.flow_hash = 0xF;
	tr.first_ts = start;
	tr.n = 4;
	for (i = 0; i < 4; i++) {
		tr.s[i].point = (uint16_t)i;
		tr.s[i].ts_ns = ts[i];
	}
	hs_hops_fold(&tr, &h);
}

Test(breakdown, the_jittery_function_is_the_bottleneck)
{
	struct hs_breakdown b;
	char text[512];
	int i;

	/* the function takes 10 us and 20 us in turn */
	for (i = 0; i < 200; i++)
		packet(1000000 * (uint64_t)(i + 1), i % 2 ? 20000 : 10000);
	hs_hops_settle(&h, true);
	cr_assert_eq(h.n_paths, 1);
	cr_assert_eq(hs_breakdown(&h, &h.paths[0], true, &b), 0);
	cr_assert_eq(b.n, 3);
	cr_assert_eq(b.hop[1].from, 1);
	cr_assert_eq(b.hop[1].to, 2);
	cr_assert_eq(b.hop[1].packets, 200);
	/* means 1000, 15000, 2000 */
	cr_assert_float_eq(b.hop[1].mean_share, 15000.0 / 18000.0, 1e-9);
	cr_assert_float_eq(b.hop[0].mean_share, 1000.0 / 18000.0, 1e-9);
	/* p99s 1000, 20000, 2000 */
	cr_assert_float_eq(b.hop[1].p99_share, 20000.0 / 23000.0, 1e-9);
	/* the wires never vary: all the jitter is the function's */
	cr_assert_float_eq(b.hop[1].jitter_share, 1.0, 1e-12);
	cr_assert_float_eq(b.hop[0].jitter_share, 0.0, 1e-12);
	cr_assert_eq(b.p99_worst, 1);
	cr_assert_eq(b.jitter_worst, 1);
	cr_assert_eq(b.mean_worst, 1);
	cr_assert_eq(b.lost_worst, -1);
	hs_verdict(&b, &t, &h.paths[0], text, sizeof(text));
	cr_assert_str_eq(text,
			 "VNF vnf adds 87% of p99 delay and 100% of jitter on snd -> rcv");
}

Test(breakdown, shares_add_up_to_one)
{
	struct hs_breakdown b;
	double mean = 0, p99 = 0, jit = 0;
	unsigned int k;
	int i;

	for (i = 0; i < 100; i++)
		packet(1000000 * (uint64_t)(i + 1), 3000 + 997 * (uint64_t)(i % 7));
	hs_hops_settle(&h, true);
	cr_assert_eq(hs_breakdown(&h, &h.paths[0], true, &b), 0);
	for (k = 0; k < b.n; k++) {
		mean += b.hop[k].mean_share;
		p99 += b.hop[k].p99_share;
		jit += b.hop[k].jitter_share;
	}
	cr_assert_float_eq(mean, 1.0, 1e-9);
	cr_assert_float_eq(p99, 1.0, 1e-9);
	cr_assert_float_eq(jit, 1.0, 1e-9);
}

/* A wire that loses packets is named with both its ends. */
Test(breakdown, verdict_names_the_hop_that_loses)
{
	struct hs_trajectory tr = {};
	struct hs_breakdown b;
	char text[512];
	int i;

	for (i = 0; i < 10; i++)
		packet(1000000 * (uint64_t)(i + 1), 5000);
	/* seen at vnf:eth1 egress, never at rcv: lost on the last wire */
	tr.fingerprint = 0xABC;
	tr.flow_hash = 0xF;
	tr.first_ts = 20000000;
	tr.n = 3;
	for (i = 0; i < 3; i++) {
		tr.s[i].point = (uint16_t)i;
		tr.s[i].ts_ns = 20000000 + 1000 * (uint64_t)i;
	}
	hs_hops_fold(&tr, &h);
	hs_hops_settle(&h, true);
	cr_assert_eq(hs_breakdown(&h, &h.paths[0], true, &b), 0);
	cr_assert_eq(b.lost_worst, 2);
	cr_assert_eq(b.hop[2].lost, 1);
	hs_verdict(&b, &t, &h.paths[0], text, sizeof(text));
	cr_assert(strstr(text, "; the wire veth vnf:eth1 -> rcv:eth0 loses 1 packet"),
		  "verdict: %s", text);
}

Test(breakdown, no_segments_no_breakdown)
{
	struct hs_breakdown b;
	struct hs_path p = { .n = 1, .seg0 = HS_NO_SEGMENTS };

	cr_assert_eq(hs_breakdown(&h, &p, true, &b), -ENOENT);
	cr_assert_eq(b.p99_worst, -1);
}
