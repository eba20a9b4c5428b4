// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * hops.c: trajectories folded into per-hop and per-path statistics, with
 * reordering, loss on the hop after a flow's packet stopped, and intervals.
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <criterion/criterion.h>
#include "analysis/hops.h"
#include "analysis/match.h"

/* Static and freed in fini, which also runs after a failed assertion. */
static struct hs_hops h;
static struct hs_matcher m;

static void setup(void)
{
	cr_assert_eq(hs_hops_init(&h, 10000), 0);
}

static void teardown(void)
{
	hs_matcher_free(&m);
	hs_hops_free(&h);
}

TestSuite(hops, .init = setup, .fini = teardown);

#define FLOW_F 0xF0F0
#define FLOW_G 0x0606

/* Fold a hand-made trajectory: n points with their times. */
static void fold(uint32_t flow, int n, const uint16_t *points,
		 const uint64_t *ts, int evicted)
{
	struct hs_trajectory t = {};
	int i;

	t.fingerprint = ts[0] ^ ((uint64_t)flow << 32);
	t.flow_hash = flow;
	t.first_ts = ts[0];
	t.n = (uint8_t)n;
	t.evicted = (uint8_t)evicted;
	for (i = 0; i < n; i++) {
		t.s[i].point = points[i];
		t.s[i].ts_ns = ts[i];
	}
	hs_hops_fold(&t, &h);
}

static void fold3(uint32_t flow, uint64_t t1, uint64_t t2, uint64_t t3)
{
	static const uint16_t p[] = { 1, 2, 3 };
	uint64_t ts[] = { t1, t2, t3 };

	fold(flow, 3, p, ts, 0);
}

static void fold2(uint32_t flow, uint64_t t1, uint64_t t2, int evicted)
{
	static const uint16_t p[] = { 1, 2 };
	uint64_t ts[] = { t1, t2 };

	fold(flow, 2, p, ts, evicted);
}

static struct hs_hop *hop(uint16_t from, uint16_t to)
{
	struct hs_hop *x;

	/* what the hop holds back for ordering, folded, as a report does */
	hs_hops_settle(&h, true);
	x = hs_hops_find(&h, from, to);

	cr_assert_not_null(x, "no hop %u -> %u", from, to);
	return x;
}

/* Paths that carried a packet: prefixes of lost packets and lone
 * sightings have path entries (the flow votes on them) but no packets. */
static uint32_t visible_paths(void)
{
	uint32_t i, n = 0;

	for (i = 0; i < h.n_paths; i++)
		n += h.paths[i].leg.total.delay.n > 0;
	return n;
}

static struct hs_path *path123(void)
{
	uint32_t i;

	for (i = 0; i < h.n_paths; i++)
		if (h.paths[i].n == 3 && h.paths[i].points[0] == 1 &&
		    h.paths[i].points[1] == 2 && h.paths[i].points[2] == 3)
			return &h.paths[i];
	cr_assert_fail("no path 1 -> 2 -> 3");
	return NULL;
}

Test(hops, per_hop_and_path_delay)
{
	struct hs_hop *a, *b;
	struct hs_path *p;

	/*
	 *        1 -> 2   2 -> 3   path
	 * T1:     100      150      250
	 * T2:     120      180      300
	 * T3:      90      110      200
	 */
	fold3(FLOW_F, 1000, 1100, 1250);
	fold3(FLOW_F, 2000, 2120, 2300);
	fold3(FLOW_F, 3000, 3090, 3200);
	cr_assert_eq(h.n_hops, 2);
	cr_assert_eq(h.n_paths, 1);

	a = hop(1, 2);
	cr_assert_eq(a->leg.total.delay.n, 3);
	cr_assert_eq(a->leg.total.delay.min, 90);
	cr_assert_eq(a->leg.total.delay.max, 120);
	cr_assert_float_eq(a->leg.total.delay.mean, 310.0 / 3.0, 1e-9);
	cr_assert_eq(a->leg.interval.delay.n, 3);

	b = hop(2, 3);
	cr_assert_eq(b->leg.total.delay.min, 110);
	cr_assert_eq(b->leg.total.delay.max, 180);
	cr_assert_float_eq(b->leg.total.delay.mean, 440.0 / 3.0, 1e-9);

	p = path123();
	cr_assert_eq(p->leg.total.delay.n, 3);
	cr_assert_eq(p->leg.total.delay.min, 200);
	cr_assert_eq(p->leg.total.delay.max, 300);
	cr_assert_float_eq(p->leg.total.delay.mean, 250.0, 1e-9);

	/* hop 1 -> 2 jitter: D = (2120 - 1100) - (2000 - 1000) = 20,
	 * J = 20/16 = 1.25; D = (3090 - 2120) - 1000 = -30,
	 * J = 1.25 + (30 - 1.25)/16 = 3.046875 */
	cr_assert_eq(a->leg.total.jitter.n, 2);
	cr_assert_float_eq(a->leg.total.jitter.last, 3.046875, 1e-12);
	cr_assert_float_eq(a->leg.total.jitter.max, 3.046875, 1e-12);
	/* path: D = (2300 - 1250) - 1000 = 50, J = 3.125;
	 * D = (3200 - 2300) - 1000 = -100, J = 3.125 + 96.875/16
	 * = 9.1796875 */
	cr_assert_float_eq(p->leg.total.jitter.last, 9.1796875, 1e-12);

	cr_assert_eq(a->leg.total.reordered, 0);
	cr_assert_eq(a->leg.total.lost, 0);
	cr_assert_eq(b->leg.total.lost, 0);
	cr_assert_eq(p->leg.total.lost, 0);
	/* no hop the traffic never took */
	cr_assert_null(hs_hops_find(&h, 1, 3));
	cr_assert_null(hs_hops_find(&h, 2, 1));
	cr_assert_null(hs_hops_find(&h, HS_MAX_POINTS, 1));
}

