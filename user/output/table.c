// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * table.c - reports as text tables for people: a row per hop and per path
 * (times in microseconds), what made each hop, each path's breakdown and
 * verdict, the pipeline's health and the probes' cost.
 */
#include <string.h>
#include "core/hooks.h"
#include "analysis/breakdown.h"
#include "output/fields.h"
#include "output/table.h"

static void fmt_us(char *buf, size_t len, double ns)
{
	double us = ns / 1000.0;

	if (us < 100)
		snprintf(buf, len, "%.2f", us);
	else if (us < 10000)
		snprintf(buf, len, "%.1f", us);
	else
		snprintf(buf, len, "%.0f", us);
}

/* The column heads of t's table fields, each after a space. */
static void put_heads(FILE *f, const struct hs_field_table *t)
{
	unsigned int order[HS_FIELDS_MAX], n, i;

	n = hs_fields_in(t, HS_OUT_TABLE, order);
	for (i = 0; i < n; i++) {
		const struct hs_field_place *p =
			&t->rows[order[i]].place[HS_OUT_TABLE];

		fprintf(f, " %*s", p->width, p->name);
	}
}

/* One value under its head: a count as it is; a time in us, with the
 * decimals its place asks for or as few as it needs, or "-" when there
 * are no times (a leg every packet was lost on). */
static void put_value(FILE *f, const struct hs_field *field, const void *values,
		      bool times)
{
	const struct hs_field_place *p = &field->place[HS_OUT_TABLE];
	double v = hs_field_value(field, values);
	char us[16];

	if (field->type != HS_FIELD_COUNT && !times) {
		fprintf(f, " %*s", p->width, "-");
	} else if (field->type == HS_FIELD_COUNT) {
		fprintf(f, " %*llu", p->width,
			(unsigned long long)hs_field_u64(field, values));
	} else if (p->decimals) {
		fprintf(f, " %*.*f", p->width, p->decimals,
			strcmp(field->unit, "ns") ? v : v / 1000);
	} else {
		fmt_us(us, sizeof(us), v);
		fprintf(f, " %*s", p->width, us);
	}
}

/* The rest of a row: t's table fields, in order, and the line's end. */
static void put_columns(FILE *f, const struct hs_field_table *t,
			const void *values, bool times)
{
	unsigned int order[HS_FIELDS_MAX], n, i;

	n = hs_fields_in(t, HS_OUT_TABLE, order);
	for (i = 0; i < n; i++)
		put_value(f, &t->rows[order[i]], values, times);
	fputc('\n', f);
}

/* A hop's or a path's row. */
static void table_row(FILE *f, int width, const char *name,
		      const struct hs_leg_values *v)
{
	fprintf(f, "%-*s", width, name);
	put_columns(f, &hs_leg_fields, v, v->packets > 0);
}

static int hop_name(const struct hs_point_table *t, uint16_t from, uint16_t to,
		    char *buf, size_t len)
{
	char a[HS_POINT_NAME_MAX], b[HS_POINT_NAME_MAX];

	return snprintf(buf, len, "%s -> %s",
			hs_point_label(t, from, a, sizeof(a)),
			hs_point_label(t, to, b, sizeof(b)));
}

/* How far a delay between two hosts can be trusted. */
static void table_join_note(FILE *f, const struct hs_join_pair *j)
{
	if (j->method == HS_JOIN_TAI)
		fprintf(f, " (TAI clocks, taken as they are)");
	else if (j->method == HS_JOIN_REALTIME)
		fprintf(f, " (delay uncertain: realtime clocks trusted)");
	else if (j->uncertainty_ns >= 0)
		fprintf(f, " (delay +- %.2f us: clocks joined)",
			(double)j->uncertainty_ns / 1000.0);
	else
		fprintf(f,
			" (delay uncertain: the clocks disagree, see above)");
}

/* What a hop row adds under itself: what made the hop, and what else
 * happened on it. */
