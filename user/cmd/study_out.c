// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * study_out.c - what `hopscope study` leaves in its directory:
 * results.jsonl (one line per cell and per fit), a CSV per experiment,
 * and report.html, one self-contained page whose plots are SVG drawn by
 * gnuplot and inlined, the paper's figures beside this host's.
 */
#include <errno.h>
#include <json-c/json.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include "hopscope.h"
#include "cmd/study.h"
#include "core/log.h"
#include "core/util.h"

/* ---- the paper's figures (Anderson et al.) ---- */

struct paper_jitter {
	double min, max, mean, s; /* Table I, us */
	double late_max, late_mean, late_s; /* Table II, us */
};

/* direct, macvlan, SR-IOV, bridge, OVS; native has no row */
static const struct paper_jitter *paper_table(enum hs_study_tech t)
{
	t = hs_study_paper_tech(t);
	static const struct paper_jitter rows[HS_TECHS] = {
		[HS_TECH_DIRECT] = { 0.17, 7.50, 0.87, 0.69, 214, 41.40, 40.49 },
		[HS_TECH_MACVLAN] = { 2.57, 10.25, 6.79, 0.55, 114, 12.22, 5.88 },
		[HS_TECH_SRIOV] = { 3.00, 27.97, 7.96, 1.87, 391, 53.83, 43.23 },
		[HS_TECH_BRIDGE] = { 1.60, 20.71, 6.76, 3.43, 3326, 1685.29,
				     1181.90 },
		[HS_TECH_OVS] = { 1.35, 24.47, 6.96, 3.71, 9727, 6068.86,
				  2289.98 },
	};

	return rows[t].max ? &rows[t] : NULL;
}

/* Figs 2/3: latency over native, %; Fig 5: CPU per packet over direct,
 * %; Table III: R^2 of round-trip time and of delay variation. NAN: the
 * paper has none. */
static double paper_latency_over_native(enum hs_study_tech t)
{
	switch (hs_study_paper_tech(t)) {
	case HS_TECH_BRIDGE: return 3.2;
	case HS_TECH_OVS: return 4.9;
	case HS_TECH_MACVLAN: return 1.1;
	case HS_TECH_SRIOV: return 1.0;
	default: return NAN;
	}
}

static double paper_cpu_over_direct(enum hs_study_tech t)
{
	switch (hs_study_paper_tech(t)) {
	case HS_TECH_MACVLAN: return 11.2;
	case HS_TECH_BRIDGE: return 53.4;
	case HS_TECH_OVS: return 26.6;
	case HS_TECH_SRIOV: return 0.0;
	default: return NAN;
	}
}

static double paper_r2(enum hs_study_tech t, bool jitter)
{
	switch (hs_study_paper_tech(t)) {
	case HS_TECH_MACVLAN: return jitter ? 0.963 : 0.968;
	case HS_TECH_SRIOV: return jitter ? 0.920 : 0.970;
	case HS_TECH_BRIDGE: return jitter ? 0.965 : 0.981;
	case HS_TECH_OVS: return jitter ? 0.964 : 0.994;
	default: return NAN;
	}
}

/* ---- results.jsonl ---- */

static json_object *jnum(double v)
{
	return json_object_new_double(v);
}

static json_object *leg_json(const struct hs_study_leg *l)
{
	json_object *o = json_object_new_object(), *d, *j, *late;

	json_object_object_add(o, "packets", json_object_new_int64((int64_t)l->packets));
	json_object_object_add(o, "lost", json_object_new_int64((int64_t)l->lost));
	d = json_object_new_object();
	json_object_object_add(d, "mean", jnum(l->mean));
	json_object_object_add(d, "stdev", jnum(l->stdev));
	json_object_object_add(d, "min", jnum(l->min));
	json_object_object_add(d, "p50", jnum(l->p50));
	json_object_object_add(d, "p99", jnum(l->p99));
	json_object_object_add(d, "max", jnum(l->max));
	json_object_object_add(o, "delay_ns", d);
	j = json_object_new_object();
	json_object_object_add(j, "min", jnum(l->j_min));
	json_object_object_add(j, "max", jnum(l->j_max));
	json_object_object_add(j, "mean", jnum(l->j_mean));
	json_object_object_add(j, "stdev", jnum(l->j_stdev));
	json_object_object_add(o, "jitter_ns", j);
	late = json_object_new_object();
	json_object_object_add(late, "max", jnum(l->late_max));
	json_object_object_add(late, "mean", jnum(l->late_mean));
	json_object_object_add(late, "stdev", jnum(l->late_stdev));
	json_object_object_add(o, "lateness_ns", late);
	return o;
}

