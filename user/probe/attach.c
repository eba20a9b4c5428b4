// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/if_link.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include "core/hooks.h"
#include "core/log.h"
#include "probe/attach.h"
#include "probe/devtable.h"
#include "probe/rings.h"
#include "hopscope.skel.h"
#include "hs_packet.h"

/* Not in Debian 12's UAPI headers; values from the kernel's enum. */
#ifndef BPF_TCX_INGRESS
#define BPF_TCX_INGRESS 46
#define BPF_TCX_EGRESS 47
#endif

uint32_t hs_wakeup_check_every(uint32_t ringbuf_bytes)
{
	/* a sixteenth of what the ring holds, at most HS_WAKEUP_CHECK_EVERY */
	uint32_t slots = ringbuf_bytes / (sizeof(struct hs_record) + 8) / 16;
	uint32_t every = HS_WAKEUP_CHECK_EVERY;

	while (every > 1 && every > slots)
		every /= 2;
	return every;
}

static int skip_record(void *ctx, void *data, size_t size)
{
	(void)ctx;
	(void)data;
	(void)size;
	return 0;
}

/*
 * Have the kernel write into every page of ring ring_fd, the map of rings'
 * index (see hs_prefault in the probe), then read past what it wrote. A
 * cost, not an error, if it cannot: the first packets pay it instead.
 */
static void prefault_ring(struct hopscope_bpf *skel, __u32 index, int ring_fd)
{
	/* not IP: BPF_PROG_TEST_RUN takes it for tc without complaint */
	uint8_t frame[64] = { [12] = 0x88, [13] = 0xb5 };
	LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = frame,
		    .data_size_in = sizeof(frame), .repeat = 1);
	int fd = bpf_program__fd(skel->progs.hs_prefault), round;
	struct ring_buffer *rb;

	rb = ring_buffer__new(ring_fd, skip_record, NULL, NULL);
	if (!rb)
		return;
	skel->bss->prefault_ring = index;
	/* twice: the first leaves the page the kernel keeps free */
	for (round = 0; round < 2; round++)
		if (bpf_prog_test_run_opts(fd, &o) ||
		    ring_buffer__consume(rb) < 0)
			break;
	ring_buffer__free(rb);
}

/* Every CPU's ring of r, each written in once. */
static void prefault_rings(struct hopscope_bpf *skel, const struct hs_rings *r)
{
	unsigned int i;

	for (i = 0; i < r->n; i++)
		prefault_ring(skel, i, r->fds[i]);
}

/* hs_probes_load_rings(), the rings left open in *r on success. */
static int load_with_rings(struct hopscope_bpf *skel, uint32_t total_bytes,
			   struct hs_rings *r)
{
	unsigned int n = hs_rings_cpus();
	int err = hs_rings_make(r, skel->maps.rings, n,
				hs_ring_bytes(total_bytes, n));

	if (err)
		return err;
	err = hopscope_bpf__load(skel);
	if (!err)
		err = hs_rings_put(r, bpf_map__fd(skel->maps.rings));
	if (err)
		hs_rings_close(r);
	return err;
}

int hs_probes_load_rings(struct hopscope_bpf *skel, uint32_t total_bytes)
{
	struct hs_rings r;
	int err = load_with_rings(skel, total_bytes, &r);

	/* the map of rings holds them now */
	if (!err)
		hs_rings_close(&r);
	return err;
}

bool hs_probe_has_tai(void)
{
	return libbpf_probe_bpf_helper(BPF_PROG_TYPE_SCHED_CLS,
				       BPF_FUNC_ktime_get_tai_ns, NULL) == 1 &&
	       libbpf_probe_bpf_helper(BPF_PROG_TYPE_XDP,
				       BPF_FUNC_ktime_get_tai_ns, NULL) == 1;
}

static const char *point_where(const struct hs_point *pt, char *buf, size_t len)
{
	snprintf(buf, len, "%s:%s@%s", pt->ns->name, pt->link.ifname,
		 hs_hook_name(pt->hook));
	return buf;
}

