// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The user-space half of the contract the BPF tests rely on:
 * hs_frame_fingerprint() over a frame held in an ordinary buffer.
 * No BPF here, so no root needed.
 */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>
#include "hopscope.h"
#include "hs_packet.h"
#include "packet.h"
#include "probe.h"

/*
 * A frame in a malloc()ed (or any 4-aligned) buffer has its IP header at
 * offset 14, i.e. 2 bytes off a 4-byte boundary. hs_parse() reads it
 * through `const struct iphdr *` / `struct ipv6hdr *` (4-byte aligned
 * types), which is undefined behaviour; with the tests' UBSan
 * (-fno-sanitize-recover) the process aborts. Whatever buffer the caller
 * has, the fingerprint must come out, and come out the same.
 */
Test(userspace, fingerprint_of_frame_in_malloced_buffer)
{
	FRAME_BUF(ref, TPKT_MAX);
	uint8_t *buf = malloc(TPKT_MAX);
	struct hs_pkt pkt;
	__u64 want, got;
	struct tpkt t;
	size_t len;

	cr_assert_not_null(buf);
	tpkt_init(&t);
	len = tpkt_build(&t, ref);
	cr_assert_eq(hs_frame_fingerprint(ref, (__u32)len, &pkt, &want), 0);
	memcpy(buf, ref, len);
	cr_assert_eq(hs_frame_fingerprint(buf, (__u32)len, &pkt, &got), 0);
	cr_expect_eq(got, want);
	free(buf);
}

/* The same frame at every alignment gives the same fingerprint (and, in
 * this build, no UBSan abort). */
Test(userspace, fingerprint_independent_of_alignment)
{
	static uint64_t words[TPKT_MAX / 8 + 2];
	FRAME_BUF(ref, TPKT_MAX);
	struct hs_pkt pkt;
	__u64 want, got;
	struct tpkt t;
	size_t len, off;

	tpkt_init(&t);
	t.proto = 6;
	len = tpkt_build(&t, ref);
	cr_assert_eq(hs_frame_fingerprint(ref, (__u32)len, &pkt, &want), 0);
	for (off = 0; off < 8; off++) {
		uint8_t *b = (uint8_t *)words + off;

		memcpy(b, ref, len);
		cr_assert_eq(hs_frame_fingerprint(b, (__u32)len, &pkt, &got),
			     0);
		cr_expect_eq(got, want, "offset %zu", off);
	}
}
