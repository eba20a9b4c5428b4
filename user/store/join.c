// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/exit.h"
#include "core/hooks.h"
#include "core/log.h"
#include "analysis/session.h"
#include "store/join.h"

/* Everything one host's run recorded, in memory. */
struct host {
	struct hs_rec_run *run;
	const struct hs_point_table *points;
	struct hs_record *rec;
	size_t n_rec, cap_rec;
	struct hs_frame_drops *drops;
	size_t n_drops, cap_drops;
	/* the NAT hops' rewrites the run named (HS_FRAME_NAT_NAME) */
	struct hs_frame_nat_name *nat;
	size_t n_nat, cap_nat;
	uint64_t armed, ready, end, last_ts;
	struct hs_counters counters[HS_MAX_POINTS];
	bool damaged;
};

static int append(void **buf, size_t *n, size_t *cap, const void *src,
		  size_t count, size_t size)
{
	if (*n + count > *cap) {
		size_t c = *cap ? *cap : 4096;
		void *p;

		while (c < *n + count)
			c *= 2;
		p = realloc(*buf, c * size);
		if (!p)
			return -ENOMEM;
		*buf = p;
		*cap = c;
	}
	memcpy((char *)*buf + *n * size, src, count * size);
	*n += count;
	return 0;
}

static int take_records(struct host *h, const struct hs_rec_frame *f)
{
	const struct hs_record *r = f->data;
	size_t i;

	for (i = 0; i < f->len / sizeof(*r); i++) {
		if (r[i].point_id >= h->points->n)
			continue;
		if (r[i].ts_ns > h->last_ts)
			h->last_ts = r[i].ts_ns;
		if (append((void **)&h->rec, &h->n_rec, &h->cap_rec, &r[i], 1,
			   sizeof(r[i])))
			return -ENOMEM;
	}
	return 0;
}

static int take_drops(struct host *h, const struct hs_rec_frame *f)
{
	const struct hs_frame_drops *d = f->data;
	size_t i;

	for (i = 0; i < f->len / sizeof(*d); i++)
		if (d[i].point < h->points->n &&
		    append((void **)&h->drops, &h->n_drops, &h->cap_drops,
			   &d[i], 1, sizeof(d[i])))
			return -ENOMEM;
	return 0;
}

/* Keep what the join needs of a frame; frames of a wrong size are left
 * out, as the replay would refuse them. */
static int take_frame(struct host *h, const struct hs_rec_frame *f)
{
	const struct hs_frame_report *rep = f->data;
	bool timed = f->len == sizeof(struct hs_frame_time);

	switch (f->type) {
	case HS_FRAME_RECORDS:
		return take_records(h, f);
	case HS_FRAME_DROPS:
		return take_drops(h, f);
	case HS_FRAME_NAT_NAME:
		if (f->len != sizeof(*h->nat) ||
		    !memchr(((const struct hs_frame_nat_name *)f->data)->text,
			    '\0', sizeof(h->nat->text)))
			return 0;
		return append((void **)&h->nat, &h->n_nat, &h->cap_nat,
			      f->data, 1, sizeof(*h->nat));
	case HS_FRAME_ARMED:
		if (timed)
			h->armed = hs_frame_ts(f);
		return 0;
	case HS_FRAME_READY:
		if (timed && !h->ready)
			h->ready = hs_frame_ts(f);
		return 0;
	case HS_FRAME_END:
		if (timed)
			h->end = hs_frame_ts(f);
		return 0;
	case HS_FRAME_REPORT:
		if (f->len >= sizeof(*rep) && rep->n_points == h->points->n &&
		    f->len == sizeof(*rep) + rep->n_points *
						     sizeof(struct hs_counters))
			memcpy(h->counters, rep + 1,
			       rep->n_points * sizeof(struct hs_counters));
		return 0;
	}
	return 0;
}

static int load_host(struct host *h, struct hs_rec_run *run)
{
	struct hs_rec_frame f;
	char err[512];
	unsigned int i;
	int n;

	h->run = run;
	h->points = run->part[0]->points;
	for (i = 0; i < run->n && !h->damaged; i++) {
		while ((n = hs_rec_next(run->part[i]->reader, &f, err,
					sizeof(err))) == 1)
			if (f.type == HS_FRAME_POINT_ADDED) {
				/* its ids would not line up with the other's */
				pr_err("record file '%s': its points come and go (hopscope agent); joining such files is not supported",
				       run->part[i]->path);
				return -EINVAL;
			} else if (take_frame(h, &f)) {
				pr_err("out of memory");
				return -ENOMEM;
			}
		if (n < 0) {
			pr_err("%s", err);
			h->damaged = true;
		}
	}
	if (!h->end)
		h->end = h->last_ts;
	return 0;
}

