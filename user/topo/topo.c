// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <linux/net_namespace.h>
#include <linux/rtnetlink.h>
#include <netlink/msg.h>
#include <netlink/netlink.h>
#include <netlink/route/link.h>
#include "core/log.h"
#include "topo/change.h"
#include "topo/ovsdb.h"
#include "topo/topo.h"

#define NETNS_RUN_DIR "/run/netns"

/* ---- discovery ---- */

struct discovery {
	struct hs_topo *t;
	const struct hs_topo_opts *o;
	unsigned int cap_ns, cap_links;
	/* per namespace: its netlink socket and ethtool socket */
	struct nl_sock **sk;
	int *eth;
	/* nsid[a * n_ns + b]: the id namespace a gives namespace b */
	int *nsid;
	/* PF bus address per link, for VFs */
	char (*pf_bus)[32];
};

static int add_ns(struct discovery *d, struct hs_netns *ns, bool named)
{
	struct hs_topo *t = d->t;
	unsigned int i;

	for (i = 0; i < t->n_ns; i++) {
		if (t->ns[i].ns.inode == ns->inode) {
			/* a /run/netns name beats a pid label */
			if (named && !t->ns[i].named) {
				memcpy(t->ns[i].ns.name, ns->name,
				       sizeof(ns->name));
				t->ns[i].named = true;
			}
			hs_netns_close(ns);
			return (int)i;
		}
	}
	if (t->n_ns == d->cap_ns) {
		unsigned int cap = d->cap_ns ? 2 * d->cap_ns : 16;
		struct hs_topo_ns *n = realloc(t->ns, cap * sizeof(*n));

		if (!n) {
			hs_netns_close(ns);
			return -ENOMEM;
		}
		t->ns = n;
		d->cap_ns = cap;
	}
	memset(&t->ns[t->n_ns], 0, sizeof(t->ns[0]));
	t->ns[t->n_ns].ns = *ns;
	t->ns[t->n_ns].named = named;
	return (int)t->n_ns++;
}

static void add_named(struct discovery *d)
{
	struct dirent *de;
	DIR *dir = opendir(NETNS_RUN_DIR);
	struct hs_netns ns;
	char err[256];

	if (!dir)
		return;
	while ((de = readdir(dir))) {
		if (de->d_name[0] == '.')
			continue;
		if (!hs_netns_open(de->d_name, &ns, err, sizeof(err)))
			add_ns(d, &ns, true);
	}
	closedir(dir);
}

static void read_comm(pid_t pid, char *comm, size_t len)
{
	char path[64];
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/comm", (int)pid);
	f = fopen(path, "re");
	if (!f)
		return;
	if (fgets(comm, (int)len, f))
		comm[strcspn(comm, "\n")] = '\0';
	fclose(f);
}

static int cmp_pid(const struct dirent **a, const struct dirent **b)
{
	long x = strtol((*a)->d_name, NULL, 10);
	long y = strtol((*b)->d_name, NULL, 10);

	return x < y ? -1 : x > y;
}

static int is_pid_dir(const struct dirent *de)
{
	return isdigit((unsigned char)de->d_name[0]);
}

/* Every process's namespace, labelled pid:PID by its lowest pid. */
static void add_processes(struct discovery *d)
{
	struct dirent **pids;
	int n, i;

	n = scandir("/proc", &pids, is_pid_dir, cmp_pid);
	if (n < 0)
		return;
	for (i = 0; i < n; i++) {
		char spec[32], err[256];
		struct hs_netns ns;
		struct hs_topo_ns *tn;
		int idx;

		snprintf(spec, sizeof(spec), "pid:%.20s", pids[i]->d_name);
		/* most processes share a namespace already found: its link
		 * says so without opening it (1000 processes, 100 opens) */
		idx = hs_topo_ns_index(d->t,
				       hs_proc_netns_inode(pids[i]->d_name));
		free(pids[i]);
		if (idx < 0) {
			if (hs_netns_open(spec, &ns, err, sizeof(err)))
				continue;
			idx = add_ns(d, &ns, false);
		}
		if (idx < 0)
			continue;
		tn = &d->t->ns[idx];
		if (tn->n_pids < HS_TOPO_MAX_PIDS)
			tn->pids[tn->n_pids++] = (pid_t)atoi(spec + 4);
		if (tn->n_pids == 1) {
			read_comm(tn->pids[0], tn->comm, sizeof(tn->comm));
			/* unnamed: by its lowest pid, a name that works as
			 * NETNS again */
			if (!tn->named)
				memcpy(tn->ns.name, spec, sizeof(spec));
		}
	}
	free(pids);
}

