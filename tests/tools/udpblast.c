// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * udpblast - the chain benchmark's sender: UDP datagrams as fast as one
 * thread can hand them to the kernel, in sendmmsg() batches, until COUNT
 * packets or MAX_SECONDS, whichever comes first.
 *   udpblast DST PORT COUNT MAX_SECONDS [BATCH [PAYLOAD_BYTES]]
 * BATCH defaults to 64 datagrams a call, PAYLOAD_BYTES to 22: an IPv4
 * frame of 64 bytes (14 Ethernet + 20 IP + 8 UDP + 22). Every datagram
 * starts with its 64-bit sequence number, as udpgen's stream does, so no
 * two packets share a fingerprint. Prints "SENT SECONDS USER SYSTEM": the
 * datagrams the kernel took, how long sending took (CLOCK_MONOTONIC) and
 * the CPU seconds this process used (getrusage), the system time holding
 * whatever the kernel did for the datagrams in its context: on a chain of
 * veth pairs, every hop up to the receiver.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include "cmd/traffic.h"

#define MAX_BATCH 1024
#define MAX_PAYLOAD 1472

static unsigned char bufs[MAX_BATCH][MAX_PAYLOAD];

static double now_s(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* An unsigned number in [lo, hi], or 0 with *ok cleared. */
static unsigned long long number(const char *what, const char *s,
				 unsigned long long lo, unsigned long long hi,
				 int *ok)
{
	unsigned long long v;
	char *end;

	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || end == s || *end || s[0] == '-' || v < lo || v > hi) {
		fprintf(stderr, "udpblast: bad %s '%s': %llu to %llu\n", what,
			s, lo, hi);
		*ok = 0;
		return 0;
	}
	return v;
}

int main(int argc, char **argv)
{
	static struct mmsghdr msgs[MAX_BATCH];
	static struct iovec iov[MAX_BATCH];
	struct sockaddr_storage ss;
	struct rusage ru;
	unsigned long long count, sent = 0;
	unsigned long batch = 64, payload = 22, port;
	double max_seconds, start, elapsed;
	socklen_t len;
	char *end;
	int fd, ok = 1;
	unsigned long i;

	if (argc < 5 || argc > 7) {
		fprintf(stderr,
			"usage: udpblast DST PORT COUNT MAX_SECONDS [BATCH [PAYLOAD_BYTES]]\n");
		return 2;
	}
	port = (unsigned long)number("port", argv[2], 1, 65535, &ok);
	count = number("count", argv[3], 1, 1ULL << 40, &ok);
	max_seconds = strtod(argv[4], &end);
	if (end == argv[4] || *end ||
	    !(max_seconds > 0 && max_seconds <= 600)) {
		fprintf(stderr,
			"udpblast: bad max seconds '%s': more than 0, at most 600\n",
			argv[4]);
		ok = 0;
	}
	if (argc > 5)
		batch = (unsigned long)number("batch", argv[5], 1, MAX_BATCH,
					      &ok);
	if (argc > 6)
		payload = (unsigned long)number("payload bytes", argv[6], 8,
						MAX_PAYLOAD, &ok);
	if (!ok)
		return 2;
	if (hs_traffic_addr(argv[1], (uint16_t)port, &ss, &len)) {
		fprintf(stderr,
			"udpblast: bad destination '%s': an IPv4 or IPv6 address\n",
			argv[1]);
		return 2;
	}
	fd = socket(ss.ss_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		fprintf(stderr, "udpblast: socket: %s\n", strerror(errno));
		return 1;
	}
	for (i = 0; i < batch; i++) {
		iov[i].iov_base = bufs[i];
		iov[i].iov_len = payload;
		msgs[i].msg_hdr.msg_name = &ss;
		msgs[i].msg_hdr.msg_namelen = len;
		msgs[i].msg_hdr.msg_iov = &iov[i];
		msgs[i].msg_hdr.msg_iovlen = 1;
	}
	start = now_s();
	elapsed = 0;
	while (sent < count && elapsed < max_seconds) {
		unsigned int n = (unsigned int)(count - sent < batch ?
							count - sent :
							batch);
		int r;

		/* sequence numbers stay contiguous: a datagram the kernel
		 * did not take is numbered again in the next batch */
		for (i = 0; i < n; i++) {
			uint64_t seq = sent + i;

			memcpy(bufs[i], &seq, sizeof(seq));
		}
		r = sendmmsg(fd, msgs, n, 0);
		if (r > 0)
			sent += (unsigned int)r;
		if (r < 0 && errno != ENOBUFS && errno != EAGAIN &&
		    errno != EINTR) {
			/* a full queue on the way is the network's loss;
			 * anything else ends the stream */
			fprintf(stderr, "udpblast: sending to %s: %s\n",
				argv[1], strerror(errno));
			close(fd);
			return 1;
		}
		elapsed = now_s() - start;
	}
	close(fd);
	getrusage(RUSAGE_SELF, &ru);
	printf("%llu %.6f %ld.%06ld %ld.%06ld\n", sent, elapsed,
	       (long)ru.ru_utime.tv_sec, (long)ru.ru_utime.tv_usec,
	       (long)ru.ru_stime.tv_sec, (long)ru.ru_stime.tv_usec);
	return 0;
}
