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
#define HS_PAYLOAD_BYTES 8

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

struct hs_vlan_hdr {
	__be16 tci;
	__be16 encap_proto;
};

/*
 * The fields of a packet that no hop changes. MACs, VLAN tags, TTL / hop
 * limit, TOS / traffic class (ECN) and the IPv4 checksum are left out on
 * purpose: forwarding rewrites them.
 */
struct hs_pkt {
	__u32 saddr[4]; /* network byte order; IPv4 in [0] */
	__u32 daddr[4];
	__u32 ip_ident; /* IPv4: id and fragment field; IPv6: flow label */
	__u32 frag_ident; /* IPv6 fragment header: id; else 0 */
	__u32 l4_words[3]; /* per protocol, see hs_parse_l4() */
	__u16 ip_len; /* L3 payload length from the IP header */
	__u16 sport; /* host byte order, 0 if none */
	__u16 dport;
	__u16 payload_off; /* offset of the L4 payload in the frame */
	__u16 payload_len; /* L4 payload bytes by the IP length */
	__u8 family; /* 4 or 6 */
	__u8 proto; /* final L4 protocol */
	__u8 is_fragment; /* not the first fragment: no L4 header */
	__u8 __pad;
	__u16 frag_off; /* IPv6 fragment header: offset and M flag; else 0 */
	__u8 payload[HS_PAYLOAD_BYTES] __attribute__((aligned(8)));
	/* payload: filled by the caller, zeros when absent */
};

static __always_inline int hs_parse_l4(const void *l4, const void *data_end,
				       struct hs_pkt *pkt, __u16 l4_len)
{
	if (pkt->proto == IPPROTO_UDP) {
		const struct udphdr *udp = l4;

		if ((const void *)(udp + 1) > data_end)
			return HS_PARSE_TRUNCATED;
		pkt->sport = bpf_ntohs(udp->source);
		pkt->dport = bpf_ntohs(udp->dest);
		/* ports and length; the checksum may be completed on the way */
		pkt->l4_words[0] = ((__u32)pkt->sport << 16) | pkt->dport;
		pkt->l4_words[1] = bpf_ntohs(udp->len);
		pkt->payload_off += sizeof(*udp);
		l4_len = l4_len > sizeof(*udp) ? l4_len - sizeof(*udp) : 0;
	} else if (pkt->proto == IPPROTO_TCP) {
		const struct tcphdr *tcp = l4;
		__u16 doff;

		if ((const void *)(tcp + 1) > data_end)
			return HS_PARSE_TRUNCATED;
		doff = tcp->doff * 4;
		if (doff < sizeof(*tcp))
			return HS_PARSE_MALFORMED;
		pkt->sport = bpf_ntohs(tcp->source);
		pkt->dport = bpf_ntohs(tcp->dest);
		pkt->l4_words[0] = ((__u32)pkt->sport << 16) | pkt->dport;
		pkt->l4_words[1] = bpf_ntohl(tcp->seq);
		pkt->l4_words[2] = bpf_ntohl(tcp->ack_seq);
		pkt->payload_off += doff;
		l4_len = l4_len > doff ? l4_len - doff : 0;
	} else if (pkt->proto == IPPROTO_ICMP ||
		   pkt->proto == HS_IPPROTO_ICMPV6) {
		const __u8 *icmp = l4;

		/* type, code and the 4 bytes after the checksum (echo id and
		 * sequence); the checksum itself is left out */
		if ((const void *)(icmp + 8) > data_end)
			return HS_PARSE_TRUNCATED;
		pkt->l4_words[0] = ((__u32)icmp[0] << 8) | icmp[1];
		pkt->l4_words[1] = ((__u32)icmp[4] << 24) |
				   ((__u32)icmp[5] << 16) |
				   ((__u32)icmp[6] << 8) | icmp[7];
		pkt->payload_off += 8;
		l4_len = l4_len > 8 ? l4_len - 8 : 0;
	} else {
		/* other protocols: addresses, ident and length only */
		l4_len = 0;
	}
	pkt->payload_len = l4_len;
	return HS_PARSE_OK;
}