bool hs_probes_can_share(void)
{
	const char *env = getenv("HS_PROBE_COPIES");
	struct btf *vmlinux;
	bool has;

	if (env && env[0] && strcmp(env, "0"))
		return false;
	vmlinux = btf__load_vmlinux_btf();
	if (!vmlinux)
		return false;
	has = btf__find_by_name_kind(vmlinux, "bpf_cast_to_kern_ctx",
				     BTF_KIND_FUNC) >= 0;
	btf__free(vmlinux);
	return has;
}

/* The configuration every program is loaded with (rodata). */
static void set_rodata(struct hopscope_bpf *skel,
		       const struct hs_probe_config *cfg, uint16_t id)
{
	uint64_t each = hs_ring_bytes(cfg->ringbuf_bytes, hs_rings_cpus());

	skel->rodata->point_id = id;
	skel->rodata->sample_threshold =
		hs_sample_threshold(cfg->sample_one_in);
	skel->rodata->filter_enabled = cfg->filter_enabled;
	memcpy((void *)&skel->rodata->filter, &cfg->filter,
	       sizeof(cfg->filter));
	/* the same share of each CPU's ring as of them all (1: any byte) */
	skel->rodata->wakeup_bytes =
		cfg->wakeup_bytes > 1 ?
			cfg->wakeup_bytes * each / cfg->ringbuf_bytes :
			cfg->wakeup_bytes;
	skel->rodata->stamp_tai = cfg->stamp_tai;
	skel->rodata->wakeup_check_mask =
		(cfg->wakeup_check_every ? cfg->wakeup_check_every :
					   hs_wakeup_check_every(each)) -
		1;
}

/* Only the programs asked for are verified and loaded. */
static void set_autoload(struct hopscope_bpf *skel, bool shared, bool copy_xdp,
			 bool copy_tc, bool prefault)
{
	bpf_program__set_autoload(skel->progs.hs_xdp_shared, shared);
	bpf_program__set_autoload(skel->progs.hs_tc_ingress, shared);
	bpf_program__set_autoload(skel->progs.hs_tc_egress, shared);
	bpf_program__set_autoload(skel->progs.hs_xdp, copy_xdp);
	bpf_program__set_autoload(skel->progs.hs_tc, copy_tc);
	bpf_program__set_autoload(skel->progs.hs_prefault, prefault);
}

static uint32_t prog_id_of(int prog_fd)
{
	struct bpf_prog_info info = {};
	__u32 info_len = sizeof(info);

	if (prog_fd < 0 || bpf_obj_get_info_by_fd(prog_fd, &info, &info_len))
		return 0;
	return info.id;
}

/* The program a point runs: the shared one of its hook, or its copy's. */
static int point_prog_fd(const struct hs_probes *p, const struct hs_point *pt)
{
	const struct hopscope_bpf *skel = pt->skel ? pt->skel : p->base;

	if (!skel)
		return -1;
	if (pt->skel)
		return bpf_program__fd(pt->hook == HS_HOOK_XDP ?
					       skel->progs.hs_xdp :
					       skel->progs.hs_tc);
	switch (pt->hook) {
	case HS_HOOK_XDP:
		return bpf_program__fd(skel->progs.hs_xdp_shared);
	case HS_HOOK_TC_INGRESS:
		return bpf_program__fd(skel->progs.hs_tc_ingress);
	default:
		return bpf_program__fd(skel->progs.hs_tc_egress);
	}
}

/* Loaded maps and shared programs kept by hs_probes_detach for the next
 * open with the same configuration (hs_probes_keep_loaded). */
static bool keep_loaded;
static struct hopscope_bpf *kept;
static struct hs_probe_config kept_cfg;

void hs_probes_keep_loaded(bool keep)
{
	keep_loaded = keep;
	if (!keep) {
		hopscope_bpf__destroy(kept);
		kept = NULL;
	}
}

/* What the loaded programs were built with: their rodata and the ring. */
static bool same_load(const struct hs_probe_config *a,
		      const struct hs_probe_config *b)
{
	return a->sample_one_in == b->sample_one_in &&
	       a->filter_enabled == b->filter_enabled &&
	       !memcmp(&a->filter, &b->filter, sizeof(a->filter)) &&
	       a->ringbuf_bytes == b->ringbuf_bytes &&
	       a->wakeup_bytes == b->wakeup_bytes &&
	       a->wakeup_check_every == b->wakeup_check_every &&
	       a->stamp_tai == b->stamp_tai;
}

