// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * hs_packet.h: parsing, the fingerprint (what identifies a packet at every
 * hop), the flow hash and 1-in-N sampling, on frames from tests/lib.
 */
#include <arpa/inet.h>
#include <string.h>
#include <criterion/criterion.h>
#include "hs_packet.h"
#include "packet.h"

static uint8_t frame[TPKT_MAX];

/* Build p and return its fingerprint; the frame must parse. */
static __u64 fp_of(const struct tpkt *p, struct hs_pkt *pkt)
{
	struct hs_pkt local;
	__u64 fp = 0;
	size_t len = tpkt_build(p, frame);
	int err;

	err = hs_frame_fingerprint(frame, (uint32_t)len, pkt ? pkt : &local,
				   &fp);
	cr_assert_eq(err, HS_PARSE_OK, "parse result %d", err);
	return fp;
}

static int parse_len(const struct tpkt *p, size_t len)
{
	struct hs_pkt pkt;
	__u64 fp;

	tpkt_build(p, frame);
	return hs_frame_fingerprint(frame, (uint32_t)len, &pkt, &fp);
}

static void init6(struct tpkt *p)
{
	tpkt_init(p);
	p->family = 6;
	p->src = "2001:2::1";
	p->dst = "2001:2:0:1::2";
	p->flow_label = 0x12345;
}

/* ---- what must not change the fingerprint ---- */

Test(fingerprint, ignores_macs)
{
	struct tpkt p;
	__u64 a;

	tpkt_init(&p);
	a = fp_of(&p, NULL);
	/* a VNF or bridge rewrites both MACs */
	p.src_mac[5] = 0x77;
	p.dst_mac[0] = 0x0a;
	cr_assert_eq(fp_of(&p, NULL), a);
}

Test(fingerprint, ignores_ttl)
{
	struct tpkt p;
	__u64 a;

	tpkt_init(&p);
	a = fp_of(&p, NULL);
	p.ttl = 63; /* one router hop later */
	cr_assert_eq(fp_of(&p, NULL), a);
	p.ttl = 1;
	cr_assert_eq(fp_of(&p, NULL), a);
}

Test(fingerprint, ignores_ipv4_checksum)
{
	struct tpkt p;
	__u64 a;

	tpkt_init(&p);
	a = fp_of(&p, NULL);
	p.bad_ip_csum = 1;
	cr_assert_eq(fp_of(&p, NULL), a);
}

Test(fingerprint, ignores_tos_and_ecn)
{
	struct tpkt p;
	__u64 a;

	tpkt_init(&p);
	a = fp_of(&p, NULL);
	p.tos = 0x03; /* ECN CE set by a congested queue */
	cr_assert_eq(fp_of(&p, NULL), a);
	p.tos = 0xb8; /* DSCP EF, remarked on the way */
	cr_assert_eq(fp_of(&p, NULL), a);
}

Test(fingerprint, ignores_vlan_tags)
{
	struct tpkt p;
	struct hs_pkt pkt;
	__u64 a;

	tpkt_init(&p);
	a = fp_of(&p, NULL);
	p.vlan_tags = 1;
	p.vlan_id[0] = 100;
	cr_assert_eq(fp_of(&p, &pkt), a);
	/* the payload is found behind the tag: 14 + 4 + 20 + 8 */
	cr_assert_eq(pkt.payload_off, 46);
	p.vlan_tags = 2; /* QinQ: 802.1ad outer, 802.1Q inner */
	p.vlan_id[1] = 200;
	cr_assert_eq(fp_of(&p, &pkt), a);
	cr_assert_eq(pkt.payload_off, 50);
}

Test(fingerprint, ipv6_ignores_hop_limit_class_macs_vlan)
{
	struct tpkt p;
	__u64 a;

	init6(&p);
	a = fp_of(&p, NULL);
	p.ttl = 1;
	cr_assert_eq(fp_of(&p, NULL), a);
	p.tos = 0x03;
	cr_assert_eq(fp_of(&p, NULL), a);
	p.src_mac[1] = 0x99;
	cr_assert_eq(fp_of(&p, NULL), a);
	p.vlan_tags = 2;
	cr_assert_eq(fp_of(&p, NULL), a);
}

Test(fingerprint, ignores_ipv4_df)
{
	struct tpkt p;
	struct hs_pkt pkt;
	__u64 a, b;
	size_t len;

	/* DF (0x4000 in the flags/offset word at 14 + 6) may be cleared on
	 * the way; MF and the offset matter, DF does not */
	tpkt_init(&p);
	a = fp_of(&p, NULL);
	len = tpkt_build(&p, frame);
	cr_assert_eq(frame[20], 0x40);
	frame[20] = 0x00;
	cr_assert_eq(hs_frame_fingerprint(frame, (uint32_t)len, &pkt, &b),
		     HS_PARSE_OK);
	cr_assert_eq(b, a);
}

Test(fingerprint, ignores_ethernet_padding)
{
	static const uint8_t four[4] = { 9, 8, 7, 6 };
	struct tpkt p;
	struct hs_pkt pkt;
	__u64 a, b;
	size_t len;

	/* a 4-byte payload gives a 46-byte frame, padded to 60 on the wire;
	 * the IP length says where the packet ends, the padding is noise */
	tpkt_init(&p);
	p.payload = four;
	p.payload_len = 4;
	len = tpkt_build(&p, frame);
	cr_assert_eq(len, 14 + 20 + 8 + 4);
	memset(frame + len, 0xaa, 60 - len);
	cr_assert_eq(hs_frame_fingerprint(frame, 60, &pkt, &a), HS_PARSE_OK);
	cr_assert_eq(pkt.payload_len, 4);
	memset(frame + len, 0x55, 60 - len);
	cr_assert_eq(hs_frame_fingerprint(frame, 60, &pkt, &b), HS_PARSE_OK);
	cr_assert_eq(b, a);
}

