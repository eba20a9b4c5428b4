// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Frames the probe cannot or should not measure: truncated headers,
 * garbage, non-IP. None is recorded, each lands in exactly one counter,
 * and the verdict is still pass.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <string.h>
#include "hopscope.h"
#include "hs_packet.h"
#include "packet.h"
#include "probe.h"

#define POINT 3

/*
 * Builds t, cuts the frame to `len` bytes and expects a parse error.
 *
 * BPF_PROG_TEST_RUN for tc refuses an IP frame whose network header is
 * shorter than struct iphdr / ipv6hdr (tc_refuses()); the probe then never
 * runs. The same cut behind a VLAN tag does reach it (the kernel only
 * looks at the outer ethertype), so that variant is run at both hooks.
 */
static void truncated(enum probe_hook hook, const struct tpkt *t, size_t len)
{
	FRAME_BUF(frame, TPKT_MAX);
	struct probe *p = probe_open(&(struct probe_opts){ .point = POINT });
	size_t full = tpkt_build(t, frame);
	uint64_t runs = 0;
	struct hs_pkt pkt;
	struct tpkt tagged;
	__u64 fp;
	int err;

	cr_assert_lt(len, full);
	cr_assert_eq(hs_frame_fingerprint(frame, (__u32)len, &pkt, &fp),
		     HS_PARSE_TRUNCATED, "user space does not call it truncated");
	if (hook == HOOK_TC && tc_refuses(frame, len)) {
		err = probe_run_raw(p, hook, frame, len, NULL);
		cr_expect_eq(err, -EINVAL, "tc test run of %zu bytes: %d", len,
			     err);
		runs += err == 0;
	} else {
		probe_run(p, hook, frame, len);
		runs++;
	}
	if (t->vlan_tags < 2) {
		tagged = *t;
		tagged.vlan_tags++;
		tagged.vlan_id[tagged.vlan_tags - 1] = 99;
		tpkt_build(&tagged, frame);
		cr_assert_eq(hs_frame_fingerprint(frame, (__u32)len + 4, &pkt,
						  &fp),
			     HS_PARSE_TRUNCATED);
		probe_run(p, hook, frame, len + 4);
		runs++;
	}
	cr_expect_eq(probe_drain(p), 0, "%s: a truncated frame was recorded",
		     hook_name(hook));
	expect_counters(p, runs, runs, 0, 0, 0, 0, 0);
	probe_close(p);
}

static void v6(struct tpkt *t)
{
	t->family = 6;
	t->src = "2001:2::1";
	t->dst = "2001:2:0:1::2";
}

HOOK_TESTS(truncated, cut_in_ipv4_header)
{
	struct tpkt t;

	tpkt_init(&t);
	truncated(hook, &t, 14 + 10);
}

HOOK_TESTS(truncated, cut_in_ipv4_options)
{
	struct tpkt t;

	tpkt_init(&t);
	t.ipv4_options = 8;
	truncated(hook, &t, 14 + 24);
}

HOOK_TESTS(truncated, cut_in_udp_header)
{
	struct tpkt t;

	tpkt_init(&t);
	truncated(hook, &t, 14 + 20 + 4);
}

HOOK_TESTS(truncated, cut_in_tcp_header)
{
	struct tpkt t;

	tpkt_init(&t);
	t.proto = 6;
	truncated(hook, &t, 14 + 20 + 12);
}

HOOK_TESTS(truncated, cut_in_icmp_header)
{
	struct tpkt t;

	tpkt_init(&t);
	t.proto = 1;
	truncated(hook, &t, 14 + 20 + 6);
}

HOOK_TESTS(truncated, cut_in_ipv6_header)
{
	struct tpkt t;

	tpkt_init(&t);
	v6(&t);
	truncated(hook, &t, 14 + 20);
}

HOOK_TESTS(truncated, cut_in_ipv6_ext_header)
{
	struct tpkt t;

	tpkt_init(&t);
	v6(&t);
	t.ipv6_ext_hdrs = 2;
	truncated(hook, &t, 14 + 40 + 8 + 1);
}

HOOK_TESTS(truncated, cut_in_vlan_tag)
{
	struct tpkt t;

	tpkt_init(&t);
	t.vlan_tags = 2;
	truncated(hook, &t, 14 + 4 + 2);
}

HOOK_TESTS(truncated, ethernet_header_only)
{
	struct tpkt t;

	tpkt_init(&t);
	truncated(hook, &t, 14);
}

/*
 * Shorter than an Ethernet header: BPF_PROG_TEST_RUN itself refuses the
 * frame (-EINVAL, the kernel's ETH_HLEN minimum), so the probe never runs;
 * hs_parse() calls it truncated.
 */
HOOK_TESTS(garbage, shorter_than_ethernet)
{
	static const uint8_t frame[10] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10 };
	struct probe *p = probe_open(&(struct probe_opts){ .point = POINT });
	struct hs_pkt pkt;
	__u64 fp;
	uint32_t ret = 0;
	int err;

	cr_expect_eq(hs_frame_fingerprint(frame, sizeof(frame), &pkt, &fp),
		     HS_PARSE_TRUNCATED);
	err = probe_run_raw(p, hook, frame, sizeof(frame), &ret);
	if (err == 0) {
		/* a kernel that runs it must see a parse error */
		cr_expect_eq(ret, hook == HOOK_XDP ? 2u : (uint32_t)-1);
		cr_expect_eq(probe_drain(p), 0);
		expect_counters(p, 1, 1, 0, 0, 0, 0, 0);
	} else {
		cr_expect_eq(err, -EINVAL, "%s: test run: %d", hook_name(hook),
			     err);
		cr_expect_eq(probe_drain(p), 0);
		expect_counters(p, 0, 0, 0, 0, 0, 0, 0);
	}
	probe_close(p);
}

