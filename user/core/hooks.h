/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * hooks.h - the hooks a probe runs at (enum hs_hook, hopscope.h), by name:
 * "xdp", "tc-ingress", "tc-egress", and the modes XDP attaches in. One
 * table of names each serves the command line, every output and the
 * record file's header.
 */
#ifndef HS_HOOKS_H
#define HS_HOOKS_H

#include <stdbool.h>
#include "hopscope.h"

/* How an XDP program is attached: the driver's own hook or the kernel's
 * generic one; auto is native where the driver has it, else generic. */
enum hs_xdp_mode {
	HS_XDP_AUTO = 0,
	HS_XDP_NATIVE,
	HS_XDP_GENERIC,
	HS_XDP_MODE_COUNT,
};

/* "auto", "native", "generic", then NULL: the --xdp-mode words. */
extern const char *const hs_xdp_mode_names[HS_XDP_MODE_COUNT + 1];

/* "?" for a value out of range. */
const char *hs_hook_name(enum hs_hook hook);
/* "auto", "native" or "generic"; "?" out of range. */
const char *hs_xdp_mode_name(enum hs_xdp_mode mode);
/* -1 if unknown. */
int hs_hook_parse(const char *name);
/* Where a packet enters the stack (XDP, tc ingress), not where it
 * leaves it. */
bool hs_hook_is_ingress(enum hs_hook hook);

#endif /* HS_HOOKS_H */
