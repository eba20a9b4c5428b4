/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * nat.h - the rewrites NAT hops made, in words, by the flow hashes of the
 * packet before and after (hs_hop_nat).
 *
 * The statistics know a NAT hop only by flow hashes; what the addresses
 * and ports were is the live collector's to find out (topo/conntrack.h)
 * and hand in with hs_session_nat_name(), which also records it, so that
 * a report from a record file names the hop as the live run did. The
 * table is bounded: past HS_NAT_NAMES, the oldest name makes room.
 */
#ifndef HS_NAT_H
#define HS_NAT_H

#include <stdint.h>

#define HS_NAT_NAMES 256
#define HS_NAT_TEXT_MAX 128

struct hs_nat_name {
	uint32_t flow_in, flow_out;
	char text[HS_NAT_TEXT_MAX]; /* "198.18.1.2:5000 -> 198.18.9.1:61000" */
};

struct hs_nat_names {
	unsigned int n; /* names held, HS_NAT_NAMES at most */
	unsigned int next; /* where the next one goes once full */
	struct hs_nat_name e[HS_NAT_NAMES];
};

/* The words for the rewrite flow_in -> flow_out, or NULL. */
const char *hs_nat_name_find(const struct hs_nat_names *t, uint32_t flow_in,
			     uint32_t flow_out);
/* Name it (again: the new words replace the old); the words as kept. */
const char *hs_nat_name_set(struct hs_nat_names *t, uint32_t flow_in,
			    uint32_t flow_out, const char *text);

#endif /* HS_NAT_H */