/* ---- what must change it ---- */

Test(fingerprint, ip_id_changes_it)
{
	struct tpkt p;
	__u64 a;

	tpkt_init(&p);
	a = fp_of(&p, NULL);
	p.ip_id = 0x1235;
	cr_assert_neq(fp_of(&p, NULL), a);
}

Test(fingerprint, ports_change_it)
{
	struct tpkt p;
	__u64 a, b, c;

	tpkt_init(&p);
	a = fp_of(&p, NULL);
	p.sport = 1001;
	b = fp_of(&p, NULL);
	p.sport = 1000;
	p.dport = 2001;
	c = fp_of(&p, NULL);
	cr_assert_neq(b, a);
	cr_assert_neq(c, a);
	cr_assert_neq(c, b);
}

Test(fingerprint, first_and_last_eight_payload_bytes_change_it)
{
	uint8_t payload[32] = { 0 };
	struct tpkt p;
	__u64 a;
	int i;

	tpkt_init(&p);
	p.payload = payload;
	p.payload_len = sizeof(payload);
	a = fp_of(&p, NULL);
	for (i = 0; i < (int)sizeof(payload); i++) {
		bool read = i < HS_PAYLOAD_WORD ||
			    i >= (int)sizeof(payload) - HS_PAYLOAD_WORD;

		payload[i] ^= 0x01;
		if (read)
			cr_assert_neq(fp_of(&p, NULL), a, "payload byte %d", i);
		else /* by design: two loads a packet, not the whole payload */
			cr_assert_eq(fp_of(&p, NULL), a, "payload byte %d", i);
		payload[i] ^= 0x01;
	}
}

/* 1 to 7 bytes of payload: each of them counts, and nothing else. */
Test(fingerprint, every_byte_of_a_short_payload_changes_it)
{
	uint8_t payload[7] = { 0 };
	struct tpkt p;
	struct hs_pkt pkt;
	size_t n, i;
	__u64 a;

	for (n = 1; n <= sizeof(payload); n++) {
		tpkt_init(&p);
		p.payload = payload;
		p.payload_len = n;
		memset(payload, 0x5a, sizeof(payload));
		a = fp_of(&p, &pkt);
		/* the payload's bytes alone, at the bottom of the word */
		cr_assert_eq(pkt.head, 0x5a5a5a5a5a5a5a5aull >> (64 - 8 * n),
			     "%zu bytes: head %#llx", n,
			     (unsigned long long)pkt.head);
		cr_assert_eq(pkt.tail, 0, "%zu bytes: no tail word", n);
		for (i = 0; i < n; i++) {
			payload[i] ^= 0x01;
			cr_assert_neq(fp_of(&p, NULL), a, "%zu bytes, byte %zu",
				      n, i);
			payload[i] ^= 0x01;
		}
	}
}

Test(fingerprint, tcp_flags_window_and_ack_change_it)
{
	struct tpkt p;
	__u64 ack, fin_ack, other_ack, other_window;

	/* a pure ACK, and a FIN-ACK with the same seq and ack */
	tpkt_init(&p);
	p.proto = 6;
	p.payload_len = 0;
	p.tcp_seq = 5000;
	p.tcp_ack = 7000;
	p.tcp_flags = 0x10;
	ack = fp_of(&p, NULL);
	p.tcp_flags = 0x11;
	fin_ack = fp_of(&p, NULL);
	p.tcp_flags = 0x10;
	p.tcp_ack = 7100;
	other_ack = fp_of(&p, NULL);
	p.tcp_ack = 7000;
	p.tcp_window = 1000;
	other_window = fp_of(&p, NULL);
	cr_assert_neq(fin_ack, ack);
	cr_assert_neq(other_ack, ack);
	cr_assert_neq(other_window, ack);
}

/* Duplicate ACKs that differ only in their timestamp option: the tail
 * word is read from the options when there is no payload. */
Test(fingerprint, tcp_timestamps_tell_duplicate_acks_apart)
{
	uint8_t opts[12] = { 1, 1, 8, 10, 0, 0, 0x10, 0, 0, 0, 0x20, 0 };
	struct tpkt p;
	struct hs_pkt pkt;
	__u64 a;

	init6(&p);
	p.proto = 6;
	p.payload_len = 0;
	p.tcp_flags = 0x10;
	p.tcp_opts = opts;
	p.tcp_opts_len = sizeof(opts);
	a = fp_of(&p, &pkt);
	cr_assert_eq(pkt.payload_len, 0);
	cr_assert_eq(pkt.payload_off, 14 + 40 + 32);
	opts[7] = 1; /* TSval one tick on */
	cr_assert_neq(fp_of(&p, NULL), a);
}

/* Protocols with no header of ours (ESP here): their first and last bytes
 * are the payload words. */
Test(fingerprint, esp_sequence_and_icv_change_it)
{
	uint8_t esp[40] = { 0, 0, 0x10, 0x01, 0, 0, 0, 1 };
	struct tpkt p;
	struct hs_pkt pkt;
	__u64 a;

	tpkt_init(&p);
	p.ip_id = 0; /* DF packets of a tunnel: no id to tell them apart */
	p.proto = 50;
	p.payload = esp;
	p.payload_len = sizeof(esp);
	a = fp_of(&p, &pkt);
	cr_assert_eq(pkt.payload_off, 14 + 20);
	cr_assert_eq(pkt.payload_len, sizeof(esp));
	esp[7] = 2; /* the sequence number */
	cr_assert_neq(fp_of(&p, NULL), a);
	esp[7] = 1;
	esp[39] ^= 0xff; /* the integrity check value */
	cr_assert_neq(fp_of(&p, NULL), a);
}

