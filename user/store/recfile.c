// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>
#include <zlib.h>
#include "store/recfile.h"

struct hs_rec_preamble {
	char magic[8];
	__u32 format;
	__u32 byte_order;
};

/* ---- writing ---- */

struct hs_rec_writer {
	char path[PATH_MAX];
	gzFile gz; /* NULL: no file open (starting one failed) */
	int err; /* the first failure of this part, -errno */
	int lost; /* the first failure of an earlier part, -errno */
	uint32_t n_batch;
	uint64_t last_flush_ns;
	struct hs_record batch[HS_REC_BATCH];
};

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

/* zlib's view of a failure as -errno. */
static int gz_errno(gzFile gz)
{
	int zerr = Z_ERRNO;

	gzerror(gz, &zerr);
	if (zerr == Z_ERRNO)
		return errno ? -errno : -EIO;
	return zerr == Z_MEM_ERROR ? -ENOMEM : -EIO;
}

static int put_raw(struct hs_rec_writer *w, const void *data, size_t len)
{
	if (!w->gz && !w->err)
		w->err = -EBADF;
	if (w->err)
		return w->err;
	if (len && gzwrite(w->gz, data, (unsigned int)len) != (int)len)
		w->err = gz_errno(w->gz);
	return w->err;
}

static int put_frame(struct hs_rec_writer *w, uint32_t type, const void *data,
		     uint32_t len)
{
	struct hs_frame_hdr hdr = {
		.type = type,
		.len = len,
		.crc = (__u32)crc32(0L, data, len),
	};

	put_raw(w, &hdr, sizeof(hdr));
	return put_raw(w, data, len);
}

static int put_batch(struct hs_rec_writer *w)
{
	uint32_t n = w->n_batch;

	if (!n)
		return w->err;
	w->n_batch = 0;
	return put_frame(w, HS_FRAME_RECORDS, w->batch,
			 n * (uint32_t)sizeof(w->batch[0]));
}

/* Open path afresh and write the preamble and header. */
static int start_file(struct hs_rec_writer *w, const char *header_json,
		      char *err, size_t errlen)
{
	struct hs_rec_preamble pre = { .format = HS_REC_FORMAT,
				       .byte_order = HS_REC_BYTE_ORDER };
	int fd;

	memcpy(pre.magic, HS_REC_MAGIC, sizeof(pre.magic));
	w->gz = NULL;
	w->n_batch = 0;
	/* addresses and ports: not everyone's to read */
	fd = open(w->path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0) {
		w->err = -errno;
		snprintf(err, errlen, "cannot create record file '%s': %s",
			 w->path, strerror(-w->err));
		return w->err;
	}
	/* level 1: the probe's rate matters more than the file's size */
	w->gz = gzdopen(fd, "wb1");
	if (!w->gz) {
		close(fd);
		w->err = -ENOMEM;
		snprintf(err, errlen, "cannot start compressing '%s'", w->path);
		return w->err;
	}
	gzbuffer(w->gz, 256 * 1024);
	w->err = 0;
	w->last_flush_ns = mono_ns();
	put_raw(w, &pre, sizeof(pre));
	if (put_frame(w, HS_FRAME_HEADER, header_json,
		      (uint32_t)strlen(header_json)) ||
	    hs_rec_flush(w, true)) {
		snprintf(err, errlen, "cannot write record file '%s': %s",
			 w->path, strerror(-w->err));
		return w->err;
	}
	return 0;
}

int hs_rec_create(struct hs_rec_writer **wp, const char *path,
		  const char *header_json, char *err, size_t errlen)
{
	struct hs_rec_writer *w = calloc(1, sizeof(*w));
	int e;

	*wp = NULL;
	if (!w) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	snprintf(w->path, sizeof(w->path), "%s", path);
	e = start_file(w, header_json, err, errlen);
	if (e) {
		if (w->gz)
			gzclose(w->gz);
		free(w);
		return e;
	}
	*wp = w;
	return 0;
}

int hs_rec_put(struct hs_rec_writer *w, uint32_t type, const void *data,
	       uint32_t len)
{
	put_batch(w);
	return put_frame(w, type, data, len);
}

int hs_rec_put_record(struct hs_rec_writer *w, const struct hs_record *r)
{
	w->batch[w->n_batch++] = *r;
	if (w->n_batch == HS_REC_BATCH)
		return put_batch(w);
	return w->err;
}

