// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * json.c - reports as JSON lines, one object per line (docs/output.md).
 */
#include <string.h>
#include <json-c/json.h>
#include "core/hooks.h"
#include "core/json_fields.h"
#include "analysis/breakdown.h"
#include "output/fields.h"
#include "output/json.h"
#include "topo/runtime.h"

/* Where the lines go, and whether a write failed (disk full, reader
 * gone). */
struct dest {
	FILE *f;
	int err;
};

/* One line, written out at once: a reader follows the run as it goes. */
static void json_emit(struct dest *d, json_object *obj)
{
	if (fprintf(d->f, "%s\n",
		    json_object_to_json_string_ext(
			    obj, JSON_C_TO_STRING_PLAIN)) < 0 ||
	    fflush(d->f))
		d->err = -1;
	json_object_put(obj);
}

static void json_add_ns(json_object *o, const char *key, double v)
{
	/* whole nanoseconds: finer digits are noise */
	json_object_object_add(o, key,
			       json_object_new_int64((int64_t)(v + 0.5)));
}

/* A ratio to 4 decimals: the same text wherever it is printed. */
static void json_add_ratio(json_object *o, const char *key, double v)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%.4f", v);
	json_object_object_add(o, key, json_object_new_double_s(v, buf));
}

/* One field of a table, printed as its type says. */
static void json_add_field(json_object *o, const struct hs_field *f,
			   const void *values)
{
	const char *key = f->place[HS_OUT_JSON].name;

	switch (f->type) {
	case HS_FIELD_COUNT:
	case HS_FIELD_NS:
		json_add_u64(o, key, hs_field_u64(f, values));
		break;
	case HS_FIELD_NS_REAL:
		json_add_ns(o, key, hs_field_real(f, values));
		break;
	case HS_FIELD_NS_SIGNED:
		json_add_i64(o, key, hs_field_i64(f, values));
		break;
	case HS_FIELD_REAL:
	case HS_FIELD_SHARE:
		json_add_ratio(o, key, hs_field_real(f, values));
		break;
	}
}

/* Every field of t that JSON takes, in its order, into line: a field
 * with a group goes into the object of that name, made when the group
 * begins. */
static void json_add_fields(json_object *line, const struct hs_field_table *t,
			    const void *values)
{
	unsigned int order[HS_FIELDS_MAX], n, i;
	const char *group = NULL;
	json_object *into = line;

	n = hs_fields_in(t, HS_OUT_JSON, order);
	for (i = 0; i < n; i++) {
		const struct hs_field *f = &t->rows[order[i]];

		if ((f->flags & HS_FIELD_IF_NONZERO) &&
		    hs_field_is_zero(f, values))
			continue;
		if (!f->json_group) {
			into = line;
			group = NULL;
		} else if (!group || strcmp(group, f->json_group)) {
			into = json_object_new_object();
			json_object_object_add(line, f->json_group, into);
			group = f->json_group;
		}
		json_add_field(into, f, values);
	}
}

/* The measurements every hop, path and segment carries. */
static void json_add_acc(json_object *o, const struct hs_acc *a)
{
	struct hs_leg_values v;

	hs_leg_values(a, &v);
	json_add_fields(o, &hs_leg_fields, &v);
}

static json_object *json_line(const char *type, bool final)
{
	json_object *o = json_object_new_object();

	json_add_str(o, "type", type);
	json_object_object_add(o, "final", json_object_new_boolean(final));
	return o;
}

static void json_hop(struct dest *out, const struct hs_report *r,
		     const struct hs_hop *hop)
{
	json_object *o = json_line("hop", r->final);
	char via[128];
	enum hs_hop_kind kind =
		hs_report_hop_kind(r, hop->from, hop->to, via, sizeof(via));

	json_add_u64(o, "from", hop->from);
	json_add_u64(o, "to", hop->to);
	json_add_str(o, "kind", hs_hop_kind_name(kind));
	json_add_str(o, "via", via);
	if (kind == HS_HOP_NAT)
		json_add_u64(o, "nat_packets", hop->nat.crossings);
	json_add_acc(o, hs_leg_acc(&hop->leg, r->final));
	if (r->join && kind == HS_HOP_NETWORK)
		json_add_i64(o, "delay_uncertainty_ns",
			     hs_report_join_pair(r, hop->from, hop->to)
				     ->uncertainty_ns);
	json_emit(out, o);
}

