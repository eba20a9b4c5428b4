// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * tuple.c: a conntrack tuple hashes to the flow hash the probe gives a
 * packet of it, and a rewrite reads as what changed.
 */
#include <arpa/inet.h>
#include <string.h>
#include <criterion/criterion.h>
#include "hs_packet.h"
#include "packet.h"
#include "topo/tuple.h"

static struct hs_tuple tuple(int family, uint8_t proto, const char *src,
			     const char *dst, uint16_t sport, uint16_t dport)
{
	struct hs_tuple t = { .family = (uint8_t)family, .proto = proto };
	int af = family == 6 ? AF_INET6 : AF_INET;

	cr_assert_eq(inet_pton(af, src, t.src), 1);
	cr_assert_eq(inet_pton(af, dst, t.dst), 1);
	if (proto == 1 || proto == 58)
		t.icmp_id = sport;
	else {
		t.sport = sport;
		t.dport = dport;
	}
	return t;
}

/* The flow hash of the frame tests/lib builds for the same flow. */
static uint32_t frame_flow(int family, uint8_t proto, const char *src,
			   const char *dst, uint16_t sport, uint16_t dport)
{
	static uint8_t frame[TPKT_MAX];
	struct hs_pkt pkt;
	struct tpkt p;
	__u64 fp;
	size_t len;

	tpkt_init(&p);
	p.family = family;
	p.proto = proto;
	p.src = src;
	p.dst = dst;
	p.sport = sport;
	p.dport = dport;
	len = tpkt_build(&p, frame);
	cr_assert_eq(hs_frame_fingerprint(frame, (__u32)len, &pkt, &fp), 0);
	return hs_flow_hash(&pkt);
}

Test(tuple, hashes_as_the_probe_does)
{
	struct hs_tuple t;

	t = tuple(4, 17, "198.18.0.1", "198.18.2.2", 5000, 9999);
	cr_assert_eq(hs_tuple_flow_hash(&t),
		     frame_flow(4, 17, "198.18.0.1", "198.18.2.2", 5000, 9999));
	t = tuple(6, 6, "2001:2::1", "2001:2:0:2::2", 40000, 80);
	cr_assert_eq(hs_tuple_flow_hash(&t),
		     frame_flow(6, 6, "2001:2::1", "2001:2:0:2::2", 40000, 80));
	/* ICMP echo: the id is the tuple's "port" (tests/lib puts it in
	 * sport), the sequence is not in the flow */
	t = tuple(4, 1, "198.18.0.1", "198.18.2.2", 77, 0);
	cr_assert_eq(hs_tuple_flow_hash(&t),
		     frame_flow(4, 1, "198.18.0.1", "198.18.2.2", 77, 5));
}

Test(tuple, reverse_swaps_the_ends)
{
	struct hs_tuple t = tuple(4, 17, "198.18.0.1", "198.18.2.2", 5000, 53);
	struct hs_tuple r;

	hs_tuple_reverse(&t, &r);
	cr_assert_eq(r.src[0], t.dst[0]);
	cr_assert_eq(r.dst[0], t.src[0]);
	cr_assert_eq(r.sport, 53);
	cr_assert_eq(r.dport, 5000);
}

Test(tuple, rewrite_text_says_what_changed)
{
	struct hs_tuple in, out;
	char text[128];

	in = tuple(4, 17, "198.18.1.2", "198.18.2.2", 5000, 53);
	out = tuple(4, 17, "198.18.9.1", "198.18.2.2", 61000, 53);
	hs_tuple_rewrite_text(&in, &out, text, sizeof(text));
	cr_assert_str_eq(text, "198.18.1.2:5000 -> 198.18.9.1:61000");

	in = tuple(4, 6, "198.18.40.2", "198.18.40.1", 33000, 8080);
	out = tuple(4, 6, "198.18.40.2", "198.18.41.2", 33000, 80);
	hs_tuple_rewrite_text(&in, &out, text, sizeof(text));
	cr_assert_str_eq(text, "to 198.18.40.1:8080 -> 198.18.41.2:80");

	in = tuple(6, 17, "2001:2::1", "2001:2:0:2::2", 5000, 53);
	out = tuple(6, 17, "2001:2:0:1::1", "2001:2:0:3::9", 5000, 5353);
	hs_tuple_rewrite_text(&in, &out, text, sizeof(text));
	cr_assert_str_eq(
		text,
		"[2001:2::1]:5000 -> [2001:2:0:1::1]:5000, to [2001:2:0:2::2]:53 -> [2001:2:0:3::9]:5353");

	in = tuple(4, 1, "198.18.0.1", "198.18.2.2", 77, 0);
	out = tuple(4, 1, "198.18.1.1", "198.18.2.2", 1024, 0);
	hs_tuple_rewrite_text(&in, &out, text, sizeof(text));
	cr_assert_str_eq(text, "198.18.0.1 id 77 -> 198.18.1.1 id 1024");
}
