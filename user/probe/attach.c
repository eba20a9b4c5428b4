// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <linux/if_link.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "core/hooks.h"
#include "core/log.h"
#include "probe/attach.h"
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
 * Have the kernel write into every page of the new ring buffer once (see
 * hs_prefault in the probe), then read past what it wrote. A cost, not an
 * error, if it cannot: the first packets pay it instead.
 */
static void prefault_ring(struct hopscope_bpf *skel, int ringbuf_fd)
{
	/* not IP: BPF_PROG_TEST_RUN takes it for tc without complaint */
	uint8_t frame[64] = { [12] = 0x88, [13] = 0xb5 };
	LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = frame,
		    .data_size_in = sizeof(frame), .repeat = 1);
	int fd = bpf_program__fd(skel->progs.hs_prefault), round;
	struct ring_buffer *rb;

	rb = ring_buffer__new(ringbuf_fd, skip_record, NULL, NULL);
	if (!rb)
		return;
	/* twice: the first leaves the page the kernel keeps free */
	for (round = 0; round < 2; round++)
		if (bpf_prog_test_run_opts(fd, &o) ||
		    ring_buffer__consume(rb) < 0)
			break;
	ring_buffer__free(rb);
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

/* Open one copy of the probe for pt, sharing maps with the first copy. */
static int load_probe(struct hs_probes *p, struct hs_point *pt,
		      const struct hs_probe_config *cfg)
{
	struct hopscope_bpf *skel;
	struct bpf_prog_info info = {};
	__u32 info_len = sizeof(info);
	struct bpf_program *prog;
	int err;

	skel = hopscope_bpf__open();
	if (!skel)
		return -errno;
	skel->rodata->point_id = pt->id;
	skel->rodata->sample_threshold =
		hs_sample_threshold(cfg->sample_one_in);
	skel->rodata->filter_enabled = cfg->filter_enabled;
	memcpy((void *)&skel->rodata->filter, &cfg->filter,
	       sizeof(cfg->filter));
	skel->rodata->wakeup_bytes = cfg->wakeup_bytes;
	skel->rodata->stamp_tai = cfg->stamp_tai;
	skel->rodata->wakeup_check_mask =
		(cfg->wakeup_check_every ?
			 cfg->wakeup_check_every :
			 hs_wakeup_check_every(cfg->ringbuf_bytes)) -
		1;

	/* only the program this hook needs is verified and loaded, and the
	 * one that writes the new ring buffer's pages once, with the first */
	bpf_program__set_autoload(skel->progs.hs_xdp, pt->hook == HS_HOOK_XDP);
	bpf_program__set_autoload(skel->progs.hs_tc, pt->hook != HS_HOOK_XDP);
	bpf_program__set_autoload(skel->progs.hs_prefault, p->ringbuf_fd < 0);

	if (p->ringbuf_fd >= 0) {
		err = bpf_map__reuse_fd(skel->maps.records, p->ringbuf_fd);
		if (!err)
			err = bpf_map__reuse_fd(skel->maps.counters,
						p->counters_fd);
	} else {
		err = bpf_map__set_max_entries(skel->maps.records,
					       cfg->ringbuf_bytes);
	}
	if (!err)
		err = hopscope_bpf__load(skel);
	if (err) {
		hopscope_bpf__destroy(skel);
		return err;
	}
	if (p->ringbuf_fd < 0) {
		/* our own references: the maps outlive any one probe */
		p->ringbuf_fd = fcntl(bpf_map__fd(skel->maps.records),
				      F_DUPFD_CLOEXEC, 0);
		p->counters_fd = fcntl(bpf_map__fd(skel->maps.counters),
				       F_DUPFD_CLOEXEC, 0);
		if (p->ringbuf_fd < 0 || p->counters_fd < 0) {
			hopscope_bpf__destroy(skel);
			return -errno;
		}
		prefault_ring(skel, p->ringbuf_fd);
	}
	prog = pt->hook == HS_HOOK_XDP ? skel->progs.hs_xdp : skel->progs.hs_tc;
	if (!bpf_obj_get_info_by_fd(bpf_program__fd(prog), &info, &info_len))
		pt->prog_id = info.id;
	pt->skel = skel;
	return 0;
}

