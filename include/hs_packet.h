/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * hs_packet.h - packet parsing, filtering, sampling and fingerprinting.
 *
 * Header-only and compiled twice: into the BPF probes (clang -target bpf,
 * with vmlinux.h) and into user space (tests, tools). Both therefore compute
 * bit-identical fingerprints for the same frame, which is what lets a test
 * assert that a record carries the fingerprint of the packet it sent.
 *
 * Every access is checked against data_end before it happens, in the form
 * the BPF verifier accepts; loops have constant bounds.
 */
#ifndef HS_PACKET_H
#define HS_PACKET_H

#include "hopscope.h"

#ifdef __VMLINUX_H__
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#else
#include <bpf/bpf_endian.h>
#include <stdlib.h>
#include <string.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/udp.h>
#include <linux/tcp.h>
#include <linux/icmp.h>
#ifndef __always_inline
#define __always_inline inline __attribute__((always_inline))
#endif
#endif

#define HS_ETH_P_IP 0x0800
#define HS_ETH_P_IPV6 0x86DD
#define HS_ETH_P_8021Q 0x8100
#define HS_ETH_P_8021AD 0x88A8

#define HS_MAX_VLAN_TAGS 2
#define HS_MAX_IPV6_EXT_HDRS 6
/* the payload words of the fingerprint: its first and its last 8 bytes */
#define HS_PAYLOAD_WORD 8
/* a GSO packet over 64 KiB (BIG TCP) carries IP length 0: its length is
 * the frame's, and must be over this */
#define HS_IP_LEN_MAX 0xffff
/* offsets up to this are read straight from the linear area (a packet
 * pointer plus a bounded offset the verifier accepts) */
#define HS_PKT_OFF_MAX 0x3fff

/* VXLAN (RFC 7348): UDP to this port (IANA's; the probe takes others too,
 * a bit each: hs_is_vxlan_port()), an 8-byte header whose I flag says the
 * VNI in it is valid, then the inner Ethernet frame */
#define HS_VXLAN_PORT 4789
#define HS_VXLAN_HLEN 8
#define HS_VXLAN_FLAG_I 0x08
/* Geneve (RFC 8926): UDP to this port, an 8-byte header (version 0, the
 * options' length in 4-byte words, the inner protocol, the VNI), the
 * options, then the inner frame when the protocol is Ethernet */
#define HS_GENEVE_PORT 6081
#define HS_GENEVE_HLEN 8
#define HS_ETH_P_TEB 0x6558

#define HS_IPPROTO_HOPOPTS 0
#define HS_IPPROTO_ROUTING 43
#define HS_IPPROTO_FRAGMENT 44
#define HS_IPPROTO_AH 51
#define HS_IPPROTO_ICMPV6 58
#define HS_IPPROTO_DSTOPTS 60

#define HS_IP_MF 0x2000
#define HS_IP_OFFSET 0x1FFF

/* Parse results: what hs_parse() returns. */
enum hs_parse_result {
	HS_PARSE_OK = 0,
	HS_PARSE_NOT_IP = 1, /* ARP, LLDP, ...: not an error, not measured */
	HS_PARSE_TRUNCATED = 2, /* a header runs past the end of the frame */
	HS_PARSE_MALFORMED = 3, /* impossible header values */
};

/*
 * The header types the parser reads through. In user space a tunnel's
 * inner packet sits wherever the outer headers leave it (2 bytes off a
 * 4-byte boundary inside VXLAN), so there they may be misaligned, and say
 * so. The BPF side keeps the natural types: the JIT's loads need no
 * alignment, and clang would read a type aligned to 1 a byte at a time.
 */
#ifdef __VMLINUX_H__
/* vmlinux.h's own types: a typedef would carry its own name into CO-RE
 * relocations, which the kernel's BTF does not know */
#define hs_iphdr_t struct iphdr
#define hs_ipv6hdr_t struct ipv6hdr
#define hs_tcphdr_t struct tcphdr
#define hs_udphdr_t struct udphdr
#else
typedef struct iphdr hs_iphdr_t __attribute__((aligned(1)));
typedef struct ipv6hdr hs_ipv6hdr_t __attribute__((aligned(1)));
typedef struct tcphdr hs_tcphdr_t __attribute__((aligned(1)));
typedef struct udphdr hs_udphdr_t __attribute__((aligned(1)));
#endif

struct hs_vlan_hdr {
	__be16 tci;
	__be16 encap_proto;
};

/*
 * The fields of a packet that no hop changes. MACs, VLAN tags, TTL / hop
 * limit, TOS / traffic class (ECN) and the IPv4, UDP, TCP and ICMP
 * checksums are left out on purpose: forwarding rewrites them, and
 * checksum offload leaves a partial sum at one hop and the full one at the
 * next.
 */
