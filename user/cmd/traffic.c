// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include "core/log.h"
#include "cmd/traffic.h"

#define HS_TRAFFIC_MAX_PAYLOAD 1472

int hs_traffic_addr(const char *dst, uint16_t port, struct sockaddr_storage *ss,
		    socklen_t *len)
{
	struct sockaddr_in *sin = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;

	memset(ss, 0, sizeof(*ss));
	if (inet_pton(AF_INET, dst, &sin->sin_addr) == 1) {
		sin->sin_family = AF_INET;
		sin->sin_port = htons(port);
		*len = sizeof(*sin);
		return 0;
	}
	if (inet_pton(AF_INET6, dst, &sin6->sin6_addr) == 1) {
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons(port);
		*len = sizeof(*sin6);
		return 0;
	}
	return -EINVAL;
}

static void timespec_add_ns(struct timespec *ts, uint64_t ns)
{
	ts->tv_sec += ns / 1000000000ULL;
	ts->tv_nsec += ns % 1000000000ULL;
	if (ts->tv_nsec >= 1000000000L) {
		ts->tv_sec++;
		ts->tv_nsec -= 1000000000L;
	}
}

static double elapsed_s(const struct timespec *start)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - start->tv_sec) +
	       (double)(now.tv_nsec - start->tv_nsec) / 1e9;
}

int64_t hs_traffic_send(const struct hs_traffic *t)
{
	unsigned char buf[HS_TRAFFIC_MAX_PAYLOAD] = {};
	struct sockaddr_storage ss;
	struct timespec start, next;
	uint64_t gap_ns, seq;
	socklen_t len;
	int fd, err;

	if (!t->rate_pps || !t->count || t->max_seconds <= 0 ||
	    t->payload_bytes < sizeof(seq) ||
	    t->payload_bytes > HS_TRAFFIC_MAX_PAYLOAD)
		return -EINVAL;
	err = hs_traffic_addr(t->dst, t->port, &ss, &len);
	if (err)
		return err;
	fd = socket(ss.ss_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	gap_ns = 1000000000ULL / t->rate_pps;
	clock_gettime(CLOCK_MONOTONIC, &start);
	next = start;
	for (seq = 0; seq < t->count && elapsed_s(&start) < t->max_seconds;
	     seq++) {
		memcpy(buf, &seq, sizeof(seq));
		/* a full queue on the way is the network's loss, not ours */
		if (sendto(fd, buf, t->payload_bytes, 0, (struct sockaddr *)&ss,
			   len) < 0 &&
		    errno != ENOBUFS && errno != EAGAIN) {
			err = -errno;
			pr_err("sending to %s: %s", t->dst, strerror(errno));
			close(fd);
			return err;
		}
		/* pacing against absolute times: no drift */
		timespec_add_ns(&next, gap_ns);
		clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &next, NULL);
	}
	close(fd);
	return (int64_t)seq;
}

int hs_traffic_sink(int family, uint16_t port)
{
	struct sockaddr_in6 sin6 = { .sin6_family = AF_INET6,
				     .sin6_port = htons(port) };
	struct sockaddr_in sin = { .sin_family = AF_INET,
				   .sin_port = htons(port) };
	int fd = socket(family, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	int err;

	if (fd < 0)
		return -errno;
	err = family == AF_INET6 ?
		      bind(fd, (struct sockaddr *)&sin6, sizeof(sin6)) :
		      bind(fd, (struct sockaddr *)&sin, sizeof(sin));
	if (err) {
		err = -errno;
		close(fd);
		return err;
	}
	return fd;
}
