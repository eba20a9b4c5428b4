// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include "output/csv.h"
#include "output/json.h"
#include "output/output.h"
#include "output/table.h"

/*
 * path for writing (mode "w") or appending ("a"), made 0600 if new: the
 * outputs hold addresses and ports, which are not everyone's to read.
 */
static FILE *open_private(const char *path, const char *mode)
{
	int flags = O_WRONLY | O_CREAT | O_CLOEXEC |
		    (*mode == 'a' ? O_APPEND : O_TRUNC);
	int fd = open(path, flags, 0600);
	FILE *f;

	if (fd < 0)
		return NULL;
	f = fdopen(fd, mode);
	if (!f) {
		close(fd);
		return NULL;
	}
	/* where appending starts, as fopen's "a" tells ftell */
	if (*mode == 'a')
		fseek(f, 0, SEEK_END);
	return f;
}

static int open_dest(const char *path, FILE **f, bool *is_stdout)
{
	if (!path)
		return 0;
	if (!strcmp(path, "-")) {
		*f = stdout;
		*is_stdout = true;
		return 0;
	}
	*f = open_private(path, "w");
	return *f ? 0 : -errno;
}

int hs_output_open(struct hs_output *out, const char *json_path,
		   const char *csv_path, bool table, const char **which)
{
	int err;

	memset(out, 0, sizeof(*out));
	out->json_path = json_path;
	out->csv_path = csv_path;
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

/* The file at path again, appending; *f is left as it was on failure.
 * 1 when the new file is empty. Only a regular file (or none, moved
 * away): a FIFO or a device is no log to rotate, and opening a FIFO
 * nobody reads would block the loop. */
static int reopen_dest(const char *path, FILE **f)
{
	struct stat st;
	FILE *nf;
	long at;

	if (!stat(path, &st) && !S_ISREG(st.st_mode))
		return 0;
	nf = open_private(path, "a");
	if (!nf)
		return -errno;
	fclose(*f); /* what it could not write was said when written */
	*f = nf;
	at = ftell(nf);
	return at == 0;
}

static void hs_output_points(struct hs_output *out,
			     const struct hs_point_table *t)
{
	if (out->table)
		hs_table_points(out->table, t);
	if (out->json && hs_json_points(out->json, t))
		out->failed = true;
}

int hs_output_reopen(struct hs_output *out, const char **which)
{
	int e, first = 0;

	if (out->json && !out->json_is_stdout) {
		e = reopen_dest(out->json_path, &out->json);
		if (e < 0) {
			*which = out->json_path;
			first = e;
		} else if (e && out->points &&
			   hs_json_points(out->json, out->points)) {
			out->failed = true;
		}
	}
	if (out->csv && !out->csv_is_stdout) {
		e = reopen_dest(out->csv_path, &out->csv);
		if (e < 0 && !first) {
			*which = out->csv_path;
			first = e;
		} else if (e > 0) {
			out->csv_header_done = false;
		}
	}
	return first;
}

static void hs_output_event(struct hs_output *out, uint16_t point,
			    const char *event)
{
	if (out->json && hs_json_event(out->json, point, event))
		out->failed = true;
}

static void on_point_added(void *ctx, uint64_t ts,
			   const struct hs_point_table *t, uint16_t id)
{
	struct hs_output *out = ctx;

	if (out->table) {
		hs_table_point(out->table, t, id);
		fflush(out->table);
	}
	if (out->json && hs_json_point_added(out->json, t, id, ts))
		out->failed = true;
}

/* In the form of an interface event: the point is gone for good. */
static void on_point_removed(void *ctx, uint64_t ts, uint16_t id)
{
	(void)ts;
	hs_output_event(ctx, id, "removed");
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

static void hs_output_report(struct hs_output *out, const struct hs_report *r)
{
	if (out->table)
		hs_table_report(out->table, r);
	if (out->csv)
		csv_report(out, r);
	if (out->json && hs_json_report(out->json, r))
		out->failed = true;
}

void hs_output_fit(struct hs_output *out, const struct hs_fit_run *runs,
		   unsigned int n, const struct hs_fit *fits)
{
	if (out->table)
		hs_table_fit(out->table, runs, n, fits);
	if (out->json && hs_json_fit(out->json, runs, n, fits))
		out->failed = true;
}

static void on_ready(void *ctx, uint64_t ts, const struct hs_point_table *t)
{
	struct hs_output *out = ctx;

	(void)ts;
	out->points = t;
	hs_output_points(out, t);
}

static void on_event(void *ctx, uint16_t point, const char *event)
{
	hs_output_event(ctx, point, event);
}

static void on_report(void *ctx, const struct hs_report *r)
{
	hs_output_report(ctx, r);
}

void hs_output_sink(struct hs_output *out, struct hs_sink *sink)
{
	*sink = (struct hs_sink){
		.ctx = out,
		.ready = on_ready,
		.event = on_event,
		.point_added = on_point_added,
		.point_removed = on_point_removed,
		.report = on_report,
	};
}
