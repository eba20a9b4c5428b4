// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * recfile.c and runinfo.c: record files written and read back; truncated,
 * corrupt and foreign files give an error naming the byte offset, after
 * every complete record before it; the header keeps the point table.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <zlib.h>
#include <criterion/criterion.h>
#include "store/recfile.h"
#include "store/runinfo.h"

#define N_RECORDS 5000

static char dir[] = "/tmp/hs-test-recfile.XXXXXX";
static char path[256];

static void setup(void)
{
	cr_assert_not_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/run.hsr", dir);
}

static void teardown(void)
{
	unlink(path);
	rmdir(dir);
}

TestSuite(recfile, .init = setup, .fini = teardown);

static struct hs_record record(unsigned int i)
{
	struct hs_record r = {
		.ts_ns = 1000000000ULL + 1000ULL * i,
		/* a different fingerprint each, badly compressible */
		.fingerprint = 0x9E3779B97F4A7C15ULL * (i + 1),
		.flow_hash = 0xF00D,
		.point_id = (uint16_t)(i % 6),
		.ip_len = 92,
		.proto = 17,
	};
	return r;
}

/* A file: header, ready, N_RECORDS records with a horizon every 100,
 * a report, the end. */
static void write_file(void)
{
	struct hs_rec_writer *w;
	struct hs_frame_time ready = { .ts_ns = 999 };
	char err[256];
	unsigned int i;

	cr_assert_eq(hs_rec_create(&w, path, "{\"hello\":1}", err, sizeof(err)),
		     0, "%s", err);
	cr_assert_eq(hs_rec_put(w, HS_FRAME_READY, &ready, sizeof(ready)), 0);
	for (i = 0; i < N_RECORDS; i++) {
		struct hs_record r = record(i);

		cr_assert_eq(hs_rec_put_record(w, &r), 0);
		if (i % 100 == 99) {
			struct hs_frame_time h = { .ts_ns = r.ts_ns };

			cr_assert_eq(hs_rec_put(w, HS_FRAME_HORIZON, &h, sizeof(h)), 0);
		}
	}
	cr_assert_eq(hs_rec_put(w, HS_FRAME_END, &ready, sizeof(ready)), 0);
	cr_assert_eq(hs_rec_close(w), 0);
}

struct readback {
	unsigned int records, horizons, frames;
	bool ready, end, truncated;
	int status; /* of the last hs_rec_next */
	char err[512];
};

/* Read everything; every record must be the one written at its place. */
static void read_file(struct readback *rb)
{
	struct hs_rec_reader *r;
	struct hs_rec_frame f;
	const char *header;
	char err[256];

	memset(rb, 0, sizeof(*rb));
	cr_assert_eq(hs_rec_open(&r, path, &header, err, sizeof(err)), 0, "%s",
		     err);
	cr_assert_str_eq(header, "{\"hello\":1}");
	while ((rb->status = hs_rec_next(r, &f, rb->err, sizeof(rb->err))) == 1) {
		const struct hs_record *rec = f.data;
		unsigned int i;

		rb->frames++;
		rb->truncated |= f.truncated;
		switch (f.type) {
		case HS_FRAME_RECORDS:
			cr_assert_eq(f.len % sizeof(*rec), 0);
			for (i = 0; i < f.len / sizeof(*rec); i++) {
				struct hs_record want = record(rb->records);

				cr_assert_eq(memcmp(&rec[i], &want, sizeof(want)), 0,
					     "record %u differs", rb->records);
				rb->records++;
			}
			break;
		case HS_FRAME_HORIZON:
			rb->horizons++;
			break;
		case HS_FRAME_READY:
			rb->ready = true;
			break;
		case HS_FRAME_END:
			rb->end = true;
			break;
		default:
			cr_assert_fail("unexpected frame type %u", f.type);
		}
	}
	hs_rec_close_reader(r);
}

