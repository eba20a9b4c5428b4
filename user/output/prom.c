// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * prom.c - the Prometheus exposition of a report.
 *
 * Every number is the run's total: Prometheus makes rates and windows
 * itself, and counters that restarted every interval would read as resets.
 * The exposition only reads the report; it changes nothing, so a scrape
 * never changes what the run reports. The live session folds what the
 * matcher has closed at every drain, so a scrape lags the packets by about
 * the match window (and by --cooldown, when set).
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include "core/util.h"
#include "output/prom.h"

/* Room for a hop's labels: two point labels, via and kind, all escaped
 * (each character at most doubles), and the ids. */
#define LABELS_MAX 2048

/* A label set being built: key="value" pairs joined by commas. */
struct labels {
	size_t n;
	char s[LABELS_MAX];
};

static void labels_clear(struct labels *l)
{
	l->n = 0;
	l->s[0] = '\0';
}

/* Escape returns the two-character sequence the exposition format wants
 * for c, or NULL when c stands for itself. */
static const char *escape(char c)
{
	switch (c) {
	case '\\':
		return "\\\\";
	case '"':
		return "\\\"";
	case '\n':
		return "\\n";
	default:
		return NULL;
	}
}

/* Append key="value". A label that does not fit is left out whole: a cut
 * inside an escape would break the line's syntax. */
static void label_add(struct labels *l, const char *key, const char *value)
{
	size_t n = l->n, room = sizeof(l->s);
	int k = snprintf(l->s + n, room - n, "%s%s=\"", n ? "," : "", key);

	if (k < 0 || (size_t)k >= room - n)
		goto drop;
	for (n += (size_t)k; *value; value++) {
		const char *e = escape(*value);
		size_t w = e ? 2 : 1;

		if (n + w + 2 > room) /* the closing quote and the NUL */
			goto drop;
		memcpy(l->s + n, e ? e : value, w);
		n += w;
	}
	l->s[n++] = '"';
	l->s[n] = '\0';
	l->n = n;
	return;
drop:
	l->s[l->n] = '\0';
}

static void label_add_u(struct labels *l, const char *key, unsigned int v)
{
	char buf[16];

	snprintf(buf, sizeof(buf), "%u", v);
	label_add(l, key, buf);
}

/* Drop what was added after the set had n characters. */
static void labels_cut(struct labels *l, size_t n)
{
	l->n = n;
	l->s[n] = '\0';
}

/* One sample; l may be NULL: no labels. */
static void put(FILE *f, const char *name, const struct labels *l,
		const char *value)
{
	if (l && l->n)
		fprintf(f, "%s{%s} %s\n", name, l->s, value);
	else
		fprintf(f, "%s %s\n", name, value);
}

static void put_u64(FILE *f, const char *name, const struct labels *l,
		    uint64_t v)
{
	char buf[24];

	snprintf(buf, sizeof(buf), "%llu", (unsigned long long)v);
	put(f, name, l, buf);
}

/* 12 digits: whole nanoseconds up to 1000 s, and no binary noise. */
static void put_f64(FILE *f, const char *name, const struct labels *l, double v)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%.12g", v);
	put(f, name, l, buf);
}

/* One sample with one more label, key="value", than the set. */
static void put_f64_as(FILE *f, const char *name, struct labels *l,
		       const char *key, const char *value, double v)
{
	size_t n = l->n;

	label_add(l, key, value);
	put_f64(f, name, l, v);
	labels_cut(l, n);
}

static void family(FILE *f, const char *name, const char *type,
		   const char *what, const char *help)
{
	fprintf(f, "# HELP %s %s%s\n# TYPE %s %s\n", name, what, help, name,
		type);
}

/* ---- hops and paths ---- */

/*
 * The delay histogram's bounds. An hs_hist bucket counts toward a bound
 * when its highest value is at or below it, so a value just under a bound
 * (in the same sub-bucket: less than 1/64 of the value below it) counts
 * at the next bound up: late by at most one sub-bucket, never early.
 */
static const struct {
	uint64_t ns;
	const char *le;
} bounds[] = {
	{ 1000, "1e-06" },     { 2000, "2e-06" },    { 5000, "5e-06" },
	{ 10000, "1e-05" },    { 20000, "2e-05" },   { 50000, "5e-05" },
	{ 100000, "0.0001" },  { 200000, "0.0002" }, { 500000, "0.0005" },
	{ 1000000, "0.001" },  { 2000000, "0.002" }, { 5000000, "0.005" },
	{ 10000000, "0.01" },  { 20000000, "0.02" }, { 50000000, "0.05" },
	{ 100000000, "0.1" },  { 200000000, "0.2" }, { 500000000, "0.5" },
	{ 1000000000, "1" },   { 2000000000, "2" },  { 5000000000, "5" },
	{ 10000000000, "10" },
};

