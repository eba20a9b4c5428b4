/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * attach.h - observation points: load the probes once, attach and detach
 * points one at a time while the run goes on, and detach exactly what was
 * attached.
 *
 * A point is (network namespace, interface, hook) and gets a caller-chosen
 * id, its index here; ifindex values repeat across namespaces and never
 * identify a point. One verified program per hook serves every point: it
 * finds its point from the device the kernel runs it for (netns inode,
 * ifindex) in a table this module fills (probe/devtable.h), so attaching a
 * point costs a link, not a verification. Kernels without bpf_cast_to_kern_ctx (before 6.2),
 * or HS_PROBE_COPIES=1 in the environment, get the older way instead: a
 * copy of the probe per point with its id in rodata, loaded and verified
 * for each. XDP and tc attach through bpf_link (XDP, TCX), so a
 * process that dies, even by SIGKILL, leaves nothing attached. Kernels
 * without TCX fall back to clsact + bpf_tc_*, and HS_TC_ATTACH=clsact in
 * the environment asks for it (attaching is ~25 times faster: a TCX link
 * waits for an RCU grace period); then a qdisc is deleted only if hopscope
 * created it, and a filter only if it still runs our program, but a
 * process killed by SIGKILL leaves its filters behind.
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
	/* the id holds a point: added and not removed since. Every loop over
	 * points[0..n) skips those without it (ids never added, removed) */
	bool in_use;
	uint16_t id;
	enum hs_hook hook;
	struct hs_netns *ns; /* shared by the points of one namespace; NULL
			      * once removed */
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
	bool mapped; /* its key is in the shared probes' map */
	struct hopscope_bpf *skel; /* its own copy; NULL with shared probes */
};

#define HS_PROBE_VXLAN_PORTS 8

struct hs_probe_config {
	uint32_t sample_one_in; /* >= 1 */
	bool filter_enabled;
	struct hs_filter filter;
	enum hs_xdp_mode xdp_mode;
	/* the rings' size between them, a power of two; each CPU's ring
	 * gets its share (hs_ring_bytes) */
	uint32_t ringbuf_bytes;
	uint64_t wakeup_bytes; /* 0: never wake the collector */
	/* look at the fill level every this many records (a power of two);
	 * 0: hs_wakeup_check_every(ringbuf_bytes) */
	uint32_t wakeup_check_every;
	/* stamp with bpf_ktime_get_tai_ns (Linux 6.1+) instead of
	 * bpf_ktime_get_ns: CLOCK_TAI, which PTP keeps equal across hosts */
	bool stamp_tai;
	/* UDP ports taken for VXLAN besides 4789 (--vxlan-port); those of
	 * the vxlan devices attached to are added as they come */
	uint16_t vxlan_ports[HS_PROBE_VXLAN_PORTS];
	unsigned int n_vxlan_ports;
	/* asked before each point is attached: nonzero (SIGINT or SIGTERM
	 * came) stops hs_probes_attach, which detaches all it attached and
	 * returns -EINTR; NULL: never */
	int (*stop)(void);
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
	unsigned int n; /* ids in use are below n: max(id) + 1 */
	struct hs_point points[HS_MAX_POINTS];
	int rings_fd; /* the map of rings, one a CPU (probe/rings.h) */
	int counters_fd;
	/* the rest is attach.c's own */
	bool copies; /* a copy of the probe per point, not the shared ones */
	bool tc_clsact; /* tc points as clsact filters, even with TCX */
	struct hopscope_bpf *base; /* the maps, and the shared programs */
	struct hs_probe_config cfg;
};

/* How often a probe checks the ring's fill level, for a ring this big. */
uint32_t hs_wakeup_check_every(uint32_t ringbuf_bytes);

/* Whether the shared probes can run here (the kernel has
 * bpf_cast_to_kern_ctx) and HS_PROBE_COPIES=1 does not ask for copies. */
