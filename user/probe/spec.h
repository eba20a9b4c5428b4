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

#endif /* HS_SPEC_H */
