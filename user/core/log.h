/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * log.h - one place for messages to the user.
 *
 * Errors are one line on stderr, prefixed "hopscope: ", naming the value at
 * fault. Debug lines appear with --verbose. libbpf's warnings are shown
 * (a failed load ends its verifier log, cut to the last lines), its info
 * and debug output only with --verbose.
 */
#ifndef HS_LOG_H
#define HS_LOG_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <bpf/libbpf.h>

enum hs_log_level {
	HS_LOG_ERROR = 0,
	HS_LOG_WARN = 1,
	HS_LOG_INFO = 2,
	HS_LOG_DEBUG = 3,
};

/* Lines of a failed load's verifier log shown below --verbose; the
 * reason the verifier gives is at the end. */
#define HS_LOG_VERIFIER_TAIL 20

void hs_log_set_level(enum hs_log_level level);
/* Where messages go: stderr unless set; NULL sets stderr again. */
void hs_log_set_output(FILE *f);
/* Route libbpf's messages through hs_log: warnings as warnings, info and
 * debug as debug. */
void hs_log_setup_libbpf(void);
/* While on, libbpf's warnings are debug lines: around a libbpf call whose
 * failure the caller expects and handles itself, so that the kernel's
 * error message libbpf passes on for it does not read as a problem. */
void hs_log_libbpf_quiet(bool on);
/* The callback hs_log_setup_libbpf installs (libbpf_print_fn_t). */
int hs_log_libbpf_print(enum libbpf_print_level level, const char *fmt,
			va_list ap);
void hs_log(enum hs_log_level level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#define pr_err(...) hs_log(HS_LOG_ERROR, __VA_ARGS__)
#define pr_warn(...) hs_log(HS_LOG_WARN, __VA_ARGS__)
#define pr_info(...) hs_log(HS_LOG_INFO, __VA_ARGS__)
#define pr_debug(...) hs_log(HS_LOG_DEBUG, __VA_ARGS__)

#endif /* HS_LOG_H */