bool hs_probes_can_share(void);
/*
 * Load once for the run: the ring buffer (its pages written once), the
 * counters, the device table and, unless copies are used, the three shared
 * programs, verified here. No point is attached yet. 0, or -errno with a
 * one-line message printed; nothing is left open then.
 */
int hs_probes_open(struct hs_probes *p, const struct hs_probe_config *cfg);
/*
 * Attach one point under the caller's id (< HS_MAX_POINTS, not in use):
 * its counters are zeroed first (the id may have been used before), then
 * p->points[id] filled and p->n raised to id + 1 if below. XDP that will
 * not attach in auto mode falls back to tc ingress, or marks the point
 * skipped where tc ingress measures that interface already. On failure
 * nothing of the point stays attached and a one-line message names it.
 */
int hs_probes_add(struct hs_probes *p, const struct hs_point_spec *spec,
		  uint16_t id);
/*
 * Detach exactly that point (its link; with clsact only our filter) and
 * forget its device. Its counters stay readable until the id is added
 * again. Nothing for an id not in use.
 */
void hs_probes_remove(struct hs_probes *p, uint16_t id);
/*
 * hs_probes_open, then one point per spec with ids 0..n-1. On failure
 * everything attached so far is detached again and a one-line message has
 * been printed.
 */
int hs_probes_attach(struct hs_probes *p, const struct hs_point_spec *specs,
		     unsigned int n, const struct hs_probe_config *cfg);
/* Take UDP port for VXLAN from now on (the probes parse the inner packet
 * of what goes to it); said once a port. */
void hs_probes_add_vxlan_port(struct hs_probes *p, uint16_t port,
			      const char *why);
/* Take every probe off its hook, keeping the ring buffer and counters to
 * read what is still in them; no new record arrives after this. */
void hs_probes_quiesce(struct hs_probes *p);
/* Detach and unload everything; safe to call twice. */
void hs_probes_detach(struct hs_probes *p);
/*
 * For a command that measures many times in one process (the study):
 * with keep, hs_probes_detach keeps the maps and shared programs loaded,
 * and the next hs_probes_open with the same sampling, filter, ring and
 * clock takes them back instead of verifying the programs again (~0.6 s
 * each here). UDP ports learned for VXLAN stay learned. keep false
 * unloads what is kept.
 */
void hs_probes_keep_loaded(bool keep);
/*
 * Load skel (opened, its rodata set) with a ring per CPU, total_bytes
 * between them (probe/rings.h), and put the rings in: what hs_probes_open
 * does, for the tests and benchmarks that load the probe themselves.
 * 0 or -errno.
 */
int hs_probes_load_rings(struct hopscope_bpf *skel, uint32_t total_bytes);
/* What the kernel timed of one point's program: nanoseconds and runs
 * while kernel.bpf_stats_enabled was on (see hs_probes_time). A shared
 * program's figures are split between its points by the packets each saw
 * (the kernel times programs, not points; a call reads every point's
 * counters). 0 or -errno; -ENOENT for an id not in use or skipped. */
int hs_probes_run_time(const struct hs_probes *p, uint16_t id,
		       uint64_t *run_time_ns, uint64_t *run_cnt);
/* Have the kernel time every BPF program while the returned descriptor is
 * open (BPF_ENABLE_STATS; closing it restores kernel.bpf_stats_enabled);
 * -errno where the kernel cannot (before Linux 5.8). */
int hs_probes_time(void);
/* sum += c, counter by counter. */
void hs_counters_add(struct hs_counters *sum, const struct hs_counters *c);
/* Sum of the per-CPU counters of one point. */
int hs_probes_counters(const struct hs_probes *p, uint16_t id,
		       struct hs_counters *sum);
/*
 * The same for ids 0..n-1 into sum[0..n-1], in one system call where the
 * kernel looks up maps in batches (Linux 5.6), else one per id: what the
 * collector reads each drain, 50 times a second, of every point. An id
 * never used reads zeros. 0 or -errno.
 */
int hs_probes_counters_all(const struct hs_probes *p, struct hs_counters *sum,
			   unsigned int n);

#endif /* HS_ATTACH_H */
