/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * netns.h - naming, opening and entering network namespaces.
 *
 * A namespace is named as the user wrote it: a name under /run/netns, pid:PID
 * (the namespace of a running process), docker:NAME or podman:NAME (the
 * namespace of a running container, asked of its runtime, runtime.h),
 * host (the namespace of pid 1) or a path to a namespace file; the empty
 * name is the namespace hopscope runs in, named "host" when it is pid 1's. Work in
 * another namespace happens between hs_netns_enter() and hs_netns_leave() on
 * the calling thread; sockets and BPF links made there stay bound to it.
 */
#ifndef HS_NETNS_H
#define HS_NETNS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "topo/runtime.h"

#define HS_NETNS_NAME_MAX 128

struct hs_netns {
	int fd;
	uint64_t inode;
	char name[HS_NETNS_NAME_MAX]; /* for display: as given, or derived */
	bool self; /* opened as "": the namespace hopscope runs in */
	/* the container it belongs to; container.runtime "" if none */
	struct hs_container container;
};

#define HS_NETNS_HOST "host"

/* The inode of pid 1's network namespace (the host's), 0 if unreadable. */
uint64_t hs_netns_host_inode(void);
/* "docker:NAME" for c into name: how a container's namespace is named. */
void hs_netns_container_name(const struct hs_container *c, char *name,
			     size_t len);

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
