// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * csv.c - a report as RFC 4180 rows: its hops, its paths and each path's
 * segments with their shares of the path's mean, p99 and jitter.
 */
#include <stdio.h>
#include <string.h>
#include "core/util.h"
#include "analysis/breakdown.h"
#include "output/csv.h"
#include "output/fields.h"

/* Room for a path's points as "3 4 5 6". */
#define PATH_VIA_MAX (HS_MAX_TRAJ_POINTS * 6)

/* What sets a row apart, before its measurements. */
struct row {
	const char *type; /* "hop", "path" or "segment" */
	int path; /* index in hs_hops.paths; -1: empty */
	int index; /* hop of the path; -1: empty */
	uint16_t from, to;
	const char *kind, *via; /* NULL: as the hop's two points make it */
};

/* Done or failed: a report is whole on disk before the next interval, and
 * a full disk shows now rather than at exit. */
static int finish(FILE *f)
{
	return fflush(f) || ferror(f) ? -1 : 0;
}

/* The columns that say what a row is, before its measurements. */
static const char *const head_columns[] = {
	"report", "elapsed_s", "final",	    "row",     "path", "index",
	"from",	  "to",	       "from_name", "to_name", "kind", "via",
};

/* The names of t's CSV columns, in order, each after a comma. */
static void put_names(FILE *f, const struct hs_field_table *t)
{
	unsigned int order[HS_FIELDS_MAX],
		n = hs_fields_in(t, HS_OUT_CSV, order);
	unsigned int i;

	for (i = 0; i < n; i++)
		fprintf(f, ",%s", t->rows[order[i]].place[HS_OUT_CSV].name);
}

int hs_csv_header(FILE *f)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(head_columns); i++)
		fprintf(f, "%s%s", i ? "," : "", head_columns[i]);
	put_names(f, &hs_leg_fields);
	put_names(f, &hs_share_fields);
	fputc('\n', f);
	return finish(f);
}

/* A field, quoted when it holds a separator, a quote or a line break. */
static void put_text(FILE *f, const char *s)
{
	fputc(',', f);
	if (!strpbrk(s, ",\"\r\n")) {
		fputs(s, f);
		return;
	}
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '"')
			fputc('"', f);
		fputc(*s, f);
	}
	fputc('"', f);
}

static void put_int(FILE *f, int v)
{
	if (v < 0)
		fputc(',', f);
	else
		fprintf(f, ",%d", v);
}

static void put_u64(FILE *f, uint64_t v)
{
	fprintf(f, ",%llu", (unsigned long long)v);
}

/* Whole nanoseconds, as the JSON has them: finer digits are noise. */
static void put_ns(FILE *f, double v)
{
	put_u64(f, v > 0 ? (uint64_t)(v + 0.5) : 0);
}

static void put_head(FILE *f, const struct hs_report *r, unsigned int report_no,
		     const struct row *row)
{
	const struct hs_point_table *t = r->points;
	char name[HS_POINT_NAME_MAX], via[HS_POINT_NAME_MAX];
	const char *kind = row->kind;

	if (!kind)
		kind = hs_hop_kind_name(hs_report_hop_kind(
			r, row->from, row->to, via, sizeof(via)));
	fprintf(f, "%u,%.3f,%d", report_no, r->elapsed_s, r->final ? 1 : 0);
	put_text(f, row->type);
	put_int(f, row->path);
	put_int(f, row->index);
	put_u64(f, row->from);
	put_u64(f, row->to);
	put_text(f, hs_point_label(t, row->from, name, sizeof(name)));
	put_text(f, hs_point_label(t, row->to, name, sizeof(name)));
	put_text(f, kind);
	put_text(f, row->kind ? row->via : via);
}

static void put_field(FILE *f, const struct hs_field *field, const void *values)
{
	switch (field->type) {
	case HS_FIELD_COUNT:
	case HS_FIELD_NS:
		put_u64(f, hs_field_u64(field, values));
		break;
	case HS_FIELD_NS_REAL:
		put_ns(f, hs_field_real(field, values));
		break;
	case HS_FIELD_NS_SIGNED:
		fprintf(f, ",%lld", (long long)hs_field_i64(field, values));
		break;
	case HS_FIELD_REAL:
		fprintf(f, ",%.6f", hs_field_real(field, values));
		break;
	case HS_FIELD_SHARE:
		fprintf(f, ",%.4f", hs_field_real(field, values));
		break;
	}
}