/* The maps, prefaulted, and the shared programs unless p->copies. */
static int load_base(struct hs_probes *p)
{
	struct hopscope_bpf *skel;
	struct hs_rings rings;
	unsigned int i;
	int err;

	if (kept && !p->copies && same_load(&kept_cfg, &p->cfg)) {
		/* every point was dropped, with its device; counters are
		 * zeroed as an id is added; the ring was drained */
		skel = kept;
		kept = NULL;
		goto loaded;
	}
	skel = hopscope_bpf__open();
	if (!skel)
		return -errno;
	set_rodata(skel, &p->cfg, 0);
	set_autoload(skel, !p->copies, false, false, true);
	err = load_with_rings(skel, p->cfg.ringbuf_bytes, &rings);
	if (err) {
		hopscope_bpf__destroy(skel);
		return err;
	}
	prefault_rings(skel, &rings);
	hs_rings_close(&rings);
loaded:
	p->base = skel;
	p->rings_fd = bpf_map__fd(skel->maps.rings);
	p->counters_fd = bpf_map__fd(skel->maps.counters);
	for (i = 0; i < p->cfg.n_vxlan_ports; i++)
		hs_probes_add_vxlan_port(p, p->cfg.vxlan_ports[i],
					 "--vxlan-port");
	return 0;
}

void hs_probes_add_vxlan_port(struct hs_probes *p, uint16_t port,
			      const char *why)
{
	volatile __u64 *ports = p->base->data->vxlan_ports;

	if (!port || hs_is_vxlan_port(ports, port))
		return;
	hs_vxlan_port_set(ports, port);
	pr_info("VXLAN on UDP port %u too (%s)", port, why);
}

/* A copy of the probe for pt alone, on the maps of the base. */
static int load_copy(struct hs_probes *p, struct hs_point *pt)
{
	struct hopscope_bpf *skel = hopscope_bpf__open();
	int err;

	if (!skel)
		return -errno;
	set_rodata(skel, &p->cfg, pt->id);
	set_autoload(skel, false, pt->hook == HS_HOOK_XDP,
		     pt->hook != HS_HOOK_XDP, false);
	err = bpf_map__reuse_fd(skel->maps.rings, p->rings_fd);
	if (!err)
		err = bpf_map__reuse_fd(skel->maps.counters, p->counters_fd);
	if (!err)
		/* the device table: 128 KiB a copy would hold for nothing */
		err = bpf_map__reuse_fd(skel->maps.bss,
					bpf_map__fd(p->base->maps.bss));
	if (!err)
		/* the VXLAN ports: one set for every copy, changed at once */
		err = bpf_map__reuse_fd(skel->maps.data,
					bpf_map__fd(p->base->maps.data));
	if (!err)
		err = hopscope_bpf__load(skel);
	if (err) {
		hopscope_bpf__destroy(skel);
		return err;
	}
	pt->skel = skel;
	return 0;
}

/* HS_TC_ATTACH=clsact: tc points as clsact filters even where TCX is. */
static bool tc_clsact_asked(void)
{
	const char *env = getenv("HS_TC_ATTACH");

	if (!env || !env[0] || !strcmp(env, "tcx"))
		return false;
	if (strcmp(env, "clsact"))
		pr_warn("HS_TC_ATTACH=%s: neither tcx nor clsact; using tcx",
			env);
	return !strcmp(env, "clsact");
}

int hs_probes_open(struct hs_probes *p, const struct hs_probe_config *cfg)
{
	int err;

	memset(p, 0, sizeof(*p));
	p->rings_fd = -1;
	p->counters_fd = -1;
	p->cfg = *cfg;
	p->copies = !hs_probes_can_share();
	p->tc_clsact = tc_clsact_asked();
	err = load_base(p);
	if (err && !p->copies) {
		/* the kernel has the kfunc but would not take the programs */
		pr_debug("shared probes would not load (%s): a copy per point",
			 strerror(-err));
		p->copies = true;
		err = load_base(p);
	}
	if (err) {
		pr_err("cannot load the probes: %s", strerror(-err));
		return err;
	}
	pr_debug("probes: %s", p->copies ? "a copy per point" : "shared");
	return 0;
}

