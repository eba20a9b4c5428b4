// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * probe/select.c: the agent's --select words, which namespaces they take,
 * and the points of a selection, over a host built by hand as discovery
 * would find it:
 *
 *   host: br-net (bridge) with ports vweb, vdb; mvpar (macvlan parent); lo
 *   docker:web  eth0 (veth to vweb), eth1 (macvlan on mvpar), lo
 *   docker:db   eth0 (veth to vdb), lo
 *   podman:cache eth0 (veth to vcache in the host, no bridge)
 *   lab1 (/run/netns) eth0 (veth to lab2's eth0); lab2 (/run/netns)
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <criterion/criterion.h>
#include "core/hooks.h"
#include "probe/select.h"

enum { HOST, WEB, DB, CACHE, LAB1, LAB2, N_NS };

static const char *const ns_names[N_NS] = {
	[HOST] = "host",	 [WEB] = "docker:web",	 [DB] = "docker:db",
	[CACHE] = "podman:cache", [LAB1] = "lab1", [LAB2] = "lab2",
};

#define MAX_LINKS 32

static struct hs_topo_ns topo_ns[N_NS];
static struct hs_link links[MAX_LINKS];
static unsigned int link_ns[MAX_LINKS];
static struct hs_topo topo;
static char err[256];

static uint64_t inode_of(unsigned int ns)
{
	return 4026532400ull + ns;
}

static unsigned int add(unsigned int ns, const char *ifname, int ifindex,
			enum hs_link_kind kind)
{
	unsigned int i = topo.n_links++;
	struct hs_link *l = &links[i];

	cr_assert_lt(i, MAX_LINKS);
	memset(l, 0, sizeof(*l));
	l->netns_inode = inode_of(ns);
	l->ifindex = ifindex;
	l->kind = kind;
	snprintf(l->ifname, sizeof(l->ifname), "%s", ifname);
	link_ns[i] = ns;
	return i;
}

static void ref(struct hs_link_ref *r, unsigned int to)
{
	r->netns_inode = links[to].netns_inode;
	r->ifindex = links[to].ifindex;
	memcpy(r->ifname, links[to].ifname, sizeof(r->ifname));
}

static void veth(unsigned int a, unsigned int b)
{
	ref(&links[a].peer, b);
	ref(&links[b].peer, a);
}

/* A container's namespace as discovery names it: RUNTIME:NAME. */
static void container(struct hs_topo_ns *t)
{
	struct hs_container *c = &t->ns.container;
	size_t len = strcspn(t->ns.name, ":");

	snprintf(c->runtime, sizeof(c->runtime), "%.*s", (int)len, t->ns.name);
	snprintf(c->name, sizeof(c->name), "%s", t->ns.name + len + 1);
}

static void build(void)
{
	unsigned int i, br, vweb, vdb, mvpar, web0, web1, db0, c0, vc, l1, l2;

	memset(&topo, 0, sizeof(topo));
	for (i = 0; i < N_NS; i++) {
		memset(&topo_ns[i], 0, sizeof(topo_ns[i]));
		snprintf(topo_ns[i].ns.name, sizeof(topo_ns[i].ns.name), "%s",
			 ns_names[i]);
		topo_ns[i].ns.inode = inode_of(i);
		topo_ns[i].ns.fd = -1;
		topo_ns[i].named = i == LAB1 || i == LAB2;
		if (i == WEB || i == DB || i == CACHE)
			container(&topo_ns[i]);
		add(i, "lo", 1, HS_LINK_LOOPBACK);
	}
	topo.n_ns = N_NS;
	topo.ns = topo_ns;
	topo.links = links;
	topo.link_ns = link_ns;
	br = add(HOST, "br-net", 2, HS_LINK_BRIDGE);
	vweb = add(HOST, "vweb", 3, HS_LINK_VETH);
	vdb = add(HOST, "vdb", 4, HS_LINK_VETH);
	mvpar = add(HOST, "mvpar", 5, HS_LINK_VETH);
	vc = add(HOST, "vcache", 6, HS_LINK_VETH);
	links[vweb].master_ifindex = links[br].ifindex;
	links[vdb].master_ifindex = links[br].ifindex;
	web0 = add(WEB, "eth0", 2, HS_LINK_VETH);
	web1 = add(WEB, "eth1", 3, HS_LINK_MACVLAN);
	ref(&links[web1].parent, mvpar);
	db0 = add(DB, "eth0", 2, HS_LINK_VETH);
	c0 = add(CACHE, "eth0", 2, HS_LINK_VETH);
	l1 = add(LAB1, "eth0", 2, HS_LINK_VETH);
	l2 = add(LAB2, "eth0", 2, HS_LINK_VETH);
	veth(web0, vweb);
	veth(db0, vdb);
	veth(c0, vc);
	veth(l1, l2);
}

TestSuite(select, .init = build);

static struct hs_selector parse_ok(const char *word)
{
	struct hs_selector s;

	cr_assert_eq(hs_selector_parse(word, &s, err, sizeof(err)), 0,
		     "%s: %s", word, err);
	return s;
}

static void parse_bad(const char *word, const char *msg)
{
	struct hs_selector s;

	cr_assert_eq(hs_selector_parse(word, &s, err, sizeof(err)), -EINVAL,
		     "%s", word);
	cr_assert_str_eq(err, msg);
}

Test(select, words)
{
	struct hs_selector s = parse_ok("docker");

	cr_assert_eq(s.kind, HS_SELECT_CONTAINERS);
	cr_assert_str_eq(s.runtime, "docker");
	cr_assert_str_eq(s.glob, "*");
	s = parse_ok("podman:we*");
	cr_assert_str_eq(s.runtime, "podman");
	cr_assert_str_eq(s.glob, "we*");
	s = parse_ok("netns:lab?");
	cr_assert_eq(s.kind, HS_SELECT_NETNS);
	cr_assert_str_eq(s.glob, "lab?");
	s = parse_ok("pid:42");
	cr_assert_eq(s.kind, HS_SELECT_PID);
	cr_assert_eq(s.pid, 42);
}

Test(select, bad_words_name_themselves)
{
	parse_bad("dockerd",
		  "bad --select 'dockerd': expected docker[:GLOB], podman[:GLOB], netns:GLOB or pid:PID");
	parse_bad("netns", "bad --select 'netns': expected docker[:GLOB], podman[:GLOB], netns:GLOB or pid:PID");
	parse_bad("docker:", "bad --select 'docker:': nothing after ':'");
	parse_bad("pid:12x",
		  "bad --select 'pid:12x': expected pid:PID with a process id");
	parse_bad("pid:0",
		  "bad --select 'pid:0': expected pid:PID with a process id");
}

static bool takes(const char *const *words, unsigned int n, unsigned int ns)
{
	struct hs_selector sel[4] = {};
	unsigned int i;

	for (i = 0; i < n; i++)
		sel[i] = parse_ok(words[i]);
	return hs_select_match(sel, n, &topo_ns[ns]);
}

Test(select, none_means_every_container_of_every_runtime)
{
	cr_assert(takes(NULL, 0, WEB));
	cr_assert(takes(NULL, 0, DB));
	cr_assert(takes(NULL, 0, CACHE));
	cr_assert_not(takes(NULL, 0, HOST));
	cr_assert_not(takes(NULL, 0, LAB1));
}

Test(select, by_runtime_glob_and_netns_name)
{
	const char *docker[] = { "docker" }, *we[] = { "docker:we*" },
		   *lab[] = { "netns:lab1", "podman:*" };

	cr_assert(takes(docker, 1, WEB) && takes(docker, 1, DB));
	cr_assert_not(takes(docker, 1, CACHE));
	cr_assert(takes(we, 1, WEB));
	cr_assert_not(takes(we, 1, DB));
	cr_assert(takes(lab, 2, LAB1) && takes(lab, 2, CACHE));
	cr_assert_not(takes(lab, 2, LAB2) || takes(lab, 2, WEB));
}

Test(select, by_pid_is_by_the_processs_namespace)
{
	struct hs_selector s;
	char word[32];
	struct stat st;

	cr_assert_eq(stat("/proc/self/ns/net", &st), 0);
	topo_ns[LAB2].ns.inode = st.st_ino;
	snprintf(word, sizeof(word), "pid:%d", getpid());
	s = parse_ok(word);
	cr_assert(hs_select_match(&s, 1, &topo_ns[LAB2]));
	cr_assert_not(hs_select_match(&s, 1, &topo_ns[LAB1]));
}

/* "ns:ifname@hook" of every point, in order, one line. */
static void points_at(const char *const *words, unsigned int n,
		      enum hs_hook_set set, char *buf, size_t len)
{
	struct hs_point_spec out[64];
	struct hs_selector sel[4] = {};
	unsigned int i;
	size_t at = 0;
	int k;

	for (i = 0; i < n; i++)
		sel[i] = parse_ok(words[i]);
	k = hs_select_points(&topo, sel, n, set, out, 64);
	cr_assert_geq(k, 0);
	buf[0] = '\0';
	for (i = 0; i < (unsigned int)k; i++)
		at += (size_t)snprintf(buf + at, len - at, "%s%s:%s@%s",
				       i ? " " : "", out[i].ns->name,
				       out[i].link.ifname,
				       hs_hook_name(out[i].hook));
}

static void points_of(const char *const *words, unsigned int n, char *buf,
		      size_t len)
{
	points_at(words, n, HS_HOOKS_DEFAULT, buf, len);
}

Test(select, points_are_the_interfaces_and_their_host_side_ends)
{
	const char *web[] = { "docker:web" }, *all[] = { "docker", "podman" };
	char got[2048];

	points_of(web, 1, got, sizeof(got));
	cr_assert_str_eq(
		got,
		"docker:web:eth0@tc-ingress docker:web:eth0@tc-egress "
		"host:vweb@tc-ingress host:vweb@tc-egress "
		"docker:web:eth1@tc-ingress docker:web:eth1@tc-egress "
		"host:mvpar@tc-ingress host:mvpar@tc-egress");
	points_of(all, 2, got, sizeof(got));
	cr_assert(strstr(got, "docker:db:eth0@tc-egress host:vdb@tc-ingress"));
	cr_assert(strstr(got, "podman:cache:eth0@tc-egress host:vcache@tc-ingress"));
	cr_assert_null(strstr(got, ":lo@"));
	cr_assert_null(strstr(got, "br-net"));
}

/* --hooks ingress: one point a device, where packets come in */
Test(select, ingress_set_is_tc_ingress_only)
{
	const char *web[] = { "docker:web" };
	char got[2048];

	points_at(web, 1, HS_HOOKS_INGRESS, got, sizeof(got));
	cr_assert_str_eq(got, "docker:web:eth0@tc-ingress host:vweb@tc-ingress "
			      "docker:web:eth1@tc-ingress host:mvpar@tc-ingress");
}

Test(select, two_selected_ends_of_one_veth_are_two_points_once)
{
	const char *labs[] = { "netns:lab*" };
	char got[512];

	points_of(labs, 1, got, sizeof(got));
	cr_assert_str_eq(got, "lab1:eth0@tc-ingress lab1:eth0@tc-egress "
			      "lab2:eth0@tc-ingress lab2:eth0@tc-egress");
}

Test(select, more_points_than_room_is_an_error)
{
	struct hs_point_spec out[3];

	cr_assert_eq(hs_select_points(&topo, NULL, 0, HS_HOOKS_DEFAULT, out, 3),
		     -E2BIG);
}
