/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * runinfo.h - what a record file says about its run: the host, the
 * kernel, the clock the records use and how it relates to the others, the
 * configuration, and the point table. It is the record file's header
 * frame, a JSON object (recfile.h). Its "points" are those live when the
 * file (part) began, in the order of their ids; an id left out is a gap,
 * absent in the table read back.
 */
#ifndef HS_RUNINFO_H
#define HS_RUNINFO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "core/clock.h"
#include "analysis/points.h"
#include "analysis/session.h"

struct hs_run_info {
	char run_id[96]; /* host, pid and start: the parts of one run share it */
	unsigned int part; /* 0, then one more per SIGHUP */
	char host[HS_HOST_NAME_MAX];
	char kernel[65];
	enum hs_clock clock;
	/* realtime, TAI and monotonic minus the records' clock, in ns */
	int64_t realtime_offset_ns;
	int64_t tai_offset_ns;
	int64_t monotonic_offset_ns;
	struct hs_session_config cfg;
	uint32_t sample_one_in;
	char filter[256]; /* as the user wrote it, "" for none */
	/* HS_FINGERPRINT_VERSION of the probe that recorded; files from
	 * before the header said it are version 1 */
	uint32_t fingerprint;
};

/* Host, kernel, run id and clock offsets, measured now. */
void hs_run_info_now(struct hs_run_info *info, enum hs_clock clock);
/* The header's JSON text (malloc'd), or NULL. */
char *hs_run_info_to_json(const struct hs_run_info *info,
			  const struct hs_point_table *points);
/* One point's JSON object, as the header's "points" hold it (malloc'd),
 * or NULL. */
char *hs_run_info_point_to_json(const struct hs_point_info *p);
/* Parse one (len bytes, no NUL needed). 0, or -EINVAL with one line in
 * err. */
int hs_run_info_point_from_json(const char *text, size_t len,
				struct hs_point_info *p, char *err,
				size_t errlen);
/* Parse a header. 0, or -EINVAL with one line in err. */
int hs_run_info_from_json(const char *text, struct hs_run_info *info,
			  struct hs_point_table *points, char *err,
			  size_t errlen);

#endif /* HS_RUNINFO_H */