static int attach_xdp(struct hs_point *pt, int prog_fd, enum hs_xdp_mode mode)
{
	LIBBPF_OPTS(bpf_link_create_opts, opts);
	int fd = -1;

	if (mode != HS_XDP_GENERIC) {
		opts.flags = XDP_FLAGS_DRV_MODE;
		fd = bpf_link_create(prog_fd, pt->link.ifindex, BPF_XDP, &opts);
		pt->xdp_mode = hs_xdp_mode_name(HS_XDP_NATIVE);
	}
	if (fd < 0 && mode != HS_XDP_NATIVE) {
		opts.flags = XDP_FLAGS_SKB_MODE;
		fd = bpf_link_create(prog_fd, pt->link.ifindex, BPF_XDP, &opts);
		pt->xdp_mode = hs_xdp_mode_name(HS_XDP_GENERIC);
	}
	if (fd < 0) {
		pt->xdp_mode = NULL;
		return -errno;
	}
	pt->link_fd = fd;
	pt->attached = HS_ATTACHED_XDP_LINK;
	return 0;
}

/*
 * libbpf passes the kernel's netlink error message on as a warning:
 * "Kernel error message: Exclusivity flag on, cannot modify" when a
 * clsact qdisc is there already (the second tc point on an interface),
 * "Cannot find specified filter chain" for a filter someone removed.
 * Where the error is expected and handled here, that line would only
 * alarm in a normal run: it is a debug line there (--verbose). A real
 * failure still gets its one line from the caller.
 */
static int tc_hook_quietly(int (*op)(struct bpf_tc_hook *),
			   struct bpf_tc_hook *hook)
{
	int err;

	hs_log_libbpf_quiet(true);
	err = op(hook);
	hs_log_libbpf_quiet(false);
	return err;
}

static int tc_query_quietly(struct bpf_tc_hook *hook, struct bpf_tc_opts *opts)
{
	int err;

	hs_log_libbpf_quiet(true);
	err = bpf_tc_query(hook, opts);
	hs_log_libbpf_quiet(false);
	return err;
}

static int attach_clsact(struct hs_point *pt, int prog_fd)
{
	LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = pt->link.ifindex);
	LIBBPF_OPTS(bpf_tc_opts, opts, .prog_fd = prog_fd);
	int err;

	hook.attach_point = pt->hook == HS_HOOK_TC_INGRESS ? BPF_TC_INGRESS :
							     BPF_TC_EGRESS;
	/* -EEXIST: a clsact is there already, not ours to delete */
	err = tc_hook_quietly(bpf_tc_hook_create, &hook);
	if (err && err != -EEXIST)
		return err;
	pt->created_qdisc = !err;
	err = bpf_tc_attach(&hook, &opts);
	if (err) {
		if (pt->created_qdisc) {
			hook.attach_point = BPF_TC_INGRESS | BPF_TC_EGRESS;
			tc_hook_quietly(bpf_tc_hook_destroy, &hook);
			pt->created_qdisc = false;
		}
		return err;
	}
	pt->tc_handle = opts.handle;
	pt->tc_priority = opts.priority;
	pt->attached = HS_ATTACHED_CLSACT;
	return 0;
}

/*
 * TCX where the kernel has it, unless clsact was asked for: each TCX link
 * waits for an RCU grace period under the RTNL lock (tcx_entry_sync() in
 * the kernel's tcx_link_prog_attach), ~16 ms on this VM, which the loader
 * cannot shorten or overlap; a clsact filter takes ~0.6 ms but stays
 * attached if the process dies.
 */
static int attach_tc(const struct hs_probes *p, struct hs_point *pt,
		     int prog_fd)
{
	int type = pt->hook == HS_HOOK_TC_INGRESS ? BPF_TCX_INGRESS :
						    BPF_TCX_EGRESS;
	int fd;

	if (p->tc_clsact)
		return attach_clsact(pt, prog_fd);
	fd = bpf_link_create(prog_fd, pt->link.ifindex, type, NULL);
	if (fd >= 0) {
		pt->link_fd = fd;
		pt->attached = HS_ATTACHED_TCX_LINK;
		return 0;
	}
	/* EINVAL: a kernel without TCX (before 6.6) */
	if (errno != EINVAL)
		return -errno;
	pr_debug("TCX not available (%s), using clsact", strerror(errno));
	return attach_clsact(pt, prog_fd);
}

