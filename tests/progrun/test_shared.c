// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The shared probes: one program per hook finds its point from the device
 * the kernel runs it for, (namespace inode, ifindex, hook). Devices of one
 * ifindex in two namespaces are two points; tc ingress and egress of one
 * device are two points; a device with no point records nothing. And the
 * loader's hs_probes_add / hs_probes_remove on real links, both ways
 * (shared, and a copy per point).
 *
 * Devices whose keys share a home slot in the device table are each found
 * at their own point, and removing one never hides another.
 *
 * BPF_PROG_TEST_RUN runs a program on the loopback device of the calling
 * thread's namespace: lo, ifindex 1 in every namespace. Each test makes
 * its own namespaces with unshare(); Criterion runs every test in a
 * process of its own, so none outlives the test.
 */
#include <criterion/criterion.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "hopscope.h"
#include "packet.h"
#include "probe.h"
#include "probe/attach.h"
#include "probe/devtable.h"
#include "topo/netns.h"

/* A new namespace for the calling thread; its fd, for setns(). */
static int new_netns(void)
{
	int fd;

	cr_assert_eq(unshare(CLONE_NEWNET), 0, "unshare: %s", strerror(errno));
	fd = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
	cr_assert_geq(fd, 0, "open ns: %s", strerror(errno));
	return fd;
}

static void enter(int fd)
{
	cr_assert_eq(setns(fd, CLONE_NEWNET), 0, "setns: %s", strerror(errno));
}

static size_t udp_frame(uint8_t *buf)
{
	struct tpkt t;

	tpkt_init(&t);
	return tpkt_build(&t, buf);
}

static uint64_t seen_at(struct probe *p, uint32_t slot)
{
	struct hs_counters c;

	probe_counters(p, slot, &c);
	return c.seen;
}

static void skip_unless_shared(void)
{
	if (geteuid() != 0)
		cr_skip_test("needs root: BPF_PROG_TEST_RUN");
	if (!hs_probes_can_share())
		cr_skip_test("no bpf_cast_to_kern_ctx in this kernel (6.2+)");
}

/* One record from p, at point `want`. */
static void expect_one_at(struct probe *p, uint16_t want, const char *where)
{
	size_t before = p->nrec;

	cr_assert_eq(probe_drain(p), 1, "%s: no record, or more than one",
		     where);
	cr_expect_eq(p->recs[before].point_id, want, "%s: point %u, want %u",
		     where, p->recs[before].point_id, want);
}

Test(shared, same_ifindex_two_namespaces_two_hooks)
{
	FRAME_BUF(frame, TPKT_MAX);
	struct probe *p;
	uint64_t ino_a, ino_b;
	int home, a, b;
	size_t len = udp_frame(frame);

	skip_unless_shared();
	home = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
	cr_assert_geq(home, 0);
	a = new_netns();
	ino_a = probe_netns_ino();
	enter(home);
	b = new_netns();
	ino_b = probe_netns_ino();
	cr_assert_neq(ino_a, ino_b);
	enter(home);

	/* point 0 is the probe's own (mapped to lo of home); the rest here */
	p = probe_open(&(struct probe_opts){ .point = 0, .shared = true });
	probe_map(p, ino_a, 1, HS_HOOK_XDP, 5);
	probe_map(p, ino_b, 1, HS_HOOK_XDP, 6);
	probe_map(p, ino_a, 1, HS_HOOK_TC_INGRESS, 7);
	probe_map(p, ino_b, 1, HS_HOOK_TC_INGRESS, 8);
	probe_map(p, ino_a, 1, HS_HOOK_TC_EGRESS, 9);
	/* nothing for tc egress in b */

	enter(a);
	probe_run(p, HOOK_XDP, frame, len);
	expect_one_at(p, 5, "xdp in a");
	probe_run(p, HOOK_TC, frame, len);
	expect_one_at(p, 7, "tc ingress in a");
	probe_run(p, HOOK_TC_EGRESS, frame, len);
	expect_one_at(p, 9, "tc egress in a");
	enter(b);
	probe_run(p, HOOK_XDP, frame, len);
	expect_one_at(p, 6, "xdp in b");
	probe_run(p, HOOK_TC, frame, len);
	expect_one_at(p, 8, "tc ingress in b");
	/* unmapped: passed on untouched (probe_run checks), no record, and
	 * counted in the unmapped slot only */
	probe_run(p, HOOK_TC_EGRESS, frame, len);
	cr_expect_eq(probe_drain(p), 0, "tc egress in b has no point");
	enter(home);

	for (uint32_t id = 5; id <= 9; id++)
		cr_expect_eq(seen_at(p, id), 1, "point %u saw %llu", id,
			     (unsigned long long)seen_at(p, id));
	cr_expect_eq(seen_at(p, 0), 0, "the home point saw packets");
	cr_expect_eq(seen_at(p, HS_UNMAPPED_SLOT), 1, "unmapped %llu, want 1",
		     (unsigned long long)seen_at(p, HS_UNMAPPED_SLOT));
	probe_close(p);
	close(a);
	close(b);
	close(home);
}