/* ---- which way a packet crossed, and the clock offset ---- */

/* One packet's sightings on one host. */
struct span {
	uint64_t fp;
	uint64_t first, last;
	uint8_t first_hook, last_hook;
	bool used, ambiguous;
};

struct spans {
	size_t mask;
	struct span *s;
};

static int spans_init(struct spans *t, size_t n)
{
	size_t size = 1024;

	while (size < 2 * n)
		size <<= 1;
	t->mask = size - 1;
	t->s = calloc(size, sizeof(*t->s));
	return t->s ? 0 : -ENOMEM;
}

static struct span *spans_get(struct spans *t, uint64_t fp, bool add)
{
	size_t i = (size_t)(fp ^ (fp >> 29)) & t->mask;

	while (t->s[i].used && t->s[i].fp != fp)
		i = (i + 1) & t->mask;
	if (!t->s[i].used && !add)
		return NULL;
	t->s[i].used = true;
	t->s[i].fp = fp;
	return &t->s[i];
}

static void spans_fill(struct spans *t, const struct hs_join_side *h,
		       int64_t shift)
{
	size_t i;

	for (i = 0; i < h->n_rec; i++) {
		const struct hs_record *r = &h->rec[i];
		struct span *sp = spans_get(t, r->fingerprint, true);
		uint64_t ts = r->ts_ns - (uint64_t)shift;
		uint8_t hook = h->points->p[r->point_id].hook;

		if (!sp->first || ts < sp->first) {
			sp->first = ts;
			sp->first_hook = hook;
		}
		if (ts >= sp->last) {
			sp->last = ts;
			sp->last_hook = hook;
		}
	}
}

/* +1 from A to B, -1 from B to A: a packet leaves one host at an egress
 * hook and enters the other at an ingress hook; where both fit (each
 * host forwards), the coarse clocks decide. */
static int direction(const struct span *a, const struct span *b)
{
	bool ab = a->last_hook == HS_HOOK_TC_EGRESS &&
		  hs_hook_is_ingress(b->first_hook);
	bool ba = b->last_hook == HS_HOOK_TC_EGRESS &&
		  hs_hook_is_ingress(a->first_hook);

	if (ab != ba)
		return ab ? 1 : -1;
	return b->first / 2 + b->last / 2 >= a->first / 2 + a->last / 2 ? 1 :
									  -1;
}

int hs_join_estimate(const struct hs_join_side *a, const struct hs_join_side *b,
		     uint64_t window_ns, struct hs_join_clock *jc)
{
	const struct hs_run_info *ia = a->info, *ib = b->info;
	int64_t coarse = 0, gap;
	struct spans sa, sb;
	size_t i;
	bool tai = ia->clock == HS_CLOCK_TAI && ib->clock == HS_CLOCK_TAI;

	memset(jc, 0, sizeof(*jc));
	jc->uncertainty_ns = -1;
	if (!tai)
		coarse = ia->realtime_offset_ns - ib->realtime_offset_ns;
	if (spans_init(&sa, a->n_rec) || spans_init(&sb, b->n_rec)) {
		free(sa.s);
		return -ENOMEM;
	}
	spans_fill(&sa, a, 0);
	spans_fill(&sb, b, coarse);
	for (i = 0; i <= sb.mask; i++) {
		const struct span *y = &sb.s[i], *x;

		if (!y->used || !(x = spans_get(&sa, y->fp, false)))
			continue;
		/* a fingerprint seen far apart is two packets: no gap */
		if (x->last - x->first > window_ns ||
		    y->last - y->first > window_ns)
			continue;
		if (direction(x, y) > 0) {
			gap = (int64_t)(y->first - x->last);
			if (!jc->packets_ab++ || gap < jc->min_ab_ns)
				jc->min_ab_ns = gap;
		} else {
			gap = (int64_t)(x->first - y->last);
			if (!jc->packets_ba++ || gap < jc->min_ba_ns)
				jc->min_ba_ns = gap;
		}
	}
	free(sa.s);
	free(sb.s);
	jc->offset_ns = coarse;
	if (tai) {
		jc->method = HS_JOIN_TAI;
		return 0;
	}
	if (!jc->packets_ab || !jc->packets_ba) {
		jc->method = HS_JOIN_REALTIME;
		return 0;
	}
	jc->method = HS_JOIN_MIN_DELAY;
	jc->offset_ns = coarse + (jc->min_ab_ns - jc->min_ba_ns) / 2;
	jc->uncertainty_ns = (jc->min_ab_ns + jc->min_ba_ns) / 2;
	return 0;
}