static void detach_clsact(struct hs_point *pt)
{
	LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = pt->link.ifindex);
	LIBBPF_OPTS(bpf_tc_opts, opts, .handle = pt->tc_handle,
		    .priority = pt->tc_priority);
	char where[256];

	hook.attach_point = pt->hook == HS_HOOK_TC_INGRESS ? BPF_TC_INGRESS :
							     BPF_TC_EGRESS;
	/* someone may have replaced the filter: remove it only if ours */
	if (!tc_query_quietly(&hook, &opts) && opts.prog_id == pt->prog_id) {
		opts.prog_id = 0;
		opts.prog_fd = 0;
		opts.flags = 0;
		if (bpf_tc_detach(&hook, &opts))
			pr_warn("%s: could not detach the tc filter",
				point_where(pt, where, sizeof(where)));
	}
	if (pt->created_qdisc) {
		/* someone may have deleted it already */
		hook.attach_point = BPF_TC_INGRESS | BPF_TC_EGRESS;
		tc_hook_quietly(bpf_tc_hook_destroy, &hook);
	}
}

/* Take the program off its hook; the probe and its maps stay. */
static void unhook_point(struct hs_point *pt)
{
	int saved;

	switch (pt->attached) {
	case HS_ATTACHED_XDP_LINK:
	case HS_ATTACHED_TCX_LINK:
		/* closing our link detaches our program, nothing else */
		close(pt->link_fd);
		break;
	case HS_ATTACHED_CLSACT:
		if (!hs_netns_enter(pt->ns, &saved)) {
			detach_clsact(pt);
			hs_netns_leave(saved);
		}
		break;
	case HS_ATTACHED_NONE:
		break;
	}
	pt->attached = HS_ATTACHED_NONE;
	pt->link_fd = -1;
}

/* Tell the shared programs that pt's device is pt. -EEXIST when another
 * point has that device and hook, -ENOSPC when the device table has no
 * room for it. */
static int map_point(struct hs_probes *p, struct hs_point *pt)
{
	int err;

	if (p->copies)
		return 0;
	err = hs_devtable_set(p->base->bss->devs, (uint32_t)pt->ns->inode,
			      (uint32_t)pt->link.ifindex, pt->hook, pt->id);
	if (err)
		return err;
	pt->mapped = true;
	return 0;
}

static void unmap_point(struct hs_probes *p, struct hs_point *pt)
{
	if (!pt->mapped)
		return;
	hs_devtable_clear(p->base->bss->devs, (uint32_t)pt->ns->inode,
			  (uint32_t)pt->link.ifindex, pt->hook);
	pt->mapped = false;
}

/* Everything of pt off the kernel, its counters left as they are. */
/*
 * pt made the clsact qdisc its device's other tc point uses too: leave
 * deleting it to that one, or removing pt would take the other's filter
 * with it.
 */
static void hand_over_qdisc(struct hs_probes *p, struct hs_point *pt)
{
	unsigned int i;

	if (pt->attached != HS_ATTACHED_CLSACT || !pt->created_qdisc)
		return;
	for (i = 0; i < p->n; i++) {
		struct hs_point *o = &p->points[i];

		if (o != pt && o->in_use && o->attached == HS_ATTACHED_CLSACT &&
		    o->ns->inode == pt->ns->inode &&
		    o->link.ifindex == pt->link.ifindex) {
			o->created_qdisc = true;
			pt->created_qdisc = false;
			return;
		}
	}
}

static void drop_point(struct hs_probes *p, struct hs_point *pt)
{
	hand_over_qdisc(p, pt);
	unhook_point(pt);
	unmap_point(p, pt);
	hopscope_bpf__destroy(pt->skel);
	pt->skel = NULL;
	pt->in_use = false;
	pt->skipped = false;
	pt->xdp_mode = NULL;
}

/* A fresh start for an id that may have served another point before. */
static int zero_counters(struct hs_probes *p, uint16_t id)
{
	int ncpus = libbpf_num_possible_cpus();
	__u32 key = id;

	if (ncpus <= 0)
		return -EINVAL;
	{
		struct hs_counters zero[ncpus];

		memset(zero, 0, sizeof(zero));
		if (bpf_map_update_elem(p->counters_fd, &key, zero, BPF_ANY))
			return -errno;
	}
	return 0;
}

