// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * core/units.c and store/parts.c: sizes and durations as written on the
 * command line (each mistake named with its value), --rotate and --keep
 * through the real option tables, the parts' names, when a part is
 * closed, which parts --keep deletes (a made-up listing), and the same on
 * a real directory that also holds files that are not ours.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <criterion/criterion.h>
#include "core/units.h"
#include "store/parts.h"

static char why[128];

#define SIZE_OK(text, want)                                                \
	do {                                                               \
		uint64_t v = 0;                                            \
		cr_assert_eq(hs_parse_size(text, &v, why, sizeof(why)), 0, \
			     "%s: %s", text, why);                         \
		cr_assert_eq(v, (uint64_t)(want), "%s: %llu", text,        \
			     (unsigned long long)v);                       \
	} while (0)

#define SIZE_BAD(text, want)                                            \
	do {                                                            \
		uint64_t v = 0;                                         \
		cr_assert_eq(hs_parse_size(text, &v, why, sizeof(why)), \
			     -EINVAL, "%s accepted", text);             \
		cr_assert_str_eq(why, want);                            \
	} while (0)

Test(units, sizes)
{
	SIZE_OK("512", 512);
	SIZE_OK("512B", 512);
	SIZE_OK("1KiB", 1024);
	SIZE_OK("100MiB", 100ULL << 20);
	SIZE_OK("1.5GiB", 3ULL << 29);
	SIZE_OK("2TiB", 2ULL << 40);
	SIZE_BAD("10QB",
		 "unknown unit 'QB' (expected B, KiB, MiB, GiB or TiB)");
	SIZE_BAD("10MB",
		 "unknown unit 'MB' (expected B, KiB, MiB, GiB or TiB)");
	SIZE_BAD("10 MiB",
		 "unknown unit ' MiB' (expected B, KiB, MiB, GiB or TiB)");
	SIZE_BAD("MiB",
		 "expected a number and a unit (B, KiB, MiB, GiB or TiB)");
	SIZE_BAD("", "expected a number and a unit (B, KiB, MiB, GiB or TiB)");
	SIZE_BAD("-1KiB",
		 "expected a number and a unit (B, KiB, MiB, GiB or TiB)");
	SIZE_BAD("inf",
		 "expected a number and a unit (B, KiB, MiB, GiB or TiB)");
	SIZE_BAD("0x10",
		 "expected a number and a unit (B, KiB, MiB, GiB or TiB)");
	SIZE_BAD("0", "must be more than 0");
	SIZE_BAD("0.1B", "must be more than 0");
	SIZE_BAD("99999999TiB", "too large");
}

Test(units, durations)
{
	uint64_t ns = 0;

	cr_assert_eq(hs_parse_duration("90s", &ns, why, sizeof(why)), 0);
	cr_assert_eq(ns, 90000000000ULL);
	cr_assert_eq(hs_parse_duration("1h", &ns, why, sizeof(why)), 0);
	cr_assert_eq(ns, 3600000000000ULL);
	cr_assert_eq(hs_parse_duration("30m", &ns, why, sizeof(why)), 0);
	cr_assert_eq(ns, 1800000000000ULL);
	cr_assert_eq(hs_parse_duration("2", &ns, why, sizeof(why)), 0);
	cr_assert_eq(ns, 2000000000ULL);
	cr_assert_eq(hs_parse_duration("0.5s", &ns, why, sizeof(why)), 0);
	cr_assert_eq(ns, 500000000ULL);
	cr_assert_eq(hs_parse_duration("1d", &ns, why, sizeof(why)), 0);
	cr_assert_eq(ns, 86400000000000ULL);
	cr_assert_eq(hs_parse_duration("3w", &ns, why, sizeof(why)), -EINVAL);
	cr_assert_str_eq(why, "unknown unit 'w' (expected s, m, h or d)");
	cr_assert_eq(hs_parse_duration("0s", &ns, why, sizeof(why)), -EINVAL);
	cr_assert_str_eq(why, "must be more than 0");
}

Test(units, sizes_printed)
{
	char buf[32];

	hs_format_size(100ULL << 20, buf, sizeof(buf));
	cr_assert_str_eq(buf, "100MiB");
	hs_format_size(3ULL << 29, buf, sizeof(buf));
	cr_assert_str_eq(buf, "1.5GiB");
	hs_format_size(1024, buf, sizeof(buf));
	cr_assert_str_eq(buf, "1KiB");
	hs_format_size(1000, buf, sizeof(buf));
	cr_assert_str_eq(buf, "1000B");
}

/* ---- names and the policy ---- */