static void table_hop_notes(FILE *f, const struct hs_report *r, uint16_t from,
			    uint16_t to, const struct hs_leg_values *v)
{
	enum hs_hop_kind kind;
	char via[128];

	kind = hs_report_hop_kind(r, from, to, via, sizeof(via));
	fprintf(f, "    %s: %s", hs_hop_kind_name(kind), via);
	if (r->join && kind == HS_HOP_NETWORK)
		table_join_note(f, hs_report_join_pair(r, from, to));
	if (v->reordered)
		fprintf(f, "; reordered %.2f%%, extent max %s%llu",
			100.0 * v->reordered_ratio,
			v->extent_beyond ? ">=" : "",
			(unsigned long long)v->extent_max);
	if (v->duplicates)
		fprintf(f, "; %llu duplicates",
			(unsigned long long)v->duplicates);
	if (v->negative)
		fprintf(f, "; WARNING: %llu negative delays (down to %.2f us)",
			(unsigned long long)v->negative,
			(double)v->negative_min / 1000.0);
	fputc('\n', f);
}

/* A hop's shares of its path, in percent, under their heads. */
static void put_shares(FILE *f, const struct hs_hop_share *share)
{
	unsigned int order[HS_FIELDS_MAX], n, i;

	n = hs_fields_in(&hs_share_fields, HS_OUT_TABLE, order);
	for (i = 0; i < n; i++) {
		const struct hs_field *field = &hs_share_fields.rows[order[i]];

		/* the % sign takes the head's last column */
		fprintf(f, " %*.0f%%", field->place[HS_OUT_TABLE].width - 1,
			100 * hs_field_real(field, share));
	}
}

static void table_breakdown(FILE *f, const struct hs_report *r,
			    const struct hs_path *p)
{
	struct hs_breakdown b;
	char name[2 * HS_POINT_NAME_MAX + 8], text[1024];
	unsigned int k;

	if (hs_breakdown(r->hops, p, r->final, &b))
		return;
	if (r->final && b.delivered) {
		fprintf(f, "    share of");
		put_heads(f, &hs_share_fields);
		fprintf(f, "  hop\n");
		for (k = 0; k < b.n; k++) {
			hs_hop_label(r->points, b.hop[k].from, b.hop[k].to,
				     name, sizeof(name));
			fprintf(f, "%12s", "");
			put_shares(f, &b.hop[k]);
			fprintf(f, "  %s\n", name);
		}
	}
	fprintf(f, "    verdict: %s\n",
		hs_verdict(&b, r->points, p, text, sizeof(text)));
}

static void table_hops(FILE *f, const struct hs_report *r)
{
	char name[2 * HS_POINT_NAME_MAX + 32];
	const struct hs_hops *h = r->hops;
	int width = 40, len;
	uint32_t i;

	/* first pass: the widest hop name sets the column */
	for (i = 0; i < h->n_hops; i++) {
		len = hop_name(r->points, h->hops[i].from, h->hops[i].to, name,
			       sizeof(name));
		if (len > width)
			width = len;
	}
	fprintf(f, "%-*s", width, "hop (times in us)");
	put_heads(f, &hs_leg_fields);
	fputc('\n', f);
	for (i = 0; i < h->n_hops; i++) {
		const struct hs_hop *hop = &h->hops[i];
		const struct hs_acc *a = hs_leg_acc(&hop->leg, r->final);
		struct hs_leg_values v;

		if (!a->delay.n && !a->lost)
			continue;
		/* once for the row and its notes: percentiles are scans */
		hs_leg_values(a, &v);
		hop_name(r->points, hop->from, hop->to, name, sizeof(name));
		table_row(f, width, name, &v);
		table_hop_notes(f, r, hop->from, hop->to, &v);
	}
	for (i = 0; i < h->n_paths; i++) {
		const struct hs_path *p = &h->paths[i];
		const struct hs_acc *a = hs_leg_acc(&p->leg, r->final);
		char from[HS_POINT_NAME_MAX], to[HS_POINT_NAME_MAX];
		struct hs_leg_values v;

		/* a path every packet was lost on is the news */
		if (!a->delay.n && !a->lost)
			continue;
		hs_leg_values(a, &v);
		snprintf(name, sizeof(name), "path %s -> %s (%d points)",
			 hs_point_label(r->points, p->points[0], from,
					sizeof(from)),
			 hs_point_label(r->points, p->points[p->n - 1], to,
					sizeof(to)),
			 p->n);
		table_row(f, width, name, &v);
		hs_path_chain(r->points, p, name, sizeof(name));
		fprintf(f, "    chain: %s\n", name);
		table_breakdown(f, r, p);
	}
}

