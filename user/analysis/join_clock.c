// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include "analysis/join_clock.h"

static const char *const method_names[HS_JOIN_METHOD_COUNT] = {
	[HS_JOIN_TAI] = "tai",
	[HS_JOIN_MIN_DELAY] = "min-delay",
	[HS_JOIN_REALTIME] = "realtime",
};

const char *hs_join_method_name(enum hs_join_method m)
{
	return (unsigned int)m < HS_JOIN_METHOD_COUNT ? method_names[m] : "?";
}
