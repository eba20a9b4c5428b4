// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/units.h"
#include "core/util.h"

struct unit {
	const char *name;
	double scale;
};

static const struct unit size_units[] = {
	{ "", 1 },
	{ "B", 1 },
	{ "KiB", 1024.0 },
	{ "MiB", 1024.0 * 1024 },
	{ "GiB", 1024.0 * 1024 * 1024 },
	{ "TiB", 1024.0 * 1024 * 1024 * 1024 },
};

static const struct unit time_units[] = {
	{ "", 1e9 },	 { "s", 1e9 },	   { "m", 60e9 },
	{ "h", 3600e9 }, { "d", 86400e9 },
};

/* Below 2^63: a sum of a few of them cannot wrap a uint64_t. */
#define VALUE_MAX 9.2e18

/* "NUMBER[UNIT]" with UNIT one of units: the value times its scale. */
static int parse_scaled(const char *s, const struct unit *units, size_t n,
			const char *expected, uint64_t *out, char *why,
			size_t whylen)
{
	char *end;
	double v;
	size_t i;

	errno = 0;
	v = strtod(s, &end);
	/* strtod takes "inf", "nan" and hex: only digits and a point here */
	if (end == s || errno || !strchr("0123456789", s[0]) ||
	    strpbrk(s, "xXpP")) {
		snprintf(why, whylen, "expected a number and a unit (%s)",
			 expected);
		return -EINVAL;
	}
	for (i = 0; i < n; i++)
		if (!strcmp(end, units[i].name))
			break;
	if (i == n) {
		snprintf(why, whylen, "unknown unit '%s' (expected %s)", end,
			 expected);
		return -EINVAL;
	}
	v *= units[i].scale;
	if (!isfinite(v) || v >= VALUE_MAX) {
		snprintf(why, whylen, "too large");
		return -EINVAL;
	}
	if (v < 1) {
		snprintf(why, whylen, "must be more than 0");
		return -EINVAL;
	}
	*out = (uint64_t)v;
	return 0;
}

int hs_parse_size(const char *s, uint64_t *bytes, char *why, size_t whylen)
{
	return parse_scaled(s, size_units, ARRAY_SIZE(size_units),
			    "B, KiB, MiB, GiB or TiB", bytes, why, whylen);
}

int hs_parse_duration(const char *s, uint64_t *ns, char *why, size_t whylen)
{
	return parse_scaled(s, time_units, ARRAY_SIZE(time_units),
			    "s, m, h or d", ns, why, whylen);
}

void hs_format_size(uint64_t bytes, char *buf, size_t len)
{
	size_t i = ARRAY_SIZE(size_units) - 1;

	/* the largest unit the value fills at least once */
	while (i > 1 && (double)bytes < size_units[i].scale)
		i--;
	if (i == 1) {
		snprintf(buf, len, "%lluB", (unsigned long long)bytes);
		return;
	}
	snprintf(buf, len, "%.*f%s",
		 fmod((double)bytes, size_units[i].scale) ? 1 : 0,
		 (double)bytes / size_units[i].scale, size_units[i].name);
}
