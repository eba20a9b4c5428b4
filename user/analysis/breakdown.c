// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "analysis/breakdown.h"

/* Each hop's value over the sum of all: 0 everywhere when the sum is 0. */
static void shares(struct hs_breakdown *b, size_t value_off, size_t share_off,
		   int *worst)
{
	double sum = 0, best = -1;
	unsigned int i;

	for (i = 0; i < b->n; i++)
		sum += *(double *)((char *)&b->hop[i] + value_off);
	*worst = -1;
	for (i = 0; i < b->n; i++) {
		double v = *(double *)((char *)&b->hop[i] + value_off);
		double share = sum > 0 ? v / sum : 0;

		*(double *)((char *)&b->hop[i] + share_off) = share;
		if (sum > 0 && share > best) {
			best = share;
			*worst = (int)i;
		}
	}
}

int hs_breakdown(const struct hs_hops *h, const struct hs_path *p, bool total,
		 struct hs_breakdown *b)
{
	uint64_t packets = 0, most_lost = 0;
	unsigned int k;

	memset(b, 0, sizeof(*b));
	b->mean_worst = b->p99_worst = b->jitter_worst = b->lost_worst = -1;
	/* one hop is all of its path: nothing to break down */
	if (p->n < 3 || !hs_path_segment(h, p, 0))
		return -ENOENT;
	b->n = p->n - 1u;
	for (k = 0; k < b->n; k++) {
		const struct hs_acc *a =
			hs_leg_acc(hs_path_segment(h, p, k), total);
		struct hs_hop_share *s = &b->hop[k];
		struct hs_summary sum;

		hs_delay_summary(&a->delay, &sum);
		s->from = p->points[k];
		s->to = p->points[k + 1];
		s->packets = sum.n;
		s->mean_ns = sum.mean;
		s->p99_ns = (double)sum.p99;
		s->jitter_ns = hs_jitter_mean(&a->jitter);
		s->lost = a->lost;
		packets += sum.n;
		if (a->lost > most_lost) {
			most_lost = a->lost;
			b->lost_worst = (int)k;
		}
	}
	if (!packets)
		return -ENOENT;
	/* its packets all lost on the way: no delay of its to break down */
	b->delivered = hs_leg_acc(&p->leg, total)->delay.n;
	if (!b->delivered)
		return 0;
	shares(b, offsetof(struct hs_hop_share, mean_ns),
	       offsetof(struct hs_hop_share, mean_share), &b->mean_worst);
	shares(b, offsetof(struct hs_hop_share, p99_ns),
	       offsetof(struct hs_hop_share, p99_share), &b->p99_worst);
	shares(b, offsetof(struct hs_hop_share, jitter_ns),
	       offsetof(struct hs_hop_share, jitter_share), &b->jitter_worst);
	return 0;
}

const char *hs_hop_label(const struct hs_point_table *t, uint16_t from,
			 uint16_t to, char *buf, size_t len)
{
	char via[128];
	enum hs_hop_kind kind =
		hs_points_classify(t, from, to, via, sizeof(via));

	/* a bare "veth" says too little: which wire */
	if (kind == HS_HOP_WIRE || kind == HS_HOP_STACK)
		snprintf(buf, len, "%s %s %s:%s -> %s:%s",
			 hs_hop_kind_name(kind), via, t->p[from].netns,
			 t->p[from].link.ifname, t->p[to].netns,
			 t->p[to].link.ifname);
	else if (kind == HS_HOP_NETWORK || kind == HS_HOP_ENCAP ||
		 kind == HS_HOP_DECAP)
		snprintf(buf, len, "%s %s", hs_hop_kind_name(kind), via);
	else
		snprintf(buf, len, "%s", via);
	return buf;
}

/* The hop as the subject of a sentence. */
static const char *hop_name(const struct hs_point_table *t,
			    const struct hs_hop_share *s, char *buf, size_t len)
{
	char label[300], via[128];
	enum hs_hop_kind kind =
		hs_points_classify(t, s->from, s->to, via, sizeof(via));

	/* "the wire ...": a thing; "VNF vnf1", "ovs br3": names */
	hs_hop_label(t, s->from, s->to, label, sizeof(label));
	snprintf(buf, len, "%s%s",
		 kind == HS_HOP_WIRE || kind == HS_HOP_STACK ||
				 kind == HS_HOP_NETWORK || kind == HS_HOP_ENCAP ||
				 kind == HS_HOP_DECAP ?
			 "the " :
			 "",
		 label);
	return buf;
}

static int pct(double share)
{
	return (int)(share * 100 + 0.5);
}

/* "<lead><hop> loses N packets", of the hop that lost most, at buf +
 * used. */
static void put_loss(const struct hs_breakdown *b,
		     const struct hs_point_table *t, char *buf, size_t len,
		     size_t used, const char *lead)
{
	const struct hs_hop_share *worst = &b->hop[b->lost_worst];
	char name[320];

	if (used >= len)
		return;
	snprintf(buf + used, len - used, "%s%s loses %llu packet%s", lead,
		 hop_name(t, worst, name, sizeof(name)),
		 (unsigned long long)worst->lost, worst->lost == 1 ? "" : "s");
}

const char *hs_verdict(const struct hs_breakdown *b,
		       const struct hs_point_table *t, const struct hs_path *p,
		       char *buf, size_t len)
{
	const struct hs_point_info *a = &t->p[p->points[0]];
	const struct hs_point_info *z = &t->p[p->points[p->n - 1]];
	char name[320], other[320], ends[300];
	size_t used = 0;

	buf[0] = '\0';
	snprintf(ends, sizeof(ends), "%s -> %s", a->netns, z->netns);
	if (a->netns[0] && !strcmp(a->netns, z->netns))
		snprintf(ends, sizeof(ends), "%s:%s -> %s:%s", a->netns,
			 a->link.ifname, z->netns, z->link.ifname);
	if (!b->delivered && b->lost_worst >= 0) {
		used = (size_t)snprintf(buf, len,
					"no packet got through on %s: ", ends);
		put_loss(b, t, buf, len, used, "");
		return buf;
	}
	if (b->p99_worst < 0)
		return buf;
	hop_name(t, &b->hop[b->p99_worst], name, sizeof(name));
	if (b->jitter_worst == b->p99_worst || b->jitter_worst < 0)
		used = (size_t)snprintf(
			buf, len,
			"%s adds %d%% of p99 delay and %d%% of jitter on %s",
			name, pct(b->hop[b->p99_worst].p99_share),
			pct(b->hop[b->p99_worst].jitter_share), ends);
	else
		used = (size_t)snprintf(
			buf, len,
			"%s adds %d%% of p99 delay, %s %d%% of jitter on %s",
			name, pct(b->hop[b->p99_worst].p99_share),
			hop_name(t, &b->hop[b->jitter_worst], other,
				 sizeof(other)),
			pct(b->hop[b->jitter_worst].jitter_share), ends);
	if (b->lost_worst >= 0)
		put_loss(b, t, buf, len, used, "; ");
	return buf;
}
