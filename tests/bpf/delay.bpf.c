// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * delay.bpf.c - a test fixture, never part of hopscope: holds IPv4 UDP
 * packets to delay_port for delay_ns by spinning, or drops them, so a test
 * knows exactly what one hop does. With every > 1 only the packets whose
 * sequence number (the first 8 bytes of the payload, as the test senders
 * write it) is a multiple of every. Only sparse probe traffic goes to
 * that port.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

/* continue: the next clsact filter, or the next TCX program */
#define TC_ACT_UNSPEC (-1)
#define ETH_P_IP 0x0800

const volatile __u64 delay_ns = 1000000;
const volatile __u16 delay_port = 7777;
const volatile __u32 every = 1;
const volatile __u8 drop = 0;

#define TC_ACT_SHOT 2

static long spin(__u64 index __attribute__((unused)), void *ctx)
{
	__u64 *deadline = ctx;

	return bpf_ktime_get_ns() >= *deadline;
}

/* A packet the test means: IPv4 UDP to delay_port, its sequence number a
 * multiple of every. */
static __always_inline int targeted(void *data, void *data_end)
{
	struct ethhdr *eth = data;
	struct iphdr *ip = (void *)(eth + 1);
	struct udphdr *udp;

	if ((void *)(ip + 1) > data_end || eth->h_proto != bpf_htons(ETH_P_IP) ||
	    ip->protocol != IPPROTO_UDP || ip->ihl != 5)
		return 0;
	udp = (void *)(ip + 1);
	if ((void *)(udp + 1) > data_end || udp->dest != bpf_htons(delay_port))
		return 0;
	if (every > 1) {
		__u64 *seq = (void *)(udp + 1);

		if ((void *)(seq + 1) > data_end || *seq % every)
			return 0;
	}
	return 1;
}

static __always_inline void hold(void)
{
	__u64 deadline = bpf_ktime_get_ns() + delay_ns;

	/* 2^23 iterations of ~30 ns bound the spin far above any test delay */
	bpf_loop(1 << 23, spin, &deadline, 0);
}

SEC("tc")
int delay(struct __sk_buff *skb)
{
	if (!targeted((void *)(long)skb->data, (void *)(long)skb->data_end))
		return TC_ACT_UNSPEC;
	if (drop)
		return TC_ACT_SHOT;
	hold();
	return TC_ACT_UNSPEC;
}

/* The same at XDP: a foreign XDP program that owns the hook, before any
 * hopscope probe on the interface. */
SEC("xdp")
int delay_xdp(struct xdp_md *ctx)
{
	if (!targeted((void *)(long)ctx->data, (void *)(long)ctx->data_end))
		return XDP_PASS;
	if (drop)
		return XDP_DROP;
	hold();
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
