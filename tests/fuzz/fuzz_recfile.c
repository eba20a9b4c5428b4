// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * fuzz_recfile - the record-file reader on any content: the input is what
 * a file holds once inflated (the preamble, the header, the frames), so
 * that mutations reach the frames rather than die in zlib. It is written
 * compressed to a file in memory and read as hopscope report reads one:
 * the header parsed into a run's configuration and point table, every
 * frame read to the end or to the first damage, which must be said.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <zlib.h>
#include "store/recfile.h"
#include "store/runinfo.h"

static struct hs_point_table points;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct hs_rec_reader *r;
	struct hs_rec_frame f;
	struct hs_run_info info;
	const char *header;
	char path[64], err[512];
	gzFile gz;
	int fd, n;

	fd = memfd_create("fuzz_recfile", MFD_CLOEXEC);
	if (fd < 0)
		return 0;
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	gz = gzdopen(dup(fd), "wb1");
	if (!gz || (size && gzwrite(gz, data, (unsigned int)size) <= 0)) {
		if (gz)
			gzclose(gz);
		close(fd);
		return 0;
	}
	gzclose(gz);
	err[0] = '\0';
	if (!hs_rec_open(&r, path, &header, err, sizeof(err))) {
		err[0] = '\0';
		(void)hs_run_info_from_json(header, &info, &points, err,
					    sizeof(err));
		while ((n = hs_rec_next(r, &f, err, sizeof(err))) == 1)
			if (f.len && !f.data)
				abort();
		if (n < 0 && !err[0])
			abort(); /* damage is said */
		hs_rec_close_reader(r);
	} else if (!err[0]) {
		abort();
	}
	close(fd);
	return 0;
}
