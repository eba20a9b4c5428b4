// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <stdio.h>
#include "analysis/nat.h"

static struct hs_nat_name *find(const struct hs_nat_names *t, uint32_t in,
				uint32_t out)
{
	unsigned int i;

	for (i = 0; i < t->n; i++)
		if (t->e[i].flow_in == in && t->e[i].flow_out == out)
			return (struct hs_nat_name *)&t->e[i];
	return NULL;
}

const char *hs_nat_name_find(const struct hs_nat_names *t, uint32_t flow_in,
			     uint32_t flow_out)
{
	const struct hs_nat_name *e = find(t, flow_in, flow_out);

	return e ? e->text : NULL;
}

const char *hs_nat_name_set(struct hs_nat_names *t, uint32_t flow_in,
			    uint32_t flow_out, const char *text)
{
	struct hs_nat_name *e = find(t, flow_in, flow_out);

	if (!e) {
		if (t->n < HS_NAT_NAMES) {
			e = &t->e[t->n++];
		} else {
			e = &t->e[t->next];
			t->next = (t->next + 1) % HS_NAT_NAMES;
		}
		e->flow_in = flow_in;
		e->flow_out = flow_out;
	}
	snprintf(e->text, sizeof(e->text), "%s", text);
	return e->text;
}
