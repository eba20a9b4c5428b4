/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * filter.h - the --filter expression, compiled into struct hs_filter.
 *
 * A small, pcap-like language: terms joined by spaces or "and", all of
 * which must hold.
 *   udp | tcp | icmp | icmp6 | proto N     L4 protocol
 *   ip | ip6                                address family
 *   port N                                  source or destination port
 *   net ADDR/LEN | host ADDR                source or destination prefix
 * Example: "udp and port 5201 and net 198.18.0.0/15"
 */
#ifndef HS_FILTER_H
#define HS_FILTER_H

#include <stddef.h>
#include "hopscope.h"

/* 0, or -EINVAL with a one-line reason naming the bad term in err. */
int hs_filter_parse(const char *expr, struct hs_filter *f, char *err,
		    size_t errlen);

#endif /* HS_FILTER_H */