Test(recfile, written_and_read_back)
{
	struct readback rb;
	struct stat st;

	write_file();
	read_file(&rb);
	cr_assert_eq(rb.status, 0, "%s", rb.err);
	cr_assert_eq(rb.records, N_RECORDS);
	cr_assert_eq(rb.horizons, N_RECORDS / 100);
	cr_assert(rb.ready && rb.end);
	/* compressed: a 32-byte record takes well under its size */
	cr_assert_eq(stat(path, &st), 0);
	cr_assert_lt(st.st_size, N_RECORDS * 32);
}

static void truncate_to(double fraction)
{
	struct stat st;

	cr_assert_eq(stat(path, &st), 0);
	cr_assert_eq(truncate(path, (off_t)(st.st_size * fraction)), 0);
}

Test(recfile, truncated_file_keeps_what_came_before)
{
	struct readback rb;

	write_file();
	truncate_to(0.6);
	read_file(&rb);
	cr_assert_eq(rb.status, -1);
	cr_assert(strstr(rb.err, "truncated at byte"), "%s", rb.err);
	cr_assert(strstr(rb.err, path), "%s", rb.err);
	/* most of the records before the cut, each checked above */
	cr_assert_gt(rb.records, N_RECORDS / 3);
	cr_assert_lt(rb.records, N_RECORDS);
	cr_assert(rb.ready);
	cr_assert_not(rb.end);
}

/* Keep the first keep bytes of the file's content, as a whole gzip file. */
static void cut_content(size_t keep)
{
	char *buf = malloc(keep);
	gzFile in = gzopen(path, "rb"), out;

	cr_assert(buf && in);
	cr_assert_eq(gzread(in, buf, (unsigned int)keep), (int)keep);
	gzclose(in);
	out = gzopen(path, "wb");
	cr_assert_not_null(out);
	cr_assert_eq(gzwrite(out, buf, (unsigned int)keep), (int)keep);
	cr_assert_eq(gzclose(out), Z_OK);
	free(buf);
}

Test(recfile, truncated_inside_a_records_frame_uses_its_whole_records)
{
	struct hs_rec_writer *w;
	struct readback rb;
	char err[256], want[64];
	unsigned int i;

	/* one frame of 1000 records, uncompressed length known: cut it in
	 * the middle of its 600th record by rewriting a plain copy */
	cr_assert_eq(hs_rec_create(&w, path, "{\"hello\":1}", err, sizeof(err)), 0);
	for (i = 0; i < 1000; i++) {
		struct hs_record r = record(i);

		hs_rec_put_record(w, &r);
	}
	cr_assert_eq(hs_rec_close(w), 0);
	/* decompress, cut in the middle of record 600, recompress: the
	 * gzip stream whole, its content cut short */
	cut_content(16 + 16 + 11 + 16 + 599 * sizeof(struct hs_record) +
		    7); /* preamble, header, frame header */
	read_file(&rb);
	cr_assert_eq(rb.records, 599);
	cr_assert(rb.truncated);
	cr_assert_eq(rb.status, -1);
	cr_assert(strstr(rb.err, "599 complete records were used"), "%s", rb.err);
	/* the frame started right after preamble and header frame */
	snprintf(want, sizeof(want), "truncated at byte %zu ",
		 (size_t)(16 + 16 + 11 + 16 + 599 * sizeof(struct hs_record) +
			  7));
	cr_assert(strstr(rb.err, want), "%s", rb.err);
	cr_assert(strstr(rb.err, "starts at byte 43;"), "%s", rb.err);
}

/* The file as it is, its bytes appended to itself (two files joined with
 * cat), then bytes that are no gzip after the whole file. */
static void append_to_file(const void *data, size_t len)
{
	FILE *f = fopen(path, "ab");

	cr_assert_not_null(f);
	cr_assert_eq(fwrite(data, 1, len, f), len);
	cr_assert_eq(fclose(f), 0);
}

