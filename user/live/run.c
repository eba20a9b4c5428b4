// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cap-ng.h>
#include <linux/capability.h>
#include <bpf/libbpf.h>
#include "core/exit.h"
#include "core/log.h"
#include "core/units.h"
#include "core/util.h"
#include "live/run.h"
#include "live/watch.h"
#include "output/output.h"
#include "probe/resolve.h"

#define BTF_PATH "/sys/kernel/btf/vmlinux"

/* The effective capability, or one line naming it and a failure. */
static int require_cap(int cap, const char *name)
{
	if (capng_have_capability(CAPNG_EFFECTIVE, cap))
		return HS_EXIT_OK;
	pr_err("not running as root: %s is missing (run with sudo)", name);
	return HS_EXIT_FAILURE;
}

int hs_run_preflight_topo(void)
{
	/* entering other namespaces takes CAP_SYS_ADMIN */
	capng_get_caps_process();
	return require_cap(CAP_SYS_ADMIN, "CAP_SYS_ADMIN");
}

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
	for (i = 0; i < sizeof(caps) / sizeof(caps[0]); i++)
		if (require_cap(caps[i].cap, caps[i].name))
			return HS_EXIT_FAILURE;
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
/*
 * What a run needs once its probes are attached: the ring buffers, the
 * counters and the links are descriptors it holds and need no capability.
 * It still enters namespaces and asks netlink there (interface events,
 * conntrack for the NAT hops' names), times its probes for a moment
 * every 10 s (BPF_ENABLE_STATS) and detaches a clsact fallback:
 * CAP_SYS_ADMIN and CAP_NET_ADMIN; and it looks for a process that
 * keeps a namespace whose name went (live/watch.c), which takes
 * CAP_SYS_PTRACE once its other capabilities are fewer than the
 * process's. The agent attaches new containers' points as well (CAP_BPF,
 * CAP_PERFMON).
 */
int hs_run_least_privilege(bool follow)
{
	static const int run_caps[] = { CAP_SYS_ADMIN, CAP_NET_ADMIN,
					CAP_SYS_PTRACE };
	static const int agent_caps[] = { CAP_SYS_ADMIN, CAP_NET_ADMIN, CAP_BPF,
					  CAP_PERFMON, CAP_SYS_PTRACE };
	const int *keep = follow ? agent_caps : run_caps;
	size_t i, n = follow ? ARRAY_SIZE(agent_caps) : ARRAY_SIZE(run_caps);
	char *kept;

	capng_clear(CAPNG_SELECT_BOTH);
	for (i = 0; i < n; i++)
		capng_update(CAPNG_ADD,
			     CAPNG_EFFECTIVE | CAPNG_PERMITTED |
				     CAPNG_BOUNDING_SET,
			     (unsigned int)keep[i]);
	if (capng_apply(CAPNG_SELECT_BOTH)) {
		pr_warn("cannot drop the capabilities it no longer needs: it keeps them");
		return -1;
	}
	kept = capng_print_caps_text(CAPNG_PRINT_BUFFER, CAPNG_EFFECTIVE);
	pr_debug("capabilities kept: %s", kept ? kept : "?");
	free(kept);
	return 0;
}

/* Measuring starts (the session has printed the point lines). */
static int on_ready(void *ctx)
{
	const struct hs_run_opts *o = ctx;

	if (o->drop_caps)
		hs_run_least_privilege(o->follow != NULL);
	return o->on_attached ? o->on_attached(o->ctx) : 0;
}

/* --write DIR: the directory made if it ends in '/', the defaults of
 * --rotate and --keep, and a --keep that holds a part. --rotate or --keep
 * with a file is a mistake said at once. */
static int record_dir(struct hs_collect_config *c)
{
	struct hs_rotate_policy *p = &c->rotate;
	char keep[32], part[32];

	c->write_dir = c->write_path && hs_parts_is_dir(c->write_path);
	if (!c->write_dir) {
		if (c->rotate_given || p->keep_bytes) {
			pr_err("--rotate and --keep need --write DIR (a directory, or a path ending in '/')%s%s%s",
			       c->write_path ? ": '" : "",
			       c->write_path ? c->write_path : "",
			       c->write_path ? "' is not one" : "");
			return HS_EXIT_USAGE;
		}
		return HS_EXIT_OK;
	}
	if (!c->rotate_given) {
		p->max_bytes = HS_PARTS_DEFAULT_BYTES;
		p->max_age_ns = HS_PARTS_DEFAULT_AGE_NS;
	}
	if (!p->keep_bytes)
		p->keep_bytes = HS_PARTS_DEFAULT_KEEP;
	if (p->keep_bytes < p->max_bytes) {
		hs_format_size(p->keep_bytes, keep, sizeof(keep));
		hs_format_size(p->max_bytes, part, sizeof(part));
		pr_err("bad --keep '%s': less than one part (--rotate %s)",
		       keep, part);
		return HS_EXIT_USAGE;
	}
	if (mkdir(c->write_path, 0700) && errno != EEXIST) {
		pr_err("cannot create record directory '%s': %s", c->write_path,
		       strerror(errno));
		return HS_EXIT_USAGE;
	}
	if (access(c->write_path, W_OK | X_OK)) {
		pr_err("cannot write into record directory '%s': %s",
		       c->write_path, strerror(errno));
		return HS_EXIT_USAGE;
	}
	return HS_EXIT_OK;
}

/* Everything that can be wrong with the options, found before anything
 * is attached: an output that cannot be written, a port that is taken. */