Test(parts, names_sort_by_time_and_are_recognised)
{
	char a[HS_PART_NAME_MAX], b[HS_PART_NAME_MAX], c[HS_PART_NAME_MAX];

	/* 2026-12-03 10:15:00 UTC */
	hs_part_name(a, sizeof(a), 1796292900, 12345, 3);
	cr_assert_str_eq(a, "hopscope-20261203T101500Z-12345-000003.hsr");
	hs_part_name(b, sizeof(b), 1796292901, 12345, 4);
	hs_part_name(c, sizeof(c), 1796292901, 12345, 10);
	cr_assert_lt(strcmp(a, b), 0);
	cr_assert_lt(strcmp(b, c), 0, "part 10 after part 4: %s %s", b, c);
	cr_assert(hs_part_name_ours(a));
	cr_assert(hs_part_name_ours("hopscope-20261203T101500Z-1-1234567.hsr"));
	cr_assert_not(hs_part_name_ours("hopscope-20261203T101500Z-1-12.hsr"));
	cr_assert_not(hs_part_name_ours("run.hsr"));
	cr_assert_not(hs_part_name_ours(
		"hopscope-20261203T101500Z-12345-000003.hsr.gz"));
	cr_assert_not(hs_part_name_ours(
		"hopscope-20261203 101500Z-12345-000003.hsr"));
	cr_assert_not(
		hs_part_name_ours("hopscope-20261203T101500Z--000003.hsr"));
	cr_assert_not(hs_part_name_ours("notes.txt"));
}

Test(parts, rotation_by_size_or_age)
{
	struct hs_rotate_policy p = { .max_bytes = 1024,
				      .max_age_ns = 2000000000ULL };
	struct hs_rotate_policy size_only = { .max_bytes = 1024 };
	struct hs_rotate_policy none = {};

	cr_assert_not(hs_rotate_due(&p, 1023, 1999999999ULL));
	cr_assert(hs_rotate_due(&p, 1024, HS_PARTS_MIN_AGE_NS));
	/* a part a second old at least: its header alone may be 1 KiB */
	cr_assert_not(hs_rotate_due(&p, 5000, HS_PARTS_MIN_AGE_NS - 1));
	cr_assert(hs_rotate_due(&p, 0, 2000000000ULL));
	cr_assert_not(hs_rotate_due(&size_only, 10, 1ULL << 62));
	cr_assert(hs_rotate_due(&size_only, 5000, HS_PARTS_MIN_AGE_NS));
	cr_assert_not(hs_rotate_due(&none, 1ULL << 40, 1ULL << 62));
}

#define PART(t, n) "hopscope-20261203T1015" #t "Z-100-00000" #n ".hsr"

/* A listing out of order; the current part is the newest. */
Test(parts, keep_deletes_the_oldest_and_never_the_current)
{
	struct hs_rotate_policy p = { .max_bytes = 1000, .keep_bytes = 3500 };
	struct hs_part_file f[] = {
		{ PART(03, 3), 1000, true },  { PART(00, 0), 1000, false },
		{ PART(04, 4), 200, false },  { PART(01, 1), 1000, false },
		{ PART(02, 2), 1000, false },
	};

	/* 4000 old + the current part counted as 1000: 5000, keep 3500 */
	cr_assert_eq(hs_parts_to_delete(&p, f, 5, PART(04, 4)), 2);
	cr_assert_str_eq(f[0].name, PART(00, 0));
	cr_assert(f[0].remove);
	cr_assert(f[1].remove);
	cr_assert_not(f[2].remove);
	cr_assert_not(f[3].remove, "the stale mark is cleared");
	cr_assert_not(f[4].remove);

	/* no bound: nothing goes */
	p.keep_bytes = 0;
	cr_assert_eq(hs_parts_to_delete(&p, f, 5, PART(04, 4)), 0);
	/* a bound smaller than the current part alone: all the others go,
	 * the current one stays */
	p.keep_bytes = 10;
	cr_assert_eq(hs_parts_to_delete(&p, f, 5, PART(04, 4)), 4);
	cr_assert_not(f[4].remove);
	/* room enough: nothing goes */
	p.keep_bytes = 5000;
	cr_assert_eq(hs_parts_to_delete(&p, f, 5, PART(04, 4)), 0);
	/* the current part grown past max_bytes counts what it holds */
	f[4].bytes = 1500;
	cr_assert_eq(hs_parts_to_delete(&p, f, 5, PART(04, 4)), 1);
	cr_assert(f[0].remove);
}

/* ---- a real directory ---- */

static char dir[64];

