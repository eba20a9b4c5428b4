/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * hooks.h - the hooks a probe runs at (enum hs_hook, hopscope.h), by name:
 * "xdp", "tc-ingress", "tc-egress". One table of names serves the
 * command line, every output and the record file's header.
 */
#ifndef HS_HOOKS_H
#define HS_HOOKS_H

#include <stdbool.h>
#include "hopscope.h"

/* "?" for a value out of range. */
const char *hs_hook_name(enum hs_hook hook);
/* -1 if unknown. */
int hs_hook_parse(const char *name);
/* Where a packet enters the stack (XDP, tc ingress), not where it
 * leaves it. */
bool hs_hook_is_ingress(enum hs_hook hook);

#endif /* HS_HOOKS_H */
