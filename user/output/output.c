// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <errno.h>
#include <string.h>
#include <json-c/json.h>
#include "probe/attach.h"
#include "analysis/breakdown.h"
#include "output/csv.h"
#include "analysis/fit.h"
#include "store/join.h"
#include "core/json_fields.h"
#include "output/output.h"
#include "analysis/session.h"

static int open_dest(const char *path, FILE **f, bool *is_stdout)
{
	if (!path)
		return 0;
	if (!strcmp(path, "-")) {
		*f = stdout;
		*is_stdout = true;
		return 0;
	}
	*f = fopen(path, "w");
	return *f ? 0 : -errno;
}

int hs_output_open(struct hs_output *out, const char *json_path,
		   const char *csv_path, bool table, const char **which)
{
	int err;

	memset(out, 0, sizeof(*out));
	*which = json_path;
	err = open_dest(json_path, &out->json, &out->json_is_stdout);
	if (!err) {
		*which = csv_path;
		err = open_dest(csv_path, &out->csv, &out->csv_is_stdout);
	}
	if (err) {
		hs_output_close(out);
		return err;
	}
	if (table)
		out->table = out->json_is_stdout || out->csv_is_stdout ?
				     stderr :
				     stdout;
	return 0;
}

static void close_dest(FILE **f, bool is_stdout)
{
	if (*f && !is_stdout)
		fclose(*f);
	else if (*f)
		fflush(*f);
	*f = NULL;
}

void hs_output_close(struct hs_output *out)
{
	close_dest(&out->json, out->json_is_stdout);
	close_dest(&out->csv, out->csv_is_stdout);
}

static void json_emit(struct hs_output *out, json_object *obj)
{
	if (fprintf(out->json, "%s\n",
		    json_object_to_json_string_ext(obj, JSON_C_TO_STRING_PLAIN)) <
		    0 ||
	    fflush(out->json))
		out->failed = true;
	json_object_put(obj);
}

static void json_add_ns(json_object *o, const char *key, double v)
{
	/* whole nanoseconds: finer digits are noise */
	json_object_object_add(o, key, json_object_new_int64((int64_t)(v + 0.5)));
}

/* A ratio to 4 decimals: the same text wherever it is printed. */
static void json_add_ratio(json_object *o, const char *key, double v)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%.4f", v);
	json_object_object_add(o, key, json_object_new_double_s(v, buf));
}

void hs_output_points(struct hs_output *out, const struct hs_point_table *t)
{
	char name[HS_POINT_NAME_MAX];
	unsigned int i;

	for (i = 0; i < t->n; i++) {
		const struct hs_point_info *pt = &t->p[i];
		json_object *o;

		if (pt->skipped)
			continue;
		if (out->table)
			fprintf(out->table, "point %2u  %s%s%s\n", pt->id,
				hs_point_label(t, pt->id, name, sizeof(name)),
				pt->xdp_mode[0] ? " " : "", pt->xdp_mode);
		if (!out->json)
			continue;
		o = json_object_new_object();
		json_add_str(o, "type", "point");
		json_add_u64(o, "id", pt->id);
		if (t->n_hosts > 1)
			json_add_str(o, "host", t->host[pt->host]);
		json_add_str(o, "netns", pt->netns);
		json_add_str(o, "ifname", pt->link.ifname);
		json_add_u64(o, "ifindex", (uint64_t)pt->link.ifindex);
		json_add_str(o, "kind", pt->link.kind);
		json_add_str(o, "hook", hs_hook_name(pt->hook));
		if (pt->xdp_mode[0])
			json_add_str(o, "xdp_mode", pt->xdp_mode);
		/* to find the program with bpftool */
		json_add_u64(o, "prog_id", pt->prog_id);
		json_emit(out, o);
	}
	if (out->table)
		fflush(out->table);
}

void hs_output_event(struct hs_output *out, uint16_t point, const char *event)
{
	json_object *o;

	if (!out->json)
		return;
	o = json_object_new_object();
	json_add_str(o, "type", "event");
	json_add_u64(o, "point", point);
	json_add_str(o, "event", event);
	json_emit(out, o);
}

