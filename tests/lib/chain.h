/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * chain.h - a point table for unit tests: a chain of namespaces joined by
 * veth pairs, as hopscope run --between would measure it.
 */
#ifndef HS_TEST_CHAIN_H
#define HS_TEST_CHAIN_H

#include "analysis/points.h"

/*
 * names[0] -> names[1] -> ... -> names[n - 1] as points: the sender's eth0
 * tc-egress, then per function its eth0 tc-ingress and eth1 tc-egress,
 * then the receiver's eth0 tc-ingress (2n - 2 points, ids in that order).
 * Node k is namespace inode 100 + k with eth0 = ifindex 2, eth1 = 3; each
 * link is a veth pair from node k's last interface to node k + 1's eth0,
 * so hops classify as "wire" (veth) and "function" (VNF names[k]).
 */
void test_chain(struct hs_point_table *t, const char *const *names,
		unsigned int n);

#endif /* HS_TEST_CHAIN_H */
