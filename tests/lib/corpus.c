// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <stdio.h>
#include <string.h>
#include <pcap/pcap.h>
#include "corpus.h"
#include "packet.h"

typedef int (*emit_fn)(const uint8_t *frame, size_t len, void *ctx);

/* A fixed pseudo-random sequence (xorshift64): ciphertext, tags, ids. */
static uint64_t rng_state;

static void rng_seed(uint64_t seed)
{
	rng_state = seed ? seed : 1;
}

static uint64_t rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

static void rng_fill(uint8_t *b, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		b[i] = (uint8_t)(rng() >> 24);
}

static int emit_tpkt(const struct tpkt *p, emit_fn emit, void *ctx)
{
	uint8_t frame[TPKT_MAX];

	return emit(frame, tpkt_build(p, frame), ctx);
}

/* One of the two families: IPv4 with IP id 0 (DF packets of stacks that
 * leave it so), or IPv6 with no flow label. */
static void endpoints(struct tpkt *p, int family, int reverse)
{
	tpkt_init(p);
	p->family = family;
	p->ip_id = 0;
	p->flow_label = 0;
	if (family == 4) {
		p->src = reverse ? "198.18.1.1" : "198.18.0.1";
		p->dst = reverse ? "198.18.0.1" : "198.18.1.1";
	} else {
		p->src = reverse ? "2001:2::1:1" : "2001:2::1";
		p->dst = reverse ? "2001:2::1" : "2001:2::1:1";
	}
}

/* ---- quic ---- */

/* A short-header packet: one first byte and one 8-byte connection id for
 * the whole connection, then a protected packet number, ciphertext and
 * a 16-byte tag, all of them looking random. */
static int quic_packet(int family, size_t len, emit_fn emit, void *ctx)
{
	static const uint8_t dcid[8] = { 0xc0, 0xff, 0xee, 0x15,
					 0x0c, 0x0f, 0xfe, 0xe0 };
	uint8_t payload[1200];
	struct tpkt p;

	payload[0] = 0x41;
	memcpy(payload + 1, dcid, sizeof(dcid));
	rng_fill(payload + 9, len - 9);
	endpoints(&p, family, 0);
	p.sport = 50000;
	p.dport = 443;
	p.payload = payload;
	p.payload_len = len;
	return emit_tpkt(&p, emit, ctx);
}

static int build_quic(emit_fn emit, void *ctx)
{
	int family, i, err;

	rng_seed(0x51c);
	for (family = 4; family <= 6; family += 2)
		for (i = 0; i < 64; i++) {
			/* full-size datagrams and ACK-only ones, each of one
			 * length: only the protected bytes tell them apart */
			err = quic_packet(family, i % 2 ? 1200 : 40, emit, ctx);
			if (err)
				return err;
		}
	return 0;
}

/* ---- tcp ---- */

struct tcp_seg {
	int reverse; /* the receiver's direction */
	uint32_t seq, ack;
	uint8_t flags;
	uint16_t window;
	size_t payload_len;
	const uint8_t *opts;
	size_t opts_len;
};

static int tcp_segment(int family, const struct tcp_seg *s, emit_fn emit,
		       void *ctx)
{
	uint8_t payload[1000];
	struct tpkt p;

	rng_fill(payload, s->payload_len);
	endpoints(&p, family, s->reverse);
	p.proto = 6;
	p.sport = s->reverse ? 80 : 40000;
	p.dport = s->reverse ? 40000 : 80;
	p.tcp_seq = s->seq;
	p.tcp_ack = s->ack;
	p.tcp_flags = s->flags;
	p.tcp_window = s->window;
	p.tcp_opts = s->opts;
	p.tcp_opts_len = s->opts_len;
	p.payload = payload;
	p.payload_len = s->payload_len;
	return emit_tpkt(&p, emit, ctx);
}

#define TCPOPT_SACK 5 /* one block: left and right edge */
#define TCPOPT_TIMESTAMP 8 /* value and echo reply */

/* NOP, NOP, then a 10-byte option of two 32-bit values: 12 bytes */
static void tcp_opt(uint8_t *o, uint8_t kind, uint32_t a, uint32_t b)
{
	o[0] = 1;
	o[1] = 1;
	o[2] = kind;
	o[3] = 10;
	tpkt_put32(o + 4, a);
	tpkt_put32(o + 8, b);
}

