// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * fields.c: the field tables every output is written from
 * (user/output/fields.h). What the golden tests cannot see: that each
 * table is well formed, so a row added tomorrow lands where it says.
 */
#include <stdio.h>
#include <string.h>
#include <criterion/criterion.h>
#include "output/fields.h"

static const struct {
	const char *name;
	const struct hs_field_table *t;
	size_t size; /* of its values struct */
} tables[] = {
	{ "leg", &hs_leg_fields, sizeof(struct hs_leg_values) },
	{ "point", &hs_point_fields, sizeof(struct hs_point_values) },
	{ "pipeline", &hs_pipeline_fields, sizeof(struct hs_pipeline_values) },
	{ "share", &hs_share_fields, sizeof(struct hs_hop_share) },
};

static const char *const outputs[HS_OUT_KINDS] = { "json", "csv", "table",
						   "prom" };

#define N_TABLES (sizeof(tables) / sizeof(tables[0]))

Test(fields, positions_run_from_one_without_gaps)
{
	unsigned int t, o, i, order[HS_FIELDS_MAX];

	for (t = 0; t < N_TABLES; t++) {
		const struct hs_field_table *ft = tables[t].t;

		cr_assert_leq(ft->n, HS_FIELDS_MAX);
		for (o = 0; o < HS_OUT_KINDS; o++) {
			unsigned int placed = 0, n;

			for (i = 0; i < ft->n; i++)
				placed += ft->rows[i].place[o].at > 0;
			/* each position found once: as many as are placed */
			n = hs_fields_in(ft, o, order);
			cr_assert_eq(n, placed,
				     "%s table, %s: positions 1..%u, %u placed",
				     tables[t].name, outputs[o], n, placed);
			for (i = 0; i < n; i++)
				cr_assert_eq(ft->rows[order[i]].place[o].at,
					     i + 1);
		}
	}
}

Test(fields, names_are_there_and_unique_per_output)
{
	unsigned int t, o, i, k;

	for (t = 0; t < N_TABLES; t++) {
		const struct hs_field_table *ft = tables[t].t;

		for (o = 0; o < HS_OUT_KINDS; o++) {
			for (i = 0; i < ft->n; i++) {
				const struct hs_field *a = &ft->rows[i];

				if (!a->place[o].at)
					continue;
				cr_assert_not_null(a->place[o].name, "%s.%s",
						   tables[t].name, a->name);
				for (k = i + 1; k < ft->n; k++) {
					const struct hs_field *b = &ft->rows[k];

					/* JSON keys repeat across groups,
					 * label values across families */
					if (!b->place[o].at ||
					    (o == HS_OUT_JSON &&
					     a->json_group != b->json_group) ||
					    (o == HS_OUT_PROM &&
					     a->prom_family != b->prom_family))
						continue;
					cr_assert_str_neq(a->place[o].name,
							  b->place[o].name,
							  "%s: %s twice in %s",
							  tables[t].name,
							  a->place[o].name,
							  outputs[o]);
				}
			}
		}
	}
}

Test(fields, every_row_is_documented_and_lies_in_its_struct)
{
	unsigned int t, i;

	for (t = 0; t < N_TABLES; t++) {
		const struct hs_field_table *ft = tables[t].t;

		for (i = 0; i < ft->n; i++) {
			const struct hs_field *f = &ft->rows[i];

			cr_assert(f->name && *f->name);
			cr_assert(f->help && *f->help, "%s", f->name);
			cr_assert_not_null(f->unit, "%s", f->name);
			cr_assert_leq(f->off + 8, tables[t].size, "%s",
				      f->name);
			cr_assert_eq(f->off % 8, 0, "%s", f->name);
		}
	}
}

/* JSON opens a group's object once: its fields follow one another. */
Test(fields, json_groups_and_prom_families_are_contiguous)
{
	unsigned int t, i, k, order[HS_FIELDS_MAX], n;

	for (t = 0; t < N_TABLES; t++) {
		const struct hs_field_table *ft = tables[t].t;

		n = hs_fields_in(ft, HS_OUT_JSON, order);
		for (i = 0; i < n; i++)
			for (k = i + 2; k < n; k++) {
				const char *g = ft->rows[order[i]].json_group;

				if (!g || !ft->rows[order[k]].json_group ||
				    strcmp(g, ft->rows[order[k]].json_group))
					continue;
				cr_assert_str_eq(
					ft->rows[order[k - 1]].json_group, g,
					"group %s split", g);
			}
		n = hs_fields_in(ft, HS_OUT_PROM, order);
		for (i = 0; i < n; i++)
			for (k = i + 2; k < n; k++) {
				const void *fam =
					ft->rows[order[i]].prom_family;

				if (fam &&
				    ft->rows[order[k]].prom_family == fam)
					cr_assert_eq(ft->rows[order[k - 1]]
							     .prom_family,
						     fam, "a family split");
			}
	}
}