/* Not IP: counted as filtered, not as a parse error. */
HOOK_TESTS(garbage, arp_is_filtered)
{
	FRAME_BUF(frame, 60);
	struct probe *p = probe_open(&(struct probe_opts){ .point = POINT });
	struct hs_pkt pkt;
	__u64 fp;

	memset(frame, 0xff, 6);
	memcpy(frame + 6, "\x02\x00\x00\x00\x00\x01", 6);
	frame[12] = 0x08;
	frame[13] = 0x06;
	/* htype 1, ptype IPv4, hlen 6, plen 4, request */
	memcpy(frame + 14, "\x00\x01\x08\x00\x06\x04\x00\x01", 8);
	cr_assert_eq(hs_frame_fingerprint(frame, 60, &pkt, &fp),
		     HS_PARSE_NOT_IP);
	probe_run(p, hook, frame, 60);
	probe_run(p, hook, frame, 14); /* bare Ethernet header */
	cr_expect_eq(probe_drain(p), 0);
	expect_counters(p, 2, 0, 2, 0, 0, 0, 0);
	probe_close(p);
}

HOOK_TESTS(garbage, arp_in_vlan_is_filtered)
{
	FRAME_BUF(frame, 64);
	struct probe *p = probe_open(&(struct probe_opts){ .point = POINT });

	memset(frame, 0xff, 12);
	memcpy(frame + 12, "\x81\x00\x00\x64\x08\x06", 6);
	probe_run(p, hook, frame, 64);
	cr_expect_eq(probe_drain(p), 0);
	expect_counters(p, 1, 0, 1, 0, 0, 0, 0);
	probe_close(p);
}

HOOK_TESTS(garbage, ipv4_ethertype_bad_version)
{
	FRAME_BUF(frame, TPKT_MAX);
	struct probe *p = probe_open(&(struct probe_opts){ .point = POINT });
	struct tpkt t;
	size_t len;

	tpkt_init(&t);
	len = tpkt_build(&t, frame);
	frame[14] = 0x65; /* version 6 behind an IPv4 ethertype */
	probe_run(p, hook, frame, len);
	frame[14] = 0x44; /* IHL 4 */
	probe_run(p, hook, frame, len);
	frame[14] = 0x45;
	frame[16] = 0;
	frame[17] = 10; /* total length under the header length */
	probe_run(p, hook, frame, len);
	cr_expect_eq(probe_drain(p), 0);
	expect_counters(p, 3, 3, 0, 0, 0, 0, 0);
	probe_close(p);
}

/* xorshift64*: a fixed sequence, so a failure reproduces. */
static uint64_t rnd(uint64_t *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 0x2545F4914F6CDD1DULL;
}

/*
 * Random bytes behind an IPv4 or IPv6 ethertype: whatever hs_parse() makes
 * of them in user space, the probe must agree: a record with the same
 * fingerprint, or no record and one parse error.
 */
HOOK_TESTS(garbage, random_bytes_agree_with_user_space)
{
	FRAME_BUF(frame, 256);
	struct probe *p = probe_open(&(struct probe_opts){ .point = POINT });
	uint64_t seed = 0x9e3779b97f4a7c15ULL;
	unsigned int i, n = 300, nok = 0, nerr = 0, nrun = 0;

	for (i = 0; i < n; i++) {
		size_t len = 14 + rnd(&seed) % 100, j;
		struct hs_pkt pkt;
		__u64 fp;
		int err;

		for (j = 0; j < len; j++)
			frame[j] = (uint8_t)(rnd(&seed) >> 56);
		frame[12] = i & 1 ? 0x86 : 0x08;
		frame[13] = i & 1 ? 0xdd : 0x00;
		/* a plausible first byte now and then, to get further in */
		if (i % 3 == 0)
			frame[14] = i & 1 ? 0x60 : 0x45;
		err = hs_frame_fingerprint(frame, (__u32)len, &pkt, &fp);
		if (hook == HOOK_TC && tc_refuses(frame, len)) {
			cr_assert_neq(err, HS_PARSE_OK);
			cr_assert_eq(probe_run_raw(p, hook, frame, len, NULL),
				     -EINVAL);
			continue;
		}
		probe_run(p, hook, frame, len);
		nrun++;
		cr_assert_eq(probe_drain(p), err == HS_PARSE_OK ? 1u : 0u,
			     "%s: frame %u (len %zu): user-space parse %d",
			     hook_name(hook), i, len, err);
		if (err == HS_PARSE_OK) {
			cr_expect_eq(p->recs[p->nrec - 1].fingerprint, fp,
				     "frame %u: fingerprint differs", i);
			nok++;
		} else {
			cr_assert_neq(err, HS_PARSE_NOT_IP);
			nerr++;
		}
	}
	cr_expect_gt(nerr, 0);
	cr_expect_gt(nrun, n / 2);
	expect_counters(p, nrun, nerr, 0, 0, nok, nok, 0);
	probe_close(p);
}