static json_object *cell_json(const struct hs_study_cell *c)
{
	json_object *o = json_object_new_object(), *hops, *x;
	unsigned int i;

	json_object_object_add(o, "type", json_object_new_string("cell"));
	json_object_object_add(o, "experiment",
			       json_object_new_string(hs_study_exp_names[c->exp]));
	json_object_object_add(o, "tech",
			       json_object_new_string(hs_study_tech_names[c->tech]));
	json_object_object_add(o, "frame", json_object_new_int((int)c->frame));
	json_object_object_add(o, "functions",
			       json_object_new_int((int)c->functions));
	json_object_object_add(o, "available",
			       json_object_new_boolean(c->available));
	json_object_object_add(o, "reason", json_object_new_string(c->reason));
	if (!c->available)
		return o;
	json_object_object_add(o, "links", json_object_new_string(c->kinds));
	json_object_object_add(o, "rate_pps", json_object_new_int64(c->rate_pps));
	json_object_object_add(o, "path", leg_json(&c->path));
	hops = json_object_new_array();
	for (i = 0; i < c->n_hops; i++) {
		const struct hs_study_hop *h = &c->hops[i];
		json_object *ho = leg_json(&h->leg);

		json_object_object_add(ho, "name", json_object_new_string(h->name));
		json_object_object_add(ho, "kind", json_object_new_string(h->kind));
		json_object_object_add(ho, "share", jnum(h->share));
		json_object_array_add(hops, ho);
	}
	json_object_object_add(o, "hops", hops);
	if (c->exp == HS_EXP_EFFICIENCY) {
		x = json_object_new_object();
		json_object_object_add(x, "user", jnum(c->cpu_user));
		json_object_object_add(x, "system", jnum(c->cpu_system));
		json_object_object_add(x, "softirq", jnum(c->cpu_softirq));
		json_object_object_add(x, "probe", jnum(c->probe_ns));
		json_object_object_add(o, "cpu_ns_per_packet", x);
	}
	if (c->exp == HS_EXP_ROUNDTRIP) {
		json_object_object_add(o, "back", leg_json(&c->back));
		x = json_object_new_object();
		json_object_object_add(x, "observations",
				       json_object_new_int64((int64_t)c->sp_observations));
		json_object_object_add(x, "rtt_mean_ns", jnum(c->sp_rtt_mean));
		json_object_object_add(x, "rtt_stdev_ns", jnum(c->sp_rtt_stdev));
		json_object_object_add(x, "rtt_p50_ns", jnum(c->sp_rtt_p50));
		json_object_object_add(x, "rtt_p99_ns", jnum(c->sp_rtt_p99));
		json_object_object_add(o, "sockperf", x);
	}
	return o;
}

static json_object *fit_json(const struct hs_study_fit *f)
{
	json_object *o = json_object_new_object(), *pts = json_object_new_array();
	unsigned int i;

	json_object_object_add(o, "type", json_object_new_string("fit"));
	json_object_object_add(o, "tech",
			       json_object_new_string(hs_study_tech_names[f->tech]));
	json_object_object_add(o, "metric", json_object_new_string(f->metric));
	for (i = 0; i < f->n; i++) {
		json_object *p = json_object_new_array();

		json_object_array_add(p, json_object_new_int((int)f->x[i]));
		json_object_array_add(p, jnum(f->y[i]));
		json_object_array_add(pts, p);
	}
	json_object_object_add(o, "points", pts);
	json_object_object_add(o, "slope", jnum(f->slope));
	json_object_object_add(o, "intercept", jnum(f->intercept));
	json_object_object_add(o, "r2", jnum(f->r2));
	return o;
}

static json_object *study_json(const struct hs_study_results *r)
{
	const struct hs_study_host *h = &r->host;
	json_object *o = json_object_new_object(), *host = json_object_new_object();

	json_object_object_add(o, "type", json_object_new_string("study"));
	json_object_object_add(o, "quick", json_object_new_boolean(r->opts->quick));
	json_object_object_add(o, "started", json_object_new_string(h->started));
	json_object_object_add(o, "seconds", jnum(h->seconds));
	json_object_object_add(o, "max_vnfs", json_object_new_int((int)r->opts->max_vnfs));
	json_object_object_add(host, "cpu", json_object_new_string(h->cpu));
	json_object_object_add(host, "cpus", json_object_new_int((int)h->cpus));
	json_object_object_add(host, "kernel", json_object_new_string(h->kernel));
	json_object_object_add(host, "pinned", json_object_new_boolean(h->pinned));
	json_object_object_add(host, "ovs_datapath",
			       json_object_new_string(h->ovs_datapath));
	json_object_object_add(o, "host", host);
	return o;
}

static int write_line(FILE *f, json_object *o)
{
	int ret = fprintf(f, "%s\n",
			  json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));

	json_object_put(o);
	return ret < 0 ? -EIO : 0;
}

static FILE *open_out(const struct hs_study_results *r, const char *name,
		      char *path, size_t len)
{
	FILE *f;

	snprintf(path, len, "%s/%s", r->opts->out, name);
	f = fopen(path, "we");
	if (!f)
		pr_err("cannot write '%s': %s", path, strerror(errno));
	return f;
}

static int close_out(FILE *f, const char *path)
{
	if (ferror(f) | fclose(f)) {
		pr_err("writing '%s' failed", path);
		return -EIO;
	}
	return 0;
}

static int write_jsonl(const struct hs_study_results *r)
{
	char path[PATH_MAX];
	FILE *f = open_out(r, "results.jsonl", path, sizeof(path));
	unsigned int i;

	if (!f)
		return -errno;
	write_line(f, study_json(r));
	for (i = 0; i < r->n_cells; i++)
		write_line(f, cell_json(&r->cells[i]));
	for (i = 0; i < r->n_fits; i++)
		write_line(f, fit_json(&r->fits[i]));
	return close_out(f, path);
}