/* "name value" for each of t's table fields, joined by ", ". */
static void put_counts(FILE *f, const struct hs_field_table *t,
		       const void *values)
{
	unsigned int order[HS_FIELDS_MAX], n, i;

	n = hs_fields_in(t, HS_OUT_TABLE, order);
	for (i = 0; i < n; i++) {
		const struct hs_field *field = &t->rows[order[i]];

		fprintf(f, "%s%s %llu", i ? ", " : "",
			field->place[HS_OUT_TABLE].name,
			(unsigned long long)hs_field_u64(field, values));
	}
}

/* Every point's probe counters added up. */
static void sum_points(const struct hs_report *r, struct hs_point_values *sum)
{
	const struct hs_field_table *t = &hs_point_fields;
	struct hs_point_values v;
	unsigned int i, k;

	memset(sum, 0, sizeof(*sum));
	for (i = 0; i < r->points->n; i++) {
		hs_point_values(r, i, &v);
		for (k = 0; k < t->n; k++)
			*(uint64_t *)((char *)sum + t->rows[k].off) +=
				hs_field_u64(&t->rows[k], &v);
	}
}

static void table_pipeline(FILE *f, const struct hs_report *r)
{
	const struct hs_session_counters *sc = r->session;
	struct hs_pipeline_values pipe;
	struct hs_point_values sum;

	sum_points(r, &sum);
	hs_pipeline_values(r, &pipe);
	fprintf(f, "pipeline: ");
	put_counts(f, &hs_point_fields, &sum);
	fprintf(f, "; ");
	put_counts(f, &hs_pipeline_fields, &pipe);
	fputc('\n', f);
	if (sc->left_out_warmup || sc->left_out_cooldown)
		fprintf(f,
			"pipeline: left out %llu packets of the warm-up and %llu of the cool-down\n",
			(unsigned long long)sc->left_out_warmup,
			(unsigned long long)sc->left_out_cooldown);
	if (r->match->overflow || r->hops->hops_overflow ||
	    r->hops->paths_overflow || r->hops->flows_replaced ||
	    r->hops->segments_overflow || sc->cooldown_overflow)
		fprintf(f,
			"pipeline: WARNING: limits reached: %llu sightings past %d points a packet, "
			"%llu hops past %d, %llu paths past %d, %llu paths without a breakdown, "
			"%llu flows replaced, %llu packets folded before their cool-down\n",
			(unsigned long long)r->match->overflow,
			HS_MAX_TRAJ_POINTS,
			(unsigned long long)r->hops->hops_overflow, HS_MAX_HOPS,
			(unsigned long long)r->hops->paths_overflow,
			HS_MAX_PATHS,
			(unsigned long long)r->hops->segments_overflow,
			(unsigned long long)r->hops->flows_replaced,
			(unsigned long long)sc->cooldown_overflow);
	if (sum.ringbuf_drops || r->match->evicted)
		fprintf(f,
			"pipeline: WARNING: %llu records were never recorded "
			"and %llu trajectories were cut short by a full match "
			"table; neither is counted as packet loss\n",
			(unsigned long long)sum.ringbuf_drops,
			(unsigned long long)r->match->evicted);
	if (sc->bad_records)
		fprintf(f,
			"pipeline: WARNING: %llu malformed records ignored\n",
			(unsigned long long)sc->bad_records);
}

