// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * change.c: the cheap signs the agent looks at each period before it
 * rediscovers the host - a namespace that appears changes the digest, a
 * link made in the watched namespace is seen once, then drained.
 * Root only (unshare, ip link); each test in a namespace of its own.
 */
#include <sched.h>
#include <stdlib.h>
#include <unistd.h>
#include <sys/wait.h>
#include <criterion/criterion.h>
#include "topo/change.h"

static void own_netns(void)
{
	if (geteuid() != 0)
		cr_skip_test("needs root: network namespaces");
	cr_assert_eq(unshare(CLONE_NEWNET), 0, "unshare(CLONE_NEWNET)");
}

Test(change, a_link_made_is_seen_once)
{
	struct hs_topo_watch *w;

	own_netns();
	w = hs_topo_watch_new();
	cr_assert_not_null(w);
	cr_expect_not(hs_topo_watch_links(w), "a change in a new namespace");
	cr_assert_eq(system("ip link add hsw0 type veth peer name hsw1"), 0,
		     "ip link add");
	cr_expect(hs_topo_watch_links(w), "the new veth pair was not seen");
	cr_expect_not(hs_topo_watch_links(w), "seen twice: not drained");
	cr_assert_eq(system("ip link set hsw0 up"), 0);
	cr_expect(hs_topo_watch_links(w), "a link going up was not seen");
	hs_topo_watch_free(w);
}

Test(change, a_new_namespace_changes_the_digest)
{
	uint64_t before, during;
	int ready[2], done[2];
	pid_t child;
	char c = 0;

	own_netns(); /* this process's namespace is new, and stays */
	cr_assert_eq(pipe(ready), 0);
	cr_assert_eq(pipe(done), 0);
	before = hs_topo_ns_digest();
	cr_assert_neq(before, 0);
	child = fork();
	cr_assert_geq(child, 0);
	if (!child) {
		/* one more namespace while the parent looks; done's write
		 * end is the parent's alone, so its close ends the read */
		close(done[1]);
		if (unshare(CLONE_NEWNET) || write(ready[1], &c, 1) != 1 ||
		    read(done[0], &c, 1) < 0)
			_exit(1);
		_exit(0);
	}
	close(ready[1]);
	close(done[0]);
	cr_assert_eq(read(ready[0], &c, 1), 1, "the child did not unshare");
	during = hs_topo_ns_digest();
	close(done[1]);
	waitpid(child, NULL, 0);
	cr_expect_neq(during, before,
		      "a process in a new namespace did not change the digest");
}
