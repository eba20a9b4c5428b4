/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * golden.h - compare output with a file of tests/fixtures byte for byte.
 *
 * With HS_GOLDEN_UPDATE=1 in the environment the file is written instead:
 * only for a change of output that is meant, reviewed line by line (see
 * tests/README.md).
 */
#ifndef HS_TEST_GOLDEN_H
#define HS_TEST_GOLDEN_H

#include <stddef.h>

/* A fixture's whole content, NUL-terminated, malloc'ed; its length in
 * *len. NULL when it cannot be read. */
char *golden_slurp(const char *path, size_t *len);
/* NULL when text (len bytes) is the file's content; else a message
 * naming the first line that differs, with both versions of it (static
 * storage). */
const char *golden_diff(const char *text, size_t len, const char *path);

#endif /* HS_TEST_GOLDEN_H */
