/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * resolve.h - from the user's words to observation points: --point SPEC,
 * --netns NETNS (every interface but lo) and --between A B (every
 * interface on the topology path between two namespaces), each with the
 * hooks its SPEC or its interface's kind asks for (spec.h).
 *
 * The namespaces named are opened once each (two names of one namespace
 * are one namespace); the topology is discovered with them, and stays
 * open until the probes are attached.
 */
#ifndef HS_RESOLVE_H
#define HS_RESOLVE_H

#include "hopscope.h"
#include "probe/attach.h"
#include "topo/topo.h"

/* What the user named. */
struct hs_selection {
	const char *const *points; /* --point SPEC */
	unsigned int n_points;
	const char *const *netns; /* --netns NETNS: all interfaces but lo */
	unsigned int n_netns;
	const char *const *between; /* --between A B: pairs */
	unsigned int n_between;
	int hook_set; /* --hooks, enum hs_hook_set: where SPEC names none */
};

struct hs_resolved {
	unsigned int n_ns;
	struct hs_netns *ns[HS_MAX_POINTS]; /* as the user named them */
	struct hs_topo topo; /* namespaces open until the probes attach */
	unsigned int n;
	struct hs_point_spec specs[HS_MAX_POINTS];
	int hook_set; /* the selection's */
};

/* Fill r (zeroed by the caller) with the points of sel, in the order
 * --between, --point, --netns, each once. 0; -EIO when the topology
 * cannot be read; another -errno when the words name nothing that
 * exists (bad usage). A message has been printed. */
int hs_resolve(struct hs_resolved *r, const struct hs_selection *sel);
/*
 * Once attached, hold no namespace open that the probes do not need: an
 * open fd keeps a namespace (a container's, say) alive after it is
 * deleted. Probes on bpf_links need none; clsact ones need theirs to
 * detach, so with any of those everything stays.
 */
void hs_resolved_release(struct hs_resolved *r, const struct hs_probes *p);
void hs_resolved_free(struct hs_resolved *r);

#endif /* HS_RESOLVE_H */
