// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The fingerprint corpus (tests/lib/corpus.h, tests/fixtures/corpus): no
 * two different packets share a fingerprint, and copies of one packet
 * (different only where hops rewrite) share theirs.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <criterion/criterion.h>
#include "hs_packet.h"
#include "../lib/corpus.h"

#define MAX_FRAMES 1024

struct sighting {
	__u64 fp;
	unsigned int capture, frame;
	size_t len;
	uint8_t bytes[1600]; /* the canonical packet */
};

static struct sighting *seen;
static size_t n_seen;

static void setup(void)
{
	seen = calloc(MAX_FRAMES, sizeof(*seen));
	cr_assert_not_null(seen);
	n_seen = 0;
}

static void teardown(void)
{
	free(seen);
}

TestSuite(corpus, .init = setup, .fini = teardown);

struct reading {
	unsigned int capture, frame;
	__u64 (*fp_of)(const uint8_t *, size_t);
};

static int take(const uint8_t *frame, size_t len, void *ctx)
{
	struct reading *r = ctx;
	struct sighting *s = &seen[n_seen];

	cr_assert_lt(n_seen, MAX_FRAMES);
	s->capture = r->capture;
	s->frame = r->frame++;
	s->len = corpus_canonical(frame, len, s->bytes, sizeof(s->bytes));
	cr_assert_gt(s->len, 0, "%s frame %u: not IP",
		     corpus_captures[r->capture].name, s->frame);
	s->fp = r->fp_of(frame, len);
	n_seen++;
	return 0;
}

/* Every frame of the capture into seen[], its fingerprint by fp_of. */
static void read_capture(unsigned int capture,
			 __u64 (*fp_of)(const uint8_t *, size_t))
{
	struct reading r = { .capture = capture, .fp_of = fp_of };
	char err[512];

	cr_assert_eq(corpus_read(corpus_captures[capture].name, take, &r, err,
				 sizeof(err)),
		     0, "%s", err);
	cr_assert_gt(r.frame, 0, "%s: no frames",
		     corpus_captures[capture].name);
}

static __u64 fingerprint(const uint8_t *frame, size_t len)
{
	struct hs_pkt pkt;
	__u64 fp = 0;

	cr_assert_eq(hs_frame_fingerprint(frame, (__u32)len, &pkt, &fp),
		     HS_PARSE_OK);
	return fp;
}

/* The fingerprint with its tail word left out: what the corpus must catch. */
static __u64 fingerprint_without_tail(const uint8_t *frame, size_t len)
{
	struct hs_pkt pkt;
	__u64 fp;

	cr_assert_eq(hs_frame_fingerprint(frame, (__u32)len, &pkt, &fp),
		     HS_PARSE_OK);
	pkt.tail = 0;
	return hs_fingerprint(hs_flow_state(&pkt), hs_nat_key(&pkt));
}

static int by_fp(const void *a, const void *b)
{
	const struct sighting *x = a, *y = b;

	return x->fp < y->fp ? -1 : x->fp > y->fp;
}

static bool same_packet(const struct sighting *a, const struct sighting *b)
{
	return a->len == b->len && !memcmp(a->bytes, b->bytes, a->len);
}

/* Fingerprints shared by different packets, and copies of one packet;
 * with report, a line on stderr for each of the first few collisions. */
static unsigned int collisions(unsigned int *copies, bool report)
{
	unsigned int n = 0;
	size_t i, j;

	*copies = 0;
	qsort(seen, n_seen, sizeof(*seen), by_fp);
	for (i = 1; i < n_seen; i++) {
		if (seen[i].fp != seen[i - 1].fp)
			continue;
		/* the first sighting of this fingerprint, and this one */
		for (j = i - 1; j > 0 && seen[j - 1].fp == seen[i].fp; j--)
			;
		if (same_packet(&seen[j], &seen[i])) {
			(*copies)++;
			continue;
		}
		if (n++ < 5 && report)
			fprintf(stderr,
				"corpus: %s frame %u and %s frame %u share %#llx\n",
				corpus_captures[seen[j].capture].name,
				seen[j].frame,
				corpus_captures[seen[i].capture].name,
				seen[i].frame, (unsigned long long)seen[i].fp);
	}
	return n;
}

Test(corpus, different_packets_different_fingerprints)
{
	unsigned int c, n_coll, copies;

	for (c = 0; c < corpus_n_captures; c++)
		read_capture(c, fingerprint);
	n_coll = collisions(&copies, true);
	cr_assert_eq(n_coll, 0, "%u of %zu packets share a fingerprint", n_coll,
		     n_seen);
	/* the corpus's packets sent again unchanged share theirs: in each
	 * family the last pure ACK and the three duplicate ACKs with no
	 * options after it (3 + 3 copies), and a hello sent twice (1) */
	cr_assert_eq(copies, 7, "%u copies", copies);
}

/* Copies of a packet are one packet, however many there are: the same
 * fingerprint for every copy (checked pairwise, not only neighbours). */
Test(corpus, copies_share_their_fingerprint)
{
	unsigned int c;
	size_t i, j;

	for (c = 0; c < corpus_n_captures; c++)
		read_capture(c, fingerprint);
	for (i = 0; i < n_seen; i++)
		for (j = i + 1; j < n_seen; j++)
			if (same_packet(&seen[i], &seen[j]))
				cr_assert_eq(
					seen[i].fp, seen[j].fp,
					"frames %u and %u of %s", seen[i].frame,
					seen[j].frame,
					corpus_captures[seen[i].capture].name);
}

/* The corpus is worth its name: a fingerprint without the tail word (the
 * payload's first 8 bytes only, as hopscope had) confuses its QUIC, ESP
 * and RTP packets. */
Test(corpus, catches_a_fingerprint_without_its_tail)
{
	unsigned int c, copies;

	for (c = 0; c < corpus_n_captures; c++)
		read_capture(c, fingerprint_without_tail);
	cr_assert_gt(collisions(&copies, false), 100);
}
