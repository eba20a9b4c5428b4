/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * units.h - sizes and durations as people write them on a command line:
 * "100MiB", "1.5GiB", "512" (bytes); "90s", "30m", "1h", "2d", "45"
 * (seconds). Binary units only (KiB = 1024 bytes), so that a size means
 * one thing. On failure, why holds what is wrong with the value, ready to
 * follow "bad --OPTION 'VALUE': " (for instance "unknown unit 'QB'").
 */
#ifndef HS_UNITS_H
#define HS_UNITS_H

#include <stddef.h>
#include <stdint.h>

/* s into bytes, more than 0. 0, or -EINVAL with why filled. */
int hs_parse_size(const char *s, uint64_t *bytes, char *why, size_t whylen);
/* s into nanoseconds, more than 0. 0, or -EINVAL with why filled. */
int hs_parse_duration(const char *s, uint64_t *ns, char *why, size_t whylen);
/* "100MiB", "1.5GiB", "512B": the largest unit that leaves at most one
 * decimal; for messages and --help. */
void hs_format_size(uint64_t bytes, char *buf, size_t len);

#endif /* HS_UNITS_H */