Test(fingerprint, ipv6_flow_label_changes_it)
{
	struct tpkt p;
	__u64 a;

	init6(&p);
	a = fp_of(&p, NULL);
	p.flow_label = 0x12346;
	cr_assert_neq(fp_of(&p, NULL), a);
}

Test(fingerprint, addresses_and_protocol_change_it)
{
	struct tpkt p;
	__u64 a;

	tpkt_init(&p);
	a = fp_of(&p, NULL);
	p.dst = "198.18.1.3";
	cr_assert_neq(fp_of(&p, NULL), a);
	tpkt_init(&p);
	p.proto = 6;
	cr_assert_neq(fp_of(&p, NULL), a);
}

Test(fingerprint, tcp_sequence_changes_it)
{
	struct tpkt p;
	struct hs_pkt pkt;
	__u64 a;

	tpkt_init(&p);
	p.proto = 6;
	p.tcp_seq = 1000;
	a = fp_of(&p, &pkt);
	cr_assert_eq(pkt.proto, 6);
	cr_assert_eq(pkt.l4_words[1], 1000);
	/* a retransmission with another IP id is another packet anyway;
	 * here only the sequence number moves */
	p.tcp_seq = 2448;
	cr_assert_neq(fp_of(&p, NULL), a);
}

Test(fingerprint, icmp_echo_sequence_changes_it)
{
	struct tpkt p;
	struct hs_pkt pkt;
	__u64 a;

	tpkt_init(&p);
	p.proto = 1;
	p.sport = 77; /* echo id */
	p.dport = 1; /* echo sequence */
	a = fp_of(&p, &pkt);
	/* type 8 code 0; the sequence; the id apart, with the ports */
	cr_assert_eq(pkt.l4_words[0], 8 << 8);
	cr_assert_eq(pkt.l4_words[1], 1);
	cr_assert_eq(pkt.icmp_id, 77);
	p.dport = 2;
	cr_assert_neq(fp_of(&p, NULL), a);
}

/* NAT rewrites the echo id as it does a port: the fingerprint changes,
 * the NAT key does not */
Test(fingerprint, icmp_echo_id_is_out_of_the_nat_key)
{
	struct tpkt p;
	struct hs_pkt pkt;
	__u64 a, key;

	tpkt_init(&p);
	p.proto = 1;
	p.sport = 77;
	p.dport = 1;
	a = fp_of(&p, &pkt);
	key = pkt.nat_key;
	p.sport = 61000;
	cr_assert_neq(fp_of(&p, &pkt), a);
	cr_assert_eq(pkt.nat_key, key);
}

/* ---- parsing ---- */

Test(fingerprint, ipv4_fields)
{
	struct tpkt p;
	struct hs_pkt pkt;

	tpkt_init(&p);
	fp_of(&p, &pkt);
	cr_assert_eq(pkt.family, 4);
	cr_assert_eq(pkt.proto, 17);
	cr_assert_eq(pkt.saddr[0], inet_addr("198.18.0.1"));
	cr_assert_eq(pkt.daddr[0], inet_addr("198.18.1.2"));
	cr_assert_eq(pkt.sport, 1000);
	cr_assert_eq(pkt.dport, 2000);
	/* id 0x1234 in the high half; DF left out, no MF, offset 0 */
	cr_assert_eq(pkt.ip_ident, 0x12340000);
	cr_assert_eq(pkt.ip_len, 8 + 16);
	cr_assert_eq(pkt.payload_off, 14 + 20 + 8);
	cr_assert_eq(pkt.payload_len, 16);
	/* bytes 0 to 7 and 8 to 15 of the payload, little-endian */
	cr_assert_eq(pkt.head, 0x0706050403020100ull);
	cr_assert_eq(pkt.tail, 0x0f0e0d0c0b0a0908ull);
}

Test(fingerprint, ipv4_options_parse)
{
	struct tpkt p;
	struct hs_pkt pkt;

	tpkt_init(&p);
	p.ipv4_options = 8; /* ihl 7 */
	fp_of(&p, &pkt);
	cr_assert_eq(pkt.proto, 17);
	cr_assert_eq(pkt.sport, 1000);
	cr_assert_eq(pkt.dport, 2000);
	/* the L3 payload length excludes the options */
	cr_assert_eq(pkt.ip_len, 8 + 16);
	cr_assert_eq(pkt.payload_off, 14 + 28 + 8);
	cr_assert_eq(pkt.head, 0x0706050403020100ull);
}

Test(fingerprint, ipv6_extension_headers_parse)
{
	struct tpkt p;
	struct hs_pkt pkt;
	int n;

	/* 1 to HS_MAX_IPV6_EXT_HDRS destination-options headers of 8 bytes
	 * each: L4 found behind them, ports right */
	for (n = 0; n <= HS_MAX_IPV6_EXT_HDRS; n++) {
		init6(&p);
		p.ipv6_ext_hdrs = n;
		fp_of(&p, &pkt);
		cr_assert_eq(pkt.family, 6);
		cr_assert_eq(pkt.proto, 17, "%d headers", n);
		cr_assert_eq(pkt.sport, 1000, "%d headers", n);
		cr_assert_eq(pkt.dport, 2000, "%d headers", n);
		cr_assert_eq(pkt.ip_len, 8 * n + 8 + 16);
		cr_assert_eq(pkt.payload_off, 14 + 40 + 8 * n + 8);
		cr_assert_eq(pkt.payload_len, 16);
		cr_assert_eq(pkt.ip_ident, 0x12345);
	}
	/* one more than the walk takes: refused, not misread as L4 */
	init6(&p);
	p.ipv6_ext_hdrs = HS_MAX_IPV6_EXT_HDRS + 1;
	cr_assert_eq(parse_len(&p, tpkt_build(&p, frame)), HS_PARSE_MALFORMED);
}

