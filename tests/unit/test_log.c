// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * log.c: libbpf's messages through the log module. Warnings are shown,
 * a failed load's verifier log cut to its last lines unless --verbose;
 * libbpf's info and debug lines only at debug level. Everything that
 * reaches the output is checked byte for byte, through an in-memory
 * stream given to hs_log_set_output().
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <criterion/criterion.h>
#include "core/log.h"

/* libbpf 1.1's own formats (pr_warn adds "libbpf: " to each) */
#define LOAD_FAILED "libbpf: prog '%s': BPF program load failed: %s\n"
#define LOAD_LOG                                           \
	"libbpf: prog '%s': -- BEGIN PROG LOAD LOG --\n%s" \
	"-- END PROG LOAD LOG --\n"

static char *out_buf;
static size_t out_len;
static FILE *out;

static void setup(void)
{
	out = open_memstream(&out_buf, &out_len);
	cr_assert_not_null(out);
	hs_log_set_output(out);
	hs_log_set_level(HS_LOG_INFO); /* the default, without --verbose */
}

static void teardown(void)
{
	hs_log_set_output(NULL);
	fclose(out);
	free(out_buf);
}

TestSuite(log, .init = setup, .fini = teardown);

/* What libbpf does: call the print callback with a format and its
 * arguments. */
static void feed(enum libbpf_print_level level, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	hs_log_libbpf_print(level, fmt, ap);
	va_end(ap);
}

static const char *output(void)
{
	fflush(out);
	return out_buf ? out_buf : "";
}

/* "0: insn 0\n" ... for n lines, as a verifier log is */
static char *fake_log(int n)
{
	char *s;
	size_t len;
	FILE *f = open_memstream(&s, &len);

	for (int i = 0; i < n; i++)
		fprintf(f, "%d: insn %d\n", i, i);
	fclose(f);
	return s;
}

/* What the log module prints for lines [from, to) of fake_log() */
static void expect_lines(FILE *f, int from, int to)
{
	for (int i = from; i < to; i++)
		fprintf(f, "hopscope: warning: %d: insn %d\n", i, i);
}

static void expect_output(const char *want)
{
	cr_assert_str_eq(output(), want);
}

Test(log, failed_load_shows_the_last_lines)
{
	char *log = fake_log(1000), *want;
	size_t len;
	FILE *f = open_memstream(&want, &len);

	feed(LIBBPF_WARN, LOAD_FAILED, "hs_xdp", "Permission denied");
	feed(LIBBPF_WARN, LOAD_LOG, "hs_xdp", log);
	feed(LIBBPF_WARN, "libbpf: prog '%s': failed to load: %d\n", "hs_xdp",
	     -13);
	fprintf(f,
		"hopscope: warning: libbpf: prog 'hs_xdp': BPF program load failed: Permission denied\n"
		"hopscope: warning: libbpf: prog 'hs_xdp': -- BEGIN PROG LOAD LOG --\n"
		"hopscope: warning: ... 980 earlier lines of the log left out (--verbose shows all)\n");
	expect_lines(f, 980, 1000);
	fprintf(f,
		"hopscope: warning: -- END PROG LOAD LOG --\n"
		"hopscope: warning: libbpf: prog 'hs_xdp': failed to load: -13\n");
	fclose(f);
	expect_output(want);
	free(want);
	free(log);
}

Test(log, verbose_shows_the_whole_log)
{
	char *log = fake_log(1000), *want;
	size_t len;
	FILE *f = open_memstream(&want, &len);

	hs_log_set_level(HS_LOG_DEBUG);
	feed(LIBBPF_WARN, LOAD_LOG, "hs_tc", log);
	fprintf(f,
		"hopscope: warning: libbpf: prog 'hs_tc': -- BEGIN PROG LOAD LOG --\n");
	expect_lines(f, 0, 1000);
	fprintf(f, "hopscope: warning: -- END PROG LOAD LOG --\n");
	fclose(f);
	expect_output(want);
	free(want);
	free(log);
}