/* Containers' namespaces by their names, the host's as "host": these
 * beat /run/netns names and pid labels. */
static void name_containers(struct discovery *d)
{
	uint64_t host = hs_netns_host_inode();
	struct hs_container *c = NULL;
	struct hs_runtimes rts;
	unsigned int n = 0, i;

	if (hs_runtimes_find(&rts))
		hs_runtimes_list_cached(&rts, d->o->containers, &c, &n);
	for (i = 0; i < d->t->n_ns; i++) {
		struct hs_topo_ns *tn = &d->t->ns[i];
		const struct hs_container *k;

		if (tn->ns.inode == host) {
			/* host-network containers are the host */
			snprintf(tn->ns.name, sizeof(tn->ns.name),
				 HS_NETNS_HOST);
			tn->named = true;
			continue;
		}
		k = hs_container_by_inode(c, n, tn->ns.inode);
		if (!k)
			continue;
		tn->ns.container = *k;
		hs_netns_container_name(k, tn->ns.name, sizeof(tn->ns.name));
		tn->named = true;
	}
	free(c);
}

static int add_link(struct discovery *d, unsigned int ns_idx,
		    const struct hs_link *l)
{
	struct hs_topo *t = d->t;

	if (t->n_links == d->cap_links) {
		unsigned int cap = d->cap_links ? 2 * d->cap_links : 64;
		struct hs_link *links = realloc(t->links, cap * sizeof(*links));
		unsigned int *link_ns;

		if (!links)
			return -ENOMEM;
		t->links = links;
		link_ns = realloc(t->link_ns, cap * sizeof(*link_ns));
		if (!link_ns)
			return -ENOMEM;
		t->link_ns = link_ns;
		d->cap_links = cap;
	}
	t->links[t->n_links] = *l;
	t->link_ns[t->n_links] = ns_idx;
	t->n_links++;
	return 0;
}

/* A connected NETLINK_ROUTE socket, made inside the calling thread's
 * current namespace. */
static struct nl_sock *route_socket(void)
{
	struct nl_sock *sk = nl_socket_alloc();

	if (sk && nl_connect(sk, NETLINK_ROUTE)) {
		nl_socket_free(sk);
		sk = NULL;
	}
	return sk;
}

struct nl_sock *hs_route_socket_in(const struct hs_netns *ns)
{
	struct nl_sock *sk;
	int saved;

	if (hs_netns_enter(ns, &saved))
		return NULL;
	sk = route_socket();
	hs_netns_leave(saved);
	return sk;
}

/* Open a route socket and an ethtool socket inside namespace i. */
static int open_sockets(struct discovery *d, unsigned int i)
{
	int saved, err;

	d->eth[i] = -1;
	err = hs_netns_enter(&d->t->ns[i].ns, &saved);
	if (err)
		return err;
	d->sk[i] = route_socket();
	d->eth[i] = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	hs_netns_leave(saved);
	return d->sk[i] ? 0 : -ENOMEM;
}