Test(fingerprint, ipv6_tcp_and_icmpv6)
{
	struct tpkt p;
	struct hs_pkt pkt;

	init6(&p);
	p.proto = 6;
	p.ipv6_ext_hdrs = 2;
	fp_of(&p, &pkt);
	cr_assert_eq(pkt.proto, 6);
	cr_assert_eq(pkt.sport, 1000);
	cr_assert_eq(pkt.payload_off, 14 + 40 + 16 + 20);
	init6(&p);
	p.proto = 58;
	fp_of(&p, &pkt);
	cr_assert_eq(pkt.proto, 58);
	cr_assert_eq(pkt.l4_words[0], 128 << 8); /* echo request */
}

/*
 * Turn the single destination-options header of an IPv6 UDP frame into a
 * fragment header: offset in 8-byte units, M flag, identification.
 */
static size_t ipv6_fragment(uint16_t offset, int more, uint32_t id)
{
	struct tpkt p;
	size_t len;
	uint8_t *h = frame + 14 + 40;

	init6(&p);
	p.ipv6_ext_hdrs = 1;
	len = tpkt_build(&p, frame);
	frame[14 + 6] = 44; /* next header: fragment */
	h[0] = 17;
	h[1] = 0;
	h[2] = (uint8_t)((offset << 3) >> 8);
	h[3] = (uint8_t)((offset << 3) | (more ? 1 : 0));
	h[4] = id >> 24;
	h[5] = id >> 16;
	h[6] = id >> 8;
	h[7] = id;
	return len;
}

Test(fingerprint, ipv6_fragments_told_apart)
{
	struct hs_pkt pkt;
	__u64 first, at512, at1024, at1;
	size_t len;

	len = ipv6_fragment(0, 1, 0xabcd);
	cr_assert_eq(hs_frame_fingerprint(frame, len, &pkt, &first),
		     HS_PARSE_OK);
	/* the first fragment carries the UDP header */
	cr_assert_eq(pkt.is_fragment, 0);
	cr_assert_eq(pkt.sport, 1000);
	cr_assert_eq(pkt.frag_ident, 0xabcd);

	len = ipv6_fragment(1, 1, 0xabcd);
	cr_assert_eq(hs_frame_fingerprint(frame, len, &pkt, &at1),
		     HS_PARSE_OK);
	cr_assert_eq(pkt.is_fragment, 1);
	cr_assert_eq(pkt.sport, 0);
	cr_assert_eq(pkt.proto, 17);

	/* two middle fragments of one datagram, same length, 4096 bytes
	 * (512 units) apart: only the offset tells them apart, all 13 bits
	 * of it must count */
	len = ipv6_fragment(512, 1, 0xabcd);
	cr_assert_eq(hs_frame_fingerprint(frame, len, &pkt, &at512),
		     HS_PARSE_OK);
	len = ipv6_fragment(1024, 1, 0xabcd);
	cr_assert_eq(hs_frame_fingerprint(frame, len, &pkt, &at1024),
		     HS_PARSE_OK);
	cr_assert_neq(first, at1);
	cr_assert_neq(at1, at512);
	cr_assert_neq(at512, at1024);
}

Test(fingerprint, ipv4_fragment_has_no_l4)
{
	struct tpkt p;
	struct hs_pkt pkt;
	__u64 a, b;
	size_t len;

	tpkt_init(&p);
	len = tpkt_build(&p, frame);
	/* MF and offset 185 (1480 bytes): 0x2000 | 185 = 0x20b9 */
	frame[20] = 0x20;
	frame[21] = 0xb9;
	cr_assert_eq(hs_frame_fingerprint(frame, len, &pkt, &a), HS_PARSE_OK);
	cr_assert_eq(pkt.is_fragment, 1);
	cr_assert_eq(pkt.sport, 0);
	cr_assert_eq(pkt.ip_ident, 0x123420b9);
	frame[21] = 0xba; /* the next offset: another fragment */
	cr_assert_eq(hs_frame_fingerprint(frame, len, &pkt, &b), HS_PARSE_OK);
	cr_assert_neq(a, b);
}

Test(fingerprint, truncated_frames)
{
	struct tpkt p;
	size_t full;

	tpkt_init(&p);
	full = tpkt_build(&p, frame);
	cr_assert_eq(parse_len(&p, full), HS_PARSE_OK);
	cr_assert_eq(parse_len(&p, 0), HS_PARSE_TRUNCATED);
	cr_assert_eq(parse_len(&p, 13), HS_PARSE_TRUNCATED); /* Ethernet */
	cr_assert_eq(parse_len(&p, 14 + 19), HS_PARSE_TRUNCATED); /* IPv4 */
	cr_assert_eq(parse_len(&p, 14 + 20 + 7), HS_PARSE_TRUNCATED); /* UDP */

	/* options past the end */
	p.ipv4_options = 8;
	cr_assert_eq(parse_len(&p, 14 + 24), HS_PARSE_TRUNCATED);

	/* VLAN tag cut */
	tpkt_init(&p);
	p.vlan_tags = 2;
	cr_assert_eq(parse_len(&p, 14 + 2), HS_PARSE_TRUNCATED);
	cr_assert_eq(parse_len(&p, 14 + 4 + 2), HS_PARSE_TRUNCATED);

	/* IPv6 header, extension header, TCP header */
	init6(&p);
	cr_assert_eq(parse_len(&p, 14 + 39), HS_PARSE_TRUNCATED);
	p.ipv6_ext_hdrs = 1;
	cr_assert_eq(parse_len(&p, 14 + 40 + 1), HS_PARSE_TRUNCATED);
	init6(&p);
	p.proto = 6;
	cr_assert_eq(parse_len(&p, 14 + 40 + 19), HS_PARSE_TRUNCATED);
}