Test(log, short_log_in_full)
{
	char *log = fake_log(HS_LOG_VERIFIER_TAIL), *want;
	size_t len;
	FILE *f = open_memstream(&want, &len);

	feed(LIBBPF_WARN, LOAD_LOG, "hs_xdp", log);
	fprintf(f,
		"hopscope: warning: libbpf: prog 'hs_xdp': -- BEGIN PROG LOAD LOG --\n");
	expect_lines(f, 0, HS_LOG_VERIFIER_TAIL);
	fprintf(f, "hopscope: warning: -- END PROG LOAD LOG --\n");
	fclose(f);
	expect_output(want);
	free(want);
	free(log);
}

Test(log, one_line_over)
{
	char *log = fake_log(HS_LOG_VERIFIER_TAIL + 1), *want;
	size_t len;
	FILE *f = open_memstream(&want, &len);

	feed(LIBBPF_WARN, LOAD_LOG, "hs_xdp", log);
	fprintf(f,
		"hopscope: warning: libbpf: prog 'hs_xdp': -- BEGIN PROG LOAD LOG --\n"
		"hopscope: warning: ... 1 earlier line of the log left out (--verbose shows all)\n");
	expect_lines(f, 1, HS_LOG_VERIFIER_TAIL + 1);
	fprintf(f, "hopscope: warning: -- END PROG LOAD LOG --\n");
	fclose(f);
	expect_output(want);
	free(want);
	free(log);
}

/* A log without its last '\n' runs into END, as libbpf prints it. */
Test(log, log_without_last_newline)
{
	char *log = fake_log(30), *want;
	size_t len;
	FILE *f = open_memstream(&want, &len);

	log[strlen(log) - 1] = '\0';
	feed(LIBBPF_WARN, LOAD_LOG, "hs_xdp", log);
	fprintf(f,
		"hopscope: warning: libbpf: prog 'hs_xdp': -- BEGIN PROG LOAD LOG --\n"
		"hopscope: warning: ... 9 earlier lines of the log left out (--verbose shows all)\n");
	expect_lines(f, 9, 29);
	fprintf(f, "hopscope: warning: 29: insn 29-- END PROG LOAD LOG --\n");
	fclose(f);
	expect_output(want);
	free(want);
	free(log);
}

Test(log, info_and_debug_hidden_by_default)
{
	feed(LIBBPF_INFO, "libbpf: %s\n", "an info line");
	feed(LIBBPF_DEBUG, "libbpf: %s\n", "a debug line");
	hs_log_set_level(HS_LOG_WARN);
	feed(LIBBPF_INFO, "libbpf: %s\n", "an info line");
	expect_output("");
}

Test(log, info_and_debug_at_debug_level)
{
	hs_log_set_level(HS_LOG_DEBUG);
	feed(LIBBPF_INFO, "libbpf: %s\n", "an info line");
	feed(LIBBPF_DEBUG, "libbpf: elf: section(%d) %s, size %d\n", 3, "xdp",
	     6792);
	expect_output(
		"hopscope: debug: libbpf: an info line\n"
		"hopscope: debug: libbpf: elf: section(3) xdp, size 6792\n");
}

Test(log, warnings_below_error_level_hidden)
{
	hs_log_set_level(HS_LOG_ERROR);
	feed(LIBBPF_WARN, LOAD_FAILED, "hs_xdp", "Invalid argument");
	expect_output("");
}

Test(log, own_messages_share_the_output)
{
	pr_err("'%s': no such interface", "veth9");
	pr_debug("not shown");
	expect_output("hopscope: 'veth9': no such interface\n");
}

Test(log, setup_installs_the_callback)
{
	libbpf_print_fn_t prev;

	hs_log_setup_libbpf();
	prev = libbpf_set_print(NULL);
	cr_assert_eq(prev, hs_log_libbpf_print);
}

/* A name from the command line (or a file, or the kernel) is shown, not
 * obeyed: a terminal escape, a line feed that would forge a line of its
 * own, a bell, each as a C escape; UTF-8 stays as it is. */
Test(log, control_characters_are_escaped)
{
	pr_err("bad --netns '%s'", "a\x1b[31mb\nhopscope: fake\t\x07\x7f\r");
	pr_err("interface '%s'", "eth0-\xc3\xa9");
	expect_output(
		"hopscope: bad --netns 'a\\x1b[31mb\\nhopscope: fake\\t\\x07\\x7f\\r'\n"
		"hopscope: interface 'eth0-\xc3\xa9'\n");
}
