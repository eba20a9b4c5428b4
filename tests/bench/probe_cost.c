// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * probe_cost - what one packet costs the probe, through BPF_PROG_TEST_RUN,
 * measured side by side with its two floors in one run: an empty program
 * (what any program costs) and the floor recorder (tests/bpf/floor.bpf.c:
 * the probe's clock, one record of its size reserved and submitted, no
 * parse: the least any recording probe costs). Variants alternate
 * (A B C A B C ...); each figure is the median over rounds, and the
 * distance to a floor the median of the per-round differences, which is
 * what counts on a shared, noisy machine.
 * Then the ring buffer's reserve under contention: the floor recorder and
 * the probe run on one CPU alone and on two CPUs at once, and the floor
 * again with a ring per CPU, what a ring per CPU would save.
 *   probe_cost [--quick] [ROUNDS [REPEAT]]
 *   probe_cost --profile SECONDS DIR
 * --profile runs only the probe recording every packet and the floor
 * recorder, alternating, on CPU 0 for SECONDS, for tests/bench/jitprof.sh
 * to sample with perf; it first writes each program's JIT image to
 * DIR/NAME.jit and prints "NAME SYMBOL" lines, the symbol perf knows it by.
 * With BENCH_JSON set, each figure is also appended to that file as a JSON
 * line (tests/bench/README.md).
 */
#include <pthread.h>
#include <sched.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/stat.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "probe/attach.h"
#include "hs_packet.h"
#include "probe/devtable.h"
#include "probe/rings.h"
#include "hopscope.skel.h"
#include "packet.h"
#include "tests/empty.skel.h"
#include "tests/floor.skel.h"

/* The probe as a copy per point (point id in rodata), and the shared
 * programs (point found by the device: lo of this namespace, mapped) */
enum variant {
	V_EMPTY,
	V_FLOOR,
	V_FILTERED,
	V_SAMPLED_OUT,
	V_RECORDED,
	V_SAMPLED_OUT_SHARED,
	V_RECORDED_SHARED,
	V_COUNT
};
static const char *const variant_names[V_COUNT] = {
	"empty program", "floor recorder",	"filtered out",
	"sampled out",	 "recorded",		"sampled out, shared",
	"recorded, shared",
};

struct frame {
	const char *name;
	uint8_t buf[TPKT_MAX];
	size_t len;
};

/* BPF_PROG_TEST_RUN runs on lo (ifindex 1) of the caller's namespace:
 * that is point 0 for the shared programs. */
static int map_lo(struct hopscope_bpf *skel)
{
	struct stat st;
	int hook;

	if (stat("/proc/self/ns/net", &st))
		return -1;
	for (hook = 0; hook < HS_HOOK_COUNT; hook++)
		if (hs_devtable_set(skel->bss->devs, (uint32_t)st.st_ino, 1,
				    (enum hs_hook)hook, 0))
			return -1;
	return 0;
}

static struct hopscope_bpf *load_probe(int prog_is_xdp, uint64_t threshold,
				       int filter_out, int shared)
{
	struct hopscope_bpf *skel = hopscope_bpf__open();

	if (!skel)
		return NULL;
	skel->rodata->sample_threshold = threshold;
	if (filter_out) {
		struct hs_filter f = { .proto = 6 }; /* TCP only: UDP is out */

		memcpy((void *)&skel->rodata->filter, &f, sizeof(f));
		skel->rodata->filter_enabled = 1;
	}
	bpf_program__set_autoload(skel->progs.hs_xdp, !shared && prog_is_xdp);
	bpf_program__set_autoload(skel->progs.hs_tc, !shared && !prog_is_xdp);
	bpf_program__set_autoload(skel->progs.hs_xdp_shared,
				  shared && prog_is_xdp);
	bpf_program__set_autoload(skel->progs.hs_tc_ingress,
				  shared && !prog_is_xdp);
	bpf_program__set_autoload(skel->progs.hs_tc_egress, false);
	bpf_program__set_autoload(skel->progs.hs_prefault, false);
	if (hs_probes_load_rings(skel, HS_RINGBUF_DEFAULT_BYTES *
					       hs_rings_cpus()) ||
	    (shared && map_lo(skel))) {
		hopscope_bpf__destroy(skel);
		return NULL;
	}
	return skel;
}

