// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <arpa/inet.h>
#include <string.h>
#include "packet.h"

static const uint8_t default_payload[16] = { 0, 1, 2, 3, 4, 5, 6, 7,
					     8, 9, 10, 11, 12, 13, 14, 15 };

void tpkt_init(struct tpkt *p)
{
	static const uint8_t smac[6] = { 0x02, 0, 0, 0, 0, 1 };
	static const uint8_t dmac[6] = { 0x02, 0, 0, 0, 0, 2 };

	memset(p, 0, sizeof(*p));
	memcpy(p->src_mac, smac, 6);
	memcpy(p->dst_mac, dmac, 6);
	p->family = 4;
	p->src = "198.18.0.1";
	p->dst = "198.18.1.2";
	p->proto = 17;
	p->ttl = 64;
	p->ip_id = 0x1234;
	p->sport = 1000;
	p->dport = 2000;
	p->tcp_window = 65535;
	p->payload = default_payload;
	p->payload_len = sizeof(default_payload);
}

void tpkt_put16(uint8_t *b, uint16_t v)
{
	b[0] = v >> 8;
	b[1] = v & 0xff;
}

void tpkt_put32(uint8_t *b, uint32_t v)
{
	tpkt_put16(b, v >> 16);
	tpkt_put16(b + 2, v & 0xffff);
}

static uint32_t sum16(const uint8_t *b, size_t len, uint32_t sum)
{
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)b[i] << 8 | b[i + 1];
	if (len & 1)
		sum += (uint32_t)b[len - 1] << 8;
	return sum;
}

static uint16_t fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

/* Pseudo-header sum for L4 checksums. */
static uint32_t pseudo(const struct tpkt *p, const uint8_t *src,
		       const uint8_t *dst, size_t l4_len)
{
	size_t alen = p->family == 4 ? 4 : 16;
	uint32_t sum = sum16(src, alen, 0);

	sum = sum16(dst, alen, sum);
	return sum + p->proto + (uint32_t)l4_len;
}

static size_t build_l4(const struct tpkt *p, uint8_t *l4)
{
	size_t hlen;

	if (p->proto == 17) {
		hlen = 8;
		tpkt_put16(l4, p->sport);
		tpkt_put16(l4 + 2, p->dport);
		tpkt_put16(l4 + 4, (uint16_t)(hlen + p->payload_len));
	} else if (p->proto == 6) {
		hlen = 20 + p->tcp_opts_len;
		tpkt_put16(l4, p->sport);
		tpkt_put16(l4 + 2, p->dport);
		tpkt_put32(l4 + 4, p->tcp_seq);
		tpkt_put32(l4 + 8, p->tcp_ack);
		l4[12] = (uint8_t)(hlen / 4) << 4;
		l4[13] = p->tcp_flags;
		tpkt_put16(l4 + 14, p->tcp_window);
		if (p->tcp_opts_len)
			memcpy(l4 + 20, p->tcp_opts, p->tcp_opts_len);
	} else if (p->proto == 1 || p->proto == 58) {
		hlen = 8;
		l4[0] = p->proto == 1 ? 8 : 128; /* echo request */
		tpkt_put16(l4 + 4, p->sport);
		tpkt_put16(l4 + 6, p->dport);
	} else {
		hlen = 0;
	}
	memcpy(l4 + hlen, p->payload, p->payload_len);
	return hlen + p->payload_len;
}

static void l4_checksum(const struct tpkt *p, uint8_t *l4, size_t l4_len,
			const uint8_t *src, const uint8_t *dst)
{
	size_t off = p->proto == 17 ? 6 : p->proto == 6 ? 16 : 2;
	uint32_t sum = p->proto == 1 ? 0 : pseudo(p, src, dst, l4_len);

	if (p->proto != 17 && p->proto != 6 && p->proto != 1 && p->proto != 58)
		return;
	tpkt_put16(l4 + off, fold(sum16(l4, l4_len, sum)));
}