/* The CSV columns of t, in order; values NULL: all of them empty. */
static void put_fields(FILE *f, const struct hs_field_table *t,
		       const void *values)
{
	unsigned int order[HS_FIELDS_MAX],
		n = hs_fields_in(t, HS_OUT_CSV, order);
	unsigned int i;

	for (i = 0; i < n; i++) {
		if (values)
			put_field(f, &t->rows[order[i]], values);
		else
			fputc(',', f);
	}
}

static void put_row(FILE *f, const struct hs_report *r, unsigned int report_no,
		    const struct row *row, const struct hs_acc *a,
		    const struct hs_hop_share *share)
{
	struct hs_leg_values v;

	hs_leg_values(a, &v);
	put_head(f, r, report_no, row);
	put_fields(f, &hs_leg_fields, &v);
	/* a path's breakdown, on its segment rows only */
	put_fields(f, &hs_share_fields, share);
	fputc('\n', f);
}

static bool carried(const struct hs_acc *a)
{
	return a->delay.n || a->lost;
}

static void put_hops(FILE *f, const struct hs_report *r, unsigned int report_no)
{
	struct row row = { "hop", -1, -1, 0, 0, NULL, NULL };
	const struct hs_hops *h = r->hops;
	uint32_t i;

	for (i = 0; i < h->n_hops; i++) {
		const struct hs_acc *a = hs_leg_acc(&h->hops[i].leg, r->final);

		row.from = h->hops[i].from;
		row.to = h->hops[i].to;
		if (carried(a))
			put_row(f, r, report_no, &row, a, NULL);
	}
}

/* The path's hops, each with its share of the path's time. */
static void put_segments(FILE *f, const struct hs_report *r,
			 unsigned int report_no, uint32_t path_no)
{
	struct row row = { "segment", (int)path_no, 0, 0, 0, NULL, NULL };
	const struct hs_path *p = &r->hops->paths[path_no];
	struct hs_breakdown b;
	unsigned int k;

	if (hs_breakdown(r->hops, p, r->final, &b))
		return;
	for (k = 0; k < b.n; k++) {
		const struct hs_leg *seg = hs_path_segment(r->hops, p, k);

		row.index = (int)k;
		row.from = b.hop[k].from;
		row.to = b.hop[k].to;
		put_row(f, r, report_no, &row, hs_leg_acc(seg, r->final),
			&b.hop[k]);
	}
}

/* "3 4 5 6": the path's points, which a path's via names. */
static const char *path_points(const struct hs_path *p, char *buf, size_t len)
{
	size_t used = 0;
	int k;

	buf[0] = '\0';
	for (k = 0; k < p->n && used < len; k++)
		used += (size_t)snprintf(buf + used, len - used, "%s%u",
					 k ? " " : "", p->points[k]);
	return buf;
}

static void put_paths(FILE *f, const struct hs_report *r,
		      unsigned int report_no)
{
	const struct hs_hops *h = r->hops;
	char points[PATH_VIA_MAX];
	uint32_t i;

	for (i = 0; i < h->n_paths; i++) {
		const struct hs_path *p = &h->paths[i];
		const struct hs_acc *a = hs_leg_acc(&p->leg, r->final);
		struct row row = { "path", (int)i, -1, 0, 0, "path", NULL };

		/* entries the flows vote on that never carried a packet */
		if (!p->n || !carried(a))
			continue;
		row.from = p->points[0];
		row.to = p->points[p->n - 1];
		row.via = path_points(p, points, sizeof(points));
		put_row(f, r, report_no, &row, a, NULL);
		put_segments(f, r, report_no, i);
	}
}

int hs_csv_report(FILE *f, const struct hs_report *r, unsigned int report_no)
{
	put_hops(f, r, report_no);
	put_paths(f, r, report_no);
	return finish(f);
}
