// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * udpgen - the testbeds' traffic source: a bounded, paced UDP stream from
 * user/cmd/traffic.c, the same one `hopscope demo` sends.
 *   udpgen DST PORT RATE_PPS COUNT [MAX_SECONDS [PAYLOAD_BYTES]]
 */
#include <stdio.h>
#include <stdlib.h>
#include "cmd/traffic.h"

int main(int argc, char **argv)
{
	struct hs_traffic t = { .max_seconds = 30, .payload_bytes = 64 };
	int64_t sent;

	if (argc < 5) {
		fprintf(stderr,
			"usage: udpgen DST PORT RATE_PPS COUNT [MAX_SECONDS [PAYLOAD_BYTES]]\n");
		return 2;
	}
	t.dst = argv[1];
	t.port = (uint16_t)atoi(argv[2]);
	t.rate_pps = (uint32_t)atoi(argv[3]);
	t.count = strtoull(argv[4], NULL, 10);
	if (argc > 5)
		t.max_seconds = atof(argv[5]);
	if (argc > 6)
		t.payload_bytes = (uint32_t)atoi(argv[6]);
	sent = hs_traffic_send(&t);
	if (sent < 0) {
		fprintf(stderr, "udpgen: bad arguments or send failure (%lld)\n",
			(long long)sent);
		return 1;
	}
	printf("%lld\n", (long long)sent);
	return 0;
}
