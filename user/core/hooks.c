// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <string.h>
#include "core/hooks.h"

static const char *const hook_names[HS_HOOK_COUNT] = {
	[HS_HOOK_XDP] = "xdp",
	[HS_HOOK_TC_INGRESS] = "tc-ingress",
	[HS_HOOK_TC_EGRESS] = "tc-egress",
};

const char *const hs_xdp_mode_names[HS_XDP_MODE_COUNT + 1] = {
	[HS_XDP_AUTO] = "auto",
	[HS_XDP_NATIVE] = "native",
	[HS_XDP_GENERIC] = "generic",
	[HS_XDP_MODE_COUNT] = NULL,
};

const char *hs_xdp_mode_name(enum hs_xdp_mode mode)
{
	return (unsigned int)mode < HS_XDP_MODE_COUNT ?
		       hs_xdp_mode_names[mode] :
		       "?";
}

const char *hs_hook_name(enum hs_hook hook)
{
	return hook < HS_HOOK_COUNT ? hook_names[hook] : "?";
}

int hs_hook_parse(const char *name)
{
	int i;

	for (i = 0; i < HS_HOOK_COUNT; i++)
		if (!strcmp(name, hook_names[i]))
			return i;
	return -1;
}

bool hs_hook_is_ingress(enum hs_hook hook)
{
	return hook == HS_HOOK_XDP || hook == HS_HOOK_TC_INGRESS;
}
