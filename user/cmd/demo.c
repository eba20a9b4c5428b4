// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "core/exit.h"
#include "core/log.h"
#include "cmd/bed.h"
#include "cmd/demo.h"
#include "cmd/traffic.h"
#include "live/collect.h"
#include "probe/filter.h"

#define DEMO_PORT 7777

struct demo {
	struct hs_bed bed;
	const struct hs_demo_opts *opts;
	char dst[64];
	pid_t sender;
	int sink_fd;
	char between[2][64];
	const char *between_ptrs[2];
};

/* The sender runs in a child in the sender namespace. */
static int start_sender(void *ctx)
{
	struct demo *d = ctx;
	struct hs_traffic t = {
		.dst = d->dst,
		.port = DEMO_PORT,
		.rate_pps = d->opts->rate_pps,
		.count = (uint64_t)(d->opts->rate_pps * d->opts->seconds),
		.max_seconds = d->opts->seconds,
		.payload_bytes = 64,
	};

	d->sender = hs_bed_send(&d->bed, "snd", &t, NULL);
	if (d->sender < 0)
		return d->sender;
	pr_info("sending %llu UDP packets at %u/s from %ssnd to %s:%d",
		(unsigned long long)t.count, t.rate_pps, d->bed.prefix, d->dst,
		DEMO_PORT);
	return 0;
}

/* Links in the chain: one more than the functions. */
static unsigned int chain_links(const char *chain)
{
	unsigned int n = 1;

	for (; *chain; chain++)
		n += *chain == ',';
	return n;
}

/* The default chain takes OVS only where it can run. */
static void choose_chain(struct demo *d)
{
	char *ovs;

	snprintf(d->bed.kinds, sizeof(d->bed.kinds), "%s", d->opts->chain);
	if (!d->opts->chain_is_default ||
	    !(ovs = strstr(d->bed.kinds, "ovs")) ||
	    !hs_bed_script(&d->bed, "has-ovs"))
		return;
	/* same length: "ovs" -> "veth" needs one more byte */
	memmove(ovs + 4, ovs + 3, strlen(ovs + 3) + 1);
	memcpy(ovs, "veth", 4);
	pr_warn("Open vSwitch is not usable here (scripts/testbed.sh has-ovs); "
		"the demo runs without it: %s",
		d->bed.kinds);
}

int hs_demo(struct hs_demo_opts *o)
{
	struct demo d = { .opts = o, .sink_fd = -1 };
	unsigned int links;
	int ret;

	ret = hs_run_preflight();
	if (ret)
		return ret;
	if (hs_bed_init(&d.bed))
		return HS_EXIT_FAILURE;
	choose_chain(&d);
	links = chain_links(d.bed.kinds);
	/* the receiver's end of the last link */
	snprintf(d.dst, sizeof(d.dst), "198.18.%u.2", links - 1);

	pr_info("building the chain %ssnd -> %u function%s -> %srcv over %s",
		d.bed.prefix, links - 1, links == 2 ? "" : "s", d.bed.prefix,
		d.bed.kinds);
	ret = HS_EXIT_FAILURE;
	if (hs_bed_script(&d.bed, "up") || hs_collect_stop_pending())
		goto down;
	d.sink_fd = hs_bed_sink(&d.bed, "rcv", DEMO_PORT);
	if (d.sink_fd < 0)
		goto down;
	hs_bed_export_ovs(&d.bed);
	/* the chain's own stream, not the neighbour discovery around it,
	 * unless the user asked for something else */
	if (!o->run.probe.filter_enabled) {
		char expr[64], err[256];

		snprintf(expr, sizeof(expr), "udp and port %d", DEMO_PORT);
		if (hs_filter_parse(expr, &o->run.probe.filter, err,
				    sizeof(err)))
			goto down;
		o->run.probe.filter_enabled = true;
		snprintf(o->run.collect.info.filter,
			 sizeof(o->run.collect.info.filter), "%s", expr);
		pr_info("measuring the demo stream only (--filter '%s')", expr);
	}
	/* every interface between sender and receiver, found as a user's
	 * --between would find it */
	hs_bed_netns(&d.bed, "snd", d.between[0], sizeof(d.between[0]));
	hs_bed_netns(&d.bed, "rcv", d.between[1], sizeof(d.between[1]));
	d.between_ptrs[0] = d.between[0];
	d.between_ptrs[1] = d.between[1];
	o->run.select.between = d.between_ptrs;
	o->run.select.n_between = 1;
	o->run.on_attached = start_sender;
	o->run.ctx = &d;
	ret = hs_run(&o->run);
down:
	hs_bed_stop(d.sender);
	if (d.sink_fd >= 0)
		close(d.sink_fd);
	if (hs_bed_script(&d.bed, "down") && !ret)
		ret = HS_EXIT_FAILURE;
	return ret;
}