/* The receiver's ACK of seq, with opts (12 bytes) or none. */
static int receiver_ack(int family, uint32_t seq, uint32_t ack,
			const uint8_t *opts, emit_fn emit, void *ctx)
{
	struct tcp_seg s = { .reverse = 1,
			     .seq = seq,
			     .ack = ack,
			     .flags = 0x10,
			     .window = 1024,
			     .opts = opts,
			     .opts_len = opts ? 12 : 0 };

	return tcp_segment(family, &s, emit, ctx);
}

static int tcp_flow(int family, emit_fn emit, void *ctx)
{
	struct tcp_seg s;
	uint32_t seq = 1000, ack = 9000, i;
	uint8_t opts[12];
	int err = 0;

	/* data one way, a pure ACK for each the other way */
	for (i = 0; i < 8 && !err; i++) {
		s = (struct tcp_seg){ .seq = seq,
				      .ack = ack,
				      .flags = 0x18,
				      .window = 502,
				      .payload_len = 1000 };
		err = tcp_segment(family, &s, emit, ctx);
		seq += 1000;
		err = err ?: receiver_ack(family, ack, seq, NULL, emit, ctx);
	}
	/* duplicate ACKs told apart by their SACK blocks */
	for (i = 1; i <= 4 && !err; i++) {
		tcp_opt(opts, TCPOPT_SACK, seq + 1000, seq + 1000 * (i + 1));
		err = receiver_ack(family, ack, seq, opts, emit, ctx);
	}
	/* duplicate ACKs told apart by their timestamps */
	for (i = 1; i <= 4 && !err; i++) {
		tcp_opt(opts, TCPOPT_TIMESTAMP, 7000 + i, 3000);
		err = receiver_ack(family, ack, seq, opts, emit, ctx);
	}
	/* duplicate ACKs with nothing to tell them apart: the same packet,
	 * sent three times */
	for (i = 0; i < 3 && !err; i++)
		err = receiver_ack(family, ack, seq, NULL, emit, ctx);
	/* a window update and a FIN-ACK with the same seq and ack */
	s = (struct tcp_seg){ .reverse = 1,
			      .seq = ack,
			      .ack = seq,
			      .flags = 0x10,
			      .window = 4096 };
	err = err ?: tcp_segment(family, &s, emit, ctx);
	s.flags = 0x11;
	err = err ?: tcp_segment(family, &s, emit, ctx);
	/* the sender's FIN-ACK and the last ACK */
	s = (struct tcp_seg){
		.seq = seq, .ack = ack + 1, .flags = 0x11, .window = 502
	};
	err = err ?: tcp_segment(family, &s, emit, ctx);
	s = (struct tcp_seg){ .reverse = 1,
			      .seq = ack + 1,
			      .ack = seq + 1,
			      .flags = 0x10,
			      .window = 4096 };
	return err ?: tcp_segment(family, &s, emit, ctx);
}

static int build_tcp(emit_fn emit, void *ctx)
{
	rng_seed(0x7c9);
	return tcp_flow(4, emit, ctx) ?: tcp_flow(6, emit, ctx);
}

/* ---- esp ---- */

static int build_esp(emit_fn emit, void *ctx)
{
	uint8_t esp[120];
	struct tpkt p;
	int family, err;
	uint32_t seq;

	rng_seed(0xe59);
	for (family = 4; family <= 6; family += 2)
		for (seq = 1; seq <= 48; seq++) {
			/* SPI, sequence number, IV, ciphertext, ICV */
			tpkt_put32(esp, 0x1001);
			tpkt_put32(esp + 4, seq);
			rng_fill(esp + 8, sizeof(esp) - 8);
			endpoints(&p, family, 0);
			p.proto = 50;
			p.payload = esp;
			p.payload_len = sizeof(esp);
			err = emit_tpkt(&p, emit, ctx);
			if (err)
				return err;
		}
	return 0;
}

/* ---- vxlan ---- */

/* One VXLAN packet over family's underlay (IP id 0, no flow label): the
 * inner frame, built from *in, behind an 8-byte header with VNI 42. */