static __always_inline int hs_parse_ipv4(const void *l3, const void *data,
					 const void *data_end,
					 struct hs_pkt *pkt)
{
	const struct iphdr *ip = l3;
	__u16 hlen, tot_len, frag;

	if ((const void *)(ip + 1) > data_end)
		return HS_PARSE_TRUNCATED;
	if (ip->version != 4 || ip->ihl < 5)
		return HS_PARSE_MALFORMED;
	hlen = ip->ihl * 4;
	tot_len = bpf_ntohs(ip->tot_len);
	if (tot_len < hlen)
		return HS_PARSE_MALFORMED;
	if (l3 + hlen > data_end)
		return HS_PARSE_TRUNCATED;

	pkt->family = 4;
	pkt->proto = ip->protocol;
	pkt->saddr[0] = ip->saddr;
	pkt->daddr[0] = ip->daddr;
	frag = bpf_ntohs(ip->frag_off);
	/* id plus offset and MF; DF is left out, and so are TOS and TTL */
	pkt->ip_ident = ((__u32)bpf_ntohs(ip->id) << 16) |
			(frag & (HS_IP_MF | HS_IP_OFFSET));
	pkt->ip_len = tot_len - hlen;
	pkt->payload_off = (__u16)(l3 - data) + hlen;
	if (frag & HS_IP_OFFSET) {
		pkt->is_fragment = 1;
		return HS_PARSE_OK;
	}
	return hs_parse_l4(l3 + hlen, data_end, pkt, pkt->ip_len);
}

static __always_inline int hs_parse_ipv6(const void *l3, const void *data,
					 const void *data_end,
					 struct hs_pkt *pkt)
{
	const struct ipv6hdr *ip6 = l3;
	const __u8 *hdr;
	__u16 remaining;
	__u8 next;
	int i;

	if ((const void *)(ip6 + 1) > data_end)
		return HS_PARSE_TRUNCATED;
	if (ip6->version != 6)
		return HS_PARSE_MALFORMED;

	pkt->family = 6;
	__builtin_memcpy(pkt->saddr, &ip6->saddr, 16);
	__builtin_memcpy(pkt->daddr, &ip6->daddr, 16);
	pkt->ip_ident = ((__u32)(ip6->flow_lbl[0] & 0x0f) << 16) |
			((__u32)ip6->flow_lbl[1] << 8) | ip6->flow_lbl[2];
	pkt->ip_len = bpf_ntohs(ip6->payload_len);
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
	if (!pkt->is_fragment &&
	    (next == HS_IPPROTO_HOPOPTS || next == HS_IPPROTO_ROUTING ||
	     next == HS_IPPROTO_DSTOPTS || next == HS_IPPROTO_AH ||
	     next == HS_IPPROTO_FRAGMENT))
		return HS_PARSE_MALFORMED;

	pkt->proto = next;
	pkt->payload_off = (__u16)((const void *)hdr - data);
	if (pkt->is_fragment)
		return HS_PARSE_OK;
	return hs_parse_l4(hdr, data_end, pkt, remaining);
}

/*
 * Parse an Ethernet frame into pkt (which the caller zeroes first).
 * Up to two VLAN tags (802.1Q / 802.1ad), IPv4 with options, IPv6 with up
 * to HS_MAX_IPV6_EXT_HDRS extension headers, UDP, TCP, ICMP, ICMPv6.
 */
static __always_inline int hs_parse(const void *data, const void *data_end,
				    struct hs_pkt *pkt)
{
	const struct ethhdr *eth = data;
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
		return hs_parse_ipv4(l3, data, data_end, pkt);
	if (proto == HS_ETH_P_IPV6)
		return hs_parse_ipv6(l3, data, data_end, pkt);
	return HS_PARSE_NOT_IP;
}

/*
 * Bytes of L4 payload that go into the fingerprint: HS_PAYLOAD_BYTES when
 * the IP length says the payload has that many (so Ethernet padding never
 * counts), else none. A constant size keeps the verifier's view of the
 * load simple; shorter payloads are told apart by the header fields.
 */