/* ---- CSV, one per experiment ---- */

static void csv_leg(FILE *f, const struct hs_study_leg *l)
{
	fprintf(f, ",%llu,%llu,%.0f,%.0f,%.0f,%.0f,%.0f,%.0f,%.1f,%.1f,%.1f,%.1f,%.0f,%.1f,%.1f",
		(unsigned long long)l->packets, (unsigned long long)l->lost,
		l->mean, l->stdev, l->min, l->p50, l->p99, l->max, l->j_min,
		l->j_max, l->j_mean, l->j_stdev, l->late_max, l->late_mean,
		l->late_stdev);
}

#define CSV_LEG_HEAD                                                         \
	"packets,lost,delay_mean_ns,delay_stdev_ns,delay_min_ns,delay_p50_ns," \
	"delay_p99_ns,delay_max_ns,jitter_min_ns,jitter_max_ns,"             \
	"jitter_mean_ns,jitter_stdev_ns,late_max_ns,late_mean_ns,late_stdev_ns"

static int write_csv(const struct hs_study_results *r, enum hs_study_exp e)
{
	char name[64], path[PATH_MAX];
	unsigned int i, k;
	FILE *f;

	snprintf(name, sizeof(name), "%s.csv", hs_study_exp_names[e]);
	f = open_out(r, name, path, sizeof(path));
	if (!f)
		return -errno;
	fprintf(f, "tech,frame,functions,rate_pps,hop,share," CSV_LEG_HEAD);
	if (e == HS_EXP_EFFICIENCY)
		fprintf(f, ",cpu_user_ns,cpu_system_ns,cpu_softirq_ns,probe_ns");
	if (e == HS_EXP_ROUNDTRIP)
		fprintf(f, ",back_delay_mean_ns,sockperf_rtt_mean_ns,sockperf_rtt_p50_ns,sockperf_rtt_p99_ns");
	fprintf(f, "\n");
	for (i = 0; i < r->n_cells; i++) {
		const struct hs_study_cell *c = &r->cells[i];

		if (c->exp != e || !c->available)
			continue;
		/* the path, then its hops */
		fprintf(f, "%s,%u,%u,%u,end-to-end,1", hs_study_tech_names[c->tech],
			c->frame, c->functions, c->rate_pps);
		csv_leg(f, &c->path);
		if (e == HS_EXP_EFFICIENCY)
			fprintf(f, ",%.0f,%.0f,%.0f,%.0f", c->cpu_user,
				c->cpu_system, c->cpu_softirq, c->probe_ns);
		if (e == HS_EXP_ROUNDTRIP)
			fprintf(f, ",%.0f,%.0f,%.0f,%.0f", c->back.mean,
				c->sp_rtt_mean, c->sp_rtt_p50, c->sp_rtt_p99);
		fprintf(f, "\n");
		for (k = 0; k < c->n_hops; k++) {
			fprintf(f, "%s,%u,%u,%u,\"%s\",%.4f",
				hs_study_tech_names[c->tech], c->frame,
				c->functions, c->rate_pps, c->hops[k].name,
				c->hops[k].share);
			csv_leg(f, &c->hops[k].leg);
			if (e == HS_EXP_EFFICIENCY)
				fprintf(f, ",,,,");
			if (e == HS_EXP_ROUNDTRIP)
				fprintf(f, ",,,,");
			fprintf(f, "\n");
		}
	}
	return close_out(f, path);
}

/* ---- plots: gnuplot, SVG, inlined ---- */

struct plot {
	FILE *gp;
	char svg[PATH_MAX];
};

static int plot_begin(struct plot *p, const struct hs_study_results *r,
		      const char *name, const char *title, const char *xlabel,
		      const char *ylabel)
{
	snprintf(p->svg, sizeof(p->svg), "%s/raw/%s.svg", r->opts->out, name);
	p->gp = popen("gnuplot", "we");
	if (!p->gp) {
		pr_err("cannot run gnuplot: %s", strerror(errno));
		return -errno;
	}
	fprintf(p->gp,
		"set terminal svg size 720,420 font 'sans,12' background rgb 'white'\n"
		"set output '%s'\n"
		"set title '%s'\nset xlabel '%s'\nset ylabel '%s'\n"
		"set key outside right top\nset grid\n",
		p->svg, title, xlabel, ylabel);
	return 0;
}

static int plot_end(struct plot *p)
{
	int st = pclose(p->gp);

	if (st == -1 || !WIFEXITED(st) || WEXITSTATUS(st)) {
		pr_err("gnuplot failed drawing '%s'", p->svg);
		return -EIO;
	}
	return 0;
}

/* Copy the SVG from its <svg element on into the page. */
static void inline_svg(FILE *html, const char *path)
{
	FILE *f = fopen(path, "re");
	char *buf = NULL, *at;
	size_t cap = 0;
	ssize_t n;

	if (!f) {
		fprintf(html, "<p>(the plot could not be drawn)</p>\n");
		return;
	}
	n = getdelim(&buf, &cap, '\0', f);
	fclose(f);
	if (n > 0 && (at = strstr(buf, "<svg")))
		fputs(at, html);
	free(buf);
}

