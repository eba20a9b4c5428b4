// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "core/exit.h"
#include "core/log.h"
#include "analysis/fit.h"
#include "cmd/report.h"
#include "output/output.h"
#include "store/join.h"

#define MAX_FILES 64

/* The chain-length study: each run's main path, fitted against the number
 * of functions it crosses. */
static int fit_runs(struct hs_rec_run *runs, unsigned int n_runs,
		    const struct hs_report_opts *o, struct hs_output *out)
{
	struct hs_fit_run fr[MAX_FILES];
	struct hs_fit fits[HS_FIT_METRICS];
	double x[MAX_FILES], y[MAX_FILES];
	unsigned int i;
	int m;

	if (n_runs < 2) {
		pr_err("--fit needs runs over at least two chain lengths, got %u run",
		       n_runs);
		return HS_EXIT_USAGE;
	}
	for (i = 0; i < n_runs; i++) {
		const char *file = runs[i].part[0]->path;
		struct hs_session s;
		int r;

		if (hs_replay_session(&runs[i], &o->change, &s))
			return HS_EXIT_FAILURE;
		r = hs_replay_run(&runs[i], &s);
		if (r == HS_EXIT_OK &&
		    hs_fit_run_of(s.points, &s.hops, file, &fr[i])) {
			pr_err("'%s': no path carried a packet; nothing to fit",
			       file);
			r = HS_EXIT_FAILURE;
		}
		hs_session_free(&s);
		if (r != HS_EXIT_OK)
			return r;
		x[i] = fr[i].functions;
	}
	for (m = 0; m < HS_FIT_METRICS; m++) {
		for (i = 0; i < n_runs; i++)
			y[i] = fr[i].value[m];
		if (hs_fit_line(x, y, n_runs, &fits[m])) {
			pr_err("--fit: every run crosses %u functions; runs over chains of different length are needed",
			       fr[0].functions);
			return HS_EXIT_USAGE;
		}
	}
	hs_output_fit(out, fr, n_runs, fits);
	return HS_EXIT_OK;
}

/* One run replayed, several hosts' joined, or the fit, into out. */
static int report_runs(struct hs_rec_run *runs, unsigned int n_runs,
		       const struct hs_report_opts *o, struct hs_output *out)
{
	struct hs_session s;
	struct hs_sink sink;
	int ret;

	if (o->fit)
		return fit_runs(runs, n_runs, o, out);
	hs_output_sink(out, &sink);
	if (n_runs >= 2)
		return hs_join_runs(runs, n_runs, &o->change, &sink);
	if (hs_replay_session(&runs[0], &o->change, &s))
		return HS_EXIT_FAILURE;
	hs_session_add_sink(&s, &sink);
	ret = hs_replay_run(&runs[0], &s);
	hs_session_free(&s);
	return ret;
}

int hs_report_files(const struct hs_report_opts *o)
{
	struct hs_rec_part *parts[MAX_FILES] = {};
	struct hs_rec_run runs[MAX_FILES] = {};
	struct hs_output out;
	unsigned int i, n_runs = 0;
	const char *which;
	int ret = HS_EXIT_USAGE, e;

	if (!o->n_files) {
		pr_err("no record file: hopscope report FILE... (see hopscope report --help)");
		return HS_EXIT_USAGE;
	}
	if (o->n_files > MAX_FILES) {
		pr_err("at most %d record files, got %u", MAX_FILES,
		       o->n_files);
		return HS_EXIT_USAGE;
	}
	for (i = 0; i < o->n_files; i++) {
		e = hs_rec_part_open(o->files[i], &parts[i]);
		if (e) {
			/* damage is a failure; a wrong or missing file, usage */
			ret = e == -EIO || e == -ENOMEM ? HS_EXIT_FAILURE :
							  HS_EXIT_USAGE;
			goto out;
		}
	}
	if (hs_rec_runs_group(parts, o->n_files, runs, MAX_FILES, &n_runs))
		goto out;
	for (i = 0; i < n_runs; i++)
		if (hs_rec_run_check(&runs[i]))
			goto out;
	if (!o->fit && n_runs > HS_MAX_HOSTS) {
		pr_err("%u runs: report takes one run (its parts in order), the runs of 2 to %d hosts, or --fit",
		       n_runs, HS_MAX_HOSTS);
		goto out;
	}
	e = hs_output_open(&out, o->json_path, o->csv_path, true, &which);
	if (e) {
		pr_err("cannot open '%s' for output: %s", which, strerror(-e));
		goto out;
	}
	ret = report_runs(runs, n_runs, o, &out);
	if (out.failed && ret == HS_EXIT_OK) {
		pr_err("cannot write the output");
		ret = HS_EXIT_FAILURE;
	}
	hs_output_close(&out);
out:
	for (i = 0; i < o->n_files; i++)
		hs_rec_part_free(parts[i]);
	return ret;
}
