// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * fuzz_spec - the SPEC parser (--point NS:IFNAME@HOOK,...) on any text:
 * it must return 0 or -EINVAL with a message, never read past the text.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "probe/spec.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1), err[256];
	struct hs_spec spec;
	int rc;

	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	err[0] = '\0';
	rc = hs_spec_parse(text, &spec, err, sizeof(err));
	if (rc && (rc != -EINVAL || !err[0]) && rc != -ENOMEM)
		abort(); /* a refusal says why */
	free(text);
	return 0;
}
