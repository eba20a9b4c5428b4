/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * tuple.h - a flow's addresses, protocol and ports (one direction), the
 * flow hash a packet of it gets in the probe (hs_flow_hash()), and a
 * rewrite from one tuple to another in words. Apart from conntrack.c:
 * hs_packet.h's kernel headers and libnl's libc ones cannot meet in one
 * file.
 */
#ifndef HS_TUPLE_H
#define HS_TUPLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Addresses in network byte order. */
struct hs_tuple {
	uint8_t family; /* 4 or 6 */
	uint8_t proto;
	uint32_t src[4], dst[4];
	uint16_t sport, dport; /* host byte order; 0 for ICMP */
	uint16_t icmp_id; /* ICMP and ICMPv6 echo */
};

/* ICMP or ICMPv6: an echo id, no ports. */
bool hs_tuple_is_icmp(const struct hs_tuple *t);

/* The flow hash a packet with this tuple gets (hs_flow_hash()). */
uint32_t hs_tuple_flow_hash(const struct hs_tuple *t);

/* The tuple the other way round: what a packet of the opposite direction
 * carries. */
void hs_tuple_reverse(const struct hs_tuple *t, struct hs_tuple *r);

/* The rewrite from a packet of tuple in to the same packet as tuple out,
 * in words: "198.18.1.2:5000 -> 198.18.9.1:61000" for a source
 * rewritten, "to 198.18.0.1:8080 -> 198.18.2.2:80" for a destination,
 * both joined by ", " where both changed. */
void hs_tuple_rewrite_text(const struct hs_tuple *in,
			   const struct hs_tuple *out, char *text, size_t len);

#endif /* HS_TUPLE_H */
