/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * path.h - which interfaces a packet crosses from one namespace to
 * another, as the topology connects them (what --between measures).
 */
#ifndef HS_PATH_H
#define HS_PATH_H

#include "topo/topo.h"

/*
 * The interfaces on the shortest path from namespace a to namespace b:
 * veth peers, bridge ports, macvlan siblings, OVS ports, and any two
 * interfaces of one namespace (a function forwards between them). Fills
 * path with link indices in order; returns their count, 0 if there is no
 * path, -E2BIG if it is longer than max.
 */
int hs_topo_between(const struct hs_topo *t, unsigned int a, unsigned int b,
		    unsigned int *path, unsigned int max);

#endif /* HS_PATH_H */
