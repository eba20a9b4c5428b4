// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <errno.h>
#include <limits.h>
#include <libgen.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>
#include "demo.h"
#include "filter.h"
#include "log.h"
#include "netns.h"
#include "traffic.h"

#define DEMO_PORT 7777
#define DEMO_MAX_VNFS 8

struct demo {
	char prefix[32];
	char script[PATH_MAX];
	const struct hs_demo_opts *opts;
	char dst[64];
	pid_t sender;
	int sink_fd;
	char names[DEMO_MAX_VNFS * 2 + 2][64];
	const char *points[DEMO_MAX_VNFS * 2 + 2];
	unsigned int n_points;
};

/* scripts/testbed.sh beside the binary's build directory, or
 * $HOPSCOPE_TESTBED. */
static int find_script(char *path, size_t len)
{
	const char *env = getenv("HOPSCOPE_TESTBED");
	char exe[PATH_MAX];
	ssize_t n;

	if (env) {
		snprintf(path, len, "%s", env);
	} else {
		n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
		if (n < 0)
			return -errno;
		exe[n] = '\0';
		snprintf(path, len, "%s/../scripts/testbed.sh", dirname(exe));
	}
	if (access(path, R_OK)) {
		pr_err("testbed script '%s' not found: set HOPSCOPE_TESTBED", path);
		return -ENOENT;
	}
	return 0;
}

/* Run the testbed script with signals as a fresh process has them. */
static int testbed(const struct demo *d, const char *verb)
{
	char n[16];
	sigset_t none;
	pid_t pid;
	int status;

	snprintf(n, sizeof(n), "%u", d->opts->n_vnfs);
	pid = fork();
	if (pid < 0)
		return -errno;
	if (pid == 0) {
		/* building or tearing down must not be cut short by the
		 * Ctrl-C meant for us: its own process group, signals
		 * ignored (that survives exec), nothing of ours inherited */
		setpgid(0, 0);
		signal(SIGINT, SIG_IGN);
		signal(SIGTERM, SIG_IGN);
		signal(SIGHUP, SIG_IGN);
		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		close_range(3, ~0U, 0);
		execl("/bin/bash", "bash", d->script, verb, d->prefix, n,
		      (char *)NULL);
		_exit(127);
	}
	if (waitpid(pid, &status, 0) < 0)
		return -errno;
	if (!WIFEXITED(status) || WEXITSTATUS(status)) {
		pr_err("testbed %s failed (%s %s %s %s)", verb, d->script, verb,
		       d->prefix, n);
		return -EIO;
	}
	return 0;
}

static int open_sink(struct demo *d)
{
	struct hs_netns ns;
	char name[64], err[256];
	int saved, e;

	snprintf(name, sizeof(name), "%srcv", d->prefix);
	if (hs_netns_open(name, &ns, err, sizeof(err))) {
		pr_err("%s", err);
		return -ENOENT;
	}
	e = hs_netns_enter(&ns, &saved);
	if (!e) {
		d->sink_fd = hs_traffic_sink(AF_INET, DEMO_PORT);
		e = d->sink_fd < 0 ? d->sink_fd : 0;
		hs_netns_leave(saved);
	}
	hs_netns_close(&ns);
	return e;
}

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
	struct hs_netns ns;
	char name[64], err[256];
	sigset_t none;
	pid_t parent;
	int saved;

	snprintf(name, sizeof(name), "%ssnd", d->prefix);
	if (hs_netns_open(name, &ns, err, sizeof(err))) {
		pr_err("%s", err);
		return -ENOENT;
	}
	parent = getpid();
	d->sender = fork();
	if (d->sender < 0) {
		hs_netns_close(&ns);
		return -errno;
	}
	if (d->sender == 0) {
		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		/* die with the demo, and hold none of its BPF links: a
		 * child with a copy of a link fd keeps the probe attached */
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() != parent || hs_netns_enter(&ns, &saved))
			_exit(1);
		close_range(3, ~0U, 0);
		_exit(hs_traffic_send(&t) < 0 ? 1 : 0);
	}
	hs_netns_close(&ns);
	pr_info("sending %llu UDP packets at %u/s from %ssnd to %s:%d",
		(unsigned long long)t.count, t.rate_pps, d->prefix, d->dst,
		DEMO_PORT);
	return 0;
}

static void stop_sender(struct demo *d)
{
	if (d->sender <= 0)
		return;
	kill(d->sender, SIGTERM);
	waitpid(d->sender, NULL, 0);
	d->sender = 0;
}

static void add_point(struct demo *d, const char *ns, const char *ifname)
{
	char name[sizeof(d->names[0])];

	/* formatted apart: the prefix lives in the same struct */
	snprintf(name, sizeof(name), "%s%s:%s", d->prefix, ns, ifname);
	memcpy(d->names[d->n_points], name, sizeof(name));
	d->points[d->n_points] = d->names[d->n_points];
	d->n_points++;
}

/* Every interface of the chain, in the order a packet crosses them. */
static void chain_points(struct demo *d)
{
	char vnf[16];
	unsigned int i;

	add_point(d, "snd", "eth0");
	for (i = 1; i <= d->opts->n_vnfs; i++) {
		snprintf(vnf, sizeof(vnf), "vnf%u", i);
		add_point(d, vnf, "eth0");
		add_point(d, vnf, "eth1");
	}
	add_point(d, "rcv", "eth0");
}

int hs_demo(struct hs_demo_opts *o)
{
	struct demo d = { .opts = o, .sink_fd = -1 };
	int ret;

	if (!o->n_vnfs || o->n_vnfs > DEMO_MAX_VNFS) {
		pr_err("bad chain length %u: 1 to %d functions", o->n_vnfs,
		       DEMO_MAX_VNFS);
		return HS_EXIT_USAGE;
	}
	ret = hs_run_preflight();
	if (ret)
		return ret;
	if (find_script(d.script, sizeof(d.script)))
		return HS_EXIT_FAILURE;
	snprintf(d.prefix, sizeof(d.prefix), "hs%d_", (int)getpid());
	snprintf(d.dst, sizeof(d.dst), "198.18.%u.2", o->n_vnfs);

	pr_info("building a chain of %u network functions: %ssnd -> %svnf1 .. %svnf%u -> %srcv",
		o->n_vnfs, d.prefix, d.prefix, d.prefix, o->n_vnfs, d.prefix);
	ret = HS_EXIT_FAILURE;
	if (testbed(&d, "up") || hs_collect_stop_pending() || open_sink(&d))
		goto down;
	chain_points(&d);
	/* the chain's own stream, not the neighbour discovery around it,
	 * unless the user asked for something else */
	if (!o->run.probe.filter_enabled) {
		char expr[64], err[256];

		snprintf(expr, sizeof(expr), "udp and port %d", DEMO_PORT);
		if (hs_filter_parse(expr, &o->run.probe.filter, err, sizeof(err)))
			goto down;
		o->run.probe.filter_enabled = true;
		pr_info("measuring the demo stream only (--filter '%s')", expr);
	}
	o->run.points = d.points;
	o->run.n_points = d.n_points;
	o->run.on_attached = start_sender;
	o->run.ctx = &d;
	ret = hs_run(&o->run);
down:
	stop_sender(&d);
	if (d.sink_fd >= 0)
		close(d.sink_fd);
	if (testbed(&d, "down") && !ret)
		ret = HS_EXIT_FAILURE;
	return ret;
}