static int open_outputs(const struct hs_run_opts *o,
			struct hs_collect_config *collect,
			struct hs_output *out, struct hs_metrics **metrics,
			bool *created)
{
	const char *which;
	char err[512];
	int e, fd;

	e = hs_output_open(out, o->json_path, o->csv_path, o->table, &which);
	if (e) {
		pr_err("cannot open '%s' for output: %s", which, strerror(-e));
		return HS_EXIT_USAGE;
	}
	e = record_dir(collect);
	if (e)
		return e;
	if (collect->write_path && !collect->write_dir) {
		*created = access(o->collect.write_path, F_OK) != 0;
		fd = open(o->collect.write_path, O_WRONLY | O_CREAT | O_CLOEXEC,
			  0600);
		if (fd < 0) {
			pr_err("cannot create record file '%s': %s",
			       o->collect.write_path, strerror(errno));
			return HS_EXIT_USAGE;
		}
		close(fd);
	}
	if (o->metrics && hs_metrics_start(metrics, o->metrics, NULL, NULL, err,
					   sizeof(err))) {
		pr_err("%s", err);
		return HS_EXIT_FAILURE;
	}
	return HS_EXIT_OK;
}

/* A record file made for a run that never started says nothing: it goes,
 * unless it was there before. */
static void unlink_if_empty(const char *path, bool created)
{
	struct stat st;

	if (path && created && !stat(path, &st) && !st.st_size)
		unlink(path);
}

/* run and demo: the points the user named (resolved before anything is
 * opened, so that a typo creates no file), attached once. */
static int attach_fixed(const struct hs_run_opts *o, struct hs_probes *probes,
			struct hs_resolved *r, struct hs_collect_config *collect)
{
	int err = hs_probes_attach(probes, r->specs, r->n, &o->probe);

	if (err == -EINTR)
		pr_err("interrupted while attaching: nothing measured, every probe detached");
	if (err)
		return HS_EXIT_FAILURE;
	collect->watch = hs_watch_new(probes);
	hs_resolved_release(r, probes);
	return HS_EXIT_OK;
}

/* The agent: the probe loaded once, the selection's points attached now
 * and followed from here on. None yet is no error: containers come. */
static int attach_following(const struct hs_run_opts *o,
			    struct hs_probes *probes,
			    struct hs_collect_config *collect)
{
	struct hs_follow_target t = { .probes = probes, .stop = o->probe.stop };
	int n;

	collect->follow = hs_follow_new(o->follow);
	if (!collect->follow)
		return HS_EXIT_FAILURE;
	if (hs_probes_open(probes, &o->probe))
		return HS_EXIT_FAILURE;
	n = hs_follow_scan(collect->follow, &t, hs_clock_now(o->collect.clock));
	if (n < 0) {
		pr_err("cannot read the host's topology");
		return HS_EXIT_FAILURE;
	}
	if (t.stop && t.stop()) {
		pr_err("interrupted while attaching: nothing measured, every probe detached");
		return HS_EXIT_FAILURE;
	}
	if (!n)
		pr_info("nothing selected yet: waiting for containers to start");
	return HS_EXIT_OK;
}

int hs_run(const struct hs_run_opts *o)
{
	struct hs_collect_config collect = o->collect;
	struct hs_metrics *metrics = NULL;
	struct hs_probes *probes = NULL;
	struct hs_output out = {};
	bool created = false;
	struct hs_resolved *r;
	int ret, err;

	ret = hs_run_preflight();
	if (ret)
		return ret;
	if (o->probe.stamp_tai && !hs_probe_has_tai()) {
		pr_err("--clock tai: this kernel has no bpf_ktime_get_tai_ns (Linux 6.1+)");
		return HS_EXIT_FAILURE;
	}
	r = calloc(1, sizeof(*r));
	probes = calloc(1, sizeof(*probes));
	if (!r || !probes) {
		pr_err("out of memory");
		ret = HS_EXIT_FAILURE;
		goto out;
	}
	if (!o->follow) {
		err = hs_resolve(r, &o->select);
		if (err) {
			ret = err == -EIO ? HS_EXIT_FAILURE : HS_EXIT_USAGE;
			goto out;
		}
	}
	ret = open_outputs(o, &collect, &out, &metrics, &created);
	if (ret)
		goto out_close;
	if (hs_collect_stop_pending()) {
		pr_err("interrupted before measuring");
		ret = HS_EXIT_FAILURE;
		goto out_close;
	}
	ret = o->follow ? attach_following(o, probes, &collect) :
			  attach_fixed(o, probes, r, &collect);
	if (ret)
		goto out_detach;
	collect.metrics = metrics;
	collect.on_ready = on_ready;
	collect.ready_ctx = (void *)o;
	ret = hs_collect_run(probes, &collect, &out) ? HS_EXIT_FAILURE :
						       HS_EXIT_OK;
	if (out.failed && !ret) {
		pr_err("cannot write the output (%s%s%s)",
		       o->json_path ? o->json_path : "",
		       o->json_path && o->csv_path ? ", " : "",
		       o->csv_path ? o->csv_path : "");
		ret = HS_EXIT_FAILURE;
	}
out_detach:
	/* the probes first: the follower owns their namespaces */
	hs_probes_detach(probes);
	hs_watch_free(collect.watch);
	hs_follow_free(collect.follow);
out_close:
	hs_metrics_stop(metrics);
	hs_output_close(&out);
	unlink_if_empty(o->collect.write_path, created);
out:
	if (r)
		hs_resolved_free(r);
	free(r);
	free(probes);
	return ret;
}