static void put_delay_hist(FILE *f, const char *name, struct labels *l,
			   const struct hs_acc *a, size_t off)
{
	const struct hs_delay *d = &a->delay;
	char bucket[96], sum[96], count[96];
	size_t n = l->n;
	unsigned int b = 0, k;
	uint64_t cum = 0;

	(void)off;
	snprintf(bucket, sizeof(bucket), "%s_bucket", name);
	snprintf(sum, sizeof(sum), "%s_sum", name);
	snprintf(count, sizeof(count), "%s_count", name);
	for (k = 0; k < ARRAY_SIZE(bounds); k++) {
		while (b < HS_HIST_BUCKETS &&
		       hs_hist_bucket_high(b) <= bounds[k].ns)
			cum += d->hist.buckets[b++];
		label_add(l, "le", bounds[k].le);
		put_u64(f, bucket, l, cum);
		labels_cut(l, n);
	}
	label_add(l, "le", "+Inf");
	put_u64(f, bucket, l, d->n);
	labels_cut(l, n);
	put_f64(f, sum, l, d->mean * (double)d->n / 1e9);
	put_u64(f, count, l, d->n);
}

static void put_delay_quantiles(FILE *f, const char *name, struct labels *l,
				const struct hs_acc *a, size_t off)
{
	struct hs_summary s;

	(void)off;
	hs_delay_summary(&a->delay, &s);
	if (!s.n) /* only losses: no delay to tell */
		return;
	put_f64_as(f, name, l, "quantile", "0", (double)s.min / 1e9);
	put_f64_as(f, name, l, "quantile", "0.5", (double)s.p50 / 1e9);
	put_f64_as(f, name, l, "quantile", "0.9", (double)s.p90 / 1e9);
	put_f64_as(f, name, l, "quantile", "0.99", (double)s.p99 / 1e9);
	put_f64_as(f, name, l, "quantile", "0.999", (double)s.p999 / 1e9);
	put_f64_as(f, name, l, "quantile", "1", (double)s.max / 1e9);
}

static void put_jitter(FILE *f, const char *name, struct labels *l,
		       const struct hs_acc *a, size_t off)
{
	const struct hs_jitter *j = &a->jitter;

	(void)off;
	if (!j->n) /* J needs two packets */
		return;
	put_f64_as(f, name, l, "stat", "last", j->last / 1e9);
	put_f64_as(f, name, l, "stat", "mean", hs_jitter_mean(j) / 1e9);
	put_f64_as(f, name, l, "stat", "max", j->max / 1e9);
}

static void put_lateness(FILE *f, const char *name, struct labels *l,
			 const struct hs_acc *a, size_t off)
{
	struct hs_lateness late;
	struct hs_summary s;

	(void)off;
	hs_delay_summary(&a->delay, &s);
	if (!s.n)
		return;
	hs_lateness(&s, &late);
	put_f64_as(f, name, l, "stat", "max", (double)late.max / 1e9);
	put_f64_as(f, name, l, "stat", "mean", late.mean / 1e9);
	put_f64_as(f, name, l, "stat", "stdev", late.stdev / 1e9);
}

static void put_counter(FILE *f, const char *name, struct labels *l,
			const struct hs_acc *a, size_t off)
{
	put_u64(f, name, l, *(const uint64_t *)((const char *)a + off));
}

static const struct leg_family {
	const char *suffix;
	const char *type;
	const char *help;
	void (*put)(FILE *f, const char *name, struct labels *l,
		    const struct hs_acc *a, size_t off);
	size_t off; /* put_counter: the field of struct hs_acc */
} leg_families[] = {
	{ "delay_seconds", "histogram",
	  "delay from its first point to its last (le may count a value one 1/64 sub-bucket late)",
	  put_delay_hist, 0 },
	{ "delay_quantile_seconds", "gauge",
	  "delay quantiles within 1% (0 is the minimum, 1 the maximum)",
	  put_delay_quantiles, 0 },
	{ "jitter_seconds", "gauge",
	  "RFC 3550 interarrival jitter J: its last, mean and highest value",
	  put_jitter, 0 },
	{ "lateness_seconds", "gauge",
	  "lateness, delay minus the minimum delay: max, mean and stdev",
	  put_lateness, 0 },
	{ "packets_total", "counter", "packets whose delay was measured",
	  put_counter, offsetof(struct hs_acc, delay.n) },
	{ "lost_total", "counter",
	  "packets of a flow that stopped short of the flow's path",
	  put_counter, offsetof(struct hs_acc, lost) },
	{ "reordered_total", "counter",
	  "RFC 4737 reordered arrivals at its last point", put_counter,
	  offsetof(struct hs_acc, reordered) },
	{ "duplicates_total", "counter", "copies of packets made on the way",
	  put_counter, offsetof(struct hs_acc, duplicates) },
	{ "negative_delays_total", "counter",
	  "delays below zero (two hosts' clocks joined), counted as 0",
	  put_counter, offsetof(struct hs_acc, negative) },
};

