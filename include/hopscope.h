/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * hopscope.h - everything the BPF probes and the collector both see.
 *
 * This is the single source of truth for the record layout, the hook ids,
 * the per-point counters and the configuration handed to BPF as rodata.
 * All structs use fixed-width types with explicit padding so that their
 * layout is the same for clang -target bpf and for the host compiler.
 */
#ifndef HOPSCOPE_H
#define HOPSCOPE_H

#ifndef __VMLINUX_H__
#include <linux/types.h>
#endif

#define HS_VERSION "0.1.0"

/* Observation points are loader-assigned ids in [0, HS_MAX_POINTS). */
#define HS_MAX_POINTS 256

/* A probe looks at the ring's fill level (for waking the collector early)
 * at most once every this many records it makes on one CPU (a power of
 * two): the query is a helper call, too dear for every packet. Small rings
 * are checked more often (hs_probe_config.wakeup_check_every). */
#define HS_WAKEUP_CHECK_EVERY 64

/* Default ring buffer size; a power of two multiple of the page size. */
#define HS_RINGBUF_DEFAULT_BYTES (8u << 20)

enum hs_hook {
	HS_HOOK_XDP = 0,
	HS_HOOK_TC_INGRESS = 1,
	HS_HOOK_TC_EGRESS = 2,
	HS_HOOK_COUNT = 3,
};

/* hs_record.flags */
#define HS_REC_IPV6 (1u << 0)
#define HS_REC_FRAGMENT (1u << 1)

/*
 * One sighting of one sampled packet at one observation point.
 * 32 bytes; the ring buffer adds an 8-byte header to each.
 */
struct hs_record {
	__u64 ts_ns; /* bpf_ktime_get_ns(): CLOCK_MONOTONIC */
	__u64 fingerprint; /* hs_fingerprint(): same at every hop */
	__u32 flow_hash; /* addresses, protocol, ports: groups a flow */
	__u16 point_id; /* loader-assigned, never the bare ifindex */
	__u16 ip_len; /* L3 payload length from the IP header */
	__u8 proto; /* IPPROTO_* of the L4 header */
	__u8 flags; /* HS_REC_* */
	__u8 __pad[6];
};

/* Per point, per CPU. Every packet the probe runs on lands in exactly one
 * of filtered, sampled_out, parse_errors or sampled; sampled packets are
 * then either recorded or counted in ringbuf_drops. */
struct hs_counters {
	__u64 seen;
	__u64 parse_errors;
	__u64 filtered;
	__u64 sampled_out;
	__u64 sampled;
	__u64 recorded;
	__u64 ringbuf_drops;
	__u64 __reserved;
};

/* Packet filter, all conditions must hold. Zero fields match anything. */
struct hs_filter {
	__u8 proto; /* IPPROTO_*, 0 = any */
	__u8 family; /* 4, 6, 0 = any */
	__u8 has_port; /* port matches source or destination */
	__u8 has_prefix; /* prefix matches source or destination */
	__u16 port; /* host byte order */
	__u8 prefix_family; /* 4 or 6 */
	__u8 __pad;
	__u32 addr[4]; /* network byte order, already masked */
	__u32 mask[4]; /* network byte order */
};

#endif /* HOPSCOPE_H */
