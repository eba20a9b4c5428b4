// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * output/output.c's SIGHUP: JSON and CSV files moved away are opened
 * again at their paths; a new file starts with the point lines (JSON) or
 * the header (CSV), a file still there is appended to without them, a
 * FIFO is left as it is, and a path that cannot be opened keeps the old
 * stream with -errno naming it.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <criterion/criterion.h>
#include "analysis/session.h"
#include "output/output.h"
#include "scenario.h"

static char dir[64];

static void rm_dir(void)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf -- '%s'", dir);
	if (dir[0] && system(cmd))
		fprintf(stderr, "could not remove %s\n", dir);
}

static unsigned int count(const char *path, const char *what)
{
	char line[4096];
	unsigned int n = 0;
	FILE *f = fopen(path, "r");

	cr_assert_not_null(f, "%s: %s", path, strerror(errno));
	while (fgets(line, sizeof(line), f))
		n += strstr(line, what) != NULL;
	fclose(f);
	return n;
}

Test(output, sighup_reopens_files, .fini = rm_dir)
{
	struct hs_point_table *pts = calloc(1, sizeof(*pts));
	char json[96], csv[96], moved[112];
	struct hs_output out;
	struct hs_sink sink;
	const char *which = NULL;
	unsigned int points;

	cr_assert_not_null(pts);
	snprintf(dir, sizeof(dir), "/tmp/hs-reopen-XXXXXX");
	cr_assert_not_null(mkdtemp(dir));
	snprintf(json, sizeof(json), "%s/run.jsonl", dir);
	snprintf(csv, sizeof(csv), "%s/run.csv", dir);
	scenario_points(pts, false);
	cr_assert_eq(hs_output_open(&out, json, csv, false, &which), 0);
	hs_output_sink(&out, &sink);
	sink.ready(sink.ctx, 0, pts);
	points = count(json, "\"type\":\"point\"");
	cr_assert_gt(points, 0);

	/* moved away: the new files start afresh */
	snprintf(moved, sizeof(moved), "%s.1", json);
	cr_assert_eq(rename(json, moved), 0);
	snprintf(moved, sizeof(moved), "%s.1", csv);
	cr_assert_eq(rename(csv, moved), 0);
	out.csv_header_done = true;
	cr_assert_eq(hs_output_reopen(&out, &which), 0);
	fflush(out.json);
	cr_assert_eq(count(json, "\"type\":\"point\""), points);
	cr_assert_not(out.csv_header_done, "a new CSV file needs its header");

	/* still there, not empty: appended to, no second set of point lines
	 * nor a second header */
	out.csv_header_done = true;
	cr_assert_geq(fputs("report,elapsed_s\n", out.csv), 0);
	fflush(out.csv);
	cr_assert_eq(hs_output_reopen(&out, &which), 0);
	fflush(out.json);
	cr_assert_eq(count(json, "\"type\":\"point\""), points);
	cr_assert(out.csv_header_done);

	/* a path that cannot be opened: the old stream stays */
	cr_assert_eq(unlink(json), 0);
	cr_assert_eq(mkdir(json, 0700), 0);
	cr_assert_eq(hs_output_reopen(&out, &which), 0,
		     "a directory is no regular file: left alone");
	cr_assert_eq(rmdir(json), 0);
	cr_assert_eq(chmod(dir, 0500), 0);
	if (access(dir, W_OK)) { /* root writes anyway */
		cr_assert_eq(hs_output_reopen(&out, &which), -EACCES);
		cr_assert_str_eq(which, json);
		cr_assert_not_null(out.json);
	}
	chmod(dir, 0700);
	hs_output_close(&out);
	cr_assert_not(out.failed);
	free(pts);
}