static int scan_links(struct discovery *d, unsigned int i)
{
	struct nl_cache *cache = NULL;
	struct nl_object *obj;
	int err = 0;

	if (!d->sk[i])
		return 0;
	if (rtnl_link_alloc_cache(d->sk[i], AF_UNSPEC, &cache))
		return -EIO;
	for (obj = nl_cache_get_first(cache); obj && !err;
	     obj = nl_cache_get_next(obj)) {
		struct hs_link l;

		hs_link_fill((struct rtnl_link *)obj, &l);
		l.netns_inode = d->t->ns[i].ns.inode;
		hs_link_fill_drvinfo(d->eth[i], &l);
		err = add_link(d, i, &l);
	}
	nl_cache_free(cache);
	return err;
}

struct nsid_reply {
	int nsid;
};

static int nsid_cb(struct nl_msg *msg, void *arg)
{
	struct nlattr *tb[NETNSA_MAX + 1];
	struct nsid_reply *r = arg;

	if (nlmsg_parse(nlmsg_hdr(msg), sizeof(struct rtgenmsg), tb, NETNSA_MAX,
			NULL))
		return NL_SKIP;
	if (tb[NETNSA_NSID])
		r->nsid = (int32_t)nla_get_u32(tb[NETNSA_NSID]);
	return NL_OK;
}

/* The id namespace a (its socket) gives the namespace behind fd. */
static int query_nsid(struct nl_sock *sk, int fd)
{
	struct rtgenmsg g = { .rtgen_family = AF_UNSPEC };
	struct nsid_reply r = { .nsid = -1 };
	struct nl_msg *msg;

	nl_socket_disable_auto_ack(sk);
	msg = nlmsg_alloc_simple(RTM_GETNSID, NLM_F_REQUEST);
	if (!msg)
		return -1;
	if (nlmsg_append(msg, &g, sizeof(g), NLMSG_ALIGNTO) ||
	    nla_put_u32(msg, NETNSA_FD, (uint32_t)fd) ||
	    nl_send_auto(sk, msg) < 0) {
		nlmsg_free(msg);
		return -1;
	}
	nlmsg_free(msg);
	/* a plain request and answer: no ACK after the answer (it would be
	 * read as the answer to the next query), and the link dump before
	 * leaves libnl expecting another sequence number */
	nl_socket_disable_seq_check(sk);
	nl_socket_modify_cb(sk, NL_CB_VALID, NL_CB_CUSTOM, nsid_cb, &r);
	nl_recvmsgs_default(sk);
	nl_socket_modify_cb(sk, NL_CB_VALID, NL_CB_DEFAULT, NULL, NULL);
	return r.nsid;
}

/* The distinct ids namespace a's links give their peers' namespaces,
 * into want (room for every link); their number. */
static unsigned int nsids_wanted(const struct hs_topo *t, unsigned int a,
				 int *want)
{
	unsigned int i, j, n = 0;

	for (i = 0; i < t->n_links; i++) {
		int id = t->links[i].link_nsid;

		if (t->link_ns[i] != a || id < 0)
			continue;
		for (j = 0; j < n && want[j] != id; j++)
			;
		if (j == n)
			want[n++] = id;
	}
	return n;
}

static bool wanted(const int *want, unsigned int n, int id)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		if (want[i] == id)
			return true;
	return false;
}

/*
 * Only namespaces that refer to others by id need the map, and only until
 * each id they use is found: ids are unique within a namespace, so asking
 * the host about each of 100 containers is 100 questions, not asking
 * each of 101 namespaces about every other (10 100).
 */
static int map_nsids(struct discovery *d)
{
	struct hs_topo *t = d->t;
	int *want = calloc(t->n_links ? t->n_links : 1, sizeof(*want));
	unsigned int a, b, n_want, found;

	if (!want)
		return -ENOMEM;
	for (a = 0; a < t->n_ns; a++) {
		n_want = d->sk[a] ? nsids_wanted(t, a, want) : 0;
		found = 0;
		for (b = 0; b < t->n_ns; b++) {
			int *id = &d->nsid[a * t->n_ns + b];

			*id = found < n_want && a != b ?
				      query_nsid(d->sk[a], t->ns[b].ns.fd) :
				      -1;
			if (*id >= 0 && wanted(want, n_want, *id))
				found++;
		}
	}
	free(want);
	return 0;
}

