// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "cmd/bed.h"
#include "core/log.h"
#include "topo/netns.h"

/*
 * Compiled in rather than found beside /proc/self/exe, so that a copied
 * or linked binary finds the same script. The Makefile says which: the
 * source tree's scripts/ for build/hopscope (make demo, the tests),
 * $(PREFIX)/libexec/hopscope for the installed one.
 */
#ifndef HS_LIBEXECDIR
#error "HS_LIBEXECDIR: where testbed.sh is, set by the Makefile"
#endif

void hs_bed_chain_kinds(char *buf, size_t len, const char *kind,
			unsigned int functions)
{
	size_t used = 0;
	unsigned int i;

	buf[0] = '\0';
	for (i = 0; i <= functions && used < len; i++)
		used += (size_t)snprintf(buf + used, len - used, "%s%s",
					 i ? "," : "", kind);
}

int hs_bed_init(struct hs_bed *b)
{
	const char *env = getenv("HOPSCOPE_TESTBED");

	memset(b, 0, sizeof(*b));
	if (env)
		snprintf(b->script, sizeof(b->script), "%s", env);
	else
		snprintf(b->script, sizeof(b->script), "%s/testbed.sh",
			 HS_LIBEXECDIR);
	if (access(b->script, R_OK)) {
		pr_err("testbed script '%s' not found: set HOPSCOPE_TESTBED",
		       b->script);
		return -ENOENT;
	}
	snprintf(b->prefix, sizeof(b->prefix), "hs%d_", (int)getpid());
	return 0;
}

/* In a child: signals as a fresh process has them, nothing of ours held,
 * gone when we are. */
static void child_setup(pid_t parent)
{
	sigset_t none;

	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != parent)
		_exit(1);
}

int hs_bed_script(const struct hs_bed *b, const char *verb)
{
	bool question = !strncmp(verb, "has-", 4); /* has-ovs, has-docker */
	pid_t pid;
	int status;

	pid = fork();
	if (pid < 0)
		return -errno;
	if (pid == 0) {
		sigset_t none;

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
		if (question) {
			/* the answer is the exit status; the reason, ours */
			int null = open("/dev/null", O_WRONLY | O_CLOEXEC);

			if (null >= 0)
				dup2(null, STDOUT_FILENO);
			execl("/bin/bash", "bash", b->script, verb,
			      (char *)NULL);
		}
		else
			execl("/bin/bash", "bash", b->script, verb, b->prefix,
			      b->kinds, (char *)NULL);
		_exit(127);
	}
	if (waitpid(pid, &status, 0) < 0)
		return -errno;
	if (!WIFEXITED(status) || WEXITSTATUS(status)) {
		if (!question)
			pr_err("testbed %s failed (%s %s %s %s)", verb,
			       b->script, verb, b->prefix, b->kinds);
		return -EIO;
	}
	return 0;
}

void hs_bed_netns(const struct hs_bed *b, const char *node, char *name,
		  size_t len)
{
	snprintf(name, len, "%s%s", b->prefix, node);
}

void hs_bed_export_ovs(const struct hs_bed *b)
{
	char pattern[PATH_MAX], dirs[4096] = "";
	size_t used = 0, i;
	glob_t g;

	snprintf(pattern, sizeof(pattern), "/tmp/hs-ovs-%s*", b->prefix);
	if (glob(pattern, GLOB_ONLYDIR, NULL, &g))
		return;
	for (i = 0; i < g.gl_pathc && used < sizeof(dirs); i++)
		used += (size_t)snprintf(dirs + used, sizeof(dirs) - used,
					 "%s%s", i ? ":" : "", g.gl_pathv[i]);
	globfree(&g);
	setenv("OVS_RUNDIR", dirs, 1);
}

static int open_node(const struct hs_bed *b, const char *node,
		     struct hs_netns *ns)
{
	char name[64], err[256];

