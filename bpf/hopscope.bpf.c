// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * hopscope.bpf.c - the probe: parse -> filter -> sample -> fingerprint ->
 * timestamp -> ring buffer, at XDP and at tc ingress/egress.
 *
 * Two ways to find the point a packet is seen at, one body:
 *  - shared (hs_xdp_shared, hs_tc_ingress, hs_tc_egress): loaded once per
 *    run, attached to every point of its hook; each finds its point from
 *    the device the kernel runs it for, (netns inode, ifindex), in the
 *    device table `devs` the loader fills (hs_devtable.h). Needs
 *    bpf_cast_to_kern_ctx (Linux 6.2+) to reach the device's namespace.
 *  - one copy per point (hs_xdp, hs_tc), the point id in rodata: the
 *    fallback for older kernels, one load and verification per point.
 * The ring buffer and the counters are shared by all. The probe never
 * drops, changes or redirects a packet: XDP_PASS, and TC_ACT_UNSPEC so
 * that the rest of the tc chain still runs.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include "hopscope.h"
#include "hs_packet.h"
#include "hs_devtable.h"

#define HS_TC_ACT_UNSPEC (-1)

const volatile __u16 point_id = 0;
const volatile __u64 sample_threshold = 1ULL << 32;
const volatile __u8 filter_enabled = 0;
const volatile struct hs_filter filter = {};
/* Not rodata: the loader adds the port of a vxlan device attached to at
 * any time (hopscope agent), and the user's (--vxlan-port) */
__u64 vxlan_ports[HS_VXLAN_PORT_WORDS] = {
	[HS_VXLAN_PORT >> 6] = 1ULL << (HS_VXLAN_PORT & 63),
};
/* Wake the collector only when more than this many bytes are unread;
 * 0 means never: the collector drains on its timer. */
const volatile __u64 wakeup_bytes = 0;
/* Look at the fill level when (records made on this CPU & mask) == 0:
 * every HS_WAKEUP_CHECK_EVERY records, more often for small rings. */
const volatile __u32 wakeup_check_mask = HS_WAKEUP_CHECK_EVERY - 1;
/* CLOCK_TAI (hosts synchronised by PTP) instead of CLOCK_MONOTONIC; the
 * loader sets it only where the kernel has the helper, and the verifier
 * never sees the branch not taken. */
const volatile __u8 stamp_tai = 0;

/*
 * The records: a ring buffer per CPU, each CPU's at its id. One ring for
 * all would take one lock and one producer position for every record of
 * every CPU: two CPUs recording at once cost each other ~110 ns a record
 * (probe_cost's contention section). The loader sizes the map to the
 * possible CPUs and the template's size to each ring's, and puts the
 * rings in; the collector merges them by timestamp.
 */
struct hs_ring {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, HS_RINGBUF_DEFAULT_BYTES);
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
	__uint(max_entries, 1);
	__type(key, __u32);
	__array(values, struct hs_ring);
} rings SEC(".maps");

/* one slot per point, and HS_UNMAPPED_SLOT after them */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, HS_MAX_POINTS + 1);
	__type(key, __u32);
	__type(value, struct hs_counters);
} counters SEC(".maps");

/* (netns inode, ifindex) -> point id at each hook, for the shared probes:
 * global data, indexed directly, so a lookup is no helper call. The
 * loader writes it through its mmap of .bss (the copies share the
 * base's). */
struct hs_dev_slot devs[HS_DEV_SLOTS] = {};

/* Turns the context into the kernel's sk_buff / xdp_buff; the verifier
 * replaces the call by a register move. Weak: the copies load without it
 * on kernels that lack it. */
extern void *bpf_cast_to_kern_ctx(void *obj) __ksym __weak;

static __always_inline __u64 hs_submit_flags(const struct hs_counters *c,
					     void *ring)
{
	if (wakeup_bytes && !(c->recorded & wakeup_check_mask) &&
	    bpf_ringbuf_query(ring, BPF_RB_AVAIL_DATA) > wakeup_bytes)
		return BPF_RB_FORCE_WAKEUP;
	return BPF_RB_NO_WAKEUP;
}

/*
 * Parse and filter, shared by both hooks. Returns 1 when the packet is to
 * be sampled, with pkt filled; the hook then reads the payload its own
 * way where the sampling decision or the record needs it.
 */
