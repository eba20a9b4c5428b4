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
#include <stdlib.h>
#include <string.h>
#include "core/util.h"
#include "output/fields.h"
#include "output/prom.h"

/* Room for a hop's labels: two point labels, via and kind, both ends'
 * container and pod names, all escaped (each character at most doubles),
 * and the ids. */
#define LABELS_MAX 4096

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
			   const struct hs_acc *a)
{
	const struct hs_delay *d = &a->delay;
	char bucket[96], sum[96], count[96];
	size_t n = l->n;
	unsigned int b = 0, k;
	uint64_t cum = 0;

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

/* One field's sample: counts as they are, times in seconds; in a family
 * of several, told apart by the family's label. */
static void put_field(FILE *f, const char *name, struct labels *l,
		      const struct hs_field *field, const void *values)
{
	const struct hs_prom_family *fam = field->prom_family;
	double v = hs_field_value(field, values);

	if (field->type == HS_FIELD_COUNT) {
		put_u64(f, name, l, hs_field_u64(field, values));
		return;
	}
	if (field->type == HS_FIELD_NS || field->type == HS_FIELD_NS_REAL ||
	    field->type == HS_FIELD_NS_SIGNED)
		v /= 1e9;
	if (fam)
		put_f64_as(f, name, l, fam->label,
			   field->place[HS_OUT_PROM].name, v);
	else
		put_f64(f, name, l, v);
}

static void point_label(const struct hs_report *r, struct labels *l,
			const char *key, uint16_t id)
{
	char name[HS_POINT_NAME_MAX];

	label_add(l, key, hs_point_label(r->points, id, name, sizeof(name)));
}

/* The container of one end (prefix "from_", "to_" or "" for a point):
 * its name and, where Kubernetes made it, its pod's. Nothing for a point
 * outside containers, so their series keep their labels. */
static void container_labels(const struct hs_report *r, struct labels *l,
			     const char *prefix, uint16_t id)
{
	const struct hs_container *c;
	char key[32];

	if (id >= r->points->n)
		return;
	c = &r->points->p[id].container;
	if (!c->runtime[0])
		return;
	snprintf(key, sizeof(key), "%scontainer", prefix);
	label_add(l, key, c->name);
	if (c->pod[0]) {
		snprintf(key, sizeof(key), "%spod", prefix);
		label_add(l, key, c->pod);
	}
	if (c->pod_namespace[0]) {
		snprintf(key, sizeof(key), "%spod_namespace", prefix);
		label_add(l, key, c->pod_namespace);
	}
}

static void hop_labels(const struct hs_report *r, const struct hs_hop *hop,
		       struct labels *l)
{
	char via[128];
	enum hs_hop_kind kind =
		hs_report_hop_kind(r, hop->from, hop->to, via, sizeof(via));

	/* a series per rewrite would be a series per flow: the label names
	 * the function, the rewrite is in the other outputs */
	if (kind == HS_HOP_NAT)
		hs_points_classify(r->points, hop->from, hop->to, via,
				   sizeof(via));

	labels_clear(l);
	point_label(r, l, "from", hop->from);
	point_label(r, l, "to", hop->to);
	label_add_u(l, "from_id", hop->from);
	label_add_u(l, "to_id", hop->to);
	label_add(l, "kind", hs_hop_kind_name(kind));
	label_add(l, "via", via);
	container_labels(r, l, "from_", hop->from);
	container_labels(r, l, "to_", hop->to);
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

/* The number of hops, or of paths. */
static uint32_t legs(const struct hs_report *r, bool path)
{
	return path ? r->hops->n_paths : r->hops->n_hops;
}

/* How many fields from k on, in the exposition's order, share k's
 * family (a field without one is a family of its own). */
static unsigned int family_rows(const unsigned int *order, unsigned int n,
				unsigned int k)
{
	const struct hs_prom_family *fam =
		hs_leg_fields.rows[order[k]].prom_family;
	unsigned int m = 1;

	while (fam && k + m < n &&
	       hs_leg_fields.rows[order[k + m]].prom_family == fam)
		m++;
	return m;
}

/* One family: its header, then every leg's samples of rows[0..m). */
static void leg_family(FILE *f, const struct hs_report *r, bool path,
		       const struct hs_field *const *rows, unsigned int m,
		       const struct hs_leg_values *values)
{
	const char *what = path ? "path" : "hop";
	const struct hs_prom_family *fam = rows[0]->prom_family;
	char name[96], intro[16];
	struct labels l;
	unsigned int j;
	uint32_t i;

	snprintf(name, sizeof(name), "hopscope_%s_%s", what,
		 fam ? fam->name : rows[0]->place[HS_OUT_PROM].name);
	snprintf(intro, sizeof(intro), "Per %s: ", what);
	family(f, name, fam ? fam->type : "counter", intro,
	       fam ? fam->help : rows[0]->help);
	for (i = 0; i < legs(r, path); i++) {
		const struct hs_leg_values *v = &values[i];

		if (!leg_at(r, path, i, &l))
			continue;
		/* what the family describes must be there: a delay, or two
		 * packets for J */
		if (fam &&
		    !*(const uint64_t *)((const char *)v + fam->present_off))
			continue;
		for (j = 0; j < m; j++)
			put_field(f, name, &l, rows[j], v);
	}
}

static int legs_render(FILE *f, const struct hs_report *r, bool path)
{
	const char *what = path ? "path" : "hop";
	const struct hs_field *rows[HS_FIELDS_MAX];
	unsigned int order[HS_FIELDS_MAX], n, k, j;
	struct hs_leg_values *values;
	char name[64], intro[16];
	struct labels l;
	uint32_t i;

	/* every leg's values once: each family reads them again */
	values = calloc(legs(r, path) ? legs(r, path) : 1, sizeof(*values));
	if (!values)
		return -1;
	snprintf(name, sizeof(name), "hopscope_%s_delay_seconds", what);
	snprintf(intro, sizeof(intro), "Per %s: ", what);
	family(f, name, "histogram", intro,
	       "delay from its first point to its last (le may count a value one 1/64 sub-bucket late)");
	for (i = 0; i < legs(r, path); i++) {
		const struct hs_acc *a = leg_at(r, path, i, &l);

		if (!a)
			continue;
		hs_leg_values(a, &values[i]);
		put_delay_hist(f, name, &l, a);
	}
	n = hs_fields_in(&hs_leg_fields, HS_OUT_PROM, order);
	for (k = 0; k < n; k += j) {
		j = family_rows(order, n, k);
		for (i = 0; i < j; i++)
			rows[i] = &hs_leg_fields.rows[order[k + i]];
		leg_family(f, r, path, rows, j, values);
	}
	free(values);
	return 0;
}

/* ---- points and the pipeline ---- */

/* Whether the report has what a field comes from. */
static bool has_source(const struct hs_report *r, const struct hs_field *f)
{
	if (f->flags & HS_FIELD_FROM_MATCH)
		return r->match;
	if (f->flags & HS_FIELD_FROM_HOPS)
		return r->hops;
	if (f->flags & HS_FIELD_FROM_SESSION)
		return r->session;
	return true;
}

static void points_render(FILE *f, const struct hs_report *r)
{
	unsigned int order[HS_FIELDS_MAX], n, k, i;
	struct hs_point_values v;
	struct labels l;
	char name[64];

	n = hs_fields_in(&hs_point_fields, HS_OUT_PROM, order);
	for (k = 0; k < n; k++) {
		const struct hs_field *field = &hs_point_fields.rows[order[k]];

		/* the probes' counters, or the matcher's */
		if (field->flags & HS_FIELD_FROM_MATCH ? !r->match :
							 !r->counters)
			continue;
		snprintf(name, sizeof(name), "hopscope_point_%s",
			 field->place[HS_OUT_PROM].name);
		family(f, name, "counter", "Per point: ", field->help);
		for (i = 0; i < r->points->n && i < HS_MAX_POINTS; i++) {
			if (!hs_report_point_shown(r, i))
				continue;
			labels_clear(&l);
			point_label(r, &l, "point", (uint16_t)i);
			label_add_u(&l, "id", i);
			container_labels(r, &l, "", (uint16_t)i);
			hs_point_values(r, i, &v);
			put_u64(f, name, &l, hs_field_u64(field, &v));
		}
	}
}

static void pipeline_render(FILE *f, const struct hs_report *r)
{
	unsigned int order[HS_FIELDS_MAX], n, k;
	struct hs_pipeline_values v;
	char name[64];

	hs_pipeline_values(r, &v);
	n = hs_fields_in(&hs_pipeline_fields, HS_OUT_PROM, order);
	for (k = 0; k < n; k++) {
		const struct hs_field *field =
			&hs_pipeline_fields.rows[order[k]];

		if (!has_source(r, field))
			continue;
		snprintf(name, sizeof(name), "hopscope_pipeline_%s",
			 field->place[HS_OUT_PROM].name);
		family(f, name, "counter", "Pipeline: ", field->help);
		put_u64(f, name, NULL, hs_field_u64(field, &v));
	}
}

int hs_prom_render(FILE *f, const struct hs_report *r)
{
	family(f, "hopscope_elapsed_seconds", "gauge", "",
	       "time since measuring started");
	put_f64(f, "hopscope_elapsed_seconds", NULL, r->elapsed_s);
	if (r->points && r->hops &&
	    (legs_render(f, r, false) || legs_render(f, r, true)))
		return -1;
	if (r->points)
		points_render(f, r);
	pipeline_render(f, r);
	return fflush(f) || ferror(f) ? -1 : 0;
}

/* ---- the collector's health ---- */

/* A name ending in _total counts; any other is a level. */
static const char *health_type(const char *name)
{
	size_t n = strlen(name);

	return n > 6 && !strcmp(name + n - 6, "_total") ? "counter" : "gauge";
}

int hs_prom_render_health(FILE *f, const struct hs_health_values *v)
{
	unsigned int order[HS_FIELDS_MAX], n, k;
	char name[96];

	n = hs_fields_in(&hs_health_fields, HS_OUT_PROM, order);
	for (k = 0; k < n; k++) {
		const struct hs_field *field = &hs_health_fields.rows[order[k]];

		snprintf(name, sizeof(name), "hopscope_%s",
			 field->place[HS_OUT_PROM].name);
		family(f, name, health_type(name), "Collector: ", field->help);
		put_field(f, name, NULL, field, v);
	}
	return fflush(f) || ferror(f) ? -1 : 0;
}
