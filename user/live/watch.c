// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <netlink/netlink.h>
#include <netlink/route/link.h>
#include "core/log.h"
#include "analysis/session.h"
#include "live/watch.h"
#include "topo/topo.h"

#ifndef IFF_LOWER_UP
#define IFF_LOWER_UP 0x10000 /* linux/if.h: carrier; not in net/if.h */
#endif

enum if_state { IF_UP = 0, IF_DOWN, IF_GONE };

static const char *const state_text[] = {
	[IF_UP] = "is up again",
	[IF_DOWN] = "went down (no carrier or set down)",
	[IF_GONE] = "is gone (deleted, or its namespace was)",
};

static const char *const state_event[] = {
	[IF_UP] = "up",
	[IF_DOWN] = "down",
	[IF_GONE] = "gone",
};

struct watched_ns {
	const struct hs_netns *ns;
	char path[PATH_MAX]; /* where its name lives; "" if it has none */
	struct nl_sock *sk;
	/* RTNLGRP_LINK: the kernel says when a link changes; -1 none */
	int notify_fd;
	bool gone;
	/* its name went, a process keeps it: said once */
	bool nameless;
};

struct watched_if {
	unsigned int ns; /* index into w->ns */
	int ifindex;
	char name[HS_NETNS_NAME_MAX + IF_NAMESIZE + 2];
	uint16_t first_point;
	enum if_state state;
};

struct hs_watch {
	int epfd; /* every namespace's notify_fd */
	unsigned int n_ns, n_if;
	struct watched_ns ns[HS_MAX_POINTS];
	struct watched_if ifs[HS_MAX_POINTS];
};

/* The file whose inode is the namespace while its name stands. */
static void name_path(const struct hs_netns *ns, char *path, size_t len)
{
	if (!strncmp(ns->name, "pid:", 4))
		snprintf(path, len, "/proc/%s/ns/net", ns->name + 4);
	else if (strchr(ns->name, '/'))
		snprintf(path, len, "%s", ns->name);
	else if (ns->self)
		path[0] = '\0';
	else
		snprintf(path, len, "/run/netns/%s", ns->name);
}

/* A socket in ns told of every link change there: a change is seen
 * when it happens, not at the next look (packets lost to an interface
 * that vanished count as lost from the moment it did: hops.h). -1 if
 * it cannot be had; the looks once a second still see everything. */
static int notify_socket_in(const struct hs_netns *ns)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK,
				  .nl_groups = RTMGRP_LINK };
	int fd, saved;

	if (hs_netns_enter(ns, &saved))
		return -1;
	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC,
		    NETLINK_ROUTE);
	if (fd >= 0 && bind(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		close(fd);
		fd = -1;
	}
	hs_netns_leave(saved);
	return fd;
}

static void close_notify(struct hs_watch *w, struct watched_ns *wn)
{
	if (wn->notify_fd < 0)
		return;
	epoll_ctl(w->epfd, EPOLL_CTL_DEL, wn->notify_fd, NULL);
	close(wn->notify_fd);
	wn->notify_fd = -1;
}

static int ns_slot(struct hs_watch *w, const struct hs_netns *ns)
{
	struct watched_ns *wn;
	unsigned int i;

	for (i = 0; i < w->n_ns; i++)
		if (w->ns[i].ns == ns)
			return (int)i;
	wn = &w->ns[w->n_ns];
	wn->ns = ns;
	name_path(ns, wn->path, sizeof(wn->path));
	wn->sk = hs_route_socket_in(ns);
	wn->notify_fd = w->epfd >= 0 ? notify_socket_in(ns) : -1;
	if (wn->notify_fd >= 0) {
		struct epoll_event ev = { .events = EPOLLIN,
					  .data.fd = wn->notify_fd };

		if (epoll_ctl(w->epfd, EPOLL_CTL_ADD, wn->notify_fd, &ev)) {
			close(wn->notify_fd);
			wn->notify_fd = -1;
		}
	}
	return (int)w->n_ns++;
}

struct hs_watch *hs_watch_new(const struct hs_probes *p)
{
	struct hs_watch *w = calloc(1, sizeof(*w));
	unsigned int i, k;

	if (!w)
		return NULL;
	w->epfd = epoll_create1(EPOLL_CLOEXEC);
	for (i = 0; i < p->n; i++) {
		const struct hs_point *pt = &p->points[i];
		int ns;

		if (!pt->in_use || pt->skipped)
			continue;
		ns = ns_slot(w, pt->ns);
		for (k = 0; k < w->n_if; k++)
			if (w->ifs[k].ns == (unsigned int)ns &&
			    w->ifs[k].ifindex == pt->link.ifindex)
				break;
		if (k < w->n_if)
			continue;
		w->ifs[k].ns = (unsigned int)ns;
		w->ifs[k].ifindex = pt->link.ifindex;
		w->ifs[k].first_point = pt->id;
		snprintf(w->ifs[k].name, sizeof(w->ifs[k].name), "%s:%s",
			 pt->ns->name, pt->link.ifname);
		w->n_if++;
	}
	return w;
}

