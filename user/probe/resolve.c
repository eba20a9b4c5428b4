// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/hooks.h"
#include "core/log.h"
#include "probe/resolve.h"
#include "probe/spec.h"
#include "topo/path.h"

static struct hs_netns *ns_get(struct hs_resolved *t, const char *name,
			       char *err, size_t errlen)
{
	struct hs_netns *ns;
	unsigned int i;

	for (i = 0; i < t->n_ns; i++)
		if (!strcmp(t->ns[i]->name, name) || (!*name && t->ns[i]->self))
			return t->ns[i];
	if (t->n_ns == HS_MAX_POINTS) {
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
	for (i = 0; i < t->n_ns; i++) {
		if (t->ns[i]->inode == ns->inode) {
			hs_netns_close(ns);
			free(ns);
			return t->ns[i];
		}
	}
	t->ns[t->n_ns++] = ns;
	return ns;
}

static void ns_table_free(struct hs_resolved *t)
{
	unsigned int i;

	for (i = 0; i < t->n_ns; i++) {
		hs_netns_close(t->ns[i]);
		free(t->ns[i]);
	}
	t->n_ns = 0;
}

/* The topology's own copy of a namespace the user opened. */
static struct hs_netns *topo_ns(struct hs_resolved *r,
				const struct hs_netns *ns)
{
	int i = hs_topo_ns_index(&r->topo, ns->inode);

	return i < 0 ? NULL : &r->topo.ns[i].ns;
}

static int add_point(struct hs_resolved *r, struct hs_netns *ns,
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
				pr_err("point %s:%s@%s is given twice",
				       ns->name, link->ifname, hs_hook_name(h));
				return -EINVAL;
			}
		}
		if (r->n == HS_MAX_POINTS) {
			pr_err("more than %d observation points",
			       HS_MAX_POINTS);
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
static int open_named(struct hs_resolved *r, const struct hs_selection *o)
{
	struct hs_spec spec;
	char err[512];
	unsigned int i;

	for (i = 0; i < o->n_points; i++) {
		if (hs_spec_parse(o->points[i], &spec, err, sizeof(err))) {
			pr_err("%s", err);
			return -EINVAL;
		}
		if (!ns_get(r, spec.netns, err, sizeof(err)))
			goto fail;
	}
	for (i = 0; i < o->n_netns; i++)
		if (!ns_get(r, o->netns[i], err, sizeof(err)))
			goto fail;
	for (i = 0; i < 2 * o->n_between; i++)
		if (!ns_get(r, o->between[i], err, sizeof(err)))
			goto fail;
	return 0;
fail:
	pr_err("%s", err);
	return -ENOENT;
}

static struct hs_netns *named(struct hs_resolved *r, const char *name)
{
	char err[512];
	struct hs_netns *ns = ns_get(r, name, err, sizeof(err));

	return ns ? topo_ns(r, ns) : NULL;
}

static int resolve_point(struct hs_resolved *r, const char *text)
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
			 spec.hooks ? spec.hooks :
					  hs_set_hooks(link, r->hook_set),
			 !spec.hooks);
}

/* Every interface of one namespace of the topology but lo. */
static int resolve_netns(struct hs_resolved *r, const char *name)
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
		    l->kind == HS_LINK_LOOPBACK)
			continue;
		e = add_point(r, ns, l, hs_set_hooks(l, r->hook_set), true);
		added++;
	}
	if (!e && !added) {
		pr_err("network namespace '%s' has no interface but lo", name);
		return -ENODEV;
	}
	return e;
}

/* Every interface on the path from namespace a to namespace b. */
static int resolve_between(struct hs_resolved *r, const char *a, const char *b)
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
			      hs_set_hooks(l, r->hook_set), true);
	}
	return e;
}

int hs_resolve(struct hs_resolved *r, const struct hs_selection *o)
{
	struct hs_topo_opts to = { .processes = true };
	unsigned int i;
	int err;

	r->hook_set = o->hook_set;
	err = open_named(r, o);
	if (err)
		return err;
	to.extra = (const struct hs_netns *const *)r->ns;
	to.n_extra = r->n_ns;
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

void hs_resolved_release(struct hs_resolved *r, const struct hs_probes *p)
{
	unsigned int i;

	for (i = 0; i < p->n; i++)
		if (p->points[i].attached == HS_ATTACHED_CLSACT)
			return;
	for (i = 0; i < r->topo.n_ns; i++)
		hs_netns_close(&r->topo.ns[i].ns);
	ns_table_free(r);
}

void hs_resolved_free(struct hs_resolved *r)
{
	ns_table_free(r);
	hs_topo_free(&r->topo);
}
