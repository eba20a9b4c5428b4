/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * log.h - one place for messages to the user.
 *
 * Errors are one line on stderr, prefixed "hopscope: ", naming the value at
 * fault. Debug lines appear with --verbose, libbpf's own chatter too.
 */
#ifndef HS_LOG_H
#define HS_LOG_H

#include <stdarg.h>

enum hs_log_level {
	HS_LOG_ERROR = 0,
	HS_LOG_WARN = 1,
	HS_LOG_INFO = 2,
	HS_LOG_DEBUG = 3,
};

void hs_log_set_level(enum hs_log_level level);
enum hs_log_level hs_log_get_level(void);
/* Route libbpf's messages through hs_log (debug unless they are warnings). */
void hs_log_setup_libbpf(void);
void hs_log(enum hs_log_level level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#define pr_err(...) hs_log(HS_LOG_ERROR, __VA_ARGS__)
#define pr_warn(...) hs_log(HS_LOG_WARN, __VA_ARGS__)
#define pr_info(...) hs_log(HS_LOG_INFO, __VA_ARGS__)
#define pr_debug(...) hs_log(HS_LOG_DEBUG, __VA_ARGS__)

#endif /* HS_LOG_H */