int hs_rec_flush(struct hs_rec_writer *w, bool force)
{
	uint64_t now = mono_ns();

	if (!force && now - w->last_flush_ns < 1000000000ULL)
		return w->err;
	put_batch(w);
	w->last_flush_ns = now;
	if (!w->err && gzflush(w->gz, Z_SYNC_FLUSH) != Z_OK)
		w->err = gz_errno(w->gz);
	return w->err;
}

/* Close the part; its first failure is kept for hs_rec_close. */
static int finish_file(struct hs_rec_writer *w)
{
	int e;

	if (w->gz) {
		put_batch(w);
		e = gzclose(w->gz);
		w->gz = NULL;
		if (!w->err && e != Z_OK)
			w->err = e == Z_ERRNO ? -errno : -EIO;
	}
	if (w->err && !w->lost)
		w->lost = w->err;
	return w->err;
}

int hs_rec_reopen(struct hs_rec_writer *w, const char *header_json, char *err,
		  size_t errlen)
{
	return hs_rec_reopen_at(w, NULL, header_json, err, errlen);
}

int hs_rec_reopen_at(struct hs_rec_writer *w, const char *path,
		     const char *header_json, char *err, size_t errlen)
{
	char old_path[PATH_MAX];
	int old = finish_file(w), e;

	snprintf(old_path, sizeof(old_path), "%s", w->path);
	if (path)
		snprintf(w->path, sizeof(w->path), "%s", path);
	e = start_file(w, header_json, err, errlen);
	if (old && !e)
		snprintf(err, errlen,
			 "the record file %s '%s' was cut short: %s",
			 path ? "part" : "moved away from", old_path,
			 strerror(-old));
	return e ? e : old;
}

uint64_t hs_rec_bytes(const struct hs_rec_writer *w)
{
	z_off_t off;

	if (!w->gz)
		return 0;
	/* gzoffset asks the descriptor (lseek): written, not buffered */
	off = gzoffset(w->gz);
	return off > 0 ? (uint64_t)off : 0;
}

bool hs_rec_is_open(const struct hs_rec_writer *w)
{
	return w->gz != NULL;
}

int hs_rec_close(struct hs_rec_writer *w)
{
	int e;

	if (!w)
		return 0;
	finish_file(w);
	e = w->lost;
	free(w);
	return e;
}

const char *hs_rec_path(const struct hs_rec_writer *w)
{
	return w->path;
}

/* ---- reading ---- */

struct hs_rec_reader {
	char path[PATH_MAX];
	gzFile gz;
	uint64_t offset; /* content bytes read so far */
	char *buf;
	size_t cap;
	char *header;
	/* the file's records: sizeof(struct hs_record), or
	 * HS_REC_V1_RECORD_BYTES in a file of format 1 (widened on reading
	 * into wide[]) */
	size_t rec_bytes;
	struct hs_record *wide;
	size_t wide_cap;
	/* a truncated records frame was handed over: say so next */
	char pending[400];
	int fd; /* the file, for a look at its last bytes; gzclose closes it */
};

/* Up to len bytes; fewer at the end of the content or on an error. */
static size_t read_upto(struct hs_rec_reader *r, void *dst, size_t len)
{
	size_t got = 0;

	while (got < len) {
		int n = gzread(r->gz, (char *)dst + got,
			       (unsigned int)(len - got));

		if (n <= 0)
			break;
		got += (size_t)n;
	}
	r->offset += got;
	return got;
}

/* Why reading stopped short: "" for the clean end of a whole file. */
static const char *stop_reason(struct hs_rec_reader *r, char *buf, size_t len)
{
	int zerr;
	const char *msg = gzerror(r->gz, &zerr);

	if (zerr == Z_OK || zerr == Z_STREAM_END)
		return "";
	if (zerr == Z_BUF_ERROR)
		return "truncated";
	snprintf(buf, len, "corrupt compressed data (%s)",
		 zerr == Z_ERRNO ? strerror(errno) : msg);
	return buf;
}

static int reader_fail(struct hs_rec_reader *r, char *err, size_t errlen,
		       const char *what)
{
	/* where zlib was reading: for a look with a hex editor */
	snprintf(err, errlen,
		 "record file '%s': %s (near byte %lld of the file)", r->path,
		 what, (long long)gzoffset(r->gz));
	return -1;
}

static int ensure_buf(struct hs_rec_reader *r, size_t len)
{
	char *p;

	if (len + 1 <= r->cap)
		return 0;
	p = realloc(r->buf, len + 1);
	if (!p)
		return -ENOMEM;
	r->buf = p;
	r->cap = len + 1;
	return 0;
}

/* Whether the content simply stops (a file cut short), rather than
 * turning into something zlib cannot decode. */
