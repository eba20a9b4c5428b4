// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <stdint.h>
#include <sys/mman.h>
#include "core/mem.h"

#define HUGE_PAGE (2u << 20)

/* The mapping's length: whole huge pages, so that its last one can be
 * one too; 0 when n * size overflows. */
static size_t table_len(size_t n, size_t size)
{
	if (size && n > (SIZE_MAX - HUGE_PAGE) / size)
		return 0;
	return (n * size + HUGE_PAGE - 1) & ~(size_t)(HUGE_PAGE - 1);
}

void *hs_table_alloc(size_t n, size_t size)
{
	size_t len = table_len(n, size);
	void *p;

	if (!len)
		return NULL;
	p = mmap(NULL, len, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return NULL;
	/* advice only: without huge pages the table works the same */
	madvise(p, len, MADV_HUGEPAGE);
	return p;
}

void hs_table_free(void *p, size_t n, size_t size)
{
	if (p)
		munmap(p, table_len(n, size));
}