static void make_file(const char *name, size_t bytes)
{
	char path[256], *buf = calloc(1, bytes + 1);
	FILE *f;

	cr_assert_not_null(buf);
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	cr_assert_not_null(f, "%s: %s", path, strerror(errno));
	cr_assert_eq(fwrite(buf, 1, bytes, f), bytes);
	fclose(f);
	free(buf);
}

static bool exists(const char *name)
{
	char path[256];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return !access(path, F_OK);
}

static void rm_dir(void)
{
	char cmd[128];

	if (!dir[0])
		return;
	snprintf(cmd, sizeof(cmd), "rm -rf -- '%s'", dir);
	if (system(cmd))
		fprintf(stderr, "could not remove %s\n", dir);
}

Test(parts, prune_a_real_directory, .fini = rm_dir)
{
	struct hs_rotate_policy p = { .max_bytes = 1000, .keep_bytes = 2500 };
	struct hs_prune_result res;
	char err[256];

	snprintf(dir, sizeof(dir), "/tmp/hs-parts-XXXXXX");
	cr_assert_not_null(mkdtemp(dir));
	make_file(PART(00, 0), 1000);
	make_file(PART(01, 1), 1000);
	make_file(PART(02, 2), 1000);
	make_file(PART(03, 3), 100);
	/* not ours, however old and big */
	make_file("hopscope-old.hsr", 5000);
	make_file("aaa.hsr", 5000);
	make_file("notes.txt", 100);

	cr_assert_eq(hs_parts_prune(dir, PART(03, 3), &p, &res, err,
				    sizeof(err)),
		     0, "%s", err);
	/* 3000 + 1000 (the current part at its most) > 2500: two go */
	cr_assert_eq(res.deleted, 2);
	cr_assert_eq(res.parts, 2);
	cr_assert_eq(res.bytes, 1100);
	cr_assert_not(exists(PART(00, 0)));
	cr_assert_not(exists(PART(01, 1)));
	cr_assert(exists(PART(02, 2)));
	cr_assert(exists(PART(03, 3)));
	cr_assert(exists("hopscope-old.hsr"));
	cr_assert(exists("aaa.hsr"));
	cr_assert(exists("notes.txt"));

	cr_assert_eq(hs_parts_prune("/nonexistent-hs-dir", NULL, &p, &res, err,
				    sizeof(err)),
		     -ENOENT);
	cr_assert_str_eq(
		err,
		"cannot list record directory '/nonexistent-hs-dir': No such file or directory");
}

/* More parts than the list's first allocation holds (it grows with the
 * directory): every one is counted, the oldest go, the newest stay. */
Test(parts, prune_a_directory_of_many_parts, .fini = rm_dir)
{
	struct hs_rotate_policy p = { .max_bytes = 10, .keep_bytes = 1000 };
	struct hs_prune_result res;
	char name[HS_PART_NAME_MAX], current[HS_PART_NAME_MAX], err[256];
	unsigned int i;

	snprintf(dir, sizeof(dir), "/tmp/hs-parts-XXXXXX");
	cr_assert_not_null(mkdtemp(dir));
	for (i = 0; i < 300; i++) {
		hs_part_name(name, sizeof(name), 1796292900 + i, 100, i);
		make_file(name, 10);
	}
	hs_part_name(current, sizeof(current), 1796292900 + 299, 100, 299);
	cr_assert_eq(hs_parts_prune(dir, current, &p, &res, err, sizeof(err)),
		     0, "%s", err);
	/* 3000 bytes in 300 parts, 1000 kept: the oldest 200 go */
	cr_assert_eq(res.deleted, 200);
	cr_assert_eq(res.parts, 100);
	cr_assert_eq(res.bytes, 1000);
	hs_part_name(name, sizeof(name), 1796292900 + 199, 100, 199);
	cr_assert_not(exists(name));
	hs_part_name(name, sizeof(name), 1796292900 + 200, 100, 200);
	cr_assert(exists(name));
}

Test(parts, what_is_a_directory, .fini = rm_dir)
{
	char path[96];

	snprintf(dir, sizeof(dir), "/tmp/hs-parts-XXXXXX");
	cr_assert_not_null(mkdtemp(dir));
	cr_assert(hs_parts_is_dir(dir));
	snprintf(path, sizeof(path), "%s/new/", dir);
	cr_assert(hs_parts_is_dir(path), "ends in '/'");
	make_file("file.hsr", 1);
	snprintf(path, sizeof(path), "%s/file.hsr", dir);
	cr_assert_not(hs_parts_is_dir(path));
	snprintf(path, sizeof(path), "%s/absent.hsr", dir);
	cr_assert_not(hs_parts_is_dir(path));
}