/* The flow table is written at random by hash: it is made resident at
 * init, or it would grow the resident set page by page for as long as new
 * flows come (what a soak sees as a leak). */
Test(hops, flow_table_resident_from_the_start)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	uintptr_t from = (uintptr_t)h.flows & ~(page - 1);
	uintptr_t to = (uintptr_t)(h.flows + HS_FLOW_SLOTS);
	size_t pages = (to - from + page - 1) / page, i, resident = 0;
	unsigned char *vec = calloc(pages, 1);

	cr_assert_not_null(vec);
	cr_assert_eq(mincore((void *)from, to - from, vec), 0, "mincore: %s",
		     strerror(errno));
	for (i = 0; i < pages; i++)
		resident += vec[i] & 1;
	free(vec);
	cr_assert_eq(resident, pages,
		     "%zu of the flow table's %zu pages resident", resident,
		     pages);
}

Test(hops, singleton_makes_no_hop)
{
	static const uint16_t p[] = { 7 };
	uint64_t ts[] = { 100 };

	fold(FLOW_F, 1, p, ts, 0);
	cr_assert_eq(h.n_hops, 0);
	cr_assert_eq(visible_paths(), 0);
}

Test(hops, reordering_on_a_hop)
{
	struct hs_hop *a;

	/* folded in first-sighting order T1, T2, T3, T4:
	 *   T1 reaches 2 at 1500
	 *   T2 left 1 after T1 but reaches 2 at 1400, before T1: reordered
	 *   T3 reaches 2 at 1600, after everything so far: in order
	 *   T4 reaches 2 at 1550 < 1600: reordered */
	fold2(FLOW_F, 1000, 1500, 0);
	fold2(FLOW_F, 1100, 1400, 0);
	fold2(FLOW_F, 1200, 1600, 0);
	fold2(FLOW_F, 1300, 1550, 0);
	a = hop(1, 2);
	/* RFC 4737, in arrival order T2 1400, T1 1500, T4 1550, T3 1600:
	 * T1 arrives after T2, which left later: reordered, extent 1, late
	 * 1500 - 1400 = 100; T3 arrives after T4: extent 1, late 50 */
	cr_assert_eq(a->leg.total.reordered, 2);
	cr_assert_eq(a->leg.interval.reordered, 2);
	cr_assert_eq(a->leg.total.arrivals, 4);
	cr_assert_eq(a->leg.total.extent_max, 1);
	cr_assert_eq(a->leg.total.extent_sum, 2);
	cr_assert_eq(a->leg.total.late_max_ns, 100);
	cr_assert_eq(a->leg.total.late_sum_ns, 150);
	cr_assert_eq(a->leg.total.delay.n, 4);
	/* delays 500, 300, 400, 250 */
	cr_assert_eq(a->leg.total.delay.min, 250);
	cr_assert_eq(a->leg.total.delay.max, 500);
	/* the path 1 -> 2 is the same pair: reordered alike */
	cr_assert_eq(h.n_paths, 1);
	cr_assert_eq(h.paths[0].leg.total.reordered, 2);
}

Test(hops, equal_arrival_is_not_reordering)
{
	fold2(FLOW_F, 1000, 1500, 0);
	fold2(FLOW_F, 1100, 1500, 0);
	cr_assert_eq(hop(1, 2)->leg.total.reordered, 0);
}

