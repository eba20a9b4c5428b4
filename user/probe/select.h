/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * select.h - which namespaces `hopscope agent` follows, and the points it
 * puts in them.
 *
 * A selector is one --select word:
 *   docker, podman      every container of that runtime
 *   docker:GLOB, ...    its containers whose name matches GLOB (fnmatch)
 *   netns:GLOB          namespaces named under /run/netns that match
 *   pid:PID             the namespace of one process
 * With none, every container of every runtime is selected. Matching works
 * on what discovery found (the container a namespace belongs to, its
 * /run/netns name, the process's namespace), so it is the same whether a
 * namespace was there at start or appeared later.
 *
 * The points of a selection are every interface of each selected
 * namespace but lo, and the ends that join it to the rest of the host:
 * the peer of each veth (a bridge or OVS port, or another namespace's
 * end) and the lower device of each macvlan, each with the hooks its
 * kind asks for by default (spec.h). An end shared by two selected
 * namespaces is one point.
 */
#ifndef HS_SELECT_H
#define HS_SELECT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "probe/attach.h"
#include "probe/spec.h"
#include "topo/topo.h"

#define HS_SELECT_GLOB_MAX 128

enum hs_selector_kind {
	HS_SELECT_CONTAINERS, /* a runtime's containers, by name */
	HS_SELECT_NETNS, /* /run/netns names */
	HS_SELECT_PID, /* one process's namespace */
};

struct hs_selector {
	enum hs_selector_kind kind;
	char runtime[8]; /* HS_SELECT_CONTAINERS: "docker" or "podman" */
	char glob[HS_SELECT_GLOB_MAX]; /* "*" when the word gave none */
	int32_t pid; /* HS_SELECT_PID */
};

/* 0, or -EINVAL with a one-line reason naming the word in err. */
int hs_selector_parse(const char *text, struct hs_selector *s, char *err,
		      size_t errlen);
/* Whether one of sel (n of them; none: every container) takes ns. */
bool hs_select_match(const struct hs_selector *sel, unsigned int n,
		     const struct hs_topo_ns *ns);
/*
 * The points of the namespaces of t that sel selects, at the hooks of
 * hook_set, into out (at most max): their count, or -E2BIG past max.
 * Each spec's ns points into t.
 */
int hs_select_points(const struct hs_topo *t, const struct hs_selector *sel,
		     unsigned int n_sel, enum hs_hook_set hook_set,
		     struct hs_point_spec *out, unsigned int max);

#endif /* HS_SELECT_H */