static bool cut_short(struct hs_rec_reader *r)
{
	int zerr;

	gzerror(r->gz, &zerr);
	return zerr == Z_OK || zerr == Z_STREAM_END || zerr == Z_BUF_ERROR;
}

/* The records of a format 1 file, 32 bytes each, as today's struct with
 * NAT key 0: the fields they had sit where they were. */
static int widen_records(struct hs_rec_reader *r, struct hs_rec_frame *f)
{
	size_t n = f->len / r->rec_bytes, i;

	/* a frame of a wrong size is left as it is, for the reader of the
	 * records to refuse */
	if (f->type != HS_FRAME_RECORDS || r->rec_bytes == sizeof(*r->wide) ||
	    f->len % r->rec_bytes)
		return 0;
	if (n > r->wide_cap) {
		struct hs_record *w = realloc(r->wide, n * sizeof(*w));

		if (!w)
			return -ENOMEM;
		r->wide = w;
		r->wide_cap = n;
	}
	for (i = 0; i < n; i++) {
		memset(&r->wide[i], 0, sizeof(r->wide[i]));
		memcpy(&r->wide[i], r->buf + i * r->rec_bytes, r->rec_bytes);
	}
	f->data = r->wide;
	f->len = (uint32_t)(n * sizeof(*r->wide));
	return 0;
}

/* A frame shorter than its header says: its records are usable if the
 * file was cut short there (what came before the cut is intact), never
 * after corrupt compressed data (what came before the error may not be). */
static int short_frame(struct hs_rec_reader *r, struct hs_rec_frame *f,
		       size_t got, char *err, size_t errlen)
{
	size_t whole = got / r->rec_bytes;
	char what[300], why[160];
	const char *reason = stop_reason(r, why, sizeof(why));

	snprintf(
		what, sizeof(what),
		"%s at byte %llu of its content, inside a frame of %u bytes (type %u) that starts at byte %llu",
		reason[0] ? reason : "truncated", (unsigned long long)r->offset,
		f->len, f->type, (unsigned long long)f->offset);
	if (f->type != HS_FRAME_RECORDS || !whole || !cut_short(r))
		return reader_fail(r, err, errlen, what);
	snprintf(r->pending, sizeof(r->pending),
		 "%s; its %zu complete records were used", what, whole);
	f->len = (uint32_t)(whole * r->rec_bytes);
	f->truncated = true;
	return widen_records(r, f) ? reader_fail(r, err, errlen,
						 "out of memory") : 1;
}

/*
 * The content ended cleanly: was that the end of the file? zlib reads a
 * second gzip member on as more content, which the end frame catches, and
 * skips whatever follows the last one unless it is gzip: but a gzip
 * member ends in its content's length, mod 2^32, which then is not this
 * file's last 4 bytes. (An uncompressed file has no such end to check.)
 */
static bool bytes_after_content(struct hs_rec_reader *r)
{
	unsigned char tail[4];
	struct stat st;
	uint32_t isize;

	if (gzdirect(r->gz) || fstat(r->fd, &st) || st.st_size < 4 ||
	    pread(r->fd, tail, sizeof(tail), st.st_size - 4) != 4)
		return false;
	isize = (uint32_t)tail[0] | (uint32_t)tail[1] << 8 |
		(uint32_t)tail[2] << 16 | (uint32_t)tail[3] << 24;
	return isize != (uint32_t)r->offset;
}