struct hs_pkt {
	__u32 saddr[4]; /* network byte order; IPv4 in [0] */
	__u32 daddr[4];
	__u32 ip_ident; /* IPv4: id and fragment field; IPv6: flow label */
	__u32 frag_ident; /* IPv6 fragment header: id; else 0 */
	__u32 l4_words[3]; /* per protocol, see hs_parse_l4() */
	__u32 ip_len; /* L3 payload length: the IP header's, or BIG's frame */
	__u32 payload_len; /* L4 payload bytes by the IP length */
	__u16 sport; /* host byte order, 0 if none */
	__u16 dport;
	__u16 payload_off; /* offset of the L4 payload in the frame */
	/* the tail word starts here at the earliest: past the fixed L4
	 * header, whose checksum a hop may rewrite */
	__u16 tail_min_off;
	__u8 family; /* 4 or 6 */
	__u8 proto; /* final L4 protocol */
	__u8 is_fragment; /* not the first fragment: no L4 header */
	__u8 is_big; /* IP length 0: a GSO packet over 64 KiB (BIG TCP) */
	__u16 frag_off; /* IPv6 fragment header: offset and M flag; else 0 */
	/* ICMP and ICMPv6: the 2 bytes after the checksum, the echo id.
	 * NAT treats it as a port and may rewrite it, so it belongs with
	 * the ports in the flow state, never in the NAT key */
	__u16 icmp_id;
	/* filled by the caller (hs_head_word(), hs_tail_word()), 0 when
	 * absent: the payload's first 8 bytes (fewer: all of them), and the
	 * last 8 of the payload or of the TCP options */
	__u64 head;
	__u64 tail;
	/* a VXLAN packet's outer headers were seen: everything above is the
	 * inner packet's, and this its VNI */
	__u32 vni;
	__u8 encap;
	__u8 __pad2[3];
	/* filled by hs_frame_fingerprint(): hs_nat_key() */
	__u64 nat_key;
};

/*
 * The L4 header at l4 (pkt->payload_off), l4_len bytes by the IP length,
 * which bounds the header as well as the frame does: a header the IP
 * length cuts short is malformed, and Ethernet padding never counts. Every
 * other protocol (ESP, GRE, AH, OSPF, ...) has no header of ours: its
 * first bytes are the payload words.
 */
static __always_inline int hs_parse_l4(const void *l4, const void *data_end,
				       struct hs_pkt *pkt, __u32 l4_len)
{
	__u32 hlen = 0;

	if (pkt->proto == IPPROTO_UDP) {
		const hs_udphdr_t *udp = l4;

		if ((const void *)(udp + 1) > data_end)
			return HS_PARSE_TRUNCATED;
		hlen = sizeof(*udp);
		if (l4_len < hlen)
			return HS_PARSE_MALFORMED;
		pkt->sport = bpf_ntohs(udp->source);
		pkt->dport = bpf_ntohs(udp->dest);
		/* the length; the ports are in the flow state, and the
		 * checksum may be completed on the way */
		pkt->l4_words[0] = bpf_ntohs(udp->len);
	} else if (pkt->proto == IPPROTO_TCP) {
		const hs_tcphdr_t *tcp = l4;
		const __u16 *word = l4;

		if ((const void *)(tcp + 1) > data_end)
			return HS_PARSE_TRUNCATED;
		hlen = tcp->doff * 4;
		if (hlen < sizeof(*tcp) || l4_len < hlen)
			return HS_PARSE_MALFORMED;
		pkt->sport = bpf_ntohs(tcp->source);
		pkt->dport = bpf_ntohs(tcp->dest);
		/* data offset and flags, window: a pure ACK and a FIN-ACK or
		 * a window update with one seq and ack are different packets */
		pkt->l4_words[0] = ((__u32)bpf_ntohs(word[6]) << 16) |
				   bpf_ntohs(tcp->window);
		pkt->l4_words[1] = bpf_ntohl(tcp->seq);
		pkt->l4_words[2] = bpf_ntohl(tcp->ack_seq);
		/* the options may hold the tail word; the checksum may not */
		pkt->tail_min_off = pkt->payload_off + sizeof(*tcp);
	} else if (pkt->proto == IPPROTO_ICMP ||
		   pkt->proto == HS_IPPROTO_ICMPV6) {
		const __u8 *icmp = l4;

		/* type, code and the 4 bytes after the checksum: the echo
		 * id (which NAT may rewrite, as it does a port) apart, the
		 * sequence number here; the checksum itself is left out */
		if ((const void *)(icmp + 8) > data_end)
			return HS_PARSE_TRUNCATED;
		hlen = 8;
		if (l4_len < hlen)
			return HS_PARSE_MALFORMED;
		pkt->l4_words[0] = ((__u32)icmp[0] << 8) | icmp[1];
		pkt->icmp_id = ((__u16)icmp[4] << 8) | icmp[5];
		pkt->l4_words[1] = ((__u32)icmp[6] << 8) | icmp[7];
	}
	pkt->payload_off += hlen;
	if (pkt->proto != IPPROTO_TCP)
		pkt->tail_min_off = pkt->payload_off;
	pkt->payload_len = l4_len - hlen;
	return HS_PARSE_OK;
}

/* A fragment past the first has no L4 header: its data are the payload. */
static __always_inline int hs_fragment_data(struct hs_pkt *pkt, __u32 len)
{
	pkt->is_fragment = 1;
	pkt->tail_min_off = pkt->payload_off;
	pkt->payload_len = len;
	return HS_PARSE_OK;
}

