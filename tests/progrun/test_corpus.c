// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The fingerprint corpus (tests/fixtures/corpus) through the probe: at
 * XDP and at tc, every frame gives one record carrying the fingerprint
 * user space computes for it (the payload words read the way each hook
 * reads them: straight from the packet, or by the load helper).
 */
#include <criterion/criterion.h>
#include <string.h>
#include "hopscope.h"
#include "hs_packet.h"
#include "corpus.h"
#include "probe.h"

#define POINT 3

struct run {
	enum probe_hook hook;
	const char *name;
	struct probe *p;
	unsigned int n;
};

static int through(const uint8_t *data, size_t len, void *ctx)
{
	FRAME_BUF(frame, 2048);
	struct run *r = ctx;
	struct hs_record *rec;
	struct hs_pkt pkt;
	__u64 fp;

	cr_assert_leq(len, 2048);
	memcpy(frame, data, len);
	cr_assert_eq(hs_frame_fingerprint(frame, (__u32)len, &pkt, &fp),
		     HS_PARSE_OK);
	probe_run(r->p, r->hook, frame, len);
	cr_assert_eq(probe_drain(r->p), 1, "%s frame %u at %s: %zu records",
		     r->name, r->n, hook_name(r->hook), r->p->nrec);
	rec = &r->p->recs[r->p->nrec - 1];
	cr_expect_eq(rec->fingerprint, fp,
		     "%s frame %u at %s: %016llx, want %016llx", r->name, r->n,
		     hook_name(r->hook), (unsigned long long)rec->fingerprint,
		     (unsigned long long)fp);
	r->n++;
	return 0;
}

static void capture_through(enum probe_hook hook, const char *name)
{
	struct run r = { .hook = hook, .name = name };
	char err[512];

	r.p = probe_open(&(struct probe_opts){ .point = POINT });
	cr_assert_eq(corpus_read(name, through, &r, err, sizeof(err)), 0, "%s",
		     err);
	cr_assert_gt(r.n, 0);
	expect_counters(r.p, r.n, 0, 0, 0, r.n, r.n, 0);
	probe_close(r.p);
}

HOOK_TESTS(corpus, every_capture_agrees_with_user_space)
{
	size_t i;

	for (i = 0; i < corpus_n_captures; i++)
		capture_through(hook, corpus_captures[i].name);
}