Test(fingerprint, payload_cut_short_still_parses)
{
	struct tpkt p;
	struct hs_pkt pkt;
	__u64 fp, whole;

	/* headers whole, payload cut after 4 bytes (a snap length): the
	 * payload is read all or nothing, so the bytes count as zeros */
	tpkt_init(&p);
	whole = fp_of(&p, NULL);
	cr_assert_eq(hs_frame_fingerprint(frame, 14 + 20 + 8 + 4, &pkt, &fp),
		     HS_PARSE_OK);
	cr_assert_eq(pkt.head, 0);
	cr_assert_eq(pkt.tail, 0);
	cr_assert_neq(fp, whole);
}

Test(fingerprint, not_ip)
{
	struct tpkt p;
	struct hs_pkt pkt;
	__u64 fp;
	size_t len;

	tpkt_init(&p);
	len = tpkt_build(&p, frame);
	frame[12] = 0x08; /* ARP */
	frame[13] = 0x06;
	cr_assert_eq(hs_frame_fingerprint(frame, len, &pkt, &fp),
		     HS_PARSE_NOT_IP);
	/* ARP behind a VLAN tag */
	p.vlan_tags = 1;
	len = tpkt_build(&p, frame);
	frame[16] = 0x08;
	frame[17] = 0x06;
	cr_assert_eq(hs_frame_fingerprint(frame, len, &pkt, &fp),
		     HS_PARSE_NOT_IP);
}

/* A header the IP length cuts short is malformed, whatever Ethernet
 * padding follows: padding never becomes a header field. */
Test(fingerprint, l4_header_bounded_by_the_ip_length)
{
	static const uint8_t protos[] = { 17, 6, 1 };
	struct tpkt p;
	struct hs_pkt pkt;
	size_t i;
	__u64 fp;

	for (i = 0; i < sizeof(protos); i++) {
		tpkt_init(&p);
		p.proto = protos[i];
		p.payload_len = 0;
		tpkt_build(&p, frame);
		/* IP length: the IP header and 4 bytes of L4; the frame
		 * goes on, padded to 60 bytes */
		frame[14 + 2] = 0;
		frame[14 + 3] = 20 + 4;
		memset(frame + 14 + 24, 0xaa, 60 - 14 - 24);
		cr_assert_eq(hs_frame_fingerprint(frame, 60, &pkt, &fp),
			     HS_PARSE_MALFORMED, "protocol %u", protos[i]);
	}
	/* TCP options the IP length does not cover */
	tpkt_init(&p);
	p.proto = 6;
	p.payload_len = 0;
	tpkt_build(&p, frame);
	frame[14 + 20 + 12] = 8 << 4; /* data offset 32 bytes, IP says 20 */
	memset(frame + 14 + 40, 0xaa, 20);
	cr_assert_eq(hs_frame_fingerprint(frame, 74, &pkt, &fp),
		     HS_PARSE_MALFORMED);
}

/* A BIG TCP packet: IP length 0, the length is the frame's. */
static size_t big_tcp(int family, size_t len, uint8_t *big)
{
	struct tpkt p;
	size_t hdr;

	family == 4 ? tpkt_init(&p) : init6(&p);
	p.proto = 6;
	p.tcp_flags = 0x18;
	p.tcp_seq = 77;
	p.payload_len = 0;
	hdr = tpkt_build(&p, frame);
	memcpy(big, frame, hdr);
	memset(big + hdr, 0x33, len - hdr);
	big[len - 1] = 0x44;
	if (family == 4)
		big[14 + 2] = big[14 + 3] = 0;
	else
		big[14 + 4] = big[14 + 5] = 0;
	return len;
}

Test(fingerprint, big_tcp_length_from_the_frame)
{
	size_t len = 14 + 40 + 20 + 70000;
	uint8_t *big = calloc(1, len);
	struct hs_pkt pkt;
	__u64 a, b;
	int family;

	cr_assert_not_null(big);
	for (family = 4; family <= 6; family += 2) {
		size_t ip_hdr = family == 4 ? 20 : 40;

		big_tcp(family, len, big);
		cr_assert_eq(hs_frame_fingerprint(big, len, &pkt, &a),
			     HS_PARSE_OK, "IPv%d", family);
		cr_assert_eq(pkt.is_big, 1);
		cr_assert_eq(pkt.ip_len, len - 14 - ip_hdr);
		cr_assert_eq(pkt.payload_len, len - 14 - ip_hdr - 20);
		/* the tail word is the frame's last 8 bytes */
		cr_assert_eq(pkt.tail >> 56, 0x44);
		big[len - 1] = 0x45;
		cr_assert_eq(hs_frame_fingerprint(big, len, &pkt, &b),
			     HS_PARSE_OK);
		cr_assert_neq(a, b);
		/* length 0 in a packet under 64 KiB: malformed (IPv4), or
		 * an empty IPv6 packet, too short for its TCP header */
		big_tcp(family, 2000, big);
		cr_assert_eq(hs_frame_fingerprint(big, 2000, &pkt, &a),
			     HS_PARSE_MALFORMED, "IPv%d", family);
	}
	free(big);
}

/* IPv6 BIG TCP as kernels before 6.x sent it: a jumbo hop-by-hop option
 * (RFC 2675) in front of TCP. */
