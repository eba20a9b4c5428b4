/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * conntrack.h - what a namespace's NAT did to a flow, as its connection
 * tracking table tells it.
 *
 * A hop that rewrites addresses or ports is known to the collector only
 * by the flow hashes of the packet before and after it (hs_flow_hash()).
 * The kernel's conntrack entry of the flow holds both tuples: the original
 * one and the reply one, whose reverse is the original direction after
 * NAT. Dumping the table of the namespace where the rewrite happened
 * (NETLINK_NETFILTER, through libnl-nf) and hashing the tuples as the
 * probe hashes packets (tuple.h) finds the entry, and so the rewrite in
 * words. Replies, which NAT rewrites back, are found the same way.
 */
#ifndef HS_CONNTRACK_H
#define HS_CONNTRACK_H

#include <stddef.h>
#include <stdint.h>

/*
 * In the namespace netns (a name as hs_netns_open() takes it), the
 * rewrite that turns flow flow_in into flow_out, written into text
 * (hs_tuple_rewrite_text()).
 * 1 found, 0 not in the table (the entry has expired, or no NAT there),
 * -errno when the table cannot be read (a one-line reason in text).
 */
int hs_ct_find_rewrite(const char *netns, uint32_t flow_in, uint32_t flow_out,
		       char *text, size_t len);

#endif /* HS_CONNTRACK_H */
