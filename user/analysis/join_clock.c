// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <string.h>
#include "analysis/join_clock.h"

static const char *const method_names[HS_JOIN_METHOD_COUNT] = {
	[HS_JOIN_TAI] = "tai",
	[HS_JOIN_MIN_DELAY] = "min-delay",
	[HS_JOIN_REALTIME] = "realtime",
};

const char *hs_join_method_name(enum hs_join_method m)
{
	return (unsigned int)m < HS_JOIN_METHOD_COUNT ? method_names[m] : "?";
}

/* Shortest paths over the gaps: d[i][j] bounds R_j - R_i from above. */
struct bounds {
	bool has[HS_MAX_HOSTS][HS_MAX_HOSTS];
	int64_t d[HS_MAX_HOSTS][HS_MAX_HOSTS];
};

static void direct_bounds(const struct hs_join_gaps *g, struct bounds *b)
{
	unsigned int i, j;

	memset(b, 0, sizeof(*b));
	for (i = 0; i < g->n_hosts; i++)
		for (j = 0; j < g->n_hosts; j++) {
			b->has[i][j] = i == j || g->packets[i][j];
			b->d[i][j] = i == j ? 0 : g->gap[i][j];
		}
}

/* Floyd-Warshall; false on a cycle below 0. */
static bool shortest_bounds(const struct hs_join_gaps *g, struct bounds *b)
{
	unsigned int i, j, k, n = g->n_hosts;

	direct_bounds(g, b);
	for (k = 0; k < n; k++)
		for (i = 0; i < n; i++)
			for (j = 0; j < n; j++) {
				int64_t via = b->d[i][k] + b->d[k][j];

				if (!b->has[i][k] || !b->has[k][j] ||
				    (b->has[i][j] && b->d[i][j] <= via))
					continue;
				b->has[i][j] = true;
				b->d[i][j] = via;
			}
	for (i = 0; i < n; i++)
		if (b->d[i][i] < 0)
			return false;
	return true;
}

static int64_t abs64(int64_t v)
{
	return v < 0 ? -v : v;
}

static void place_hosts(const struct hs_join_gaps *g, const struct bounds *b,
			struct hs_join_clocks *c, int64_t *r)
{
	unsigned int k;

	for (k = 0; k < g->n_hosts; k++) {
		struct hs_join_clock *h = &c->host[k];

		r[k] = 0;
		h->method = g->tai ? HS_JOIN_TAI : HS_JOIN_REALTIME;
		if (!g->tai && k && b->has[0][k] && b->has[k][0]) {
			h->method = HS_JOIN_MIN_DELAY;
			r[k] = (b->d[0][k] - b->d[k][0]) / 2;
		}
		h->offset_ns = g->coarse[k] + r[k];
		h->packets_ab = g->packets[0][k];
		h->packets_ba = g->packets[k][0];
		h->min_ab_ns = g->packets[0][k] ? g->gap[0][k] : 0;
		h->min_ba_ns = g->packets[k][0] ? g->gap[k][0] : 0;
	}
}

/* A delay from a to b: within the half-width of R_b - R_a's interval
 * plus the distance of the offsets taken from its middle. */
static void pair_of(const struct hs_join_gaps *g, const struct bounds *b,
		    const int64_t *r, unsigned int a, unsigned int z,
		    struct hs_join_pair *p)
{
	int64_t mid;

	p->method = g->tai ? HS_JOIN_TAI : HS_JOIN_REALTIME;
	p->uncertainty_ns = -1;
	if (g->tai || a == z || !b->has[a][z] || !b->has[z][a])
		return;
	p->method = HS_JOIN_MIN_DELAY;
	mid = (b->d[a][z] - b->d[z][a]) / 2;
	p->uncertainty_ns = (b->d[a][z] + b->d[z][a]) / 2 +
			    abs64(r[z] - r[a] - mid);
}

bool hs_join_solve(const struct hs_join_gaps *g, struct hs_join_clocks *c)
{
	int64_t r[HS_MAX_HOSTS];
	struct bounds b;
	unsigned int a, z;
	bool consistent = shortest_bounds(g, &b);

	/* a cycle below 0 makes every path as short as one likes: keep
	 * to the gaps each host has with host 0 itself */
	if (!consistent)
		direct_bounds(g, &b);
	memset(c, 0, sizeof(*c));
	c->n_hosts = g->n_hosts;
	place_hosts(g, &b, c, r);
	for (a = 0; a < g->n_hosts; a++)
		for (z = 0; z < g->n_hosts; z++)
			pair_of(g, &b, r, a, z, &c->pair[a][z]);
	for (z = 1; z < g->n_hosts; z++)
		c->host[z].uncertainty_ns = c->pair[0][z].uncertainty_ns;
	c->host[0].uncertainty_ns = g->tai || g->n_hosts < 2 ? -1 : 0;
	return consistent;
}

void hs_join_clocks_two(struct hs_join_clocks *c,
			const struct hs_join_clock *b)
{
	memset(c, 0, sizeof(*c));
	c->n_hosts = 2;
	c->host[0].method = b->method;
	c->host[1] = *b;
	c->pair[0][1] = c->pair[1][0] =
		(struct hs_join_pair){ b->method, b->uncertainty_ns };
	c->pair[0][0] = c->pair[1][1] =
		(struct hs_join_pair){ b->method, -1 };
}
