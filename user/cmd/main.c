// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * main.c - the process around the command line (cli.c): libbpf's messages
 * through our log, and a closed pipe an error to report, not a signal.
 */
#include <signal.h>
#include "core/log.h"
#include "cmd/cli.h"

int main(int argc, char **argv)
{
	hs_log_setup_libbpf();
	signal(SIGPIPE, SIG_IGN);
	return hs_cli_main(argc, argv);
}