static int prog_fd(struct hopscope_bpf *skel, int xdp, int shared)
{
	if (shared)
		return bpf_program__fd(xdp ? skel->progs.hs_xdp_shared :
					     skel->progs.hs_tc_ingress);
	return bpf_program__fd(xdp ? skel->progs.hs_xdp : skel->progs.hs_tc);
}

static bool is_shared(enum variant v)
{
	return v == V_SAMPLED_OUT_SHARED || v == V_RECORDED_SHARED;
}

/* ns per run, from the kernel's own timing of `repeat` runs */
static double run_ns(int prog_fd, const struct frame *f, int repeat)
{
	LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = f->buf,
		    .data_size_in = (__u32)f->len, .repeat = repeat);

	if (bpf_prog_test_run_opts(prog_fd, &o))
		return -1;
	return (double)o.duration;
}

static int discard(void *ctx, void *data, size_t size)
{
	(void)ctx;
	(void)data;
	(void)size;
	return 0;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double median(double *v, int n)
{
	qsort(v, n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static double quantile(double *v, int n, double q)
{
	qsort(v, n, sizeof(*v), cmp_double);
	return v[(int)(q * (n - 1) + 0.5)];
}

static void build_frames(struct frame *fr)
{
	static uint8_t big[1472];
	struct tpkt p;

	tpkt_init(&p);
	fr[0].name = "IPv4 UDP 64B";
	p.payload_len = 64 - 14 - 20 - 8;
	fr[0].len = tpkt_build(&p, fr[0].buf);
	fr[1].name = "IPv4 UDP 1514B";
	p.payload = big;
	p.payload_len = 1514 - 14 - 20 - 8;
	fr[1].len = tpkt_build(&p, fr[1].buf);
	tpkt_init(&p);
	p.family = 6;
	p.src = "2001:2::1";
	p.dst = "2001:2:0:1::2";
	fr[2].name = "IPv6 UDP 78B";
	p.payload_len = 78 - 14 - 40 - 8;
	fr[2].len = tpkt_build(&p, fr[2].buf);
	fr[3].name = "IPv6 UDP 1514B";
	p.payload = big;
	p.payload_len = 1514 - 14 - 40 - 8;
	fr[3].len = tpkt_build(&p, fr[3].buf);
}

static bool is_recorded(enum variant v)
{
	return v == V_RECORDED || v == V_RECORDED_SHARED;
}

/* The targets of issue 13: recorded <= the floor recorder + 10 ns;
 * sampled out and filtered out <= the empty program + 5 ns. */
static double target(enum variant v)
{
	if (is_recorded(v))
		return 10;
	return v == V_SAMPLED_OUT || v == V_SAMPLED_OUT_SHARED ||
				       v == V_FILTERED ?
		       5 :
		       -1;
}

struct figure {
	double median, q1, q3; /* ns per run */
	double over_empty, over_empty_q1, over_empty_q3;
	double over_floor, over_floor_q1, over_floor_q3;
};

static bool met(enum variant v, const struct figure *f)
{
	return (is_recorded(v) ? f->over_floor : f->over_empty) <= target(v);
}

static void json_line(FILE *f, const char *hook, const char *frame,
		      enum variant v, const struct figure *fig)
{
	double median_ns = fig->median, q1 = fig->q1, q3 = fig->q3;
	double over = fig->over_empty, over_q1 = fig->over_empty_q1,
	       over_q3 = fig->over_empty_q3;

	if (!f)
		return;
	fprintf(f,
		"{\"bench\":\"probe_cost\",\"section\":\"BPF_PROG_TEST_RUN\","
		"\"name\":\"%s %s %s\",\"hook\":\"%s\",\"frame\":\"%s\","
		"\"variant\":\"%s\",\"value\":%.1f,\"unit\":\"ns/pkt\","
		"\"q1\":%.1f,\"q3\":%.1f",
		hook, frame, variant_names[v], hook, frame, variant_names[v],
		median_ns, q1, q3);
	if (v != V_EMPTY)
		fprintf(f,
			",\"over_empty\":%.1f,\"over_empty_q1\":%.1f,\"over_empty_q3\":%.1f",
			over, over_q1, over_q3);
	if (v != V_EMPTY && v != V_FLOOR)
		fprintf(f,
			",\"over_floor\":%.1f,\"over_floor_q1\":%.1f,\"over_floor_q3\":%.1f",
			fig->over_floor, fig->over_floor_q1, fig->over_floor_q3);
	if (target(v) >= 0)
		fprintf(f, ",\"target\":\"<= %.0f ns over the %s\",\"met\":%s",
			target(v),
			is_recorded(v) ? "floor recorder" : "empty program",
			met(v, fig) ? "true" : "false");
	fprintf(f, "}\n");
}

/* A reader of every CPU's ring of skel, records thrown away; NULL if
 * none (the runs then end in ring buffer drops). */
static struct ring_buffer *probe_reader(struct hopscope_bpf *skel)
{
	struct hs_rings r;
	struct ring_buffer *rb;

	if (hs_rings_open(&r, bpf_map__fd(skel->maps.rings)))
		return NULL;
	rb = hs_rings_reader(&r, discard, NULL, NULL);
	/* the reader's mappings hold the rings */
	hs_rings_close(&r);
	return rb;
}

/* ---- the reserve on two CPUs at once ---- */

enum contended {
	C_FLOOR, /* one ring for every CPU, as the probe has today */
	C_FLOOR_PERCPU, /* a ring per CPU */
	C_RECORDED, /* the probe recording every packet */
	C_COUNT
};
static const char *const contended_names[C_COUNT] = {
	"floor, one ring",
	"floor, a ring per CPU",
	"probe recorded (per CPU)",
};

struct runner {
	pthread_t thread;
	pthread_barrier_t *start;
	int cpu, fd, repeat;
	const struct frame *frame;
	double ns;
};

static void *runner_main(void *arg)
{
	struct runner *r = arg;
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(r->cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set))
		r->ns = -1;
	pthread_barrier_wait(r->start);
	if (r->ns >= 0)
		r->ns = run_ns(r->fd, r->frame, r->repeat);
	return NULL;
}

/* ns per packet on each of n CPUs (0 and 1) running fd at once; their
 * mean, or -1 */
static double run_on_cpus(int fd, const struct frame *f, int repeat, int n)
{
	struct runner rs[2];
	pthread_barrier_t start;
	double sum = 0;
	int i;

	pthread_barrier_init(&start, NULL, (unsigned int)n);
	for (i = 0; i < n; i++) {
		rs[i] = (struct runner){ .start = &start, .cpu = i, .fd = fd,
					 .repeat = repeat, .frame = f };
		pthread_create(&rs[i].thread, NULL, runner_main, &rs[i]);
	}
	for (i = 0; i < n; i++) {
		pthread_join(rs[i].thread, NULL);
		if (rs[i].ns < 0)
			sum = -1e18;
		sum += rs[i].ns;
	}
	pthread_barrier_destroy(&start);
	return sum < 0 ? -1 : sum / n;
}

/* The floor's rings, one a CPU, into its map of rings; the consumer of
 * them all in *rb. */
static int floor_percpu_rings(struct floor_bpf *skel, int ncpu,
			      struct ring_buffer **rb)
{
	int outer = bpf_map__fd(skel->maps.floor_rings), i;

	for (i = 0; i < ncpu; i++) {
		int fd = bpf_map_create(BPF_MAP_TYPE_RINGBUF, NULL, 0, 0,
					HS_RINGBUF_DEFAULT_BYTES, NULL);
		__u32 key = (__u32)i;

		if (fd < 0 || bpf_map_update_elem(outer, &key, &fd, BPF_ANY))
			return -1;
		if (!*rb)
			*rb = ring_buffer__new(fd, discard, NULL, NULL);
		else if (ring_buffer__add(*rb, fd, discard, NULL))
			return -1;
		close(fd); /* the map of rings holds it */
		if (!*rb)
			return -1;
	}
	return 0;
}

static void contention(FILE *json, int rounds, int repeat,
		       const struct frame *f)
{
	int ncpu = (int)sysconf(_SC_NPROCESSORS_ONLN), c, r, n;
	struct floor_bpf *floor_skel = floor_bpf__open_and_load();
	struct hopscope_bpf *probe = load_probe(0, 1ULL << 32, 0, 0);
	struct ring_buffer *rb[C_COUNT] = {};
	double one[C_COUNT][64], two[C_COUNT][64], d[C_COUNT][64];
	int fds[C_COUNT];

	if (ncpu < 2 || !floor_skel || !probe ||
	    floor_percpu_rings(floor_skel, ncpu, &rb[C_FLOOR_PERCPU])) {
		printf("\ncontention: skipped (%s)\n",
		       ncpu < 2 ? "one CPU" : "cannot load the programs");
		goto out;
	}
	rb[C_FLOOR] = ring_buffer__new(bpf_map__fd(floor_skel->maps.floor_records),
				       discard, NULL, NULL);
	rb[C_RECORDED] = probe_reader(probe);
	fds[C_FLOOR] = bpf_program__fd(floor_skel->progs.floor_tc);
	fds[C_FLOOR_PERCPU] = bpf_program__fd(floor_skel->progs.floor_tc_percpu);
	fds[C_RECORDED] = prog_fd(probe, 0, 0);
	/* two CPUs' records in one ring of ~170 000 */
	repeat = repeat > 60000 ? 60000 : repeat;
	for (r = 0; r < rounds; r++) {
		for (c = 0; c < C_COUNT; c++) {
			for (n = 1; n <= 2; n++) {
				double ns = run_on_cpus(fds[c], f, repeat, n);

				(n == 1 ? one : two)[c][r] = ns;
				ring_buffer__consume(rb[c]);
			}
			d[c][r] = two[c][r] - one[c][r];
		}
	}
	printf("\n%-5s %-15s %-24s %12s %12s %13s\n", "hook", "frame",
	       "reserve on 2 CPUs", "1 CPU ns", "2 CPUs ns", "contention");
	for (c = 0; c < C_COUNT; c++) {
		double m1 = median(one[c], rounds), m2 = median(two[c], rounds),
		       md = median(d[c], rounds);

		printf("%-5s %-15s %-24s %12.1f %12.1f %+13.1f\n", "tc",
		       f->name, contended_names[c], m1, m2, md);
		if (json)
			fprintf(json,
				"{\"bench\":\"probe_cost\",\"section\":\"contention\","
				"\"name\":\"tc %s %s, 2 CPUs at once\",\"variant\":\"%s\","
				"\"value\":%.1f,\"unit\":\"ns/pkt\",\"one_cpu\":%.1f,"
				"\"contention_ns\":%.1f,\"q1\":%.1f,\"q3\":%.1f}\n",
				f->name, contended_names[c], contended_names[c], m2,
				m1, md, quantile(two[c], rounds, 0.25),
				quantile(two[c], rounds, 0.75));
	}
out:
	for (c = 0; c < C_COUNT; c++)
		ring_buffer__free(rb[c]);
	hopscope_bpf__destroy(probe);
	floor_bpf__destroy(floor_skel);
}

/* The JIT image of fd into dir/name.jit; its perf symbol on stdout. */
static int dump_jit(int fd, const char *name, const char *dir)
{
	struct bpf_prog_info info = {};
	__u32 len = sizeof(info), i;
	char path[4096], sym[64] = "";
	uint8_t *image;
	FILE *f;

	if (bpf_obj_get_info_by_fd(fd, &info, &len) || !info.jited_prog_len)
		return -1;
	image = calloc(1, info.jited_prog_len);
	if (!image)
		return -1;
	len = info.jited_prog_len;
	memset(&info, 0, sizeof(info));
	info.jited_prog_len = len;
	info.jited_prog_insns = (__u64)(unsigned long)image;
	len = sizeof(info);
	if (bpf_obj_get_info_by_fd(fd, &info, &len)) {
		free(image);
		return -1;
	}
	snprintf(path, sizeof(path), "%s/%s.jit", dir, name);
	f = fopen(path, "w");
	if (f) {
		fwrite(image, 1, info.jited_prog_len, f);
		fclose(f);
	}
	for (i = 0; i < BPF_TAG_SIZE; i++)
		snprintf(sym + 2 * i, 3, "%02x", info.tag[i]);
	printf("%s bpf_prog_%s_%s\n", name, sym, info.name);
	free(image);
	return f ? 0 : -1;
}

/* --profile: the recorded probe and the floor, alternating, on CPU 0. */
static int profile(int seconds, const char *dir)
{
	struct floor_bpf *floor_skel = floor_bpf__open_and_load();
	struct hopscope_bpf *probe = load_probe(0, 1ULL << 32, 0, 0);
	struct ring_buffer *rb = probe ? probe_reader(probe) : NULL, *frb;
	struct frame frames[4];
	struct timespec t0, t;
	cpu_set_t set;
	int fd, ffd;

	if (!floor_skel || !rb) {
		fprintf(stderr, "probe_cost: cannot load the probe (root?)\n");
		return 1;
	}
	frb = ring_buffer__new(bpf_map__fd(floor_skel->maps.floor_records),
			       discard, NULL, NULL);
	fd = prog_fd(probe, 0, 0);
	ffd = bpf_program__fd(floor_skel->progs.floor_tc);
	CPU_ZERO(&set);
	CPU_SET(0, &set);
	if (!frb || sched_setaffinity(0, sizeof(set), &set) ||
	    dump_jit(fd, "recorded", dir) || dump_jit(ffd, "floor", dir)) {
		fprintf(stderr, "probe_cost: cannot set up the profile in '%s'\n",
			dir);
		return 1;
	}
	fflush(stdout);
	build_frames(frames);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	do {
		run_ns(fd, &frames[0], 50000);
		ring_buffer__consume(rb);
		run_ns(ffd, &frames[0], 50000);
		ring_buffer__consume(frb);
		clock_gettime(CLOCK_MONOTONIC, &t);
	} while (t.tv_sec - t0.tv_sec < seconds);
	ring_buffer__free(rb);
	ring_buffer__free(frb);
	hopscope_bpf__destroy(probe);
	floor_bpf__destroy(floor_skel);
	return 0;
}

int main(int argc, char **argv)
{
	bool quick = argc > 1 && !strcmp(argv[1], "--quick");
	int rounds = quick ? 5 : 11, repeat = quick ? 30000 : 100000;
	const char *json_path = getenv("BENCH_JSON");
	FILE *json = NULL;
	struct frame frames[4];
	int hook, fi, v, r;

	if (argc == 4 && !strcmp(argv[1], "--profile"))
		return profile(atoi(argv[2]), argv[3]);
	if (quick) {
		argc--;
		argv++;
	}
	if (argc > 1)
		rounds = atoi(argv[1]);
	if (argc > 2)
		repeat = atoi(argv[2]);

	if (rounds < 1 || repeat < 1 || repeat > 150000) {
		/* the ring buffer holds ~200k records: recorded runs must
		 * not spill into the cheaper drop path */
		fprintf(stderr, "usage: probe_cost [--quick] [ROUNDS [REPEAT <= 150000]]\n");
		return 2;
	}
	if (json_path && !(json = fopen(json_path, "a"))) {
		fprintf(stderr, "probe_cost: cannot append to '%s'\n", json_path);
		return 1;
	}
	build_frames(frames);
	printf("%-5s %-15s %-20s %9s %9s %11s %11s  %s\n", "hook", "frame",
	       "variant", "ns/pkt", "IQR", "over empty", "over floor",
	       "target");
	for (hook = 0; hook < 2; hook++) {
		struct empty_bpf *empty = empty_bpf__open_and_load();
		struct floor_bpf *floor_skel = floor_bpf__open_and_load();
		struct hopscope_bpf *skel[V_COUNT] = {
			NULL,
			NULL,
			load_probe(hook == 0, 1ULL << 32, 1, 0),
			load_probe(hook == 0, 0, 0, 0),
			load_probe(hook == 0, 1ULL << 32, 0, 0),
			load_probe(hook == 0, 0, 0, 1),
			load_probe(hook == 0, 1ULL << 32, 0, 1),
		};
		int fds[V_COUNT];

		for (v = V_FILTERED; v < V_COUNT; v++)
			if (!skel[v]) {
				fprintf(stderr, "probe_cost: cannot load %s (root? Linux 6.2+?)\n",
					variant_names[v]);
				return 1;
			}
		if (!empty || !floor_skel) {
			fprintf(stderr, "probe_cost: cannot load the empty program or the floor recorder (root?)\n");
			return 1;
		}
		fds[V_EMPTY] = bpf_program__fd(hook == 0 ? empty->progs.empty_xdp :
							   empty->progs.empty_tc);
		fds[V_FLOOR] = bpf_program__fd(hook == 0 ? floor_skel->progs.floor_xdp :
							   floor_skel->progs.floor_tc);
		for (v = V_FILTERED; v < V_COUNT; v++)
			fds[v] = prog_fd(skel[v], hook == 0, is_shared(v));
		for (fi = 0; fi < 4; fi++) {
			double ns[V_COUNT][64], diff[V_COUNT][64],
				fdiff[V_COUNT][64];
			struct ring_buffer *rb = NULL, *rb_shared = NULL,
					   *rb_floor = NULL;

			if (rounds > 64)
				rounds = 64;
			for (r = 0; r < rounds; r++) {
				for (v = 0; v < V_COUNT; v++)
					ns[v][r] = run_ns(fds[v], &frames[fi], repeat);
				/* empty the ring between rounds */
				if (!rb)
					rb = probe_reader(skel[V_RECORDED]);
				if (rb)
					ring_buffer__consume(rb);
				if (!rb_shared)
					rb_shared = probe_reader(
						skel[V_RECORDED_SHARED]);
				if (rb_shared)
					ring_buffer__consume(rb_shared);
				if (!rb_floor)
					rb_floor = ring_buffer__new(
						bpf_map__fd(floor_skel->maps.floor_records),
						discard, NULL, NULL);
				if (rb_floor)
					ring_buffer__consume(rb_floor);
				for (v = 0; v < V_COUNT; v++) {
					diff[v][r] = ns[v][r] - ns[V_EMPTY][r];
					fdiff[v][r] = ns[v][r] - ns[V_FLOOR][r];
				}
			}
			ring_buffer__free(rb);
			ring_buffer__free(rb_shared);
			ring_buffer__free(rb_floor);
			for (v = 0; v < V_COUNT; v++) {
				struct figure f = {
					.q1 = quantile(ns[v], rounds, 0.25),
					.q3 = quantile(ns[v], rounds, 0.75),
					.median = median(ns[v], rounds),
					.over_empty_q1 = quantile(diff[v], rounds, 0.25),
					.over_empty_q3 = quantile(diff[v], rounds, 0.75),
					.over_empty = v == V_EMPTY ? 0.0 : median(diff[v], rounds),
					.over_floor_q1 = quantile(fdiff[v], rounds, 0.25),
					.over_floor_q3 = quantile(fdiff[v], rounds, 0.75),
					.over_floor = median(fdiff[v], rounds),
				};
				char over_floor[16] = "", goal[48] = "";

				if (v > V_FLOOR)
					snprintf(over_floor, sizeof(over_floor),
						 "%+.1f", f.over_floor);
				if (target(v) >= 0)
					snprintf(goal, sizeof(goal), "<= %s + %.0f: %s",
						 is_recorded(v) ? "floor" : "empty",
						 target(v), met(v, &f) ? "met" : "MISSED");
				printf("%-5s %-15s %-20s %9.1f %9.1f %+11.1f %11s  %s\n",
				       hook == 0 ? "xdp" : "tc", frames[fi].name,
				       variant_names[v], f.median, f.q3 - f.q1,
				       f.over_empty, over_floor, goal);
				json_line(json, hook == 0 ? "xdp" : "tc",
					  frames[fi].name, v, &f);
			}
		}
		for (v = V_FILTERED; v < V_COUNT; v++)
			hopscope_bpf__destroy(skel[v]);
		empty_bpf__destroy(empty);
		floor_bpf__destroy(floor_skel);
	}
	contention(json, rounds, repeat, &frames[0]);
	if (json)
		fclose(json);
	return 0;
}