Test(hops, prefix_of_same_flow_is_lost_on_next_hop)
{
	struct hs_path *p;

	/* the flow's path 1 -> 2 -> 3 is learned first */
	fold3(FLOW_F, 1000, 1100, 1250);
	/* a packet of the same flow seen at 1 and 2 only: lost on 2 -> 3 */
	fold2(FLOW_F, 2000, 2100, 0);
	cr_assert_eq(hop(2, 3)->leg.total.lost, 1);
	cr_assert_eq(hop(2, 3)->leg.interval.lost, 1);
	cr_assert_eq(hop(1, 2)->leg.total.lost, 0);
	p = path123();
	cr_assert_eq(p->leg.total.lost, 1);
	/* it still crossed 1 -> 2, and its delay counts there */
	cr_assert_eq(hop(1, 2)->leg.total.delay.n, 2);
	cr_assert_eq(hop(2, 3)->leg.total.delay.n, 1);
	/* a prefix is not a path of its own, nor a path packet */
	cr_assert_eq(visible_paths(), 1);
	cr_assert_eq(p->leg.total.delay.n, 1);
}

/*
 * Regression: a packet of a known flow seen only at the path's first point
 * (dropped on the very first hop) is a proper prefix of [1, 2, 3] and lost
 * on hop 1 -> 2; a lone sighting used to return before the loss check.
 */
Test(hops, single_sighting_of_known_flow_is_lost_on_first_hop)
{
	static const uint16_t p[] = { 1 };
	uint64_t ts[] = { 5000 };

	fold3(FLOW_F, 1000, 1100, 1250);
	fold(FLOW_F, 1, p, ts, 0);
	cr_assert_eq(hop(1, 2)->leg.total.lost, 1,
		     "a packet seen only at the first point is not lost");
	cr_assert_eq(hop(2, 3)->leg.total.lost, 0);
	cr_assert_eq(path123()->leg.total.lost, 1);
}

Test(hops, prefix_of_other_flow_is_not_lost)
{
	/* flow F goes 1 -> 2 -> 3; flow G (neighbour discovery addressed
	 * to the function at 2, say) ends at 2 and is a flow of its own */
	fold3(FLOW_F, 1000, 1100, 1250);
	fold2(FLOW_G, 2000, 2100, 0);
	cr_assert_eq(hop(2, 3)->leg.total.lost, 0);
	cr_assert_eq(path123()->leg.total.lost, 0);
	/* G's own path 1 -> 2 is new */
	cr_assert_eq(h.n_paths, 2);
	cr_assert_eq(hop(1, 2)->leg.total.delay.n, 2);
}

Test(hops, evicted_prefix_is_never_lost)
{
	fold3(FLOW_F, 1000, 1100, 1250);
	/* cut short by a full match table, not by the network */
	fold2(FLOW_F, 2000, 2100, 1);
	cr_assert_eq(hop(2, 3)->leg.total.lost, 0);
	cr_assert_eq(path123()->leg.total.lost, 0);
	/* a real loss right after still counts */
	fold2(FLOW_F, 3000, 3100, 0);
	cr_assert_eq(hop(2, 3)->leg.total.lost, 1);
}

Test(hops, longer_path_learned_later)
{
	/* the flow's first packet stopped at 2, before any full one was
	 * seen: nothing to compare with, so no loss yet */
	fold2(FLOW_F, 500, 600, 0);
	cr_assert_eq(h.n_paths, 1);
	fold3(FLOW_F, 1000, 1100, 1250);
	cr_assert_eq(h.n_paths, 2);
	/* now 1 -> 2 -> 3 is the flow's path and a prefix is a loss */
	fold2(FLOW_F, 2000, 2100, 0);
	cr_assert_eq(hop(2, 3)->leg.total.lost, 1);
	cr_assert_eq(path123()->leg.total.lost, 1);
}

