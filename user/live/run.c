// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cap-ng.h>
#include <linux/capability.h>
#include <bpf/libbpf.h>
#include "core/log.h"
#include "output/output.h"
#include "live/run.h"
#include "probe/spec.h"
#include "topo/topology.h"

#define BTF_PATH "/sys/kernel/btf/vmlinux"

/* The namespaces the user named, opened once each. */
struct ns_table {
	unsigned int n;
	struct hs_netns *ns[HS_MAX_POINTS];
};

struct resolve {
	struct ns_table nst;
	struct hs_topo topo; /* namespaces open until the probes attach */
	struct hs_point_spec specs[HS_MAX_POINTS];
	unsigned int n;
};

/* The effective capability, or one line naming it and a failure. */
static int require_cap(int cap, const char *name)
{
	if (capng_have_capability(CAPNG_EFFECTIVE, cap))
		return HS_EXIT_OK;
	pr_err("not running as root: %s is missing (run with sudo)", name);
	return HS_EXIT_FAILURE;
}

int hs_run_preflight_topo(void)
{
	/* entering other namespaces takes CAP_SYS_ADMIN */
	capng_get_caps_process();
	return require_cap(CAP_SYS_ADMIN, "CAP_SYS_ADMIN");
}

int hs_run_preflight(void)
{
	static const struct {
		int cap;
		const char *name;
	} caps[] = {
		{ CAP_BPF, "CAP_BPF" },
		{ CAP_NET_ADMIN, "CAP_NET_ADMIN" },
		{ CAP_SYS_ADMIN, "CAP_SYS_ADMIN" },
	};
	size_t i;

	capng_get_caps_process();
	for (i = 0; i < sizeof(caps) / sizeof(caps[0]); i++)
		if (require_cap(caps[i].cap, caps[i].name))
			return HS_EXIT_FAILURE;
	if (access(BTF_PATH, R_OK)) {
		pr_err("the kernel has no BTF (%s: %s): it needs CONFIG_DEBUG_INFO_BTF=y",
		       BTF_PATH, strerror(errno));
		return HS_EXIT_FAILURE;
	}
	if (libbpf_probe_bpf_map_type(BPF_MAP_TYPE_RINGBUF, NULL) != 1) {
		pr_err("the kernel has no BPF ring buffer (BPF_MAP_TYPE_RINGBUF, Linux 5.8+)");
		return HS_EXIT_FAILURE;
	}
	return HS_EXIT_OK;
}

static struct hs_netns *ns_get(struct ns_table *t, const char *name,
			       char *err, size_t errlen)
{
	struct hs_netns *ns;
	unsigned int i;

	for (i = 0; i < t->n; i++)
		if (!strcmp(t->ns[i]->name, name) || (!*name && t->ns[i]->self))
			return t->ns[i];
	if (t->n == HS_MAX_POINTS) {
		snprintf(err, errlen, "too many namespaces");
		return NULL;
	}
	ns = calloc(1, sizeof(*ns));
	if (!ns) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	if (hs_netns_open(name, ns, err, errlen)) {
		free(ns);
		return NULL;
	}
	/* two names for one namespace are one namespace */
	for (i = 0; i < t->n; i++) {
		if (t->ns[i]->inode == ns->inode) {
			hs_netns_close(ns);
			free(ns);
			return t->ns[i];
		}
	}
	t->ns[t->n++] = ns;
	return ns;
}

static void ns_table_free(struct ns_table *t)
{
	unsigned int i;

	for (i = 0; i < t->n; i++) {
		hs_netns_close(t->ns[i]);
		free(t->ns[i]);
	}
	t->n = 0;
}

/* The topology's own copy of a namespace the user opened. */
static struct hs_netns *topo_ns(struct resolve *r, const struct hs_netns *ns)
{
	int i = hs_topo_ns_index(&r->topo, ns->inode);

	return i < 0 ? NULL : &r->topo.ns[i].ns;
}

static int add_point(struct resolve *r, struct hs_netns *ns,
		     const struct hs_link *link, unsigned int hooks,
		     bool by_kind)
{
	unsigned int i, h;

	for (h = 0; h < HS_HOOK_COUNT; h++) {
		if (!(hooks & (1u << h)))
			continue;
		for (i = 0; i < r->n; i++) {
			if (r->specs[i].ns == ns &&
			    r->specs[i].link.ifindex == link->ifindex &&
			    r->specs[i].hook == h) {
				/* --netns and --between overlap freely */
				if (by_kind)
					goto next;
				pr_err("point %s:%s@%s is given twice", ns->name,
				       link->ifname, hs_hook_name(h));
				return -EINVAL;
			}
		}
		if (r->n == HS_MAX_POINTS) {
			pr_err("more than %d observation points", HS_MAX_POINTS);
			return -E2BIG;
		}
		r->specs[r->n].ns = ns;
		r->specs[r->n].link = *link;
		r->specs[r->n].hook = h;
		r->n++;
next:;
	}
	return 0;
}

