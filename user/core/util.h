/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * util.h - small helpers every layer may use.
 */
#ifndef HS_UTIL_H
#define HS_UTIL_H

#include <stddef.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/*
 * Make len bytes at p resident now. A calloc'd table is mapped page by
 * page as it is first written; one written at random (a hash table) or
 * walked as a ring then grows the resident set for hours, up to its size,
 * which a soak cannot tell from a leak. A memset of zeros would not do:
 * the compiler drops it after calloc. So one byte a page is written
 * through a volatile pointer.
 */
static inline void hs_prefault(void *p, size_t len)
{
	volatile char *c = p;
	size_t i;

	for (i = 0; i < len; i += 4096)
		c[i] = c[i];
	if (len) /* the last page, which the steps can miss */
		c[len - 1] = c[len - 1];
}

#endif /* HS_UTIL_H */
