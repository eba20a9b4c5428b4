// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <arpa/inet.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include "hs_packet.h"
#include "topo/tuple.h"

uint32_t hs_tuple_flow_hash(const struct hs_tuple *t)
{
	struct hs_pkt pkt;

	memset(&pkt, 0, sizeof(pkt));
	pkt.family = t->family;
	pkt.proto = t->proto;
	memcpy(pkt.saddr, t->src, sizeof(pkt.saddr));
	memcpy(pkt.daddr, t->dst, sizeof(pkt.daddr));
	pkt.sport = t->sport;
	pkt.dport = t->dport;
	pkt.icmp_id = t->icmp_id;
	return hs_flow_hash(&pkt);
}

bool hs_tuple_is_icmp(const struct hs_tuple *t)
{
	return t->proto == IPPROTO_ICMP || t->proto == HS_IPPROTO_ICMPV6;
}

/* "198.18.1.2:5000", "[2001:2::1]:5000", "198.18.1.2 id 7" (ICMP). */
static void endpoint(const struct hs_tuple *t, const uint32_t *addr,
		     uint16_t port, char *buf, size_t len)
{
	char a[INET6_ADDRSTRLEN] = "?";

	inet_ntop(t->family == 6 ? AF_INET6 : AF_INET, addr, a, sizeof(a));
	if (hs_tuple_is_icmp(t))
		snprintf(buf, len, "%s id %u", a, t->icmp_id);
	else if (t->family == 6)
		snprintf(buf, len, "[%s]:%u", a, port);
	else
		snprintf(buf, len, "%s:%u", a, port);
}

void hs_tuple_rewrite_text(const struct hs_tuple *in,
			const struct hs_tuple *out, char *text, size_t len)
{
	bool src = memcmp(in->src, out->src, sizeof(in->src)) ||
		   in->sport != out->sport || in->icmp_id != out->icmp_id;
	bool dst = memcmp(in->dst, out->dst, sizeof(in->dst)) ||
		   in->dport != out->dport;
	char a[64], b[64], c[64], d[64];

	endpoint(in, in->src, in->sport, a, sizeof(a));
	endpoint(out, out->src, out->sport, b, sizeof(b));
	endpoint(in, in->dst, in->dport, c, sizeof(c));
	endpoint(out, out->dst, out->dport, d, sizeof(d));
	if (hs_tuple_is_icmp(in)) {
		/* the id goes with the source; the destination has none */
		inet_ntop(in->family == 6 ? AF_INET6 : AF_INET, in->dst, c,
			  sizeof(c));
		inet_ntop(out->family == 6 ? AF_INET6 : AF_INET, out->dst, d,
			  sizeof(d));
	}
	if (src && dst)
		snprintf(text, len, "%s -> %s, to %s -> %s", a, b, c, d);
	else if (dst)
		snprintf(text, len, "to %s -> %s", c, d);
	else
		snprintf(text, len, "%s -> %s", a, b);
}

void hs_tuple_reverse(const struct hs_tuple *t, struct hs_tuple *r)
{
	*r = *t;
	memcpy(r->src, t->dst, sizeof(r->src));
	memcpy(r->dst, t->src, sizeof(r->dst));
	r->sport = t->dport;
	r->dport = t->sport;
}