static int find_by_ifindex(const struct hs_topo *t, unsigned int ns,
			   int ifindex)
{
	unsigned int i;

	for (i = 0; i < t->n_links; i++)
		if (t->link_ns[i] == ns && t->links[i].ifindex == ifindex)
			return (int)i;
	return -1;
}

static void set_ref(struct hs_link_ref *ref, const struct hs_link *l)
{
	ref->netns_inode = l->netns_inode;
	ref->ifindex = l->ifindex;
	memcpy(ref->ifname, l->ifname, sizeof(ref->ifname));
}

/* The link IFLA_LINK (+ IFLA_LINK_NETNSID) of link i points at. */
static int linked(const struct discovery *d, unsigned int i)
{
	const struct hs_topo *t = d->t;
	const struct hs_link *l = &t->links[i];
	unsigned int a = t->link_ns[i], b;

	/* a device's IFLA_LINK is its own ifindex when it has no other;
	 * across namespaces the same number is another device */
	if (!l->link_ifindex ||
	    (l->link_ifindex == l->ifindex && l->link_nsid < 0))
		return -1;
	if (l->link_nsid < 0)
		return find_by_ifindex(t, a, l->link_ifindex);
	for (b = 0; b < t->n_ns; b++)
		if (d->nsid[a * t->n_ns + b] == l->link_nsid)
			return find_by_ifindex(t, b, l->link_ifindex);
	return -1;
}

static void resolve(struct discovery *d)
{
	struct hs_topo *t = d->t;
	unsigned int i, j;

	for (i = 0; i < t->n_links; i++) {
		struct hs_link *l = &t->links[i];
		int k;

		if (l->master_ifindex) {
			k = find_by_ifindex(t, t->link_ns[i],
					    l->master_ifindex);
			if (k >= 0)
				set_ref(&l->master, &t->links[k]);
		}
		k = linked(d, i);
		if (k >= 0 && l->kind == HS_LINK_VETH)
			set_ref(&l->peer, &t->links[k]);
		else if (k >= 0 && l->kind == HS_LINK_MACVLAN)
			set_ref(&l->parent, &t->links[k]);
		if (l->kind == HS_LINK_SRIOV_VF && d->pf_bus[i][0]) {
			for (j = 0; j < t->n_links; j++)
				if (!strcmp(t->links[j].bus_info, d->pf_bus[i]))
					set_ref(&l->parent, &t->links[j]);
		}
	}
}

static void apply_ovs_dir(struct discovery *d, const char *dir)
{
	struct hs_ovs_port *ports = NULL;
	struct hs_topo *t = d->t;
	uint64_t inode;
	unsigned int i, k;
	int n;

	n = hs_ovsdb_ports(dir, &ports, &inode);
	for (k = 0; k < (unsigned int)(n > 0 ? n : 0); k++) {
		for (i = 0; i < t->n_links; i++) {
			struct hs_link *l = &t->links[i];

			if (l->netns_inode != inode ||
			    strcmp(l->ifname, ports[k].port))
				continue;
			if (!strcmp(l->ifname, ports[k].bridge))
				l->kind = HS_LINK_OVS_BRIDGE;
			else
				memcpy(l->ovs_bridge, ports[k].bridge,
				       sizeof(l->ovs_bridge));
		}
	}
	free(ports);
}

/* One OVS per run directory; several may be listed, ':'-separated. */
static void apply_ovs(struct discovery *d)
{
	char *dirs = strdup(hs_ovsdb_rundir(d->o->ovs_rundir));
	char *save = NULL, *dir;

	if (!dirs)
		return;
	for (dir = strtok_r(dirs, ":", &save); dir;
	     dir = strtok_r(NULL, ":", &save))
		apply_ovs_dir(d, dir);
	free(dirs);
}