static bool in_switch_ns(const struct hs_point_table *t,
			 const struct hs_path *p, const char *ns)
{
	char via[128];
	int i;

	/* a switch hop inside ns: port to port of a bridge or an OVS (a
	 * macvlan hop goes from one function straight to the next) */
	for (i = 1; i < p->n; i++) {
		const struct hs_point_info *a = &t->p[p->points[i - 1]];
		const struct hs_point_info *b = &t->p[p->points[i]];

		if (!strcmp(a->netns, ns) && !strcmp(b->netns, ns) &&
		    a->host == b->host &&
		    !strcmp(hs_points_classify(t, p->points[i - 1],
					       p->points[i], via, sizeof(via)),
			    "switch"))
			return true;
	}
	return false;
}

/*
 * A path as the chain it crosses: "snd -veth-> vnf1 -bridge br0-> vnf2".
 * Namespaces that only switch (a bridge's, an OVS's) fold into the label
 * of the link they make; functions and the two ends are the nodes.
 */
static void path_chain(const struct hs_point_table *t, const struct hs_path *p,
		       char *buf, size_t len)
{
	const struct hs_point_info *node = &t->p[p->points[0]];
	char label[128] = "", via[128];
	size_t used;
	int i;

	used = (size_t)snprintf(buf, len, "%s", node->netns);
	for (i = 1; i < p->n && used < len; i++) {
		const struct hs_point_info *pt = &t->p[p->points[i]];
		const char *kind = hs_points_classify(
			t, p->points[i - 1], p->points[i], via, sizeof(via));

		/* a switch names the link; a wire only if nothing else */
		if (!strcmp(kind, "network"))
			snprintf(label, sizeof(label), "network");
		else if (!strcmp(kind, "switch") ||
			 (!strcmp(kind, "wire") && !label[0]))
			memcpy(label, via, sizeof(label));
		if ((!strcmp(pt->netns, node->netns) && pt->host == node->host) ||
		    in_switch_ns(t, p, pt->netns))
			continue;
		used += (size_t)snprintf(buf + used, len - used, " -%s-> %s",
					 label[0] ? label : "?", pt->netns);
		node = pt;
		label[0] = '\0';
	}
}

static json_object *json_delay(const struct hs_summary *s)
{
	json_object *o = json_object_new_object();

	json_add_u64(o, "min", s->min);
	json_add_u64(o, "max", s->max);
	json_add_ns(o, "mean", s->mean);
	json_add_ns(o, "stdev", s->stdev);
	json_add_u64(o, "p50", s->p50);
	json_add_u64(o, "p90", s->p90);
	json_add_u64(o, "p99", s->p99);
	json_add_u64(o, "p999", s->p999);
	return o;
}

static json_object *json_jitter(const struct hs_jitter *j)
{
	json_object *o = json_object_new_object();

	json_add_ns(o, "last", j->last);
	json_add_ns(o, "mean", hs_jitter_mean(j));
	json_add_ns(o, "max", j->max);
	json_add_u64(o, "ipdv_p50", hs_hist_percentile(&j->ipdv, 50));
	json_add_u64(o, "ipdv_p99", hs_hist_percentile(&j->ipdv, 99));
	return o;
}

static json_object *json_lateness(const struct hs_summary *s)
{
	json_object *o = json_object_new_object();
	struct hs_lateness l;

	hs_lateness(s, &l);
	json_add_u64(o, "max", l.max);
	json_add_ns(o, "mean", l.mean);
	json_add_ns(o, "stdev", l.stdev);
	return o;
}

static double ratio(uint64_t part, uint64_t whole)
{
	return whole ? (double)part / (double)whole : 0.0;
}

/* RFC 4737: how many arrived out of order, how far back, how late. */
static void json_add_reordering(json_object *o, const struct hs_acc *a)
{
	uint64_t measured = a->reordered - a->extent_beyond;
	json_object *e = json_object_new_object();
	json_object *l = json_object_new_object();

	json_add_ratio(o, "reordered_ratio", ratio(a->reordered, a->arrivals));
	json_add_u64(e, "max", a->extent_max);
	json_add_ratio(e, "mean", ratio(a->extent_sum, measured));
	json_add_u64(e, "beyond", a->extent_beyond);
	json_object_object_add(o, "reorder_extent", e);
	json_add_u64(l, "max", a->late_max_ns);
	json_add_ns(l, "mean", ratio(a->late_sum_ns, measured));
	json_object_object_add(o, "reorder_late_ns", l);
}

