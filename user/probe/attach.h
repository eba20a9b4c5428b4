/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * attach.h - observation points: load a probe for each, attach it, and
 * detach exactly what was attached.
 *
 * A point is (network namespace, interface, hook) and gets a loader-assigned
 * id, its index here; ifindex values repeat across namespaces and never
 * identify a point. XDP and tc attach through bpf_link (XDP, TCX), so a
 * process that dies, even by SIGKILL, leaves nothing attached. Only kernels
 * without TCX fall back to clsact + bpf_tc_*; then a qdisc is deleted only
 * if hopscope created it, and a filter only if it still runs our program.
 */
#ifndef HS_ATTACH_H
#define HS_ATTACH_H

#include <stdbool.h>
#include <stdint.h>
#include "hopscope.h"
#include "core/hooks.h"
#include "topo/link.h"
#include "topo/netns.h"

enum hs_attach_kind {
	HS_ATTACHED_NONE = 0,
	HS_ATTACHED_XDP_LINK,
	HS_ATTACHED_TCX_LINK,
	HS_ATTACHED_CLSACT,
};

struct hs_point {
	uint16_t id;
	enum hs_hook hook;
	struct hs_netns *ns; /* shared by the points of one namespace */
	struct hs_link link;
	/* what was attached, for detaching exactly that */
	enum hs_attach_kind attached;
	bool skipped; /* XDP failed and tc ingress already measures here */
	const char *xdp_mode; /* "native" or "generic" once attached */
	int link_fd;
	uint32_t prog_id;
	bool created_qdisc;
	uint32_t tc_handle;
	uint32_t tc_priority;
	struct hopscope_bpf *skel;
};

struct hs_probe_config {
	uint32_t sample_one_in; /* >= 1 */
	bool filter_enabled;
	struct hs_filter filter;
	enum hs_xdp_mode xdp_mode;
	uint32_t ringbuf_bytes; /* power of two, >= page size */
	uint64_t wakeup_bytes; /* 0: never wake the collector */
	/* look at the fill level every this many records (a power of two);
	 * 0: hs_wakeup_check_every(ringbuf_bytes) */
	uint32_t wakeup_check_every;
	/* stamp with bpf_ktime_get_tai_ns (Linux 6.1+) instead of
	 * bpf_ktime_get_ns: CLOCK_TAI, which PTP keeps equal across hosts */
	bool stamp_tai;
};

/* Whether the kernel has bpf_ktime_get_tai_ns for tc and XDP programs. */
bool hs_probe_has_tai(void);

/* A point to be: where and which hook. */
struct hs_point_spec {
	struct hs_netns *ns; /* owned by the caller, open until detach */
	struct hs_link link;
	enum hs_hook hook;
};

struct hs_probes {
	unsigned int n;
	struct hs_point points[HS_MAX_POINTS];
	int ringbuf_fd;
	int counters_fd;
};

/* How often a probe checks the ring's fill level, for a ring this big. */
uint32_t hs_wakeup_check_every(uint32_t ringbuf_bytes);

/*
 * Load and attach one probe per spec. On failure everything attached so
 * far is detached again and a one-line message has been printed.
 */
int hs_probes_attach(struct hs_probes *p, const struct hs_point_spec *specs,
		     unsigned int n, const struct hs_probe_config *cfg);
/* Take every probe off its hook, keeping the ring buffer and counters to
 * read what is still in them; no new record arrives after this. */
void hs_probes_quiesce(struct hs_probes *p);
/* Detach and unload everything; safe to call twice. */
void hs_probes_detach(struct hs_probes *p);
/* What the kernel timed of one point's program: nanoseconds and runs
 * while kernel.bpf_stats_enabled was on (see hs_probes_time). 0 or
 * -errno. */
int hs_probes_run_time(const struct hs_probes *p, uint16_t id,
		       uint64_t *run_time_ns, uint64_t *run_cnt);
/* Have the kernel time every BPF program while the returned descriptor is
 * open (BPF_ENABLE_STATS; closing it restores kernel.bpf_stats_enabled);
 * -errno where the kernel cannot (before Linux 5.8). */
int hs_probes_time(void);
/* Sum of the per-CPU counters of one point. */
int hs_probes_counters(const struct hs_probes *p, uint16_t id,
		       struct hs_counters *sum);

#endif /* HS_ATTACH_H */
