// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <criterion/criterion.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <sched.h>
#include <sys/stat.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "probe/attach.h"
#include "hopscope.h"
#include "hs_packet.h"
#include "probe/devtable.h"
#include "probe/filter.h"
#include "packet.h"
#include "probe.h"

#define HS_TC_ACT_UNSPEC ((uint32_t)-1)

unsigned int probe_default_hooks;

/* Probes still open when a failed cr_assert() ends the test early are
 * closed at exit, so that LeakSanitizer reports only real leaks. */
#define MAX_OPEN_PROBES 8
static struct probe *open_probes[MAX_OPEN_PROBES];

static void close_open_probes(void)
{
	for (int i = 0; i < MAX_OPEN_PROBES; i++)
		if (open_probes[i])
			probe_close(open_probes[i]);
}

static void track(struct probe *p, struct probe *q)
{
	static int registered;

	if (!registered) {
		atexit(close_open_probes);
		registered = 1;
	}
	for (int i = 0; i < MAX_OPEN_PROBES; i++)
		if (open_probes[i] == p) {
			open_probes[i] = q;
			return;
		}
}

static int silent_print(enum libbpf_print_level level, const char *fmt,
			va_list ap)
{
	/* the verifier log only when something goes wrong */
	if (level == LIBBPF_WARN)
		return vfprintf(stderr, fmt, ap);
	return 0;
}

static int on_record(void *ctx, void *data, size_t size)
{
	struct probe *p = ctx;

	if (size != sizeof(struct hs_record)) {
		p->bad_size++;
		return 0;
	}
	if (p->nrec < PROBE_MAX_RECS)
		memcpy(&p->recs[p->nrec], data, sizeof(struct hs_record));
	p->nrec++;
	return 0;
}

struct probe *probe_open(const struct probe_opts *opts)
{
	unsigned int hooks;
	struct probe *p;
	int err;

	if (geteuid() != 0)
		cr_skip_test("needs root: BPF_PROG_TEST_RUN");
	libbpf_set_print(silent_print);
	p = calloc(1, sizeof(*p));
	cr_assert_not_null(p);
	track(NULL, p);
	p->point = opts->point;
	p->skel = hopscope_bpf__open();
	cr_assert_not_null(p->skel, "hopscope_bpf__open: %s", strerror(errno));
	p->skel->rodata->point_id = opts->point;
	p->skel->rodata->sample_threshold = hs_sample_threshold(opts->sample);
	p->skel->rodata->wakeup_bytes = opts->wakeup_bytes;
	p->skel->rodata->stamp_tai = opts->stamp_tai;
	if (opts->filter) {
		struct hs_filter f;
		char msg[256] = "";

		err = hs_filter_parse(opts->filter, &f, msg, sizeof(msg));
		cr_assert_eq(err, 0, "filter '%s': %s", opts->filter, msg);
		memcpy((void *)&p->skel->rodata->filter, &f, sizeof(f));
		p->skel->rodata->filter_enabled = 1;
	}
	hooks = opts->hooks ? opts->hooks :
	       probe_default_hooks ? probe_default_hooks :
				     (1u << HOOK_XDP) | (1u << HOOK_TC);
	p->shared = opts->shared;
	bpf_program__set_autoload(p->skel->progs.hs_xdp,
				  !p->shared && (hooks & (1u << HOOK_XDP)));
	bpf_program__set_autoload(p->skel->progs.hs_tc,
				  !p->shared && (hooks & (1u << HOOK_TC)));
	bpf_program__set_autoload(p->skel->progs.hs_xdp_shared,
				  p->shared && (hooks & (1u << HOOK_XDP)));
	bpf_program__set_autoload(p->skel->progs.hs_tc_ingress,
				  p->shared && (hooks & (1u << HOOK_TC)));
	bpf_program__set_autoload(p->skel->progs.hs_tc_egress,
				  p->shared && (hooks & (1u << HOOK_TC)));
	/* opts->ringbuf_bytes is each CPU's ring: what a test fills is the
	 * ring of the CPU it runs on */
	err = hs_probes_load_rings(p->skel,
				   (opts->ringbuf_bytes ? opts->ringbuf_bytes :
							  HS_RINGBUF_DEFAULT_BYTES) *
					   hs_rings_cpus());
	cr_assert_eq(err, 0, "hopscope_bpf__load: %d (%s)", err,
		     strerror(-err));
	err = hs_rings_open(&p->rings, bpf_map__fd(p->skel->maps.rings));
	cr_assert_eq(err, 0, "the rings: %s", strerror(-err));
	p->rb = hs_rings_reader(&p->rings, on_record, p, NULL);
	cr_assert_not_null(p->rb, "ring_buffer__new: %s", strerror(errno));
	if (p->shared)
		for (unsigned int h = 0; h < HS_HOOK_COUNT; h++)
			probe_map(p, probe_netns_ino(), 1, h, p->point);
	return p;
}