static void *whole_file(size_t *len)
{
	struct stat st;
	void *buf;
	FILE *f;

	cr_assert_eq(stat(path, &st), 0);
	*len = (size_t)st.st_size;
	buf = malloc(*len);
	f = fopen(path, "rb");
	cr_assert(buf && f);
	cr_assert_eq(fread(buf, 1, *len, f), *len);
	fclose(f);
	return buf;
}

Test(recfile, a_second_file_appended_is_said_not_read)
{
	struct readback rb;
	size_t len;
	void *copy;

	write_file();
	copy = whole_file(&len);
	append_to_file(copy, len);
	free(copy);
	read_file(&rb);
	cr_assert_eq(rb.status, -1, "the appended file went unnoticed");
	cr_assert_eq(rb.records, N_RECORDS, "the first file is read whole");
	cr_assert(rb.end);
	cr_assert(strstr(rb.err, "another record file's start at byte "), "%s",
		  rb.err);
	cr_assert(strstr(rb.err, "(files joined?): it is not read"), "%s",
		  rb.err);
}

Test(recfile, bytes_after_the_compressed_content_are_said)
{
	static const char junk[] = "not a record file, not gzip";
	struct readback rb;

	write_file();
	append_to_file(junk, sizeof(junk) - 1);
	read_file(&rb);
	cr_assert_eq(rb.status, -1, "trailing bytes went unnoticed");
	cr_assert_eq(rb.records, N_RECORDS);
	cr_assert(
		strstr(rb.err,
		       "bytes after its compressed content, which are not read"),
		"%s", rb.err);
}

Test(recfile, corrupt_data_stops_with_the_offset)
{
	struct readback rb;
	struct stat st;
	unsigned char junk[64];
	int fd;

	write_file();
	cr_assert_eq(stat(path, &st), 0);
	memset(junk, 0xA5, sizeof(junk));
	fd = open(path, O_WRONLY);
	cr_assert_geq(fd, 0);
	cr_assert_eq(pwrite(fd, junk, sizeof(junk), st.st_size / 2),
		     (ssize_t)sizeof(junk));
	close(fd);
	read_file(&rb);
	/* every record handed over was checked against what was written */
	cr_assert_eq(rb.status, -1);
	cr_assert(strstr(rb.err, "at byte"), "%s", rb.err);
	cr_assert_lt(rb.records, N_RECORDS);
}

Test(recfile, foreign_file_refused)
{
	struct hs_rec_reader *r;
	const char *header;
	char err[256];
	FILE *f = fopen(path, "w");

	cr_assert_not_null(f);
	fputs("this is not a record file, just text long enough\n", f);
	fclose(f);
	cr_assert_eq(hs_rec_open(&r, path, &header, err, sizeof(err)), -EINVAL);
	cr_assert(strstr(err, "is not a hopscope record file"), "%s", err);
	cr_assert_eq(hs_rec_open(&r, "/nonexistent/x.hsr", &header, err,
				 sizeof(err)),
		     -ENOENT);
	cr_assert(strstr(err, "/nonexistent/x.hsr"), "%s", err);
}

Test(recfile, reopen_starts_a_complete_file)
{
	struct hs_rec_writer *w;
	struct hs_record r = record(0);
	struct readback rb;
	char err[256], moved[300];

	cr_assert_eq(hs_rec_create(&w, path, "{\"hello\":1}", err, sizeof(err)), 0);
	hs_rec_put_record(w, &r);
	snprintf(moved, sizeof(moved), "%s.1", path);
	cr_assert_eq(rename(path, moved), 0);
	/* log rotation: the file was moved away, SIGHUP */
	cr_assert_eq(hs_rec_reopen(w, "{\"hello\":1}", err, sizeof(err)), 0,
		     "%s", err);
	r = record(0);
	hs_rec_put_record(w, &r);
	cr_assert_eq(hs_rec_close(w), 0);
	read_file(&rb);
	cr_assert_eq(rb.status, 0, "%s", rb.err);
	cr_assert_eq(rb.records, 1);
	/* the moved one is whole too */
	cr_assert_eq(rename(moved, path), 0);
	read_file(&rb);
	cr_assert_eq(rb.status, 0, "%s", rb.err);
	cr_assert_eq(rb.records, 1);
}

