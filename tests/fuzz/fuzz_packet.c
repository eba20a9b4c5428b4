// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * fuzz_packet - the probe's parser and fingerprint (include/hs_packet.h,
 * compiled for user space as the collector and the tests use it) on any
 * frame. The fast parser must agree with hs_parse() wherever it takes a
 * frame, field for field, and neither may read outside the frame.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "hs_packet.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct hs_pkt full, fast, pkt;
	uint8_t *frame;
	__u64 fp;
	int rs, rf;

	if (size > 65535)
		return 0;
	/* the IP header on a 4-byte boundary, as in the kernel */
	frame = malloc(size + 2);
	if (!frame)
		return 0;
	memcpy(frame + 2, data, size);
	memset(&full, 0, sizeof(full));
	memset(&fast, 0, sizeof(fast));
	rs = hs_parse(frame + 2, frame + 2 + size, (__u32)size,
		      hs_default_vxlan_ports, &full);
	rf = hs_parse_fast(frame + 2, frame + 2 + size, hs_default_vxlan_ports,
			   &fast);
	if (rf != HS_PARSE_SLOW &&
	    (rf != rs || (!rs && memcmp(&full, &fast, sizeof(full)))))
		abort(); /* the fast path must be hs_parse(), faster */
	if (hs_frame_fingerprint(data, (__u32)size, &pkt, &fp) == HS_PARSE_OK)
		(void)hs_pkt_sampled(&pkt, hs_sample_threshold(4));
	free(frame);
	return 0;
}