/* A device with no point: nothing recorded, no point's counters move. */
Test(shared, unmapped_device_records_nothing)
{
	FRAME_BUF(frame, TPKT_MAX);
	size_t len = udp_frame(frame);
	struct probe *p;

	skip_unless_shared();
	p = probe_open(&(struct probe_opts){ .point = 3, .shared = true });
	new_netns(); /* lo of a namespace nobody mapped */
	probe_run(p, HOOK_XDP, frame, len);
	probe_run(p, HOOK_TC, frame, len);
	probe_run(p, HOOK_TC_EGRESS, frame, len);
	cr_expect_eq(probe_drain(p), 0);
	cr_expect_eq(seen_at(p, 3), 0);
	cr_expect_eq(seen_at(p, HS_UNMAPPED_SLOT), 3);
	probe_close(p);
}

/* An ifindex of namespace ino other than lo's with lo's home slot. */
static uint32_t collides_with_lo(uint64_t ino)
{
	uint32_t home = hs_dev_home(hs_dev_key((uint32_t)ino, 1)), k;

	for (k = 2; k < (1u << 26); k++)
		if (hs_dev_home(hs_dev_key((uint32_t)ino, k)) == home)
			return k;
	cr_assert_fail("no ifindex shares lo's slot %u", home);
	return 0;
}

/*
 * lo of a namespace, and a device that is not there but has lo's home
 * slot: each resolves to its own point whichever took the slot first, and
 * lo is found again after the other leaves, and after it leaves and
 * comes back itself.
 */
Test(shared, colliding_devices_keep_their_points)
{
	FRAME_BUF(frame, TPKT_MAX);
	size_t len = udp_frame(frame);
	struct probe *p;
	uint64_t ino;
	uint32_t other, home;

	skip_unless_shared();
	p = probe_open(&(struct probe_opts){ .point = 0, .shared = true });
	new_netns();
	ino = probe_netns_ino();
	other = collides_with_lo(ino);
	home = hs_dev_home(hs_dev_key((uint32_t)ino, 1));

	/* the other first: lo one slot on */
	probe_map(p, ino, other, HS_HOOK_TC_INGRESS, 20);
	probe_map(p, ino, 1, HS_HOOK_TC_INGRESS, 21);
	cr_assert_eq(hs_devtable_slot(p->skel->bss->devs, (uint32_t)ino, 1),
		     (int)hs_dev_nth(home, 1), "lo is not past the other");
	probe_run(p, HOOK_TC, frame, len);
	expect_one_at(p, 21, "lo past a collision");
	/* the other leaves its slot empty before lo's */
	probe_unmap(p, ino, other, HS_HOOK_TC_INGRESS);
	probe_run(p, HOOK_TC, frame, len);
	expect_one_at(p, 21, "lo after the other left");
	cr_expect_eq(seen_at(p, 20), 0, "the other's point saw lo's packets");

	/* lo leaves and comes back: into its home slot, in front of the
	 * other that came back meanwhile */
	probe_unmap(p, ino, 1, HS_HOOK_TC_INGRESS);
	probe_run(p, HOOK_TC, frame, len);
	cr_expect_eq(probe_drain(p), 0, "lo unmapped, yet recorded");
	probe_map(p, ino, 1, HS_HOOK_TC_INGRESS, 22);
	probe_map(p, ino, other, HS_HOOK_TC_INGRESS, 23);
	cr_assert_eq(hs_devtable_slot(p->skel->bss->devs, (uint32_t)ino, 1),
		     (int)home);
	probe_run(p, HOOK_TC, frame, len);
	expect_one_at(p, 22, "lo back in its home slot");
	cr_expect_eq(hs_dev_lookup(p->skel->bss->devs,
				   hs_dev_key((uint32_t)ino, other),
				   HS_HOOK_TC_INGRESS),
		     23, "the other is lost behind lo");
	cr_expect_eq(seen_at(p, 21), 2);
	cr_expect_eq(seen_at(p, 22), 1);
	cr_expect_eq(seen_at(p, HS_UNMAPPED_SLOT), 1);
	probe_close(p);
}

