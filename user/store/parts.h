/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * parts.h - a run's record file as parts in a directory (--write DIR):
 * what each part is called, when the part being written is closed and a
 * new one started (--rotate SIZE[,AGE]), and which old parts are deleted
 * so that the directory holds at most so much (--keep SIZE).
 *
 * A part is a complete record file (recfile.h) with its own header; the
 * header's run id and part number let `hopscope report` put a run's
 * parts back in order (replay.h). Parts are named
 *
 *     hopscope-YYYYMMDDTHHMMSSZ-PID-NNNNNN.hsr
 *
 * after the UTC time the part started, the writer's pid and the part
 * number, so that names sort by time. Only files named so are ever
 * counted or deleted: a directory may hold other things.
 */
#ifndef HS_PARTS_H
#define HS_PARTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

/* The defaults when --write names a directory. */
#define HS_PARTS_DEFAULT_BYTES (100ULL << 20)
#define HS_PARTS_DEFAULT_AGE_NS (3600ULL * 1000000000ULL)
#define HS_PARTS_DEFAULT_KEEP (1ULL << 30)

/* A part is never closed for its size younger than this: the writer
 * flushes once a second (recfile.h), so a part grows in steps of a
 * second, and its header alone may pass a small SIZE. */
#define HS_PARTS_MIN_AGE_NS 1000000000ULL

/* "hopscope-20261203T101500Z-12345-000003.hsr" and a NUL */
#define HS_PART_NAME_MAX 48

struct hs_rotate_policy {
	uint64_t max_bytes; /* a part this big is closed; 0: no limit */
	uint64_t max_age_ns; /* a part this old is closed; 0: no limit */
	uint64_t keep_bytes; /* the directory's parts at most; 0: no bound */
};

/* One of our parts in the directory. */
struct hs_part_file {
	char name[HS_PART_NAME_MAX];
	uint64_t bytes;
	bool remove; /* hs_parts_to_delete's verdict */
};

/* Whether --write PATH means a directory: one that exists, or a path
 * ending in '/'. */
bool hs_parts_is_dir(const char *path);
/* The name of part `part` of the writer `pid`, started at `start`. */
void hs_part_name(char *buf, size_t len, time_t start, int pid,
		  unsigned int part);
/* Whether name is a part's name (hopscope's, of any run). */
bool hs_part_name_ours(const char *name);
/* Whether a part of `bytes` bytes written for `age_ns` is to be closed:
 * it is as old as max_age_ns, or holds max_bytes and is at least
 * HS_PARTS_MIN_AGE_NS old. */
bool hs_rotate_due(const struct hs_rotate_policy *p, uint64_t bytes,
		   uint64_t age_ns);
/*
 * Which parts go so that the directory holds at most keep_bytes: sorts
 * files by name (oldest first) and marks the oldest as `remove` until
 * what stays fits. The part being written (`current`, or NULL) never
 * goes, and counts as max_bytes at least, the size it may still grow to.
 * Returns how many are marked.
 */
unsigned int hs_parts_to_delete(const struct hs_rotate_policy *p,
				struct hs_part_file *files, unsigned int n,
				const char *current);

struct hs_prune_result {
	unsigned int deleted; /* parts deleted now */
	unsigned int parts; /* our parts left, the current one included */
	uint64_t bytes; /* what they hold */
};

/* List dir's parts, delete what hs_parts_to_delete marks. 0, or -errno
 * with one line in err naming dir or the part that could not go. */
int hs_parts_prune(const char *dir, const char *current,
		   const struct hs_rotate_policy *p,
		   struct hs_prune_result *res, char *err, size_t errlen);

#endif /* HS_PARTS_H */
