// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* empty.bpf.c - the floor for probe-cost benchmarks: programs that only
 * return the verdict hopscope's probes return. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

SEC("xdp")
int empty_xdp(struct xdp_md *ctx __attribute__((unused)))
{
	return XDP_PASS;
}

SEC("tc")
int empty_tc(struct __sk_buff *skb __attribute__((unused)))
{
	return -1; /* TC_ACT_UNSPEC */
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
