/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * ovsdb.h - which ports belong to which Open vSwitch bridge.
 *
 * OVS's userspace datapath gives its ports no kernel master, so the bridge
 * of a port is asked of ovsdb-server over its JSON-RPC socket, found the
 * way ovs-vsctl finds it: $OVS_RUNDIR/db.sock, else
 * /var/run/openvswitch/db.sock. OVS_RUNDIR may list several directories,
 * ':'-separated, for several OVS instances (one per namespace, as the
 * testbeds run them). The ports are interfaces of the namespace
 * ovs-vswitchd runs in (its pid file says which).
 */
#ifndef HS_OVSDB_H
#define HS_OVSDB_H

#include <stddef.h>
#include <stdint.h>
#include <net/if.h>

struct hs_ovs_port {
	char bridge[IF_NAMESIZE];
	char port[IF_NAMESIZE];
};

/* The run directories for rundir (NULL: $OVS_RUNDIR or the default). */
const char *hs_ovsdb_rundir(const char *rundir);
/*
 * Every (bridge, port) pair of the OVS in one run directory (NULL: the
 * default); *ports is malloc'ed, *netns_inode is the
 * namespace of ovs-vswitchd. Returns the count, 0 when no OVS runs here,
 * or -errno when OVS answers nonsense.
 */
int hs_ovsdb_ports(const char *rundir, struct hs_ovs_port **ports,
		   uint64_t *netns_inode);
/* Parse a transact reply (Bridge rows, then Port rows) into ports. */
int hs_ovsdb_parse_reply(const char *json, struct hs_ovs_port **ports);

#endif /* HS_OVSDB_H */
