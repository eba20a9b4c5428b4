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
#define HS_MAX_POINTS 1024
/* The counters slot, past every point's, of the packets a shared probe
 * ran on at a device it has no point for: counted, never recorded. */
#define HS_UNMAPPED_SLOT HS_MAX_POINTS

/* A probe looks at the ring's fill level (for waking the collector early)
 * at most once every this many records it makes on one CPU (a power of
 * two): the query is a helper call, too dear for every packet. Small rings
 * are checked more often (hs_probe_config.wakeup_check_every). */
#define HS_WAKEUP_CHECK_EVERY 64

/* The UDP ports a probe takes for VXLAN (hs_packet.h), a bit per port:
 * 4789 unless told otherwise, then those of the vxlan devices it measures
 * and those the user names (Linux's own default is 8472, which Flannel
 * uses). 8 KiB; one load and one test a packet, whatever the ports. */
#define HS_VXLAN_PORT_WORDS (65536 / 64)

/* Default ring buffer size; a power of two multiple of the page size. */
#define HS_RINGBUF_DEFAULT_BYTES (8u << 20)

/*
 * Pinning a layout. The structs below cross from BPF to user space and,
 * inside record files, from one build to another: every field's offset
 * and size and every struct's size is asserted after its definition, so
 * that a change to a field fails the build of both sides instead of
 * garbling records. _Static_assert and __builtin_offsetof because both
 * clang -target bpf (no <stddef.h> next to vmlinux.h) and gcc accept
 * them.
 */
