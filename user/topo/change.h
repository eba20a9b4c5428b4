/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * change.h - cheap signs that the host's topology may have changed, so that
 * a follower looking every second (hopscope agent) rediscovers everything
 * (topo.h: a netlink dump per namespace, the runtimes asked) only when
 * something it would find has moved.
 *
 * Two signs, each far cheaper than a discovery:
 *   - the namespaces: a digest of the distinct network namespaces of the
 *     running processes (readlink /proc/PID/ns/net, nothing opened) and of
 *     the names under /run/netns with their inodes. A namespace that came,
 *     went or was named changes it.
 *   - the links of the namespace the watcher was made in: a NETLINK_ROUTE
 *     socket in RTNLGRP_LINK. Container runtimes make a container's veth
 *     pair or macvlan there and move one end in, so an interface added to
 *     a running container (docker network connect) shows here too; so do
 *     links going up or down, bridges and ports.
 * What neither shows (a link made inside a namespace by hand) is for the
 * follower's periodic full look.
 */
#ifndef HS_CHANGE_H
#define HS_CHANGE_H

#include <stdbool.h>
#include <stdint.h>

/* The inode of /proc/PID/ns/net, read as its link's text (nothing
 * opened); 0 for a process gone or out of reach. */
uint64_t hs_proc_netns_inode(const char *pid);
/* The namespaces now, as one digest (0 never comes back). */
uint64_t hs_topo_ns_digest(void);

struct hs_topo_watch;

/* Watch the links of the calling thread's namespace. NULL with a warning
 * line when the kernel refuses (the caller then looks fully each time). */
struct hs_topo_watch *hs_topo_watch_new(void);
void hs_topo_watch_free(struct hs_topo_watch *w);
/* Whether a link changed since the last call (or the kernel dropped
 * events, which may have been such a change). Never blocks. */
bool hs_topo_watch_links(struct hs_topo_watch *w);

#endif /* HS_CHANGE_H */