static int vxlan_packet(int family, const struct tpkt *in, emit_fn emit,
			void *ctx)
{
	uint8_t inner[TPKT_MAX], payload[8 + TPKT_MAX];
	struct tpkt p;

	endpoints(&p, family, 0);
	/* the source port is the inner flow's hash, one per flow */
	p.sport = 49152 + (in->proto == 6 ? 7 : 3);
	p.dport = 4789;
	p.payload = payload;
	p.payload_len = tpkt_tunnel_payload(payload, 4789, 0, 42, inner,
					    tpkt_build(in, inner));
	return emit_tpkt(&p, emit, ctx);
}

static int build_vxlan(emit_fn emit, void *ctx)
{
	static const uint8_t same[64] = { 0 };
	struct tpkt in;
	int family, err = 0;
	uint16_t i;

	for (family = 4; family <= 6 && !err; family += 2)
		for (i = 0; i < 24 && !err; i++) {
			/* a container's UDP datagrams of one payload: only
			 * the inner IP id tells them apart */
			tpkt_init(&in);
			in.src = "198.18.10.1";
			in.dst = family == 4 ? "198.18.10.2" : "198.18.10.3";
			in.ip_id = (uint16_t)(100 + i);
			in.payload = same;
			in.payload_len = sizeof(same);
			err = vxlan_packet(family, &in, emit, ctx);
			/* and its TCP ACKs, inner IP id 0: the ack moves */
			in.proto = 6;
			in.ip_id = 0;
			in.sport = 40000;
			in.dport = 80;
			in.tcp_seq = 1;
			in.tcp_ack = 1000u * i;
			in.tcp_flags = 0x10;
			in.payload_len = 0;
			err = err ?: vxlan_packet(family, &in, emit, ctx);
		}
	return err;
}

/* ---- ipv6 with no flow label ---- */

static int udp6(uint16_t sport, uint16_t dport, const uint8_t *payload,
		size_t len, emit_fn emit, void *ctx)
{
	struct tpkt p;

	endpoints(&p, 6, 0);
	p.sport = sport;
	p.dport = dport;
	p.payload = payload;
	p.payload_len = len;
	return emit_tpkt(&p, emit, ctx);
}

static int other6(uint8_t proto, const uint8_t *payload, size_t len,
		  emit_fn emit, void *ctx)
{
	struct tpkt p;

	endpoints(&p, 6, 0);
	p.proto = proto;
	p.payload = payload;
	p.payload_len = len;
	return emit_tpkt(&p, emit, ctx);
}

static int build_ipv6(emit_fn emit, void *ctx)
{
	uint8_t b[160];
	uint32_t i;
	int err = 0;

	rng_seed(0x1f6);
	for (i = 0; i < 32 && !err; i++) {
		/* DNS-like: a query id first, the same name after */
		memset(b, 0, sizeof(b));
		tpkt_put16(b, (uint16_t)rng());
		tpkt_put16(b + 2, 0x0100);
		memcpy(b + 12, "\x07hopscop\x04test\x00\x00\x01\x00\x01", 18);
		err = udp6(53000, 53, b, 30, emit, ctx);
		/* RTP-like: sequence number and timestamp first, then
		 * encrypted media of one length (SRTP: a tag at the end) */
		b[0] = 0x80;
		b[1] = 0x60;
		tpkt_put16(b + 2, (uint16_t)(100 + i));
		tpkt_put32(b + 4, 160 * i);
		tpkt_put32(b + 8, 0x5eed);
		rng_fill(b + 12, 160 - 12);
		err = err ?: udp6(40002, 40004, b, 160, emit, ctx);
		/* NTP-like: a constant head, the transmit time at the end */
		memset(b, 0, 48);
		b[0] = 0x23;
		tpkt_put32(b + 40, 0xe9000000 + i);
		tpkt_put32(b + 44, (uint32_t)rng());
		err = err ?: udp6(123, 123, b, 48, emit, ctx);
		/* GRE with a key and a sequence number, over the same inner
		 * packet header (which a tunnel carries unchanged) */
		memset(b, 0, 64);
		tpkt_put16(b, 0x3000); /* K and S */
		tpkt_put16(b + 2, 0x0800);
		tpkt_put32(b + 4, 42);
		tpkt_put32(b + 8, i);
		rng_fill(b + 12 + 20, 64 - 12 - 20);
		err = err ?: other6(47, b, 64, emit, ctx);
	}
	/* an OSPF-like hello, sent again unchanged: one packet, twice */
	memset(b, 0, 44);
	b[0] = 3;
	b[1] = 1;
	tpkt_put16(b + 2, 44);
	tpkt_put32(b + 4, 0x0a000001);
	for (i = 0; i < 2 && !err; i++)
		err = other6(89, b, 44, emit, ctx);
	return err;
}

