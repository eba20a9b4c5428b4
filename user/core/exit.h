/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * exit.h - what hopscope's exit status says, the same for every command.
 */
#ifndef HS_EXIT_H
#define HS_EXIT_H

enum hs_exit {
	HS_EXIT_OK = 0,
	HS_EXIT_FAILURE = 1, /* runtime failure */
	HS_EXIT_USAGE = 2, /* bad usage: arguments, names */
};

#endif /* HS_EXIT_H */