Test(hops, new_interval_resets_interval_only)
{
	struct hs_hop *a;
	struct hs_path *p;

	fold3(FLOW_F, 1000, 1100, 1250);
	fold3(FLOW_F, 2000, 2120, 2300);
	fold2(FLOW_F, 3000, 3100, 0); /* lost on 2 -> 3 */
	/* left 1 after 3000's packet, reached 2 before it did */
	fold2(FLOW_F, 3050, 3090, 0);
	a = hop(1, 2);
	cr_assert_eq(a->leg.interval.delay.n, 4);
	cr_assert_eq(a->leg.interval.reordered, 1);
	cr_assert_eq(hop(2, 3)->leg.interval.lost, 2);

	hs_hops_new_interval(&h);
	p = path123();
	cr_assert_eq(a->leg.interval.delay.n, 0);
	cr_assert_eq(a->leg.interval.delay.hist.count, 0);
	cr_assert_eq(a->leg.interval.jitter.n, 0);
	cr_assert_eq(a->leg.interval.reordered, 0);
	cr_assert_eq(hop(2, 3)->leg.interval.lost, 0);
	cr_assert_eq(hop(2, 3)->leg.interval.delay.n, 0);
	cr_assert_eq(p->leg.interval.delay.n, 0);
	cr_assert_eq(p->leg.interval.lost, 0);
	/* totals go on */
	cr_assert_eq(a->leg.total.delay.n, 4);
	cr_assert_eq(a->leg.total.reordered, 1);
	cr_assert_eq(a->leg.total.jitter.n, 3);
	cr_assert_eq(hop(2, 3)->leg.total.lost, 2);
	cr_assert_eq(p->leg.total.delay.n, 2);
	cr_assert_eq(p->leg.total.lost, 2);

	/* the next packet lands in both; the jitter estimator carries on
	 * across the boundary (D against the packet before it), so the
	 * interval gets one update at once */
	fold3(FLOW_F, 4000, 4100, 4250);
	a = hop(1, 2);
	cr_assert_eq(a->leg.interval.delay.n, 1);
	cr_assert_eq(a->leg.interval.delay.min, 100);
	cr_assert_eq(a->leg.total.delay.n, 5);
	cr_assert_eq(a->leg.interval.jitter.n, 1);
	cr_assert_float_eq(a->leg.interval.jitter.last, a->leg.total.jitter.last,
			   1e-12);
	cr_assert_eq(p->leg.interval.delay.n, 1);
	cr_assert_eq(p->leg.total.delay.n, 3);
}

/* Collect per-hop statistics through the matcher, as collect.c does. */
static void add(uint64_t fp, uint32_t flow, uint16_t point, uint64_t ts)
{
	struct hs_record r = {};

	r.fingerprint = fp;
	r.flow_hash = flow;
	r.point_id = point;
	r.ts_ns = ts;
	hs_matcher_add(&m, &r);
}

Test(hops, through_matcher)
{
	struct hs_hop *a, *b;

	cr_assert_eq(hs_matcher_init(&m, 64, 10000, hs_hops_fold, &h), 0);
	/* three packets over 1 -> 2 -> 3, records handed in out of order;
	 * the third never reaches 3 */
	add(0xA, FLOW_F, 2, 1100);
	add(0xB, FLOW_F, 1, 2000);
	add(0xA, FLOW_F, 3, 1300);
	add(0xA, FLOW_F, 1, 1000);
	add(0xC, FLOW_F, 1, 3000);
	add(0xB, FLOW_F, 3, 2400);
	add(0xB, FLOW_F, 2, 2150);
	add(0xC, FLOW_F, 2, 3080);
	/* the window (10 us) passes for all three, as collect.c's drain
	 * moves the horizon */
	m.newest_ts = 20000;
	hs_matcher_expire(&m);

	/* 1 -> 2: 100, 150, 80; 2 -> 3: 200, 250 and one lost */
	a = hop(1, 2);
	b = hop(2, 3);
	cr_assert_eq(a->leg.total.delay.n, 3);
	cr_assert_eq(a->leg.total.delay.min, 80);
	cr_assert_eq(a->leg.total.delay.max, 150);
	cr_assert_float_eq(a->leg.total.delay.mean, 110.0, 1e-9);
	cr_assert_eq(b->leg.total.delay.n, 2);
	cr_assert_float_eq(b->leg.total.delay.mean, 225.0, 1e-9);
	cr_assert_eq(b->leg.total.lost, 1);
	cr_assert_eq(a->leg.total.lost, 0);
	cr_assert_eq(path123()->leg.total.delay.n, 2);
	cr_assert_eq(path123()->leg.total.lost, 1);
}

/* A packet still between two points when the run ends is cut short by the
 * end of the run, not lost: hs_matcher_flush marks it at_end. */
Test(hops, open_at_end_of_run_is_not_lost)
{
	cr_assert_eq(hs_matcher_init(&m, 64, 10000, hs_hops_fold, &h), 0);
	add(0xA, FLOW_F, 1, 1000);
	add(0xA, FLOW_F, 2, 1100);
	add(0xA, FLOW_F, 3, 1300);
	m.newest_ts = 20000;
	hs_matcher_expire(&m);
	/* the second packet has reached 2 when the run stops */
	add(0xB, FLOW_F, 1, 21000);
	add(0xB, FLOW_F, 2, 21100);
	hs_matcher_flush(&m);
	cr_assert_eq(m.counters.at_end, 1);
	cr_assert_eq(hop(1, 2)->leg.total.delay.n, 2);
	cr_assert_eq(hop(2, 3)->leg.total.lost, 0);
	cr_assert_eq(path123()->leg.total.lost, 0);
}

