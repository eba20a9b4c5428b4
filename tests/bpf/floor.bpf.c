// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* floor.bpf.c - the least any recording probe can cost, for the
 * probe-cost benchmark: read the clock the probe reads, reserve one record
 * of the probe's size in a ring buffer of the probe's size, stamp it and
 * submit it without a wake-up, as the probe does between its checks of
 * the fill level. No parse, no hash, no counters. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include "hopscope.h"

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, HS_RINGBUF_DEFAULT_BYTES);
} floor_records SEC(".maps");

static __always_inline void floor_record(void)
{
	__u64 ts = bpf_ktime_get_ns();
	struct hs_record *rec;

	rec = bpf_ringbuf_reserve(&floor_records, sizeof(*rec), 0);
	if (!rec)
		return;
	rec->ts_ns = ts;
	bpf_ringbuf_submit(rec, BPF_RB_NO_WAKEUP);
}

/* One ring a CPU, filled in by the benchmark (as many as it has CPUs):
 * no lock, no producer position shared across CPUs. What a ring per CPU
 * would save the probe, measured before the probe has one. */
struct floor_ring {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, HS_RINGBUF_DEFAULT_BYTES);
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
	__uint(max_entries, 64);
	__type(key, __u32);
	__array(values, struct floor_ring);
} floor_rings SEC(".maps");

static __always_inline void floor_record_percpu(void)
{
	__u32 cpu = bpf_get_smp_processor_id();
	__u64 ts = bpf_ktime_get_ns();
	struct hs_record *rec;
	void *ring = bpf_map_lookup_elem(&floor_rings, &cpu);

	if (!ring)
		return;
	rec = bpf_ringbuf_reserve(ring, sizeof(*rec), 0);
	if (!rec)
		return;
	rec->ts_ns = ts;
	bpf_ringbuf_submit(rec, BPF_RB_NO_WAKEUP);
}

SEC("tc")
int floor_tc_percpu(struct __sk_buff *skb __attribute__((unused)))
{
	floor_record_percpu();
	return -1; /* TC_ACT_UNSPEC */
}

SEC("xdp")
int floor_xdp(struct xdp_md *ctx __attribute__((unused)))
{
	floor_record();
	return XDP_PASS;
}

SEC("tc")
int floor_tc(struct __sk_buff *skb __attribute__((unused)))
{
	floor_record();
	return -1; /* TC_ACT_UNSPEC */
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