uint64_t probe_netns_ino(void)
{
	struct stat st;

	cr_assert_eq(stat("/proc/thread-self/ns/net", &st), 0,
		     "stat /proc/thread-self/ns/net: %s", strerror(errno));
	return (uint64_t)st.st_ino;
}

void probe_map(struct probe *p, uint64_t netns_ino, uint32_t ifindex,
	       uint32_t hook, uint32_t point)
{
	int err = hs_devtable_set(p->skel->bss->devs, (uint32_t)netns_ino,
				  ifindex, (enum hs_hook)hook, (uint16_t)point);

	cr_assert_eq(err, 0, "device table: %s", strerror(-err));
}

void probe_unmap(struct probe *p, uint64_t netns_ino, uint32_t ifindex,
		 uint32_t hook)
{
	hs_devtable_clear(p->skel->bss->devs, (uint32_t)netns_ino, ifindex,
			  (enum hs_hook)hook);
}

static struct bpf_program *prog_of(struct probe *p, enum probe_hook hook)
{
	if (!p->shared)
		return hook == HOOK_XDP ? p->skel->progs.hs_xdp :
					  p->skel->progs.hs_tc;
	switch (hook) {
	case HOOK_XDP:
		return p->skel->progs.hs_xdp_shared;
	case HOOK_TC:
		return p->skel->progs.hs_tc_ingress;
	default:
		return p->skel->progs.hs_tc_egress;
	}
}

void probe_close(struct probe *p)
{
	if (!p)
		return;
	track(p, NULL);
	ring_buffer__free(p->rb);
	hs_rings_close(&p->rings);
	hopscope_bpf__destroy(p->skel);
	free(p);
}

const char *hook_name(enum probe_hook hook)
{
	return hook == HOOK_XDP ? "xdp" : hook == HOOK_TC ? "tc" : "tc-egress";
}

int probe_run_raw(struct probe *p, enum probe_hook hook, const void *frame,
		  size_t len, uint32_t *ret)
{
	struct bpf_program *prog = prog_of(p, hook);
	LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = frame,
		    .data_size_in = (__u32)len, .repeat = 1);
	int err;

	err = bpf_prog_test_run_opts(bpf_program__fd(prog), &o);
	if (ret)
		*ret = o.retval;
	return err;
}

void probe_run(struct probe *p, enum probe_hook hook, const void *frame,
	       size_t len)
{
	struct bpf_program *prog = prog_of(p, hook);
	static uint8_t out[TPKT_MAX + 512];
	LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = frame,
		    .data_size_in = (__u32)len, .data_out = out,
		    .data_size_out = sizeof(out), .repeat = 1);
	int err;

	memset(out, 0xee, sizeof(out));
	err = bpf_prog_test_run_opts(bpf_program__fd(prog), &o);
	cr_assert_eq(err, 0, "%s: bpf_prog_test_run_opts(len %zu): %d (%s)",
		     hook_name(hook), len, err, strerror(-err));
	if (hook == HOOK_XDP)
		cr_assert_eq(o.retval, XDP_PASS, "xdp verdict %u, not XDP_PASS",
			     o.retval);
	else
		cr_assert_eq(o.retval, HS_TC_ACT_UNSPEC,
			     "tc verdict %d, not TC_ACT_UNSPEC", (int)o.retval);
	cr_assert_eq(o.data_size_out, len, "%s: %u bytes out for %zu in",
		     hook_name(hook), o.data_size_out, len);
	cr_assert(memcmp(out, frame, len) == 0, "%s: the frame was modified",
		  hook_name(hook));
}