Test(fingerprint, big_tcp_ipv6_with_a_jumbo_option)
{
	size_t len = 14 + 40 + 8 + 20 + 70000;
	uint8_t *big = calloc(1, len);
	uint32_t jumbo = (uint32_t)(len - 14 - 40);
	struct hs_pkt pkt;
	struct tpkt p;
	size_t hdr;
	__u64 fp;

	cr_assert_not_null(big);
	init6(&p);
	p.proto = 6;
	p.payload_len = 0;
	p.ipv6_ext_hdrs = 1;
	hdr = tpkt_build(&p, frame);
	memcpy(big, frame, hdr);
	big[14 + 4] = big[14 + 5] = 0;
	big[14 + 6] = 0; /* hop-by-hop */
	big[14 + 40 + 2] = 0xc2; /* jumbo payload, 4 bytes */
	big[14 + 40 + 3] = 4;
	big[14 + 40 + 4] = jumbo >> 24;
	big[14 + 40 + 5] = jumbo >> 16;
	big[14 + 40 + 6] = jumbo >> 8;
	big[14 + 40 + 7] = jumbo;
	cr_assert_eq(hs_frame_fingerprint(big, len, &pkt, &fp), HS_PARSE_OK);
	cr_assert_eq(pkt.is_big, 1);
	cr_assert_eq(pkt.proto, 6);
	cr_assert_eq(pkt.sport, 1000);
	cr_assert_eq(pkt.payload_len, 70000);
	free(big);
}

Test(fingerprint, malformed_headers)
{
	struct tpkt p;
	struct hs_pkt pkt;
	__u64 fp;
	size_t len;

	tpkt_init(&p);
	len = tpkt_build(&p, frame);
	frame[14] = 0x44; /* IHL 4: shorter than the fixed header */
	cr_assert_eq(hs_frame_fingerprint(frame, len, &pkt, &fp),
		     HS_PARSE_MALFORMED);
	len = tpkt_build(&p, frame);
	frame[14] = 0x65; /* version 6 in an IPv4 ethertype */
	cr_assert_eq(hs_frame_fingerprint(frame, len, &pkt, &fp),
		     HS_PARSE_MALFORMED);
}

/* ---- flow hash and sampling ---- */

static uint32_t flow_of(const struct tpkt *p)
{
	struct hs_pkt pkt;

	fp_of(p, &pkt);
	return hs_flow_hash(&pkt);
}

Test(fingerprint, flow_hash)
{
	static const uint8_t other[16] = { 0xff };
	struct tpkt p;
	uint32_t a;

	tpkt_init(&p);
	a = flow_of(&p);
	/* another packet of the same flow: other id, payload, TTL */
	p.ip_id = 0x9999;
	p.payload = other;
	p.ttl = 3;
	cr_assert_eq(flow_of(&p), a);
	/* another source port: another flow */
	p.sport = 1001;
	cr_assert_neq(flow_of(&p), a);
	tpkt_init(&p);
	p.proto = 6;
	cr_assert_neq(flow_of(&p), a);
	init6(&p);
	a = flow_of(&p);
	p.flow_label = 7;
	cr_assert_eq(flow_of(&p), a);
	p.dport = 5201;
	cr_assert_neq(flow_of(&p), a);
}

Test(fingerprint, sample_threshold)
{
	/* 2^32 / N; 0 and 1 keep everything */
	cr_assert_eq(hs_sample_threshold(0), 1ULL << 32);
	cr_assert_eq(hs_sample_threshold(1), 1ULL << 32);
	cr_assert_eq(hs_sample_threshold(4), 1ULL << 30);
	cr_assert_eq(hs_sample_threshold(3), 1431655765ULL);
	/* the top 32 bits decide */
	cr_assert(hs_sampled(0xFFFFFFFFFFFFFFFFULL, 1ULL << 32));
	cr_assert(hs_sampled(0x3FFFFFFFFFFFFFFFULL, 1ULL << 30));
	cr_assert_not(hs_sampled(0x4000000000000000ULL, 1ULL << 30));
}

Test(fingerprint, sampling_one_in_n)
{
	enum { PACKETS = 10000 };
	__u64 all = hs_sample_threshold(1), quarter = hs_sample_threshold(4);
	unsigned int i, kept_all = 0, kept_quarter = 0;
	struct tpkt p;

	/* 10000 distinct packets of a few flows. With N = 4 the count is
	 * binomial(10000, 1/4): mean 2500, sd sqrt(10000 * 3/16) = 43.3;
	 * [2000, 3000] is more than 11 sd wide either side */
	tpkt_init(&p);
	for (i = 0; i < PACKETS; i++) {
		struct hs_pkt pkt;

		p.ip_id = (uint16_t)i;
		p.sport = (uint16_t)(1000 + i % 7);
		fp_of(&p, &pkt);
		kept_all += hs_pkt_sampled(&pkt, all);
		kept_quarter += hs_pkt_sampled(&pkt, quarter);
	}
	cr_assert_eq(kept_all, PACKETS);
	cr_assert_geq(kept_quarter, 2000, "kept %u of 10000", kept_quarter);
	cr_assert_leq(kept_quarter, 3000, "kept %u of 10000", kept_quarter);
}

Test(fingerprint, ipv6_udp_flow_sampled_per_packet)
{
	static uint8_t payload[16];
	unsigned int i, kept = 0;
	struct tpkt p;

	/* one IPv6 UDP flow, constant flow label: only the payload changes
	 * (a sequence number in its first bytes). The decision must still
	 * be per packet, not all or nothing for the flow. */
	init6(&p);
	p.payload = payload;
	for (i = 0; i < 4000; i++) {
		struct hs_pkt pkt;

		memcpy(payload, &i, sizeof(i));
		fp_of(&p, &pkt);
		kept += hs_pkt_sampled(&pkt, hs_sample_threshold(4));
	}
	/* binomial(4000, 1/4): mean 1000, sd 27.4 */
	cr_assert_geq(kept, 800, "kept %u of 4000", kept);
	cr_assert_leq(kept, 1200, "kept %u of 4000", kept);
}

