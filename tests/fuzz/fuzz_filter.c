// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * fuzz_filter - the filter-expression parser (--filter) on any text: 0,
 * or -EINVAL with a reason; a filter it takes stays within its bounds.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "probe/filter.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1), err[256];
	struct hs_filter f;
	int rc;

	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	err[0] = '\0';
	rc = hs_filter_parse(text, &f, err, sizeof(err));
	if (rc && (rc != -EINVAL || !err[0]))
		abort();
	free(text);
	return 0;
}
