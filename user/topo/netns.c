// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <linux/nsfs.h>
#include "core/log.h"
#include "topo/netns.h"

#define NETNS_RUN_DIR "/run/netns"

/* The /run/netns name of a namespace inode, if it has one. */
static int name_by_inode(uint64_t inode, char *name, size_t len)
{
	struct dirent *de;
	struct stat st;
	char path[PATH_MAX];
	DIR *dir = opendir(NETNS_RUN_DIR);
	int found = 0;

	if (!dir)
		return 0;
	while (!found && (de = readdir(dir))) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), NETNS_RUN_DIR "/%s", de->d_name);
		if (!stat(path, &st) && st.st_ino == inode &&
		    strlen(de->d_name) < len) {
			memcpy(name, de->d_name, strlen(de->d_name) + 1);
			found = 1;
		}
	}
	closedir(dir);
	return found;
}

static int parse_pid(const char *s, long *pid)
{
	char *end;

	errno = 0;
	*pid = strtol(s, &end, 10);
	return !errno && end != s && !*end && *pid > 0;
}

uint64_t hs_netns_host_inode(void)
{
	char comm[16] = "";
	struct stat st;
	FILE *f;

	if (!stat("/proc/1/ns/net", &st))
		return st.st_ino;
	/* pid 1 may be out of reach (a sandbox's own init); kthreadd, pid 2
	 * outside pid namespaces, always lives in the initial namespace */
	f = fopen("/proc/2/comm", "re");
	if (f) {
		if (!fgets(comm, sizeof(comm), f))
			comm[0] = '\0';
		fclose(f);
	}
	if (strcmp(comm, "kthreadd\n") || stat("/proc/2/ns/net", &st))
		return 0;
	return st.st_ino;
}

void hs_netns_container_name(const struct hs_container *c, char *name,
			     size_t len)
{
	snprintf(name, len, "%s:%s", c->runtime, c->name);
}

/* "docker:NAME" or "podman:NAME": its runtime's length, else 0. */
static size_t runtime_prefix(const char *spec)
{
	size_t len = strcspn(spec, ":");

	return spec[len] && hs_runtime_index(spec, len) >= 0 ? len : 0;
}

/* The path of a container's namespace, its details into ns->container. */
static int container_path(const char *spec, size_t rt_len, struct hs_netns *ns,
			  char *path, size_t len, char *err, size_t errlen)
{
	struct hs_runtimes rts;
	char runtime[8];
	int e;

	snprintf(runtime, sizeof(runtime), "%.*s", (int)rt_len, spec);
	hs_runtimes_find(&rts);
	e = hs_runtimes_by_name(&rts, runtime, spec + rt_len + 1,
				&ns->container);
	if (e) {
		snprintf(err, errlen, "no running %s container '%s'", runtime,
			 spec + rt_len + 1);
		return e == -EIO ? -EIO : -ENOENT;
	}
	snprintf(path, len, "/proc/%d/ns/net", (int)ns->container.pid);
	return 0;
}

int hs_netns_open(const char *spec, struct hs_netns *ns, char *err,
		  size_t errlen)
{
	char path[PATH_MAX];
	struct stat st;
	size_t rt_len;
	long pid;
	int e;

	memset(ns, 0, sizeof(*ns));
	ns->fd = -1;
	rt_len = spec ? runtime_prefix(spec) : 0;
	if (rt_len) {
		e = container_path(spec, rt_len, ns, path, sizeof(path), err,
				   errlen);
		if (e)
			return e;
	} else if (spec && !strcmp(spec, HS_NETNS_HOST)) {
		snprintf(path, sizeof(path), "/proc/%d/ns/net",
			 stat("/proc/1/ns/net", &st) ? 2 : 1);
	} else if (!spec || !*spec) {
		snprintf(path, sizeof(path), "/proc/self/ns/net");
	} else if (!strncmp(spec, "pid:", 4)) {
		if (!parse_pid(spec + 4, &pid)) {
			snprintf(
				err, errlen,
				"bad namespace '%s': pid:PID needs a process id",
				spec);
			return -EINVAL;
		}
		snprintf(path, sizeof(path), "/proc/%ld/ns/net", pid);
	} else if (strchr(spec, '/')) {
		snprintf(path, sizeof(path), "%s", spec);
	} else {
		snprintf(path, sizeof(path), NETNS_RUN_DIR "/%s", spec);
	}

	ns->fd = open(path, O_RDONLY | O_CLOEXEC);
	if (ns->fd < 0) {
		e = errno;
		snprintf(err, errlen,
			 "network namespace '%s' not found (%s: %s)",
			 spec && *spec ? spec : "self", path, strerror(e));
		return -e;
	}
	if (fstat(ns->fd, &st)) {
		e = errno;
		snprintf(err, errlen, "network namespace '%s': %s", spec,
			 strerror(e));
		hs_netns_close(ns);
		return -e;
	}
	ns->inode = st.st_ino;
	/* a file that is not a network namespace fails here, not at setns() */
	if (ioctl(ns->fd, NS_GET_NSTYPE) != CLONE_NEWNET) {
		snprintf(err, errlen, "'%s' is not a network namespace (%s)",
			 spec, path);
		hs_netns_close(ns);
		return -EINVAL;
	}
	ns->self = !spec || !*spec;
	if (!ns->self)
		snprintf(ns->name, sizeof(ns->name), "%s", spec);
	else if (ns->inode == hs_netns_host_inode())
		snprintf(ns->name, sizeof(ns->name), HS_NETNS_HOST);
	else if (!name_by_inode(ns->inode, ns->name, sizeof(ns->name)))
		/* a name that works as a NETNS spec again */
		snprintf(ns->name, sizeof(ns->name), "pid:%d", (int)getpid());
	return 0;
}

void hs_netns_close(struct hs_netns *ns)
{
	if (ns->fd >= 0)
		close(ns->fd);
	ns->fd = -1;
}

int hs_netns_enter(const struct hs_netns *ns, int *saved)
{
	*saved = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
	if (*saved < 0)
		return -errno;
	if (setns(ns->fd, CLONE_NEWNET)) {
		int e = errno;

		close(*saved);
		*saved = -1;
		return -e;
	}
	return 0;
}

int hs_netns_leave(int saved)
{
	int err = 0;

	if (saved < 0)
		return 0;
	if (setns(saved, CLONE_NEWNET)) {
		err = -errno;
		pr_err("cannot return to the original network namespace: %s",
		       strerror(errno));
	}
	close(saved);
	return err;
}