/* ---- the joined run ---- */

/* The hosts' names, told apart even when two are the same. */
static void name_hosts(struct hs_point_table *t, struct host *const *h,
		       unsigned int n)
{
	char buf[PATH_MAX], *base;
	unsigned int i, j;
	bool same = false;

	for (i = 0; i < n; i++)
		snprintf(t->host[i], sizeof(t->host[i]), "%s",
			 h[i]->run->part[0]->info.host);
	for (i = 0; i < n; i++)
		for (j = i + 1; j < n; j++)
			same = same || !strcmp(t->host[i], t->host[j]);
	if (!same)
		return;
	/* one machine, several runs (a test): the files name them */
	for (i = 0; i < n; i++) {
		snprintf(buf, sizeof(buf), "%s", h[i]->run->part[0]->path);
		base = basename(buf);
		base[strcspn(base, ".")] = '\0';
		snprintf(t->host[i], sizeof(t->host[i]), "%s", base);
	}
}

/* Every host's points, after the points of the hosts before it. */
static void merge_points(struct hs_point_table *t, struct host *const *h,
			 unsigned int n, uint16_t *base)
{
	unsigned int i, k;

	memset(t, 0, sizeof(*t));
	t->n_hosts = n;
	name_hosts(t, h, n);
	for (k = 0; k < n; k++) {
		base[k] = (uint16_t)t->n;
		for (i = 0; i < h[k]->points->n; i++) {
			t->p[t->n + i] = h[k]->points->p[i];
			t->p[t->n + i].id = (uint16_t)(t->n + i);
			t->p[t->n + i].host = (uint8_t)k;
		}
		t->n += h[k]->points->n;
	}
}

static int by_time(const void *x, const void *y)
{
	const struct hs_record *a = x, *b = y;

	return a->ts_ns < b->ts_ns ? -1 : a->ts_ns > b->ts_ns;
}

static int by_from(const void *x, const void *y)
{
	const struct hs_frame_drops *a = x, *b = y;

	return a->from < b->from ? -1 : a->from > b->from;
}

/* A host's records and drops on host 0's clock, its point ids after the
 * hosts' before it. */
static void shift_host(struct host *b, int64_t offset, uint16_t base)
{
	size_t i;

	for (i = 0; i < b->n_rec; i++) {
		b->rec[i].ts_ns -= (uint64_t)offset;
		b->rec[i].point_id += base;
	}
	for (i = 0; i < b->n_drops; i++) {
		b->drops[i].from -= (uint64_t)offset;
		b->drops[i].to -= (uint64_t)offset;
		b->drops[i].point += base;
	}
	b->armed = b->armed ? b->armed - (uint64_t)offset : 0;
	b->ready = b->ready ? b->ready - (uint64_t)offset : 0;
	b->end = b->end ? b->end - (uint64_t)offset : 0;
}

static uint64_t max_u64(uint64_t a, uint64_t b)
{
	return a > b ? a : b;
}

/* Every host's events in time order through one session. 0 or -ENOMEM. */
static int feed(struct hs_session *s, struct host *const *h, unsigned int n_h)
{
	struct hs_record *all;
	struct hs_frame_drops *drops;
	size_t n = 0, nd = 0, i, d = 0;
	unsigned int k;

	for (k = 0; k < n_h; k++) {
		n += h[k]->n_rec;
		nd += h[k]->n_drops;
	}
	all = malloc((n ? n : 1) * sizeof(*all));
	drops = malloc((nd ? nd : 1) * sizeof(*drops));
	if (!all || !drops) {
		free(all);
		free(drops);
		return -ENOMEM;
	}
	n = nd = 0;
	for (k = 0; k < n_h; k++) {
		/* a host without records or drops has no array at all:
		 * memcpy must not be handed its NULL, even for no bytes */
		if (h[k]->n_rec)
			memcpy(all + n, h[k]->rec, h[k]->n_rec * sizeof(*all));
		if (h[k]->n_drops)
			memcpy(drops + nd, h[k]->drops,
			       h[k]->n_drops * sizeof(*drops));
		n += h[k]->n_rec;
		nd += h[k]->n_drops;
	}
	qsort(all, n, sizeof(*all), by_time);
	qsort(drops, nd, sizeof(*drops), by_from);
	for (i = 0; i < n; i++) {
		/* a drop is known before any record of its window is folded */
		for (; d < nd && drops[d].from <= all[i].ts_ns; d++)
			hs_session_drops(s, drops[d].point, drops[d].total,
					 drops[d].from, drops[d].to);
		hs_session_record(s, &all[i]);
	}
	for (; d < nd; d++)
		hs_session_drops(s, drops[d].point, drops[d].total,
				 drops[d].from, drops[d].to);
	free(all);
	free(drops);
	return 0;
}

