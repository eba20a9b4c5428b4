// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * fuzz_ovsdb - the OVSDB JSON-RPC reply parser on any text: a count of
 * (bridge, port) pairs, each name a terminated interface name, or an error.
 */
#include <net/if.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "topo/ovsdb.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *json = malloc(size + 1);
	struct hs_ovs_port *ports = NULL;
	int n, i;

	if (!json)
		return 0;
	memcpy(json, data, size);
	json[size] = '\0';
	n = hs_ovsdb_parse_reply(json, &ports);
	for (i = 0; i < n; i++)
		if (strnlen(ports[i].bridge, IF_NAMESIZE) == IF_NAMESIZE ||
		    strnlen(ports[i].port, IF_NAMESIZE) == IF_NAMESIZE)
			abort();
	free(ports);
	free(json);
	return 0;
}
