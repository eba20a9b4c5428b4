// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <netlink/netlink.h>
#include <netlink/route/link.h>
#include "log.h"
#include "topology.h"

const char *hs_link_kind(const char *info_kind, unsigned int flags)
{
	static const struct {
		const char *info_kind;
		const char *kind;
	} kinds[] = {
		{ "veth", "veth" },	    { "macvlan", "macvlan" },
		{ "macvtap", "macvlan" },   { "bridge", "bridge" },
		{ "openvswitch", "ovs-bridge" }, { "tun", "tun" },
		{ "vxlan", "vxlan" },
	};
	size_t i;

	if (flags & IFF_LOOPBACK)
		return "loopback";
	/* no IFLA_INFO_KIND: a device with a hardware driver */
	if (!info_kind)
		return "physical";
	for (i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (!strcmp(info_kind, kinds[i].info_kind))
			return kinds[i].kind;
	return "other";
}

static void fill_link(struct rtnl_link *link, struct hs_link *out)
{
	const char *name = rtnl_link_get_name(link);

	memset(out, 0, sizeof(*out));
	out->ifindex = rtnl_link_get_ifindex(link);
	out->flags = rtnl_link_get_flags(link);
	snprintf(out->ifname, sizeof(out->ifname), "%s", name ? name : "");
	snprintf(out->kind, sizeof(out->kind), "%s",
		 hs_link_kind(rtnl_link_get_type(link), out->flags));
}

/* A NETLINK_ROUTE socket bound to ns: made while inside it. */
static struct nl_sock *route_socket_in(const struct hs_netns *ns, int *err)
{
	struct nl_sock *sk;
	int saved;

	*err = hs_netns_enter(ns, &saved);
	if (*err)
		return NULL;
	sk = nl_socket_alloc();
	if (sk && nl_connect(sk, NETLINK_ROUTE)) {
		nl_socket_free(sk);
		sk = NULL;
	}
	hs_netns_leave(saved);
	if (!sk)
		*err = -ENOMEM;
	return sk;
}

int hs_link_lookup(const struct hs_netns *ns, const char *ifname,
		   struct hs_link *out)
{
	struct rtnl_link *link = NULL;
	struct nl_sock *sk;
	int err;

	sk = route_socket_in(ns, &err);
	if (!sk)
		return err;
	err = rtnl_link_get_kernel(sk, 0, ifname, &link);
	if (err) {
		err = err == -NLE_OBJ_NOTFOUND || err == -NLE_NODEV ? -ENODEV :
								      -EIO;
	} else {
		fill_link(link, out);
		rtnl_link_put(link);
	}
	nl_socket_free(sk);
	return err;
}

int hs_link_list(const struct hs_netns *ns, struct hs_link **links)
{
	struct nl_cache *cache = NULL;
	struct nl_object *obj;
	struct nl_sock *sk;
	int err, n = 0, count;

	*links = NULL;
	sk = route_socket_in(ns, &err);
	if (!sk)
		return err;
	err = rtnl_link_alloc_cache(sk, AF_UNSPEC, &cache);
	if (err) {
		nl_socket_free(sk);
		return -EIO;
	}
	count = nl_cache_nitems(cache);
	*links = calloc(count ? count : 1, sizeof(**links));
	if (!*links) {
		err = -ENOMEM;
		goto out;
	}
	for (obj = nl_cache_get_first(cache); obj && n < count;
	     obj = nl_cache_get_next(obj))
		fill_link((struct rtnl_link *)obj, &(*links)[n++]);
	err = n;
out:
	nl_cache_free(cache);
	nl_socket_free(sk);
	return err;
}

static int is_switch_kind(const char *kind)
{
	return !strcmp(kind, "bridge") || !strcmp(kind, "macvlan") ||
	       !strcmp(kind, "ovs-bridge");
}

const char *hs_hop_classify(const struct hs_hop_end *from,
			    const struct hs_hop_end *to, char *via,
			    size_t via_len)
{
	if (from->netns_inode == to->netns_inode &&
	    from->link->ifindex == to->link->ifindex) {
		snprintf(via, via_len, "%s", from->link->ifname);
		return "stack";
	}
	if (from->netns_inode != to->netns_inode) {
		snprintf(via, via_len, "%s", from->link->kind);
		return "wire";
	}
	if (is_switch_kind(from->link->kind) || is_switch_kind(to->link->kind)) {
		const struct hs_link *sw = is_switch_kind(from->link->kind) ?
						   from->link :
						   to->link;

		snprintf(via, via_len, "%s %s", sw->kind, sw->ifname);
		return "switch";
	}
	snprintf(via, via_len, "VNF %s", from->netns_name);
	return "function";
}