/*
 * The IP packet's length past the header, hlen, at l3_off in a frame of
 * frame_len bytes. A GSO packet over 64 KiB (BIG TCP) says 0 and is as
 * long as the frame; a small packet saying 0 is malformed.
 */
static __always_inline int hs_big_len(struct hs_pkt *pkt, __u32 frame_len,
				      __u32 l3_off, __u32 hlen)
{
	if (frame_len <= l3_off + hlen + HS_IP_LEN_MAX)
		return HS_PARSE_MALFORMED;
	pkt->is_big = 1;
	pkt->ip_len = frame_len - l3_off - hlen;
	return HS_PARSE_OK;
}

/* What both IPv4 parsers take of the header: addresses, protocol, and
 * the id with the fragment offset and MF (DF, TOS and TTL left out). */
static __always_inline void hs_ipv4_fields(const hs_iphdr_t *ip,
					   struct hs_pkt *pkt)
{
	__u16 frag = bpf_ntohs(ip->frag_off);

	pkt->family = 4;
	pkt->proto = ip->protocol;
	pkt->saddr[0] = ip->saddr;
	pkt->daddr[0] = ip->daddr;
	pkt->ip_ident = ((__u32)bpf_ntohs(ip->id) << 16) |
			(frag & (HS_IP_MF | HS_IP_OFFSET));
}

/* What both IPv6 parsers take of the fixed header: the addresses and the
 * flow label (traffic class and hop limit left out). */
static __always_inline void hs_ipv6_fields(const hs_ipv6hdr_t *ip6,
					   struct hs_pkt *pkt)
{
	pkt->family = 6;
	__builtin_memcpy(pkt->saddr, &ip6->saddr, 16);
	__builtin_memcpy(pkt->daddr, &ip6->daddr, 16);
	pkt->ip_ident = ((__u32)(ip6->flow_lbl[0] & 0x0f) << 16) |
			((__u32)ip6->flow_lbl[1] << 8) | ip6->flow_lbl[2];
}

/* An IPv6 extension header hs_parse_ipv6() walks over. */
static __always_inline int hs_ipv6_ext(__u8 next)
{
	return next == HS_IPPROTO_HOPOPTS || next == HS_IPPROTO_ROUTING ||
	       next == HS_IPPROTO_DSTOPTS || next == HS_IPPROTO_AH ||
	       next == HS_IPPROTO_FRAGMENT;
}

static __always_inline int hs_parse_ipv4(const void *l3, const void *data,
					 const void *data_end, __u32 frame_len,
					 struct hs_pkt *pkt)
{
	const hs_iphdr_t *ip = l3;
	__u16 hlen, tot_len, frag;
	int err;

	if ((const void *)(ip + 1) > data_end)
		return HS_PARSE_TRUNCATED;
	if (ip->version != 4 || ip->ihl < 5)
		return HS_PARSE_MALFORMED;
	hlen = ip->ihl * 4;
	tot_len = bpf_ntohs(ip->tot_len);
	if (tot_len && tot_len < hlen)
		return HS_PARSE_MALFORMED;
	if (l3 + hlen > data_end)
		return HS_PARSE_TRUNCATED;

	hs_ipv4_fields(ip, pkt);
	frag = bpf_ntohs(ip->frag_off);
	if (tot_len) {
		pkt->ip_len = tot_len - hlen;
	} else {
		err = hs_big_len(pkt, frame_len, (__u32)(l3 - data), hlen);
		if (err)
			return err;
	}
	pkt->payload_off = (__u16)(l3 - data) + hlen;
	if (frag & HS_IP_OFFSET)
		return hs_fragment_data(pkt, pkt->ip_len);
	return hs_parse_l4(l3 + hlen, data_end, pkt, pkt->ip_len);
}

static __always_inline int hs_parse_ipv6(const void *l3, const void *data,
					 const void *data_end, __u32 frame_len,
					 struct hs_pkt *pkt)
{
	const hs_ipv6hdr_t *ip6 = l3;
	__u32 l3_off = (__u32)(l3 - data);
	const __u8 *hdr;
	__u32 remaining;
	__u8 next;
	int i;

	if ((const void *)(ip6 + 1) > data_end)
		return HS_PARSE_TRUNCATED;
	if (ip6->version != 6)
		return HS_PARSE_MALFORMED;

	hs_ipv6_fields(ip6, pkt);
	pkt->ip_len = bpf_ntohs(ip6->payload_len);
	/* 0 and longer than 64 KiB: BIG TCP (with a jumbo hop-by-hop
	 * option or, from 6.x, without); 0 and short: an empty packet */
	if (!pkt->ip_len)
		/* too short for BIG TCP: the empty packet it says it is */
		hs_big_len(pkt, frame_len, l3_off, sizeof(*ip6));
	remaining = pkt->ip_len;
	next = ip6->nexthdr;
	hdr = (const __u8 *)(ip6 + 1);