/* The figure drawn as raw/NAME.svg, inline. */
static void figure(FILE *html, const struct hs_study_results *r,
		   const char *name)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/raw/%s.svg", r->opts->out, name);
	fprintf(html, "<figure id=%s>", name);
	inline_svg(html, path);
	fputs("</figure>\n", html);
}

static bool tech_in(const struct hs_study_results *r, enum hs_study_exp e,
		    unsigned int t)
{
	unsigned int i;

	for (i = 0; i < r->n_cells; i++)
		if (r->cells[i].exp == e && r->cells[i].tech == t &&
		    r->cells[i].available)
			return true;
	return false;
}

/* One line per technology: x from get_x, y from get_y, in us. */
static int plot_lines(const struct hs_study_results *r, enum hs_study_exp e,
		      const char *name, const char *title, const char *xlabel,
		      const char *ylabel,
		      double (*get_x)(const struct hs_study_cell *),
		      double (*get_y)(const struct hs_study_cell *),
		      bool with_fits, const char *fit_metric)
{
	struct plot p;
	unsigned int t, i, n = 0;
	int ret = plot_begin(&p, r, name, title, xlabel, ylabel);

	if (ret)
		return ret;
	/* OVS's userspace datapath is ten times the others: a log scale
	 * keeps them apart (fits are lines only on a linear one) */
	if (!with_fits)
		fprintf(p.gp, "set logscale y\n");
	for (t = 0; t < HS_TECHS; t++) {
		if (!tech_in(r, e, t))
			continue;
		fprintf(p.gp, "$d%u << EOD\n", t);
		for (i = 0; i < r->n_cells; i++) {
			const struct hs_study_cell *c = &r->cells[i];

			if (c->exp == e && c->tech == t && c->available)
				fprintf(p.gp, "%g %g\n", get_x(c), get_y(c));
		}
		fprintf(p.gp, "EOD\n");
	}
	fprintf(p.gp, "plot ");
	for (t = 0; t < HS_TECHS; t++) {
		if (!tech_in(r, e, t))
			continue;
		fprintf(p.gp, "%s$d%u using 1:2 with linespoints lw 2 pt 7 lc %u title '%s'",
			n++ ? ", " : "", t, t + 1, hs_study_tech_names[t]);
		for (i = 0; with_fits && i < r->n_fits; i++) {
			const struct hs_study_fit *f = &r->fits[i];

			if (f->tech == t && !strcmp(f->metric, fit_metric))
				fprintf(p.gp, ", %g*x+%g with lines dt 2 lc %u title '%s fit, R^2 %.3f'",
					f->slope / 1e3, f->intercept / 1e3, t + 1,
					hs_study_tech_names[t], f->r2);
		}
	}
	if (!n)
		fprintf(p.gp, "NaN notitle");
	fprintf(p.gp, "\n");
	return plot_end(&p);
}

static double x_frame(const struct hs_study_cell *c) { return c->frame; }
static double x_functions(const struct hs_study_cell *c) { return c->functions; }
static double y_mean_us(const struct hs_study_cell *c) { return c->path.mean / 1e3; }
static double y_jitter_us(const struct hs_study_cell *c) { return c->path.j_mean / 1e3; }
static double y_rtt_us(const struct hs_study_cell *c)
{
	return (c->path.mean + c->back.mean) / 1e3;
}

static int plot_cpu(const struct hs_study_results *r)
{
	struct plot p;
	unsigned int i;
	int ret = plot_begin(&p, r, "fig-efficiency",
			     "CPU per packet into the container, the idle rate of the host taken off",
			     "", "ns per packet");

	if (ret)
		return ret;
	fprintf(p.gp, "set style data histograms\nset style histogram rowstacked\n"
		      "set style fill solid 0.8 border -1\nset boxwidth 0.6\n"
		      "$cpu << EOD\n");
	for (i = 0; i < r->n_cells; i++) {
		const struct hs_study_cell *c = &r->cells[i];

		if (c->exp == HS_EXP_EFFICIENCY && c->available)
			fprintf(p.gp, "%s %g %g %g %g\n",
				hs_study_tech_names[c->tech], c->cpu_user,
				c->cpu_system,
				c->cpu_softirq - c->probe_ns, c->probe_ns);
	}
	fprintf(p.gp, "EOD\nplot $cpu using 2:xtic(1) title 'user', '' using 3 title 'system',"
		      " '' using 4 title 'softirq', '' using 5 title 'hopscope probes'\n");
	return plot_end(&p);
}

/* ---- report.html ---- */

static void html_escape(FILE *f, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '<': fputs("&lt;", f); break;
		case '>': fputs("&gt;", f); break;
		case '&': fputs("&amp;", f); break;
		default: fputc(*s, f);
		}
	}
}

static void us_cell(FILE *f, double ns)
{
	fprintf(f, "<td>%.2f</td>", ns / 1e3);
}

static void paper_cell(FILE *f, double v, const char *fmt)
{
	fputs("<td class=paper>", f);
	if (isnan(v))
		fputs("&mdash;", f);
	else
		fprintf(f, fmt, v);
	fputs("</td>", f);
}

