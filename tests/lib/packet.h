/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * packet.h - hand-built frames for the unit and BPF_PROG_TEST_RUN tests.
 *
 * A frame is described field by field (struct tpkt) and written out by
 * tpkt_build(); tests change one field and check what the probe or the
 * fingerprint makes of it. IP and L4 checksums are computed so the frames
 * are valid on the wire; lengths follow the payload.
 */
#ifndef HS_TEST_PACKET_H
#define HS_TEST_PACKET_H

#include <stddef.h>
#include <stdint.h>

#define TPKT_MAX 2048

struct tpkt {
	uint8_t src_mac[6], dst_mac[6];
	int vlan_tags; /* 0, 1 or 2 */
	uint16_t vlan_id[2];
	int family; /* 4 or 6 */
	const char *src, *dst; /* address literals */
	uint8_t proto; /* 17 UDP, 6 TCP, 1 ICMP, 58 ICMPv6 */
	uint8_t ttl;
	uint8_t tos; /* IPv4 TOS / IPv6 traffic class (DSCP and ECN) */
	uint16_t ip_id; /* IPv4 */
	uint32_t flow_label; /* IPv6 */
	int ipv4_options; /* bytes of IPv4 options (multiple of 4) */
	int ipv6_ext_hdrs; /* destination-options headers before L4 */
	uint16_t sport, dport; /* UDP/TCP; ICMP echo id in sport */
	uint32_t tcp_seq, tcp_ack;
	uint8_t tcp_flags;
	uint16_t tcp_window; /* 65535 from tpkt_init() */
	const uint8_t *tcp_opts; /* a multiple of 4 bytes, up to 40 */
	size_t tcp_opts_len;
	const uint8_t *payload;
	size_t payload_len;
	int bad_ip_csum; /* write a wrong IPv4 header checksum */
};

/* Defaults: IPv4 UDP 198.18.0.1:1000 -> 198.18.1.2:2000, TTL 64, 16 bytes
 * of payload counting 0, 1, 2, ... */
void tpkt_init(struct tpkt *p);
/* Big-endian stores, for the frames' fields. */
void tpkt_put16(uint8_t *b, uint16_t v);
void tpkt_put32(uint8_t *b, uint32_t v);
/* The UDP payload of a tunnel packet to dport, written to out: the
 * tunnel header, then inner_len bytes of inner frame. 4789: VXLAN, I flag
 * set; 6081: Geneve version 0 carrying Ethernet, with opt_words 4-byte
 * words of options (0x5a bytes, never read). VNI vni. Returns the
 * payload's length; tests make a bad header by changing its bytes. */
size_t tpkt_tunnel_payload(uint8_t *out, uint16_t dport, uint8_t opt_words,
			   uint32_t vni, const uint8_t *inner,
			   size_t inner_len);
/* Write the frame into buf (TPKT_MAX bytes); returns its length. */
size_t tpkt_build(const struct tpkt *p, uint8_t *buf);

#endif /* HS_TEST_PACKET_H */
