/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * mem.h - zeroed memory for a table that is read at random.
 *
 * A hash index or a heap is touched all over, record after record: with
 * 4 KiB pages nearly every access is a TLB miss, and in a virtual
 * machine each miss walks two page tables. Such a table is mapped on its
 * own and asked for 2 MiB pages (transparent huge pages in madvise mode,
 * as Debian's kernels default to); where the kernel gives none it gets
 * ordinary pages and works the same. Measured on the matcher's index and
 * heap: 41 -> 32 ns a record matched (docs/performance.md).
 */
#ifndef HS_MEM_H
#define HS_MEM_H

#include <stddef.h>

/* n * size zeroed bytes, or NULL (overflow, or no memory). */
void *hs_table_alloc(size_t n, size_t size);
/* What hs_table_alloc(n, size) returned (NULL: nothing). */
void hs_table_free(void *p, size_t n, size_t size);

#endif /* HS_MEM_H */