/* ---- VXLAN ---- */

/* outer (family, UDP to dport) around the inner frame, with flags in the
 * VXLAN header; the frame's length */
static size_t vxlan_frame(int family, uint16_t dport, uint8_t flags,
			  const uint8_t *inner, size_t inner_len, uint8_t *out)
{
	uint8_t payload[8 + TPKT_MAX];
	struct tpkt p;

	family == 4 ? tpkt_init(&p) : init6(&p);
	p.ip_id = 0;
	p.sport = 51000;
	p.dport = dport;
	p.payload = payload;
	p.payload_len = tpkt_tunnel_payload(payload, dport, 0, 0x123456, inner,
					    inner_len);
	payload[0] = flags;
	return tpkt_build(&p, out);
}

/* A VXLAN packet is its inner packet: the fingerprint the container's
 * packet has before the tunnel, over an IPv4 and an IPv6 underlay. */
Test(fingerprint, vxlan_is_its_inner_packet)
{
	static uint8_t inner[TPKT_MAX], outer[TPKT_MAX + 64];
	struct tpkt in;
	struct hs_pkt pkt;
	size_t in_len, len;
	__u64 want, fp;
	int family;

	tpkt_init(&in);
	in.src = "198.18.10.1";
	in.dst = "198.18.10.2";
	in_len = tpkt_build(&in, inner);
	cr_assert_eq(hs_frame_fingerprint(inner, (__u32)in_len, &pkt, &want),
		     HS_PARSE_OK);
	cr_assert_eq(pkt.encap, 0);
	for (family = 4; family <= 6; family += 2) {
		len = vxlan_frame(family, 4789, 0x08, inner, in_len, outer);
		cr_assert_eq(hs_frame_fingerprint(outer, (__u32)len, &pkt, &fp),
			     HS_PARSE_OK);
		cr_assert_eq(fp, want, "IPv%d underlay", family);
		cr_assert_eq(pkt.encap, 1);
		cr_assert_eq(pkt.vni, 0x123456);
		cr_assert_eq(pkt.family, 4);
		cr_assert_eq(pkt.sport, 1000);
		cr_assert_eq(pkt.daddr[0], inet_addr("198.18.10.2"));
		cr_assert_eq(hs_flow_hash(&pkt), hs_flow_hash_of(
			hs_flow_state(&pkt)));
	}
}

/* Not VXLAN after all: another port, or no I flag: the outer packet is
 * the one measured. ARP inside is no IP packet, as outside. */
Test(fingerprint, vxlan_only_where_it_is_one)
{
	static uint8_t inner[TPKT_MAX], outer[TPKT_MAX + 64];
	struct tpkt in;
	struct hs_pkt pkt;
	size_t in_len, len;
	__u64 fp;

	tpkt_init(&in);
	in_len = tpkt_build(&in, inner);
	len = vxlan_frame(4, 4790, 0x08, inner, in_len, outer);
	cr_assert_eq(hs_frame_fingerprint(outer, (__u32)len, &pkt, &fp), 0);
	cr_assert_eq(pkt.encap, 0);
	cr_assert_eq(pkt.dport, 4790);
	len = vxlan_frame(4, 4789, 0x00, inner, in_len, outer);
	cr_assert_eq(hs_frame_fingerprint(outer, (__u32)len, &pkt, &fp), 0);
	cr_assert_eq(pkt.encap, 0);
	cr_assert_eq(pkt.dport, 4789);
	inner[12] = 0x08; /* ARP inside */
	inner[13] = 0x06;
	len = vxlan_frame(4, 4789, 0x08, inner, in_len, outer);
	cr_assert_eq(hs_frame_fingerprint(outer, (__u32)len, &pkt, &fp),
		     HS_PARSE_NOT_IP);
}

/* ---- Geneve ---- */

/* outer (family) UDP to 6081 around the inner frame: the Geneve header
 * (version, opt_words of options, protocol), the options, the frame */
static size_t geneve_frame(int family, uint8_t version, uint8_t opt_words,
			   uint16_t protocol, const uint8_t *inner,
			   size_t inner_len, uint8_t *out)
{
	uint8_t payload[8 + 252 + TPKT_MAX];
	struct tpkt p;

	family == 4 ? tpkt_init(&p) : init6(&p);
	p.sport = 52000;
	p.dport = 6081;
	p.payload = payload;
	p.payload_len = tpkt_tunnel_payload(payload, 6081, opt_words, 0xabcdef,
					    inner, inner_len);
	payload[0] |= (uint8_t)(version << 6);
	tpkt_put16(payload + 2, protocol);
	return tpkt_build(&p, out);
}

/* A Geneve packet carrying Ethernet is its inner packet, options or not,
 * over either underlay. This kernel has no Geneve device (docs/design.md):
 * frames built here are all it is tested with. */
