/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * measure.h - the option sections several commands share, each defined
 * once: what run and demo capture (hs_capture) and how they probe and
 * collect (hs_live); what the statistics leave out and where they go
 * (hs_results), which report takes as well. Turned here into the live
 * run's configuration.
 */
#ifndef HS_CMD_MEASURE_H
#define HS_CMD_MEASURE_H

#include "hopscope.h"
#include "cmd/options.h"
#include "core/clock.h"
#include "live/run.h"
#include "probe/attach.h"

/* --filter: as written (the record file keeps it) and compiled */
struct hs_filter_opt {
	const char *text; /* NULL: none */
	struct hs_filter compiled;
};

/* --duration, --interval, --sample, --filter */
/* --vxlan-port PORT, repeatable */
struct hs_vxlan_ports_opt {
	uint16_t port[HS_PROBE_VXLAN_PORTS];
	unsigned int n;
};

struct hs_capture_cfg {
	struct hs_seconds duration; /* 0: until a signal */
	struct hs_seconds interval; /* 0: only the final summary */
	uint32_t sample; /* record 1 in this many */
	struct hs_filter_opt filter;
	struct hs_vxlan_ports_opt vxlan_ports;
};

/* --warmup, --cooldown, --json, --csv */
struct hs_results_cfg {
	struct hs_seconds warmup, cooldown;
	const char *json, *csv; /* NULL, "-" or a file */
};

enum hs_wakeup {
	HS_WAKEUP_QUARTER, /* the ring a quarter full */
	HS_WAKEUP_TIMER, /* never: the collector drains on its timer */
	HS_WAKEUP_EVERY, /* each record */
};

/* --rotate SIZE[,AGE] */
struct hs_rotate_opt {
	uint64_t bytes;
	uint64_t age_ns; /* 0: not given, no age limit */
	bool given;
};

/* --write, --rotate, --keep, --metrics, --clock, --hooks, --xdp-mode,
 * --window, --max-inflight, --collector-threads, --ring-size, --wakeup */
struct hs_live_cfg {
	const char *write; /* record file or directory, NULL: none */
	struct hs_rotate_opt rotate;
	uint64_t keep; /* bytes, 0: not given */
	const char *metrics; /* [ADDR:]PORT, NULL: none */
	int clock; /* enum hs_clock */
	int hooks; /* enum hs_hook_set */
	int xdp_mode; /* enum hs_xdp_mode */
	uint32_t window_ms;
	uint32_t max_inflight;
	uint32_t threads; /* collector threads */
	uint32_t ring_kib; /* a power of two */
	int wakeup; /* enum hs_wakeup */
};

#define HS_LIVE_DEFAULTS                                                  \
	{                                                                 \
		.clock = HS_CLOCK_MONOTONIC, .xdp_mode = HS_XDP_AUTO,     \
		.window_ms = 100, .max_inflight = 1u << 18, .threads = 1, \
		.ring_kib = HS_RINGBUF_DEFAULT_BYTES / 1024,              \
		.wakeup = HS_WAKEUP_QUARTER,                              \
	}

extern const struct hs_opt hs_capture_opts[];
extern const struct hs_opt hs_results_opts[];
extern const struct hs_opt hs_live_opts[];

/* --json - and --csv - both stdout: one error line, -EINVAL. */
int hs_results_check(const struct hs_results_cfg *r);
/* The live run's configuration from the three sections; the caller adds
 * what to observe, the duration and the interval. */
void hs_measure_run_opts(const struct hs_capture_cfg *capture,
			 const struct hs_results_cfg *results,
			 const struct hs_live_cfg *live,
			 struct hs_run_opts *run);

#endif /* HS_CMD_MEASURE_H */
