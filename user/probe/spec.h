/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * spec.h - the --point SPEC syntax: [NETNS:]IFNAME[@HOOK,...].
 *
 * NETNS is a name under /run/netns, pid:PID or a path; IFNAME may not hold
 * ':' (the kernel forbids it), so the last ':' before '@' ends NETNS.
 * HOOK is xdp, tc-ingress or tc-egress; without @ the hooks are chosen
 * from the interface's kind (hs_default_hooks).
 */
#ifndef HS_SPEC_H
#define HS_SPEC_H

#include <stddef.h>
#include <net/if.h>
#include "topo/link.h"
#include "topo/netns.h"

struct hs_spec {
	char netns[HS_NETNS_NAME_MAX]; /* "" = current namespace */
	char ifname[IF_NAMESIZE];
	unsigned int hooks; /* bit per enum hs_hook; 0 = by kind */
};

/* 0, or -EINVAL with a one-line reason naming the bad part in err. */
int hs_spec_parse(const char *text, struct hs_spec *spec, char *err,
		  size_t errlen);
/* The hooks a point gets when SPEC names none, by interface kind; a port
 * of OVS's userspace datapath is taken in at XDP (see spec.c). */
unsigned int hs_default_hooks(const struct hs_link *l);

/*
 * --hooks: which of those. default: all of them, so that every hop is
 * one thing (a function, a wire, a switch). ingress: only where packets
 * come in (tc ingress; XDP on OVS's userspace datapath), half the probes'
 * cost on a chain, each hop then a function or a switch together with
 * the wire out of it (topo/hopkind.h).
 */
enum hs_hook_set {
	HS_HOOKS_DEFAULT = 0,
	HS_HOOKS_INGRESS,
	HS_HOOK_SET_COUNT,
};

/* "default", "ingress", then NULL: the --hooks words. */
extern const char *const hs_hook_set_names[HS_HOOK_SET_COUNT + 1];
/* The hooks of set for an interface SPEC names none for. */
unsigned int hs_set_hooks(const struct hs_link *l, enum hs_hook_set set);

#endif /* HS_SPEC_H */
