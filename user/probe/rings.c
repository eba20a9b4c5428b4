// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <errno.h>
#include <stdlib.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include "probe/rings.h"

#define HS_PAGE_BYTES 4096u

unsigned int hs_rings_cpus(void)
{
	int n = libbpf_num_possible_cpus();

	return n > 0 ? (unsigned int)n : 1;
}

uint32_t hs_ring_bytes(uint32_t total, unsigned int n)
{
	uint32_t each = HS_PAGE_BYTES;

	while (n && each <= total / n / 2)
		each *= 2;
	return each;
}

int hs_rings_make(struct hs_rings *r, struct bpf_map *rings, unsigned int n,
		  uint32_t bytes)
{
	int err = 0;

	r->n = 0;
	r->fds = calloc(n ? n : 1, sizeof(*r->fds));
	if (!r->fds)
		return -ENOMEM;
	while (r->n < n && !err) {
		int fd = bpf_map_create(BPF_MAP_TYPE_RINGBUF, "hs_ring", 0, 0,
					bytes, NULL);

		if (fd < 0)
			err = -errno;
		else
			r->fds[r->n++] = fd;
	}
	if (!err)
		err = bpf_map__set_max_entries(rings, n);
	if (!err)
		err = bpf_map__set_inner_map_fd(rings, r->fds[0]);
	if (err)
		hs_rings_close(r);
	return err;
}

int hs_rings_put(const struct hs_rings *r, int rings_fd)
{
	__u32 i;

	for (i = 0; i < r->n; i++)
		if (bpf_map_update_elem(rings_fd, &i, &r->fds[i], BPF_ANY))
			return -errno;
	return 0;
}

int hs_rings_open(struct hs_rings *r, int rings_fd)
{
	struct bpf_map_info info = {};
	__u32 len = sizeof(info), i, id;
	int err = 0;

	r->n = 0;
	r->fds = NULL;
	if (bpf_obj_get_info_by_fd(rings_fd, &info, &len))
		return -errno;
	r->fds = calloc(info.max_entries ? info.max_entries : 1,
			sizeof(*r->fds));
	if (!r->fds)
		return -ENOMEM;
	for (i = 0; i < info.max_entries && !err; i++) {
		int fd = -1;

		/* from user space, a map of maps gives the inner map's id */
		if (bpf_map_lookup_elem(rings_fd, &i, &id) ||
		    (fd = bpf_map_get_fd_by_id(id)) < 0)
			err = -errno;
		else
			r->fds[r->n++] = fd;
	}
	if (err)
		hs_rings_close(r);
	return err;
}

void hs_rings_close(struct hs_rings *r)
{
	unsigned int i;

	for (i = 0; i < r->n; i++)
		close(r->fds[i]);
	free(r->fds);
	r->fds = NULL;
	r->n = 0;
}

struct ring_buffer *hs_rings_reader(const struct hs_rings *r,
				    ring_buffer_sample_fn fn, void *ctx,
				    void *const *ctxs)
{
	struct ring_buffer *rb = NULL;
	unsigned int i;

	for (i = 0; i < r->n; i++) {
		void *c = ctxs ? ctxs[i] : ctx;

		if (!rb) {
			rb = ring_buffer__new(r->fds[i], fn, c, NULL);
			if (!rb)
				return NULL;
		} else if (ring_buffer__add(rb, r->fds[i], fn, c)) {
			ring_buffer__free(rb);
			errno = EINVAL;
			return NULL;
		}
	}
	if (!rb)
		errno = ENOENT;
	return rb;
}
