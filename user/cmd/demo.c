// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <errno.h>
#include <glob.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>
#include "core/exit.h"
#include "core/log.h"
#include "cmd/demo.h"
#include "cmd/traffic.h"
#include "live/collect.h"
#include "probe/filter.h"
#include "topo/netns.h"

#define DEMO_PORT 7777

struct demo {
	char prefix[32];
	char script[PATH_MAX];
	const struct hs_demo_opts *opts;
	char chain[128]; /* link kinds, as testbed.sh takes them */
	char dst[64];
	pid_t sender;
	int sink_fd;
	char between[2][64];
	const char *between_ptrs[2];
};

/*
 * The testbed script: $HOPSCOPE_TESTBED, else testbed.sh in the directory
 * this binary was built for. The Makefile says which: the source tree's
 * scripts/ for build/hopscope (make demo, the tests), $(PREFIX)/libexec/
 * hopscope for the installed one. Compiled in rather than found beside
 * /proc/self/exe, so that a copied or linked binary finds the same one.
 */
#ifndef HS_LIBEXECDIR
#error "HS_LIBEXECDIR: where testbed.sh is, set by the Makefile"
#endif

static int find_script(char *path, size_t len)
{
	const char *env = getenv("HOPSCOPE_TESTBED");

	if (env)
		snprintf(path, len, "%s", env);
	else
		snprintf(path, len, "%s/testbed.sh", HS_LIBEXECDIR);
	if (access(path, R_OK)) {
		pr_err("testbed script '%s' not found: set HOPSCOPE_TESTBED",
		       path);
		return -ENOENT;
	}
	return 0;
}

/* Run the testbed script with signals as a fresh process has them. */
static int testbed(const struct demo *d, const char *verb)
{
	const char *n = d->chain;
	sigset_t none;
	pid_t pid;
	int status;

	pid = fork();
	if (pid < 0)
		return -errno;
	if (pid == 0) {
		/* building or tearing down must not be cut short by the
		 * Ctrl-C meant for us: its own process group, nothing of
		 * ours inherited. Tearing down also ignores signals (that
		 * survives exec); building must not, or the daemons it
		 * starts (OVS) would ignore the SIGTERM that stops them. */
		setpgid(0, 0);
		if (!strcmp(verb, "down")) {
			signal(SIGINT, SIG_IGN);
			signal(SIGTERM, SIG_IGN);
			signal(SIGHUP, SIG_IGN);
		}
		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		close_range(3, ~0U, 0);
		if (strcmp(verb, "has-ovs"))
			execl("/bin/bash", "bash", d->script, verb, d->prefix,
			      n, (char *)NULL);
		else
			execl("/bin/bash", "bash", d->script, verb,
			      (char *)NULL);
		_exit(127);
	}
	if (waitpid(pid, &status, 0) < 0)
		return -errno;
	if (!WIFEXITED(status) || WEXITSTATUS(status)) {
		if (strcmp(verb, "has-ovs"))
			pr_err("testbed %s failed (%s %s %s %s)", verb,
			       d->script, verb, d->prefix, n);
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

	snprintf(d->chain, sizeof(d->chain), "%s", d->opts->chain);
	if (!d->opts->chain_is_default || !(ovs = strstr(d->chain, "ovs")) ||
	    !testbed(d, "has-ovs"))
		return;
	/* same length: "ovs" -> "veth" needs one more byte */
	memmove(ovs + 4, ovs + 3, strlen(ovs + 3) + 1);
	memcpy(ovs, "veth", 4);
	pr_warn("Open vSwitch is not usable here (scripts/testbed.sh has-ovs); "
		"the demo runs without it: %s",
		d->chain);
}

/* Tell topology discovery where each of the testbed's OVS runs. */
static void export_ovs_rundirs(const struct demo *d)
{
	char pattern[PATH_MAX], dirs[4096] = "";
	size_t used = 0, i;
	glob_t g;

	snprintf(pattern, sizeof(pattern), "/tmp/hs-ovs-%s*", d->prefix);
	if (glob(pattern, GLOB_ONLYDIR, NULL, &g))
		return;
	for (i = 0; i < g.gl_pathc && used < sizeof(dirs); i++)
		used += (size_t)snprintf(dirs + used, sizeof(dirs) - used,
					 "%s%s", i ? ":" : "", g.gl_pathv[i]);
	globfree(&g);
	setenv("OVS_RUNDIR", dirs, 1);
}

int hs_demo(struct hs_demo_opts *o)
{
	struct demo d = { .opts = o, .sink_fd = -1 };
	unsigned int links;
	int ret;

	ret = hs_run_preflight();
	if (ret)
		return ret;
	if (find_script(d.script, sizeof(d.script)))
		return HS_EXIT_FAILURE;
	snprintf(d.prefix, sizeof(d.prefix), "hs%d_", (int)getpid());
	choose_chain(&d);
	links = chain_links(d.chain);
	/* the receiver's end of the last link */
	snprintf(d.dst, sizeof(d.dst), "198.18.%u.2", links - 1);

	pr_info("building the chain %ssnd -> %u function%s -> %srcv over %s",
		d.prefix, links - 1, links == 2 ? "" : "s", d.prefix, d.chain);
	ret = HS_EXIT_FAILURE;
	if (testbed(&d, "up") || hs_collect_stop_pending() || open_sink(&d))
		goto down;
	export_ovs_rundirs(&d);
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
	snprintf(d.between[0], sizeof(d.between[0]), "%ssnd", d.prefix);
	snprintf(d.between[1], sizeof(d.between[1]), "%srcv", d.prefix);
	d.between_ptrs[0] = d.between[0];
	d.between_ptrs[1] = d.between[1];
	o->run.select.between = d.between_ptrs;
	o->run.select.n_between = 1;
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