void hs_probes_quiesce(struct hs_probes *p)
{
	unsigned int i;

	for (i = 0; i < p->n; i++)
		if (p->points[i].in_use)
			unhook_point(&p->points[i]);
}

/* The program for pt ready: its own copy loaded, or its device mapped. */
static int prepare_point(struct hs_probes *p, struct hs_point *pt)
{
	char where[256];
	int err;

	err = p->copies ? load_copy(p, pt) : map_point(p, pt);
	if (err == -EEXIST)
		pr_err("%s: measured already by another point",
		       point_where(pt, where, sizeof(where)));
	else if (err == -ENOSPC)
		pr_err("%s: no room in the probes' device table (the %d slots "
		       "this device may take are all taken)",
		       point_where(pt, where, sizeof(where)), HS_DEV_PROBES);
	else if (err)
		pr_err("%s: cannot load the probe: %s",
		       point_where(pt, where, sizeof(where)), strerror(-err));
	pt->prog_id = prog_id_of(point_prog_fd(p, pt));
	return err;
}

static int attach_point(struct hs_probes *p, struct hs_point *pt)
{
	int saved, err, prog_fd = point_prog_fd(p, pt);

	err = hs_netns_enter(pt->ns, &saved);
	if (err)
		return err;
	err = pt->hook == HS_HOOK_XDP ?
		      attach_xdp(pt, prog_fd, p->cfg.xdp_mode) :
		      attach_tc(p, pt, prog_fd);
	hs_netns_leave(saved);
	return err;
}

/* Whether tc ingress is, or will be, measured on pt's interface: by a
 * point in use, or by one of the specs still to come (hs_probes_attach). */
static bool tc_ingress_there(const struct hs_probes *p,
			     const struct hs_point *pt,
			     const struct hs_point_spec *specs, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < p->n; i++) {
		const struct hs_point *o = &p->points[i];

		if (o->in_use && !o->skipped && o->ns->inode == pt->ns->inode &&
		    o->link.ifindex == pt->link.ifindex &&
		    o->hook == HS_HOOK_TC_INGRESS)
			return true;
	}
	for (i = 0; i < n; i++)
		if (specs[i].ns->inode == pt->ns->inode &&
		    specs[i].link.ifindex == pt->link.ifindex &&
		    specs[i].hook == HS_HOOK_TC_INGRESS)
			return true;
	return false;
}

/*
 * XDP would not attach (an upper device has XDP, another program owns the
 * hook, no driver support): say so and measure the interface with tc at
 * ingress instead, unless tc ingress is measured there already.
 */
static int xdp_fallback(struct hs_probes *p, struct hs_point *pt,
			const struct hs_point_spec *later, unsigned int n_later,
			int err)
{
	char where[256];

	pr_warn("%s: XDP unavailable (%s); using tc ingress there",
		point_where(pt, where, sizeof(where)), strerror(-err));
	unmap_point(p, pt);
	hopscope_bpf__destroy(pt->skel);
	pt->skel = NULL;
	if (tc_ingress_there(p, pt, later, n_later)) {
		pt->skipped = true;
		pt->prog_id = 0;
		return 0;
	}
	pt->hook = HS_HOOK_TC_INGRESS;
	err = prepare_point(p, pt);
	return err ? err : attach_point(p, pt);
}