	/* a bounded walk over extension headers */
	for (i = 0; i < HS_MAX_IPV6_EXT_HDRS; i++) {
		__u16 len;

		if (next == HS_IPPROTO_HOPOPTS || next == HS_IPPROTO_ROUTING ||
		    next == HS_IPPROTO_DSTOPTS) {
			if ((const void *)(hdr + 2) > data_end)
				return HS_PARSE_TRUNCATED;
			len = ((__u16)hdr[1] + 1) * 8;
		} else if (next == HS_IPPROTO_AH) {
			if ((const void *)(hdr + 2) > data_end)
				return HS_PARSE_TRUNCATED;
			len = ((__u16)hdr[1] + 2) * 4;
		} else if (next == HS_IPPROTO_FRAGMENT) {
			if ((const void *)(hdr + 8) > data_end)
				return HS_PARSE_TRUNCATED;
			len = 8;
			pkt->frag_ident = ((__u32)hdr[4] << 24) |
					  ((__u32)hdr[5] << 16) |
					  ((__u32)hdr[6] << 8) | hdr[7];
			/* offset and M flag; a non-first fragment has no L4 */
			pkt->frag_off = ((__u16)hdr[2] << 8) | hdr[3];
			if (pkt->frag_off & 0xfff8)
				pkt->is_fragment = 1;
		} else {
			break;
		}
		if (len > remaining)
			return HS_PARSE_MALFORMED;
		remaining -= len;
		next = hdr[0];
		hdr += len;
		if (pkt->is_fragment)
			break;
	}
	/* out of iterations with an extension header still to come */
	if (!pkt->is_fragment && hs_ipv6_ext(next))
		return HS_PARSE_MALFORMED;

	pkt->proto = next;
	pkt->payload_off = (__u16)((const void *)hdr - data);
	if (pkt->is_fragment)
		return hs_fragment_data(pkt, remaining);
	return hs_parse_l4(hdr, data_end, pkt, remaining);
}

/* The Ethernet frame at l2: the packet's own (data), or a tunnel's inner
 * frame; offsets in pkt are from data either way. */
static __always_inline int hs_parse_eth(const void *data, const void *l2,
					const void *data_end, __u32 frame_len,
					struct hs_pkt *pkt)
{
	const struct ethhdr *eth = l2;
	const void *l3;
	__u16 proto;
	int i;

	if ((const void *)(eth + 1) > data_end)
		return HS_PARSE_TRUNCATED;
	proto = bpf_ntohs(eth->h_proto);
	l3 = eth + 1;
	for (i = 0; i < HS_MAX_VLAN_TAGS; i++) {
		const struct hs_vlan_hdr *vlan = l3;

		if (proto != HS_ETH_P_8021Q && proto != HS_ETH_P_8021AD)
			break;
		if ((const void *)(vlan + 1) > data_end)
			return HS_PARSE_TRUNCATED;
		proto = bpf_ntohs(vlan->encap_proto);
		l3 = vlan + 1;
	}
	if (proto == HS_ETH_P_IP)
		return hs_parse_ipv4(l3, data, data_end, frame_len, pkt);
	if (proto == HS_ETH_P_IPV6)
		return hs_parse_ipv6(l3, data, data_end, frame_len, pkt);
	return HS_PARSE_NOT_IP;
}

/* dport is one of the VXLAN ports, a bit each in ports: one load, one
 * test, where a compare per port would be one more way through the
 * parser for the verifier to walk, each. */
static __always_inline int hs_is_vxlan_port(const volatile __u64 *ports,
					    __u16 dport)
{
	return (ports[dport >> 6] >> (dport & 63)) & 1;
}

/* Take port for VXLAN. */
static __always_inline void hs_vxlan_port_set(volatile __u64 *ports,
					      __u16 port)
{
	ports[port >> 6] |= 1ULL << (port & 63);
}

/*
 * The tunnel header at h, UDP to dport: 1 if it is VXLAN with the I flag
 * (dport one of vxlan_ports) or Geneve version 0 carrying Ethernet, with
 * the VNI and the header's length (Geneve's with its options, 260 bytes at
 * most).
 */
static __always_inline int hs_tunnel_hdr(const __u8 *h, const void *data_end,
					 __u16 dport,
					 const volatile __u64 *vxlan_ports,
					 __u32 *vni, __u32 *hlen)
{
	if ((const void *)(h + HS_GENEVE_HLEN) > data_end)
		return 0;
	/* Geneve's fixed port first: the other way round, the verifier's
	 * walk through the parser after it doubled (and passed its limit) */
	if (dport == HS_GENEVE_PORT) {
		if ((h[0] & 0xc0) ||
		    ((__u16)h[2] << 8 | h[3]) != HS_ETH_P_TEB)
			return 0;
		*hlen = HS_GENEVE_HLEN + (h[0] & 0x3f) * 4;
	} else if (hs_is_vxlan_port(vxlan_ports, dport)) {
		if (!(h[0] & HS_VXLAN_FLAG_I))
			return 0;
		*hlen = HS_VXLAN_HLEN;
	} else {
		return 0;
	}
	*vni = ((__u32)h[4] << 16) | ((__u32)h[5] << 8) | h[6];
	return 1;
}