/* Records from before the probes were all armed are not matched. */
Test(hops, warmup_records_are_not_matched)
{
	cr_assert_eq(hs_matcher_init(&m, 64, 10000, hs_hops_fold, &h), 0);
	m.ignore_before = 5000;
	add(0xA, FLOW_F, 1, 4000); /* before arming: point 1 missed */
	add(0xA, FLOW_F, 2, 5100);
	add(0xA, FLOW_F, 3, 5300);
	hs_matcher_flush(&m);
	cr_assert_eq(m.counters.warmup, 1);
	/* the rest forms a trajectory 2 -> 3 */
	cr_assert_not_null(hop(2, 3));
	cr_assert_null(hs_hops_find(&h, 1, 2));
}

/* One packet flooded to an extra bridge port (1 -> 2 -> 3 -> 4) must not
 * make every later packet of the flow (1 -> 2 -> 3) look lost: the flow's
 * path is the one most of its packets take. */
Test(hops, one_flooded_packet_does_not_redefine_the_path)
{
	static const uint16_t p4[] = { 1, 2, 3, 4 };
	uint64_t ts4[] = { 500, 600, 700, 800 };
	int i;

	fold(FLOW_F, 4, p4, ts4, 0);
	for (i = 0; i < 100; i++)
		fold3(FLOW_F, 1000 + 1000 * i, 1100 + 1000 * i, 1200 + 1000 * i);
	/* only while the votes are even (1:1, then 1:2 decides) */
	cr_assert_leq(hop(3, 4)->leg.total.lost, 2);
	cr_assert_eq(path123()->leg.total.delay.n + hop(3, 4)->leg.total.lost, 100);
}

/* A missing record the ring buffer dropped is no lost packet. */
Test(hops, ring_drop_at_next_point_is_unverified_not_lost)
{
	fold3(FLOW_F, 1000, 1100, 1250);
	/* point 3 dropped records between 1900 and 2300 */
	hs_hops_note_drops(&h, 3, 5, 1900, 2300);
	fold2(FLOW_F, 2000, 2100, 0);
	cr_assert_eq(hop(2, 3)->leg.total.lost, 0);
	cr_assert_eq(h.unverified, 1);
	/* outside that window, the same gap is a loss */
	fold2(FLOW_F, 50000, 50100, 0);
	cr_assert_eq(hop(2, 3)->leg.total.lost, 1);
}

/*
 * A small ring drains hundreds of times a second, each drain seeing new
 * drops. The window of a trajectory's drop must still be there when it
 * is folded, after 100 more windows elsewhere: drains in a row that saw
 * drops make one window, not one each (32 are kept).
 */
Test(hops, drops_in_drain_after_drain_keep_their_window)
{
	uint64_t i;

	fold3(FLOW_F, 1000, 1100, 1250);
	/* the drop this trajectory's gap needs, then 100 drains in a row
	 * with drops, past the match window (10 us) */
	hs_hops_note_drops(&h, 3, 1, 2000, 2200);
	for (i = 0; i < 100; i++)
		hs_hops_note_drops(&h, 3, 2 + i, 20000 + 100 * i,
				   20100 + 100 * i);
	fold2(FLOW_F, 2000, 2100, 0);
	cr_assert_eq(hop(2, 3)->leg.total.lost, 0,
		     "the drop window was pushed out by later ones");
	cr_assert_eq(h.unverified, 1);
	/* in the later run of drains too */
	fold2(FLOW_F, 25000, 25100, 0);
	cr_assert_eq(h.unverified, 2);
	/* a gap in no window is a loss (the flow still goes 1 -> 2 -> 3) */
	fold3(FLOW_F, 40000, 40100, 40250);
	fold3(FLOW_F, 41000, 41100, 41250);
	fold2(FLOW_F, 50000, 50100, 0);
	cr_assert_eq(hop(2, 3)->leg.total.lost, 1);
}

/* A middle record dropped: no made-up hop 1 -> 3. */
Test(hops, ring_drop_in_the_middle_makes_no_hop)
{
	static const uint16_t p13[] = { 1, 3 };
	uint64_t ts[] = { 2000, 2250 };

	fold3(FLOW_F, 1000, 1100, 1250);
	hs_hops_note_drops(&h, 2, 1, 1900, 2300);
	fold(FLOW_F, 2, p13, ts, 0);
	cr_assert_null(hs_hops_find(&h, 1, 3));
	cr_assert_eq(h.unverified, 1);
}