/* The measurements every hop, path and segment carries. */
static void json_add_acc(json_object *o, const struct hs_acc *a)
{
	struct hs_summary s;

	hs_delay_summary(&a->delay, &s);
	json_add_u64(o, "packets", s.n);
	json_object_object_add(o, "delay_ns", json_delay(&s));
	json_object_object_add(o, "jitter_ns", json_jitter(&a->jitter));
	json_object_object_add(o, "lateness_ns", json_lateness(&s));
	json_add_u64(o, "lost", a->lost);
	json_add_u64(o, "reordered", a->reordered);
	json_add_reordering(o, a);
	json_add_u64(o, "duplicates", a->duplicates);
	if (a->negative) {
		/* two hosts' clocks disagree by more than the delay */
		json_add_u64(o, "negative_delays", a->negative);
		json_add_i64(o, "negative_min_ns", a->negative_min);
	}
}

static json_object *json_line(const char *type, bool final)
{
	json_object *o = json_object_new_object();

	json_add_str(o, "type", type);
	json_object_object_add(o, "final", json_object_new_boolean(final));
	return o;
}

static void json_hop(struct hs_output *out, const struct hs_report *r,
		     const struct hs_hop *hop)
{
	json_object *o = json_line("hop", r->final);
	char via[128];
	const char *kind = hs_points_classify(r->points, hop->from, hop->to,
					      via, sizeof(via));

	json_add_u64(o, "from", hop->from);
	json_add_u64(o, "to", hop->to);
	json_add_str(o, "kind", kind);
	json_add_str(o, "via", via);
	json_add_acc(o, hs_leg_acc(&hop->leg, r->final));
	if (r->join && !strcmp(kind, "network"))
		json_add_i64(o, "delay_uncertainty_ns", r->join->uncertainty_ns);
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
		json_add_str(o, "kind",
			     hs_points_classify(r->points, s->from, s->to, via,
						sizeof(via)));
		json_add_str(o, "via", via);
		json_add_u64(o, "packets", s->packets);
		json_add_ns(o, "mean_ns", s->mean_ns);
		json_add_ns(o, "p99_ns", s->p99_ns);
		json_add_ns(o, "jitter_ns", s->jitter_ns);
		json_add_ratio(o, "mean_share", s->mean_share);
		json_add_ratio(o, "p99_share", s->p99_share);
		json_add_ratio(o, "jitter_share", s->jitter_share);
		json_add_u64(o, "lost", s->lost);
		json_object_array_add(arr, o);
	}
	return arr;
}

static void json_path(struct hs_output *out, const struct hs_report *r,
		      const struct hs_path *path)
{
	json_object *o = json_line("path", r->final);
	json_object *pts = json_object_new_array();
	struct hs_breakdown b;
	char text[1024];
	int i;

	for (i = 0; i < path->n; i++)
		json_object_array_add(pts, json_object_new_int(path->points[i]));
	json_object_object_add(o, "points", pts);
	path_chain(r->points, path, text, sizeof(text));
	json_add_str(o, "chain", text);
	json_add_acc(o, hs_leg_acc(&path->leg, r->final));
	if (!hs_breakdown(r->hops, path, r->final, &b)) {
		json_object_object_add(o, "breakdown", json_breakdown(r, &b));
		json_add_str(o, "verdict",
			     hs_verdict(&b, r->points, path, text, sizeof(text)));
	}
	json_emit(out, o);
}

