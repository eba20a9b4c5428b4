// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <stdio.h>
#include <string.h>
#include "chain.h"

static void add_point(struct hs_point_table *t, const char *ns, uint64_t inode,
		      int ifindex, enum hs_hook hook)
{
	struct hs_point_info *p = &t->p[t->n];

	p->id = (uint16_t)t->n++;
	p->hook = (uint8_t)hook;
	snprintf(p->netns, sizeof(p->netns), "%s", ns);
	p->link.netns_inode = inode;
	p->link.ifindex = ifindex;
	snprintf(p->link.ifname, sizeof(p->link.ifname), "eth%d", ifindex - 2);
	p->link.kind = HS_LINK_VETH;
}

static void join_veth(struct hs_point_info *a, struct hs_point_info *b)
{
	a->link.peer.netns_inode = b->link.netns_inode;
	a->link.peer.ifindex = b->link.ifindex;
	memcpy(a->link.peer.ifname, b->link.ifname, IF_NAMESIZE);
	b->link.peer.netns_inode = a->link.netns_inode;
	b->link.peer.ifindex = a->link.ifindex;
	memcpy(b->link.peer.ifname, a->link.ifname, IF_NAMESIZE);
}

struct hs_point_info *test_point(struct hs_point_table *t, unsigned int id,
				 const char *ns, uint64_t inode, int ifindex,
				 const char *ifname, enum hs_hook hook)
{
	struct hs_point_info *p = &t->p[id];

	p->id = (uint16_t)id;
	p->hook = (uint8_t)hook;
	snprintf(p->netns, sizeof(p->netns), "%s", ns);
	p->link.netns_inode = inode;
	p->link.ifindex = ifindex;
	snprintf(p->link.ifname, sizeof(p->link.ifname), "%s", ifname);
	p->link.kind = HS_LINK_VETH;
	p->link.link_nsid = -1;
	if (t->n <= id)
		t->n = id + 1;
	return p;
}

void test_chain(struct hs_point_table *t, const char *const *names,
		unsigned int n)
{
	unsigned int k;

	memset(t, 0, sizeof(*t));
	t->n_hosts = 1;
	add_point(t, names[0], 100, 2, HS_HOOK_TC_EGRESS);
	for (k = 1; k < n; k++) {
		add_point(t, names[k], 100 + k, 2, HS_HOOK_TC_INGRESS);
		join_veth(&t->p[t->n - 2], &t->p[t->n - 1]);
		if (k + 1 < n)
			add_point(t, names[k], 100 + k, 3, HS_HOOK_TC_EGRESS);
	}
}
