// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * hs_packet.h's fast path and sampling: hs_parse_fast() must make of
 * every frame it takes exactly what hs_parse() makes of it, and the
 * sampling key must be the same wherever a hop may have rewritten what
 * NAT rewrites, or the payload was never read.
 */
#include <string.h>
#include <criterion/criterion.h>
#include "hs_packet.h"
#include "packet.h"

static uint8_t frame[TPKT_MAX];
static uint8_t payload24[24] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12 };

static uint64_t rnd(uint64_t *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 0x2545F4914F6CDD1DULL;
}

/*
 * Both parsers over frame[0, len). Returns 1 if the fast path took it,
 * after asserting it agrees with hs_parse() field for field.
 */
static int fast_agrees(const uint8_t *f, size_t len, const char *what)
{
	struct hs_pkt fast, full;
	int rf, rs;

	memset(&fast, 0, sizeof(fast));
	memset(&full, 0, sizeof(full));
	rf = hs_parse_fast(f, f + len, hs_default_vxlan_ports, &fast);
	rs = hs_parse(f, f + len, (__u32)len, hs_default_vxlan_ports, &full);
	if (rf == HS_PARSE_SLOW)
		return 0;
	cr_assert_eq(rf, rs, "%s (len %zu): fast %d, hs_parse %d", what, len,
		     rf, rs);
	cr_assert_eq(memcmp(&fast, &full, sizeof(fast)), 0,
		     "%s (len %zu): the two parsers fill pkt differently",
		     what, len);
	return 1;
}

static size_t build(const struct tpkt *p)
{
	return tpkt_build(p, frame);
}

static void v6(struct tpkt *p)
{
	p->family = 6;
	p->src = "2001:2::1";
	p->dst = "2001:2:0:1::2";
	p->flow_label = 0x54321;
}

Test(parse_fast, takes_plain_ipv4_and_ipv6_and_agrees)
{
	static const uint8_t protos[] = { 17, 6, 1, 50, 47, 58 };
	unsigned int i, pl, family;
	struct tpkt p;

	for (i = 0; i < sizeof(protos) * 2; i++) {
		family = i < sizeof(protos) ? 4 : 6;
		for (pl = 0; pl < 24; pl += 3) {
			size_t len;

			tpkt_init(&p);
			if (family == 6)
				v6(&p);
			p.proto = protos[i % sizeof(protos)];
			p.payload = payload24;
			p.payload_len = pl;
			len = build(&p);
			/* an empty IPv6 payload says length 0, as BIG
			 * TCP does: hs_parse() tells the two apart */
			if (family == 6 && !pl &&
			    (p.proto == 50 || p.proto == 47)) {
				cr_assert_not(fast_agrees(frame, len, "empty"));
				continue;
			}
			cr_assert(fast_agrees(frame, len, "plain IP"),
				  "IPv%u protocol %u, payload %u: not taken",
				  family, p.proto, pl);
			/* Ethernet padding: still taken, still the same */
			memset(frame + len, 0xee, 20);
			cr_assert(fast_agrees(frame, len + 20, "padded"));
		}
	}
}