Test(fingerprint, geneve_is_its_inner_packet)
{
	static uint8_t inner[TPKT_MAX], outer[TPKT_MAX + 400];
	static const uint8_t opt_words[] = { 0, 2, 63 };
	struct tpkt in;
	struct hs_pkt pkt;
	size_t in_len, len, i;
	__u64 want, fp;
	int family;

	tpkt_init(&in);
	in.proto = 6;
	in.tcp_seq = 99;
	in_len = tpkt_build(&in, inner);
	cr_assert_eq(hs_frame_fingerprint(inner, (__u32)in_len, &pkt, &want),
		     HS_PARSE_OK);
	for (family = 4; family <= 6; family += 2)
		for (i = 0; i < sizeof(opt_words); i++) {
			len = geneve_frame(family, 0, opt_words[i], 0x6558,
					   inner, in_len, outer);
			cr_assert_eq(hs_frame_fingerprint(outer, (__u32)len,
							  &pkt, &fp),
				     HS_PARSE_OK);
			cr_assert_eq(fp, want, "IPv%d, %u option words", family,
				     opt_words[i]);
			cr_assert_eq(pkt.encap, 1);
			cr_assert_eq(pkt.vni, 0xabcdef);
		}
	/* another version, or IP straight inside (no Ethernet): the outer
	 * packet is the one measured */
	len = geneve_frame(4, 1, 0, 0x6558, inner, in_len, outer);
	cr_assert_eq(hs_frame_fingerprint(outer, (__u32)len, &pkt, &fp), 0);
	cr_assert_eq(pkt.encap, 0);
	cr_assert_eq(pkt.dport, 6081);
	len = geneve_frame(4, 0, 0, 0x0800, inner + 14, in_len - 14, outer);
	cr_assert_eq(hs_frame_fingerprint(outer, (__u32)len, &pkt, &fp), 0);
	cr_assert_eq(pkt.encap, 0);
}

/* ---- the NAT key: what NAT leaves alone ---- */

/* The NAT key of p, with its fingerprint in *fp. */
static __u64 nat_key_of(const struct tpkt *p, __u64 *fp)
{
	struct hs_pkt pkt;

	*fp = fp_of(p, &pkt);
	return pkt.nat_key;
}

/* Masquerade: the source address and port rewritten (and with them the
 * checksums, and the TTL a hop lower), the NAT key kept. */
Test(nat_key, ipv4_udp_masquerade_keeps_it)
{
	static const uint8_t payload[32] = { 1, 2, 3, 4, 5, 6, 7, 8, 9 };
	struct tpkt p;
	__u64 fp_in, fp_out, key;

	tpkt_init(&p);
	p.payload = payload;
	p.payload_len = sizeof(payload);
	p.ip_id = 4242;
	key = nat_key_of(&p, &fp_in);
	p.src = "198.18.9.1";
	p.sport = 61000;
	p.ttl = 63;
	cr_assert_eq(nat_key_of(&p, &fp_out), key);
	cr_assert_neq(fp_out, fp_in);
}

/* DNAT as Docker's published ports do it: destination address and port
 * rewritten, on IPv6 TCP (seq, ack, flags, window and options kept). */
Test(nat_key, ipv6_tcp_dnat_keeps_it)
{
	struct tpkt p;
	__u64 fp_in, fp_out, key;

	tpkt_init(&p);
	p.family = 6;
	p.src = "2001:2::1";
	p.dst = "2001:2::9";
	p.proto = 6;
	p.tcp_seq = 1000;
	p.tcp_ack = 77;
	p.tcp_flags = 0x18;
	p.flow_label = 0x12345;
	p.dport = 8080;
	key = nat_key_of(&p, &fp_in);
	p.dst = "2001:2:0:1::2";
	p.dport = 80;
	cr_assert_eq(nat_key_of(&p, &fp_out), key);
	cr_assert_neq(fp_out, fp_in);
}

/* Everything else the fingerprint covers is in the NAT key: two packets
 * of a flow never share one where they differ in it. */
Test(nat_key, what_nat_keeps_changes_it)
{
	static const uint8_t other[16] = { 0xff };
	struct tpkt p;
	__u64 fp, key;

	tpkt_init(&p);
	key = nat_key_of(&p, &fp);
	p.ip_id = 1;
	cr_assert_neq(nat_key_of(&p, &fp), key, "IPv4 id");
	tpkt_init(&p);
	p.payload = other;
	p.payload_len = sizeof(other);
	cr_assert_neq(nat_key_of(&p, &fp), key, "payload");
	tpkt_init(&p);
	p.payload_len = 15;
	cr_assert_neq(nat_key_of(&p, &fp), key, "length");
	tpkt_init(&p);
	p.proto = 6;
	key = nat_key_of(&p, &fp);
	p.tcp_seq = 2;
	cr_assert_neq(nat_key_of(&p, &fp), key, "TCP sequence");
	tpkt_init(&p);
	p.family = 6;
	p.src = "2001:2::1";
	p.dst = "2001:2::2";
	key = nat_key_of(&p, &fp);
	p.flow_label = 9;
	cr_assert_neq(nat_key_of(&p, &fp), key, "IPv6 flow label");
}

/* The VXLAN ports are what the caller says: 8472 (Linux's default, and
 * Flannel's) once it is among them, 4789 no more once it is not. */
Test(fingerprint, vxlan_on_the_ports_given)
{
	static uint8_t inner[TPKT_MAX], outer[TPKT_MAX + 64];
	static __u64 ports[HS_VXLAN_PORT_WORDS];
	struct tpkt in;
	struct hs_pkt pkt;
	size_t in_len, len;
	__u64 fp, want;

	tpkt_init(&in);
	in_len = tpkt_build(&in, inner);
	cr_assert_eq(hs_frame_fingerprint(inner, (__u32)in_len, &pkt, &want), 0);
	hs_vxlan_port_set(ports, 8472);
	len = vxlan_frame(4, 8472, 0x08, inner, in_len, outer);
	cr_assert_eq(hs_frame_fingerprint_ports(outer, (__u32)len, ports, &pkt,
						&fp),
		     0);
	cr_assert(pkt.encap);
	cr_assert_eq(fp, want);
	len = vxlan_frame(4, 4789, 0x08, inner, in_len, outer);
	cr_assert_eq(hs_frame_fingerprint_ports(outer, (__u32)len, ports, &pkt,
						&fp),
		     0);
	cr_assert_not(pkt.encap);
	cr_assert_eq(pkt.dport, 4789);
}
