/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * demo.h - `hopscope demo`: build a chain of network-function namespaces
 * with scripts/testbed.sh, its links of mixed kinds (veth, Linux bridge,
 * macvlan, OVS), measure every interface between sender and receiver
 * while a bounded UDP stream crosses it, print the table, tear everything
 * down (also on SIGINT/SIGTERM).
 */
#ifndef HS_DEMO_H
#define HS_DEMO_H

#include <stdbool.h>
#include "live/run.h"

struct hs_demo_opts {
	const char *chain; /* link kinds: "veth,bridge,macvlan,ovs" */
	bool chain_is_default; /* OVS may be left out where it cannot run */
	double seconds; /* of traffic */
	unsigned int rate_pps;
	struct hs_run_opts run; /* probe, collect and output settings */
};

/* Returns an enum hs_exit. */
int hs_demo(struct hs_demo_opts *o);

#endif /* HS_DEMO_H */
