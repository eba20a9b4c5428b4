/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * rings.h - the probe's ring buffers: one per CPU, in the BPF map of maps
 * `rings` (bpf/hopscope.bpf.c), so that CPUs recording at once share no
 * lock. Sized before the skeleton loads, created and put in after, opened
 * again by whoever reads them, and read as one.
 */
#ifndef HS_RINGS_H
#define HS_RINGS_H

#include <stdint.h>
#include <bpf/libbpf.h>

/* The rings of one map of rings, opened for reading. */
struct hs_rings {
	unsigned int n;
	int *fds; /* n of them */
};

/* The CPUs a ring is made for: the possible ones (a CPU brought online
 * later has its ring already). At least 1. */
unsigned int hs_rings_cpus(void);
/*
 * Each CPU's ring when the rings hold total bytes between them: a power
 * of two, at least a page. Rings of the whole size each would take the
 * memory of one ring times the CPUs (1 GiB on a 128-CPU host).
 */
uint32_t hs_ring_bytes(uint32_t total, unsigned int n);
/*
 * Before the skeleton loads: n rings of bytes each, made into r, and the
 * map of rings sized for them (the first is its template: libbpf 1.1
 * cannot resize the template it would make). 0, or -errno with r empty.
 */
int hs_rings_make(struct hs_rings *r, struct bpf_map *rings, unsigned int n,
		  uint32_t bytes);
/* After: r's rings put in the loaded map at rings_fd, which holds them
 * from then on. 0 or -errno. */
int hs_rings_put(const struct hs_rings *r, int rings_fd);
/* Open every ring in the map at rings_fd into r. 0 or -errno. */
int hs_rings_open(struct hs_rings *r, int rings_fd);
void hs_rings_close(struct hs_rings *r);
/* One reader of all of r's rings: fn(ctxs[i], ...) for ring i's records,
 * or fn(ctx, ...) for all when ctxs is NULL. NULL with errno set. */
struct ring_buffer *hs_rings_reader(const struct hs_rings *r,
				    ring_buffer_sample_fn fn, void *ctx,
				    void *const *ctxs);

#endif /* HS_RINGS_H */