#define HS_ASSERT_FIELD(type, field, offset, size)                    \
	_Static_assert(__builtin_offsetof(type, field) == (offset) && \
			       sizeof(((type *)0)->field) == (size),  \
		       #type "." #field ": " #size " bytes at " #offset)
#define HS_ASSERT_SIZE(type, size) \
	_Static_assert(sizeof(type) == (size), #type ": " #size " bytes")

enum hs_hook {
	HS_HOOK_XDP = 0,
	HS_HOOK_TC_INGRESS = 1,
	HS_HOOK_TC_EGRESS = 2,
	HS_HOOK_COUNT = 3,
};

/* hs_fingerprint()'s version, in every record file's header: bumped
 * whenever the fingerprint of any packet changes (2: TCP flags and window,
 * the payload's last 8 bytes, BIG TCP, VXLAN as its inner packet; 3: made
 * of the flow state and the NAT key, the ICMP echo id with the ports;
 * 4: the NAT key in two lanes, the fingerprint the XOR of the two
 * finished hashes), since records of two versions never match */
#define HS_FINGERPRINT_VERSION 4

/* hs_record.flags */
#define HS_REC_IPV6 (1u << 0)
#define HS_REC_FRAGMENT (1u << 1)
/* a GSO packet over 64 KiB (BIG TCP): ip_len says 65535, the most it can */
#define HS_REC_BIG (1u << 2)
/* the outer packet of a VXLAN or Geneve tunnel was seen: fingerprint,
 * flow hash, ip_len and proto are its inner packet's, vni its VNI */
#define HS_REC_ENCAP (1u << 3)

/*
 * One sighting of one sampled packet at one observation point.
 * 40 bytes; the ring buffer adds an 8-byte header to each.
 */
struct hs_record {
	__u64 ts_ns; /* bpf_ktime_get_ns(): CLOCK_MONOTONIC */
	__u64 fingerprint; /* hs_fingerprint(): same at every hop */
	__u32 flow_hash; /* addresses, protocol, ports: groups a flow */
	__u16 point_id; /* loader-assigned, never the bare ifindex */
	__u16 ip_len; /* L3 payload length from the IP header (HS_REC_BIG) */
	__u8 proto; /* IPPROTO_* of the L4 header */
	__u8 flags; /* HS_REC_* */
	__u8 __pad[2];
	__u32 vni; /* HS_REC_ENCAP: the VXLAN or Geneve VNI; else 0 */
	/* hs_nat_key(): the packet's identity without its addresses and
	 * ports, for matching across a hop that rewrites them */
	__u64 nat_key;
};
HS_ASSERT_FIELD(struct hs_record, ts_ns, 0, 8);
HS_ASSERT_FIELD(struct hs_record, fingerprint, 8, 8);
HS_ASSERT_FIELD(struct hs_record, flow_hash, 16, 4);
HS_ASSERT_FIELD(struct hs_record, point_id, 20, 2);
HS_ASSERT_FIELD(struct hs_record, ip_len, 22, 2);
HS_ASSERT_FIELD(struct hs_record, proto, 24, 1);
HS_ASSERT_FIELD(struct hs_record, flags, 25, 1);
HS_ASSERT_FIELD(struct hs_record, __pad, 26, 2);
HS_ASSERT_FIELD(struct hs_record, vni, 28, 4);
HS_ASSERT_FIELD(struct hs_record, nat_key, 32, 8);
HS_ASSERT_SIZE(struct hs_record, 40);

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
HS_ASSERT_FIELD(struct hs_counters, seen, 0, 8);
HS_ASSERT_FIELD(struct hs_counters, parse_errors, 8, 8);
HS_ASSERT_FIELD(struct hs_counters, filtered, 16, 8);
HS_ASSERT_FIELD(struct hs_counters, sampled_out, 24, 8);
HS_ASSERT_FIELD(struct hs_counters, sampled, 32, 8);
HS_ASSERT_FIELD(struct hs_counters, recorded, 40, 8);
HS_ASSERT_FIELD(struct hs_counters, ringbuf_drops, 48, 8);
HS_ASSERT_FIELD(struct hs_counters, __reserved, 56, 8);
HS_ASSERT_SIZE(struct hs_counters, 64);

/*
 * The shared probes' device table (hs_devtable.h): where the kernel ran the
 * program, (namespace inode, ifindex), and the point id at each hook. The
 * namespace's inode (net->ns.inum, what stat() of its nsfs file gives)
 * tells apart the devices of one ifindex in different namespaces.
 *
 * 8192 slots of 16 bytes (128 KiB): HS_MAX_POINTS devices fill an eighth
 * of it, where a window of 16 slots is never found full (1000 tables of
 * 1024 random keys: the longest probe was 7).
 */
#define HS_DEV_SLOT_BITS 13
#define HS_DEV_SLOTS (1u << HS_DEV_SLOT_BITS)
#define HS_DEV_PROBES 16

/* A hook of a device with no point there. */
#define HS_NO_POINT 0xffffu

struct hs_dev_slot {
	/* hs_dev_key(); 0: a free slot (no namespace has inode 0, no
	 * device ifindex 0). Written last when a slot is taken, first when
	 * it is freed: a probe that finds its key reads ids meant for it. */
	__u64 key;
	__u16 point[HS_HOOK_COUNT]; /* by enum hs_hook; HS_NO_POINT */
	__u16 __pad;
};
HS_ASSERT_FIELD(struct hs_dev_slot, key, 0, 8);
HS_ASSERT_FIELD(struct hs_dev_slot, point, 8, 6);
HS_ASSERT_FIELD(struct hs_dev_slot, __pad, 14, 2);
HS_ASSERT_SIZE(struct hs_dev_slot, 16);

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
HS_ASSERT_FIELD(struct hs_filter, proto, 0, 1);
HS_ASSERT_FIELD(struct hs_filter, family, 1, 1);
HS_ASSERT_FIELD(struct hs_filter, has_port, 2, 1);
HS_ASSERT_FIELD(struct hs_filter, has_prefix, 3, 1);
HS_ASSERT_FIELD(struct hs_filter, port, 4, 2);
HS_ASSERT_FIELD(struct hs_filter, prefix_family, 6, 1);
HS_ASSERT_FIELD(struct hs_filter, __pad, 7, 1);
HS_ASSERT_FIELD(struct hs_filter, addr, 8, 16);
HS_ASSERT_FIELD(struct hs_filter, mask, 24, 16);
HS_ASSERT_SIZE(struct hs_filter, 40);

#endif /* HOPSCOPE_H */