static size_t build_ipv4(const struct tpkt *p, uint8_t *ip)
{
	size_t hlen = 20 + (size_t)p->ipv4_options, l4_len;
	uint8_t src[4], dst[4];

	inet_pton(AF_INET, p->src, src);
	inet_pton(AF_INET, p->dst, dst);
	l4_len = build_l4(p, ip + hlen);
	l4_checksum(p, ip + hlen, l4_len, src, dst);
	ip[0] = 0x40 | (uint8_t)(hlen / 4);
	ip[1] = p->tos;
	tpkt_put16(ip + 2, (uint16_t)(hlen + l4_len));
	tpkt_put16(ip + 4, p->ip_id);
	tpkt_put16(ip + 6, 0x4000); /* DF */
	ip[8] = p->ttl;
	ip[9] = p->proto;
	memcpy(ip + 12, src, 4);
	memcpy(ip + 16, dst, 4);
	/* options: NOPs ending in an end-of-options byte */
	memset(ip + 20, 1, (size_t)p->ipv4_options);
	if (p->ipv4_options)
		ip[hlen - 1] = 0;
	tpkt_put16(ip + 10, (uint16_t)(fold(sum16(ip, hlen, 0)) ^
				  (p->bad_ip_csum ? 0x5555 : 0)));
	return hlen + l4_len;
}

static size_t build_ipv6(const struct tpkt *p, uint8_t *ip)
{
	size_t ext = 8 * (size_t)p->ipv6_ext_hdrs, l4_len;
	uint8_t *l4 = ip + 40 + ext;
	int i;

	inet_pton(AF_INET6, p->src, ip + 8);
	inet_pton(AF_INET6, p->dst, ip + 24);
	l4_len = build_l4(p, l4);
	l4_checksum(p, l4, l4_len, ip + 8, ip + 24);
	tpkt_put32(ip, 6u << 28 | (uint32_t)p->tos << 20 | (p->flow_label & 0xfffff));
	tpkt_put16(ip + 4, (uint16_t)(ext + l4_len));
	ip[6] = p->ipv6_ext_hdrs ? 60 : p->proto;
	ip[7] = p->ttl;
	for (i = 0; i < p->ipv6_ext_hdrs; i++) {
		uint8_t *h = ip + 40 + 8 * i;

		h[0] = i + 1 < p->ipv6_ext_hdrs ? 60 : p->proto;
		h[1] = 0; /* 8 bytes */
		h[2] = 1; /* PadN over the rest */
		h[3] = 4;
	}
	return 40 + ext + l4_len;
}

size_t tpkt_tunnel_payload(uint8_t *out, uint16_t dport, uint8_t opt_words,
			   uint32_t vni, const uint8_t *inner,
			   size_t inner_len)
{
	size_t hlen = 8 + (dport == 6081 ? 4 * (size_t)opt_words : 0);

	memset(out, 0, 8);
	if (dport == 6081) {
		out[0] = opt_words; /* version 0 */
		tpkt_put16(out + 2, 0x6558); /* Ethernet inside */
		memset(out + 8, 0x5a, hlen - 8);
	} else {
		out[0] = 0x08; /* I: the VNI is valid */
	}
	out[4] = (uint8_t)(vni >> 16);
	out[5] = (uint8_t)(vni >> 8);
	out[6] = (uint8_t)vni;
	memcpy(out + hlen, inner, inner_len);
	return hlen + inner_len;
}

size_t tpkt_build(const struct tpkt *p, uint8_t *buf)
{
	size_t off = 12;
	int i;

	memset(buf, 0, TPKT_MAX);
	memcpy(buf, p->dst_mac, 6);
	memcpy(buf + 6, p->src_mac, 6);
	for (i = 0; i < p->vlan_tags && i < 2; i++) {
		tpkt_put16(buf + off, i == 0 && p->vlan_tags == 2 ? 0x88a8 : 0x8100);
		tpkt_put16(buf + off + 2, p->vlan_id[i] & 0x0fff);
		off += 4;
	}
	tpkt_put16(buf + off, p->family == 4 ? 0x0800 : 0x86dd);
	off += 2;
	return off + (p->family == 4 ? build_ipv4(p, buf + off) :
				       build_ipv6(p, buf + off));
}
