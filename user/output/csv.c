// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * csv.c - a report as RFC 4180 rows: its hops, its paths and each path's
 * segments with their shares of the path's mean, p99 and jitter.
 */
#include <stdio.h>
#include <string.h>
#include "analysis/breakdown.h"
#include "output/csv.h"

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

int hs_csv_header(FILE *f)
{
	fputs(HS_CSV_COLUMNS "\n", f);
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
		kind = hs_hop_kind_name(hs_points_classify(t, row->from, row->to,
							   via, sizeof(via)));
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

/* The measurements hops, paths and segments share. */
static void put_acc(FILE *f, const struct hs_acc *a)
{
	struct hs_lateness late;
	struct hs_summary s;

	hs_delay_summary(&a->delay, &s);
	hs_lateness(&s, &late);
	put_u64(f, s.n);
	put_u64(f, s.min);
	put_u64(f, s.p50);
	put_u64(f, s.p90);
	put_u64(f, s.p99);
	put_u64(f, s.p999);
	put_u64(f, s.max);
	put_ns(f, s.mean);
	put_ns(f, s.stdev);
	put_ns(f, hs_jitter_mean(&a->jitter));
	put_ns(f, a->jitter.max);
	put_u64(f, hs_hist_percentile(&a->jitter.ipdv, 50));
	put_u64(f, hs_hist_percentile(&a->jitter.ipdv, 99));
	put_u64(f, late.max);
	put_ns(f, late.mean);
	put_ns(f, late.stdev);
	put_u64(f, a->lost);
	put_u64(f, a->reordered);
	fprintf(f, ",%.6f",
		a->arrivals ? (double)a->reordered / (double)a->arrivals : 0.0);
	put_u64(f, a->extent_max);
	put_u64(f, a->duplicates);
}

static void put_row(FILE *f, const struct hs_report *r, unsigned int report_no,
		    const struct row *row, const struct hs_acc *a,
		    const struct hs_hop_share *share)
{
	put_head(f, r, report_no, row);
	put_acc(f, a);
	if (share)
		fprintf(f, ",%.4f,%.4f,%.4f\n", share->mean_share,
			share->p99_share, share->jitter_share);
	else
		fputs(",,,\n", f);
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