static int by_ts(const void *a, const void *b)
{
	const struct hs_record *x = a, *y = b;

	return x->ts_ns < y->ts_ns ? -1 : x->ts_ns > y->ts_ns;
}

size_t probe_drain(struct probe *p)
{
	size_t before = p->nrec;
	int n = ring_buffer__consume(p->rb);

	cr_assert_geq(n, 0, "ring_buffer__consume: %d", n);
	cr_assert_eq(p->bad_size, 0, "ring buffer sample of the wrong size");
	cr_assert_leq(p->nrec, PROBE_MAX_RECS, "more records than expected");
	/* a ring per CPU, read one after the other: in the order the
	 * packets were run, wherever the test's thread ran them */
	qsort(&p->recs[before], p->nrec - before, sizeof(p->recs[0]), by_ts);
	return p->nrec - before;
}

void probe_counters(struct probe *p, uint32_t point, struct hs_counters *sum)
{
	int ncpu = libbpf_num_possible_cpus(), i, err;
	struct hs_counters *v;

	cr_assert_gt(ncpu, 0);
	v = calloc((size_t)ncpu, sizeof(*v));
	cr_assert_not_null(v);
	err = bpf_map_lookup_elem(bpf_map__fd(p->skel->maps.counters), &point,
				  v);
	cr_assert_eq(err, 0, "counters lookup: %d", err);
	memset(sum, 0, sizeof(*sum));
	for (i = 0; i < ncpu; i++) {
		sum->seen += v[i].seen;
		sum->parse_errors += v[i].parse_errors;
		sum->filtered += v[i].filtered;
		sum->sampled_out += v[i].sampled_out;
		sum->sampled += v[i].sampled;
		sum->recorded += v[i].recorded;
		sum->ringbuf_drops += v[i].ringbuf_drops;
		sum->__reserved += v[i].__reserved;
	}
	free(v);
}

void expect_counters(struct probe *p, uint64_t seen, uint64_t parse_errors,
		     uint64_t filtered, uint64_t sampled_out, uint64_t sampled,
		     uint64_t recorded, uint64_t ringbuf_drops)
{
	struct hs_counters c;

	probe_counters(p, p->point, &c);
	cr_expect_eq(c.seen, seen, "seen %llu, want %llu",
		     (unsigned long long)c.seen, (unsigned long long)seen);
	cr_expect_eq(c.parse_errors, parse_errors,
		     "parse_errors %llu, want %llu",
		     (unsigned long long)c.parse_errors,
		     (unsigned long long)parse_errors);
	cr_expect_eq(c.filtered, filtered, "filtered %llu, want %llu",
		     (unsigned long long)c.filtered,
		     (unsigned long long)filtered);
	cr_expect_eq(c.sampled_out, sampled_out,
		     "sampled_out %llu, want %llu",
		     (unsigned long long)c.sampled_out,
		     (unsigned long long)sampled_out);
	cr_expect_eq(c.sampled, sampled, "sampled %llu, want %llu",
		     (unsigned long long)c.sampled,
		     (unsigned long long)sampled);
	cr_expect_eq(c.recorded, recorded, "recorded %llu, want %llu",
		     (unsigned long long)c.recorded,
		     (unsigned long long)recorded);
	cr_expect_eq(c.ringbuf_drops, ringbuf_drops,
		     "ringbuf_drops %llu, want %llu",
		     (unsigned long long)c.ringbuf_drops,
		     (unsigned long long)ringbuf_drops);
	cr_expect_eq(c.__reserved, 0);
}

void pin_to_this_cpu(void)
{
	cpu_set_t set;
	int cpu = sched_getcpu();

	cr_assert_geq(cpu, 0);
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	cr_assert_eq(sched_setaffinity(0, sizeof(set), &set), 0);
}

int tc_refuses(const void *frame, size_t len)
{
	const uint8_t *f = frame;
	unsigned int proto;

	if (len < 14)
		return 1;
	proto = (unsigned int)f[12] << 8 | f[13];
	return (proto == 0x0800 && len < 14 + 20) ||
	       (proto == 0x86dd && len < 14 + 40);
}

uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}