Test(fields, table_columns_have_widths)
{
	unsigned int i;

	/* the leg and share tables are columns; point and pipeline fields
	 * are "name value" prose */
	for (i = 0; i < hs_leg_fields.n; i++)
		if (hs_leg_fields.rows[i].place[HS_OUT_TABLE].at)
			cr_assert_geq(
				hs_leg_fields.rows[i].place[HS_OUT_TABLE].width,
				(int)strlen(hs_leg_fields.rows[i]
						    .place[HS_OUT_TABLE]
						    .name));
	for (i = 0; i < hs_share_fields.n; i++)
		if (hs_share_fields.rows[i].place[HS_OUT_TABLE].at)
			cr_assert_eq(hs_share_fields.rows[i].type,
				     HS_FIELD_SHARE);
}

Test(fields, leg_values_are_what_the_accumulator_holds)
{
	struct hs_acc a = {};
	struct hs_leg_values v;
	uint64_t d;

	for (d = 1000; d <= 5000; d += 1000)
		hs_delay_add(&a.delay, d);
	a.lost = 3;
	a.reordered = 2;
	a.arrivals = 8;
	a.extent_sum = 6;
	a.extent_beyond = 0;
	a.late_sum_ns = 900;
	a.negative = 1;
	a.negative_min = -40;
	hs_leg_values(&a, &v);
	cr_assert_eq(v.packets, 5);
	cr_assert_eq(v.min, 1000);
	cr_assert_eq(v.max, 5000);
	cr_assert_float_eq(v.mean, 3000, 1e-9);
	cr_assert_eq(v.late_max, 4000);
	cr_assert_float_eq(v.late_mean, 2000, 1e-9);
	cr_assert_float_eq(v.reordered_ratio, 0.25, 1e-12);
	cr_assert_float_eq(v.extent_mean, 3, 1e-12);
	cr_assert_float_eq(v.reorder_late_mean, 450, 1e-12);
	cr_assert_eq(v.negative_min, -40);
	cr_assert_eq(v.jitter_n, 0);
}

/* docs/output.md names every field of every output. */
static char *read_doc(void)
{
	FILE *f = fopen("docs/output.md", "r");
	static char doc[256 * 1024];
	size_t n;

	cr_assert_not_null(f, "docs/output.md: run from the repository root");
	n = fread(doc, 1, sizeof(doc) - 1, f);
	fclose(f);
	doc[n] = '\0';
	return doc;
}

static void expect_in_doc(const char *doc, const char *text, const char *what)
{
	char quoted[160];

	/* as code: `name` */
	snprintf(quoted, sizeof(quoted), "`%s", text);
	cr_expect_not_null(strstr(doc, quoted),
			   "docs/output.md does not name %s '%s'", what, text);
}

Test(fields, docs_output_md_names_every_field)
{
	static const char *const prom_prefix[] = { "hopscope_hop_",
						   "hopscope_point_",
						   "hopscope_pipeline_", NULL };
	const char *doc = read_doc();
	unsigned int t, i;
	char name[128];

	for (t = 0; t < N_TABLES; t++) {
		const struct hs_field_table *ft = tables[t].t;

		for (i = 0; i < ft->n; i++) {
			const struct hs_field *f = &ft->rows[i];

			if (f->place[HS_OUT_JSON].at) {
				snprintf(name, sizeof(name), "%s",
					 f->place[HS_OUT_JSON].name);
				if (!f->json_group)
					expect_in_doc(doc, name, "JSON key");
				else
					cr_expect_not_null(strstr(doc, name),
							   "no JSON key %s.%s",
							   f->json_group, name);
			}
			if (f->place[HS_OUT_CSV].at)
				expect_in_doc(doc, f->place[HS_OUT_CSV].name,
					      "CSV column");
			if (f->place[HS_OUT_PROM].at && !f->prom_family &&
			    t < 3) {
				snprintf(name, sizeof(name), "%s%s",
					 prom_prefix[t == 0 ? 0 : t],
					 f->place[HS_OUT_PROM].name);
				expect_in_doc(doc, name, "metric");
			}
			if (f->prom_family) {
				snprintf(name, sizeof(name), "hopscope_hop_%s",
					 f->prom_family->name);
				expect_in_doc(doc, name, "metric");
			}
		}
	}
}
