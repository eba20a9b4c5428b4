/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * points.h - the observation points as reports name them.
 *
 * A live run takes its point table from the attached probes; `hopscope
 * report` takes it from a record file's header. Everything downstream of
 * the collector (statistics, tables, JSON, CSV, metrics, record files)
 * sees only this table, never the probes, so a replayed file is reported
 * exactly as the live run reported it.
 */
#ifndef HS_POINTS_H
#define HS_POINTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "hopscope.h"
#include "topo/hopkind.h"
#include "topo/link.h"
#include "topo/netns.h"
#include "topo/runtime.h"

#define HS_POINT_NAME_MAX 192

struct hs_point_info {
	uint16_t id;
	uint8_t hook; /* enum hs_hook */
	bool skipped; /* XDP failed and tc ingress already measures there */
	/* no point has this id (yet, or any more): a gap in the ids of a
	 * run whose points come and go (session.h) */
	bool absent;
	char netns[HS_NETNS_NAME_MAX];
	/* the container whose namespace it is; container.runtime "" if none */
	struct hs_container container;
	struct hs_link link; /* kind, peer, master, parent: names hops */
	char xdp_mode[8]; /* "native", "generic" or "" */
	uint32_t prog_id;
	uint8_t host; /* index into hs_point_table.host */
};

/* Where a point id stands in a run whose points come and go. */
enum hs_point_state {
	HS_POINT_LIVE = 0, /* its records are coming */
	HS_POINT_REMOVED, /* none will come; its hops are still reported */
	HS_POINT_FREE, /* nothing refers to the id: it may be added again */
};

#define HS_MAX_HOSTS 8
#define HS_HOST_NAME_MAX 64

struct hs_point_table {
	unsigned int n;
	/* one host, or up to HS_MAX_HOSTS whose record files were joined: labels then
	 * begin with the host name */
	unsigned int n_hosts;
	char host[HS_MAX_HOSTS][HS_HOST_NAME_MAX];
	struct hs_point_info p[HS_MAX_POINTS];
};

/* "netns:ifname hook" ("host/netns:ifname hook" when joined). */
const char *hs_point_label(const struct hs_point_table *t, uint16_t id,
			   char *buf, size_t len);
/* What kind of hop joins two points, with what made it in via (see
 * hs_hop_classify); HS_HOP_NETWORK between two hosts. */
enum hs_hop_kind hs_points_classify(const struct hs_point_table *t,
				    uint16_t from, uint16_t to, char *via,
				    size_t len);
/*
 * The NAT zone of a point (analysis/match.h): its network namespace on its
 * host, numbered after the first point there (1 on). A rewrite happens
 * inside one namespace, between a packet's way in and its way out, so
 * NAT is looked for between points of one zone only.
 */
uint32_t hs_points_nat_zone(const struct hs_point_table *t, uint16_t id);
/*
 * Where every packet seen at point id must be seen next, when the topology
 * allows one place only and a point measures it: a veth end's tc egress ->
 * its peer's XDP point, or tc ingress without one (same host). Nothing
 * else: a switch's port or a function's egress depends on the packet, and
 * between XDP and tc ingress GRO may merge TCP segments into one.
 * HS_NO_POINT otherwise.
 */
uint16_t hs_points_successor(const struct hs_point_table *t, uint16_t id);
struct hs_path;
/*
 * A path as the chain it crosses: "snd -veth-> vnf1 -bridge br0-> vnf2".
 * Namespaces that only switch (a bridge's, an OVS's) fold into the label
 * of the link they make; functions and the two ends are the nodes.
 */
void hs_path_chain(const struct hs_point_table *t, const struct hs_path *p,
		   char *buf, size_t len);

#endif /* HS_POINTS_H */