static void json_counters(struct hs_output *out, const struct hs_report *r)
{
	const struct hs_match_counters *m = r->match;
	const struct hs_session_counters *sc = r->session;
	unsigned int i;
	json_object *o;

	for (i = 0; i < r->points->n; i++) {
		const struct hs_counters *c = &r->counters[i];

		if (r->points->p[i].skipped)
			continue;
		o = json_line("counters", r->final);
		json_add_u64(o, "point", i);
		json_add_u64(o, "seen", c->seen);
		json_add_u64(o, "filtered", c->filtered);
		json_add_u64(o, "sampled_out", c->sampled_out);
		json_add_u64(o, "sampled", c->sampled);
		json_add_u64(o, "recorded", c->recorded);
		json_add_u64(o, "ringbuf_drops", c->ringbuf_drops);
		json_add_u64(o, "parse_errors", c->parse_errors);
		json_add_u64(o, "duplicates", m->point_duplicates[i]);
		json_emit(out, o);
	}
	o = json_line("pipeline", r->final);
	json_add_u64(o, "records", m->records);
	json_add_u64(o, "trajectories", m->trajectories);
	json_add_u64(o, "unmatched", m->singletons);
	json_add_u64(o, "evicted", m->evicted);
	json_add_u64(o, "duplicates", m->duplicates);
	json_add_u64(o, "overflow", m->overflow);
	json_add_u64(o, "warmup", m->warmup);
	json_add_u64(o, "at_end", m->at_end);
	json_add_u64(o, "unverified", r->hops->unverified);
	json_add_u64(o, "hops_overflow", r->hops->hops_overflow);
	json_add_u64(o, "paths_overflow", r->hops->paths_overflow);
	json_add_u64(o, "segments_overflow", r->hops->segments_overflow);
	json_add_u64(o, "flows_replaced", r->hops->flows_replaced);
	json_add_u64(o, "left_out_warmup", sc->left_out_warmup);
	json_add_u64(o, "left_out_cooldown", sc->left_out_cooldown);
	json_add_u64(o, "cooldown_overflow", sc->cooldown_overflow);
	json_add_u64(o, "bad_records", sc->bad_records);
	json_emit(out, o);
}

static void json_clock(struct hs_output *out, const struct hs_report *r)
{
	const struct hs_join_clock *j = r->join;
	json_object *o = json_line("clock", r->final);

	json_add_str(o, "method", hs_join_method_name(j->method));
	json_add_str(o, "host_a", r->points->host[0]);
	json_add_str(o, "host_b", r->points->host[1]);
	json_add_i64(o, "offset_ns", j->offset_ns);
	json_add_i64(o, "uncertainty_ns", j->uncertainty_ns);
	json_add_u64(o, "packets_ab", j->packets_ab);
	json_add_u64(o, "packets_ba", j->packets_ba);
	json_emit(out, o);
}

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

static void table_row(FILE *f, int width, const char *name,
		      const struct hs_acc *a)
{
	struct hs_lateness late;
	struct hs_summary s;
	char v[8][16];

	hs_delay_summary(&a->delay, &s);
	fmt_us(v[0], sizeof(v[0]), (double)s.min);
	fmt_us(v[1], sizeof(v[1]), (double)s.p50);
	fmt_us(v[2], sizeof(v[2]), (double)s.p99);
	fmt_us(v[3], sizeof(v[3]), (double)s.max);
	fmt_us(v[4], sizeof(v[4]), s.mean);
	fmt_us(v[5], sizeof(v[5]), hs_jitter_mean(&a->jitter));
	hs_lateness(&s, &late);
	fmt_us(v[6], sizeof(v[6]), (double)late.max);
	fmt_us(v[7], sizeof(v[7]), late.mean);
	fprintf(f,
		"%-*s %8llu %8s %8s %8s %8s %8s %8s %8s %8s %6llu %6llu\n",
		width, name, (unsigned long long)s.n, v[0], v[1], v[2], v[3],
		v[4], v[5], v[6], v[7], (unsigned long long)a->lost,
		(unsigned long long)a->reordered);
}

static int hop_name(const struct hs_point_table *t, uint16_t from, uint16_t to,
		    char *buf, size_t len)
{
	char a[HS_POINT_NAME_MAX], b[HS_POINT_NAME_MAX];

	return snprintf(buf, len, "%s -> %s",
			hs_point_label(t, from, a, sizeof(a)),
			hs_point_label(t, to, b, sizeof(b)));
}

/* How far a delay between the two hosts can be trusted. */
static void table_join_note(FILE *f, const struct hs_join_clock *j)
{
	if (j->method == HS_JOIN_TAI)
		fprintf(f, " (TAI clocks, taken as they are)");
	else if (j->method == HS_JOIN_REALTIME)
		fprintf(f, " (delay uncertain: realtime clocks trusted)");
	else if (j->uncertainty_ns >= 0)
		fprintf(f, " (delay +- %.2f us: clocks joined)",
			(double)j->uncertainty_ns / 1000.0);
	else
		fprintf(f, " (delay uncertain: the clocks disagree, see above)");
}