/* A row for a technology that could not be measured. */
static bool unavailable_row(FILE *f, const struct hs_study_cell *c,
			    unsigned int cols)
{
	if (c->available)
		return false;
	fprintf(f, "<tr class=na><td>%s</td><td colspan=%u>",
		hs_study_tech_names[c->tech], cols - 1);
	html_escape(f, c->reason);
	fputs("</td></tr>\n", f);
	return true;
}

static const struct hs_study_cell *find_cell(const struct hs_study_results *r,
					     enum hs_study_exp e, unsigned int t,
					     unsigned int frame)
{
	unsigned int i;

	for (i = 0; i < r->n_cells; i++)
		if (r->cells[i].exp == e && r->cells[i].tech == t &&
		    r->cells[i].frame == frame && r->cells[i].available)
			return &r->cells[i];
	return NULL;
}

static void shares(FILE *f, const struct hs_study_cell *c)
{
	unsigned int k;

	fputs("<td class=hops>", f);
	for (k = 0; k < c->n_hops; k++) {
		fprintf(f, "%s%.0f%% ", k ? " &middot; " : "",
			c->hops[k].share * 100);
		html_escape(f, c->hops[k].name);
	}
	fputs("</td>", f);
}

static void section_latency(FILE *f, const struct hs_study_results *r)
{
	unsigned int i;

	fputs("<section id=latency><h2>1. Latency into a container (Figs 2/3)</h2>\n"
	      "<p>A stream from an &ldquo;external host&rdquo; namespace to a receiver in a container, "
	      "per technology and frame size: the mean and standard deviation of the one-way delay "
	      "from the sender's interface to the receiver's, each hop's share of it, and the "
	      "difference to native. The paper measured the same path with tcpdump at its two ends "
	      "and could not see the shares.</p>\n", f);
	figure(f, r, "fig-latency");
	fputs("<table id=table-latency><tr><th>technology</th><th>frame B</th><th>packets</th>"
	      "<th>mean &micro;s</th><th>stdev &micro;s</th><th>p99 &micro;s</th><th>over native</th>"
	      "<th class=paper>paper: over native</th><th>each hop's share of the mean</th></tr>\n", f);
	for (i = 0; i < r->n_cells; i++) {
		const struct hs_study_cell *c = &r->cells[i], *nat;

		if (c->exp != HS_EXP_LATENCY || unavailable_row(f, c, 9))
			continue;
		nat = find_cell(r, HS_EXP_LATENCY, HS_TECH_NATIVE, c->frame);
		fprintf(f, "<tr><td>%s</td><td>%u</td><td>%llu</td>",
			hs_study_tech_names[c->tech], c->frame,
			(unsigned long long)c->path.packets);
		us_cell(f, c->path.mean);
		us_cell(f, c->path.stdev);
		us_cell(f, c->path.p99);
		if (nat && nat->path.mean > 0 && c->tech != HS_TECH_NATIVE)
			fprintf(f, "<td>%+.1f%%</td>",
				(c->path.mean / nat->path.mean - 1) * 100);
		else
			fputs("<td>&mdash;</td>", f);
		paper_cell(f, paper_latency_over_native(c->tech), "%+.1f%%");
		shares(f, c);
		fputs("</tr>\n", f);
	}
	fputs("</table></section>\n", f);
}

static void jitter_rows(FILE *f, const struct hs_study_cell *c, bool lateness)
{
	const struct paper_jitter *pj = paper_table(c->tech);
	unsigned int k;

	for (k = 0; k <= c->n_hops; k++) {
		const struct hs_study_leg *l = k ? &c->hops[k - 1].leg : &c->path;

		fprintf(f, "<tr%s><td>%s</td><td>", k ? " class=hop" : "",
			k ? "" : hs_study_tech_names[c->tech]);
		if (k)
			html_escape(f, c->hops[k - 1].name);
		else
			fputs("end to end", f);
		fprintf(f, "</td><td>%llu</td>", (unsigned long long)l->packets);
		if (lateness) {
			us_cell(f, l->late_max);
			us_cell(f, l->late_mean);
			us_cell(f, l->late_stdev);
		} else {
			us_cell(f, l->j_min);
			us_cell(f, l->j_max);
			us_cell(f, l->j_mean);
			us_cell(f, l->j_stdev);
		}
		if (k || !pj) {
			fprintf(f, "<td class=paper colspan=%d>%s</td>",
				lateness ? 3 : 4, k ? "" : "&mdash;");
		} else if (lateness) {
			paper_cell(f, pj->late_max, "%.0f");
			paper_cell(f, pj->late_mean, "%.2f");
			paper_cell(f, pj->late_s, "%.2f");
		} else {
			paper_cell(f, pj->min, "%.2f");
			paper_cell(f, pj->max, "%.2f");
			paper_cell(f, pj->mean, "%.2f");
			paper_cell(f, pj->s, "%.2f");
		}
		fputs("</tr>\n", f);
	}
}

