// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * delayctl - attach tests/bpf/delay.bpf.o to one interface of a test
 * namespace.
 *   delayctl NETNS IFNAME ingress|egress DELAY_US PORT [EVERY [drop]]
 *     a clsact filter, and exit: it lives until the namespace goes. clsact
 *     runs after hopscope's TCX programs: the delay lands on the hop that
 *     leaves this hook.
 *   delayctl NETNS IFNAME tcx-ingress|tcx-egress DELAY_US PORT
 *     a TCX link, first on the hook; prints "ready" and holds the link
 *     until SIGTERM or SIGINT. hopscope, attached later, runs after it:
 *     the delay lands on the hop that reaches this hook.
 *   delayctl NETNS IFNAME xdp DELAY_US PORT [EVERY [drop]]
 *     an XDP program attached the old way (netlink, no link), and exit:
 *     a foreign program that owns the hook, as an operator's would; it
 *     lives until the namespace goes. hopscope's XDP probe cannot attach
 *     there and measures with tc ingress instead, after it.
 *   EVERY: only packets whose sequence number is a multiple of EVERY;
 *   drop: drop them instead (DELAY_US is then ignored).
 */
#include <errno.h>
#include <signal.h>
#include <bpf/bpf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/libbpf.h>
#include <net/if.h>
#include "tests/delay.skel.h"
#include "topo/netns.h"

#ifndef BPF_TCX_INGRESS
#define BPF_TCX_INGRESS 46
#define BPF_TCX_EGRESS 47
#endif

/* Called inside the namespace. */
static int hold_tcx(struct delay_bpf *skel, char **argv)
{
	int ifindex = if_nametoindex(argv[2]), fd;
	sigset_t set;
	int sig;

	fd = bpf_link_create(bpf_program__fd(skel->progs.delay), ifindex,
			     strcmp(argv[3], "tcx-ingress") ? BPF_TCX_EGRESS :
							       BPF_TCX_INGRESS,
			     NULL);
	if (!ifindex || fd < 0) {
		fprintf(stderr, "delayctl: cannot attach to %s:%s %s\n", argv[1],
			argv[2], argv[3]);
		return 1;
	}
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigprocmask(SIG_BLOCK, &set, NULL);
	printf("ready\n");
	fflush(stdout);
	sigwait(&set, &sig);
	close(fd);
	return 0;
}

/* Called inside the namespace. */
static int attach_xdp(struct delay_bpf *skel, char **argv)
{
	int ifindex = if_nametoindex(argv[2]);

	if (!ifindex ||
	    bpf_xdp_attach(ifindex, bpf_program__fd(skel->progs.delay_xdp), 0,
			   NULL)) {
		fprintf(stderr, "delayctl: cannot attach to %s:%s xdp\n",
			argv[1], argv[2]);
		return 1;
	}
	printf("%s on %s:%s xdp, UDP port %s\n",
	       skel->rodata->drop ? "drop" : "delay", argv[1], argv[2],
	       argv[5]);
	return 0;
}

int main(int argc, char **argv)
{
	LIBBPF_OPTS(bpf_tc_hook, hook);
	LIBBPF_OPTS(bpf_tc_opts, opts);
	struct delay_bpf *skel;
	struct hs_netns ns;
	char err[256];
	int saved, e;

	if (argc < 6 || argc > 8 || (argc == 8 && strcmp(argv[7], "drop"))) {
		fprintf(stderr,
			"usage: delayctl NETNS IFNAME ingress|egress|tcx-ingress|tcx-egress|xdp DELAY_US PORT [EVERY [drop]]\n");
		return 2;
	}
	skel = delay_bpf__open();
	if (!skel) {
		fprintf(stderr, "delayctl: open: %s\n", strerror(errno));
		return 1;
	}
	skel->rodata->delay_ns = strtoull(argv[4], NULL, 10) * 1000ULL;
	skel->rodata->delay_port = (__u16)atoi(argv[5]);
	skel->rodata->every = argc > 6 ? (__u32)atoi(argv[6]) : 1;
	skel->rodata->drop = argc > 7;
	if (delay_bpf__load(skel)) {
		fprintf(stderr, "delayctl: cannot load the delay program\n");
		return 1;
	}
	if (hs_netns_open(argv[1], &ns, err, sizeof(err))) {
		fprintf(stderr, "delayctl: %s\n", err);
		return 1;
	}
	if (hs_netns_enter(&ns, &saved))
		return 1;
	if (!strncmp(argv[3], "tcx-", 4))
		return hold_tcx(skel, argv);
	if (!strcmp(argv[3], "xdp"))
		return attach_xdp(skel, argv);
	hook.ifindex = if_nametoindex(argv[2]);
	hook.attach_point = strcmp(argv[3], "ingress") ? BPF_TC_EGRESS : BPF_TC_INGRESS;
	opts.prog_fd = bpf_program__fd(skel->progs.delay);
	e = bpf_tc_hook_create(&hook);
	if ((e && e != -EEXIST) || !hook.ifindex || bpf_tc_attach(&hook, &opts)) {
		fprintf(stderr, "delayctl: cannot attach to %s:%s %s\n", argv[1],
			argv[2], argv[3]);
		return 1;
	}
	hs_netns_leave(saved);
	printf("delay %s us on %s:%s %s, UDP port %s\n", argv[4], argv[1],
	       argv[2], argv[3], argv[5]);
	return 0;
}