static void point_label(const struct hs_report *r, struct labels *l,
			const char *key, uint16_t id)
{
	char name[HS_POINT_NAME_MAX];

	label_add(l, key, hs_point_label(r->points, id, name, sizeof(name)));
}

static void hop_labels(const struct hs_report *r, const struct hs_hop *hop,
		       struct labels *l)
{
	char via[128];
	enum hs_hop_kind kind = hs_points_classify(r->points, hop->from,
						   hop->to, via, sizeof(via));

	labels_clear(l);
	point_label(r, l, "from", hop->from);
	point_label(r, l, "to", hop->to);
	label_add_u(l, "from_id", hop->from);
	label_add_u(l, "to_id", hop->to);
	label_add(l, "kind", hs_hop_kind_name(kind));
	label_add(l, "via", via);
}

static void path_labels(const struct hs_report *r, uint32_t i, struct labels *l)
{
	const struct hs_path *p = &r->hops->paths[i];
	char points[HS_MAX_TRAJ_POINTS * 6]; /* "65535," each */
	size_t n = 0;
	int k;

	for (k = 0; k < p->n; k++)
		n += (size_t)snprintf(points + n, sizeof(points) - n, "%s%u",
				      k ? "," : "", p->points[k]);
	labels_clear(l);
	label_add_u(l, "path", i);
	point_label(r, l, "first", p->points[0]);
	point_label(r, l, "last", p->points[p->n - 1]);
	label_add(l, "points", points);
}

/* Leg i of the hops or of the paths, with its labels; NULL for a path
 * that never carried a packet (a flow's vote for a prefix: a loss). */
static const struct hs_acc *leg_at(const struct hs_report *r, bool path,
				   uint32_t i, struct labels *l)
{
	const struct hs_acc *a;

	if (!path) {
		hop_labels(r, &r->hops->hops[i], l);
		return hs_leg_acc(&r->hops->hops[i].leg, true);
	}
	a = hs_leg_acc(&r->hops->paths[i].leg, true);
	if (!a->delay.n && !a->lost)
		return NULL;
	path_labels(r, i, l);
	return a;
}

static void legs_render(FILE *f, const struct hs_report *r, bool path)
{
	const char *what = path ? "path" : "hop";
	uint32_t n = path ? r->hops->n_paths : r->hops->n_hops, i;
	struct labels l;
	char name[64], intro[16];
	size_t k;

	snprintf(intro, sizeof(intro), "Per %s: ", what);
	for (k = 0; k < ARRAY_SIZE(leg_families); k++) {
		const struct leg_family *fam = &leg_families[k];

		snprintf(name, sizeof(name), "hopscope_%s_%s", what,
			 fam->suffix);
		family(f, name, fam->type, intro, fam->help);
		for (i = 0; i < n; i++) {
			const struct hs_acc *a = leg_at(r, path, i, &l);

			if (a)
				fam->put(f, name, &l, a, fam->off);
		}
	}
}

/* ---- points and the pipeline ---- */

#define POINT_DUPLICATES SIZE_MAX /* from the matcher, not the probe */

static const struct {
	const char *name;
	const char *help;
	size_t off; /* in struct hs_counters */
} point_families[] = {
	{ "hopscope_point_seen_total", "packets the probe ran on",
	  offsetof(struct hs_counters, seen) },
	{ "hopscope_point_filtered_total", "packets the filter left out",
	  offsetof(struct hs_counters, filtered) },
	{ "hopscope_point_parse_errors_total", "packets it could not parse",
	  offsetof(struct hs_counters, parse_errors) },
	{ "hopscope_point_sampled_out_total", "packets sampling left out",
	  offsetof(struct hs_counters, sampled_out) },
	{ "hopscope_point_sampled_total", "packets sampled",
	  offsetof(struct hs_counters, sampled) },
	{ "hopscope_point_recorded_total", "records put in the ring buffer",
	  offsetof(struct hs_counters, recorded) },
	{ "hopscope_point_ringbuf_drops_total",
	  "records lost to a full ring buffer (never counted as packet loss)",
	  offsetof(struct hs_counters, ringbuf_drops) },
	{ "hopscope_point_duplicates_total",
	  "second sightings of one packet here", POINT_DUPLICATES },
};

