/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * traffic.h - a bounded, paced UDP stream for testbeds (demo and tests).
 *
 * Every datagram starts with a 64-bit sequence number, so no two packets of
 * a stream share a fingerprint. The stream stops at whichever comes first
 * of count packets and max_seconds.
 */
#ifndef HS_TRAFFIC_H
#define HS_TRAFFIC_H

#include <stdint.h>
#include <sys/socket.h>

struct hs_traffic {
	const char *dst; /* IPv4 or IPv6 literal */
	uint16_t port;
	uint32_t rate_pps; /* >= 1 */
	uint64_t count; /* >= 1 */
	double max_seconds; /* > 0 */
	uint32_t payload_bytes; /* >= 8 */
};

/* An IPv4 or IPv6 literal and a port as a socket address. 0, or -EINVAL
 * when dst is neither. */
int hs_traffic_addr(const char *dst, uint16_t port, struct sockaddr_storage *ss,
		    socklen_t *len);
/* Send in the calling thread's namespace. Returns packets sent or -errno. */
int64_t hs_traffic_send(const struct hs_traffic *t);
/* A UDP socket bound to port on every address of the current namespace,
 * so the stream is absorbed instead of answered with ICMP. */
int hs_traffic_sink(int family, uint16_t port);

#endif /* HS_TRAFFIC_H */
