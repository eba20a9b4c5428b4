/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * recfile.h - record files: everything a run saw, to report on it again.
 *
 * A record file is a gzip stream (zlib, RFC 1952). Its content is a
 * preamble and a sequence of frames:
 *
 *   preamble   "HSRECORD", __u32 format version, __u32 0x01020304 (the
 *              writer's byte order: a reader of the other order refuses)
 *   frame      struct hs_frame_hdr, then len bytes of payload
 *
 * The first frame is HS_FRAME_HEADER, a JSON object: format version, run
 * id and part, host name, kernel, the clock the records use and the
 * offsets between the monotonic, realtime and TAI clocks, the
 * configuration and the point table (runinfo.h writes and reads it). The
 * frames after it are the run's events in the order they happened
 * (recorder.h writes them): a report replays them (replay.h) and gets the
 * statistics the run got.
 *
 * A run whose points come and go (hopscope agent) has the points live
 * when its part started in the header (ids of the others are left out:
 * gaps), and the changes as frames: POINT_ADDED carries the time and the
 * point's JSON object, exactly as in the header's "points"; POINT_REMOVED
 * the time and the id; EXPIRE the arguments of the hs_session_expire call
 * that let points go, at the place in the events where it did.
 *
 * The writer flushes the compressor at least once a second (a crash loses
 * at most that), and SIGHUP makes it close the file and start a new one at
 * the same path (log rotation), with the same header but the next part
 * number; written into a directory, each part gets a name of its own
 * (parts.h). The reader checks each frame's CRC-32 and names the byte offset
 * (in the uncompressed content) of anything truncated or corrupt; every
 * complete record before it is still handed over.
 */
#ifndef HS_RECFILE_H
#define HS_RECFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "hopscope.h"
#include "analysis/nat.h"

#define HS_REC_MAGIC "HSRECORD"
/* 2: records of 40 bytes (the NAT key). Files of format 1, records of 32
 * bytes, are still read: their records come out with NAT key 0, which
 * matches nothing across a NAT. */
#define HS_REC_FORMAT 2
#define HS_REC_FORMAT_V1 1
#define HS_REC_V1_RECORD_BYTES 32
#define HS_REC_BYTE_ORDER 0x01020304u

/* Every frame struct's layout is pinned after it (HS_ASSERT_FIELD): the
 * files outlive the build that wrote them. */
enum hs_frame_type {
	HS_FRAME_HEADER = 1, /* JSON text */
	HS_FRAME_RECORDS = 2, /* struct hs_record[] */
	HS_FRAME_ARMED = 3, /* struct hs_frame_time: probes all attached */
	HS_FRAME_READY = 4, /* struct hs_frame_time: measuring starts */
	HS_FRAME_DROPS = 5, /* struct hs_frame_drops[] */
	HS_FRAME_HORIZON = 6, /* struct hs_frame_time */
	HS_FRAME_EVENT = 7, /* struct hs_frame_event */
	HS_FRAME_REPORT = 8, /* struct hs_frame_report, hs_counters[] */
	HS_FRAME_END = 9, /* struct hs_frame_time */
	HS_FRAME_BAD_RECORD = 10, /* no payload */
	HS_FRAME_COST = 11, /* struct hs_frame_cost[]: the probes' run time */
	/* points that come and go (hopscope agent); a file without them is
	 * read as before */
	HS_FRAME_POINT_ADDED = 12, /* struct hs_frame_time, then the point's
				    * JSON object as the header has it */
	HS_FRAME_POINT_REMOVED = 13, /* struct hs_frame_point */
	HS_FRAME_EXPIRE = 14, /* struct hs_frame_expire */
	/* a NAT hop's rewrite in words (analysis/nat.h); a file without
	 * them names NAT hops by flow hashes */
	HS_FRAME_NAT_NAME = 15, /* struct hs_frame_nat_name */
	HS_FRAME_TYPE_MAX,
};

struct hs_frame_hdr {
	__u32 type;
	__u32 len; /* payload bytes */
	__u32 crc; /* CRC-32 (zlib's) of the payload */
	__u32 __pad;
};
HS_ASSERT_FIELD(struct hs_frame_hdr, type, 0, 4);
HS_ASSERT_FIELD(struct hs_frame_hdr, len, 4, 4);
HS_ASSERT_FIELD(struct hs_frame_hdr, crc, 8, 4);
HS_ASSERT_FIELD(struct hs_frame_hdr, __pad, 12, 4);
HS_ASSERT_SIZE(struct hs_frame_hdr, 16);

struct hs_frame_time {
	__u64 ts_ns;
};
HS_ASSERT_FIELD(struct hs_frame_time, ts_ns, 0, 8);
HS_ASSERT_SIZE(struct hs_frame_time, 8);

struct hs_frame_drops {
	__u64 total; /* the point's ringbuf_drops */
	__u64 from, to; /* since the collector last looked */
	__u16 point;
	__u8 __pad[6];
};
HS_ASSERT_FIELD(struct hs_frame_drops, total, 0, 8);
HS_ASSERT_FIELD(struct hs_frame_drops, from, 8, 8);
HS_ASSERT_FIELD(struct hs_frame_drops, to, 16, 8);
HS_ASSERT_FIELD(struct hs_frame_drops, point, 24, 2);
HS_ASSERT_FIELD(struct hs_frame_drops, __pad, 26, 6);
HS_ASSERT_SIZE(struct hs_frame_drops, 32);

struct hs_frame_event {
	__u16 point;
	__u8 __pad[6];
	char event[16]; /* "down", "up", "gone", NUL-terminated */
};
HS_ASSERT_FIELD(struct hs_frame_event, point, 0, 2);
HS_ASSERT_FIELD(struct hs_frame_event, __pad, 2, 6);
HS_ASSERT_FIELD(struct hs_frame_event, event, 8, 16);
HS_ASSERT_SIZE(struct hs_frame_event, 24);

struct hs_frame_nat_name {
	__u32 flow_in, flow_out;
	char text[HS_NAT_TEXT_MAX]; /* NUL-terminated */
};
HS_ASSERT_FIELD(struct hs_frame_nat_name, flow_in, 0, 4);
HS_ASSERT_FIELD(struct hs_frame_nat_name, flow_out, 4, 4);
HS_ASSERT_FIELD(struct hs_frame_nat_name, text, 8, 128);
HS_ASSERT_SIZE(struct hs_frame_nat_name, 136);

struct hs_frame_point {
	__u64 ts_ns;
	__u16 point;
	__u8 __pad[6];
};
HS_ASSERT_FIELD(struct hs_frame_point, ts_ns, 0, 8);
HS_ASSERT_FIELD(struct hs_frame_point, point, 8, 2);
HS_ASSERT_FIELD(struct hs_frame_point, __pad, 10, 6);
HS_ASSERT_SIZE(struct hs_frame_point, 16);

/* hs_session_expire(now_ns, expire_ns) let points go here */
struct hs_frame_expire {
	__u64 now_ns;
	__u64 expire_ns;
};
HS_ASSERT_FIELD(struct hs_frame_expire, now_ns, 0, 8);
HS_ASSERT_FIELD(struct hs_frame_expire, expire_ns, 8, 8);
HS_ASSERT_SIZE(struct hs_frame_expire, 16);

struct hs_frame_cost {
	__u64 run_time_ns;
	__u64 run_cnt;
	__u16 point;
	__u8 __pad[6];
};
HS_ASSERT_FIELD(struct hs_frame_cost, run_time_ns, 0, 8);
HS_ASSERT_FIELD(struct hs_frame_cost, run_cnt, 8, 8);
HS_ASSERT_FIELD(struct hs_frame_cost, point, 16, 2);
HS_ASSERT_FIELD(struct hs_frame_cost, __pad, 18, 6);
HS_ASSERT_SIZE(struct hs_frame_cost, 24);

struct hs_frame_report {
	__u8 final;
	__u8 __pad[3];
	__u32 n_points; /* struct hs_counters that follow */
	double elapsed_s;
	double interval_s;
};
HS_ASSERT_FIELD(struct hs_frame_report, final, 0, 1);
HS_ASSERT_FIELD(struct hs_frame_report, __pad, 1, 3);
HS_ASSERT_FIELD(struct hs_frame_report, n_points, 4, 4);
HS_ASSERT_FIELD(struct hs_frame_report, elapsed_s, 8, 8);
HS_ASSERT_FIELD(struct hs_frame_report, interval_s, 16, 8);
HS_ASSERT_SIZE(struct hs_frame_report, 24);

/* Largest payload a reader accepts: a header with HS_MAX_POINTS points,
 * or a report with as many counters, fit well within it. */
#define HS_REC_MAX_FRAME (4u << 20)
/* Records per HS_FRAME_RECORDS frame at most. */
#define HS_REC_BATCH 1024

/* ---- writing ---- */

struct hs_rec_writer;

/* Create (or truncate) path and write the preamble and the header frame.
 * 0, or -errno with one line in err naming path. */
int hs_rec_create(struct hs_rec_writer **w, const char *path,
		  const char *header_json, char *err, size_t errlen);
/* One frame. Records waiting for a frame of their own go first. */
int hs_rec_put(struct hs_rec_writer *w, uint32_t type, const void *data,
	       uint32_t len);
/* One record, batched into HS_FRAME_RECORDS frames. */
int hs_rec_put_record(struct hs_rec_writer *w, const struct hs_record *r);
/* Write out what is batched and flush the compressor, so a reader sees
 * everything so far; does so at most once a second unless force. */
int hs_rec_flush(struct hs_rec_writer *w, bool force);
/* Close the file and start a new one at the same path with this header.
 * 0, or -errno with one line in err: the old part was cut short (the new
 * one is open), or the new one cannot start (hs_rec_is_open says). */
int hs_rec_reopen(struct hs_rec_writer *w, const char *header_json, char *err,
		  size_t errlen);
/* The same, but the new file at path (a new part in a directory); the
 * old one stays where it is. NULL path: the same path. */
int hs_rec_reopen_at(struct hs_rec_writer *w, const char *path,
		     const char *header_json, char *err, size_t errlen);
bool hs_rec_is_open(const struct hs_rec_writer *w);
/* Compressed bytes of the current file on disk so far (what the last
 * flush wrote; the compressor's buffer not counted); one lseek. */
uint64_t hs_rec_bytes(const struct hs_rec_writer *w);
/* Finish the file. 0, or -errno if any write of any part failed. */
int hs_rec_close(struct hs_rec_writer *w);
const char *hs_rec_path(const struct hs_rec_writer *w);

/* ---- reading ---- */

struct hs_rec_reader;

struct hs_rec_frame {
	uint32_t type;
	uint32_t len;
	const void *data; /* valid until the next call */
	uint64_t offset; /* of the frame header in the content */
	/* a records frame cut short: only its complete records, unchecked;
	 * the next call reports the truncation */
	bool truncated;
};

/* The time a HS_FRAME_ARMED, _READY, _HORIZON or _END frame carries; its
 * length checked by the caller. */
static inline uint64_t hs_frame_ts(const struct hs_rec_frame *f)
{
	return ((const struct hs_frame_time *)f->data)->ts_ns;
}

/* Open path and read the preamble and the header frame (its JSON text,
 * NUL-terminated, in *header until close). 0, or -errno with one line in
 * err naming path: what open() said, -EINVAL for a file that is not a
 * record file (of this format), -EIO for one damaged before its header
 * ends (with the byte offset). */
int hs_rec_open(struct hs_rec_reader **r, const char *path, const char **header,
		char *err, size_t errlen);
/* The next frame: 1, 0 at the clean end, -1 on a truncated or corrupt
 * file with one line in err naming the path and the byte offset. */
int hs_rec_next(struct hs_rec_reader *r, struct hs_rec_frame *f, char *err,
		size_t errlen);
void hs_rec_close_reader(struct hs_rec_reader *r);

#endif /* HS_RECFILE_H */