/*
 * Reordering is the hop's own: packet B overtakes A on 1 -> 2 only, and
 * keeps its lead on 2 -> 3. Trajectories come in first-sighting order
 * (A first), so without ordering by the time at each hop's first point,
 * 2 -> 3 would count B as reordered too.
 */
Test(hops, reordering_is_blamed_on_its_own_hop_only)
{
	fold3(FLOW_F, 1000, 1500, 1600); /* A */
	fold3(FLOW_F, 1100, 1200, 1300); /* B: overtakes A before 2 */
	cr_assert_eq(hop(1, 2)->leg.total.reordered, 1);
	cr_assert_eq(hop(2, 3)->leg.total.reordered, 0);
	/* and jitter on 2 -> 3 pairs B then A: D = (1600-1300)-(1500-1200) = 0 */
	cr_assert_eq(hop(2, 3)->leg.total.jitter.n, 1);
	cr_assert_float_eq(hop(2, 3)->leg.total.jitter.last, 0.0, 1e-12);
}

/* Fold 1 -> 2 crossings that leave 1 at 1000 * k for k in sent order and
 * reach 2 in the order given: seq[i] is the k of the i-th arrival. */
static void arrive_in_order(const int *seq, int n)
{
	int i;

	/* trajectories come in first-sighting order: by k */
	for (i = 0; i < n; i++) {
		int j, pos = 0;

		for (j = 0; j < n; j++)
			if (seq[j] == i + 1)
				pos = j;
		fold2(FLOW_F, 1000 * (uint64_t)(i + 1), 100000 + 10 * (uint64_t)pos,
		      0);
	}
}

/* RFC 4737 section 4.2.1's examples: 1 2 4 5 3 - only 3 is reordered,
 * and 4 arrived first of those that left after it: extent 2. */
Test(hops, rfc4737_extent_of_one_late_packet)
{
	static const int seq[] = { 1, 2, 4, 5, 3 };
	struct hs_acc *a;

	arrive_in_order(seq, 5);
	a = &hop(1, 2)->leg.total;
	cr_assert_eq(a->reordered, 1);
	cr_assert_eq(a->extent_max, 2);
	cr_assert_eq(a->extent_sum, 2);
	/* 3 arrived at 100040, 4 at 100020 */
	cr_assert_eq(a->late_max_ns, 20);
}

/* 2 3 4 5 1: one packet late by four, not four packets early. */
Test(hops, rfc4737_counts_the_late_packet_not_the_early_ones)
{
	static const int seq[] = { 2, 3, 4, 5, 1 };
	struct hs_acc *a;

	arrive_in_order(seq, 5);
	a = &hop(1, 2)->leg.total;
	cr_assert_eq(a->reordered, 1);
	cr_assert_eq(a->extent_max, 4);
	cr_assert_eq(a->arrivals, 5);
}

/* A copy made on 2 -> 3 shows at 3 and again at 4; it is 2 -> 3's. */
Test(hops, duplicates_blamed_on_the_hop_that_made_them)
{
	static const uint16_t p[] = { 1, 2, 3, 4 };
	uint64_t ts[] = { 1000, 1100, 1200, 1300 };
	struct hs_trajectory t = {};
	int i;

	t.fingerprint = 0xD0;
	t.flow_hash = FLOW_F;
	t.first_ts = ts[0];
	t.n = 4;
	for (i = 0; i < 4; i++) {
		t.s[i].point = p[i];
		t.s[i].ts_ns = ts[i];
	}
	t.s[2].dups = 1;
	t.s[3].dups = 1;
	hs_hops_fold(&t, &h);
	cr_assert_eq(hop(1, 2)->leg.total.duplicates, 0);
	cr_assert_eq(hop(2, 3)->leg.total.duplicates, 1);
	cr_assert_eq(hop(3, 4)->leg.total.duplicates, 0);
	cr_assert_eq(h.paths[0].leg.total.duplicates, 1);
}

/* Two hosts' clocks joined badly: a delay below zero is counted, shows
 * its value, and is folded as 0 rather than as a huge unsigned one. */
Test(hops, negative_delay_flagged_not_hidden)
{
	fold2(FLOW_F, 1000, 1100, 0);
	fold2(FLOW_F, 2000, 1970, 0);
	cr_assert_eq(hop(1, 2)->leg.total.negative, 1);
	cr_assert_eq(hop(1, 2)->leg.total.negative_min, -30);
	cr_assert_eq(hop(1, 2)->leg.total.delay.max, 100);
	cr_assert_eq(hop(1, 2)->leg.total.delay.min, 0);
}

/* A path's segments see only its own packets; a hop shared with another
 * path sees both. */
