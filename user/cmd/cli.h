/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * cli.h - hopscope's command line: the table of its commands (run, demo,
 * topo, report), each with its option sections, defaults and what it
 * runs, and the dispatch from argv to one of them.
 */
#ifndef HS_CLI_H
#define HS_CLI_H

#include "cmd/options.h"

/* Ended by a row without a name. */
extern const struct hs_command hs_commands[];

/* hopscope's main(): an enum hs_exit. */
int hs_cli_main(int argc, char **argv);

#endif /* HS_CLI_H */
