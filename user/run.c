// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cap-ng.h>
#include <linux/capability.h>
#include <bpf/libbpf.h>
#include "log.h"
#include "output.h"
#include "run.h"
#include "spec.h"

#define BTF_PATH "/sys/kernel/btf/vmlinux"

/* The namespaces of one run, opened once each. */
struct ns_table {
	unsigned int n;
	struct hs_netns *ns[HS_MAX_POINTS];
};

struct resolve {
	struct ns_table nst;
	struct hs_point_spec specs[HS_MAX_POINTS];
	unsigned int n;
};

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
	for (i = 0; i < sizeof(caps) / sizeof(caps[0]); i++) {
		if (!capng_have_capability(CAPNG_EFFECTIVE, caps[i].cap)) {
			pr_err("not running as root: %s is missing (run with sudo)",
			       caps[i].name);
			return HS_EXIT_FAILURE;
		}
	}
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
		if (!strcmp(t->ns[i]->name, name) ||
		    (!*name && !strcmp(t->ns[i]->name, "-")))
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

static int add_point(struct resolve *r, struct hs_netns *ns,
		     const struct hs_link *link, unsigned int hooks)
{
	unsigned int i, h;

	for (h = 0; h < HS_HOOK_COUNT; h++) {
		if (!(hooks & (1u << h)))
			continue;
		for (i = 0; i < r->n; i++) {
			if (r->specs[i].ns == ns &&
			    r->specs[i].link.ifindex == link->ifindex &&
			    r->specs[i].hook == h) {
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
	}
	return 0;
}

static int resolve_point(struct resolve *r, const char *text)
{
	struct hs_spec spec;
	struct hs_link link;
	struct hs_netns *ns;
	char err[512];
	int e;

	if (hs_spec_parse(text, &spec, err, sizeof(err))) {
		pr_err("%s", err);
		return -EINVAL;
	}
	ns = ns_get(&r->nst, spec.netns, err, sizeof(err));
	if (!ns) {
		pr_err("%s", err);
		return -ENOENT;
	}
	e = hs_link_lookup(ns, spec.ifname, &link);
	if (e) {
		pr_err("interface '%s' not found in network namespace '%s'%s%s",
		       spec.ifname, ns->name, e == -ENODEV ? "" : ": ",
		       e == -ENODEV ? "" : strerror(-e));
		return -ENODEV;
	}
	return add_point(r, ns, &link,
			 spec.hooks ? spec.hooks : hs_default_hooks(link.kind));
}

static int resolve_netns(struct resolve *r, const char *name)
{
	struct hs_link *links;
	struct hs_netns *ns;
	char err[512];
	int n, i, e = 0, added = 0;

	ns = ns_get(&r->nst, name, err, sizeof(err));
	if (!ns) {
		pr_err("%s", err);
		return -ENOENT;
	}
	n = hs_link_list(ns, &links);
	if (n < 0) {
		pr_err("cannot list the interfaces of '%s': %s", name,
		       strerror(-n));
		return n;
	}
	for (i = 0; i < n && !e; i++) {
		if (!strcmp(links[i].kind, "loopback"))
			continue;
		e = add_point(r, ns, &links[i], hs_default_hooks(links[i].kind));
		added++;
	}
	free(links);
	if (!e && !added) {
		pr_err("network namespace '%s' has no interface but lo", name);
		return -ENODEV;
	}
	return e;
}

static int resolve_all(struct resolve *r, const struct hs_run_opts *o)
{
	unsigned int i;
	int err;

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
		pr_err("no observation points: give --point or --netns");
		return -EINVAL;
	}
	return 0;
}

int hs_run(const struct hs_run_opts *o)
{
	struct hs_probes *probes = NULL;
	struct hs_output out = {};
	struct resolve *r;
	int ret, err;

	ret = hs_run_preflight();
	if (ret)
		return ret;
	r = calloc(1, sizeof(*r));
	probes = calloc(1, sizeof(*probes));
	if (!r || !probes) {
		pr_err("out of memory");
		ret = HS_EXIT_FAILURE;
		goto out;
	}
	if (resolve_all(r, o)) {
		ret = HS_EXIT_USAGE;
		goto out;
	}
	err = hs_output_open(&out, o->json_path, o->table);
	if (err) {
		pr_err("cannot open '%s' for JSON output: %s", o->json_path,
		       strerror(-err));
		ret = HS_EXIT_USAGE;
		goto out;
	}
	if (hs_collect_stop_pending() ||
	    hs_probes_attach(probes, r->specs, r->n, &o->probe)) {
		ret = HS_EXIT_FAILURE;
		goto out_close;
	}
	hs_output_points(&out, probes);
	ret = HS_EXIT_OK;
	if (o->on_attached && o->on_attached(o->ctx))
		ret = HS_EXIT_FAILURE;
	else if (hs_collect_run(probes, &o->collect, &out))
		ret = HS_EXIT_FAILURE;
	hs_probes_detach(probes);
out_close:
	hs_output_close(&out);
out:
	if (r)
		ns_table_free(&r->nst);
	free(r);
	free(probes);
	return ret;
}
