// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <errno.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "probe/select.h"
#include "probe/spec.h"
#include "topo/runtime.h"

static int parse_glob(const char *text, const char *glob, struct hs_selector *s,
		      char *err, size_t errlen)
{
	if (!*glob) {
		snprintf(err, errlen, "bad --select '%s': nothing after ':'",
			 text);
		return -EINVAL;
	}
	if (strlen(glob) >= sizeof(s->glob)) {
		snprintf(err, errlen, "bad --select '%s': longer than %zu bytes",
			 text, sizeof(s->glob) - 1);
		return -EINVAL;
	}
	snprintf(s->glob, sizeof(s->glob), "%s", glob);
	return 0;
}

static int parse_pid(const char *text, const char *num, struct hs_selector *s,
		     char *err, size_t errlen)
{
	char *end;
	long pid;

	errno = 0;
	pid = strtol(num, &end, 10);
	if (errno || end == num || *end || pid <= 0 || pid > INT32_MAX) {
		snprintf(err, errlen,
			 "bad --select '%s': expected pid:PID with a process id",
			 text);
		return -EINVAL;
	}
	s->pid = (int32_t)pid;
	return 0;
}

int hs_selector_parse(const char *text, struct hs_selector *s, char *err,
		      size_t errlen)
{
	size_t len = strcspn(text, ":");
	const char *rest = text[len] ? text + len + 1 : NULL;
	int rt = hs_runtime_index(text, len);

	memset(s, 0, sizeof(*s));
	if (rt >= 0) {
		s->kind = HS_SELECT_CONTAINERS;
		snprintf(s->runtime, sizeof(s->runtime), "%s",
			 hs_runtime_names[rt]);
		if (!rest) {
			snprintf(s->glob, sizeof(s->glob), "*");
			return 0;
		}
		return parse_glob(text, rest, s, err, errlen);
	}
	if (rest && len == 5 && !strncmp(text, "netns", 5)) {
		s->kind = HS_SELECT_NETNS;
		return parse_glob(text, rest, s, err, errlen);
	}
	if (rest && len == 3 && !strncmp(text, "pid", 3)) {
		s->kind = HS_SELECT_PID;
		return parse_pid(text, rest, s, err, errlen);
	}
	snprintf(err, errlen,
		 "bad --select '%s': expected docker[:GLOB], podman[:GLOB], netns:GLOB or pid:PID",
		 text);
	return -EINVAL;
}

/* The runtime and container name of a namespace named RUNTIME:NAME. */
static bool pid_match(int32_t pid, const struct hs_topo_ns *ns)
{
	char path[64];
	struct stat st;

	snprintf(path, sizeof(path), "/proc/%d/ns/net", pid);
	return !stat(path, &st) && (uint64_t)st.st_ino == ns->ns.inode;
}

static bool one_match(const struct hs_selector *s, const struct hs_topo_ns *ns)
{
	switch (s->kind) {
	case HS_SELECT_CONTAINERS:
		return !strcmp(ns->ns.container.runtime, s->runtime) &&
		       !fnmatch(s->glob, ns->ns.container.name, 0);
	case HS_SELECT_NETNS:
		return ns->named && !fnmatch(s->glob, ns->ns.name, 0);
	case HS_SELECT_PID:
		return pid_match(s->pid, ns);
	}
	return false;
}

bool hs_select_match(const struct hs_selector *sel, unsigned int n,
		     const struct hs_topo_ns *ns)
{
	unsigned int i;

	if (!n)
		return ns->ns.container.runtime[0] != '\0';
	for (i = 0; i < n; i++)
		if (one_match(&sel[i], ns))
			return true;
	return false;
}

struct points {
	struct hs_point_spec *out;
	unsigned int n, max;
	enum hs_hook_set hook_set;
	bool full;
};

static void add(struct points *p, const struct hs_topo *t, unsigned int link)
{
	const struct hs_link *l = &t->links[link];
	struct hs_netns *ns = &t->ns[t->link_ns[link]].ns;
	unsigned int hooks = hs_set_hooks(l, p->hook_set), h, i;

	for (h = 0; h < HS_HOOK_COUNT; h++) {
		if (!(hooks & (1u << h)))
			continue;
		for (i = 0; i < p->n; i++)
			if (p->out[i].ns == ns &&
			    p->out[i].link.ifindex == l->ifindex &&
			    p->out[i].hook == h)
				break;
		if (i < p->n)
			continue;
		if (p->n == p->max) {
			p->full = true;
			return;
		}
		p->out[p->n++] = (struct hs_point_spec){
			.ns = ns, .link = *l, .hook = (enum hs_hook)h
		};
	}
}

/* The link a reference names, if discovery found it. */
static int find_ref(const struct hs_topo *t, const struct hs_link_ref *r)
{
	unsigned int i;

	if (!r->ifindex)
		return -1;
	for (i = 0; i < t->n_links; i++)
		if (t->links[i].netns_inode == r->netns_inode &&
		    t->links[i].ifindex == r->ifindex)
			return (int)i;
	return -1;
}

int hs_select_points(const struct hs_topo *t, const struct hs_selector *sel,
		     unsigned int n_sel, enum hs_hook_set hook_set,
		     struct hs_point_spec *out, unsigned int max)
{
	struct points p = { .out = out, .max = max, .hook_set = hook_set };
	unsigned int i;
	int far;

	for (i = 0; i < t->n_links; i++) {
		const struct hs_link *l = &t->links[i];

		if (l->kind == HS_LINK_LOOPBACK ||
		    !hs_select_match(sel, n_sel, &t->ns[t->link_ns[i]]))
			continue;
		add(&p, t, i);
		far = find_ref(t, l->kind == HS_LINK_MACVLAN ? &l->parent :
							       &l->peer);
		if (far >= 0)
			add(&p, t, (unsigned int)far);
	}
	return p.full ? -E2BIG : (int)p.n;
}
