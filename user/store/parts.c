// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include "store/parts.h"

/* A directory holds at most this many of our parts: past it, the oldest
 * beyond are not counted (and so not deleted) until the next pass. */
#define PARTS_MAX 4096

bool hs_parts_is_dir(const char *path)
{
	size_t n = strlen(path);
	struct stat st;

	if (n && path[n - 1] == '/')
		return true;
	return !stat(path, &st) && S_ISDIR(st.st_mode);
}

void hs_part_name(char *buf, size_t len, time_t start, int pid,
		  unsigned int part)
{
	struct tm tm;
	char when[20] = "19700101T000000";

	if (gmtime_r(&start, &tm))
		strftime(when, sizeof(when), "%Y%m%dT%H%M%S", &tm);
	snprintf(buf, len, "hopscope-%sZ-%d-%06u.hsr", when, pid, part);
}

/* n digits at s. */
static bool digits(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return true;
}

bool hs_part_name_ours(const char *name)
{
	const char *p = name;
	size_t n;

	if (strncmp(p, "hopscope-", 9))
		return false;
	p += 9;
	/* YYYYMMDDTHHMMSSZ- */
	if (!digits(p, 8) || p[8] != 'T' || !digits(p + 9, 6) || p[15] != 'Z' ||
	    p[16] != '-')
		return false;
	p += 17;
	n = strspn(p, "0123456789");
	if (!n || p[n] != '-')
		return false;
	p += n + 1;
	n = strspn(p, "0123456789");
	return n >= 6 && !strcmp(p + n, ".hsr") &&
	       strlen(name) < HS_PART_NAME_MAX;
}

bool hs_rotate_due(const struct hs_rotate_policy *p, uint64_t bytes,
		   uint64_t age_ns)
{
	return (p->max_bytes && bytes >= p->max_bytes &&
		age_ns >= HS_PARTS_MIN_AGE_NS) ||
	       (p->max_age_ns && age_ns >= p->max_age_ns);
}

static int by_name(const void *a, const void *b)
{
	return strcmp(((const struct hs_part_file *)a)->name,
		      ((const struct hs_part_file *)b)->name);
}

unsigned int hs_parts_to_delete(const struct hs_rotate_policy *p,
				struct hs_part_file *files, unsigned int n,
				const char *current)
{
	uint64_t total = 0;
	unsigned int i, marked = 0;

	qsort(files, n, sizeof(*files), by_name);
	for (i = 0; i < n; i++) {
		bool cur = current && !strcmp(files[i].name, current);

		files[i].remove = false;
		/* the part being written may grow to max_bytes yet */
		total += cur && files[i].bytes < p->max_bytes ? p->max_bytes :
								files[i].bytes;
	}
	if (!p->keep_bytes)
		return 0;
	for (i = 0; i < n && total > p->keep_bytes; i++) {
		if (current && !strcmp(files[i].name, current))
			continue;
		files[i].remove = true;
		total -= files[i].bytes;
		marked++;
	}
	return marked;
}

/* Room for one more part in *files; false when out of memory. The list
 * grows with the directory: a pass over a few parts stays a few KiB. */
static bool parts_room(struct hs_part_file **files, unsigned int n,
		       unsigned int *cap)
{
	unsigned int want = *cap ? 2 * *cap : 64;
	struct hs_part_file *grown;

	if (n < *cap)
		return true;
	grown = realloc(*files, want * sizeof(**files));
	if (!grown)
		return false;
	*files = grown;
	*cap = want;
	return true;
}

/* Our parts in dir, with their sizes, in *files (the caller frees it);
 * -errno. */
static int list_parts(const char *dir, struct hs_part_file **files,
		      unsigned int *n)
{
	DIR *d = opendir(dir);
	unsigned int cap = 0;
	struct dirent *e;
	struct stat st;

	*n = 0;
	*files = NULL;
	if (!d)
		return -errno;
	while ((e = readdir(d)) && *n < PARTS_MAX) {
		if (!hs_part_name_ours(e->d_name) ||
		    fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) ||
		    !S_ISREG(st.st_mode))
			continue;
		if (!parts_room(files, *n, &cap)) {
			closedir(d);
			return -ENOMEM;
		}
		/* hs_part_name_ours: it fits */
		memset(&(*files)[*n], 0, sizeof(**files));
		memcpy((*files)[*n].name, e->d_name, strlen(e->d_name) + 1);
		(*files)[(*n)++].bytes = (uint64_t)st.st_size;
	}
	closedir(d);
	return 0;
}

int hs_parts_prune(const char *dir, const char *current,
		   const struct hs_rotate_policy *p,
		   struct hs_prune_result *res, char *err, size_t errlen)
{
	struct hs_part_file *files;
	unsigned int i, n;
	int e, first = 0;

	memset(res, 0, sizeof(*res));
	e = list_parts(dir, &files, &n);
	if (e) {
		snprintf(err, errlen, "cannot list record directory '%s': %s",
			 dir, strerror(-e));
		free(files);
		return e;
	}
	hs_parts_to_delete(p, files, n, current);
	for (i = 0; i < n; i++) {
		char path[4096];

		if (files[i].remove) {
			snprintf(path, sizeof(path), "%s/%s", dir,
				 files[i].name);
			if (!unlink(path) || errno == ENOENT) {
				res->deleted++;
				continue;
			}
			if (!first) {
				first = -errno;
				snprintf(
					err, errlen,
					"cannot delete old record part '%s': %s",
					path, strerror(errno));
			}
		}
		res->parts++;
		res->bytes += files[i].bytes;
	}
	free(files);
	return first;
}