/* Open every namespace named on the command line, before discovery. */
static int open_named(struct resolve *r, const struct hs_run_opts *o)
{
	struct hs_spec spec;
	char err[512];
	unsigned int i;

	for (i = 0; i < o->n_points; i++) {
		if (hs_spec_parse(o->points[i], &spec, err, sizeof(err))) {
			pr_err("%s", err);
			return -EINVAL;
		}
		if (!ns_get(&r->nst, spec.netns, err, sizeof(err)))
			goto fail;
	}
	for (i = 0; i < o->n_netns; i++)
		if (!ns_get(&r->nst, o->netns[i], err, sizeof(err)))
			goto fail;
	for (i = 0; i < 2 * o->n_between; i++)
		if (!ns_get(&r->nst, o->between[i], err, sizeof(err)))
			goto fail;
	return 0;
fail:
	pr_err("%s", err);
	return -ENOENT;
}

static struct hs_netns *named(struct resolve *r, const char *name)
{
	char err[512];
	struct hs_netns *ns = ns_get(&r->nst, name, err, sizeof(err));

	return ns ? topo_ns(r, ns) : NULL;
}

static int resolve_point(struct resolve *r, const char *text)
{
	const struct hs_link *link;
	struct hs_spec spec;
	struct hs_netns *ns;
	char err[512];

	hs_spec_parse(text, &spec, err, sizeof(err));
	ns = named(r, spec.netns);
	if (!ns)
		return -ENOENT;
	link = hs_topo_find(&r->topo, ns->inode, spec.ifname);
	if (!link) {
		pr_err("interface '%s' not found in network namespace '%s'",
		       spec.ifname, ns->name);
		return -ENODEV;
	}
	return add_point(r, ns, link,
			 spec.hooks ? spec.hooks : hs_default_hooks(link->kind),
			 !spec.hooks);
}

/* Every interface of one namespace of the topology but lo. */
static int resolve_netns(struct resolve *r, const char *name)
{
	struct hs_netns *ns = named(r, name);
	int idx, e = 0, added = 0;
	unsigned int i;

	if (!ns)
		return -ENOENT;
	idx = hs_topo_ns_index(&r->topo, ns->inode);
	for (i = 0; i < r->topo.n_links && !e; i++) {
		const struct hs_link *l = &r->topo.links[i];

		if (r->topo.link_ns[i] != (unsigned int)idx ||
		    !strcmp(l->kind, "loopback"))
			continue;
		e = add_point(r, ns, l, hs_default_hooks(l->kind), true);
		added++;
	}
	if (!e && !added) {
		pr_err("network namespace '%s' has no interface but lo", name);
		return -ENODEV;
	}
	return e;
}

/* Every interface on the path from namespace a to namespace b. */
static int resolve_between(struct resolve *r, const char *a, const char *b)
{
	struct hs_netns *na = named(r, a), *nb = named(r, b);
	unsigned int path[HS_MAX_POINTS];
	int n, i, e = 0;

	if (!na || !nb)
		return -ENOENT;
	if (na->inode == nb->inode) {
		pr_err("--between '%s' '%s': the same namespace twice", a, b);
		return -EINVAL;
	}
	n = hs_topo_between(&r->topo, hs_topo_ns_index(&r->topo, na->inode),
			    hs_topo_ns_index(&r->topo, nb->inode), path,
			    HS_MAX_POINTS);
	if (n <= 0) {
		pr_err("--between '%s' '%s': %s", a, b,
		       n ? "the path is too long" :
			   "no path connects the two namespaces");
		return n ? n : -ENOENT;
	}
	for (i = 0; i < n && !e; i++) {
		const struct hs_link *l = &r->topo.links[path[i]];

		e = add_point(r, &r->topo.ns[r->topo.link_ns[path[i]]].ns, l,
			      hs_default_hooks(l->kind), true);
	}
	return e;
}

static int resolve_all(struct resolve *r, const struct hs_run_opts *o)
{
	struct hs_topo_opts to = { .processes = true };
	unsigned int i;
	int err;

	err = open_named(r, o);
	if (err)
		return err;
	to.extra = (const struct hs_netns *const *)r->nst.ns;
	to.n_extra = r->nst.n;
	if (hs_topo_discover(&r->topo, &to))
		return -EIO;
	for (i = 0; i < o->n_between; i++) {
		err = resolve_between(r, o->between[2 * i],
				      o->between[2 * i + 1]);
		if (err)
			return err;
	}
	for (i = 0; i < o->n_points; i++) {
		err = resolve_point(r, o->points[i]);
		if (err)
			return err;
	}
	for (i = 0; i < o->n_netns; i++) {
		err = resolve_netns(r, o->netns[i]);
		if (err)
			return err;
	}
	if (!r->n) {
		pr_err("no observation points: give --point, --netns or --between");
		return -EINVAL;
	}
	return 0;
}

