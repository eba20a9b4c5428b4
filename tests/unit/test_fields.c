// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * fields.c: the field tables every output is written from
 * (user/output/fields.h). What the golden tests cannot see: that each
 * table is well formed, so a row added tomorrow lands where it says.
 */
#include <stdio.h>
#include <stdlib.h>
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
	{ "cost", &hs_cost_fields, sizeof(struct hs_cost_values) },
	{ "clock", &hs_clock_fields, sizeof(struct hs_join_clock) },
	{ "fit_run", &hs_fit_run_fields, sizeof(struct hs_fit_run_values) },
	{ "fit", &hs_fit_fields, sizeof(struct hs_fit_values) },
	{ "health", &hs_health_fields, sizeof(struct hs_health_values) },
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

Test(fields, every_fitted_metric_has_its_row)
{
	unsigned int m;

	for (m = 0; m < HS_FIT_METRICS; m++) {
		const struct hs_field *f = hs_fit_metric_field(m);

		cr_assert_not_null(f, "metric %u", m);
		cr_assert(f->place[HS_OUT_JSON].at &&
			  f->place[HS_OUT_TABLE].at);
	}
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

/* ---- docs/output.md's field reference, made from the tables ---- */

static const struct {
	const char *title;
	const struct hs_field_table *t;
	const char *prom_prefix; /* before the field's name */
} refs[] = {
	{ "A hop, a path or a path's segment", &hs_leg_fields,
	  "hopscope_{hop,path}_" },
	{ "A point's counters", &hs_point_fields, "hopscope_point_" },
	{ "The pipeline", &hs_pipeline_fields, "hopscope_pipeline_" },
	{ "A hop's share of its path (a path's breakdown)", &hs_share_fields,
	  "" },
	{ "The probes' cost at one hook", &hs_cost_fields, "" },
	{ "Two hosts' clocks, as joined", &hs_clock_fields, "" },
	{ "A run of the chain-length study", &hs_fit_run_fields, "" },
	{ "A fitted metric", &hs_fit_fields, "" },
	{ "The collector (`/healthz`, and `/metrics` in a live run)",
	  &hs_health_fields, "hopscope_" },
};

/* `name` in output o, or "—" where the field is not there. */
static void cell(FILE *f, const struct hs_field *field, enum hs_output_kind o,
		 const char *prom_prefix)
{
	const struct hs_field_place *p = &field->place[o];

	if (!p->at) {
		fputs(" — |", f);
		return;
	}
	if (o == HS_OUT_JSON && field->json_group)
		fprintf(f, " `%s.%s` |", field->json_group, p->name);
	else if (o == HS_OUT_PROM && field->prom_family)
		fprintf(f, " `%s%s{%s=\"%s\"}` |", prom_prefix,
			field->prom_family->name, field->prom_family->label,
			p->name);
	else if (o == HS_OUT_PROM)
		fprintf(f, " `%s%s` |", prom_prefix, p->name);
	else
		fprintf(f, " `%s` |", p->name);
}

/* The meaning, its '|' escaped: they would end the cell. */
static void put_help(FILE *f, const char *help)
{
	fputc(' ', f);
	for (; *help; help++) {
		if (*help == '|')
			fputc('\\', f);
		fputc(*help, f);
	}
	fputs(" |\n", f);
}

/* The reference: per table, a row per field in the JSON's order (the
 * table's own where JSON leaves a field out). */
static void render_reference(FILE *f)
{
	unsigned int r, i;

	for (r = 0; r < sizeof(refs) / sizeof(refs[0]); r++) {
		const struct hs_field_table *t = refs[r].t;

		fprintf(f, "\n%s:\n\n", refs[r].title);
		fputs("| field | unit | JSON | CSV | table | Prometheus | meaning |\n"
		      "|---|---|---|---|---|---|---|\n",
		      f);
		for (i = 0; i < t->n; i++) {
			const struct hs_field *field = &t->rows[i];

			fprintf(f, "| %s | %s |", field->name,
				*field->unit ? field->unit : "—");
			cell(f, field, HS_OUT_JSON, "");
			cell(f, field, HS_OUT_CSV, "");
			cell(f, field, HS_OUT_TABLE, "");
			cell(f, field, HS_OUT_PROM,
			     *refs[r].prom_prefix ? refs[r].prom_prefix : "");
			put_help(f, field->help);
		}
	}
	fputc('\n', f);
}

#define DOC "docs/output.md"
#define BEGIN \
	"<!-- fields: made from user/output/fields.c; see tests/README.md -->\n"
#define END "<!-- /fields -->\n"

/* docs/output.md holds, between its markers, exactly what the tables
 * make: every field's name, unit, help and its name in every output.
 * HS_GOLDEN_UPDATE=1 rewrites the block after a change of the tables. */
Test(fields, docs_output_md_holds_the_reference_the_tables_make)
{
	static char doc[256 * 1024];
	char *made = NULL, *begin, *end;
	const char *diff;
	size_t n, len = 0;
	FILE *f = fopen(DOC, "r"), *m;

	cr_assert_not_null(f, DOC ": run from the repository root");
	n = fread(doc, 1, sizeof(doc) - 1, f);
	fclose(f);
	doc[n] = '\0';
	begin = strstr(doc, BEGIN);
	end = begin ? strstr(begin, END) : NULL;
	cr_assert(begin && end, DOC " lacks the field reference's markers");
	begin += strlen(BEGIN);
	m = open_memstream(&made, &len);
	cr_assert_not_null(m);
	render_reference(m);
	fclose(m);
	if (getenv("HS_GOLDEN_UPDATE") &&
	    !strcmp(getenv("HS_GOLDEN_UPDATE"), "1")) {
		f = fopen(DOC, "w");
		cr_assert_not_null(f);
		fwrite(doc, 1, (size_t)(begin - doc), f);
		fputs(made, f);
		fputs(end, f);
		fclose(f);
		free(made);
		return;
	}
	*end = '\0';
	diff = strcmp(begin, made) ? "differs" : NULL;
	cr_expect_null(diff,
		       DOC "'s field reference is not what the tables make; "
			   "after changing user/output/fields.c run "
			   "HS_GOLDEN_UPDATE=1 build/tests/unit --filter "
			   "'fields/docs*' and review the diff");
	free(made);
}