/*
 * 1 if the frame is a VXLAN or Geneve packet: IPv4 (not a fragment) or
 * IPv6 (no extension header) UDP to their port behind an untagged
 * Ethernet header; the inner frame's offset and the VNI. A look at fixed
 * places, before the one full parse: parsing the outer packet and then
 * the inner one would put two parsers in the program, and the verifier's
 * paths through them multiply past its limit.
 */
static __always_inline int hs_tunnel_peek(const void *data,
					  const void *data_end,
					  const volatile __u64 *vxlan_ports,
					  __u32 *inner_off, __u32 *vni)
{
	const struct ethhdr *eth = data;
	const __u8 *l3 = (const __u8 *)(eth + 1), *udp;
	__u32 l3_len, hlen;

	if ((const void *)(l3 + sizeof(struct ipv6hdr)) > data_end)
		return 0;
	if (eth->h_proto == bpf_htons(HS_ETH_P_IP)) {
		/* IHL 5 to 15, UDP, no offset and no MF */
		if ((l3[0] & 0xf0) != 0x40 || (l3[0] & 0x0f) < 5 ||
		    l3[9] != IPPROTO_UDP || (l3[6] & 0x3f) || l3[7])
			return 0;
		l3_len = (l3[0] & 0x0f) * 4;
	} else if (eth->h_proto == bpf_htons(HS_ETH_P_IPV6)) {
		if ((l3[0] & 0xf0) != 0x60 || l3[6] != IPPROTO_UDP)
			return 0;
		l3_len = sizeof(struct ipv6hdr);
	} else {
		return 0;
	}
	udp = l3 + l3_len;
	if ((const void *)(udp + sizeof(struct udphdr)) > data_end ||
	    !hs_tunnel_hdr(udp + sizeof(struct udphdr), data_end,
			   (__u16)udp[2] << 8 | udp[3], vxlan_ports, vni, &hlen))
		return 0;
	/* by arithmetic, not a pointer difference: the verifier keeps the
	 * bound (350 at most) that the inner frame's pointer needs */
	*inner_off = sizeof(*eth) + l3_len + sizeof(struct udphdr) + hlen;
	return 1;
}

/*
 * Parse an Ethernet frame into pkt (which the caller zeroes first).
 * Up to two VLAN tags (802.1Q / 802.1ad), IPv4 with options, IPv6 with up
 * to HS_MAX_IPV6_EXT_HDRS extension headers, UDP, TCP, ICMP, ICMPv6.
 * frame_len is the whole packet's length, beyond data_end where part of
 * it is paged (skb->len at tc): BIG TCP's length is taken from it.
 *
 * A VXLAN packet (UDP to a port whose bit is set in vxlan_ports,
 * HS_VXLAN_PORT_WORDS words) or a Geneve one is its inner packet, with pkt->encap and the
 * VNI: what the container sent, as the tunnel device sees it, so one
 * packet is followed into the tunnel, across the underlay and out. Its
 * inner frame is parsed as any frame: ARP inside is no IP packet, a bad
 * inner header a parse error.
 */
static __always_inline int hs_parse(const void *data, const void *data_end,
				    __u32 frame_len,
				    const volatile __u64 *vxlan_ports,
				    struct hs_pkt *pkt)
{
	__u32 off = 0, vni = 0;

	if (hs_tunnel_peek(data, data_end, vxlan_ports, &off, &vni)) {
		pkt->encap = 1;
		pkt->vni = vni;
	}
	return hs_parse_eth(data, data + off, data_end, frame_len, pkt);
}

/* hs_parse_fast(): not the frame it takes; hs_parse() parses it. */
#define HS_PARSE_SLOW (-1)

/* UDP to dport at l4 is maybe a tunnel's: hs_parse() looks. A truncated
 * UDP header is no tunnel's (hs_parse_l4() says it is truncated). */
static __always_inline int hs_fast_tunnel(__u8 proto, const void *l4,
					  const void *data_end,
					  const volatile __u64 *vxlan_ports)
{
	const hs_udphdr_t *udp = l4;
	__u16 dport;

	if (proto != IPPROTO_UDP || (const void *)(udp + 1) > data_end)
		return 0;
	dport = bpf_ntohs(udp->dest);
	return dport == HS_GENEVE_PORT || hs_is_vxlan_port(vxlan_ports, dport);
}

/* The IPv4 half of hs_parse_fast(): no options, no fragment, a length. */
static __always_inline int hs_parse_fast4(const void *l3, const void *data_end,
					  const volatile __u64 *vxlan_ports,
					  struct hs_pkt *pkt)
{
	const hs_iphdr_t *ip = l3;
	__u16 tot_len;

	if ((const void *)(ip + 1) > data_end || *(const __u8 *)ip != 0x45 ||
	    (ip->frag_off & bpf_htons(HS_IP_MF | HS_IP_OFFSET)))
		return HS_PARSE_SLOW;
	tot_len = bpf_ntohs(ip->tot_len);
	/* 0 is BIG TCP's, and 1 to 19 malformed: hs_parse() says which */
	if (tot_len < sizeof(*ip) ||
	    hs_fast_tunnel(ip->protocol, ip + 1, data_end, vxlan_ports))
		return HS_PARSE_SLOW;
	hs_ipv4_fields(ip, pkt);
	pkt->ip_len = tot_len - sizeof(*ip);
	pkt->payload_off = sizeof(struct ethhdr) + sizeof(*ip);
	return hs_parse_l4(ip + 1, data_end, pkt, pkt->ip_len);
}

