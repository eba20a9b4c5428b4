/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * watch.h - notice, while measuring, interfaces that go down, come back or
 * vanish, and namespaces that are deleted, and say so in one line each;
 * the other points keep measuring. The kernel tells of link changes as
 * they happen (RTNLGRP_LINK); namespaces are looked at once a second.
 *
 * A network namespace lives while anything holds it, hopscope's sockets
 * included: when the namespace's name goes (ip netns del, the container's
 * process exits), the watch lets go of it, so the kernel can take it and
 * its interfaces down, detaching the probes there by itself.
 */
#ifndef HS_WATCH_H
#define HS_WATCH_H

#include "probe/attach.h"
#include "analysis/session.h"

struct hs_watch;

/* NULL on failure (then nothing is watched; not fatal). */
struct hs_watch *hs_watch_new(const struct hs_probes *p);
/* Look once; report changes as warnings and JSON "event" lines. */
void hs_watch_check(struct hs_watch *w, struct hs_session *s);
/* Readable when the kernel told of a link change in a watched namespace:
 * for the caller's epoll; -1 if none. A namespace's name going is seen
 * only by looking (hs_watch_check, once a second). */
int hs_watch_fd(const struct hs_watch *w);
/* What hs_watch_fd has to tell, read; a look if a link changed. */
void hs_watch_notified(struct hs_watch *w, struct hs_session *s);
void hs_watch_free(struct hs_watch *w);

#endif /* HS_WATCH_H */