static __always_inline int hs_select(void *data, void *data_end,
				     __u32 frame_len, struct hs_counters *c,
				     struct hs_pkt *pkt)
{
	int err;

	c->seen++;
	err = hs_parse_fast(data, data_end, vxlan_ports, pkt);
	if (err == HS_PARSE_SLOW)
		err = hs_parse(data, data_end, frame_len, vxlan_ports, pkt);
	if (err == HS_PARSE_NOT_IP) {
		c->filtered++;
		return 0;
	}
	if (err) {
		c->parse_errors++;
		return 0;
	}
	if (filter_enabled && !hs_filter_match(pkt, &filter)) {
		c->filtered++;
		return 0;
	}
	return 1;
}

/* Every packet is recorded: the verifier drops the sampling code. */
static __always_inline int hs_sampling(void)
{
	return sample_threshold < (1ULL << 32);
}

/* Trajectory sampling on key (hs_packet.h): 0, counted, if it is out. */
static __always_inline int hs_keep(struct hs_counters *c, __u64 key)
{
	if (hs_sampled(key, sample_threshold))
		return 1;
	c->sampled_out++;
	return 0;
}

static __always_inline void hs_record(struct hs_counters *c, __u32 id,
				      const struct hs_pkt *pkt,
				      __u64 flow_state, __u64 fp)
{
	__u32 cpu = bpf_get_smp_processor_id();
	void *ring = bpf_map_lookup_elem(&rings, &cpu);
	struct hs_record *rec;
	__u64 ts = stamp_tai ? bpf_ktime_get_tai_ns() : bpf_ktime_get_ns();

	/* no ring: a CPU the loader did not know of, as good as full */
	rec = ring ? bpf_ringbuf_reserve(ring, sizeof(*rec), 0) : NULL;
	if (!rec) {
		c->ringbuf_drops++;
		return;
	}
	rec->ts_ns = ts;
	rec->fingerprint = fp;
	rec->flow_hash = hs_flow_hash_of(flow_state);
	rec->point_id = (__u16)id;
	rec->ip_len = pkt->ip_len > HS_IP_LEN_MAX ? HS_IP_LEN_MAX : pkt->ip_len;
	rec->proto = pkt->proto;
	rec->flags = (pkt->family == 6 ? HS_REC_IPV6 : 0) |
		     (pkt->is_fragment ? HS_REC_FRAGMENT : 0) |
		     (pkt->is_big ? HS_REC_BIG : 0) |
		     (pkt->encap ? HS_REC_ENCAP : 0);
	rec->vni = pkt->vni;
	rec->nat_key = pkt->nat_key;
	__builtin_memset(rec->__pad, 0, sizeof(rec->__pad));
	c->recorded++;
	bpf_ringbuf_submit(rec, hs_submit_flags(c, ring));
}

/*
 * Where the shared body runs: always a literal at the call. Once
 * hs_probe() is inlined into each program the compiler folds every test
 * of it, so each program holds only its own hook's context reads, load
 * helper and verdict, instruction for instruction what a hand-written
 * copy compiles to (bpf_xdp_load_bytes is not even allowed in tc
 * programs, nor bpf_skb_load_bytes in XDP).
 */
enum hs_at {
	HS_AT_XDP,
	HS_AT_TC,
};

/* Never defined: a call the compiler cannot fold away fails the build. */
extern void hs_at_not_constant(void)
	__attribute__((error("hs_probe(): the hook must be a constant")));

static __always_inline void *hs_ctx_data(void *ctx, const enum hs_at at)
{
	if (at == HS_AT_XDP)
		return (void *)(long)((struct xdp_md *)ctx)->data;
	return (void *)(long)((struct __sk_buff *)ctx)->data;
}

static __always_inline void *hs_ctx_data_end(void *ctx, const enum hs_at at)
{
	if (at == HS_AT_XDP)
		return (void *)(long)((struct xdp_md *)ctx)->data_end;
	return (void *)(long)((struct __sk_buff *)ctx)->data_end;
}

/* Both helpers also read paged data past the linear area. */
static __always_inline long hs_load_bytes(void *ctx, const enum hs_at at,
					  __u32 off, void *to, __u32 len)
{
	if (at == HS_AT_XDP)
		return bpf_xdp_load_bytes(ctx, off, to, len);
	return bpf_skb_load_bytes(ctx, off, to, len);
}

