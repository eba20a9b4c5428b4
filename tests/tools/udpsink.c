// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * udpsink - where a benchmark's UDP stream ends: a socket bound to PORT on
 * every IPv4 and IPv6 address of the namespace, never read. Without it the
 * receiver answers every datagram with an ICMP error that travels back up
 * the chain; with it the socket's queue fills once and every datagram
 * after that is dropped at the socket, the cheapest end a stream can have
 * and the same for every variant a benchmark compares.
 *   udpsink PORT MAX_SECONDS
 * Prints "ready" once bound, then waits for SIGINT, SIGTERM or MAX_SECONDS
 * and exits 0.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include "cmd/traffic.h"

int main(int argc, char **argv)
{
	struct timespec limit = {};
	sigset_t set;
	double secs;
	char *end;
	long port;
	int fd;

	if (argc != 3) {
		fprintf(stderr, "usage: udpsink PORT MAX_SECONDS\n");
		return 2;
	}
	port = strtol(argv[1], &end, 10);
	if (end == argv[1] || *end || port < 1 || port > 65535) {
		fprintf(stderr, "udpsink: bad port '%s': 1 to 65535\n",
			argv[1]);
		return 2;
	}
	secs = strtod(argv[2], &end);
	if (end == argv[2] || *end || !(secs > 0 && secs <= 86400)) {
		fprintf(stderr,
			"udpsink: bad max seconds '%s': more than 0, at most 86400\n",
			argv[2]);
		return 2;
	}
	/* signals are taken synchronously below, so block them first */
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigprocmask(SIG_BLOCK, &set, NULL);
	/* an IPv6 socket that is not v6-only takes IPv4 as well */
	fd = hs_traffic_sink(AF_INET6, (uint16_t)port);
	if (fd < 0)
		fd = hs_traffic_sink(AF_INET, (uint16_t)port);
	if (fd < 0) {
		fprintf(stderr, "udpsink: cannot bind UDP port %ld: %s\n", port,
			strerror(-fd));
		return 1;
	}
	printf("ready\n");
	fflush(stdout);
	limit.tv_sec = (time_t)secs;
	limit.tv_nsec = (long)((secs - (double)limit.tv_sec) * 1e9);
	while (sigtimedwait(&set, NULL, &limit) < 0 && errno == EINTR)
		;
	close(fd);
	return 0;
}
