/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * util.h - small helpers every layer may use.
 */
#ifndef HS_UTIL_H
#define HS_UTIL_H

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#endif /* HS_UTIL_H */
