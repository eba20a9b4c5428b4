/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * probe.h - helpers for the BPF_PROG_TEST_RUN tests: load one copy of the
 * probe with its rodata set, feed it frames through BPF_PROG_TEST_RUN at
 * XDP or tc, drain its ring buffer and sum its per-CPU counters.
 */
#ifndef HS_TEST_PROBE_H
#define HS_TEST_PROBE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "hopscope.h"
#include "hopscope.skel.h"
#include "probe/rings.h"

/* HOOK_TC is tc ingress; HOOK_TC_EGRESS only for shared probes (a copy
 * has one tc program for both). */
enum probe_hook { HOOK_XDP, HOOK_TC, HOOK_TC_EGRESS };

struct probe_opts {
	uint16_t point; /* rodata point_id */
	uint32_t sample; /* 1 in N; 0 or 1: everything */
	const char *filter; /* hs_filter_parse() expression, or NULL */
	uint32_t ringbuf_bytes; /* 0: the object's default */
	uint64_t wakeup_bytes;
	unsigned int hooks; /* 1 << HOOK_*: programs to load; 0: see below */
	bool stamp_tai; /* rodata stamp_tai: CLOCK_TAI timestamps */
	/* the shared programs instead of a copy, with `point` mapped to lo
	 * of the test's namespace at every hook (BPF_PROG_TEST_RUN runs on
	 * lo unless told otherwise) */
	bool shared;
};

/* The programs probe_open() loads when opts->hooks is 0: set by
 * HOOK_TESTS to the hook under test (verifying a program is most of a
 * test's time), else both. */
extern unsigned int probe_default_hooks;

#define PROBE_MAX_RECS 8192

struct probe {
	struct hopscope_bpf *skel;
	struct ring_buffer *rb;
	struct hs_rings rings; /* every CPU's, read by rb */
	uint16_t point;
	bool shared;
	size_t nrec; /* records collected so far */
	size_t bad_size; /* ring buffer samples of the wrong size */
	struct hs_record recs[PROBE_MAX_RECS];
};

/* Skips the test unless root. Returns a loaded probe; never NULL. */
struct probe *probe_open(const struct probe_opts *opts);
void probe_close(struct probe *p);

/* One BPF_PROG_TEST_RUN; asserts the verdict is XDP_PASS / TC_ACT_UNSPEC
 * and that the frame comes back unchanged. */
void probe_run(struct probe *p, enum probe_hook hook, const void *frame,
	       size_t len);
/* The same, without checks: returns the syscall's result, retval in *ret. */
int probe_run_raw(struct probe *p, enum probe_hook hook, const void *frame,
		  size_t len, uint32_t *ret);
/* Drain the ring buffer into p->recs; returns how many were read. */
size_t probe_drain(struct probe *p);
/* Map (namespace inode, ifindex, hook) to point id for the shared
 * programs, in their device table; hook is an enum hs_hook. */
void probe_map(struct probe *p, uint64_t netns_ino, uint32_t ifindex,
	       uint32_t hook, uint32_t point);
/* And take that mapping away again. */
void probe_unmap(struct probe *p, uint64_t netns_ino, uint32_t ifindex,
		 uint32_t hook);
/* The inode of the calling thread's network namespace. */
uint64_t probe_netns_ino(void);
/* Counters of point id `point`, summed over all CPUs. */
void probe_counters(struct probe *p, uint32_t point, struct hs_counters *c);

const char *hook_name(enum probe_hook hook);

/* Asserts each counter of the probe's own point. */
void expect_counters(struct probe *p, uint64_t seen, uint64_t parse_errors,
		     uint64_t filtered, uint64_t sampled_out, uint64_t sampled,
		     uint64_t recorded, uint64_t ringbuf_drops);

uint64_t mono_ns(void);

/*
 * A frame buffer that puts the IP header on a 4-byte boundary, as the
 * kernel does (NET_IP_ALIGN): hs_packet.h reads headers through struct
 * pointers, and a misaligned struct iphdr is undefined behaviour that
 * UBSan aborts on in user space (see test_userspace.c).
 */
#define FRAME_BUF(name, size)                                        \
	static uint32_t name##_words[((size) + 2 + 3) / 4];            \
	uint8_t *name = (uint8_t *)name##_words + 2

/* The minimum network header BPF_PROG_TEST_RUN for tc insists on: since
 * Linux 6.1x it refuses (-EINVAL) a frame with an IPv4 / IPv6 ethertype
 * that is shorter than Ethernet + struct iphdr / struct ipv6hdr. */
int tc_refuses(const void *frame, size_t len);

/* Generates one Criterion test per hook from `static void name(enum
 * probe_hook hook)`. */
#define HOOK_TESTS(suite, name)                                    \
	static void name(enum probe_hook hook);                    \
	Test(suite##_xdp, name)                                    \
	{                                                          \
		probe_default_hooks = 1u << HOOK_XDP;              \
		name(HOOK_XDP);                                    \
	}                                                          \
	Test(suite##_tc, name)                                     \
	{                                                          \
		probe_default_hooks = 1u << HOOK_TC;               \
		name(HOOK_TC);                                     \
	}                                                          \
	static void name(enum probe_hook hook)

/* Keeps the test on the CPU it is on: the counters are per CPU, and so is
 * the probe's every-64-records wake-up check. */
void pin_to_this_cpu(void);

#endif /* HS_TEST_PROBE_H */
