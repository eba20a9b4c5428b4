/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * clock.h - the clocks probes stamp with, by name, and how to read them.
 *
 * The probes stamp with CLOCK_MONOTONIC (bpf_ktime_get_ns) unless told
 * to use CLOCK_TAI (bpf_ktime_get_tai_ns), which PTP keeps equal across
 * hosts; user space reads the same clock to know what "now" is in record
 * time.
 */
#ifndef HS_CLOCK_H
#define HS_CLOCK_H

#include <stdint.h>
#include <time.h>

enum hs_clock {
	HS_CLOCK_MONOTONIC = 0, /* bpf_ktime_get_ns */
	HS_CLOCK_TAI = 1, /* bpf_ktime_get_tai_ns: hosts synchronised by PTP */
	HS_CLOCK_COUNT,
};

/* "monotonic", "tai", then NULL: the --clock words. */
extern const char *const hs_clock_names[HS_CLOCK_COUNT + 1];

/* "monotonic" or "tai". */
const char *hs_clock_name(enum hs_clock c);
/* -1 if unknown. */
int hs_clock_parse(const char *name);
/* The current time of a clock, ns. */
uint64_t hs_clock_now(enum hs_clock c);
/* The clock_gettime() clock behind c. */
clockid_t hs_clock_id(enum hs_clock c);
/* other - base in ns, base read on both sides of other: off by at most
 * half the gap between the two base readings. */
int64_t hs_clock_offset(clockid_t other, clockid_t base);

#endif /* HS_CLOCK_H */