Test(hops, segments_are_the_paths_own)
{
	static const uint16_t p124[] = { 1, 2, 4 };
	uint64_t ts[] = { 6000, 6500, 6600 };
	const struct hs_leg *seg;

	fold3(FLOW_F, 1000, 1100, 1250);
	fold3(FLOW_F, 2000, 2120, 2300);
	fold(FLOW_G, 3, p124, ts, 0); /* shares 1 -> 2, slowly */
	hs_hops_settle(&h, true);
	seg = hs_path_segment(&h, path123(), 0);
	cr_assert_not_null(seg);
	cr_assert_eq(seg->total.delay.n, 2);
	cr_assert_eq(seg->total.delay.max, 120);
	cr_assert_eq(hs_path_segment(&h, path123(), 1)->total.delay.n, 2);
	cr_assert_null(hs_path_segment(&h, path123(), 2));
	/* the hop itself is both paths' */
	cr_assert_eq(hop(1, 2)->leg.total.delay.n, 3);
	cr_assert_eq(hop(1, 2)->leg.total.delay.max, 500);
	cr_assert_eq(h.n_segments, 4);
}

/* A loss lands on the segment of the path the flow takes. */
Test(hops, loss_counted_on_the_segment)
{
	fold3(FLOW_F, 1000, 1100, 1250);
	fold3(FLOW_F, 2000, 2100, 2250);
	fold2(FLOW_F, 3000, 3100, 0);
	hs_hops_settle(&h, true);
	cr_assert_eq(hs_path_segment(&h, path123(), 1)->total.lost, 1);
	cr_assert_eq(hs_path_segment(&h, path123(), 0)->total.lost, 0);
	/* the lost packet crossed 1 -> 2 of that path */
	cr_assert_eq(hs_path_segment(&h, path123(), 0)->total.delay.n, 3);
}

/* Two hosts' clocks a little off: delays below zero. A leaves at 1000 and
 * arrives at 1040; B leaves at 1050 and arrives at 1030, before A: A is
 * the late one. B's crossing comes after A's was ready to be released. */
Test(hops, negative_delays_do_not_hide_reordering)
{
	fold2(FLOW_F, 1000, 1040, 0);
	fold2(FLOW_F, 1050, 1030, 0);
	cr_assert_eq(hop(1, 2)->leg.total.reordered, 1);
	cr_assert_eq(hop(1, 2)->leg.total.late_max_ns, 10);
	cr_assert_eq(hop(1, 2)->leg.total.negative, 1);
}

/* ---- loss from the topology: a point's one successor ---- */

/* The path of exactly these points, or NULL. */
static struct hs_path *find_path(int n, const uint16_t *points)
{
	uint32_t i;

	for (i = 0; i < h.n_paths; i++)
		if (h.paths[i].n == n &&
		    !memcmp(h.paths[i].points, points, n * sizeof(*points)))
			return &h.paths[i];
	return NULL;
}

/*
 * The outside test's blackhole: every packet of a flow dropped before the
 * receiver's first point. The flow never learned a path through it, so
 * only the topology (2's successor is 3) says where each was lost: on
 * 2 -> 3, every one, the first included; the path it was on, 1 -> 2 ->
 * 3, says so too.
 */
Test(hops, swallowed_flow_is_lost_before_the_successor)
{
	static const uint16_t p123[] = { 1, 2, 3 };
	struct hs_path *p;
	int i;

	hs_hops_set_successor(&h, 2, 3);
	for (i = 0; i < 3000; i++)
		fold2(FLOW_F, 1000 + 1000 * (uint64_t)i,
		      1100 + 1000 * (uint64_t)i, 0);
	cr_assert_eq(hop(2, 3)->leg.total.lost, 3000);
	cr_assert_eq(hop(2, 3)->leg.total.delay.n, 0);
	cr_assert_eq(hop(1, 2)->leg.total.lost, 0);
	cr_assert_eq(hop(1, 2)->leg.total.delay.n, 3000);
	p = find_path(3, p123);
	cr_assert_not_null(p, "no path 1 -> 2 -> 3 for the lost packets");
	cr_assert_eq(p->leg.total.lost, 3000);
	cr_assert_eq(visible_paths(), 0,
		     "a swallowed flow made a path of its own");
	/* the same with no successor: nothing to compare with, no loss */
	hs_hops_set_successor(&h, 2, HS_NO_POINT);
	fold2(FLOW_G, 5000000, 5000100, 0);
	cr_assert_eq(hop(2, 3)->leg.total.lost, 3000);
}

Test(hops, lone_sighting_lost_before_the_successor)
{
	static const uint16_t p1[] = { 1 };
	uint64_t ts[] = { 5000 };

	hs_hops_set_successor(&h, 1, 2);
	fold(FLOW_F, 1, p1, ts, 0);
	cr_assert_eq(hop(1, 2)->leg.total.lost, 1);
}