/* The packet's whole length: at tc past the linear area too (BIG TCP's
 * IP length comes from it); an XDP frame is all linear here. */
static __always_inline __u32 hs_ctx_len(void *ctx, const enum hs_at at)
{
	if (at == HS_AT_XDP)
		return (__u32)(hs_ctx_data_end(ctx, at) - hs_ctx_data(ctx, at));
	return ((struct __sk_buff *)ctx)->len;
}


/* The 8 bytes at off, or 0 where the packet has none there. */
static __always_inline __u64 hs_word(void *ctx, const enum hs_at at,
				     void *data, void *data_end, __u32 off)
{
	__u64 w = 0, *p;

	/* beyond HS_PKT_OFF_MAX, or past the linear area, the load helper */
	if (off <= HS_PKT_OFF_MAX) {
		/* a __u64 pointer: one 8-byte load (the JIT's loads need no
		 * alignment), where a byte pointer would make clang read
		 * the word a byte at a time */
		p = data + off;
		if ((void *)(p + 1) <= data_end)
			return *p;
	}
	if (hs_load_bytes(ctx, at, off, &w, sizeof(w)))
		w = 0;
	return w;
}

/* The payload words of the fingerprint (hs_head_word, hs_tail_word). */
static __always_inline void hs_payload_words(void *ctx, const enum hs_at at,
					     void *data, void *data_end,
					     struct hs_pkt *pkt)
{
	__u32 off, shift;

	/* the common case first, without the short payload's shift: with 8
	 * bytes or more both words are in the payload */
	if (pkt->payload_len >= HS_PAYLOAD_WORD) {
		off = pkt->payload_off;
		pkt->head = hs_word(ctx, at, data, data_end, off);
		off += pkt->payload_len - HS_PAYLOAD_WORD;
		pkt->tail = hs_word(ctx, at, data, data_end, off);
		return;
	}
	if (hs_head_word(pkt, &off, &shift))
		pkt->head = hs_word(ctx, at, data, data_end, off) >> shift;
	if (hs_tail_word(pkt, &off))
		pkt->tail = hs_word(ctx, at, data, data_end, off);
}

/* The device the kernel runs the program for; NULL if it has none. */
static __always_inline struct net_device *hs_ctx_dev(void *ctx,
						     const enum hs_at at)
{
	if (at == HS_AT_XDP) {
		struct xdp_buff *xdp = bpf_cast_to_kern_ctx(ctx);
		struct xdp_rxq_info *rxq = xdp->rxq;

		return rxq ? rxq->dev : NULL;
	}
	return ((struct sk_buff *)bpf_cast_to_kern_ctx(ctx))->dev;
}

/* How a program finds its point: a hook for the shared ones (enum
 * hs_hook), or this for the copies, whose id is in rodata. */
#define HS_FROM_RODATA (-1)

/*
 * This point's counters and its id in *id. A shared program looks its
 * device up; one with no point there (never mapped, or removed while a
 * packet was on its way) counts the packet in the unmapped slot only, and
 * NULL tells the caller to pass it on untouched.
 */
static __always_inline struct hs_counters *
hs_point(void *ctx, const enum hs_at at, const int hook, __u32 *id)
{
	struct net_device *dev;
	__u32 found, slot;
	struct hs_counters *c;

	*id = point_id;
	if (hook != HS_FROM_RODATA) {
		dev = hs_ctx_dev(ctx, at);
		found = !dev ? HS_NO_POINT :
			       hs_dev_lookup(devs,
					     hs_dev_key(dev->nd_net.net->ns.inum,
							(__u32)dev->ifindex),
					     hook);
		if (found >= HS_MAX_POINTS) {
			slot = HS_UNMAPPED_SLOT;
			c = bpf_map_lookup_elem(&counters, &slot);
			if (c)
				c->seen++;
			return NULL;
		}
		*id = found;
	}
	return bpf_map_lookup_elem(&counters, id);
}

/* Pass the packet on untouched; at tc, let the rest of the chain run. */
static __always_inline int hs_verdict(const enum hs_at at)
{
	return at == HS_AT_XDP ? XDP_PASS : HS_TC_ACT_UNSPEC;
}

