/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * print.h - `hopscope topo`: the topology as a readable tree, as JSON
 * lines (a "netns" line per namespace, a "link" line per interface;
 * docs/output.md), or as a Graphviz graph.
 */
#ifndef HS_TOPO_PRINT_H
#define HS_TOPO_PRINT_H

#include <stdio.h>
#include "topo/topo.h"

void hs_topo_print_text(FILE *f, const struct hs_topo *t);
void hs_topo_print_json(FILE *f, const struct hs_topo *t);
void hs_topo_print_dot(FILE *f, const struct hs_topo *t);

#endif /* HS_TOPO_PRINT_H */