const struct corpus_capture corpus_captures[] = {
	{ "quic", build_quic }, { "tcp", build_tcp },	  { "esp", build_esp },
	{ "ipv6", build_ipv6 }, { "vxlan", build_vxlan },
};
const size_t corpus_n_captures =
	sizeof(corpus_captures) / sizeof(corpus_captures[0]);

/* ---- canonical form ---- */

static void zero_l4_checksum(uint8_t proto, uint8_t *l4, size_t l4_len)
{
	size_t at = proto == 17		      ? 6 :
		    proto == 6		      ? 16 :
		    proto == 1 || proto == 58 ? 2 :
						0;

	if (at && l4_len >= at + 2)
		l4[at] = l4[at + 1] = 0;
}

size_t corpus_canonical(const uint8_t *frame, size_t len, uint8_t *out,
			size_t out_len)
{
	size_t off = 12, ip_len, hlen;
	uint16_t type;

	while (off + 2 <= len) {
		type = (uint16_t)(frame[off] << 8 | frame[off + 1]);
		if (type != 0x8100 && type != 0x88a8)
			break;
		off += 4;
	}
	if (off + 2 > len)
		return 0;
	type = (uint16_t)(frame[off] << 8 | frame[off + 1]);
	off += 2;
	if (type == 0x0800 && off + 20 <= len) {
		ip_len = (size_t)(frame[off + 2] << 8 | frame[off + 3]);
		hlen = (size_t)(frame[off] & 0x0f) * 4;
	} else if (type == 0x86dd && off + 40 <= len) {
		ip_len = 40 + (size_t)(frame[off + 4] << 8 | frame[off + 5]);
		hlen = 40; /* the corpus has no extension headers */
	} else {
		return 0;
	}
	if (ip_len > len - off || ip_len > out_len || hlen > ip_len)
		return 0;
	memcpy(out, frame + off, ip_len);
	/* a VXLAN packet is its inner packet (hs_parse() follows it so) */
	if ((type == 0x0800 ? out[9] : out[6]) == 17 &&
	    ip_len >= hlen + 8 + 8 + 14 && out[hlen + 2] == 0x12 &&
	    out[hlen + 3] == 0xb5 && (out[hlen + 8] & 0x08))
		return corpus_canonical(frame + off + hlen + 16,
					ip_len - hlen - 16, out, out_len);
	if (type == 0x0800) {
		out[1] = 0; /* TOS */
		out[8] = 0; /* TTL */
		out[10] = out[11] = 0; /* checksum */
		zero_l4_checksum(out[9], out + hlen, ip_len - hlen);
	} else {
		out[0] &= 0xf0; /* traffic class */
		out[1] &= 0x0f;
		out[7] = 0; /* hop limit */
		zero_l4_checksum(out[6], out + hlen, ip_len - hlen);
	}
	return ip_len;
}

int corpus_read(const char *name, emit_fn emit, void *ctx, char *err,
		size_t errlen)
{
	char path[256], perr[PCAP_ERRBUF_SIZE];
	struct pcap_pkthdr *h;
	const u_char *frame;
	unsigned int n = 0;
	int ret = 0, got = 0;
	pcap_t *pc;

	snprintf(path, sizeof(path), CORPUS_DIR "/%s.pcap", name);
	pc = pcap_open_offline(path, perr);
	if (!pc) {
		snprintf(err, errlen, "%s: %s (make corpus writes it)", path,
			 perr);
		return -1;
	}
	while (!ret && (got = pcap_next_ex(pc, &h, &frame)) == 1) {
		if (h->caplen != h->len) {
			snprintf(err, errlen, "%s: frame %u cut short", path,
				 n);
			ret = -1;
			break;
		}
		ret = emit(frame, h->caplen, ctx);
		n++;
	}
	if (!ret && got == PCAP_ERROR) {
		snprintf(err, errlen, "%s: %s", path, pcap_geterr(pc));
		ret = -1;
	}
	pcap_close(pc);
	return ret;
}
