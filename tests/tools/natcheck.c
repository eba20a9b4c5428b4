// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * natcheck - how many of a record file's matches across a NAT were false,
 * judged against the truth the test knows: a masquerade from FROM to
 * TO_ADDR (IPv4 or IPv6) that keeps source ports (what nftables does when no two flows
 * clash), of UDP to DST:DPORT.
 *   natcheck FILE FROM_ADDR TO_ADDR DST_ADDR DPORT [FROM_ADDR TO_ADDR ...]
 * (one group of four per masquerade: IPv4 and IPv6 in one file)
 * The file's records go through the matcher exactly as a report's do (the
 * same NAT zones, hs_points_nat_zone()); every pair of consecutive
 * sightings whose flow hash changes is a match across the NAT, true if
 * the two flows are one source port before and after the masquerade,
 * false otherwise. Prints "joins J false F ambiguous A contradicted C
 * trajectories T".
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "analysis/match.h"
#include "analysis/points.h"
#include "store/recfile.h"
#include "store/runinfo.h"
#include "topo/tuple.h"

#define FLOW_SLOTS (1u << 18)

/* flow hash before the masquerade -> after, for every source port */
struct truth {
	uint32_t in[FLOW_SLOTS], out[FLOW_SLOTS];
	uint64_t joins, false_joins;
};

/* An IPv4 or IPv6 literal into addr; its family (4 or 6) into *family,
 * which must agree with one an earlier address set. */
static int parse_addr(const char *text, uint32_t *addr, uint8_t *family)
{
	uint8_t f = strchr(text, ':') ? 6 : 4;

	if ((*family && *family != f) ||
	    inet_pton(f == 6 ? AF_INET6 : AF_INET, text, addr) != 1)
		return -1;
	*family = f;
	return 0;
}

static void truth_add(struct truth *t, uint32_t in, uint32_t out)
{
	uint32_t i = in & (FLOW_SLOTS - 1);

	while (t->in[i])
		i = (i + 1) & (FLOW_SLOTS - 1);
	t->in[i] = in;
	t->out[i] = out;
}

static uint32_t truth_out(const struct truth *t, uint32_t in)
{
	uint32_t i = in & (FLOW_SLOTS - 1);

	for (; t->in[i]; i = (i + 1) & (FLOW_SLOTS - 1))
		if (t->in[i] == in)
			return t->out[i];
	return 0;
}

static void on_trajectory(const struct hs_trajectory *tr, void *ctx)
{
	struct truth *t = ctx;
	int i;

	for (i = 1; i < tr->n; i++) {
		uint32_t a = tr->s[i - 1].flow_hash, b = tr->s[i].flow_hash;

		if (a == b)
			continue;
		t->joins++;
		if (truth_out(t, a) != b && truth_out(t, b) != a)
			t->false_joins++;
	}
}

/* One masquerade's truth, from a group of four arguments. */
static int build_truth(struct truth *t, char **argv)
{
	struct hs_tuple in = { .proto = 17 }, out;
	uint32_t port;

	if (parse_addr(argv[0], in.src, &in.family) ||
	    parse_addr(argv[2], in.dst, &in.family))
		return -1;
	in.dport = (uint16_t)atoi(argv[3]);
	out = in;
	if (parse_addr(argv[1], out.src, &out.family))
		return -1;
	for (port = 1; port < 65536; port++) {
		in.sport = out.sport = (uint16_t)port;
		truth_add(t, hs_tuple_flow_hash(&in), hs_tuple_flow_hash(&out));
	}
	return 0;
}

static int match_file(const char *path, struct truth *t, struct hs_matcher *m)
{
	static struct hs_point_table points;
	struct hs_run_info info;
	struct hs_rec_reader *r;
	struct hs_rec_frame f;
	const char *header;
	char err[512];
	unsigned int i;
	int n;

	if (hs_rec_open(&r, path, &header, err, sizeof(err)) ||
	    hs_run_info_from_json(header, &info, &points, err, sizeof(err)) ||
	    hs_matcher_init(m, info.cfg.max_inflight, info.cfg.window_ns,
			    on_trajectory, t)) {
		fprintf(stderr, "natcheck: %s\n", err);
		return -1;
	}
	for (i = 0; i < points.n; i++)
		if (!points.p[i].absent)
			hs_matcher_set_nat_zone(
				m, (uint16_t)i,
				hs_points_nat_zone(&points, (uint16_t)i));
	while ((n = hs_rec_next(r, &f, err, sizeof(err))) > 0) {
		const struct hs_record *rec = f.data;

		if (f.type != HS_FRAME_RECORDS)
			continue;
		for (i = 0; i < f.len / sizeof(*rec); i++)
			if (rec[i].point_id < points.n)
				hs_matcher_add(m, &rec[i]);
	}
	hs_rec_close_reader(r);
	if (n < 0) {
		fprintf(stderr, "natcheck: %s\n", err);
		return -1;
	}
	hs_matcher_flush(m);
	return 0;
}

int main(int argc, char **argv)
{
	static struct truth t;
	struct hs_matcher m;
	int i;

	if (argc < 6 || (argc - 2) % 4) {
		fprintf(stderr,
			"usage: natcheck FILE FROM_ADDR TO_ADDR DST_ADDR DPORT [FROM_ADDR TO_ADDR DST_ADDR DPORT ...]\n");
		return 2;
	}
	for (i = 2; i < argc; i += 4) {
		if (build_truth(&t, argv + i)) {
			fprintf(stderr, "natcheck: bad address in '%s %s %s'\n",
				argv[i], argv[i + 1], argv[i + 2]);
			return 2;
		}
	}
	if (match_file(argv[1], &t, &m))
		return 1;
	printf("joins %llu false %llu ambiguous %llu contradicted %llu trajectories %llu\n",
	       (unsigned long long)t.joins, (unsigned long long)t.false_joins,
	       (unsigned long long)m.counters.nat_ambiguous,
	       (unsigned long long)m.counters.nat_contradicted,
	       (unsigned long long)m.counters.trajectories);
	hs_matcher_free(&m);
	return 0;
}
