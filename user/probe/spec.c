// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/hooks.h"
#include "probe/spec.h"

static int parse_hooks(const char *list, const char *text, unsigned int *hooks,
		       char *err, size_t errlen)
{
	char *copy = strdup(list), *rest = copy, *h;
	int ret = 0;

	if (!copy)
		return -ENOMEM;
	*hooks = 0;
	/* strsep, not strtok: "xdp,,tc-ingress" has an empty hook, which
	 * is a mistake to say, not to skip */
	while (*list && (h = strsep(&rest, ","))) {
		int hook = hs_hook_parse(h);

		if (!*h) {
			snprintf(
				err, errlen,
				"bad point '%s': empty hook in the list after '@'",
				text);
			ret = -EINVAL;
			break;
		}
		if (hook < 0) {
			snprintf(
				err, errlen,
				"bad point '%s': unknown hook '%s' (xdp, tc-ingress, tc-egress)",
				text, h);
			ret = -EINVAL;
			break;
		}
		*hooks |= 1u << hook;
	}
	if (!ret && !*hooks) {
		snprintf(err, errlen,
			 "bad point '%s': empty hook list after '@'", text);
		ret = -EINVAL;
	}
	free(copy);
	return ret;
}

int hs_spec_parse(const char *text, struct hs_spec *spec, char *err,
		  size_t errlen)
{
	const char *at = strchr(text, '@'), *colon = NULL, *p, *name;
	size_t loc_len = at ? (size_t)(at - text) : strlen(text);
	size_t ns_len = 0, name_len;

	memset(spec, 0, sizeof(*spec));
	for (p = text; p < text + loc_len; p++)
		if (*p == ':')
			colon = p;
	if (colon) {
		ns_len = (size_t)(colon - text);
		name = colon + 1;
	} else {
		name = text;
	}
	name_len = loc_len - (size_t)(name - text);
	if (colon && !ns_len) {
		snprintf(err, errlen,
			 "bad point '%s': empty namespace before ':'", text);
		return -EINVAL;
	}
	if (!name_len || name_len >= IF_NAMESIZE) {
		snprintf(
			err, errlen,
			"bad point '%s': interface name must be 1 to %d characters",
			text, IF_NAMESIZE - 1);
		return -EINVAL;
	}
	if (ns_len >= sizeof(spec->netns)) {
		snprintf(err, errlen, "bad point '%s': namespace name too long",
			 text);
		return -EINVAL;
	}
	memcpy(spec->netns, text, ns_len);
	memcpy(spec->ifname, name, name_len);
	if (memchr(spec->ifname, '/', name_len) ||
	    memchr(spec->ifname, ' ', name_len)) {
		snprintf(err, errlen,
			 "bad point '%s': '%s' is not an interface name", text,
			 spec->ifname);
		return -EINVAL;
	}
	if (at)
		return parse_hooks(at + 1, text, &spec->hooks, err, errlen);
	return 0;
}

const char *const hs_hook_set_names[HS_HOOK_SET_COUNT + 1] = {
	[HS_HOOKS_DEFAULT] = "default",
	[HS_HOOKS_INGRESS] = "ingress",
};

unsigned int hs_set_hooks(const struct hs_link *l, enum hs_hook_set set)
{
	unsigned int hooks = hs_default_hooks(l);

	if (set != HS_HOOKS_INGRESS)
		return hooks;
	/* one hook a device, the first a packet meets coming in: tc
	 * ingress, or XDP where tc ingress is not on its way (OVS's
	 * userspace datapath) */
	if (hooks & (1u << HS_HOOK_TC_INGRESS))
		return 1u << HS_HOOK_TC_INGRESS;
	return hooks & (1u << HS_HOOK_XDP);
}

unsigned int hs_default_hooks(const struct hs_link *l)
{
	/* OVS's userspace datapath reads its ports through AF_PACKET, whose
	 * tap comes before tc ingress: a packet can be out of the next port
	 * before tc ingress has seen it come in, most under load (ksoftirqd
	 * preempted by the OVS thread). XDP runs before the tap. Its ~0.6 us
	 * is nothing beside that datapath's ~0.2 ms. (The kernel datapath
	 * takes packets after tc ingress; its ports have a kernel master.) */
	if (l->ovs_bridge[0] && !l->master_ifindex)
		return 1u << HS_HOOK_XDP | 1u << HS_HOOK_TC_EGRESS;
	/* native XDP on veth costs ~0.6 us a packet (it switches veth to its
	 * NAPI path); virtual devices get tc only, hardware gets both */
	switch (l->kind) {
	case HS_LINK_PHYSICAL:
	case HS_LINK_SRIOV_PF:
	case HS_LINK_SRIOV_VF:
		return 1u << HS_HOOK_XDP | 1u << HS_HOOK_TC_INGRESS |
		       1u << HS_HOOK_TC_EGRESS;
	default:
		return 1u << HS_HOOK_TC_INGRESS | 1u << HS_HOOK_TC_EGRESS;
	}
}