static void table_cost(FILE *f, const struct hs_report *r)
{
	struct hs_hook_cost hc[HS_HOOK_COUNT];
	const char *sep = "";
	int h;

	if (!r->final || !hs_report_hook_cost(r, hc))
		return;
	/* a sentence, not columns: the fields of hs_cost_fields in words */
	fprintf(f, "probe cost (the kernel's timing, %.1f s in every %.0f s):",
		HS_TIMING_ON_NS / 1e9, HS_TIMING_PERIOD_NS / 1e9);
	for (h = 0; h < HS_HOOK_COUNT; h++) {
		struct hs_cost_values v;

		if (!hc[h].runs)
			continue;
		hs_cost_values(&hc[h], &v);
		fprintf(f, "%s %s %.0f ns a packet (%llu packets, %llu points)",
			sep, hs_hook_name(h), v.ns_per_packet,
			(unsigned long long)v.packets,
			(unsigned long long)v.points);
		sep = ";";
	}
	fputc('\n', f);
}

/* A line per host but the first: its clock on the first's. */
static void table_clock(FILE *f, const struct hs_report *r)
{
	unsigned int k;

	for (k = 1; k < r->join->n_hosts; k++) {
		const struct hs_join_clock *j = &r->join->host[k];

		fprintf(f, "clocks: %s -> %s joined by %s: offset %.3f us",
			r->points->host[0], r->points->host[k],
			hs_join_method_name(j->method),
			(double)j->offset_ns / 1000.0);
		if (j->uncertainty_ns >= 0)
			fprintf(f, " +- %.3f us",
				(double)j->uncertainty_ns / 1000.0);
		fprintf(f, " (%llu packets one way, %llu the other)\n",
			(unsigned long long)j->packets_ab,
			(unsigned long long)j->packets_ba);
	}
}

void hs_table_point(FILE *f, const struct hs_point_table *t, uint16_t id)
{
	const struct hs_point_info *pt = &t->p[id];
	char name[HS_POINT_NAME_MAX];

	if (pt->skipped || pt->absent)
		return;
	fprintf(f, "point %2u  %s%s%s\n", pt->id,
		hs_point_label(t, pt->id, name, sizeof(name)),
		pt->xdp_mode[0] ? " " : "", pt->xdp_mode);
}

void hs_table_points(FILE *f, const struct hs_point_table *t)
{
	unsigned int i;

	for (i = 0; i < t->n; i++)
		hs_table_point(f, t, (uint16_t)i);
	fflush(f);
}

void hs_table_report(FILE *f, const struct hs_report *r)
{
	if (r->final)
		fprintf(f, "\n== summary: %.1f s ==\n", r->elapsed_s);
	else
		fprintf(f, "\n== %.1f s (last %.1f s) ==\n", r->elapsed_s,
			r->interval_s);
	if (r->join)
		table_clock(f, r);
	table_hops(f, r);
	table_pipeline(f, r);
	table_cost(f, r);
	fflush(f);
}

void hs_table_fit(FILE *f, const struct hs_fit_run *runs, unsigned int n,
		  const struct hs_fit *fits)
{
	struct hs_fit_run_values rv;
	struct hs_fit_values fv;
	unsigned int i;
	int m;

	fprintf(f, "%-40s", "run (times in us)");
	put_heads(f, &hs_fit_run_fields);
	fputc('\n', f);
	for (i = 0; i < n; i++) {
		fprintf(f, "%-40s", runs[i].file);
		hs_fit_run_values(&runs[i], &rv);
		put_columns(f, &hs_fit_run_fields, &rv, true);
	}
	fprintf(f, "\nfit over %u runs, against the number of functions:\n", n);
	fprintf(f, "%-16s", "metric");
	put_heads(f, &hs_fit_fields);
	fputc('\n', f);
	for (m = 0; m < HS_FIT_METRICS; m++) {
		fprintf(f, "%-16s", hs_fit_metric_field(m)->name);
		hs_fit_values(&fits[m], &fv);
		put_columns(f, &hs_fit_fields, &fv, true);
	}
	fflush(f);
}