static __always_inline __u32 hs_payload_copy_len(const struct hs_pkt *pkt)
{
	return pkt->payload_len >= HS_PAYLOAD_BYTES ? HS_PAYLOAD_BYTES : 0;
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
 * The flow part of the hash state: addresses, protocol and ports. IPv4
 * addresses take one 64-bit word, IPv6 four: every mix costs a multiply,
 * and the sampled-out path pays for all of them.
 */
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
	return hs_mix(h, ((__u64)pkt->family << 40) |
				 ((__u64)pkt->proto << 32) |
				 ((__u32)pkt->sport << 16) | pkt->dport);
}

/* Flow identity (addresses, protocol, ports) from the flow state. */
static __always_inline __u32 hs_flow_hash_of(__u64 flow_state)
{
	return (__u32)(hs_finish(flow_state) >> 32);
}

/* The header part of the fingerprint: everything but the payload bytes,
 * continuing from the flow state. */
static __always_inline __u64 hs_header_hash_of(__u64 flow_state,
					       const struct hs_pkt *pkt)
{
	__u64 h = flow_state;

	h = hs_mix(h, ((__u64)pkt->ip_ident << 32) | pkt->frag_ident);
	/* is_fragment follows from ip_ident (IPv4) or frag_off (IPv6) */
	h = hs_mix(h, ((__u64)pkt->frag_off << 48) |
			      ((__u64)pkt->ip_len << 32) | pkt->l4_words[2]);
	h = hs_mix(h, ((__u64)pkt->l4_words[0] << 32) | pkt->l4_words[1]);
	return hs_finish(h);
}

static __always_inline __u32 hs_flow_hash(const struct hs_pkt *pkt)
{
	return hs_flow_hash_of(hs_flow_state(pkt));
}

static __always_inline __u64 hs_header_hash(const struct hs_pkt *pkt)
{
	return hs_header_hash_of(hs_flow_state(pkt), pkt);
}

/* The packet's identity across hops: the header hash with the first
 * HS_PAYLOAD_BYTES of L4 payload folded in. */
static __always_inline __u64 hs_fingerprint(__u64 header_hash,
					    const struct hs_pkt *pkt)
{
	__u64 payload;

	/* one load; BPF and the host share byte order */
	__builtin_memcpy(&payload, pkt->payload, sizeof(payload));
	return hs_finish(hs_mix(header_hash, payload));
}

/*
 * 1-in-N trajectory sampling: a packet is kept iff the top 32 bits of its
 * fingerprint fall under threshold = 2^32 / N (2^32 keeps everything). The
 * fingerprint, not a header hash: a flow whose headers do not change from
 * packet to packet (IPv6 UDP: no IP id) must still be sampled 1 in N.
 */
static __always_inline int hs_sampled(__u64 fingerprint, __u64 threshold)
{
	return (fingerprint >> 32) < threshold;
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
/* User space: the whole pipeline over a frame held in memory. Returns an
 * hs_parse_result; fills *fingerprint on HS_PARSE_OK. */
static inline int hs_frame_fingerprint(const void *frame, __u32 len,
				       struct hs_pkt *pkt, __u64 *fingerprint)
{
	__u8 *copy = malloc((size_t)len + 4);
	__u32 n;
	int err;

	memset(pkt, 0, sizeof(*pkt));
	if (!copy)
		return HS_PARSE_MALFORMED;
	/* the kernel's NET_IP_ALIGN: the IP header on a 4-byte boundary,
	 * as hs_parse()'s struct pointers need */
	memcpy(copy + 2, frame, len);
	err = hs_parse(copy + 2, copy + 2 + len, pkt);
	free(copy);
	if (err)
		return err;
	/* like bpf_{skb,xdp}_load_bytes(): all of it or nothing */
	n = hs_payload_copy_len(pkt);
	if (n && pkt->payload_off + n <= len)
		memcpy(pkt->payload, (const __u8 *)frame + pkt->payload_off, n);
	*fingerprint = hs_fingerprint(hs_header_hash(pkt), pkt);
	return HS_PARSE_OK;
}
#endif

#endif /* HS_PACKET_H */