/*
 * Once attached, hold no namespace open that the probes do not need: an
 * open fd keeps a namespace (a container's, say) alive after it is
 * deleted. Probes on bpf_links need none; clsact ones need theirs to
 * detach, so with any of those everything stays.
 */
static void release_namespaces(struct resolve *r, const struct hs_probes *p)
{
	unsigned int i;

	for (i = 0; i < p->n; i++)
		if (p->points[i].attached == HS_ATTACHED_CLSACT)
			return;
	for (i = 0; i < r->topo.n_ns; i++)
		hs_netns_close(&r->topo.ns[i].ns);
	ns_table_free(&r->nst);
}

/* Measuring starts (the session has printed the point lines). */
static int on_ready(void *ctx)
{
	const struct hs_run_opts *o = ctx;

	return o->on_attached ? o->on_attached(o->ctx) : 0;
}

/* Everything that can be wrong with the options, found before anything
 * is attached: an output that cannot be written, a port that is taken. */
static int open_outputs(const struct hs_run_opts *o, struct hs_output *out,
			struct hs_metrics **metrics, bool *created)
{
	const char *which;
	char err[512];
	int e, fd;

	e = hs_output_open(out, o->json_path, o->csv_path, o->table, &which);
	if (e) {
		pr_err("cannot open '%s' for output: %s", which, strerror(-e));
		return HS_EXIT_USAGE;
	}
	if (o->collect.write_path) {
		*created = access(o->collect.write_path, F_OK) != 0;
		fd = open(o->collect.write_path,
			  O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
		if (fd < 0) {
			pr_err("cannot create record file '%s': %s",
			       o->collect.write_path, strerror(errno));
			return HS_EXIT_USAGE;
		}
		close(fd);
	}
	if (o->metrics &&
	    hs_metrics_start(metrics, o->metrics, NULL, NULL, err, sizeof(err))) {
		pr_err("%s", err);
		return HS_EXIT_FAILURE;
	}
	return HS_EXIT_OK;
}

/* A record file made for a run that never started says nothing: it goes,
 * unless it was there before. */
static void unlink_if_empty(const char *path, bool created)
{
	struct stat st;

	if (path && created && !stat(path, &st) && !st.st_size)
		unlink(path);
}

int hs_run(const struct hs_run_opts *o)
{
	struct hs_collect_config collect = o->collect;
	struct hs_metrics *metrics = NULL;
	struct hs_probes *probes = NULL;
	struct hs_output out = {};
	bool created = false;
	struct resolve *r;
	int ret, err;

	ret = hs_run_preflight();
	if (ret)
		return ret;
	if (o->probe.stamp_tai && !hs_probe_has_tai()) {
		pr_err("--clock tai: this kernel has no bpf_ktime_get_tai_ns (Linux 6.1+)");
		return HS_EXIT_FAILURE;
	}
	r = calloc(1, sizeof(*r));
	probes = calloc(1, sizeof(*probes));
	if (!r || !probes) {
		pr_err("out of memory");
		ret = HS_EXIT_FAILURE;
		goto out;
	}
	err = resolve_all(r, o);
	if (err) {
		ret = err == -EIO ? HS_EXIT_FAILURE : HS_EXIT_USAGE;
		goto out;
	}
	ret = open_outputs(o, &out, &metrics, &created);
	if (ret)
		goto out_close;
	if (hs_collect_stop_pending()) {
		pr_err("interrupted before measuring");
		ret = HS_EXIT_FAILURE;
		goto out_close;
	}
	if (hs_probes_attach(probes, r->specs, r->n, &o->probe)) {
		ret = HS_EXIT_FAILURE;
		goto out_close;
	}
	collect.watch = hs_watch_new(probes);
	release_namespaces(r, probes);
	collect.metrics = metrics;
	collect.on_ready = on_ready;
	collect.ready_ctx = (void *)o;
	ret = hs_collect_run(probes, &collect, &out) ? HS_EXIT_FAILURE :
						       HS_EXIT_OK;
	hs_watch_free(collect.watch);
	if (out.failed && !ret) {
		pr_err("cannot write the output (%s%s%s)",
		       o->json_path ? o->json_path : "",
		       o->json_path && o->csv_path ? ", " : "",
		       o->csv_path ? o->csv_path : "");
		ret = HS_EXIT_FAILURE;
	}
	hs_probes_detach(probes);
out_close:
	hs_metrics_stop(metrics);
	hs_output_close(&out);
	unlink_if_empty(o->collect.write_path, created);
out:
	if (r) {
		ns_table_free(&r->nst);
		hs_topo_free(&r->topo);
	}
	free(r);
	free(probes);
	return ret;
}
