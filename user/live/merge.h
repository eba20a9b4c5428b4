/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * merge.h - the records of one drain of every CPU's ring, in timestamp
 * order. Each CPU's ring holds its records in the order they were
 * stamped; one after the other the rings would hand the session a flow's
 * packets out of order wherever two CPUs carried them (RPS, a sender on
 * each core), and the session would count reordering that never was. The
 * records are held per ring while the rings are read, then handed on
 * merged: a heap of the rings' heads, log2(rings) compares a record.
 */
#ifndef HS_MERGE_H
#define HS_MERGE_H

#include <stddef.h>
#include <stdint.h>
#include "hopscope.h"

struct hs_merge_ring {
	struct hs_record *recs;
	size_t n, cap, next;
};

struct hs_merge {
	unsigned int n;
	struct hs_merge_ring *rings;
	unsigned int *heap; /* ring indices by their next record's ts */
};

/* 0 or -ENOMEM. */
int hs_merge_init(struct hs_merge *m, unsigned int rings);
void hs_merge_free(struct hs_merge *m);
/* Hold rec, ring's next. 0, or -ENOMEM: the caller hands rec on itself. */
int hs_merge_add(struct hs_merge *m, unsigned int ring,
		 const struct hs_record *rec);
/* Hand every held record to fn in timestamp order (a ring's own order
 * where two are equal), and hold none. */
void hs_merge_flush(struct hs_merge *m,
		    void (*fn)(void *ctx, const struct hs_record *rec),
		    void *ctx);

#endif /* HS_MERGE_H */
