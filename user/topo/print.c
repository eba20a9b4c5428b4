// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * print.c - `hopscope topo`: the topology as a tree, JSON lines or a
 * Graphviz graph.
 */
#include <stdio.h>
#include <string.h>
#include <json-c/json.h>
#include "core/hooks.h"
#include "topo/print.h"

static const char *ns_name_of(const struct hs_topo *t, uint64_t inode)
{
	int i = hs_topo_ns_index(t, inode);

	return i < 0 ? "?" : t->ns[i].ns.name;
}

static void ref_text(const struct hs_topo *t, const struct hs_link_ref *r,
		     const struct hs_link *self, char *buf, size_t len)
{
	if (r->netns_inode == self->netns_inode)
		snprintf(buf, len, "%s", r->ifname);
	else
		snprintf(buf, len, "%s:%s", ns_name_of(t, r->netns_inode),
			 r->ifname);
}

static void print_link_text(FILE *f, const struct hs_topo *t,
			    const struct hs_link *l)
{
	char ref[HS_NETNS_NAME_MAX + IF_NAMESIZE + 2];

	fprintf(f, "  %-15s %-10s", l->ifname, hs_link_kind_name(l->kind));
	if (l->mode[0])
		fprintf(f, " mode %s", l->mode);
	if (l->driver[0] && strcmp(l->driver, hs_link_kind_name(l->kind)))
		fprintf(f, " driver %s", l->driver);
	if (l->num_vfs)
		fprintf(f, " vfs %d", l->num_vfs);
	if (l->peer.ifindex) {
		ref_text(t, &l->peer, l, ref, sizeof(ref));
		fprintf(f, " peer %s", ref);
	}
	if (l->master.ifindex)
		fprintf(f, " master %s", l->master.ifname);
	if (l->ovs_bridge[0])
		fprintf(f, " ovs %s", l->ovs_bridge);
	if (l->parent.ifindex) {
		ref_text(t, &l->parent, l, ref, sizeof(ref));
		fprintf(f, " parent %s", ref);
	}
	if (!(l->flags & IFF_UP))
		fprintf(f, " DOWN");
	fputc('\n', f);
}

void hs_topo_print_text(FILE *f, const struct hs_topo *t)
{
	unsigned int i, k, j;

	for (i = 0; i < t->n_ns; i++) {
		const struct hs_topo_ns *n = &t->ns[i];

		fprintf(f, "netns %s", n->ns.name);
		if (n->n_pids) {
			fprintf(f, " (pid");
			for (k = 0; k < n->n_pids; k++)
				fprintf(f, " %d", (int)n->pids[k]);
			fprintf(f, "%s %s)",
				n->n_pids == HS_TOPO_MAX_PIDS ? " ..." : "",
				n->comm);
		}
		fputc('\n', f);
		for (j = 0; j < t->n_links; j++)
			if (t->link_ns[j] == i)
				print_link_text(f, t, &t->links[j]);
	}
}

static json_object *json_ref(const struct hs_topo *t,
			     const struct hs_link_ref *r)
{
	json_object *o;

	if (!r->ifindex)
		return NULL;
	o = json_object_new_object();
	json_object_object_add(
		o, "netns",
		json_object_new_string(ns_name_of(t, r->netns_inode)));
	json_object_object_add(o, "ifname", json_object_new_string(r->ifname));
	return o;
}

