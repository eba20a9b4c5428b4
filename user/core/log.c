// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/libbpf.h>
#include "core/log.h"

/* How libbpf (1.1) frames the verifier log of a program it failed to load:
 * one message, "libbpf: prog 'NAME': " BEGIN, the log, END. */
#define PROG_LOG_BEGIN "-- BEGIN PROG LOAD LOG --\n"
#define PROG_LOG_END "-- END PROG LOAD LOG --"

static enum hs_log_level current_level = HS_LOG_INFO;
static FILE *output; /* NULL: stderr, which is no constant to start with */
static bool libbpf_quiet;

void hs_log_set_level(enum hs_log_level level)
{
	current_level = level;
}

void hs_log_set_output(FILE *f)
{
	output = f;
}

/*
 * A message names what it is about, and that may come from a command
 * line, a file or the kernel: a control character in it would move the
 * terminal's cursor, forge a line of its own in a log, or ring. Each is
 * written as a C escape instead; bytes from 0x80 on (UTF-8) stay.
 */
static void put_escaped(FILE *f, const char *s)
{
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c >= 0x20 && c != 0x7f)
			fputc(c, f);
		else if (c == '\n')
			fputs("\\n", f);
		else if (c == '\t')
			fputs("\\t", f);
		else if (c == '\r')
			fputs("\\r", f);
		else
			fprintf(f, "\\x%02x", c);
	}
}

static void hs_vlog(enum hs_log_level level, const char *fmt, va_list ap)
{
	static const char *const prefix[] = {
		[HS_LOG_ERROR] = "hopscope: ",
		[HS_LOG_WARN] = "hopscope: warning: ",
		[HS_LOG_INFO] = "hopscope: ",
		[HS_LOG_DEBUG] = "hopscope: debug: ",
	};
	FILE *f = output ? output : stderr;
	char line[4096];

	if (level > current_level)
		return;
	vsnprintf(line, sizeof(line), fmt, ap);
	fputs(prefix[level], f);
	put_escaped(f, line);
	fputc('\n', f);
}

void hs_log(enum hs_log_level level, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	hs_vlog(level, fmt, ap);
	va_end(ap);
}

/* Each line of [s, end) as a message of its own. */
static void log_lines(enum hs_log_level level, const char *s, const char *end)
{
	while (s < end) {
		const char *nl = memchr(s, '\n', end - s);
		const char *eol = nl ? nl : end;

		hs_log(level, "%.*s", (int)(eol - s), s);
		s = nl ? nl + 1 : end;
	}
}

static size_t count_lines(const char *s, const char *end)
{
	size_t n = 0;

	for (; s < end; s++)
		n += *s == '\n';
	return n;
}

/* The last END marker after log (the log itself is any text), or end. */
static const char *prog_log_end(const char *log, const char *end)
{
	const char *last = end, *p;

	for (p = log; (p = strstr(p, PROG_LOG_END)); p++)
		last = p;
	return last;
}

/* Where the shown part of the log [log, log_end) starts: its last
 * HS_LOG_VERIFIER_TAIL lines, after a line saying how many are left out.
 * Lines end in '\n'; one without stays joined to END, as libbpf prints
 * it. */
static const char *log_tail(enum hs_log_level level, const char *log,
			    const char *log_end)
{
	size_t lines = count_lines(log, log_end), cut;

	if (lines <= HS_LOG_VERIFIER_TAIL)
		return log;
	cut = lines - HS_LOG_VERIFIER_TAIL;
	hs_log(level,
	       "... %zu earlier line%s of the log left out (--verbose shows all)",
	       cut, cut == 1 ? "" : "s");
	while (cut--)
		log = strchr(log, '\n') + 1;
	return log;
}

/*
 * A verifier log runs to thousands of lines, and what went wrong is at its
 * end: below --verbose only its tail is shown.
 */
static void log_libbpf_message(enum hs_log_level level, const char *msg)
{
	const char *end = msg + strlen(msg);
	const char *log = strstr(msg, PROG_LOG_BEGIN);

	if (!log || current_level >= HS_LOG_DEBUG) {
		log_lines(level, msg, end);
		return;
	}
	log += strlen(PROG_LOG_BEGIN);
	log_lines(level, msg, log);
	log = log_tail(level, log, prog_log_end(log, end));
	log_lines(level, log, end);
}

void hs_log_libbpf_quiet(bool on)
{
	libbpf_quiet = on;
}

int hs_log_libbpf_print(enum libbpf_print_level level, const char *fmt,
			va_list ap)
{
	enum hs_log_level to = level == LIBBPF_WARN && !libbpf_quiet ?
				       HS_LOG_WARN :
				       HS_LOG_DEBUG;
	char *msg;
	int n;

	if (to > current_level)
		return 0;
	n = vasprintf(&msg, fmt, ap);
	if (n < 0)
		return 0;
	log_libbpf_message(to, msg);
	free(msg);
	return n;
}

void hs_log_setup_libbpf(void)
{
	libbpf_set_print(hs_log_libbpf_print);
}