int hs_rec_next(struct hs_rec_reader *r, struct hs_rec_frame *f, char *err,
		size_t errlen)
{
	struct hs_frame_hdr hdr;
	size_t got;

	memset(f, 0, sizeof(*f));
	if (r->pending[0]) {
		reader_fail(r, err, errlen, r->pending);
		r->pending[0] = '\0';
		return -1;
	}
	f->offset = r->offset;
	got = read_upto(r, &hdr, sizeof(hdr));
	if (got < sizeof(hdr)) {
		char why[160], what[256];
		const char *reason = stop_reason(r, why, sizeof(why));

		if (!got && !reason[0] && !bytes_after_content(r))
			return 0;
		if (!got && !reason[0])
			return reader_fail(
				r, err, errlen,
				"bytes after its compressed content, which are not read");
		snprintf(what, sizeof(what),
			 "%s at byte %llu of its content, in a frame header",
			 reason[0] ? reason : "truncated",
			 (unsigned long long)r->offset);
		return reader_fail(r, err, errlen, what);
	}
	/* a file's content starts with the magic: two files joined with cat
	 * read on from one into the other, as zlib reads gzip members */
	if (!memcmp(&hdr, HS_REC_MAGIC, strlen(HS_REC_MAGIC))) {
		char what[200];

		snprintf(
			what, sizeof(what),
			"another record file's start at byte %llu of its content (files joined?): it is not read",
			(unsigned long long)f->offset);
		return reader_fail(r, err, errlen, what);
	}
	if (hdr.type == 0 || hdr.type >= HS_FRAME_TYPE_MAX ||
	    hdr.len > HS_REC_MAX_FRAME) {
		char what[160];

		snprintf(
			what, sizeof(what),
			"corrupt frame header (type %u, length %u) at byte %llu of its content",
			hdr.type, hdr.len, (unsigned long long)f->offset);
		return reader_fail(r, err, errlen, what);
	}
	if (ensure_buf(r, hdr.len))
		return reader_fail(r, err, errlen, "out of memory");
	f->type = hdr.type;
	f->len = hdr.len;
	f->data = r->buf;
	got = read_upto(r, r->buf, hdr.len);
	if (got < hdr.len)
		return short_frame(r, f, got, err, errlen);
	if ((__u32)crc32(0L, (const Bytef *)r->buf, hdr.len) != hdr.crc) {
		char what[128];

		snprintf(
			what, sizeof(what),
			"corrupt frame (CRC-32 mismatch) at byte %llu of its content",
			(unsigned long long)f->offset);
		return reader_fail(r, err, errlen, what);
	}
	r->buf[hdr.len] = '\0';
	return widen_records(r, f) ? reader_fail(r, err, errlen,
						 "out of memory") : 1;
}

static int read_preamble(struct hs_rec_reader *r, char *err, size_t errlen)
{
	struct hs_rec_preamble pre;

	if (read_upto(r, &pre, sizeof(pre)) < sizeof(pre) ||
	    memcmp(pre.magic, HS_REC_MAGIC, sizeof(pre.magic))) {
		snprintf(
			err, errlen,
			"'%s' is not a hopscope record file (written by hopscope run --write)",
			r->path);
		return -EINVAL;
	}
	if (pre.byte_order != HS_REC_BYTE_ORDER) {
		snprintf(
			err, errlen,
			"record file '%s' was written on a machine of the other byte order",
			r->path);
		return -EINVAL;
	}
	if (pre.format != HS_REC_FORMAT && pre.format != HS_REC_FORMAT_V1) {
		snprintf(
			err, errlen,
			"record file '%s' has format %u; this hopscope reads formats %u and %u",
			r->path, pre.format, HS_REC_FORMAT_V1, HS_REC_FORMAT);
		return -EINVAL;
	}
	r->rec_bytes = pre.format == HS_REC_FORMAT_V1 ? HS_REC_V1_RECORD_BYTES
						      : sizeof(struct hs_record);
	return 0;
}

static int read_header(struct hs_rec_reader *r, char *err, size_t errlen)
{
	struct hs_rec_frame f;
	int n = hs_rec_next(r, &f, err, errlen);
	char what[96];

	if (n == 0) {
		snprintf(what, sizeof(what),
			 "no header: the file ends at byte %llu of its content",
			 (unsigned long long)r->offset);
		reader_fail(r, err, errlen, what);
	} else if (n == 1 && f.type != HS_FRAME_HEADER) {
		reader_fail(r, err, errlen,
			    "the first frame is not the header");
	}
	if (n != 1 || f.type != HS_FRAME_HEADER)
		return -EIO;
	r->header = strdup(f.data);
	return r->header ? 0 : -ENOMEM;
}

int hs_rec_open(struct hs_rec_reader **rp, const char *path,
		const char **header, char *err, size_t errlen)
{
	struct hs_rec_reader *r = calloc(1, sizeof(*r));
	int fd, e;

	*rp = NULL;
	if (!r) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	snprintf(r->path, sizeof(r->path), "%s", path);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		e = -errno;
		snprintf(err, errlen, "cannot open record file '%s': %s", path,
			 strerror(errno));
		free(r);
		return e;
	}
	r->fd = fd;
	r->gz = gzdopen(fd, "rb");
	if (!r->gz) {
		close(fd);
		free(r);
		snprintf(err, errlen, "cannot read record file '%s'", path);
		return -ENOMEM;
	}
	e = read_preamble(r, err, errlen);
	if (!e)
		e = read_header(r, err, errlen);
	if (e) {
		hs_rec_close_reader(r);
		return e;
	}
	*header = r->header;
	*rp = r;
	return 0;
}

void hs_rec_close_reader(struct hs_rec_reader *r)
{
	if (!r)
		return;
	if (r->gz)
		gzclose(r->gz);
	free(r->buf);
	free(r->wide);
	free(r->header);
	free(r);
}