/* The IPv6 half: no extension header, a length. */
static __always_inline int hs_parse_fast6(const void *l3, const void *data_end,
					  const volatile __u64 *vxlan_ports,
					  struct hs_pkt *pkt)
{
	const hs_ipv6hdr_t *ip6 = l3;
	__u8 next;

	if ((const void *)(ip6 + 1) > data_end || ip6->version != 6 ||
	    !ip6->payload_len)
		return HS_PARSE_SLOW;
	next = ip6->nexthdr;
	if (hs_ipv6_ext(next) ||
	    hs_fast_tunnel(next, ip6 + 1, data_end, vxlan_ports))
		return HS_PARSE_SLOW;
	hs_ipv6_fields(ip6, pkt);
	pkt->proto = next;
	pkt->ip_len = bpf_ntohs(ip6->payload_len);
	pkt->payload_off = sizeof(struct ethhdr) + sizeof(*ip6);
	return hs_parse_l4(ip6 + 1, data_end, pkt, pkt->ip_len);
}

/*
 * The common frame in a straight line: untagged Ethernet; IPv4 with no
 * options and no fragment, or IPv6 with no extension header; a length in
 * the IP header (not BIG TCP); no UDP to a tunnel's port. Fills pkt as
 * hs_parse() would and returns what hs_parse() would (the unit tests
 * compare the two on every frame they have); HS_PARSE_SLOW for any other
 * frame. The probe tries it first: it skips the tunnel peek, the tag
 * walk, the header dispatch and the extension header walk.
 */
static __always_inline int hs_parse_fast(const void *data, const void *data_end,
					 const volatile __u64 *vxlan_ports,
					 struct hs_pkt *pkt)
{
	const struct ethhdr *eth = data;

	if ((const void *)(eth + 1) > data_end)
		return HS_PARSE_SLOW;
	if (eth->h_proto == bpf_htons(HS_ETH_P_IP))
		return hs_parse_fast4(eth + 1, data_end, vxlan_ports, pkt);
	if (eth->h_proto == bpf_htons(HS_ETH_P_IPV6))
		return hs_parse_fast6(eth + 1, data_end, vxlan_ports, pkt);
	return HS_PARSE_SLOW;
}

/*
 * The payload words, bounded by the IP length (so Ethernet padding never
 * counts), each read as one 8-byte load at an offset in the frame.
 *
 * The head word holds the payload's first 8 bytes: sequence numbers,
 * message ids, the ESP SPI and sequence number, a tunnel's header. A
 * payload of 1 to 7 bytes is read as the 8 bytes that end with it, shifted
 * down by *shift bits (both sides are little-endian: BPF shares the
 * host's byte order), so that only its own bytes count. 0: no payload.
 */
static __always_inline int hs_head_word(const struct hs_pkt *pkt, __u32 *off,
					__u32 *shift)
{
	__u32 len = pkt->payload_len;

	if (!len)
		return 0;
	if (len >= HS_PAYLOAD_WORD) {
		*off = pkt->payload_off;
		*shift = 0;
	} else {
		/* payload_off is past an Ethernet and an IP header */
		*off = pkt->payload_off + len - HS_PAYLOAD_WORD;
		*shift = (HS_PAYLOAD_WORD - len) * 8;
	}
	return 1;
}

/*
 * The tail word: the last 8 bytes of the payload, or of the TCP options
 * when the payload is shorter. They vary where the first bytes do not:
 * the authentication tag of QUIC, ESP and every encrypted protocol (whose
 * first bytes are a constant connection id), an inner packet's end in a
 * tunnel, TCP timestamps. Never in the fixed L4 header (its checksum).
 */
static __always_inline int hs_tail_word(const struct hs_pkt *pkt, __u32 *off)
{
	__u32 end = (__u32)pkt->payload_off + pkt->payload_len;

	if (end < (__u32)pkt->tail_min_off + HS_PAYLOAD_WORD)
		return 0;
	*off = end - HS_PAYLOAD_WORD;
	return 1;
}

/* A 64-bit mix (the splitmix64 finaliser constants) over 32-bit words:
 * cheap in BPF, and its output bits are uniform enough for sampling. */
static __always_inline __u64 hs_mix(__u64 h, __u64 w)
{
	h ^= w;
	h *= 0x9E3779B97F4A7C15ULL;
	h ^= h >> 29;
	return h;
}

static __always_inline __u64 hs_finish(__u64 h)
{
	h ^= h >> 33;
	h *= 0xFF51AFD7ED558CCDULL;
	h ^= h >> 33;
	h *= 0xC4CEB9FE1A85EC53ULL;
	h ^= h >> 33;
	return h;
}

/*
 * Two hashes make a packet's identity:
 *  - the flow state: addresses, protocol, ports (and the ICMP echo id),
 *    what NAT rewrites;
 *  - the NAT key: everything else the fingerprint covers, what NAT leaves
 *    alone (the IPv4 id or IPv6 flow label, lengths and fragment fields,
 *    the L4 words past the ports, the payload's head and tail words).
 * The fingerprint joins the two. Where a hop rewrote the addresses or the
 * ports, the fingerprints on either side differ and the NAT keys agree:
 * the collector matches on the NAT key there (analysis/match.h).
 */

