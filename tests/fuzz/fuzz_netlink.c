// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * fuzz_netlink - the RTM_NEWLINK decoder on any bytes: 0 with a link whose
 * name is terminated, or -EINVAL; attribute lengths never read past the
 * message.
 */
#include <errno.h>
#include <net/if.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "topo/link.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* a copy of its own size: ASan sees any read past it */
	uint8_t *msg = malloc(size ? size : 1);
	struct hs_link l;
	int rc;

	if (!msg)
		return 0;
	memcpy(msg, data, size);
	rc = hs_link_from_nlmsg(msg, size, &l);
	if (rc == 0 && strnlen(l.ifname, IF_NAMESIZE) == IF_NAMESIZE)
		abort();
	if (rc && rc != -EINVAL && rc != -ENOMEM)
		abort();
	free(msg);
	return 0;
}