/* The copy takes its id from rodata, whatever the map says. */
Test(shared, copy_ignores_the_map)
{
	FRAME_BUF(frame, TPKT_MAX);
	size_t len = udp_frame(frame);
	struct probe *p;

	p = probe_open(&(struct probe_opts){ .point = 4 });
	probe_map(p, probe_netns_ino(), 1, HS_HOOK_XDP, 11);
	probe_map(p, probe_netns_ino(), 1, HS_HOOK_TC_INGRESS, 12);
	probe_run(p, HOOK_XDP, frame, len);
	expect_one_at(p, 4, "xdp copy");
	probe_run(p, HOOK_TC, frame, len);
	expect_one_at(p, 4, "tc copy");
	expect_counters(p, 2, 0, 0, 0, 2, 2, 0);
	cr_expect_eq(seen_at(p, 11) + seen_at(p, 12), 0);
	probe_close(p);
}

/* ---- the loader: add, remove, add again ---- */

/* bpf_links on the machine holding program prog_id. */
static unsigned int links_of(uint32_t prog_id)
{
	unsigned int n = 0;
	__u32 id = 0;

	while (!bpf_link_get_next_id(id, &id)) {
		struct bpf_link_info info = {};
		__u32 len = sizeof(info);
		int fd = bpf_link_get_fd_by_id(id);

		if (fd < 0)
			continue;
		if (!bpf_obj_get_info_by_fd(fd, &info, &len) &&
		    info.prog_id == prog_id)
			n++;
		close(fd);
	}
	return n;
}

static bool prog_exists(uint32_t prog_id)
{
	int fd = bpf_prog_get_fd_by_id(prog_id);

	if (fd < 0)
		return false;
	close(fd);
	return true;
}

/* The id of the shared program of a hook. */
static uint32_t prog_id_of_hook(struct hs_probes *p, enum hs_hook hook)
{
	struct bpf_program *prog = hook == HS_HOOK_TC_INGRESS ?
					   p->base->progs.hs_tc_ingress :
					   p->base->progs.hs_tc_egress;
	struct bpf_prog_info info = {};
	__u32 len = sizeof(info);

	cr_assert_eq(bpf_obj_get_info_by_fd(bpf_program__fd(prog), &info, &len),
		     0);
	return info.id;
}

static uint64_t seen(struct hs_probes *p, uint16_t id)
{
	struct hs_counters c;

	cr_assert_eq(hs_probes_counters(p, id, &c), 0);
	return c.seen;
}

/* Every id's counters read at once are each id's read alone (the
 * collector's drain reads them so). */
static void all_as_each(struct hs_probes *p)
{
	struct hs_counters all[8], one;
	unsigned int i;

	cr_assert_eq(p->n, 8);
	memset(all, 0xff, sizeof(all));
	cr_assert_eq(hs_probes_counters_all(p, all, p->n), 0);
	cr_expect_eq(all[7].seen, 2, "point 7 seen %llu times in the batch",
		     (unsigned long long)all[7].seen);
	for (i = 0; i < p->n; i++) {
		cr_assert_eq(hs_probes_counters(p, (uint16_t)i, &one), 0);
		cr_expect_eq(memcmp(&one, &all[i], sizeof(one)), 0,
			     "point %u: batch and single reads differ", i);
	}
}

/* One frame through the program point id runs (which must be attached),
 * as BPF_PROG_TEST_RUN on lo of this namespace. */
static void run_at(struct hs_probes *p, uint16_t id, const uint8_t *frame,
		   size_t len)
{
	LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = frame,
		    .data_size_in = (__u32)len, .repeat = 1);
	int fd = bpf_prog_get_fd_by_id(p->points[id].prog_id);

	cr_assert_geq(fd, 0, "program of point %u: %s", id, strerror(errno));
	cr_assert_eq(bpf_prog_test_run_opts(fd, &o), 0);
	close(fd);
}