Test(parse_fast, leaves_the_rest_to_hs_parse)
{
	struct tpkt p;
	size_t len;

	tpkt_init(&p);
	p.vlan_tags = 1;
	cr_assert_not(fast_agrees(frame, build(&p), "VLAN"));
	tpkt_init(&p);
	p.ipv4_options = 8;
	cr_assert_not(fast_agrees(frame, build(&p), "IPv4 options"));
	tpkt_init(&p);
	v6(&p);
	p.ipv6_ext_hdrs = 1;
	cr_assert_not(fast_agrees(frame, build(&p), "IPv6 extension header"));
	tpkt_init(&p);
	v6(&p);
	p.dport = HS_VXLAN_PORT;
	cr_assert_not(fast_agrees(frame, build(&p), "IPv6 to VXLAN's port"));
	tpkt_init(&p);
	len = build(&p);
	frame[14 + 6] = 0x20; /* MF */
	cr_assert_not(fast_agrees(frame, len, "first fragment"));
	frame[14 + 6] = 0;
	frame[14 + 7] = 1; /* offset 8 */
	cr_assert_not(fast_agrees(frame, len, "later fragment"));
	/* UDP to VXLAN's and Geneve's ports: maybe a tunnel */
	tpkt_init(&p);
	p.dport = HS_VXLAN_PORT;
	cr_assert_not(fast_agrees(frame, build(&p), "VXLAN port"));
	p.dport = HS_GENEVE_PORT;
	cr_assert_not(fast_agrees(frame, build(&p), "Geneve port"));
	/* IP length 0: BIG TCP's, or malformed */
	tpkt_init(&p);
	len = build(&p);
	frame[14 + 2] = frame[14 + 3] = 0;
	cr_assert_not(fast_agrees(frame, len, "IP length 0"));
	tpkt_init(&p);
	v6(&p);
	len = build(&p);
	frame[14 + 4] = frame[14 + 5] = 0;
	cr_assert_not(fast_agrees(frame, len, "IPv6 payload length 0"));
}

/* Cut short anywhere: taken or not, never a different verdict. */
Test(parse_fast, truncated_frames_agree)
{
	struct tpkt p;
	size_t len, cut;
	int proto;

	for (proto = 0; proto < 4; proto++) {
		tpkt_init(&p);
		if (proto >= 2)
			v6(&p);
		p.proto = proto % 2 ? 6 : 17;
		len = build(&p);
		for (cut = 0; cut <= len; cut++)
			fast_agrees(frame, cut, "truncated");
	}
}

/*
 * Random bytes over the headers of valid IPv4 and IPv6 frames, 40 000
 * times: whatever
 * the fast path takes it must parse as hs_parse() does, malformed
 * lengths, bad TCP offsets and odd protocols included.
 */
Test(parse_fast, mutated_headers_agree)
{
	uint8_t base[TPKT_MAX];
	uint64_t seed = 0x243F6A8885A308D3ULL;
	unsigned int i, taken = 0, n = 40000;
	struct tpkt p;

	for (i = 0; i < n; i++) {
		size_t len, j, flips;

		tpkt_init(&p);
		if (i % 2)
			v6(&p);
		p.proto = i % 3 == 0 ? 6 : 17;
		p.payload = payload24;
		p.payload_len = i % 20;
		len = tpkt_build(&p, base);
		memcpy(frame, base, len);
		flips = 1 + rnd(&seed) % 3;
		for (j = 0; j < flips; j++) {
			/* mostly IP and L4 header bytes; the version byte
			 * and the ethertype as they are, most of the time */
			size_t at = 14 + rnd(&seed) % (i % 2 ? 60 : 40);

			if (at == 14 && rnd(&seed) % 4)
				continue;
			frame[at] = (uint8_t)(rnd(&seed) >> 56);
		}
		taken += fast_agrees(frame, len - rnd(&seed) % 4, "mutated");
	}
	/* the test means something only if the fast path took most */
	cr_assert_gt(taken, n / 2, "fast path took %u of %u", taken, n);
}

/* ---- sampling ---- */

/* The frame's pkt, nat_key filled, as the probe has it. */
static void pkt_of(const struct tpkt *p, struct hs_pkt *pkt)
{
	__u64 fp;
	size_t len = tpkt_build(p, frame);

	cr_assert_eq(hs_frame_fingerprint(frame, (__u32)len, pkt, &fp),
		     HS_PARSE_OK);
}

Test(sampling, which_packets_the_headers_decide)
{
	struct hs_pkt pkt;
	struct tpkt p;

	tpkt_init(&p);
	p.ip_id = 7;
	pkt_of(&p, &pkt);
	cr_assert(hs_header_keyed(&pkt), "IPv4 with an id");
	p.ip_id = 0;
	pkt_of(&p, &pkt);
	cr_assert_not(hs_header_keyed(&pkt), "IPv4 id 0: the NAT key");
	p.proto = 6;
	pkt_of(&p, &pkt);
	cr_assert(hs_header_keyed(&pkt), "TCP: its sequence numbers");
	tpkt_init(&p);
	p.family = 6;
	p.src = "2001:2::1";
	p.dst = "2001:2::2";
	pkt_of(&p, &pkt);
	cr_assert_not(hs_header_keyed(&pkt), "IPv6 UDP: the NAT key");
	p.proto = 6;
	pkt_of(&p, &pkt);
	cr_assert(hs_header_keyed(&pkt), "IPv6 TCP");
}

