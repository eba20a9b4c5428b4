/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * watch.h - notice, while measuring, interfaces that go down, come back or
 * vanish, and namespaces that are deleted, and say so in one line each;
 * the other points keep measuring.
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
void hs_watch_free(struct hs_watch *w);

#endif /* HS_WATCH_H */