static void add_remove_readd(bool copies)
{
	FRAME_BUF(frame, TPKT_MAX);
	size_t len = udp_frame(frame);
	struct hs_probe_config cfg = { .sample_one_in = 1,
				       .ringbuf_bytes = 1 << 16 };
	struct hs_probes *p = calloc(1, sizeof(*p));
	struct hs_netns ns;
	struct hs_point_spec in = { .ns = &ns, .hook = HS_HOOK_TC_INGRESS },
			     out = { .ns = &ns, .hook = HS_HOOK_TC_EGRESS };
	char err[256];
	uint32_t prog;

	if (geteuid() != 0)
		cr_skip_test("needs root: BPF");
	if (!copies && !hs_probes_can_share())
		cr_skip_test("no bpf_cast_to_kern_ctx in this kernel (6.2+)");
	cr_assert_not_null(p);
	if (copies)
		setenv("HS_PROBE_COPIES", "1", 1);
	new_netns();
	cr_assert_eq(hs_netns_open("", &ns, err, sizeof(err)), 0, "%s", err);
	in.link.ifindex = out.link.ifindex = 1;
	snprintf(in.link.ifname, sizeof(in.link.ifname), "lo");
	out.link = in.link;

	cr_assert_eq(hs_probes_open(p, &cfg), 0);
	cr_expect_eq(p->copies, copies);
	cr_assert_eq(hs_probes_add(p, &in, 7), 0);
	cr_assert_eq(hs_probes_add(p, &out, 2), 0);
	cr_expect_eq(p->n, 8);
	cr_expect(p->points[7].in_use && p->points[2].in_use);
	cr_expect(!p->points[0].in_use && !p->points[5].in_use);
	cr_expect_eq(hs_probes_add(p, &in, 7), -EEXIST, "an id in use");
	if (!copies) {
		/* one device and hook under a second id: the table has it */
		cr_expect_eq(hs_probes_add(p, &in, 9), -EEXIST,
			     "lo@tc-ingress twice");
		cr_expect(!p->points[9].in_use);
	}
	run_at(p, 7, frame, len);
	run_at(p, 7, frame, len);
	cr_expect_eq(seen(p, 7), 2);
	cr_expect_eq(seen(p, 2), 0, "tc egress counted a tc ingress run");
	all_as_each(p);
	prog = p->points[7].prog_id;
	cr_expect_eq(links_of(prog), 1, "links of point 7's program: %u",
		     links_of(prog));

	hs_probes_remove(p, 7);
	cr_expect(!p->points[7].in_use);
	cr_expect_eq(links_of(prog), 0, "a link stayed after remove");
	if (copies)
		cr_expect(!prog_exists(prog), "point 7's copy is still loaded");
	cr_expect_eq(seen(p, 7), 2, "counters of a removed point are kept");
	cr_expect(p->points[2].in_use && p->points[2].attached);

	/* the same id again: a fresh start */
	cr_assert_eq(hs_probes_add(p, &in, 7), 0);
	cr_expect_eq(seen(p, 7), 0, "counters not reset on add");
	run_at(p, 7, frame, len);
	cr_expect_eq(seen(p, 7), 1);
	prog = p->points[7].prog_id;
	cr_expect_eq(links_of(prog), 1);

	hs_probes_detach(p);
	cr_expect_eq(links_of(prog), 0, "a link stayed after detach");
	cr_expect(!prog_exists(prog), "a program stayed loaded after detach");
	hs_netns_close(&ns);
	free(p);
}

/* A device whose window in the table is full: refused with -ENOSPC,
 * nothing attached, and the next point still goes in. */