static void emit(FILE *f, json_object *o)
{
	fprintf(f, "%s\n",
		json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
	json_object_put(o);
}

void hs_topo_print_json(FILE *f, const struct hs_topo *t)
{
	unsigned int i, k;

	for (i = 0; i < t->n_ns; i++) {
		const struct hs_topo_ns *n = &t->ns[i];
		json_object *o = json_object_new_object();
		json_object *pids = json_object_new_array();

		for (k = 0; k < n->n_pids; k++)
			json_object_array_add(pids,
					      json_object_new_int(n->pids[k]));
		json_object_object_add(o, "type",
				       json_object_new_string("netns"));
		json_object_object_add(o, "name",
				       json_object_new_string(n->ns.name));
		json_object_object_add(o, "inode",
				       json_object_new_uint64(n->ns.inode));
		json_object_object_add(o, "pids", pids);
		if (n->comm[0])
			json_object_object_add(o, "comm",
					       json_object_new_string(n->comm));
		emit(f, o);
	}
	for (i = 0; i < t->n_links; i++) {
		const struct hs_link *l = &t->links[i];
		json_object *o = json_object_new_object();
		json_object *xdp = json_object_new_array();
		unsigned int modes = hs_link_xdp_modes(l);
		const char *master = l->master.ifindex ? l->master.ifname :
				     l->ovs_bridge[0]  ? l->ovs_bridge :
							 NULL;

		if (modes & HS_LINK_XDP_NATIVE)
			json_object_array_add(
				xdp, json_object_new_string(
					     hs_xdp_mode_name(HS_XDP_NATIVE)));
		if (modes & HS_LINK_XDP_GENERIC)
			json_object_array_add(
				xdp, json_object_new_string(
					     hs_xdp_mode_name(HS_XDP_GENERIC)));
		json_object_object_add(o, "type",
				       json_object_new_string("link"));
		json_object_object_add(
			o, "netns",
			json_object_new_string(t->ns[t->link_ns[i]].ns.name));
		json_object_object_add(o, "ifname",
				       json_object_new_string(l->ifname));
		json_object_object_add(o, "ifindex",
				       json_object_new_int(l->ifindex));
		json_object_object_add(
			o, "kind",
			json_object_new_string(hs_link_kind_name(l->kind)));
		json_object_object_add(
			o, "driver",
			l->driver[0] ? json_object_new_string(l->driver) :
				       NULL);
		json_object_object_add(o, "peer", json_ref(t, &l->peer));
		json_object_object_add(o, "master",
				       master ? json_object_new_string(master) :
						NULL);
		json_object_object_add(o, "parent", json_ref(t, &l->parent));
		if (l->mode[0])
			json_object_object_add(o, "mode",
					       json_object_new_string(l->mode));
		if (l->num_vfs)
			json_object_object_add(o, "vfs",
					       json_object_new_int(l->num_vfs));
		if (l->udp_port)
			json_object_object_add(o, "udp_port",
					       json_object_new_int(l->udp_port));
		json_object_object_add(
			o, "up", json_object_new_boolean(l->flags & IFF_UP));
		json_object_object_add(o, "xdp", xdp);
		emit(f, o);
	}
}

/* Graphviz ids: n<ns>_<ifindex>. */
static void dot_id(char *buf, size_t len, const struct hs_topo *t,
		   uint64_t inode, int ifindex)
{
	snprintf(buf, len, "n%d_%d", hs_topo_ns_index(t, inode), ifindex);
}

void hs_topo_print_dot(FILE *f, const struct hs_topo *t)
{
	char a[32], b[32];
	unsigned int i, j;

	fprintf(f,
		"graph hopscope {\n\trankdir=LR;\n\tnode [shape=box, fontsize=10];\n");
	for (i = 0; i < t->n_ns; i++) {
		fprintf(f, "\tsubgraph cluster_%u {\n\t\tlabel=\"%s\";\n", i,
			t->ns[i].ns.name);
		for (j = 0; j < t->n_links; j++) {
			const struct hs_link *l = &t->links[j];

			if (t->link_ns[j] != i)
				continue;
			dot_id(a, sizeof(a), t, l->netns_inode, l->ifindex);
			fprintf(f, "\t\t%s [label=\"%s\\n%s%s%s\"%s];\n", a,
				l->ifname, hs_link_kind_name(l->kind),
				l->mode[0] ? " " : "", l->mode,
				hs_link_is_switch(l) ? ", shape=ellipse" : "");
		}
		fprintf(f, "\t}\n");
	}
	for (j = 0; j < t->n_links; j++) {
		const struct hs_link *l = &t->links[j];

		dot_id(a, sizeof(a), t, l->netns_inode, l->ifindex);
		/* each veth pair once */
		if (l->peer.ifindex &&
		    (l->netns_inode < l->peer.netns_inode ||
		     (l->netns_inode == l->peer.netns_inode &&
		      l->ifindex < l->peer.ifindex))) {
			dot_id(b, sizeof(b), t, l->peer.netns_inode,
			       l->peer.ifindex);
			fprintf(f, "\t%s -- %s [label=\"veth\", penwidth=2];\n",
				a, b);
		}
		if (l->master.ifindex) {
			dot_id(b, sizeof(b), t, l->master.netns_inode,
			       l->master.ifindex);
			fprintf(f,
				"\t%s -- %s [style=dashed, label=\"port\"];\n",
				a, b);
		}
		if (l->parent.ifindex) {
			dot_id(b, sizeof(b), t, l->parent.netns_inode,
			       l->parent.ifindex);
			fprintf(f, "\t%s -- %s [style=dotted, label=\"%s\"];\n",
				a, b,
				l->kind == HS_LINK_SRIOV_VF ? "VF" : "lower");
		}
		if (l->ovs_bridge[0]) {
			const struct hs_link *br =
				hs_topo_find(t, l->netns_inode, l->ovs_bridge);

			if (br) {
				dot_id(b, sizeof(b), t, br->netns_inode,
				       br->ifindex);
				fprintf(f,
					"\t%s -- %s [style=dashed, label=\"ovs port\"];\n",
					a, b);
			}
		}
	}
	fprintf(f, "}\n");
}