static int attach_xdp(struct hs_point *pt, enum hs_xdp_mode mode)
{
	LIBBPF_OPTS(bpf_link_create_opts, opts);
	int prog_fd = bpf_program__fd(pt->skel->progs.hs_xdp);
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
	if (fd < 0)
		return -errno;
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

static int attach_clsact(struct hs_point *pt)
{
	LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = pt->link.ifindex);
	LIBBPF_OPTS(bpf_tc_opts, opts,
		    .prog_fd = bpf_program__fd(pt->skel->progs.hs_tc));
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

static int attach_tc(struct hs_point *pt)
{
	int prog_fd = bpf_program__fd(pt->skel->progs.hs_tc);
	int type = pt->hook == HS_HOOK_TC_INGRESS ? BPF_TCX_INGRESS :
						    BPF_TCX_EGRESS;
	int fd;

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
	return attach_clsact(pt);
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

static void detach_point(struct hs_point *pt)
{
	unhook_point(pt);
	hopscope_bpf__destroy(pt->skel);
	pt->skel = NULL;
}

void hs_probes_quiesce(struct hs_probes *p)
{
	unsigned int i;

	for (i = 0; i < p->n; i++)
		unhook_point(&p->points[i]);
}

static int attach_point(struct hs_point *pt, const struct hs_probe_config *cfg)
{
	int saved, err;

	err = hs_netns_enter(pt->ns, &saved);
	if (err)
		return err;
	err = pt->hook == HS_HOOK_XDP ? attach_xdp(pt, cfg->xdp_mode) :
					attach_tc(pt);
	hs_netns_leave(saved);
	return err;
}

/*
 * XDP would not attach (an upper device has XDP, another program owns the
 * hook, no driver support): say so and measure the interface with tc at
 * ingress instead, unless tc ingress is measured there already.
 */
static int xdp_fallback(struct hs_probes *p, const struct hs_point_spec *specs,
			unsigned int n, struct hs_point *pt,
			const struct hs_probe_config *cfg, int err)
{
	char where[256];
	unsigned int i;

	pr_warn("%s: XDP unavailable (%s); using tc ingress there",
		point_where(pt, where, sizeof(where)), strerror(-err));
	hopscope_bpf__destroy(pt->skel);
	pt->skel = NULL;
	pt->xdp_mode = NULL;
	for (i = 0; i < n; i++) {
		if (specs[i].ns == pt->ns &&
		    specs[i].link.ifindex == pt->link.ifindex &&
		    specs[i].hook == HS_HOOK_TC_INGRESS) {
			pt->skipped = true;
			return 0;
		}
	}
	pt->hook = HS_HOOK_TC_INGRESS;
	err = load_probe(p, pt, cfg);
	return err ? err : attach_point(pt, cfg);
}

int hs_probes_attach(struct hs_probes *p, const struct hs_point_spec *specs,
		     unsigned int n, const struct hs_probe_config *cfg)
{
	char where[256];
	unsigned int i;
	int err;

	memset(p, 0, sizeof(*p));
	p->ringbuf_fd = -1;
	p->counters_fd = -1;
	if (n > HS_MAX_POINTS) {
		pr_err("%u observation points: at most %d are supported", n,
		       HS_MAX_POINTS);
		return -E2BIG;
	}
	for (i = 0; i < n; i++) {
		struct hs_point *pt = &p->points[i];

		pt->id = i;
		pt->hook = specs[i].hook;
		pt->ns = specs[i].ns;
		pt->link = specs[i].link;
		pt->link_fd = -1;
		p->n = i + 1;

		err = load_probe(p, pt, cfg);
		if (err) {
			pr_err("%s: cannot load the probe: %s",
			       point_where(pt, where, sizeof(where)),
			       strerror(-err));
			goto fail;
		}
		err = attach_point(pt, cfg);
		if (err && pt->hook == HS_HOOK_XDP &&
		    cfg->xdp_mode == HS_XDP_AUTO)
			err = xdp_fallback(p, specs, n, pt, cfg, err);
		if (err) {
			pr_err("%s: cannot attach: %s%s",
			       point_where(pt, where, sizeof(where)),
			       strerror(-err),
			       err == -EBUSY || err == -EEXIST ?
				       " (another program holds the hook)" :
				       "");
			goto fail;
		}
		pr_debug("attached %s (prog id %u%s%s)",
			 point_where(pt, where, sizeof(where)), pt->prog_id,
			 pt->xdp_mode ? ", " : "",
			 pt->xdp_mode ? pt->xdp_mode : "");
	}
	return 0;
fail:
	hs_probes_detach(p);
	return err;
}

void hs_probes_detach(struct hs_probes *p)
{
	unsigned int i;

	for (i = p->n; i-- > 0;)
		detach_point(&p->points[i]);
	p->n = 0;
	if (p->ringbuf_fd >= 0)
		close(p->ringbuf_fd);
	if (p->counters_fd >= 0)
		close(p->counters_fd);
	p->ringbuf_fd = -1;
	p->counters_fd = -1;
}

int hs_probes_time(void)
{
	int fd = bpf_enable_stats(BPF_STATS_RUN_TIME);

	return fd < 0 ? -errno : fd;
}

int hs_probes_run_time(const struct hs_probes *p, uint16_t id,
		       uint64_t *run_time_ns, uint64_t *run_cnt)
{
	const struct hs_point *pt = &p->points[id];
	struct bpf_prog_info info = {};
	__u32 len = sizeof(info);
	int fd;

	*run_time_ns = *run_cnt = 0;
	if (id >= p->n || !pt->skel || pt->skipped)
		return -ENOENT;
	fd = bpf_program__fd(pt->hook == HS_HOOK_XDP ? pt->skel->progs.hs_xdp :
						       pt->skel->progs.hs_tc);
	if (fd < 0 || bpf_obj_get_info_by_fd(fd, &info, &len))
		return -errno;
	*run_time_ns = info.run_time_ns;
	*run_cnt = info.run_cnt;
	return 0;
}

int hs_probes_counters(const struct hs_probes *p, uint16_t id,
		       struct hs_counters *sum)
{
	int ncpus = libbpf_num_possible_cpus();
	__u32 key = id;
	int i;

	memset(sum, 0, sizeof(*sum));
	if (ncpus <= 0 || p->counters_fd < 0)
		return -EINVAL;
	{
		struct hs_counters per_cpu[ncpus];

		if (bpf_map_lookup_elem(p->counters_fd, &key, per_cpu))
			return -errno;
		for (i = 0; i < ncpus; i++) {
			sum->seen += per_cpu[i].seen;
			sum->parse_errors += per_cpu[i].parse_errors;
			sum->filtered += per_cpu[i].filtered;
			sum->sampled_out += per_cpu[i].sampled_out;
			sum->sampled += per_cpu[i].sampled;
			sum->recorded += per_cpu[i].recorded;
			sum->ringbuf_drops += per_cpu[i].ringbuf_drops;
		}
	}
	return 0;
}