static void section_jitter(FILE *f, const struct hs_study_results *r)
{
	unsigned int i, pass;

	fputs("<section id=jitter><h2>2. Jitter and lateness (Tables I and II)</h2>\n"
	      "<p>64-byte frames at a constant rate; a tenth of the stream at its head and as much "
	      "at its tail left out. RFC 3550 interarrival jitter J (gain 1/16) over the measured "
	      "packets: n, min, max, mean and s; lateness is delay minus the least delay. End to end "
	      "and per hop, the paper's figures beside (it measured end to end only).</p>\n", f);
	for (pass = 0; pass < 2; pass++) {
		fprintf(f, "<h3>Table %s: %s (&micro;s)</h3>\n<table id=table-%s><tr><th>technology</th>"
			"<th>hop</th><th>n</th>%s</tr>\n",
			pass ? "II" : "I", pass ? "lateness" : "packet delay variation",
			pass ? "2" : "1",
			pass ? "<th>max</th><th>mean</th><th>s</th><th class=paper>paper max</th>"
			       "<th class=paper>paper mean</th><th class=paper>paper s</th>" :
			       "<th>min</th><th>max</th><th>mean</th><th>s</th><th class=paper>paper min</th>"
			       "<th class=paper>paper max</th><th class=paper>paper mean</th>"
			       "<th class=paper>paper s</th>");
		for (i = 0; i < r->n_cells; i++) {
			const struct hs_study_cell *c = &r->cells[i];

			if (c->exp != HS_EXP_JITTER ||
			    unavailable_row(f, c, pass ? 9 : 11))
				continue;
			jitter_rows(f, c, pass);
			if (c->reason[0]) {
				fprintf(f, "<tr class=note><td></td><td colspan=%d>%u packets a second: ",
					pass ? 8 : 10, c->rate_pps);
				html_escape(f, c->reason);
				fputs("</td></tr>\n", f);
			}
		}
		fputs("</table>\n", f);
	}
	fputs("</section>\n", f);
}

static void section_efficiency(FILE *f, const struct hs_study_results *r)
{
	const struct hs_study_cell *direct = NULL;
	unsigned int i;

	for (i = 0; i < r->n_cells; i++)
		if (r->cells[i].exp == HS_EXP_EFFICIENCY &&
		    r->cells[i].tech == HS_TECH_DIRECT && r->cells[i].available)
			direct = &r->cells[i];
	fputs("<section id=efficiency><h2>3. Efficiency: CPU per packet (Fig 5)</h2>\n"
	      "<p>From /proc/stat over the stream, less the host's own busy rate measured just before "
	      "it, divided by the packets that arrived: user, system and softirq time. Sender and "
	      "receiver share this host, so every row includes sending; the differences between rows "
	      "are the technology's. hopscope's probes, timed by the kernel's bpf_stats, are shown "
	      "apart and taken out of softirq, so they are not charged to the technology.</p>\n", f);
	figure(f, r, "fig-efficiency");
	fputs("<table id=table-efficiency><tr><th>technology</th><th>packets/s</th>"
	      "<th>user ns</th><th>system ns</th><th>softirq ns</th><th>probes ns</th>"
	      "<th>technology ns</th><th>over direct</th><th class=paper>paper: over direct</th></tr>\n", f);
	for (i = 0; i < r->n_cells; i++) {
		const struct hs_study_cell *c = &r->cells[i];
		double total;

		if (c->exp != HS_EXP_EFFICIENCY || unavailable_row(f, c, 9))
			continue;
		total = c->cpu_user + c->cpu_system + c->cpu_softirq - c->probe_ns;
		fprintf(f, "<tr><td>%s</td><td>%u</td><td>%.0f</td><td>%.0f</td><td>%.0f</td>"
			"<td>%.0f</td><td>%.0f</td>",
			hs_study_tech_names[c->tech], c->rate_pps, c->cpu_user,
			c->cpu_system, c->cpu_softirq, c->probe_ns, total);
		if (direct && c != direct &&
		    direct->cpu_user + direct->cpu_system + direct->cpu_softirq -
				    direct->probe_ns > 0) {
			double d = direct->cpu_user + direct->cpu_system +
				   direct->cpu_softirq - direct->probe_ns;

			fprintf(f, "<td>%+.1f%%</td>", (total / d - 1) * 100);
		} else {
			/* no baseline above the host's noise */
			fputs("<td>&mdash;</td>", f);
		}
		paper_cell(f, paper_cpu_over_direct(c->tech), "%+.1f%%");
		fputs("</tr>\n", f);
	}
	fputs("</table></section>\n", f);
}

static void section_roundtrip(FILE *f, const struct hs_study_results *r)
{
	unsigned int i;

	fputs("<section id=roundtrip><h2>4. Round trip between two containers (Fig 6)</h2>\n"
	      "<p>sockperf ping-pong from one container to another, per technology and frame size. "
	      "hopscope's path delays there and back (interface to interface, no application "
	      "turnaround) beside sockperf's own round-trip time (socket to socket, with the "
	      "turnaround).</p>\n", f);
	figure(f, r, "fig-roundtrip");
	fputs("<table id=table-roundtrip><tr><th>technology</th><th>frame B</th>"
	      "<th>there &micro;s</th><th>back &micro;s</th><th>there + back &micro;s</th>"
	      "<th>sockperf RTT mean &micro;s</th><th>sockperf p50</th><th>sockperf p99</th>"
	      "<th>sockperf samples</th></tr>\n", f);
	for (i = 0; i < r->n_cells; i++) {
		const struct hs_study_cell *c = &r->cells[i];

		if (c->exp != HS_EXP_ROUNDTRIP || unavailable_row(f, c, 9))
			continue;
		fprintf(f, "<tr><td>%s</td><td>%u</td>", hs_study_tech_names[c->tech], c->frame);
		us_cell(f, c->path.mean);
		us_cell(f, c->back.mean);
		us_cell(f, c->path.mean + c->back.mean);
		us_cell(f, c->sp_rtt_mean);
		us_cell(f, c->sp_rtt_p50);
		us_cell(f, c->sp_rtt_p99);
		fprintf(f, "<td>%llu</td></tr>\n", (unsigned long long)c->sp_observations);
	}
	fputs("</table></section>\n", f);
}

