// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * udpsplit - one paced UDP stream sent by two threads on two CPUs: the
 * even sequence numbers from CPU 0, the odd ones from CPU 1, from one
 * source port (one flow). A hop that holds up the even packets then lets
 * the odd ones overtake them: the reordering test's traffic.
 *   udpsplit DST PORT RATE_PPS COUNT [MAX_SECONDS]
 * Every datagram starts with its 64-bit sequence number, as udpgen's do.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/socket.h>

struct lane {
	int cpu;
	int fd;
	struct sockaddr_in dst;
	struct timespec start;
	uint64_t gap_ns, count;
	double max_seconds;
	uint64_t sent;
};

static void at(struct timespec *t, const struct timespec *start, uint64_t ns)
{
	uint64_t total = (uint64_t)start->tv_nsec + ns;

	t->tv_sec = start->tv_sec + (time_t)(total / 1000000000ULL);
	t->tv_nsec = (long)(total % 1000000000ULL);
}

static void *send_lane(void *arg)
{
	struct lane *l = arg;
	unsigned char buf[64] = {};
	cpu_set_t set;
	uint64_t seq;

	CPU_ZERO(&set);
	CPU_SET(l->cpu, &set);
	if (pthread_setaffinity_np(pthread_self(), sizeof(set), &set))
		return NULL;
	for (seq = (uint64_t)l->cpu; seq < l->count; seq += 2) {
		struct timespec t;

		/* absolute send times shared by both lanes: interleaved */
		if (seq * l->gap_ns > (uint64_t)(l->max_seconds * 1e9))
			break;
		at(&t, &l->start, seq * l->gap_ns);
		clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &t, NULL);
		memcpy(buf, &seq, sizeof(seq));
		if (sendto(l->fd, buf, sizeof(buf), 0,
			   (struct sockaddr *)&l->dst,
			   sizeof(l->dst)) == sizeof(buf))
			l->sent++;
	}
	return NULL;
}

int main(int argc, char **argv)
{
	struct sockaddr_in src = { .sin_family = AF_INET };
	struct lane lanes[2] = {};
	pthread_t th[2];
	socklen_t len = sizeof(src);
	int one = 1, i;

	if (argc < 5) {
		fprintf(stderr,
			"usage: udpsplit DST PORT RATE_PPS COUNT [MAX_SECONDS]\n");
		return 2;
	}
	if (sysconf(_SC_NPROCESSORS_ONLN) < 2) {
		fprintf(stderr, "udpsplit: needs two CPUs\n");
		return 77;
	}
	for (i = 0; i < 2; i++) {
		struct lane *l = &lanes[i];

		l->cpu = i;
		l->dst.sin_family = AF_INET;
		l->dst.sin_port = htons((uint16_t)atoi(argv[2]));
		if (inet_pton(AF_INET, argv[1], &l->dst.sin_addr) != 1) {
			fprintf(stderr, "udpsplit: bad IPv4 address '%s'\n",
				argv[1]);
			return 2;
		}
		l->gap_ns = 1000000000ULL / (uint64_t)atoi(argv[3]);
		l->count = strtoull(argv[4], NULL, 10);
		l->max_seconds = argc > 5 ? atof(argv[5]) : 30;
		l->fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
		/* both sockets on one source port: one flow */
		if (l->fd < 0 ||
		    setsockopt(l->fd, SOL_SOCKET, SO_REUSEPORT, &one,
			       sizeof(one)) ||
		    bind(l->fd, (struct sockaddr *)&src, sizeof(src)) ||
		    getsockname(l->fd, (struct sockaddr *)&src, &len)) {
			fprintf(stderr, "udpsplit: socket: %s\n",
				strerror(errno));
			return 1;
		}
	}
	clock_gettime(CLOCK_MONOTONIC, &lanes[0].start);
	/* a little ahead, so both threads are waiting at the first send */
	at(&lanes[0].start, &lanes[0].start, 20000000);
	lanes[1].start = lanes[0].start;
	for (i = 0; i < 2; i++)
		pthread_create(&th[i], NULL, send_lane, &lanes[i]);
	for (i = 0; i < 2; i++)
		pthread_join(th[i], NULL);
	printf("%llu\n", (unsigned long long)(lanes[0].sent + lanes[1].sent));
	return 0;
}