Test(loader, device_table_full)
{
	struct hs_probe_config cfg = { .sample_one_in = 1,
				       .ringbuf_bytes = 1 << 16 };
	struct hs_probes *p = calloc(1, sizeof(*p));
	struct hs_netns ns;
	struct hs_point_spec in = { .ns = &ns, .hook = HS_HOOK_TC_INGRESS },
			     out = { .ns = &ns, .hook = HS_HOOK_TC_EGRESS };
	uint32_t home, i;
	char err[256];

	if (geteuid() != 0)
		cr_skip_test("needs root: BPF");
	if (!hs_probes_can_share())
		cr_skip_test("no bpf_cast_to_kern_ctx in this kernel (6.2+)");
	cr_assert_not_null(p);
	new_netns();
	cr_assert_eq(hs_netns_open("", &ns, err, sizeof(err)), 0, "%s", err);
	in.link.ifindex = 1;
	snprintf(in.link.ifname, sizeof(in.link.ifname), "lo");
	out.link = in.link;
	cr_assert_eq(hs_probes_open(p, &cfg), 0);

	/* devices of no namespace in every slot lo may take */
	home = hs_dev_home(hs_dev_key((uint32_t)ns.inode, 1));
	for (i = 0; i < HS_DEV_PROBES; i++)
		p->base->bss->devs[hs_dev_nth(home, i)].key = ~(uint64_t)i;
	cr_expect_eq(hs_probes_add(p, &in, 3), -ENOSPC);
	cr_expect(!p->points[3].in_use);
	cr_expect_eq(links_of(prog_id_of_hook(p, HS_HOOK_TC_INGRESS)), 0,
		     "a refused point stayed attached");
	/* one slot free again: it goes in */
	p->base->bss->devs[hs_dev_nth(home, 5)].key = 0;
	cr_expect_eq(hs_probes_add(p, &out, 4), 0);
	cr_expect_eq(hs_devtable_slot(p->base->bss->devs, (uint32_t)ns.inode,
				      1),
		     (int)hs_dev_nth(home, 5));
	hs_probes_detach(p);
	hs_netns_close(&ns);
	free(p);
}

/* The clsact filter of tc egress of lo, per bpf_tc_query in this
 * namespace: 0 if it is there. */
static int egress_filter(const struct hs_point *pt)
{
	LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = 1,
		    .attach_point = BPF_TC_EGRESS);
	LIBBPF_OPTS(bpf_tc_opts, opts, .handle = pt->tc_handle,
		    .priority = pt->tc_priority);

	return bpf_tc_query(&hook, &opts);
}

/* HS_TC_ATTACH=clsact: one qdisc for both hooks of a device, whichever
 * made it; removing tc ingress keeps tc egress's filter, and detaching
 * the last takes the qdisc it made. */
Test(loader, clsact_remove_keeps_the_other_hook)
{
	struct hs_probe_config cfg = { .sample_one_in = 1,
				       .ringbuf_bytes = 1 << 16 };
	struct hs_probes *p = calloc(1, sizeof(*p));
	struct hs_netns ns;
	struct hs_point_spec in = { .ns = &ns, .hook = HS_HOOK_TC_INGRESS },
			     out = { .ns = &ns, .hook = HS_HOOK_TC_EGRESS };
	LIBBPF_OPTS(bpf_tc_hook, clsact, .ifindex = 1,
		    .attach_point = BPF_TC_INGRESS | BPF_TC_EGRESS);
	char err[256];

	if (geteuid() != 0)
		cr_skip_test("needs root: BPF");
	cr_assert_not_null(p);
	setenv("HS_TC_ATTACH", "clsact", 1);
	new_netns();
	cr_assert_eq(hs_netns_open("", &ns, err, sizeof(err)), 0, "%s", err);
	in.link.ifindex = 1;
	snprintf(in.link.ifname, sizeof(in.link.ifname), "lo");
	out.link = in.link;
	cr_assert_eq(hs_probes_open(p, &cfg), 0);
	cr_assert_eq(hs_probes_add(p, &in, 0), 0);
	cr_assert_eq(hs_probes_add(p, &out, 1), 0);
	cr_expect_eq(p->points[0].attached, HS_ATTACHED_CLSACT);
	cr_expect_eq(p->points[1].attached, HS_ATTACHED_CLSACT);
	cr_expect(p->points[0].created_qdisc && !p->points[1].created_qdisc);

	hs_probes_remove(p, 0);
	cr_expect_eq(egress_filter(&p->points[1]), 0,
		     "tc egress lost its filter with tc ingress");
	hs_probes_remove(p, 1);
	cr_expect_neq(egress_filter(&p->points[1]), 0, "a filter stayed");
	/* the qdisc went with the last point: creating it anew succeeds */
	cr_expect_eq(bpf_tc_hook_create(&clsact), 0, "the qdisc stayed");
	bpf_tc_hook_destroy(&clsact);
	hs_probes_detach(p);
	hs_netns_close(&ns);
	free(p);
}

Test(loader, add_remove_readd_shared)
{
	add_remove_readd(false);
}

Test(loader, add_remove_readd_copies)
{
	add_remove_readd(true);
}
