// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <errno.h>
#include <string.h>
#include <json-c/json.h>
#include "output.h"

int hs_output_open(struct hs_output *out, const char *json_path, bool table)
{
	memset(out, 0, sizeof(*out));
	if (json_path && !strcmp(json_path, "-")) {
		out->json = stdout;
		out->json_is_stdout = true;
	} else if (json_path) {
		out->json = fopen(json_path, "w");
		if (!out->json)
			return -errno;
	}
	if (table)
		out->table = out->json_is_stdout ? stderr : stdout;
	return 0;
}

void hs_output_close(struct hs_output *out)
{
	if (out->json && !out->json_is_stdout)
		fclose(out->json);
	else if (out->json)
		fflush(out->json);
	out->json = NULL;
}

const char *hs_point_name(const struct hs_point *pt, char *buf, size_t len)
{
	snprintf(buf, len, "%s:%s %s", pt->ns->name, pt->link.ifname,
		 hs_hook_name(pt->hook));
	return buf;
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

static void json_add_u64(json_object *o, const char *key, uint64_t v)
{
	json_object_object_add(o, key, json_object_new_uint64(v));
}

static void json_add_str(json_object *o, const char *key, const char *v)
{
	json_object_object_add(o, key, json_object_new_string(v));
}

static void json_add_ns(json_object *o, const char *key, double v)
{
	/* whole nanoseconds: finer digits are noise */
	json_object_object_add(o, key, json_object_new_int64((int64_t)(v + 0.5)));
}

void hs_output_points(struct hs_output *out, const struct hs_probes *p)
{
	char name[HS_POINT_NAME_MAX];
	unsigned int i;

	for (i = 0; i < p->n; i++) {
		const struct hs_point *pt = &p->points[i];
		json_object *o;

		if (pt->skipped)
			continue;
		if (out->table)
			fprintf(out->table, "point %2u  %s%s%s\n", pt->id,
				hs_point_name(pt, name, sizeof(name)),
				pt->xdp_mode ? " " : "",
				pt->xdp_mode ? pt->xdp_mode : "");
		if (!out->json)
			continue;
		o = json_object_new_object();
		json_add_str(o, "type", "point");
		json_add_u64(o, "id", pt->id);
		json_add_str(o, "netns", pt->ns->name);
		json_add_str(o, "ifname", pt->link.ifname);
		json_add_u64(o, "ifindex", pt->link.ifindex);
		json_add_str(o, "kind", pt->link.kind);
		json_add_str(o, "hook", hs_hook_name(pt->hook));
		if (pt->xdp_mode)
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

static const char *classify(const struct hs_probes *p, uint16_t from,
			    uint16_t to, char *via, size_t len)
{
	const struct hs_point *a = &p->points[from], *b = &p->points[to];
	struct hs_hop_end ea = { a->ns->name, &a->link, a->hook };
	struct hs_hop_end eb = { b->ns->name, &b->link, b->hook };

	return hs_hop_classify(&ea, &eb, via, len);
}

static bool in_switch_ns(const struct hs_probes *pr, const struct hs_path *p,
			 const struct hs_netns *ns)
{
	char via[128];
	int i;

	/* a switch hop inside ns: port to port of a bridge or an OVS (a
	 * macvlan hop goes from one function straight to the next) */
	for (i = 1; i < p->n; i++) {
		const struct hs_point *a = &pr->points[p->points[i - 1]];
		const struct hs_point *b = &pr->points[p->points[i]];

		if (a->ns == ns && b->ns == ns &&
		    !strcmp(classify(pr, p->points[i - 1],
						    p->points[i], via,
						    sizeof(via)),
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
static void path_chain(const struct hs_probes *pr, const struct hs_path *p,
		       char *buf, size_t len)
{
	const struct hs_netns *node = pr->points[p->points[0]].ns;
	char label[128] = "", via[128];
	size_t used;
	int i;

	used = (size_t)snprintf(buf, len, "%s", node->name);
	for (i = 1; i < p->n && used < len; i++) {
		const struct hs_netns *ns = pr->points[p->points[i]].ns;
		const char *kind = classify(pr, p->points[i - 1], p->points[i],
					    via, sizeof(via));

		/* a switch names the link; a wire only if nothing else */
		if (!strcmp(kind, "switch") ||
		    (!strcmp(kind, "wire") && !label[0]))
			memcpy(label, via, sizeof(label));
		if (ns == node || in_switch_ns(pr, p, ns))
			continue;
		used += (size_t)snprintf(buf + used, len - used, " -%s-> %s",
					 label[0] ? label : "?", ns->name);
		node = ns;
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

static const struct hs_acc *pick(const struct hs_acc *interval,
				 const struct hs_acc *total, bool final)
{
	return final ? total : interval;
}

/* The measurements a hop and a path share. */
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
	const char *kind = classify(r->probes, hop->from, hop->to, via,
				    sizeof(via));

	json_add_u64(o, "from", hop->from);
	json_add_u64(o, "to", hop->to);
	json_add_str(o, "kind", kind);
	json_add_str(o, "via", via);
	json_add_acc(o, pick(&hop->interval, &hop->total, r->final));
	json_emit(out, o);
}

static void json_path(struct hs_output *out, const struct hs_report *r,
		      const struct hs_path *path)
{
	json_object *o = json_line("path", r->final);
	json_object *pts = json_object_new_array();
	char chain[1024];
	int i;


	for (i = 0; i < path->n; i++)
		json_object_array_add(pts, json_object_new_int(path->points[i]));
	json_object_object_add(o, "points", pts);
	path_chain(r->probes, path, chain, sizeof(chain));
	json_add_str(o, "chain", chain);
	json_add_acc(o, pick(&path->interval, &path->total, r->final));
	json_emit(out, o);
}

static void json_counters(struct hs_output *out, const struct hs_report *r)
{
	const struct hs_match_counters *m = r->match;
	unsigned int i;
	json_object *o;

	for (i = 0; i < r->probes->n; i++) {
		struct hs_counters c;

		if (hs_probes_counters(r->probes, i, &c))
			continue;
		o = json_line("counters", r->final);
		json_add_u64(o, "point", i);
		json_add_u64(o, "seen", c.seen);
		json_add_u64(o, "filtered", c.filtered);
		json_add_u64(o, "sampled_out", c.sampled_out);
		json_add_u64(o, "sampled", c.sampled);
		json_add_u64(o, "recorded", c.recorded);
		json_add_u64(o, "ringbuf_drops", c.ringbuf_drops);
		json_add_u64(o, "parse_errors", c.parse_errors);
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
	json_add_u64(o, "flows_replaced", r->hops->flows_replaced);
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

static void table_hops(FILE *f, const struct hs_report *r)
{
	char from[HS_POINT_NAME_MAX], to[HS_POINT_NAME_MAX], via[128];
	char name[2 * HS_POINT_NAME_MAX + 32];
	const struct hs_hops *h = r->hops;
	int width = 40;
	uint32_t i;

	/* first pass: the widest hop name sets the column */
	for (i = 0; i < h->n_hops; i++) {
		const struct hs_hop *hop = &h->hops[i];
		int len = snprintf(name, sizeof(name), "%s -> %s",
				   hs_point_name(&r->probes->points[hop->from],
						 from, sizeof(from)),
				   hs_point_name(&r->probes->points[hop->to],
						 to, sizeof(to)));
		if (len > width)
			width = len;
	}
	fprintf(f, "%-*s %8s %8s %8s %8s %8s %8s %8s %8s %8s %6s %6s\n", width,
		"hop (times in us)", "pkts", "min", "p50", "p99", "max", "mean",
		"jitter", "late.max", "late.avg", "lost", "reord");
	for (i = 0; i < h->n_hops; i++) {
		const struct hs_hop *hop = &h->hops[i];
		const struct hs_acc *a =
			pick(&hop->interval, &hop->total, r->final);
		const char *kind;

		if (!a->delay.n && !a->lost)
			continue;
		snprintf(name, sizeof(name), "%s -> %s",
			 hs_point_name(&r->probes->points[hop->from], from,
				       sizeof(from)),
			 hs_point_name(&r->probes->points[hop->to], to,
				       sizeof(to)));
		table_row(f, width, name, a);
		kind = classify(r->probes, hop->from, hop->to, via, sizeof(via));
		fprintf(f, "    %s: %s\n", kind, via);
	}
	for (i = 0; i < h->n_paths; i++) {
		const struct hs_path *p = &h->paths[i];
		const struct hs_acc *a = pick(&p->interval, &p->total, r->final);

		if (!a->delay.n)
			continue;
		snprintf(name, sizeof(name), "path %s -> %s (%d points)",
			 hs_point_name(&r->probes->points[p->points[0]], from,
				       sizeof(from)),
			 hs_point_name(&r->probes->points[p->points[p->n - 1]],
				       to, sizeof(to)),
			 p->n);
		table_row(f, width, name, a);
		path_chain(r->probes, p, name, sizeof(name));
		fprintf(f, "    chain: %s\n", name);
	}
}

static void table_pipeline(FILE *f, const struct hs_report *r)
{
	struct hs_counters sum = {}, c;
	unsigned int i;

	for (i = 0; i < r->probes->n; i++) {
		if (hs_probes_counters(r->probes, i, &c))
			continue;
		sum.seen += c.seen;
		sum.filtered += c.filtered;
		sum.sampled += c.sampled;
		sum.recorded += c.recorded;
		sum.ringbuf_drops += c.ringbuf_drops;
		sum.parse_errors += c.parse_errors;
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
	if (r->match->overflow || r->hops->hops_overflow ||
	    r->hops->paths_overflow || r->hops->flows_replaced)
		fprintf(f,
			"pipeline: WARNING: limits reached: %llu sightings past %d points a packet, "
			"%llu hops past %d, %llu paths past %d, %llu flows replaced\n",
			(unsigned long long)r->match->overflow, HS_MAX_TRAJ_POINTS,
			(unsigned long long)r->hops->hops_overflow, HS_MAX_HOPS,
			(unsigned long long)r->hops->paths_overflow, HS_MAX_PATHS,
			(unsigned long long)r->hops->flows_replaced);
	if (sum.ringbuf_drops || r->match->evicted)
		fprintf(f, "pipeline: WARNING: %llu records were never recorded "
			   "and %llu trajectories were cut short by a full match "
			   "table; neither is counted as packet loss\n",
			(unsigned long long)sum.ringbuf_drops,
			(unsigned long long)r->match->evicted);
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
		table_hops(out->table, r);
		table_pipeline(out->table, r);
		fflush(out->table);
	}
	if (!out->json)
		return;
	for (i = 0; i < r->hops->n_hops; i++)
		json_hop(out, r, &r->hops->hops[i]);
	for (i = 0; i < r->hops->n_paths; i++) {
		const struct hs_path *p = &r->hops->paths[i];

		/* entries the flows vote on that never carried a packet */
		if (p->total.delay.n || p->total.lost)
			json_path(out, r, p);
	}
	json_counters(out, r);
}