static void discovery_free(struct discovery *d)
{
	unsigned int i;

	for (i = 0; d->sk && i < d->t->n_ns; i++) {
		if (d->sk[i])
			nl_socket_free(d->sk[i]);
		if (d->eth[i] >= 0)
			close(d->eth[i]);
	}
	free(d->sk);
	free(d->eth);
	free(d->nsid);
	free(d->pf_bus);
}

static int scan_all(struct discovery *d)
{
	struct hs_topo *t = d->t;
	const char *root = d->o->sysfs_root;
	unsigned int i;
	int err;

	d->sk = calloc(t->n_ns, sizeof(*d->sk));
	d->eth = calloc(t->n_ns, sizeof(*d->eth));
	d->nsid = calloc((size_t)t->n_ns * t->n_ns, sizeof(*d->nsid));
	if (!d->sk || !d->eth || !d->nsid)
		return -ENOMEM;
	for (i = 0; i < t->n_ns; i++) {
		d->eth[i] = -1;
		/* a namespace that vanished meanwhile simply has no links */
		if (open_sockets(d, i))
			continue;
		err = scan_links(d, i);
		if (err)
			return err;
	}
	d->pf_bus = calloc(t->n_links ? t->n_links : 1, sizeof(*d->pf_bus));
	if (!d->pf_bus)
		return -ENOMEM;
	for (i = 0; i < t->n_links; i++)
		hs_link_sriov(&t->links[i], root, d->pf_bus[i],
			      sizeof(d->pf_bus[i]));
	err = map_nsids(d);
	if (err)
		return err;
	resolve(d);
	apply_ovs(d);
	return 0;
}

int hs_topo_discover(struct hs_topo *t, const struct hs_topo_opts *o)
{
	struct discovery d = { .t = t, .o = o };
	struct hs_netns self;
	char err[256];
	unsigned int i;
	int e;

	memset(t, 0, sizeof(*t));
	/* the caller's own namespace first, then the ones it named */
	if (hs_netns_open("", &self, err, sizeof(err))) {
		pr_err("%s", err);
		return -ENOENT;
	}
	e = add_ns(&d, &self, false);
	for (i = 0; e >= 0 && i < o->n_extra; i++) {
		struct hs_netns copy = *o->extra[i];

		/* a private fd: the topology closes its own */
		copy.fd = fcntl(o->extra[i]->fd, F_DUPFD_CLOEXEC, 0);
		if (copy.fd >= 0)
			e = add_ns(&d, &copy, true);
	}
	if (e >= 0) {
		add_named(&d);
		if (o->processes)
			add_processes(&d);
		name_containers(&d);
		e = scan_all(&d);
	}
	discovery_free(&d);
	if (e < 0) {
		pr_err("cannot read the network topology: %s", strerror(-e));
		hs_topo_free(t);
		return e;
	}
	return 0;
}

void hs_topo_free(struct hs_topo *t)
{
	unsigned int i;

	for (i = 0; i < t->n_ns; i++)
		hs_netns_close(&t->ns[i].ns);
	free(t->ns);
	free(t->links);
	free(t->link_ns);
	memset(t, 0, sizeof(*t));
}

const struct hs_link *hs_topo_find(const struct hs_topo *t, uint64_t inode,
				   const char *ifname)
{
	unsigned int i;

	for (i = 0; i < t->n_links; i++)
		if (t->links[i].netns_inode == inode &&
		    !strcmp(t->links[i].ifname, ifname))
			return &t->links[i];
	return NULL;
}

int hs_topo_ns_index(const struct hs_topo *t, uint64_t inode)
{
	unsigned int i;

	for (i = 0; i < t->n_ns; i++)
		if (t->ns[i].ns.inode == inode)
			return (int)i;
	return -1;
}