static void warn_clocks(const struct hs_join_clocks *c,
			const struct hs_point_table *t, bool consistent)
{
	unsigned int k;

	if (!consistent)
		pr_warn("the minimum delays around the hosts add up to less than 0: the clocks drifted "
			"during the runs or the traffic was not what it seemed");
	for (k = 1; k < c->n_hosts; k++) {
		const struct hs_join_clock *j = &c->host[k];

		if (j->method == HS_JOIN_REALTIME && c->n_hosts == 2)
			pr_warn("packets crossed between the hosts one way only: the offset of their clocks "
				"cannot be told from the delay; their realtime clocks are trusted");
		else if (j->method == HS_JOIN_REALTIME)
			pr_warn("no packet went from %s back to %s, directly or through the others: the "
				"offset of their clocks cannot be told from the delay; their realtime "
				"clocks are trusted",
				t->host[k], t->host[0]);
	}
}

/* The gaps of every pair of hosts (hs_join_estimate() on each). */
static int measure_gaps(struct host *const *h, unsigned int n,
			uint64_t window_ns, struct hs_join_gaps *g)
{
	unsigned int i, j;

	memset(g, 0, sizeof(*g));
	g->n_hosts = n;
	g->tai = true;
	for (i = 0; i < n; i++)
		g->tai = g->tai &&
			 h[i]->run->part[0]->info.clock == HS_CLOCK_TAI;
	for (i = 0; i < n; i++)
		g->coarse[i] = g->tai ? 0 :
				h[0]->run->part[0]->info.realtime_offset_ns -
				       h[i]->run->part[0]->info.realtime_offset_ns;
	for (i = 0; i < n; i++)
		for (j = i + 1; j < n; j++) {
			struct hs_join_clock jc;

			if (hs_join_estimate(
				    &(struct hs_join_side){
					    &h[i]->run->part[0]->info,
					    h[i]->points, h[i]->rec,
					    h[i]->n_rec },
				    &(struct hs_join_side){
					    &h[j]->run->part[0]->info,
					    h[j]->points, h[j]->rec,
					    h[j]->n_rec },
				    window_ns, &jc))
				return -ENOMEM;
			g->packets[i][j] = jc.packets_ab;
			g->gap[i][j] = jc.min_ab_ns;
			g->packets[j][i] = jc.packets_ba;
			g->gap[j][i] = jc.min_ba_ns;
		}
	return 0;
}

/* Refuse what cannot be joined: too many points, fingerprints of two
 * versions. An enum hs_exit. */
static int check_runs(struct hs_rec_run *runs, unsigned int n)
{
	unsigned int i, points = 0;

	for (i = 0; i < n; i++) {
		const struct hs_rec_part *p = runs[i].part[0];

		points += p->points->n;
		if (p->info.fingerprint != runs[0].part[0]->info.fingerprint) {
			pr_err("%s has fingerprints of version %u and %s of version %u: "
			       "their packets can never match; record every host with "
			       "one hopscope version",
			       runs[0].part[0]->path,
			       runs[0].part[0]->info.fingerprint, p->path,
			       p->info.fingerprint);
			return HS_EXIT_USAGE;
		}
	}
	if (points > HS_MAX_POINTS) {
		pr_err("the %u runs have more than %d points together", n,
		       HS_MAX_POINTS);
		return HS_EXIT_USAGE;
	}
	return HS_EXIT_OK;
}

/* The widest window and match table of the runs, with o's changes. */
static void joined_config(struct hs_rec_run *runs, unsigned int n,
			  const struct hs_replay_overrides *o,
			  struct hs_session_config *cfg)
{
	unsigned int i;