static void section_chain(FILE *f, const struct hs_study_results *r)
{
	unsigned int i, t;

	fputs("<section id=chain><h2>5. Chain length (Figs 7&ndash;9, Table III)</h2>\n"
	      "<p>A sender, 1 to N network functions that forward in the kernel (rewriting MACs), "
	      "and a receiver, each function joined to the next by the technology. End-to-end delay "
	      "and mean jitter against N, fitted by least squares.</p>\n", f);
	figure(f, r, "fig-8");
	figure(f, r, "fig-9");
	fputs("<table id=table-chain><tr><th>technology</th><th>functions</th>"
	      "<th>packets</th><th>mean &micro;s</th><th>p99 &micro;s</th><th>jitter &micro;s</th></tr>\n", f);
	for (i = 0; i < r->n_cells; i++) {
		const struct hs_study_cell *c = &r->cells[i];

		if (c->exp != HS_EXP_CHAIN || unavailable_row(f, c, 6))
			continue;
		fprintf(f, "<tr><td>%s</td><td>%u</td><td>%llu</td>", hs_study_tech_names[c->tech],
			c->functions, (unsigned long long)c->path.packets);
		us_cell(f, c->path.mean);
		us_cell(f, c->path.p99);
		us_cell(f, c->path.j_mean);
		fputs("</tr>\n", f);
	}
	fputs("</table>\n<h3>Table III: linear fit against chain length</h3>\n"
	      "<table id=table-3><tr><th>technology</th><th>metric</th><th>points</th>"
	      "<th>slope &micro;s/function</th><th>intercept &micro;s</th><th>R&sup2;</th>"
	      "<th class=paper>paper R&sup2;</th></tr>\n", f);
	for (t = 0; t < HS_TECHS; t++) {
		for (i = 0; i < r->n_fits; i++) {
			const struct hs_study_fit *ft = &r->fits[i];
			bool jit = !strcmp(ft->metric, "jitter_mean");

			if (ft->tech != t)
				continue;
			fprintf(f, "<tr><td>%s</td><td>%s</td><td>%u</td><td>%.3f</td><td>%.3f</td>"
				"<td>%.4f</td>",
				hs_study_tech_names[t],
				jit ? "mean jitter (paper: delay variation)" :
				      "mean delay (paper: round-trip time)",
				ft->n, ft->slope / 1e3, ft->intercept / 1e3, ft->r2);
			paper_cell(f, paper_r2(t, jit), "%.3f");
			fputs("</tr>\n", f);
		}
	}
	fputs("</table></section>\n", f);
}

static void section_host(FILE *f, const struct hs_study_results *r)
{
	const struct hs_study_host *h = &r->host;

	fputs("<section id=host><h2>This host</h2><table id=table-host>", f);
	fputs("<tr><th>CPU</th><td>", f);
	html_escape(f, h->cpu);
	fprintf(f, "</td></tr><tr><th>CPUs online</th><td>%u</td></tr>"
		   "<tr><th>kernel</th><td>", h->cpus);
	html_escape(f, h->kernel);
	fprintf(f, "</td></tr><tr><th>cores pinned</th><td>%s</td></tr>"
		   "<tr><th>OVS datapath measured</th><td>%s</td></tr>"
		   "<tr><th>hopscope</th><td>%s</td></tr>"
		   "<tr><th>started</th><td>%s</td></tr>"
		   "<tr><th>took</th><td>%.0f s (%s)</td></tr></table></section>\n",
		h->pinned ? "yes: the study's affinity leaves some CPUs out" :
			    "no: the kernel schedules sender, functions and receiver on any CPU",
		h->ovs_datapath, HS_VERSION, h->started, h->seconds,
		r->opts->quick ? "--quick: small n, short chains, two frame sizes" :
				 "the full study");
}

