// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * shards_tsan - the matcher's threads (analysis/shards.c) under
 * ThreadSanitizer: make check-threads builds this with -fsanitize=thread
 * and runs it. 200000 packets of 4 sightings go through 3 shards, with a
 * horizon every 4000 packets, a sync every 50000 and the flush at the end;
 * every handover between the caller and the shards' threads is then
 * checked for races, and every sighting must reach the fold once.
 * (Whether the fold gets what one matcher would give it is
 * tests/unit/test_shards.c's job.)
 */
#include <stdio.h>
#include "analysis/shards.h"

#define PACKETS 200000u
#define POINTS 4u

static unsigned long sightings, advances;

static void fold(const struct hs_trajectory *t, void *ctx)
{
	(void)ctx;
	sightings += t->n;
}

static void advance(uint64_t open_from, void *ctx)
{
	(void)open_from;
	(void)ctx;
	advances++;
}

static uint64_t xorshift(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

int main(void)
{
	uint64_t seed = 88172645463325252ULL, ts = 1000000;
	struct hs_shards *sh;
	unsigned int i, k;
	int err;

	err = hs_shards_new(&sh, 3, 1u << 16, 100000000ULL, fold, advance,
			    NULL);
	if (err) {
		fprintf(stderr, "shards_tsan: hs_shards_new: %d\n", err);
		return 1;
	}
	for (i = 0; i < PACKETS; i++) {
		uint64_t fp = xorshift(&seed);

		for (k = 0; k < POINTS; k++) {
			struct hs_record r = { .ts_ns = ts + k * 1000,
					       .fingerprint = fp,
					       .nat_key = fp ^ 1,
					       .point_id = (uint16_t)k };

			hs_shards_add(sh, &r);
		}
		ts += 5000;
		if (i % 4000 == 0)
			hs_shards_horizon(sh, ts - 2000000);
		if (i % 50000 == 0)
			hs_shards_sync(sh);
	}
	hs_shards_flush(sh);
	hs_shards_free(sh);
	printf("shards_tsan: %lu of %u sightings folded, %lu horizons folded\n",
	       sightings, PACKETS * POINTS, advances);
	return sightings == PACKETS * POINTS && advances == PACKETS / 4000 ? 0 :
									     1;
}