static json_object *json_breakdown(const struct hs_report *r,
				   const struct hs_breakdown *b)
{
	json_object *arr = json_object_new_array();
	unsigned int k;

	for (k = 0; k < b->n; k++) {
		const struct hs_hop_share *s = &b->hop[k];
		json_object *o = json_object_new_object();
		char via[128];

		json_add_u64(o, "from", s->from);
		json_add_u64(o, "to", s->to);
		json_add_str(
			o, "kind",
			hs_hop_kind_name(hs_report_hop_kind(
				r, s->from, s->to, via, sizeof(via))));
		json_add_str(o, "via", via);
		json_add_fields(o, &hs_share_fields, s);
		json_object_array_add(arr, o);
	}
	return arr;
}

static void json_path(struct dest *out, const struct hs_report *r,
		      const struct hs_path *path)
{
	json_object *o = json_line("path", r->final);
	json_object *pts = json_object_new_array();
	struct hs_breakdown b;
	char text[1024];
	int i;

	for (i = 0; i < path->n; i++)
		json_object_array_add(pts,
				      json_object_new_int(path->points[i]));
	json_object_object_add(o, "points", pts);
	hs_path_chain(r->points, path, text, sizeof(text));
	json_add_str(o, "chain", text);
	json_add_acc(o, hs_leg_acc(&path->leg, r->final));
	if (!hs_breakdown(r->hops, path, r->final, &b)) {
		json_object_object_add(o, "breakdown", json_breakdown(r, &b));
		json_add_str(o, "verdict",
			     hs_verdict(&b, r->points, path, text,
					sizeof(text)));
	}
	json_emit(out, o);
}

static void json_counters(struct dest *out, const struct hs_report *r)
{
	struct hs_pipeline_values pv;
	struct hs_point_values v;
	unsigned int i;
	json_object *o;

	for (i = 0; i < r->points->n; i++) {
		if (!hs_report_point_shown(r, i))
			continue;
		o = json_line("counters", r->final);
		json_add_u64(o, "point", i);
		hs_point_values(r, i, &v);
		json_add_fields(o, &hs_point_fields, &v);
		json_emit(out, o);
	}
	o = json_line("pipeline", r->final);
	hs_pipeline_values(r, &pv);
	json_add_fields(o, &hs_pipeline_fields, &pv);
	json_emit(out, o);
}

/* A line per host but the first: its clock on the first's. */
static void json_clock(struct dest *out, const struct hs_report *r)
{
	unsigned int k;

	for (k = 1; k < r->join->n_hosts; k++) {
		const struct hs_join_clock *j = &r->join->host[k];
		json_object *o = json_line("clock", r->final);

		json_add_str(o, "method", hs_join_method_name(j->method));
		json_add_str(o, "host_a", r->points->host[0]);
		json_add_str(o, "host_b", r->points->host[k]);
		json_add_fields(o, &hs_clock_fields, j);
		json_emit(out, o);
	}
}

static void json_cost(struct dest *out, const struct hs_report *r)
{
	struct hs_hook_cost hc[HS_HOOK_COUNT];
	int h;

	if (!r->final || !hs_report_hook_cost(r, hc))
		return;
	for (h = 0; h < HS_HOOK_COUNT; h++) {
		struct hs_cost_values v;
		json_object *o;

		if (!hc[h].runs)
			continue;
		o = json_line("probe_cost", true);
		json_add_str(o, "hook", hs_hook_name(h));
		hs_cost_values(&hc[h], &v);
		json_add_fields(o, &hs_cost_fields, &v);
		json_emit(out, o);
	}
}

/* A "point" line; since: when a point added mid-run started, 0 for one
 * measured from the start. */