/* The header keeps what names hops: ends, kinds, peers, masters. */
Test(recfile, run_info_round_trip)
{
	static struct hs_point_table in, out;
	struct hs_run_info info = {}, back;
	char err[256], *text;
	unsigned int i;

	hs_run_info_now(&info, HS_CLOCK_MONOTONIC);
	info.cfg.window_ns = 100000000;
	info.cfg.max_inflight = 4096;
	info.cfg.warmup_ns = 2000000000;
	info.sample_one_in = 8;
	snprintf(info.filter, sizeof(info.filter), "udp and port 7777");
	in.n = 3;
	for (i = 0; i < in.n; i++) {
		struct hs_point_info *p = &in.p[i];

		p->id = (uint16_t)i;
		p->hook = (uint8_t)(i % 3);
		snprintf(p->netns, sizeof(p->netns), "hs1_vnf%u", i);
		p->link.netns_inode = 4026532000ULL + i;
		p->link.ifindex = 2 + (int)i;
		snprintf(p->link.ifname, sizeof(p->link.ifname), "eth%u", i);
		p->link.kind = HS_LINK_VETH;
		p->link.link_nsid = -1;
		p->link.peer.netns_inode = 4026532100ULL;
		p->link.peer.ifindex = 7;
		snprintf(p->link.peer.ifname, sizeof(p->link.peer.ifname), "p%u", i);
		snprintf(p->link.ovs_bridge, sizeof(p->link.ovs_bridge), "br3");
		p->prog_id = 800 + i;
	}
	text = hs_run_info_to_json(&info, &in);
	cr_assert_not_null(text);
	cr_assert_eq(hs_run_info_from_json(text, &back, &out, err, sizeof(err)),
		     0, "%s", err);
	free(text);
	cr_assert_str_eq(back.run_id, info.run_id);
	cr_assert_str_eq(back.host, info.host);
	cr_assert_eq(back.clock, HS_CLOCK_MONOTONIC);
	cr_assert_eq(back.realtime_offset_ns, info.realtime_offset_ns);
	cr_assert_eq(back.cfg.warmup_ns, 2000000000);
	cr_assert_eq(back.sample_one_in, 8);
	cr_assert_str_eq(back.filter, "udp and port 7777");
	cr_assert_eq(back.fingerprint, HS_FINGERPRINT_VERSION);
	cr_assert_eq(out.n, 3);
	for (i = 0; i < 3; i++) {
		cr_assert_str_eq(out.p[i].netns, in.p[i].netns);
		cr_assert_eq(out.p[i].hook, in.p[i].hook);
		cr_assert_eq(out.p[i].prog_id, in.p[i].prog_id);
		cr_assert_eq(memcmp(&out.p[i].link, &in.p[i].link,
				    sizeof(in.p[i].link)),
			     0, "link of point %u differs", i);
	}
	cr_assert_str_eq(out.host[0], info.host);
}

/* A header from before the fingerprint's version was written down is of
 * version 1; report refuses to join files of two versions. */
Test(recfile, run_info_without_fingerprint_is_version_1)
{
	static struct hs_point_table in, out;
	struct hs_run_info info = {}, back;
	char err[256], *text, *at;

	hs_run_info_now(&info, HS_CLOCK_MONOTONIC);
	info.cfg.window_ns = 100000000;
	info.cfg.max_inflight = 4096;
	info.sample_one_in = 1;
	text = hs_run_info_to_json(&info, &in);
	cr_assert_not_null(text);
	at = strstr(text, "\"fingerprint\":");
	cr_assert_not_null(at, "%s", text);
	memcpy(at, "\"fingerprinx\":", strlen("\"fingerprinx\":"));
	cr_assert_eq(hs_run_info_from_json(text, &back, &out, err, sizeof(err)),
		     0, "%s", err);
	free(text);
	cr_assert_eq(back.fingerprint, 1);
}

