// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <stdio.h>
#include <bpf/libbpf.h>
#include "core/log.h"

static enum hs_log_level current_level = HS_LOG_INFO;

void hs_log_set_level(enum hs_log_level level)
{
	current_level = level;
}

enum hs_log_level hs_log_get_level(void)
{
	return current_level;
}

static void hs_vlog(enum hs_log_level level, const char *fmt, va_list ap)
{
	static const char *const prefix[] = {
		[HS_LOG_ERROR] = "hopscope: ",
		[HS_LOG_WARN] = "hopscope: warning: ",
		[HS_LOG_INFO] = "hopscope: ",
		[HS_LOG_DEBUG] = "hopscope: debug: ",
	};

	if (level > current_level)
		return;
	fputs(prefix[level], stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

void hs_log(enum hs_log_level level, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	hs_vlog(level, fmt, ap);
	va_end(ap);
}

static int libbpf_print(enum libbpf_print_level level, const char *fmt,
			va_list ap)
{
	/* libbpf's lines end in '\n' already and are verbose: debug only */
	if (current_level < HS_LOG_DEBUG)
		return 0;
	fprintf(stderr, "libbpf(%d): ", level);
	return vfprintf(stderr, fmt, ap);
}

void hs_log_setup_libbpf(void)
{
	libbpf_set_print(libbpf_print);
}