static void report(struct hs_session *s, struct watched_if *wi,
		   enum if_state state)
{
	if (state == wi->state)
		return;
	wi->state = state;
	pr_warn("%s %s; the other points keep measuring", wi->name,
		state_text[state]);
	hs_session_event(s, wi->first_point, state_event[state]);
}

/*
 * A process but this one whose network namespace is inode: 0 when there
 * is none (this one is there only through its sockets). A
 * namespace whose name was deleted lives on while a process is in it
 * (ip netns del under a running container): it is not gone then. Looked
 * at only once the name went, so the walk of /proc is no steady cost.
 */
static int process_in(uint64_t inode)
{
	struct dirent *d;
	char path[sizeof("/proc//ns/net") + sizeof(d->d_name)];
	struct stat st;
	DIR *proc = opendir("/proc");
	int pid = 0, self = getpid();

	if (!proc)
		return 0;
	while (!pid && (d = readdir(proc))) {
		if (d->d_name[0] < '1' || d->d_name[0] > '9' ||
		    atoi(d->d_name) == self)
			continue;
		snprintf(path, sizeof(path), "/proc/%s/ns/net", d->d_name);
		if (!stat(path, &st) && (uint64_t)st.st_ino == inode)
			pid = atoi(d->d_name);
	}
	closedir(proc);
	return pid;
}

static void check_ns(struct hs_watch *w, unsigned int i)
{
	struct watched_ns *wn = &w->ns[i];
	struct stat st;
	int pid;

	if (wn->gone || !wn->path[0])
		return;
	if (!stat(wn->path, &st) && (uint64_t)st.st_ino == wn->ns->inode)
		return;
	pid = process_in(wn->ns->inode);
	if (pid) {
		if (!wn->nameless)
			pr_warn("network namespace '%s' lost its name, but process %d keeps it: still measuring",
				wn->ns->name, pid);
		wn->nameless = true;
		return;
	}
	wn->gone = true;
	pr_warn("network namespace '%s' is gone; letting go of it",
		wn->ns->name);
	/* our sockets would keep it, and its interfaces, alive */
	if (wn->sk)
		nl_socket_free(wn->sk);
	wn->sk = NULL;
	close_notify(w, wn);
}

void hs_watch_check(struct hs_watch *w, struct hs_session *s)
{
	unsigned int i;

	if (!w)
		return;
	for (i = 0; i < w->n_ns; i++)
		check_ns(w, i);
	for (i = 0; i < w->n_if; i++) {
		struct watched_if *wi = &w->ifs[i];
		struct watched_ns *wn = &w->ns[wi->ns];
		struct rtnl_link *link = NULL;
		unsigned int flags;

		if (wi->state == IF_GONE)
			continue;
		if (wn->gone) {
			report(s, wi, IF_GONE);
			continue;
		}
		if (!wn->sk)
			continue;
		if (rtnl_link_get_kernel(wn->sk, wi->ifindex, NULL, &link)) {
			report(s, wi, IF_GONE);
			continue;
		}
		flags = rtnl_link_get_flags(link);
		rtnl_link_put(link);
		report(s, wi,
		       (flags & IFF_UP) && (flags & IFF_LOWER_UP) ? IF_UP :
								    IF_DOWN);
	}
}

int hs_watch_fd(const struct hs_watch *w)
{
	return w ? w->epfd : -1;
}

/* Read what a notify socket holds, all of it: only that something
 * changed matters, the look says what. */
static bool drain_notify(int fd)
{
	char buf[8192];
	bool any = false;
	ssize_t n;

	/* ENOBUFS: the kernel dropped some, which is news as well */
	while ((n = recv(fd, buf, sizeof(buf), 0)) > 0 ||
	       (n < 0 && errno == ENOBUFS))
		any = true;
	return any;
}

void hs_watch_notified(struct hs_watch *w, struct hs_session *s)
{
	struct epoll_event evs[16];
	bool any = false;
	int i, n;

	if (!w || w->epfd < 0)
		return;
	n = epoll_wait(w->epfd, evs, 16, 0);
	for (i = 0; i < n; i++)
		any |= drain_notify(evs[i].data.fd);
	if (any)
		hs_watch_check(w, s);
}

void hs_watch_free(struct hs_watch *w)
{
	unsigned int i;

	if (!w)
		return;
	for (i = 0; i < w->n_ns; i++) {
		if (w->ns[i].sk)
			nl_socket_free(w->ns[i].sk);
		close_notify(w, &w->ns[i]);
	}
	if (w->epfd >= 0)
		close(w->epfd);
	free(w);
}