	hs_bed_netns(b, node, name, sizeof(name));
	if (hs_netns_open(name, ns, err, sizeof(err))) {
		pr_err("%s", err);
		return -ENOENT;
	}
	return 0;
}

int hs_bed_sink(const struct hs_bed *b, const char *node, uint16_t port)
{
	struct hs_netns ns;
	int saved, fd;

	if (open_node(b, node, &ns))
		return -ENOENT;
	fd = hs_netns_enter(&ns, &saved);
	if (!fd) {
		fd = hs_traffic_sink(AF_INET, port);
		hs_netns_leave(saved);
	}
	hs_netns_close(&ns);
	if (fd < 0)
		pr_err("no UDP socket on port %u in %s%s: %s", port, b->prefix,
		       node, strerror(-fd));
	return fd;
}

/* Fork a child that has entered node's namespace and holds only stdio,
 * and report_fd as descriptor 3 where it is not -1. */
static pid_t fork_in(const struct hs_bed *b, const char *node, int out_fd,
		     int report_fd)
{
	pid_t parent = getpid(), pid;
	struct hs_netns ns;
	int saved;

	if (open_node(b, node, &ns))
		return -ENOENT;
	pid = fork();
	if (pid < 0) {
		pid = -errno;
		hs_netns_close(&ns);
		return pid;
	}
	if (pid == 0) {
		child_setup(parent);
		if (hs_netns_enter(&ns, &saved))
			_exit(1);
		if (out_fd < 0)
			out_fd = open("/dev/null", O_WRONLY | O_CLOEXEC);
		if (out_fd < 0 || dup2(out_fd, STDOUT_FILENO) < 0 ||
		    dup2(out_fd, STDERR_FILENO) < 0)
			_exit(1);
		if (report_fd >= 0 && dup2(report_fd, 3) < 0)
			_exit(1);
		/* a child with a copy of a link fd keeps a probe attached */
		close_range(report_fd >= 0 ? 4 : 3, ~0U, 0);
		return 0;
	}
	hs_netns_close(&ns);
	return pid;
}

pid_t hs_bed_send(const struct hs_bed *b, const char *node,
		  const struct hs_traffic *t, int *report_fd)
{
	struct hs_bed_sent sent = { 0 };
	struct timespec t0, t1;
	int fds[2] = { -1, -1 };
	pid_t pid;

	if (report_fd && pipe2(fds, O_CLOEXEC | O_NONBLOCK))
		return -errno;
	pid = fork_in(b, node, STDERR_FILENO, fds[1]);
	if (pid == 0) {
		clock_gettime(CLOCK_MONOTONIC, &t0);
		sent.packets = hs_traffic_send(t);
		clock_gettime(CLOCK_MONOTONIC, &t1);
		sent.seconds = (double)(t1.tv_sec - t0.tv_sec) +
			       (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
		if (report_fd && write(3, &sent, sizeof(sent)) != sizeof(sent))
			_exit(1);
		_exit(sent.packets < 0 ? 1 : 0);
	}
	if (report_fd) {
		close(fds[1]);
		if (pid < 0)
			close(fds[0]);
		else
			*report_fd = fds[0];
	}
	return pid;
}

int hs_bed_sent(int report_fd, struct hs_bed_sent *sent)
{
	ssize_t n = read(report_fd, sent, sizeof(*sent));

	close(report_fd);
	return n == sizeof(*sent) && sent->packets >= 0 ? 0 : -EIO;
}

pid_t hs_bed_spawn(const struct hs_bed *b, const char *node,
		   char *const argv[], int out_fd)
{
	pid_t pid = fork_in(b, node, out_fd, -1);

	if (pid == 0) {
		execvp(argv[0], argv);
		fprintf(stderr, "hopscope: cannot run %s: %s\n", argv[0],
			strerror(errno));
		_exit(127);
	}
	return pid;
}

int hs_bed_stop(pid_t pid)
{
	int status;

	if (pid <= 0)
		return -1;
	kill(pid, SIGTERM);
	if (waitpid(pid, &status, 0) < 0)
		return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}