/* The flow state, from which the flow hash and the fingerprint are made.
 * IPv4 addresses take one 64-bit word, IPv6 four: every mix costs a
 * multiply, and the sampled-out path pays for all of them. */
static __always_inline __u64 hs_flow_state(const struct hs_pkt *pkt)
{
	__u64 h = 0x6A09E667F3BCC908ULL;

	if (pkt->family == 4) {
		h = hs_mix(h, ((__u64)pkt->saddr[0] << 32) | pkt->daddr[0]);
	} else {
		h = hs_mix(h, ((__u64)pkt->saddr[0] << 32) | pkt->saddr[1]);
		h = hs_mix(h, ((__u64)pkt->saddr[2] << 32) | pkt->saddr[3]);
		h = hs_mix(h, ((__u64)pkt->daddr[0] << 32) | pkt->daddr[1]);
		h = hs_mix(h, ((__u64)pkt->daddr[2] << 32) | pkt->daddr[3]);
	}
	return hs_mix(h, ((__u64)pkt->icmp_id << 48) |
				 ((__u64)pkt->family << 40) |
				 ((__u64)pkt->proto << 32) |
				 ((__u32)pkt->sport << 16) | pkt->dport);
}

/* Flow identity (addresses, protocol, ports) from the flow state. */
static __always_inline __u32 hs_flow_hash_of(__u64 flow_state)
{
	return (__u32)(hs_finish(flow_state) >> 32);
}

static __always_inline __u32 hs_flow_hash(const struct hs_pkt *pkt)
{
	return hs_flow_hash_of(hs_flow_state(pkt));
}

/* The NAT key, with the payload words (pkt->head, pkt->tail) in. Family
 * and protocol are in it too: NAT keeps them, and a packet of another
 * protocol is another packet. Two lanes of three words, mixed side by
 * side: every mix waits for the multiply before it, and one lane of six
 * made the probe's longest chain. */
static __always_inline __u64 hs_nat_key(const struct hs_pkt *pkt)
{
	__u64 a = 0xBB67AE8584CAA73BULL, b = 0x3C6EF372FE94F82BULL;
	/* is_fragment follows from ip_ident (IPv4) or frag_off (IPv6); only
	 * BIG TCP's lengths pass 16 bits, and those are never fragments */
	__u32 len_frag = pkt->ip_len ^ ((__u32)pkt->frag_off << 16);

	a = hs_mix(a, ((__u64)pkt->family << 8) | pkt->proto);
	b = hs_mix(b, ((__u64)pkt->ip_ident << 32) | pkt->frag_ident);
	a = hs_mix(a, ((__u64)len_frag << 32) | pkt->l4_words[2]);
	b = hs_mix(b, ((__u64)pkt->l4_words[0] << 32) | pkt->l4_words[1]);
	a = hs_mix(a, pkt->head);
	b = hs_mix(b, pkt->tail);
	/* rotated: the lanes are not interchangeable */
	return hs_finish(a ^ ((b << 32) | (b >> 32)));
}

/* The packet's identity across hops: the same at every hop that does not
 * rewrite addresses or ports. The flow hash's finished state and the NAT
 * key, two independent 64-bit hashes, side by side rather than one after
 * the other: two packets share a fingerprint only if the two XORs agree,
 * as likely as any 64-bit collision, and a packet of the flow differs
 * from the flow's others exactly where its NAT key does. */
static __always_inline __u64 hs_fingerprint(__u64 flow_state, __u64 nat_key)
{
	return hs_finish(flow_state) ^ nat_key;
}

/*
 * 1-in-N trajectory sampling: a packet is kept iff a 32-bit key of it
 * falls under threshold = 2^32 / N (2^32 keeps everything). The key is
 * made of what no hop changes, NAT included, so a packet is kept at every
 * hop or at none, on either side of a NAT:
 *  - where the headers alone tell the packet from the flow's others (TCP's
 *    sequence and acknowledgement numbers, an IPv4 id that is not 0), a
 *    hash of those header fields (hs_header_key()): the probe decides
 *    before it reads the payload;
 *  - elsewhere the NAT key, payload words included: a flow whose headers
 *    do not change from packet to packet (IPv6 UDP, IPv4 with id 0) must
 *    still be sampled 1 in N.
 * Which of the two is itself a function of the packet's unchanging fields.
 */
static __always_inline int hs_sampled(__u64 key, __u64 threshold)
{
	return (key >> 32) < threshold;
}

/* 1 if the header fields alone decide (hs_header_key()). Not for a
 * fragment or BIG TCP: a hop that reassembles or segments changes them. */
static __always_inline int hs_header_keyed(const struct hs_pkt *pkt)
{
	if (pkt->is_fragment || pkt->is_big)
		return 0;
	if (pkt->proto == IPPROTO_TCP)
		return 1;
	/* the id and no fragment bits: MF or an offset leave the low half */
	return pkt->family == 4 && pkt->ip_ident > 0xffff &&
	       !(pkt->ip_ident & 0xffff);
}