static uint64_t point_count(const struct hs_report *r, unsigned int id,
			    size_t off)
{
	if (off == POINT_DUPLICATES)
		return r->match->point_duplicates[id];
	return *(const uint64_t *)((const char *)&r->counters[id] + off);
}

static void points_render(FILE *f, const struct hs_report *r)
{
	struct labels l;
	unsigned int i;
	size_t k;

	for (k = 0; k < ARRAY_SIZE(point_families); k++) {
		size_t off = point_families[k].off;
		bool dups = off == POINT_DUPLICATES;

		if (dups ? !r->match : !r->counters)
			continue;
		family(f, point_families[k].name, "counter",
		       "Per point: ", point_families[k].help);
		for (i = 0; i < r->points->n && i < HS_MAX_POINTS; i++) {
			if (r->points->p[i].skipped)
				continue;
			labels_clear(&l);
			point_label(r, &l, "point", (uint16_t)i);
			label_add_u(&l, "id", i);
			put_u64(f, point_families[k].name, &l,
				point_count(r, i, off));
		}
	}
}

static void pipeline_render(FILE *f, const struct hs_report *r)
{
	const struct hs_match_counters *m = r->match;
	const struct hs_session_counters *s = r->session;
	const struct hs_hops *h = r->hops;
	const struct {
		const char *name;
		const char *help;
		const uint64_t *v; /* NULL: not in this report */
	} rows[] = {
		{ "records", "sightings matched", m ? &m->records : NULL },
		{ "trajectories", "trajectories made",
		  m ? &m->trajectories : NULL },
		{ "unmatched", "trajectories of one sighting: no hop",
		  m ? &m->singletons : NULL },
		{ "evicted", "trajectories cut short by a full match table",
		  m ? &m->evicted : NULL },
		{ "duplicates", "second sightings of a packet at one point",
		  m ? &m->duplicates : NULL },
		{ "overflow", "sightings past the most one trajectory holds",
		  m ? &m->overflow : NULL },
		{ "warmup", "records from before the probes were all attached",
		  m ? &m->warmup : NULL },
		{ "at_end", "trajectories still open when the run ended",
		  m ? &m->at_end : NULL },
		{ "unverified", "stopped packets whose next record was dropped",
		  h ? &h->unverified : NULL },
		{ "hops_overflow", "hop pairs past the hop table",
		  h ? &h->hops_overflow : NULL },
		{ "paths_overflow", "paths past the path table",
		  h ? &h->paths_overflow : NULL },
		{ "segments_overflow", "paths left without a breakdown",
		  h ? &h->segments_overflow : NULL },
		{ "flows_replaced", "flow table slots taken over",
		  h ? &h->flows_replaced : NULL },
		{ "left_out_warmup", "trajectories left out by --warmup",
		  s ? &s->left_out_warmup : NULL },
		{ "left_out_cooldown", "trajectories left out by --cooldown",
		  s ? &s->left_out_cooldown : NULL },
		{ "cooldown_overflow", "trajectories folded early: queue full",
		  s ? &s->cooldown_overflow : NULL },
		{ "bad_records", "malformed ring-buffer records",
		  s ? &s->bad_records : NULL },
	};
	char name[64];
	size_t k;

	for (k = 0; k < ARRAY_SIZE(rows); k++) {
		if (!rows[k].v)
			continue;
		snprintf(name, sizeof(name), "hopscope_pipeline_%s_total",
			 rows[k].name);
		family(f, name, "counter", "Pipeline: ", rows[k].help);
		put_u64(f, name, NULL, *rows[k].v);
	}
}

int hs_prom_render(FILE *f, const struct hs_report *r)
{
	family(f, "hopscope_elapsed_seconds", "gauge", "",
	       "time since measuring started");
	put_f64(f, "hopscope_elapsed_seconds", NULL, r->elapsed_s);
	if (r->points && r->hops) {
		legs_render(f, r, false);
		legs_render(f, r, true);
	}
	if (r->points)
		points_render(f, r);
	pipeline_render(f, r);
	return fflush(f) || ferror(f) ? -1 : 0;
}
