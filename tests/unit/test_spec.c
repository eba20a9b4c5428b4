// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * spec.c: the --point SPEC syntax [NETNS:]IFNAME[@HOOK,...] and the hooks
 * chosen by interface kind.
 */
#include <errno.h>
#include <string.h>
#include <stdio.h>
#include <criterion/criterion.h>
#include "hopscope.h"
#include "probe/spec.h"

#define XDP (1u << HS_HOOK_XDP)
#define TC_IN (1u << HS_HOOK_TC_INGRESS)
#define TC_OUT (1u << HS_HOOK_TC_EGRESS)

static struct hs_spec spec;
static char err[512];

static void parse_ok(const char *text, const char *netns, const char *ifname,
		     unsigned int hooks)
{
	err[0] = '\0';
	cr_assert_eq(hs_spec_parse(text, &spec, err, sizeof(err)), 0,
		     "'%s' refused: %s", text, err);
	cr_assert_str_eq(spec.netns, netns, "'%s': netns", text);
	cr_assert_str_eq(spec.ifname, ifname, "'%s': ifname", text);
	cr_assert_eq(spec.hooks, hooks, "'%s': hooks %#x, want %#x", text,
		     spec.hooks, hooks);
}

/* Refused, and the message names the bad part. */
static void parse_bad(const char *text, const char *names)
{
	err[0] = '\0';
	cr_assert_eq(hs_spec_parse(text, &spec, err, sizeof(err)), -EINVAL,
		     "'%s' accepted", text);
	cr_assert_not_null(strstr(err, names), "'%s': message \"%s\" lacks '%s'",
			   text, err, names);
}

Test(spec, valid)
{
	parse_ok("eth0", "", "eth0", 0);
	parse_ok("ns1:eth0", "ns1", "eth0", 0);
	/* the last ':' before '@' ends NETNS */
	parse_ok("pid:1234:eth0@tc-ingress,tc-egress", "pid:1234", "eth0",
		 TC_IN | TC_OUT);
	parse_ok("/run/netns/x:eth1@xdp", "/run/netns/x", "eth1", XDP);
	parse_ok("veth0@tc-egress,xdp,tc-ingress", "", "veth0",
		 XDP | TC_IN | TC_OUT);
	/* 15 characters is the kernel's limit, and fits */
	parse_ok("hs1_vnf1:abcdefghijklmno", "hs1_vnf1", "abcdefghijklmno", 0);
}

Test(spec, errors_name_the_bad_part)
{
	parse_bad("ns1:", "interface name");
	parse_bad(":eth0", "empty namespace");
	parse_bad("eth0@bogus", "'bogus'");
	parse_bad("eth0@xdp,bogus", "'bogus'");
	parse_bad("eth0@", "empty hook list");
	parse_bad("ns1:eth0@", "empty hook list");
	parse_bad("ns1:eth0@xdp,,tc-ingress", "empty hook in the list");
	parse_bad("ns1:eth0@xdp,", "empty hook in the list");
	parse_bad("ns1:eth0@,xdp", "empty hook in the list");
	/* 16 characters: one too many */
	parse_bad("abcdefghijklmnop", "interface name");
	parse_bad("ns1:abcdefghijklmnop@xdp", "interface name");
	parse_bad("", "interface name");
	parse_bad("@xdp", "interface name");
	parse_bad("eth/0", "'eth/0'");
	parse_bad("ns1:eth 0", "'eth 0'");
	/* every message quotes the whole spec */
	parse_bad("eth0@bogus", "'eth0@bogus'");
}

Test(spec, long_namespace_refused)
{
	char text[HS_NETNS_NAME_MAX + 16];

	/* HS_NETNS_NAME_MAX characters leave no room for the NUL */
	memset(text, 'n', HS_NETNS_NAME_MAX);
	strcpy(text + HS_NETNS_NAME_MAX, ":eth0");
	parse_bad(text, "namespace name too long");
	/* one fewer fits */
	text[HS_NETNS_NAME_MAX - 1] = '\0';
	strcat(text, ":eth0");
	err[0] = '\0';
	cr_assert_eq(hs_spec_parse(text, &spec, err, sizeof(err)), 0, "%s",
		     err);
	cr_assert_eq(strlen(spec.netns), HS_NETNS_NAME_MAX - 1);
}

Test(spec, default_hooks_by_kind)
{
	/* native XDP on virtual devices costs more than it measures */
	cr_assert_eq(hs_default_hooks(&(struct hs_link){ .kind = HS_LINK_VETH }), TC_IN | TC_OUT);
	cr_assert_eq(hs_default_hooks(&(struct hs_link){ .kind = HS_LINK_MACVLAN }), TC_IN | TC_OUT);
	cr_assert_eq(hs_default_hooks(&(struct hs_link){ .kind = HS_LINK_BRIDGE }), TC_IN | TC_OUT);
	cr_assert_eq(hs_default_hooks(&(struct hs_link){ .kind = HS_LINK_PHYSICAL }), XDP | TC_IN | TC_OUT);
	cr_assert_eq(hs_default_hooks(&(struct hs_link){ .kind = HS_LINK_SRIOV_VF }), XDP | TC_IN | TC_OUT);
	cr_assert_eq(hs_default_hooks(&(struct hs_link){ .kind = HS_LINK_SRIOV_PF }), XDP | TC_IN | TC_OUT);
	cr_assert_eq(hs_default_hooks(&(struct hs_link){ .kind = HS_LINK_OTHER }), TC_IN | TC_OUT);
}

/* --hooks ingress: one hook a device, where packets come in; default is
 * the kind's own set */
Test(spec, ingress_hook_set)
{
	struct hs_link ovs = { .kind = HS_LINK_VETH };

	cr_assert_eq(hs_set_hooks(&(struct hs_link){ .kind = HS_LINK_VETH }, HS_HOOKS_INGRESS), TC_IN);
	cr_assert_eq(hs_set_hooks(&(struct hs_link){ .kind = HS_LINK_PHYSICAL }, HS_HOOKS_INGRESS), TC_IN);
	cr_assert_eq(hs_set_hooks(&(struct hs_link){ .kind = HS_LINK_PHYSICAL }, HS_HOOKS_DEFAULT), XDP | TC_IN | TC_OUT);
	/* OVS's userspace datapath: tc ingress comes too late, XDP it is */
	snprintf(ovs.ovs_bridge, sizeof(ovs.ovs_bridge), "br3");
	cr_assert_eq(hs_set_hooks(&ovs, HS_HOOKS_INGRESS), XDP);
	cr_assert_str_eq(hs_hook_set_names[HS_HOOKS_INGRESS], "ingress");
	cr_assert_null(hs_hook_set_names[HS_HOOK_SET_COUNT]);
}