/*
 * The header fields of the NAT key (IP id or flow label, IP length, the
 * L4 words: TCP's sequence, acknowledgement, flags and window; UDP's
 * length), in the top 32 bits. Three independent multiplies and one after
 * them: a short chain, where the NAT key's is seven mixes long.
 */
static __always_inline __u64 hs_header_key(const struct hs_pkt *pkt)
{
	__u64 h = (((__u64)pkt->ip_ident << 32) | pkt->ip_len) *
		  0x9E3779B97F4A7C15ULL;

	h ^= (((__u64)pkt->l4_words[0] << 32) | pkt->l4_words[1]) *
	     0xC2B2AE3D27D4EB4FULL;
	h ^= (((__u64)pkt->l4_words[2] << 32) | pkt->proto) *
	     0x165667B19E3779F9ULL;
	h ^= h >> 29;
	return h * 0xBF58476D1CE4E5B9ULL;
}

/* The sampling decision for a packet whose nat_key is filled in. */
static __always_inline int hs_pkt_sampled(const struct hs_pkt *pkt,
					  __u64 threshold)
{
	return hs_sampled(hs_header_keyed(pkt) ? hs_header_key(pkt) :
						 pkt->nat_key,
			  threshold);
}

static __always_inline __u64 hs_sample_threshold(__u32 one_in)
{
	return one_in <= 1 ? (1ULL << 32) : (1ULL << 32) / one_in;
}

/*
 * The filter is read through a volatile pointer: in BPF it is const
 * volatile rodata whose real value is only set at load time, and a plain
 * const view would let the compiler fold in the zero initialiser.
 */
static __always_inline int hs_prefix_match(const __u32 *addr,
					   const volatile struct hs_filter *f)
{
	int i;

	for (i = 0; i < 4; i++)
		if ((addr[i] & f->mask[i]) != f->addr[i])
			return 0;
	return 1;
}

/* 1 if the packet passes the filter. */
static __always_inline int hs_filter_match(const struct hs_pkt *pkt,
					   const volatile struct hs_filter *f)
{
	if (f->family && f->family != pkt->family)
		return 0;
	if (f->proto && f->proto != pkt->proto)
		return 0;
	if (f->has_port && f->port != pkt->sport && f->port != pkt->dport)
		return 0;
	if (f->has_prefix) {
		if (f->prefix_family != pkt->family)
			return 0;
		if (!hs_prefix_match(pkt->saddr, f) &&
		    !hs_prefix_match(pkt->daddr, f))
			return 0;
	}
	return 1;
}

#ifndef __VMLINUX_H__
/* The 8 bytes at off in a frame of len bytes; like
 * bpf_{skb,xdp}_load_bytes(), all of them or 0. */
static inline __u64 hs_frame_word(const void *frame, __u32 len, __u32 off)
{
	__u64 w = 0;

	if (off <= len && len - off >= sizeof(w))
		memcpy(&w, (const __u8 *)frame + off, sizeof(w));
	return w;
}

/* The VXLAN ports a probe takes when told of no other: IANA's. */
static const __u64 hs_default_vxlan_ports[HS_VXLAN_PORT_WORDS] = {
	[HS_VXLAN_PORT >> 6] = 1ULL << (HS_VXLAN_PORT & 63),
};

/* User space: the whole pipeline over a frame held in memory, VXLAN taken
 * on vxlan_ports. Returns an hs_parse_result; fills *fingerprint on
 * HS_PARSE_OK. */
static inline int hs_frame_fingerprint_ports(const void *frame, __u32 len,
					     const __u64 *vxlan_ports,
					     struct hs_pkt *pkt,
					     __u64 *fingerprint)
{
	__u8 *copy = malloc((size_t)len + 4);
	__u32 off, shift;
	int err;

	memset(pkt, 0, sizeof(*pkt));
	if (!copy)
		return HS_PARSE_MALFORMED;
	/* the kernel's NET_IP_ALIGN: the IP header on a 4-byte boundary,
	 * as hs_parse()'s struct pointers need */
	memcpy(copy + 2, frame, len);
	err = hs_parse(copy + 2, copy + 2 + len, len, vxlan_ports, pkt);
	free(copy);
	if (err)
		return err;
	if (hs_head_word(pkt, &off, &shift))
		pkt->head = hs_frame_word(frame, len, off) >> shift;
	if (hs_tail_word(pkt, &off))
		pkt->tail = hs_frame_word(frame, len, off);
	pkt->nat_key = hs_nat_key(pkt);
	*fingerprint = hs_fingerprint(hs_flow_state(pkt), pkt->nat_key);
	return HS_PARSE_OK;
}

/* The same with VXLAN on 4789 only, what a probe told nothing takes. */
static inline int hs_frame_fingerprint(const void *frame, __u32 len,
				       struct hs_pkt *pkt, __u64 *fingerprint)
{
	return hs_frame_fingerprint_ports(frame, len, hs_default_vxlan_ports,
					  pkt, fingerprint);
}
#endif

#endif /* HS_PACKET_H */