static int add_point(struct hs_probes *p, const struct hs_point_spec *spec,
		     uint16_t id, const struct hs_point_spec *later,
		     unsigned int n_later)
{
	struct hs_point *pt = &p->points[id];
	char where[256];
	int err;

	memset(pt, 0, sizeof(*pt));
	pt->id = id;
	pt->hook = spec->hook;
	pt->ns = spec->ns;
	pt->link = spec->link;
	pt->link_fd = -1;
	if (spec->link.kind == HS_LINK_VXLAN && spec->link.udp_port) {
		char why[64];

		snprintf(why, sizeof(why), "vxlan device %s",
			 spec->link.ifname);
		hs_probes_add_vxlan_port(p, spec->link.udp_port, why);
	}
	err = zero_counters(p, id);
	if (err) {
		pr_err("%s: cannot zero the counters of point %u: %s",
		       point_where(pt, where, sizeof(where)), id,
		       strerror(-err));
		return err;
	}
	err = prepare_point(p, pt);
	if (err) {
		drop_point(p, pt);
		pt->ns = NULL;
		return err;
	}
	err = attach_point(p, pt);
	if (err && pt->hook == HS_HOOK_XDP && p->cfg.xdp_mode == HS_XDP_AUTO)
		err = xdp_fallback(p, pt, later, n_later, err);
	if (err) {
		pr_err("%s: cannot attach: %s%s",
		       point_where(pt, where, sizeof(where)), strerror(-err),
		       err == -EBUSY || err == -EEXIST ?
			       " (another program holds the hook)" :
			       "");
		drop_point(p, pt);
		pt->ns = NULL;
		return err;
	}
	pt->in_use = true;
	if (id >= p->n)
		p->n = id + 1u;
	pr_debug("attached %s (prog id %u%s%s)",
		 point_where(pt, where, sizeof(where)), pt->prog_id,
		 pt->xdp_mode ? ", " : "", pt->xdp_mode ? pt->xdp_mode : "");
	return 0;
}

int hs_probes_add(struct hs_probes *p, const struct hs_point_spec *spec,
		  uint16_t id)
{
	if (id >= HS_MAX_POINTS) {
		pr_err("%s:%s: point id %u: at most %d points", spec->ns->name,
		       spec->link.ifname, id, HS_MAX_POINTS);
		return -E2BIG;
	}
	if (p->points[id].in_use) {
		pr_err("%s:%s: point id %u is in use", spec->ns->name,
		       spec->link.ifname, id);
		return -EEXIST;
	}
	return add_point(p, spec, id, NULL, 0);
}

void hs_probes_remove(struct hs_probes *p, uint16_t id)
{
	struct hs_point *pt;

	if (id >= p->n || !p->points[id].in_use)
		return;
	pt = &p->points[id];
	drop_point(p, pt);
	pt->ns = NULL; /* the caller's, and may go now */
}

int hs_probes_attach(struct hs_probes *p, const struct hs_point_spec *specs,
		     unsigned int n, const struct hs_probe_config *cfg)
{
	unsigned int i;
	int err;

	if (n > HS_MAX_POINTS) {
		memset(p, 0, sizeof(*p));
		p->rings_fd = p->counters_fd = -1;
		pr_err("%u observation points: at most %d are supported", n,
		       HS_MAX_POINTS);
		return -E2BIG;
	}
	err = hs_probes_open(p, cfg);
	if (err)
		return err;
	for (i = 0; i < n; i++) {
		/* a point takes milliseconds: hundreds take seconds, and
		 * whoever pressed Ctrl-C meanwhile wants out now */
		err = cfg->stop && cfg->stop() ?
			      -EINTR :
			      add_point(p, &specs[i], (uint16_t)i,
					specs + i + 1, n - i - 1);
		if (err) {
			hs_probes_detach(p);
			return err;
		}
	}
	return 0;
}

void hs_probes_detach(struct hs_probes *p)
{
	unsigned int i;

	for (i = p->n; i-- > 0;)
		if (p->points[i].in_use)
			drop_point(p, &p->points[i]);
	p->n = 0;
	if (keep_loaded && !p->copies && p->base) {
		hopscope_bpf__destroy(kept);
		kept = p->base;
		kept_cfg = p->cfg;
	} else {
		/* the maps go with the last program holding them */
		hopscope_bpf__destroy(p->base);
	}
	p->base = NULL;
	p->rings_fd = -1;
	p->counters_fd = -1;
}

int hs_probes_time(void)
{
	int fd = bpf_enable_stats(BPF_STATS_RUN_TIME);

	return fd < 0 ? -errno : fd;
}

static int prog_run_time(int fd, uint64_t *run_time_ns, uint64_t *run_cnt)
{
	struct bpf_prog_info info = {};
	__u32 len = sizeof(info);

	if (fd < 0 || bpf_obj_get_info_by_fd(fd, &info, &len))
		return -errno;
	*run_time_ns = info.run_time_ns;
	*run_cnt = info.run_cnt;
	return 0;
}

/* pt's share of its shared program's figures: by the packets it saw,
 * against those all points of its hook saw. */
