// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <linux/rtnetlink.h>
#include "core/log.h"
#include "topo/change.h"

#define NETNS_RUN_DIR "/run/netns"
#define FNV_OFFSET 0xcbf29ce484222325ULL
#define FNV_PRIME 0x100000001b3ULL

static uint64_t fnv(uint64_t h, const void *data, size_t len)
{
	const unsigned char *p = data;

	while (len--)
		h = (h ^ *p++) * FNV_PRIME;
	return h;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* From its link text "net:[INODE]". */
uint64_t hs_proc_netns_inode(const char *pid)
{
	char path[64], text[64];
	ssize_t len;

	snprintf(path, sizeof(path), "/proc/%.20s/ns/net", pid);
	len = readlink(path, text, sizeof(text) - 1);
	if (len <= 5 || strncmp(text, "net:[", 5))
		return 0; /* gone, or a kernel thread's */
	text[len] = '\0';
	return strtoull(text + 5, NULL, 10);
}

/* The distinct namespaces of the running processes, into *set (sorted,
 * malloc'ed); their number, or -ENOMEM. */
static int process_namespaces(uint64_t **set)
{
	unsigned int n = 0, cap = 0, i, k;
	uint64_t *v = NULL, *grown, ino;
	struct dirent *de;
	DIR *dir = opendir("/proc");

	if (!dir)
		return 0;
	while ((de = readdir(dir))) {
		if (!isdigit((unsigned char)de->d_name[0]))
			continue;
		ino = hs_proc_netns_inode(de->d_name);
		/* most processes share the last one seen */
		if (!ino || (n && v[n - 1] == ino))
			continue;
		if (n == cap) {
			cap = cap ? 2 * cap : 256;
			grown = realloc(v, cap * sizeof(*v));
			if (!grown) {
				free(v);
				closedir(dir);
				return -ENOMEM;
			}
			v = grown;
		}
		v[n++] = ino;
	}
	closedir(dir);
	if (n)
		qsort(v, n, sizeof(*v), cmp_u64);
	for (i = k = 0; i < n; i++)
		if (!k || v[k - 1] != v[i])
			v[k++] = v[i];
	*set = v;
	return (int)k;
}

/* /run/netns names and their inodes, in the directory's order: a name
 * that moves to another namespace changes the digest. */
static uint64_t named_namespaces(uint64_t h)
{
	char path[sizeof(NETNS_RUN_DIR) + 256];
	struct dirent *de;
	struct stat st;
	DIR *dir = opendir(NETNS_RUN_DIR);

	if (!dir)
		return h;
	while ((de = readdir(dir))) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), NETNS_RUN_DIR "/%s", de->d_name);
		if (stat(path, &st))
			continue;
		h = fnv(h, de->d_name, strlen(de->d_name) + 1);
		h = fnv(h, &st.st_ino, sizeof(st.st_ino));
	}
	closedir(dir);
	return h;
}

uint64_t hs_topo_ns_digest(void)
{
	uint64_t *set = NULL, h = FNV_OFFSET;
	int n = process_namespaces(&set);

	/* no memory for the set: a digest that differs every time, so the
	 * caller looks fully rather than miss a change */
	if (n < 0)
		return FNV_OFFSET ^ (uint64_t)random();
	h = fnv(h, set, (size_t)n * sizeof(*set));
	free(set);
	h = named_namespaces(h);
	return h ? h : 1;
}

struct hs_topo_watch {
	int fd;
};

struct hs_topo_watch *hs_topo_watch_new(void)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK,
				  .nl_groups = RTMGRP_LINK };
	struct hs_topo_watch *w = calloc(1, sizeof(*w));

	if (!w)
		return NULL;
	w->fd = socket(AF_NETLINK, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC,
		       NETLINK_ROUTE);
	if (w->fd < 0 || bind(w->fd, (struct sockaddr *)&sa, sizeof(sa))) {
		pr_warn("cannot watch link changes (%s): looking at every namespace each period",
			strerror(errno));
		hs_topo_watch_free(w);
		return NULL;
	}
	return w;
}

void hs_topo_watch_free(struct hs_topo_watch *w)
{
	if (!w)
		return;
	if (w->fd >= 0)
		close(w->fd);
	free(w);
}

bool hs_topo_watch_links(struct hs_topo_watch *w)
{
	char buf[8192];
	bool changed = false;
	ssize_t n;

	/* what the messages say does not matter: any of them is a change */
	while ((n = recv(w->fd, buf, sizeof(buf), MSG_DONTWAIT)) != 0) {
		if (n > 0) {
			changed = true;
			continue;
		}
		if (errno == EINTR)
			continue;
		/* ENOBUFS: the kernel dropped some, which may have been
		 * changes */
		if (errno == ENOBUFS)
			changed = true;
		else
			break;
	}
	return changed;
}