Test(hops, successor_reached_is_no_loss)
{
	int i;

	hs_hops_set_successor(&h, 1, 2);
	hs_hops_set_successor(&h, 2, 3);
	for (i = 0; i < 10; i++)
		fold3(FLOW_F, 1000 + 1000 * (uint64_t)i,
		      1100 + 1000 * (uint64_t)i, 1200 + 1000 * (uint64_t)i);
	cr_assert_eq(hop(1, 2)->leg.total.lost, 0);
	cr_assert_eq(hop(2, 3)->leg.total.lost, 0);
	cr_assert_eq(path123()->leg.total.delay.n, 10);
	cr_assert_eq(path123()->leg.total.lost, 0);
}

/* A successor not yet measuring, or no longer, promises nothing; nor does
 * one the packet reached already (a second arrival is a duplicate). */
Test(hops, successor_only_while_it_measures)
{
	static const uint16_t p3121[] = { 3, 1, 2 };
	uint64_t ts[] = { 100, 200, 300 };

	hs_hops_set_successor(&h, 2, 3);
	hs_hops_set_measured(&h, 3, 50000, 90000);
	fold2(FLOW_F, 1000, 1100, 0); /* before 3 measured */
	fold2(FLOW_F, 85000, 85100, 0); /* 3 stopped within the window */
	cr_assert_null(hs_hops_find(&h, 2, 3));
	fold2(FLOW_F, 60000, 60100, 0); /* while it measured */
	cr_assert_eq(hop(2, 3)->leg.total.lost, 1);
	fold(FLOW_G, 3, p3121, ts, 0); /* was at 3 already */
	cr_assert_eq(hop(2, 3)->leg.total.lost, 1);
}

Test(hops, successor_ring_drop_or_end_is_no_loss)
{
	hs_hops_set_successor(&h, 2, 3);
	hs_hops_note_drops(&h, 3, 5, 1900, 2300);
	fold2(FLOW_F, 2000, 2100, 0);
	cr_assert_eq(h.unverified, 1);
	fold2(FLOW_F, 50000, 50100, 1); /* evicted */
	cr_assert_null(hs_hops_find(&h, 2, 3));
	fold2(FLOW_F, 60000, 60100, 0);
	cr_assert_eq(hop(2, 3)->leg.total.lost, 1);
}

/*
 * Without the topology, a flow that keeps stopping at 2 takes 1 -> 2 for
 * its new path: a path change, after at most 1024 losses. Once 3 is
 * dead (its interface gone), every packet stopping at 2 is lost on
 * 2 -> 3, however many, and 1 -> 2 -> 3 stays the flow's path; also when
 * the prefix had taken over before the news came.
 */
Test(hops, dead_next_point_is_loss_not_a_path_change)
{
	uint64_t i, lost;

	for (i = 0; i < 100; i++)
		fold3(FLOW_F, 1000 * i, 1000 * i + 100, 1000 * i + 200);
	for (i = 100; i < 3100; i++)
		fold2(FLOW_F, 1000 * i, 1000 * i + 100, 0);
	lost = hop(2, 3)->leg.total.lost;
	cr_assert(lost >= 100 && lost <= 1024, "%lu lost before it relearned",
		  (unsigned long)lost);
	/* the news comes late: its interface is gone */
	hs_hops_point_dead(&h, 3, true);
	for (i = 3100; i < 6100; i++)
		fold2(FLOW_F, 1000 * i, 1000 * i + 100, 0);
	cr_assert_eq(hop(2, 3)->leg.total.lost, lost + 3000);
	cr_assert_eq(path123()->leg.total.lost, lost + 3000);
	/* up again: what stops at 2 from here on may be a path change */
	hs_hops_point_dead(&h, 3, false);
	for (i = 6100; i < 9100; i++)
		fold2(FLOW_F, 1000 * i, 1000 * i + 100, 0);
	cr_assert_lt(hop(2, 3)->leg.total.lost, lost + 3000 + 1024);
}

Test(hops, dead_from_the_start_keeps_the_path)
{
	uint64_t i;

	fold3(FLOW_F, 0, 100, 200);
	/* removed (its probe detached at 500): dead too */
	hs_hops_set_measured(&h, 3, 0, 500);
	for (i = 1; i < 5001; i++)
		fold2(FLOW_F, 1000 * i, 1000 * i + 100, 0);
	cr_assert_eq(hop(2, 3)->leg.total.lost, 5000);
	cr_assert_eq(path123()->leg.total.delay.n, 1);
}