/*
 * The probe, one body for both hooks. One exit on purpose: clang
 * simplifies this body on its own before inlining it, while the verdict
 * is still unknown, and with a return at each early exit it merged the
 * exits and sank the filtered / parse_errors increments into one, adding
 * ~20 instructions to each program, some on every packet's path.
 */
static __always_inline int hs_probe(void *ctx, const enum hs_at at,
				    const int hook)
{
	void *data = hs_ctx_data(ctx, at);
	void *data_end = hs_ctx_data_end(ctx, at);
	struct hs_pkt pkt = {};
	struct hs_counters *c;
	__u64 flow_state;
	__u32 id;
	int keyed;

	if (!__builtin_constant_p(at) || !__builtin_constant_p(hook))
		hs_at_not_constant();
	c = hs_point(ctx, at, hook, &id);
	if (!c || !hs_select(data, data_end, hs_ctx_len(ctx, at), c, &pkt))
		goto out;
	/* where the headers decide, before the payload is read: a packet
	 * sampled out costs the parse and one short hash */
	keyed = hs_header_keyed(&pkt);
	if (hs_sampling() && keyed && !hs_keep(c, hs_header_key(&pkt)))
		goto out;
	hs_payload_words(ctx, at, data, data_end, &pkt);
	pkt.nat_key = hs_nat_key(&pkt);
	if (hs_sampling() && !keyed && !hs_keep(c, pkt.nat_key))
		goto out;
	c->sampled++;
	flow_state = hs_flow_state(&pkt);
	hs_record(c, id, &pkt, flow_state,
		  hs_fingerprint(flow_state, pkt.nat_key));
out:
	return hs_verdict(at);
}

/* The shared probes: loaded once, attached at every point of their hook. */
SEC("xdp")
int hs_xdp_shared(struct xdp_md *ctx)
{
	return hs_probe(ctx, HS_AT_XDP, HS_HOOK_XDP);
}

SEC("tc")
int hs_tc_ingress(struct __sk_buff *skb)
{
	return hs_probe(skb, HS_AT_TC, HS_HOOK_TC_INGRESS);
}

SEC("tc")
int hs_tc_egress(struct __sk_buff *skb)
{
	return hs_probe(skb, HS_AT_TC, HS_HOOK_TC_EGRESS);
}

/* The copies, one per point, the point id in rodata. */
SEC("xdp")
int hs_xdp(struct xdp_md *ctx)
{
	return hs_probe(ctx, HS_AT_XDP, HS_FROM_RODATA);
}

SEC("tc")
int hs_tc(struct __sk_buff *skb)
{
	return hs_probe(skb, HS_AT_TC, HS_FROM_RODATA);
}

/* One record a page, each as long as the page: its header lands on the
 * next page every time. */
#define HS_PAGE_RECORD (4096 - 8)

/* pages hs_prefault wrote, for the loader and the tests */
__u32 prefault_pages = 0;
/* the ring it writes into, set by the loader before each run */
__u32 prefault_ring = 0;

static long hs_touch_page(__u64 index __attribute__((unused)),
			  void *ctx __attribute__((unused)))
{
	void *ring = bpf_map_lookup_elem(&rings, &prefault_ring);
	void *rec;

	if (!ring)
		return 1;
	rec = bpf_ringbuf_reserve(ring, HS_PAGE_RECORD, 0);

	if (!rec)
		return 1; /* full: the kernel keeps one page free */
	bpf_ringbuf_discard(rec, BPF_RB_NO_WAKEUP);
	prefault_pages++;
	return 0;
}

/*
 * Not a probe: run once through BPF_PROG_TEST_RUN before any is attached,
 * it writes into every page of the new ring prefault_ring. In a virtual
 * machine the first write to a page can cost ~10 us, and a probe writing
 * the first record into a page would add that to the hop it measures,
 * once a page, until the ring had gone round. It stops one page short of a full ring
 * (the kernel keeps that free): once the reader has skipped what it
 * discarded, a second run writes that page too.
 */
SEC("tc")
int hs_prefault(struct __sk_buff *skb __attribute__((unused)))
{
	bpf_loop(1 << 20, hs_touch_page, NULL, 0);
	return HS_TC_ACT_UNSPEC;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