	*cfg = runs[0].part[0]->info.cfg;
	for (i = 1; i < n; i++) {
		const struct hs_session_config *c = &runs[i].part[0]->info.cfg;

		if (c->window_ns > cfg->window_ns)
			cfg->window_ns = c->window_ns;
		if (c->max_inflight > cfg->max_inflight)
			cfg->max_inflight = c->max_inflight;
	}
	hs_replay_overrides_apply(cfg, o);
}

struct joined {
	struct host *h[HS_MAX_HOSTS];
	struct hs_point_table points;
	struct hs_counters counters[HS_MAX_POINTS];
	struct hs_join_gaps gaps;
	struct hs_join_clocks clocks;
	uint16_t base[HS_MAX_HOSTS];
};

static void joined_free(struct joined *j, unsigned int n)
{
	unsigned int k;

	for (k = 0; k < n; k++)
		if (j->h[k]) {
			free(j->h[k]->rec);
			free(j->h[k]->drops);
			free(j->h[k]->nat);
			free(j->h[k]);
		}
	free(j);
}

/* The session over the joined hosts, reported to sink. An enum hs_exit. */
static int report_joined(struct joined *j, unsigned int n,
			 const struct hs_session_config *cfg,
			 const struct hs_sink *sink)
{
	uint64_t armed = 0, ready = 0, end = 0;
	struct hs_session s;
	unsigned int k;
	size_t i;
	bool damaged = false;

	if (hs_session_init(&s, cfg, &j->points)) {
		pr_err("out of memory");
		return HS_EXIT_FAILURE;
	}
	if (sink)
		hs_session_add_sink(&s, sink);
	hs_session_set_join(&s, &j->clocks);
	/* all were measuring from the latest of their starts */
	for (k = 0; k < n; k++) {
		armed = max_u64(armed, j->h[k]->armed);
		ready = max_u64(ready, j->h[k]->ready);
		end = max_u64(end, j->h[k]->end);
		damaged = damaged || j->h[k]->damaged;
	}
	hs_session_armed(&s, armed);
	hs_session_ready(&s, ready);
	/* flow hashes are every host's alike: a NAT hop named on one host
	 * is named so in the joined report */
	for (k = 0; k < n; k++)
		for (i = 0; i < j->h[k]->n_nat; i++)
			hs_session_nat_name(&s, j->h[k]->nat[i].flow_in,
					    j->h[k]->nat[i].flow_out,
					    j->h[k]->nat[i].text);
	if (feed(&s, j->h, n)) {
		pr_err("out of memory");
		hs_session_free(&s);
		return HS_EXIT_FAILURE;
	}
	hs_session_end(&s, end);
	hs_session_report(&s, true, end > ready ? (end - ready) / 1e9 : 0, 0,
			  j->counters);
	hs_session_free(&s);
	return damaged ? HS_EXIT_FAILURE : HS_EXIT_OK;
}

int hs_join_runs(struct hs_rec_run *runs, unsigned int n,
		 const struct hs_replay_overrides *o,
		 const struct hs_sink *sink)
{
	struct joined *j = calloc(1, sizeof(*j));
	struct hs_session_config cfg;
	unsigned int k;
	int ret;

	if (!j) {
		pr_err("out of memory");
		return HS_EXIT_FAILURE;
	}
	if (n < 2 || n > HS_MAX_HOSTS) {
		pr_err("%u runs cannot be joined: 2 to %d hosts", n,
		       HS_MAX_HOSTS);
		free(j);
		return HS_EXIT_USAGE;
	}
	ret = check_runs(runs, n);
	for (k = 0; k < n && ret == HS_EXIT_OK; k++) {
		j->h[k] = calloc(1, sizeof(*j->h[k]));
		if (!j->h[k] || load_host(j->h[k], &runs[k]))
			ret = HS_EXIT_FAILURE;
	}
	if (ret != HS_EXIT_OK)
		goto out;
	joined_config(runs, n, o, &cfg);
	if (measure_gaps(j->h, n, cfg.window_ns, &j->gaps)) {
		pr_err("out of memory");
		ret = HS_EXIT_FAILURE;
		goto out;
	}
	merge_points(&j->points, j->h, n, j->base);
	warn_clocks(&j->clocks, &j->points,
		    hs_join_solve(&j->gaps, &j->clocks));
	for (k = 0; k < n; k++) {
		shift_host(j->h[k], j->clocks.host[k].offset_ns, j->base[k]);
		memcpy(j->counters + j->base[k], j->h[k]->counters,
		       j->h[k]->points->n * sizeof(*j->counters));
	}
	ret = report_joined(j, n, &cfg, sink);
out:
	joined_free(j, n);
	return ret;
}
