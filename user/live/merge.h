/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * merge.h - the records of one drain of every CPU's ring, in timestamp
 * order, and the reader that reads the rings so. Each CPU's ring holds its records in the order they were
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
#include "probe/rings.h"

/* A record handed on, in timestamp order. */
typedef void (*hs_record_fn)(void *ctx, const struct hs_record *rec);

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
void hs_merge_flush(struct hs_merge *m, hs_record_fn fn, void *ctx);

/*
 * Every CPU's ring of a map of rings read as one stream: each read hands
 * every record the rings hold to fn, merged by timestamp where more than
 * one ring has records (straight from the ring with one ring, or when
 * there is no memory to hold them), and each sample too short for a
 * record to bad. What the collector reads, and its benchmark.
 */
struct hs_ring_reader {
	struct hs_rings rings;
	struct ring_buffer *rb;
	struct hs_merge merge;
	struct hs_ring_tag {
		struct hs_ring_reader *r;
		unsigned int ring;
	} *tags; /* each ring's context */
	void **tag_ptrs;
	hs_record_fn fn;
	void (*bad)(void *ctx);
	void *ctx;
};

/* Open the rings of the map at rings_fd into r (zeroed by the caller). 0
 * or -errno; hs_ring_reader_close() either way. */
int hs_ring_reader_open(struct hs_ring_reader *r, int rings_fd,
			hs_record_fn fn, void (*bad)(void *ctx), void *ctx);
/* Everything the rings hold, handed on. Samples read, or -errno. */
int hs_ring_reader_read(struct hs_ring_reader *r);
/* The descriptor that polls readable when a probe woke the reader. */
int hs_ring_reader_fd(const struct hs_ring_reader *r);
void hs_ring_reader_close(struct hs_ring_reader *r);

#endif /* HS_MERGE_H */
