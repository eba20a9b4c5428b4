// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <netlink/netlink.h>
#include <netlink/cache.h>
#include <netlink/addr.h>
#include <netlink/netfilter/nfnl.h>
#include <netlink/netfilter/ct.h>
#include "topo/conntrack.h"
#include "topo/tuple.h"
#include "topo/netns.h"

static void addr_words(struct nl_addr *a, uint32_t *words)
{
	unsigned int n = a ? nl_addr_get_len(a) : 0;

	memset(words, 0, 16);
	if (n == 4 || n == 16)
		memcpy(words, nl_addr_get_binary_addr(a), n);
}

/* One direction of a conntrack entry: repl 0 the original, 1 the reply. */
static void ct_tuple(const struct nfnl_ct *ct, int repl, struct hs_tuple *t)
{
	memset(t, 0, sizeof(*t));
	t->family = nfnl_ct_get_family(ct) == AF_INET6 ? 6 : 4;
	t->proto = nfnl_ct_get_proto(ct);
	addr_words(nfnl_ct_get_src(ct, repl), t->src);
	addr_words(nfnl_ct_get_dst(ct, repl), t->dst);
	if (hs_tuple_is_icmp(t)) {
		t->icmp_id = nfnl_ct_get_icmp_id(ct, repl);
	} else {
		t->sport = nfnl_ct_get_src_port(ct, repl);
		t->dport = nfnl_ct_get_dst_port(ct, repl);
	}
}

struct ct_search {
	uint32_t flow_in, flow_out;
	char *text;
	size_t len;
	int found;
};

static void ct_match(struct nl_object *obj, void *arg)
{
	const struct nfnl_ct *ct = (const struct nfnl_ct *)obj;
	struct ct_search *s = arg;
	struct hs_tuple orig, repl, orig_out, repl_out;

	if (s->found)
		return;
	ct_tuple(ct, 0, &orig);
	ct_tuple(ct, 1, &repl);
	hs_tuple_reverse(&repl, &orig_out);
	hs_tuple_reverse(&orig, &repl_out);
	if (hs_tuple_flow_hash(&orig) == s->flow_in &&
	    hs_tuple_flow_hash(&orig_out) == s->flow_out) {
		hs_tuple_rewrite_text(&orig, &orig_out, s->text, s->len);
		s->found = 1;
	} else if (hs_tuple_flow_hash(&repl) == s->flow_in &&
		   hs_tuple_flow_hash(&repl_out) == s->flow_out) {
		hs_tuple_rewrite_text(&repl, &repl_out, s->text, s->len);
		s->found = 1;
	}
}

/* Dump the conntrack table of the namespace the thread is in. */
static int dump_here(struct nl_sock **sk, struct nl_cache **cache)
{
	int err;

	*sk = nl_socket_alloc();
	if (!*sk)
		return -ENOMEM;
	err = nfnl_connect(*sk);
	if (!err)
		err = nfnl_ct_alloc_cache(*sk, cache);
	return err;
}

int hs_ct_find_rewrite(const char *netns, uint32_t flow_in, uint32_t flow_out,
		       char *text, size_t len)
{
	struct ct_search s = { flow_in, flow_out, text, len, 0 };
	struct nl_cache *cache = NULL;
	struct nl_sock *sk = NULL;
	struct hs_netns ns;
	char err[256];
	int saved, e;

	e = hs_netns_open(netns, &ns, err, sizeof(err));
	if (e) {
		snprintf(text, len, "%s", err);
		return e;
	}
	e = hs_netns_enter(&ns, &saved);
	if (e) {
		snprintf(text, len, "cannot enter namespace '%s': %s", netns,
			 strerror(-e));
		hs_netns_close(&ns);
		return e;
	}
	e = dump_here(&sk, &cache);
	hs_netns_leave(saved);
	hs_netns_close(&ns);
	if (e) {
		snprintf(text, len,
			 "cannot read the conntrack table of '%s': %s", netns,
			 nl_geterror(e));
		e = -EIO;
	} else {
		nl_cache_foreach(cache, ct_match, &s);
		e = s.found;
	}
	nl_cache_free(cache);
	nl_socket_free(sk);
	return e;
}