static void section_caveats(FILE *f)
{
	fputs("<section id=caveats><h2>Caveats</h2><ul>\n"
	      "<li>Every &ldquo;host&rdquo; here is a network namespace on one machine, every wire a "
	      "veth pair: there is no NIC, no interrupt moderation and no wire time. The paper used "
	      "two hosts with Intel 82599 10 GbE NICs; absolute figures are not comparable, the "
	      "ranking and the shape are.</li>\n"
	      "<li>Native and direct take the same kernel path here (a veth end in the receiver's "
	      "namespace): their difference is this host's noise, a control for every other row.</li>\n"
	      "<li>SR-IOV and physical direct assignment need hardware this host lacks; their rows "
	      "say so.</li>\n"
	      "<li>Open vSwitch runs its userspace (netdev) datapath, reading ports through "
	      "AF_PACKET: much slower than the kernel datapath the paper measured, so its rates are "
	      "lower.</li>\n"
	      "<li>The paper's 130 Mb/s stream is asked for; where a technology loses more than 1% of "
	      "it, the rate is halved and measured again, and the tables say which rate was "
	      "carried.</li>\n"
	      "<li>Sender, functions, receiver and hopscope's collector share the host's CPUs, and the "
	      "machine may be shared with other work: compare rows of one report, not reports of "
	      "different runs.</li>\n"
	      "<li>With --docker, docker-bridge and docker-macvlan are real Docker containers on "
	      "Docker's own network drivers; the sender is a container on the same network (Docker "
	      "joins containers, not a wire from outside), so their latency is container to "
	      "container.</li>\n"
	      "<li>hopscope's delays are interface to interface, stamped by BPF programs at XDP and "
	      "tc; they leave out the socket layers that tcpdump's and sockperf's figures include.</li>\n"
	      "</ul></section>\n", f);
}

static bool has_exp(const struct hs_study_results *r, enum hs_study_exp e)
{
	return r->opts->exps & (1u << e);
}

static int write_html(const struct hs_study_results *r)
{
	char path[PATH_MAX];
	FILE *f = open_out(r, "report.html", path, sizeof(path));

	if (!f)
		return -errno;
	fputs("<!DOCTYPE html>\n<html lang=en><head><meta charset=utf-8>\n"
	      "<title>hopscope study: containers for NFV, rerun</title>\n<style>\n"
	      "body{font-family:sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;color:#222}\n"
	      "table{border-collapse:collapse;margin:1em 0;font-size:0.9em}\n"
	      "td,th{border:1px solid #bbb;padding:3px 7px;text-align:right}\n"
	      "th{background:#eef}td.hops,tr.na td,tr.note td,#table-host td{text-align:left}\n"
	      ".paper{background:#f6f0e0}tr.hop td{color:#555}tr.na td{color:#a33}\n"
	      "figure{margin:1em 0}svg{max-width:100%;height:auto}\n"
	      "</style></head><body>\n"
	      "<h1>Containers for network functions, rerun with hopscope</h1>\n"
	      "<p>The experiments of Anderson, Agarwal, Li, Hu, Lowery and Apon, &ldquo;Performance "
	      "Considerations of Network Functions Virtualization using Containers&rdquo; (Clemson "
	      "University and Dell), rerun on this host with hopscope's BPF timestamps at every "
	      "interface a packet crosses. The paper's figures are beside this host's in the "
	      "shaded columns; all times in microseconds unless a column says otherwise.</p>\n", f);
	section_host(f, r);
	if (has_exp(r, HS_EXP_LATENCY))
		section_latency(f, r);
	if (has_exp(r, HS_EXP_JITTER))
		section_jitter(f, r);
	if (has_exp(r, HS_EXP_EFFICIENCY))
		section_efficiency(f, r);
	if (has_exp(r, HS_EXP_ROUNDTRIP))
		section_roundtrip(f, r);
	if (has_exp(r, HS_EXP_CHAIN))
		section_chain(f, r);
	section_caveats(f);
	fputs("</body></html>\n", f);
	return close_out(f, path);
}

static int draw_plots(const struct hs_study_results *r)
{
	int ret = 0;

	if (has_exp(r, HS_EXP_LATENCY))
		ret |= plot_lines(r, HS_EXP_LATENCY, "fig-latency",
				  "One-way delay into a container", "frame size (bytes)",
				  "mean delay (us)", x_frame, y_mean_us, false, NULL);
	if (has_exp(r, HS_EXP_EFFICIENCY))
		ret |= plot_cpu(r);
	if (has_exp(r, HS_EXP_ROUNDTRIP))
		ret |= plot_lines(r, HS_EXP_ROUNDTRIP, "fig-roundtrip",
				  "Container to container: there + back (hopscope)",
				  "frame size (bytes)", "delay there + back (us)",
				  x_frame, y_rtt_us, false, NULL);
	if (has_exp(r, HS_EXP_CHAIN)) {
		ret |= plot_lines(r, HS_EXP_CHAIN, "fig-8",
				  "Fig 8: end-to-end delay against chain length",
				  "network functions", "mean delay (us)", x_functions,
				  y_mean_us, true, "delay_mean");
		ret |= plot_lines(r, HS_EXP_CHAIN, "fig-9",
				  "Fig 9: jitter against chain length",
				  "network functions", "mean RFC 3550 jitter (us)",
				  x_functions, y_jitter_us, true, "jitter_mean");
	}
	return ret ? -EIO : 0;
}

int hs_study_write(const struct hs_study_results *r)
{
	int e, ret = write_jsonl(r);

	for (e = 0; e < HS_EXPS && !ret; e++)
		if (has_exp(r, e))
			ret = write_csv(r, e);
	if (!ret)
		ret = draw_plots(r);
	if (!ret)
		ret = write_html(r);
	return ret;
}