/*
 * The decision survives NAT (addresses and ports rewritten) whichever key
 * takes it, and a header-keyed one never looks at the payload: the probe
 * makes it before reading the payload.
 */
Test(sampling, same_across_nat_and_payload_blind_when_header_keyed)
{
	static uint8_t payload[16];
	__u64 thr = hs_sample_threshold(3);
	unsigned int i, kept[3] = { 0 };
	struct hs_pkt a, b;
	struct tpkt p;

	for (i = 0; i < 3000; i++) {
		int kind = i % 3; /* IPv4 UDP id, IPv4 UDP id 0, TCP */

		tpkt_init(&p);
		p.payload = payload;
		p.payload_len = sizeof(payload);
		memcpy(payload, &i, sizeof(i));
		p.ip_id = kind == 1 ? 0 : (uint16_t)(i * 7 + 1);
		p.proto = kind == 2 ? 6 : 17;
		p.tcp_seq = i * 1448;
		pkt_of(&p, &a);
		p.src = "198.19.7.7";
		p.sport = 40000;
		p.dport = 8080;
		pkt_of(&p, &b);
		cr_assert_eq(hs_pkt_sampled(&a, thr), hs_pkt_sampled(&b, thr),
			     "packet %u: NAT changed the decision", i);
		kept[kind] += hs_pkt_sampled(&a, thr);
		if (kind == 1)
			continue;
		payload[9] ^= 0xff;
		pkt_of(&p, &b);
		cr_assert_eq(hs_pkt_sampled(&a, thr), hs_pkt_sampled(&b, thr),
			     "packet %u: the payload changed the decision", i);
	}
	/* binomial(1000, 1/3): mean 333, sd 14.9; [233, 433] is 6.7 sd */
	for (i = 0; i < 3; i++) {
		cr_assert_geq(kept[i], 233, "kind %u: kept %u of 1000", i,
			      kept[i]);
		cr_assert_leq(kept[i], 433, "kind %u: kept %u of 1000", i,
			      kept[i]);
	}
}

/* Counters step by one (an IPv4 id) or by a segment (a TCP sequence):
 * 1 in 64 must still be 1 in 64, not all or nothing in runs. */
Test(sampling, counting_headers_sample_evenly)
{
	__u64 thr = hs_sample_threshold(64);
	unsigned int i, kept_id = 0, kept_seq = 0, run = 0, longest = 0;
	struct hs_pkt pkt;
	struct tpkt p;

	tpkt_init(&p);
	for (i = 1; i <= 65535; i++) {
		p.ip_id = (uint16_t)i;
		pkt_of(&p, &pkt);
		if (hs_pkt_sampled(&pkt, thr)) {
			kept_id++;
			run = 0;
		} else if (++run > longest) {
			longest = run;
		}
	}
	tpkt_init(&p);
	p.proto = 6;
	for (i = 0; i < 20000; i++) {
		p.tcp_seq = 1000 + i * 1448;
		pkt_of(&p, &pkt);
		kept_seq += hs_pkt_sampled(&pkt, thr);
	}
	/* binomial(65535, 1/64): mean 1024, sd 31.7; (20000): 312, 17.5 */
	cr_assert(kept_id > 870 && kept_id < 1180, "ids: kept %u", kept_id);
	cr_assert(kept_seq > 220 && kept_seq < 400, "seqs: kept %u", kept_seq);
	/* geometric gaps, mean 64: a gap over 1500 is p < 1e-8 each */
	cr_assert_lt(longest, 1500, "a gap of %u ids never sampled", longest);
}
