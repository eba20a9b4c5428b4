// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <string.h>
#include "core/clock.h"

const char *const hs_clock_names[HS_CLOCK_COUNT + 1] = {
	[HS_CLOCK_MONOTONIC] = "monotonic",
	[HS_CLOCK_TAI] = "tai",
	[HS_CLOCK_COUNT] = NULL,
};

const char *hs_clock_name(enum hs_clock c)
{
	return c == HS_CLOCK_TAI ? hs_clock_names[HS_CLOCK_TAI] :
				   hs_clock_names[HS_CLOCK_MONOTONIC];
}

int hs_clock_parse(const char *name)
{
	int i;

	for (i = 0; i < HS_CLOCK_COUNT; i++)
		if (!strcmp(name, hs_clock_names[i]))
			return i;
	return -1;
}

clockid_t hs_clock_id(enum hs_clock c)
{
	return c == HS_CLOCK_TAI ? CLOCK_TAI : CLOCK_MONOTONIC;
}

static uint64_t read_clock(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

uint64_t hs_clock_now(enum hs_clock c)
{
	return read_clock(hs_clock_id(c));
}

int64_t hs_clock_offset(clockid_t other, clockid_t base)
{
	uint64_t b0 = read_clock(base);
	uint64_t o = read_clock(other);
	uint64_t b1 = read_clock(base);

	return (int64_t)(o - (b0 + (b1 - b0) / 2));
}