static void json_point(struct dest *d, const struct hs_point_table *t,
		       const struct hs_point_info *pt, uint64_t since)
{
	json_object *o = json_object_new_object();

	json_add_str(o, "type", "point");
	json_add_u64(o, "id", pt->id);
	if (t->n_hosts > 1)
		json_add_str(o, "host", t->host[pt->host]);
	json_add_str(o, "netns", pt->netns);
	if (pt->container.runtime[0])
		json_object_object_add(o, "container",
				       hs_container_to_json(&pt->container));
	json_add_str(o, "ifname", pt->link.ifname);
	json_add_u64(o, "ifindex", (uint64_t)pt->link.ifindex);
	json_add_str(o, "kind", hs_link_kind_name(pt->link.kind));
	json_add_str(o, "hook", hs_hook_name(pt->hook));
	if (pt->xdp_mode[0])
		json_add_str(o, "xdp_mode", pt->xdp_mode);
	/* to find the program with bpftool */
	json_add_u64(o, "prog_id", pt->prog_id);
	if (since)
		json_add_u64(o, "since_ns", since);
	json_emit(d, o);
}

static int points(FILE *f, const struct hs_point_table *t)
{
	struct dest d = { f, 0 };
	unsigned int i;

	for (i = 0; i < t->n; i++)
		if (!t->p[i].skipped && !t->p[i].absent)
			json_point(&d, t, &t->p[i], 0);
	return d.err;
}

int hs_json_point_added(FILE *f, const struct hs_point_table *t, uint16_t id,
			uint64_t ts)
{
	struct dest d = { f, 0 };

	if (!t->p[id].skipped)
		json_point(&d, t, &t->p[id], ts);
	return d.err;
}

int hs_json_points(FILE *f, const struct hs_point_table *t)
{
	return points(f, t);
}

int hs_json_event(FILE *f, uint16_t point, const char *event)
{
	struct dest d = { f, 0 };
	json_object *o = json_object_new_object();

	json_add_str(o, "type", "event");
	json_add_u64(o, "point", point);
	json_add_str(o, "event", event);
	json_emit(&d, o);
	return d.err;
}

int hs_json_report(FILE *f, const struct hs_report *r)
{
	struct dest d = { f, 0 };
	uint32_t i;

	if (r->join)
		json_clock(&d, r);
	for (i = 0; i < r->hops->n_hops; i++)
		json_hop(&d, r, &r->hops->hops[i]);
	for (i = 0; i < r->hops->n_paths; i++) {
		const struct hs_path *p = &r->hops->paths[i];

		/* entries the flows vote on that never carried a packet */
		if (p->leg.total.delay.n || p->leg.total.lost)
			json_path(&d, r, p);
	}
	json_counters(&d, r);
	json_cost(&d, r);
	return d.err;
}

int hs_json_fit(FILE *f, const struct hs_fit_run *runs, unsigned int n,
		const struct hs_fit *fits)
{
	struct dest d = { f, 0 };
	unsigned int i;
	int m;

	for (i = 0; i < n; i++) {
		json_object *o = json_line("fit_run", true);
		struct hs_fit_run_values v;

		json_add_str(o, "file", runs[i].file);
		hs_fit_run_values(&runs[i], &v);
		json_add_fields(o, &hs_fit_run_fields, &v);
		json_emit(&d, o);
	}
	for (m = 0; m < HS_FIT_METRICS; m++) {
		json_object *o = json_line("fit", true);
		struct hs_fit_values v;

		/* the metric as the runs' lines name it */
		json_add_str(o, "metric",
			     hs_fit_metric_field(m)->place[HS_OUT_JSON].name);
		hs_fit_values(&fits[m], &v);
		json_add_fields(o, &hs_fit_fields, &v);
		json_emit(&d, o);
	}
	return d.err;
}

int hs_json_health(FILE *f, const char *status, const char *reasons,
		   const struct hs_health_values *v)
{
	struct dest d = { f, 0 };
	json_object *o = json_object_new_object();

	json_add_str(o, "status", status);
	if (reasons)
		json_add_str(o, "reasons", reasons);
	json_add_fields(o, &hs_health_fields, v);
	json_emit(&d, o);
	return d.err;
}
