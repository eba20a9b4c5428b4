// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include "topo/path.h"

/* Two interfaces a packet can cross between without another interface. */
static bool adjacent(const struct hs_topo *t, unsigned int i, unsigned int j)
{
	const struct hs_link *a = &t->links[i], *b = &t->links[j];

	if (t->link_ns[i] == t->link_ns[j])
		return true; /* a function, a bridge, a switch namespace */
	if (hs_link_ref_is(&a->peer, b) || hs_link_ref_is(&b->peer, a))
		return true;
	if (hs_link_ref_is(&a->parent, b) || hs_link_ref_is(&b->parent, a))
		return true;
	/* macvlan siblings talk directly in bridge mode */
	return a->parent.ifindex && b->parent.ifindex &&
	       a->parent.netns_inode == b->parent.netns_inode &&
	       a->parent.ifindex == b->parent.ifindex;
}

static bool usable(const struct hs_link *l)
{
	return l->kind != HS_LINK_LOOPBACK;
}

int hs_topo_between(const struct hs_topo *t, unsigned int a, unsigned int b,
		    unsigned int *path, unsigned int max)
{
	unsigned int n = t->n_links, head = 0, tail = 0, i, j, len;
	int *prev = malloc(n * sizeof(*prev) + 1);
	unsigned int *queue = malloc(n * sizeof(*queue) + 1);
	int found = -1, ret;

	if (!prev || !queue) {
		free(prev);
		free(queue);
		return -ENOMEM;
	}
	/* breadth first from every interface of a: the fewest interfaces */
	for (i = 0; i < n; i++) {
		prev[i] = -2; /* unvisited */
		if (t->link_ns[i] == a && usable(&t->links[i])) {
			prev[i] = -1;
			queue[tail++] = i;
		}
	}
	while (head < tail && found < 0) {
		i = queue[head++];
		if (t->link_ns[i] == b && a != b) {
			found = (int)i;
			break;
		}
		for (j = 0; j < n; j++) {
			if (prev[j] != -2 || !usable(&t->links[j]) ||
			    !adjacent(t, i, j))
				continue;
			/* inside a itself, entering is enough */
			if (t->link_ns[j] == a && t->link_ns[i] == a)
				continue;
			prev[j] = (int)i;
			queue[tail++] = j;
		}
	}
	ret = 0;
	if (found >= 0) {
		for (len = 0, i = (unsigned int)found;;
		     i = (unsigned int)prev[i]) {
			len++;
			if (prev[i] < 0)
				break;
		}
		if (len > max) {
			ret = -E2BIG;
		} else {
			j = len;
			for (i = (unsigned int)found;;
			     i = (unsigned int)prev[i]) {
				path[--j] = i;
				if (prev[i] < 0)
					break;
			}
			ret = (int)len;
		}
	}
	free(prev);
	free(queue);
	return ret;
}