/* What a hop row adds under itself: what made the hop, and what else
 * happened on it. */
static void table_hop_notes(FILE *f, const struct hs_report *r,
			    uint16_t from, uint16_t to, const struct hs_acc *a)
{
	char via[128];
	const char *kind =
		hs_points_classify(r->points, from, to, via, sizeof(via));

	fprintf(f, "    %s: %s", kind, via);
	if (r->join && !strcmp(kind, "network"))
		table_join_note(f, r->join);
	if (a->reordered)
		fprintf(f, "; reordered %.2f%%, extent max %s%llu",
			100.0 * ratio(a->reordered, a->arrivals),
			a->extent_beyond ? ">=" : "",
			(unsigned long long)a->extent_max);
	if (a->duplicates)
		fprintf(f, "; %llu duplicates",
			(unsigned long long)a->duplicates);
	if (a->negative)
		fprintf(f, "; WARNING: %llu negative delays (down to %.2f us)",
			(unsigned long long)a->negative,
			(double)a->negative_min / 1000.0);
	fputc('\n', f);
}

static void table_breakdown(FILE *f, const struct hs_report *r,
			    const struct hs_path *p)
{
	struct hs_breakdown b;
	char name[2 * HS_POINT_NAME_MAX + 8], text[1024];
	unsigned int k;

	if (hs_breakdown(r->hops, p, r->final, &b))
		return;
	if (r->final) {
		fprintf(f, "    share of  mean   p99 jitter  hop\n");
		for (k = 0; k < b.n; k++) {
			hs_hop_label(r->points, b.hop[k].from, b.hop[k].to,
				     name, sizeof(name));
			fprintf(f, "             %4.0f%% %4.0f%%  %4.0f%%  %s\n",
				100 * b.hop[k].mean_share,
				100 * b.hop[k].p99_share,
				100 * b.hop[k].jitter_share, name);
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
	fprintf(f, "%-*s %8s %8s %8s %8s %8s %8s %8s %8s %8s %6s %6s\n", width,
		"hop (times in us)", "pkts", "min", "p50", "p99", "max", "mean",
		"jitter", "late.max", "late.avg", "lost", "reord");
	for (i = 0; i < h->n_hops; i++) {
		const struct hs_hop *hop = &h->hops[i];
		const struct hs_acc *a = hs_leg_acc(&hop->leg, r->final);

		if (!a->delay.n && !a->lost)
			continue;
		hop_name(r->points, hop->from, hop->to, name, sizeof(name));
		table_row(f, width, name, a);
		table_hop_notes(f, r, hop->from, hop->to, a);
	}
	for (i = 0; i < h->n_paths; i++) {
		const struct hs_path *p = &h->paths[i];
		const struct hs_acc *a = hs_leg_acc(&p->leg, r->final);
		char from[HS_POINT_NAME_MAX], to[HS_POINT_NAME_MAX];

		if (!a->delay.n)
			continue;
		snprintf(name, sizeof(name), "path %s -> %s (%d points)",
			 hs_point_label(r->points, p->points[0], from,
					sizeof(from)),
			 hs_point_label(r->points, p->points[p->n - 1], to,
					sizeof(to)),
			 p->n);
		table_row(f, width, name, a);
		path_chain(r->points, p, name, sizeof(name));
		fprintf(f, "    chain: %s\n", name);
		table_breakdown(f, r, p);
	}
}

static void table_pipeline(FILE *f, const struct hs_report *r)
{
	const struct hs_session_counters *sc = r->session;
	struct hs_counters sum = {};
	unsigned int i;

	for (i = 0; i < r->points->n; i++) {
		const struct hs_counters *c = &r->counters[i];

		sum.seen += c->seen;
		sum.filtered += c->filtered;
		sum.sampled += c->sampled;
		sum.recorded += c->recorded;
		sum.ringbuf_drops += c->ringbuf_drops;
		sum.parse_errors += c->parse_errors;
	}
	fprintf(f,
		"pipeline: seen %llu, filtered %llu, sampled %llu, recorded %llu, "
		"ringbuf drops %llu, parse errors %llu; trajectories %llu, "
		"unmatched %llu, evicted %llu, duplicates %llu, unverified %llu\n",
		(unsigned long long)sum.seen, (unsigned long long)sum.filtered,
		(unsigned long long)sum.sampled,
		(unsigned long long)sum.recorded,
		(unsigned long long)sum.ringbuf_drops,
		(unsigned long long)sum.parse_errors,
		(unsigned long long)r->match->trajectories,
		(unsigned long long)r->match->singletons,
		(unsigned long long)r->match->evicted,
		(unsigned long long)r->match->duplicates,
		(unsigned long long)r->hops->unverified);
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
			(unsigned long long)r->match->overflow, HS_MAX_TRAJ_POINTS,
			(unsigned long long)r->hops->hops_overflow, HS_MAX_HOPS,
			(unsigned long long)r->hops->paths_overflow, HS_MAX_PATHS,
			(unsigned long long)r->hops->segments_overflow,
			(unsigned long long)r->hops->flows_replaced,
			(unsigned long long)sc->cooldown_overflow);
	if (sum.ringbuf_drops || r->match->evicted)
		fprintf(f, "pipeline: WARNING: %llu records were never recorded "
			   "and %llu trajectories were cut short by a full match "
			   "table; neither is counted as packet loss\n",
			(unsigned long long)sum.ringbuf_drops,
			(unsigned long long)r->match->evicted);
	if (sc->bad_records)
		fprintf(f, "pipeline: WARNING: %llu malformed records ignored\n",
			(unsigned long long)sc->bad_records);
}

/* The probes' cost per hook, summed over the points with that hook. */
struct hook_cost {
	uint64_t ns, runs;
	unsigned int points;
};

static bool sum_cost(const struct hs_report *r, struct hook_cost *hc)
{
	bool any = false;
	unsigned int i;

	memset(hc, 0, HS_HOOK_COUNT * sizeof(*hc));
	if (!r->cost)
		return false;
	for (i = 0; i < r->points->n; i++) {
		const struct hs_probe_cost *c = &r->cost[i];
		uint8_t h = r->points->p[i].hook;

		if (!c->run_cnt || h >= HS_HOOK_COUNT)
			continue;
		hc[h].ns += c->run_time_ns;
		hc[h].runs += c->run_cnt;
		hc[h].points++;
		any = true;
	}
	return any;
}

static void table_cost(FILE *f, const struct hs_report *r)
{
	struct hook_cost hc[HS_HOOK_COUNT];
	const char *sep = "";
	int h;

	if (!r->final || !sum_cost(r, hc))
		return;
	fprintf(f, "probe cost (the kernel's timing, 0.2 s in every 10 s):");
	for (h = 0; h < HS_HOOK_COUNT; h++) {
		if (!hc[h].runs)
			continue;
		fprintf(f, "%s %s %.0f ns a packet (%llu packets, %u points)",
			sep, hs_hook_name(h), (double)hc[h].ns / (double)hc[h].runs,
			(unsigned long long)hc[h].runs, hc[h].points);
		sep = ";";
	}
	fputc('\n', f);
}

static void json_cost(struct hs_output *out, const struct hs_report *r)
{
	struct hook_cost hc[HS_HOOK_COUNT];
	int h;

	if (!r->final || !sum_cost(r, hc))
		return;
	for (h = 0; h < HS_HOOK_COUNT; h++) {
		json_object *o;

		if (!hc[h].runs)
			continue;
		o = json_line("probe_cost", true);
		json_add_str(o, "hook", hs_hook_name(h));
		json_add_u64(o, "points", hc[h].points);
		json_add_u64(o, "packets", hc[h].runs);
		json_add_u64(o, "run_time_ns", hc[h].ns);
		json_add_ns(o, "ns_per_packet", (double)hc[h].ns / (double)hc[h].runs);
		json_emit(out, o);
	}
}

static void table_clock(FILE *f, const struct hs_report *r)
{
	const struct hs_join_clock *j = r->join;

	fprintf(f, "clocks: %s -> %s joined by %s: offset %.3f us", r->points->host[0],
		r->points->host[1], hs_join_method_name(j->method),
		(double)j->offset_ns / 1000.0);
	if (j->uncertainty_ns >= 0)
		fprintf(f, " +- %.3f us", (double)j->uncertainty_ns / 1000.0);
	fprintf(f, " (%llu packets one way, %llu the other)\n",
		(unsigned long long)j->packets_ab,
		(unsigned long long)j->packets_ba);
}

static void csv_report(struct hs_output *out, const struct hs_report *r)
{
	if (!out->csv_header_done) {
		out->csv_header_done = true;
		if (hs_csv_header(out->csv))
			out->failed = true;
	}
	if (hs_csv_report(out->csv, r, ++out->csv_reports) || fflush(out->csv))
		out->failed = true;
}

void hs_output_report(struct hs_output *out, const struct hs_report *r)
{
	uint32_t i;

	if (out->table) {
		if (r->final)
			fprintf(out->table, "\n== summary: %.1f s ==\n",
				r->elapsed_s);
		else
			fprintf(out->table, "\n== %.1f s (last %.1f s) ==\n",
				r->elapsed_s, r->interval_s);
		if (r->join)
			table_clock(out->table, r);
		table_hops(out->table, r);
		table_pipeline(out->table, r);
		table_cost(out->table, r);
		fflush(out->table);
	}
	if (out->csv)
		csv_report(out, r);
	if (!out->json)
		return;
	if (r->join)
		json_clock(out, r);
	for (i = 0; i < r->hops->n_hops; i++)
		json_hop(out, r, &r->hops->hops[i]);
	for (i = 0; i < r->hops->n_paths; i++) {
		const struct hs_path *p = &r->hops->paths[i];

		/* entries the flows vote on that never carried a packet */
		if (p->leg.total.delay.n || p->leg.total.lost)
			json_path(out, r, p);
	}
	json_counters(out, r);
	json_cost(out, r);
}

void hs_output_fit(struct hs_output *out, const struct hs_fit_run *runs,
		   unsigned int n, const struct hs_fit *fits)
{
	FILE *f = out->table;
	unsigned int i;
	int m;

	if (f) {
		fprintf(f, "%-40s %9s %9s %10s %10s %10s %10s %10s\n",
			"run (times in us)", "functions", "packets", "mean",
			"p50", "p99", "jitter", "late.avg");
		for (i = 0; i < n; i++)
			fprintf(f, "%-40s %9u %9llu %10.2f %10.2f %10.2f %10.2f %10.2f\n",
				runs[i].file, runs[i].functions,
				(unsigned long long)runs[i].packets,
				runs[i].value[HS_FIT_DELAY_MEAN] / 1000,
				runs[i].value[HS_FIT_DELAY_P50] / 1000,
				runs[i].value[HS_FIT_DELAY_P99] / 1000,
				runs[i].value[HS_FIT_JITTER_MEAN] / 1000,
				runs[i].value[HS_FIT_LATENESS_MEAN] / 1000);
		fprintf(f, "\nfit over %u runs, against the number of functions:\n",
			n);
		fprintf(f, "%-16s %18s %14s %8s\n", "metric", "slope/function us",
			"intercept us", "R^2");
		for (m = 0; m < HS_FIT_METRICS; m++)
			fprintf(f, "%-16s %18.3f %14.3f %8.4f\n",
				hs_fit_metric_name(m), fits[m].slope / 1000,
				fits[m].intercept / 1000, fits[m].r2);
		fflush(f);
	}
	if (!out->json)
		return;
	for (i = 0; i < n; i++) {
		json_object *o = json_line("fit_run", true);

		json_add_str(o, "file", runs[i].file);
		json_add_u64(o, "functions", runs[i].functions);
		json_add_u64(o, "packets", runs[i].packets);
		for (m = 0; m < HS_FIT_METRICS; m++) {
			char key[40];

			snprintf(key, sizeof(key), "%s_ns", hs_fit_metric_name(m));
			json_add_ns(o, key, runs[i].value[m]);
		}
		json_emit(out, o);
	}
	for (m = 0; m < HS_FIT_METRICS; m++) {
		json_object *o = json_line("fit", true);
		char key[40];

		snprintf(key, sizeof(key), "%s_ns", hs_fit_metric_name(m));
		json_add_str(o, "metric", key);
		json_add_u64(o, "runs", fits[m].n);
		json_add_ratio(o, "slope_ns", fits[m].slope);
		json_add_ratio(o, "intercept_ns", fits[m].intercept);
		json_add_ratio(o, "r2", fits[m].r2);
		json_emit(out, o);
	}
}
