/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * netns.h - naming, opening and entering network namespaces.
 *
 * A namespace is named as the user wrote it: a name under /run/netns, pid:PID
 * (the namespace of a running process, e.g. a container's), or a path to a
 * namespace file; the empty name is the namespace hopscope runs in. Work in
 * another namespace happens between hs_netns_enter() and hs_netns_leave() on
 * the calling thread; sockets and BPF links made there stay bound to it.
 */
#ifndef HS_NETNS_H
#define HS_NETNS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define HS_NETNS_NAME_MAX 128

struct hs_netns {
	int fd;
	uint64_t inode;
	char name[HS_NETNS_NAME_MAX]; /* for display: as given, or derived */
	bool self; /* opened as "": the namespace hopscope runs in */
};

/* Open a namespace by spec ("" for the current one). On error returns
 * -errno and writes a one-line reason naming the spec into err. */
int hs_netns_open(const char *spec, struct hs_netns *ns, char *err,
		  size_t errlen);
void hs_netns_close(struct hs_netns *ns);
/* Switch the calling thread into ns; *saved receives the way back. */
int hs_netns_enter(const struct hs_netns *ns, int *saved);
/* Return to the namespace saved by hs_netns_enter and close it. */
int hs_netns_leave(int saved);

#endif /* HS_NETNS_H */