static void share_of(const struct hs_probes *p, const struct hs_point *pt,
		     uint64_t *run_time_ns, uint64_t *run_cnt)
{
	uint64_t mine = 0, all = 0;
	struct hs_counters c;
	unsigned int i;

	for (i = 0; i < p->n; i++) {
		const struct hs_point *o = &p->points[i];

		if (!o->in_use || o->skipped || o->hook != pt->hook ||
		    hs_probes_counters(p, o->id, &c))
			continue;
		all += c.seen;
		if (o == pt)
			mine = c.seen;
	}
	if (!all) {
		*run_time_ns = *run_cnt = 0;
		return;
	}
	*run_time_ns = (uint64_t)((double)*run_time_ns * mine / all);
	*run_cnt = (uint64_t)((double)*run_cnt * mine / all + 0.5);
}

int hs_probes_run_time(const struct hs_probes *p, uint16_t id,
		       uint64_t *run_time_ns, uint64_t *run_cnt)
{
	const struct hs_point *pt = &p->points[id];
	int err;

	*run_time_ns = *run_cnt = 0;
	if (id >= p->n || !pt->in_use || pt->skipped)
		return -ENOENT;
	err = prog_run_time(point_prog_fd(p, pt), run_time_ns, run_cnt);
	if (err)
		return err;
	if (!pt->skel)
		share_of(p, pt, run_time_ns, run_cnt);
	return 0;
}

void hs_counters_add(struct hs_counters *sum, const struct hs_counters *c)
{
	sum->seen += c->seen;
	sum->parse_errors += c->parse_errors;
	sum->filtered += c->filtered;
	sum->sampled_out += c->sampled_out;
	sum->sampled += c->sampled;
	sum->recorded += c->recorded;
	sum->ringbuf_drops += c->ringbuf_drops;
}

static void add_cpus(struct hs_counters *sum, const struct hs_counters *per_cpu,
		     int ncpus)
{
	int i;

	for (i = 0; i < ncpus; i++)
		hs_counters_add(sum, &per_cpu[i]);
}

int hs_probes_counters(const struct hs_probes *p, uint16_t id,
		       struct hs_counters *sum)
{
	int ncpus = libbpf_num_possible_cpus();
	__u32 key = id;

	memset(sum, 0, sizeof(*sum));
	if (ncpus <= 0 || p->counters_fd < 0)
		return -EINVAL;
	{
		struct hs_counters per_cpu[ncpus];

		if (bpf_map_lookup_elem(p->counters_fd, &key, per_cpu))
			return -errno;
		add_cpus(sum, per_cpu, ncpus);
	}
	return 0;
}

/* ids 0..n-1 in one BPF_MAP_LOOKUP_BATCH; -errno where the kernel has
 * none (the caller then asks id by id) */
static int counters_batch(const struct hs_probes *p, struct hs_counters *sum,
			  unsigned int n, int ncpus)
{
	LIBBPF_OPTS(bpf_map_batch_opts, opts);
	struct hs_counters *v = calloc((size_t)n * ncpus, sizeof(*v));
	__u32 *keys = calloc(n, sizeof(*keys));
	__u32 count = n, next, k;
	int err = -ENOMEM;

	if (v && keys) {
		err = bpf_map_lookup_batch(p->counters_fd, NULL, &next, keys, v,
					   &count, &opts);
		/* ENOENT: the map ended within the batch, all of it read */
		if (err == -ENOENT)
			err = 0;
		if (!err && count != n)
			err = -EIO;
		for (k = 0; !err && k < count; k++)
			if (keys[k] < n)
				add_cpus(&sum[keys[k]], &v[(size_t)k * ncpus],
					 ncpus);
	}
	free(v);
	free(keys);
	return err;
}

int hs_probes_counters_all(const struct hs_probes *p, struct hs_counters *sum,
			   unsigned int n)
{
	int ncpus = libbpf_num_possible_cpus();
	unsigned int i;
	int err;

	memset(sum, 0, n * sizeof(*sum));
	if (!n)
		return 0;
	if (ncpus <= 0 || p->counters_fd < 0)
		return -EINVAL;
	if (!counters_batch(p, sum, n, ncpus))
		return 0;
	memset(sum, 0, n * sizeof(*sum));
	for (i = 0; i < n; i++) {
		err = hs_probes_counters(p, (uint16_t)i, &sum[i]);
		if (err)
			return err;
	}
	return 0;
}
