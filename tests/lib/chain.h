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

/* Point id of t: a veth interface ifname (ifindex) in namespace ns
 * (inode), at hook; the table grows to hold it. Returns the point. */
struct hs_point_info *test_point(struct hs_point_table *t, unsigned int id,
				 const char *ns, uint64_t inode, int ifindex,
				 const char *ifname, enum hs_hook hook);

#endif /* HS_TEST_CHAIN_H */