/* A file whose content stops after the preamble names what is missing. */
Test(recfile, no_header_is_damage)
{
	struct hs_rec_reader *r;
	const char *header;
	char err[256];
	struct {
		char magic[8];
		uint32_t format, order;
	} pre = { .format = HS_REC_FORMAT, .order = HS_REC_BYTE_ORDER };
	gzFile gz = gzopen(path, "wb");

	memcpy(pre.magic, HS_REC_MAGIC, 8);
	cr_assert_not_null(gz);
	gzwrite(gz, &pre, sizeof(pre));
	gzclose(gz);
	cr_assert_eq(hs_rec_open(&r, path, &header, err, sizeof(err)), -EIO);
	cr_assert(strstr(err, "no header: the file ends at byte 16"), "%s", err);
}

/* What the command line refuses, a header cannot ask for. */
Test(recfile, run_info_refuses_what_the_cli_would)
{
	static struct hs_point_table pts;
	struct hs_run_info info = {}, back;
	char err[256], *text;

	hs_run_info_now(&info, HS_CLOCK_MONOTONIC);
	info.cfg.window_ns = 100000000;
	info.cfg.max_inflight = 1500000000u; /* would hang the index */
	text = hs_run_info_to_json(&info, &pts);
	cr_assert_eq(hs_run_info_from_json(text, &back, &pts, err, sizeof(err)),
		     -EINVAL);
	free(text);
	cr_assert(strstr(err, "out of range"), "%s", err);
	info.cfg.max_inflight = 4096;
	info.cfg.cooldown_ns = UINT64_MAX - 5;
	text = hs_run_info_to_json(&info, &pts);
	cr_assert_eq(hs_run_info_from_json(text, &back, &pts, err, sizeof(err)),
		     -EINVAL);
	free(text);
}

/* A run on several collector threads says so, for its replay to match as
 * it did; one of one thread says nothing, as files always have. */
Test(recfile, run_info_carries_the_collector_threads)
{
	static struct hs_point_table pts;
	struct hs_run_info info = {}, back;
	char err[256], *text;

	hs_run_info_now(&info, HS_CLOCK_MONOTONIC);
	info.cfg.window_ns = 100000000;
	info.cfg.max_inflight = 4096;
	info.cfg.threads = 1;
	text = hs_run_info_to_json(&info, &pts);
	cr_assert_null(strstr(text, "collector_threads"), "%s", text);
	cr_assert_eq(hs_run_info_from_json(text, &back, &pts, err, sizeof(err)),
		     0, "%s", err);
	free(text);
	cr_assert_eq(back.cfg.threads, 1);
	info.cfg.threads = 3;
	text = hs_run_info_to_json(&info, &pts);
	cr_assert_eq(hs_run_info_from_json(text, &back, &pts, err, sizeof(err)),
		     0, "%s", err);
	free(text);
	cr_assert_eq(back.cfg.threads, 3);
	info.cfg.threads = HS_THREADS_MAX + 1;
	text = hs_run_info_to_json(&info, &pts);
	cr_assert_eq(hs_run_info_from_json(text, &back, &pts, err, sizeof(err)),
		     -EINVAL);
	free(text);
	cr_assert(strstr(err, "collector_threads 17 is out of range (1..16)"),
		  "%s", err);
}

Test(recfile, run_info_rejects_a_bad_header)
{
	static struct hs_point_table pts;
	struct hs_run_info info;
	char err[256];

	cr_assert_eq(hs_run_info_from_json("[1,2]", &info, &pts, err, sizeof(err)),
		     -EINVAL);
	cr_assert_str_eq(err, "the header is not a JSON object");
	cr_assert_eq(hs_run_info_from_json("{\"run_id\":\"x\"}", &info, &pts, err,
					   sizeof(err)),
		     -EINVAL);
	cr_assert(strstr(err, "\"part\" is missing"), "%s", err);
}
