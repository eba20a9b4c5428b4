// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * recshift - a copy of a record file whose host clock is off by a known
 * amount: every time in it (records, drops, horizons, start and end) moves
 * by SHIFT_NS, the header's clock offsets stay. To the join it looks like
 * a host whose realtime clock is SHIFT_NS ahead; the test checks that
 * hopscope report recovers SHIFT_NS.
 *   recshift IN OUT SHIFT_NS
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "store/recfile.h"

static void shift_frame(struct hs_rec_frame *f, void *buf, int64_t shift)
{
	size_t i;

	memcpy(buf, f->data, f->len);
	switch (f->type) {
	case HS_FRAME_RECORDS:
		for (i = 0; i < f->len / sizeof(struct hs_record); i++)
			((struct hs_record *)buf)[i].ts_ns += (uint64_t)shift;
		break;
	case HS_FRAME_DROPS:
		for (i = 0; i < f->len / sizeof(struct hs_frame_drops); i++) {
			((struct hs_frame_drops *)buf)[i].from +=
				(uint64_t)shift;
			((struct hs_frame_drops *)buf)[i].to += (uint64_t)shift;
		}
		break;
	case HS_FRAME_ARMED:
	case HS_FRAME_READY:
	case HS_FRAME_HORIZON:
	case HS_FRAME_END:
		((struct hs_frame_time *)buf)->ts_ns += (uint64_t)shift;
		break;
	}
}

int main(int argc, char **argv)
{
	struct hs_rec_reader *r;
	struct hs_rec_writer *w;
	struct hs_rec_frame f;
	const char *header;
	char err[512];
	int64_t shift;
	int n;

	if (argc != 4) {
		fprintf(stderr, "usage: recshift IN OUT SHIFT_NS\n");
		return 2;
	}
	shift = strtoll(argv[3], NULL, 10);
	if (hs_rec_open(&r, argv[1], &header, err, sizeof(err)) ||
	    hs_rec_create(&w, argv[2], header, err, sizeof(err))) {
		fprintf(stderr, "recshift: %s\n", err);
		return 1;
	}
	while ((n = hs_rec_next(r, &f, err, sizeof(err))) == 1) {
		void *buf = malloc(f.len ? f.len : 1);

		if (!buf)
			return 1;
		shift_frame(&f, buf, shift);
		hs_rec_put(w, f.type, buf, f.len);
		free(buf);
	}
	hs_rec_close_reader(r);
	if (n < 0 || hs_rec_close(w)) {
		fprintf(stderr, "recshift: %s\n", n < 0 ? err : "write failed");
		return 1;
	}
	return 0;
}
