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

/* The two hosts' names, told apart even when they are the same. */
static void name_hosts(struct hs_point_table *t, const struct host *a,
		       const struct host *b)
{
	const struct hs_rec_part *pa = a->run->part[0], *pb = b->run->part[0];
	char buf[PATH_MAX], *base;

	snprintf(t->host[0], sizeof(t->host[0]), "%s", pa->info.host);
	snprintf(t->host[1], sizeof(t->host[1]), "%s", pb->info.host);
	if (strcmp(t->host[0], t->host[1]))
		return;
	/* one machine, two runs (a test): the files name them */
	snprintf(buf, sizeof(buf), "%s", pa->path);
	base = basename(buf);
	base[strcspn(base, ".")] = '\0';
	snprintf(t->host[0], sizeof(t->host[0]), "%s", base);
	snprintf(buf, sizeof(buf), "%s", pb->path);
	base = basename(buf);
	base[strcspn(base, ".")] = '\0';
	snprintf(t->host[1], sizeof(t->host[1]), "%s", base);
}

static void merge_points(struct hs_point_table *t, const struct host *a,
			 const struct host *b)
{
	unsigned int i;

	memset(t, 0, sizeof(*t));
	t->n_hosts = 2;
	name_hosts(t, a, b);
	for (i = 0; i < a->points->n; i++)
		t->p[i] = a->points->p[i];
	for (i = 0; i < b->points->n; i++) {
		t->p[a->points->n + i] = b->points->p[i];
		t->p[a->points->n + i].id = (uint16_t)(a->points->n + i);
		t->p[a->points->n + i].host = 1;
	}
	t->n = a->points->n + b->points->n;
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

/* B's records and drops on A's clock, with B's point ids after A's. */
static int shift_b(struct host *b, int64_t offset, uint16_t base)
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
	return 0;
}

static uint64_t max_u64(uint64_t a, uint64_t b)
{
	return a > b ? a : b;
}

/* Both hosts' events in time order through one session. 0 or -ENOMEM. */
static int feed(struct hs_session *s, struct host *a, struct host *b)
{
	struct hs_record *all;
	struct hs_frame_drops *drops;
	size_t n = a->n_rec + b->n_rec, nd = a->n_drops + b->n_drops, i, d = 0;

	all = malloc((n ? n : 1) * sizeof(*all));
	drops = malloc((nd ? nd : 1) * sizeof(*drops));
	if (!all || !drops) {
		free(all);
		free(drops);
		return -ENOMEM;
	}
	/* a host without records or drops has no array at all: memcpy
	 * must not be handed its NULL, even for no bytes */
	if (a->n_rec)
		memcpy(all, a->rec, a->n_rec * sizeof(*all));
	if (b->n_rec)
		memcpy(all + a->n_rec, b->rec, b->n_rec * sizeof(*all));
	qsort(all, n, sizeof(*all), by_time);
	if (a->n_drops)
		memcpy(drops, a->drops, a->n_drops * sizeof(*drops));
	if (b->n_drops)
		memcpy(drops + a->n_drops, b->drops,
		       b->n_drops * sizeof(*drops));
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

static void warn_clock(const struct hs_join_clock *jc)
{
	if (jc->method == HS_JOIN_REALTIME)
		pr_warn("packets crossed between the hosts one way only: the offset of their clocks "
			"cannot be told from the delay; their realtime clocks are trusted");
	else if (jc->method == HS_JOIN_MIN_DELAY && jc->uncertainty_ns < 0)
		pr_warn("the minimum delays each way add up to less than 0: the clocks drifted "
			"during the runs or the traffic was not what it seemed");
}

int hs_join_runs(struct hs_rec_run *ra, struct hs_rec_run *rb,
		 const struct hs_replay_overrides *o,
		 const struct hs_sink *sink)
{
	struct host *a = calloc(1, sizeof(*a)), *b = calloc(1, sizeof(*b));
	struct hs_point_table *points = calloc(1, sizeof(*points));
	struct hs_counters *counters = calloc(HS_MAX_POINTS, sizeof(*counters));
	struct hs_session_config cfg;
	struct hs_join_clock jc;
	struct hs_session s;
	uint64_t ready, end;
	int ret = HS_EXIT_FAILURE;

	if (!a || !b || !points || !counters) {
		pr_err("out of memory");
		goto out;
	}
	if (ra->part[0]->points->n + rb->part[0]->points->n > HS_MAX_POINTS) {
		pr_err("the two runs have more than %d points together",
		       HS_MAX_POINTS);
		ret = HS_EXIT_USAGE;
		goto out;
	}
	if (ra->part[0]->info.fingerprint != rb->part[0]->info.fingerprint) {
		pr_err("%s has fingerprints of version %u and %s of version %u: "
		       "their packets can never match; record both hosts with "
		       "one hopscope version",
		       ra->part[0]->path, ra->part[0]->info.fingerprint,
		       rb->part[0]->path,
		       rb->part[0]->info.fingerprint);
		ret = HS_EXIT_USAGE;
		goto out;
	}
	if (load_host(a, ra) || load_host(b, rb))
		goto out;
	cfg = ra->part[0]->info.cfg;
	if (rb->part[0]->info.cfg.window_ns > cfg.window_ns)
		cfg.window_ns = rb->part[0]->info.cfg.window_ns;
	cfg.max_inflight = cfg.max_inflight >
					   rb->part[0]->info.cfg.max_inflight ?
				   cfg.max_inflight :
				   rb->part[0]->info.cfg.max_inflight;
	hs_replay_overrides_apply(&cfg, o);
	if (hs_join_estimate(
		    &(struct hs_join_side){ &ra->part[0]->info, a->points,
					    a->rec, a->n_rec },
		    &(struct hs_join_side){ &rb->part[0]->info, b->points,
					    b->rec, b->n_rec },
		    cfg.window_ns, &jc)) {
		pr_err("out of memory");
		goto out;
	}
	warn_clock(&jc);
	merge_points(points, a, b);
	shift_b(b, jc.offset_ns, (uint16_t)a->points->n);
	memcpy(counters, a->counters, a->points->n * sizeof(*counters));
	memcpy(counters + a->points->n, b->counters,
	       b->points->n * sizeof(*counters));
	if (hs_session_init(&s, &cfg, points)) {
		pr_err("out of memory");
		goto out;
	}
	if (sink)
		hs_session_add_sink(&s, sink);
	s.join = &jc;
	/* both were measuring from the later of their starts */
	ready = max_u64(a->ready, b->ready);
	hs_session_armed(&s, max_u64(a->armed, b->armed));
	hs_session_ready(&s, ready);
	if (feed(&s, a, b)) {
		pr_err("out of memory");
		hs_session_free(&s);
		goto out;
	}
	end = max_u64(a->end, b->end);
	hs_session_end(&s, end);
	hs_session_report(&s, true, end > ready ? (end - ready) / 1e9 : 0, 0,
			  counters);
	hs_session_free(&s);
	ret = a->damaged || b->damaged ? HS_EXIT_FAILURE : HS_EXIT_OK;
out:
	if (a) {
		free(a->rec);
		free(a->drops);
	}
	if (b) {
		free(b->rec);
		free(b->drops);
	}
	free(a);
	free(b);
	free(points);
	free(counters);
	return ret;
}
