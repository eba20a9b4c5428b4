// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * study.c - the experiments of `hopscope study`: the cells to measure, the
 * testbeds they need (consecutive cells on the same links share one), a
 * stream or a sockperf ping-pong through each, and what the collector
 * reported, read back from its JSON lines.
 */
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <json-c/json.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/pidfd.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "analysis/fit.h"
#include "cmd/bed.h"
#include "cmd/study.h"
#include "core/exit.h"
#include "core/log.h"
#include "core/util.h"
#include "live/collect.h"
#include "probe/attach.h"
#include "probe/filter.h"

#define STUDY_PORT 7001
#define MAX_CELLS 256
/* 130 Mb/s of 64-byte frames, the paper's Table I stream */
#define PAPER_CBR_PPS 253906
/* a frame's bytes around a UDP payload: Ethernet, IPv4, UDP (no FCS) */
#define FRAME_OVERHEAD 42

const char *const hs_study_exp_names[HS_EXPS] = {
	[HS_EXP_LATENCY] = "latency",	    [HS_EXP_JITTER] = "jitter",
	[HS_EXP_EFFICIENCY] = "efficiency", [HS_EXP_ROUNDTRIP] = "roundtrip",
	[HS_EXP_CHAIN] = "chain",
};

const char *const hs_study_tech_names[HS_TECHS] = {
	[HS_TECH_NATIVE] = "native", [HS_TECH_DIRECT] = "direct",
	[HS_TECH_MACVLAN] = "macvlan", [HS_TECH_SRIOV] = "sriov",
	[HS_TECH_BRIDGE] = "bridge", [HS_TECH_OVS] = "ovs",
	[HS_TECH_DOCKER_BRIDGE] = "docker-bridge",
	[HS_TECH_DOCKER_MACVLAN] = "docker-macvlan",
};

enum hs_study_tech hs_study_paper_tech(enum hs_study_tech t)
{
	switch (t) {
	case HS_TECH_DOCKER_BRIDGE:
		return HS_TECH_BRIDGE;
	case HS_TECH_DOCKER_MACVLAN:
		return HS_TECH_MACVLAN;
	default:
		return t;
	}
}

static const unsigned int full_frames[] = { 64,	  128,	256, 512,
					    1024, 1280, 1514 };
static const unsigned int quick_frames[] = { 64, 1514 };

/* Traffic of a cell: rate, packets, and the left-out head and tail. */
struct stream {
	uint32_t rate;
	uint64_t count; /* sent */
	uint64_t head; /* left out at the head, and as many at the tail */
};

struct study {
	struct hs_study_opts *opts;
	struct hs_study_results res;
	struct hs_bed bed;
	char bed_up[160]; /* the links of the testbed that is up, "" none */
	unsigned int docker_beds; /* Docker testbeds built so far */
	bool has_ovs;
	char docker_reason[160]; /* "" where a Docker Engine answers */
	char sriov_reason[160]; /* "" where a VF exists */
	/* the cell being measured, and its stream at the rate measured */
	struct hs_study_cell *cell;
	struct stream stream;
	char json[PATH_MAX];
	char sockperf_out[PATH_MAX];
	pid_t sender, client, server;
	int sent_fd; /* the sender's report */
	int sink_fd;
	/* the chain's nodes' namespaces (snd, vnf1..vnfN, rcv), and what is
	 * selected of them: --between pairs, one per link, or --netns */
	char nodes[9 + 1][64];
	const char *selected[2 * 9];
	double carried; /* packets a second the sender kept */
	unsigned long long stat0[8], stat1[8];
	struct timespec t0, t1;
};

/* ---- what to measure ---- */

/* The links between sender and receiver that stand for a technology:
 * one into a container, two containers, or a chain of VNFs. NULL where
 * namespaces cannot stand for it. */
static const char *single_kinds(enum hs_study_tech t)
{
	switch (t) {
	case HS_TECH_NATIVE: /* the wire ends in the host's namespace */
	case HS_TECH_DIRECT: /* the wire's end moved into the container */
		return "veth";
	case HS_TECH_MACVLAN:
		return "macvlan-nic";
	case HS_TECH_BRIDGE:
		return "bridge";
	case HS_TECH_OVS:
		return "ovs";
	case HS_TECH_DOCKER_BRIDGE:
		/* the sender is a container too: Docker's networks join
		 * containers */
		return "docker-bridge";
	case HS_TECH_DOCKER_MACVLAN:
		return "docker-macvlan";
	default:
		return NULL;
	}
}

/* Container to container, or one link of a chain. */
static const char *pair_kind(enum hs_study_tech t)
{
	switch (t) {
	case HS_TECH_DIRECT:
		return "veth";
	case HS_TECH_MACVLAN:
		return "macvlan";
	case HS_TECH_BRIDGE:
		return "bridge";
	case HS_TECH_OVS:
		return "ovs";
	case HS_TECH_DOCKER_BRIDGE:
	case HS_TECH_DOCKER_MACVLAN:
		return single_kinds(t);
	default:
		return NULL;
	}
}

static struct hs_study_cell *add_cell(struct study *s, enum hs_study_exp e,
				      enum hs_study_tech t)
{
	struct hs_study_cell *c;

	if (s->res.n_cells == MAX_CELLS)
		return NULL;
	c = &s->res.cells[s->res.n_cells++];
	memset(c, 0, sizeof(*c));
	c->exp = e;
	c->tech = t;
	c->available = true;
	return c;
}

/* Whether c's technology can be measured here on c->kinds; the reason
 * why not in c. */
static bool tech_available(struct study *s, struct hs_study_cell *c)
{
	if (c->tech == HS_TECH_SRIOV) {
		snprintf(c->reason, sizeof(c->reason), "%s", s->sriov_reason);
		c->available = false;
	} else if (!c->kinds[0]) {
		snprintf(c->reason, sizeof(c->reason),
			 "not measured: %s",
			 c->exp == HS_EXP_ROUNDTRIP ?
				 "two native processes talk over lo, which has no hop to measure" :
				 "a chain of network functions needs containers");
		c->available = false;
	} else if (!strncmp(c->kinds, "docker-", 7) && s->docker_reason[0]) {
		snprintf(c->reason, sizeof(c->reason), "%s", s->docker_reason);
		c->available = false;
	} else if (c->tech == HS_TECH_OVS && !s->has_ovs) {
		snprintf(c->reason, sizeof(c->reason),
			 "not available on this host: Open vSwitch cannot run (testbed.sh has-ovs)");
		c->available = false;
	}
	return c->available;
}

/* The cell's links: kinds, or "" where nothing stands for them. */
static void set_kinds(struct hs_study_cell *c, const char *kinds)
{
	snprintf(c->kinds, sizeof(c->kinds), "%s", kinds ? kinds : "");
}

static void plan_tech(struct study *s, enum hs_study_tech t)
{
	unsigned int exps = s->opts->exps, i, n_frames;
	const unsigned int *frames;
	const char *k = single_kinds(t);
	struct hs_study_cell *c;
	int e;

	frames = s->opts->quick ? quick_frames : full_frames;
	n_frames = s->opts->quick ? ARRAY_SIZE(quick_frames) :
				    ARRAY_SIZE(full_frames);
	for (e = 0; e < HS_EXPS; e++) {
		if (!(exps & (1u << e)))
			continue;
		switch (e) {
		case HS_EXP_LATENCY:
		case HS_EXP_ROUNDTRIP:
			for (i = 0; i < n_frames; i++) {
				c = add_cell(s, e, t);
				if (!c)
					return;
				c->frame = frames[i];
				set_kinds(c, e == HS_EXP_LATENCY ? k : pair_kind(t));
				tech_available(s, c);
			}
			break;
		case HS_EXP_JITTER:
		case HS_EXP_EFFICIENCY:
			c = add_cell(s, e, t);
			if (!c)
				return;
			c->frame = 64;
			set_kinds(c, k);
			tech_available(s, c);
			break;
		case HS_EXP_CHAIN:
			for (i = 1; i <= s->opts->max_vnfs; i++) {
				c = add_cell(s, e, t);
				if (!c)
					return;
				c->frame = 64;
				c->functions = i;
				if (pair_kind(t))
					hs_bed_chain_kinds(c->kinds,
							   sizeof(c->kinds),
							   pair_kind(t), i);
				tech_available(s, c);
			}
			break;
		}
	}
}

static void cell_stream(const struct study *s, const struct hs_study_cell *c,
			struct stream *st)
{
	bool q = s->opts->quick, ovs = c->tech == HS_TECH_OVS;

	memset(st, 0, sizeof(*st));
	switch (c->exp) {
	case HS_EXP_LATENCY:
	case HS_EXP_CHAIN:
		st->rate = ovs ? 1000 : 2000;
		st->count = q ? 300 : 5000;
		break;
	case HS_EXP_JITTER:
		/* the paper's stream where the host carries it; OVS's
		 * userspace datapath loses packets above ~10 kpps */
		st->rate = q ? (ovs ? 2000 : 20000) :
			       (ovs ? 8000 : PAPER_CBR_PPS);
		st->count = q ? 3000 : 50000;
		break;
	case HS_EXP_EFFICIENCY:
		st->rate = q ? (ovs ? 2000 : 5000) : (ovs ? 5000 : 20000);
		st->count = (uint64_t)st->rate * (q ? 1 : 5);
		break;
	case HS_EXP_ROUNDTRIP:
		st->rate = q ? 500 : 1000; /* ping-pongs a second */
		st->count = (uint64_t)st->rate * (q ? 1 : 3);
		break;
	default:
		break;
	}
	if (c->exp == HS_EXP_JITTER) {
		/* n measured, head and tail of a tenth each left out */
		st->head = st->count / 10;
		st->count += 2 * st->head;
	}
}

/* ---- the host ---- */

static void read_cpu_model(struct hs_study_host *h)
{
	char line[256];
	FILE *f = fopen("/proc/cpuinfo", "re");

	snprintf(h->cpu, sizeof(h->cpu), "unknown");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		char *colon = strchr(line, ':');

		if (strncmp(line, "model name", 10) || !colon)
			continue;
		colon += 1 + strspn(colon + 1, " \t");
		colon[strcspn(colon, "\n")] = '\0';
		snprintf(h->cpu, sizeof(h->cpu), "%s", colon);
		break;
	}
	fclose(f);
}

static void describe_host(struct study *s)
{
	struct hs_study_host *h = &s->res.host;
	struct utsname u;
	cpu_set_t set;
	time_t now = time(NULL);
	struct tm tm;

	read_cpu_model(h);
	h->cpus = (unsigned int)sysconf(_SC_NPROCESSORS_ONLN);
	if (!uname(&u))
		snprintf(h->kernel, sizeof(h->kernel), "%s %s", u.sysname,
			 u.release);
	/* nothing pins the study's processes: pinned only where the
	 * caller's affinity already leaves out some CPUs */
	h->pinned = !sched_getaffinity(0, sizeof(set), &set) &&
		    (unsigned int)CPU_COUNT(&set) < h->cpus;
	snprintf(h->ovs_datapath, sizeof(h->ovs_datapath), "%s",
		 s->has_ovs ? "netdev (userspace)" : "none (OVS cannot run here)");
	gmtime_r(&now, &tm);
	strftime(h->started, sizeof(h->started), "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* "" where some interface has SR-IOV virtual functions. */
static void find_sriov(struct study *s)
{
	glob_t g;

	if (!glob("/sys/class/net/*/device/virtfn0", 0, NULL, &g)) {
		globfree(&g);
		snprintf(s->sriov_reason, sizeof(s->sriov_reason),
			 "not measured: this host has an SR-IOV VF, but the study builds namespaces only; measure the VF with hopscope run");
		return;
	}
	snprintf(s->sriov_reason, sizeof(s->sriov_reason),
		 "not available on this host: no SR-IOV VF");
}

/* "" where DOCKER_HOST's engine (or the default one) answers. */
static void find_docker(struct study *s)
{
	const char *host = getenv("DOCKER_HOST");

	if (!s->opts->docker || !hs_bed_script(&s->bed, "has-docker"))
		return;
	snprintf(s->docker_reason, sizeof(s->docker_reason),
		 "not available on this host: no Docker Engine answers at %s",
		 host ? host : "the default socket");
}

/* ---- one cell ---- */

/* user nice system idle iowait irq softirq steal, in clock ticks */
static void read_proc_stat(unsigned long long v[8])
{
	FILE *f = fopen("/proc/stat", "re");

	memset(v, 0, 8 * sizeof(v[0]));
	if (!f)
		return;
	if (fscanf(f, "cpu %llu %llu %llu %llu %llu %llu %llu %llu", &v[0],
		   &v[1], &v[2], &v[3], &v[4], &v[5], &v[6], &v[7]) != 8)
		memset(v, 0, 8 * sizeof(v[0]));
	fclose(f);
}

static double seconds_between(const struct timespec *a,
			      const struct timespec *b)
{
	return (double)(b->tv_sec - a->tv_sec) +
	       (double)(b->tv_nsec - a->tv_nsec) / 1e9;
}

/* The most a stream may take: half as long again as its rate says, and
 * a second, for a sender that cannot keep the rate. */
static double stream_seconds(const struct stream *st)
{
	return (double)st->count / st->rate * 1.5 + 1;
}

/* Streams whose rate is asked, not known to be carried. */
static bool adapts(const struct hs_study_cell *c)
{
	return c->exp == HS_EXP_JITTER || c->exp == HS_EXP_EFFICIENCY;
}

/* Called by the collector once every point measures. */
static int cell_started(void *ctx)
{
	struct study *s = ctx;
	struct hs_study_cell *c = s->cell;
	const struct stream *st = &s->stream;
	uint32_t payload = c->frame - FRAME_OVERHEAD;
	char dst[32], port[8], size[8], mps[16], secs[16];
	struct hs_traffic t;

	snprintf(dst, sizeof(dst), "198.18.%u.2", c->functions);
	read_proc_stat(s->stat0);
	clock_gettime(CLOCK_MONOTONIC, &s->t0);
	if (c->exp == HS_EXP_ROUNDTRIP) {
		char *argv[] = { "sockperf", "ping-pong", "-i", dst, "-p", port,
				 "-m", size, "--mps", mps, "-t", secs,
				 "--full-rtt", NULL };
		int fd = open(s->sockperf_out,
			      O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

		snprintf(port, sizeof(port), "%d", STUDY_PORT);
		snprintf(size, sizeof(size), "%u", payload);
		snprintf(mps, sizeof(mps), "%u", st->rate);
		snprintf(secs, sizeof(secs), "%llu",
			 (unsigned long long)(st->count / st->rate));
		if (fd < 0) {
			pr_err("cannot write '%s': %s", s->sockperf_out,
			       strerror(errno));
			return -errno;
		}
		s->client = hs_bed_spawn(&s->bed, "snd", argv, fd);
		close(fd);
		return s->client < 0 ? s->client : 0;
	}
	t = (struct hs_traffic){
		.dst = dst,
		.port = STUDY_PORT,
		.rate_pps = st->rate,
		.count = st->count,
		/* a sender that cannot keep the rate still stops */
		.max_seconds = stream_seconds(st),
		.payload_bytes = payload,
	};
	s->sender = hs_bed_send(&s->bed, "snd", &t, &s->sent_fd);
	return s->sender < 0 ? s->sender : 0;
}

/* Wait up to ms for a child; SIGKILL it past that. Its exit status or -1. */
static int reap(pid_t pid, int ms)
{
	int pfd = (int)pidfd_open(pid, 0), status;
	struct pollfd p = { .fd = pfd, .events = POLLIN };

	if (pfd >= 0) {
		if (poll(&p, 1, ms) == 0)
			kill(pid, SIGKILL);
		close(pfd);
	} else {
		kill(pid, SIGKILL);
	}
	if (waitpid(pid, &status, 0) < 0)
		return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static int bed_for(struct study *s, const char *kinds)
{
	if (!strcmp(s->bed_up, kinds))
		return 0;
	if (s->bed_up[0]) {
		hs_bed_script(&s->bed, "down");
		s->bed_up[0] = '\0';
	}
	snprintf(s->bed.kinds, sizeof(s->bed.kinds), "%s", kinds);
	/* Docker's events about a testbed's containers can reach the next
	 * run after they are gone: each Docker testbed has names of its own
	 * (hs<pid><a..z>_), so they never stand for the next one's */
	if (!strncmp(kinds, "docker-", 7))
		snprintf(s->bed.prefix, sizeof(s->bed.prefix), "hs%d%c_",
			 (int)getpid(), 'a' + s->docker_beds++ % 26);
	else
		snprintf(s->bed.prefix, sizeof(s->bed.prefix), "hs%d_",
			 (int)getpid());
	if (hs_bed_script(&s->bed, "up")) {
		hs_bed_script(&s->bed, "down");
		return -EIO;
	}
	snprintf(s->bed_up, sizeof(s->bed_up), "%s", kinds);
	hs_bed_export_ovs(&s->bed);
	return 0;
}

/* ---- reading what the collector wrote ---- */

static double num(json_object *o, const char *key)
{
	json_object *v;

	return json_object_object_get_ex(o, key, &v) ? json_object_get_double(v) :
						       0.0;
}

static json_object *obj(json_object *o, const char *key)
{
	json_object *v;

	return json_object_object_get_ex(o, key, &v) ? v : NULL;
}

static const char *str(json_object *o, const char *key)
{
	json_object *v = obj(o, key);

	return v ? json_object_get_string(v) : "";
}

static void read_leg(json_object *o, struct hs_study_leg *l)
{
	json_object *d = obj(o, "delay_ns"), *j = obj(o, "jitter_ns"),
		    *late = obj(o, "lateness_ns");

	l->packets = (uint64_t)num(o, "packets");
	l->lost = (uint64_t)num(o, "lost");
	if (d) {
		l->mean = num(d, "mean");
		l->stdev = num(d, "stdev");
		l->min = num(d, "min");
		l->max = num(d, "max");
		l->p50 = num(d, "p50");
		l->p99 = num(d, "p99");
	}
	if (j) {
		l->j_min = num(j, "min");
		l->j_max = num(j, "max");
		l->j_mean = num(j, "mean");
		l->j_stdev = num(j, "stdev");
	}
	if (late) {
		l->late_max = num(late, "max");
		l->late_mean = num(late, "mean");
		l->late_stdev = num(late, "stdev");
	}
}

struct parsed {
	json_object *lines[1024];
	unsigned int n;
};

static int parse_file(const char *path, struct parsed *p)
{
	FILE *f = fopen(path, "re");
	char *line = NULL;
	size_t cap = 0;

	p->n = 0;
	if (!f) {
		pr_err("cannot read the run's results '%s': %s", path,
		       strerror(errno));
		return -errno;
	}
	while (getline(&line, &cap, f) > 0 && p->n < ARRAY_SIZE(p->lines)) {
		json_object *o = json_tokener_parse(line);

		if (!o)
			continue;
		/* the final report, and what names the points */
		if (json_object_get_boolean(obj(o, "final")) ||
		    !strcmp(str(o, "type"), "point"))
			p->lines[p->n++] = o;
		else
			json_object_put(o);
	}
	free(line);
	fclose(f);
	return 0;
}

static void parsed_free(struct parsed *p)
{
	while (p->n)
		json_object_put(p->lines[--p->n]);
}

static json_object *find_line(const struct parsed *p, const char *type,
			      int id_a, int id_b)
{
	unsigned int i;

	for (i = 0; i < p->n; i++) {
		json_object *o = p->lines[i];

		if (strcmp(str(o, "type"), type))
			continue;
		if (!strcmp(type, "point") && (int)num(o, "id") == id_a)
			return o;
		if (!strcmp(type, "hop") && (int)num(o, "from") == id_a &&
		    (int)num(o, "to") == id_b)
			return o;
	}
	return NULL;
}

/* A point's name without the testbed's prefix: "sw0:p0a". */
static void point_name(const struct study *s, const struct parsed *p, int id,
		       char *buf, size_t len)
{
	json_object *o = find_line(p, "point", id, 0);
	const char *ns = o ? str(o, "netns") : "?";
	size_t pl = strlen(s->bed.prefix);

	if (!strncmp(ns, "docker:", 7))
		ns += 7;
	if (!strncmp(ns, s->bed.prefix, pl))
		ns += pl;
	snprintf(buf, len, "%s:%s", ns, o ? str(o, "ifname") : "?");
}

/* The final path line from node `from` with the most packets. */
static json_object *main_path(const struct study *s, const struct parsed *p,
			      const char *from)
{
	json_object *best = NULL;
	char want[64];
	unsigned int i;

	hs_bed_netns(&s->bed, from, want, sizeof(want));
	for (i = 0; i < p->n; i++) {
		json_object *o = p->lines[i], *pts = obj(o, "points"), *pt;

		if (strcmp(str(o, "type"), "path") || !pts ||
		    !json_object_array_length(pts))
			continue;
		pt = find_line(p, "point",
			       json_object_get_int(
				       json_object_array_get_idx(pts, 0)),
			       0);
		/* a container's namespace is named after it: docker:NAME */
		if (!pt || (strcmp(str(pt, "netns"), want) &&
			    (strncmp(str(pt, "netns"), "docker:", 7) ||
			     strcmp(str(pt, "netns") + 7, want))))
			continue;
		if (!best || num(o, "packets") > num(best, "packets"))
			best = o;
	}
	return best;
}

/* A path of one hop has no breakdown: the hop line is all of it. */
static json_object *one_hop(const struct parsed *p, json_object *path)
{
	json_object *pts = obj(path, "points"), *hop, *seg;

	if (!pts || json_object_array_length(pts) != 2)
		return NULL;
	hop = find_line(p, "hop",
			json_object_get_int(json_object_array_get_idx(pts, 0)),
			json_object_get_int(json_object_array_get_idx(pts, 1)));
	if (!hop)
		return NULL;
	seg = json_object_new_object();
	json_object_object_add(seg, "from", json_object_get(obj(hop, "from")));
	json_object_object_add(seg, "to", json_object_get(obj(hop, "to")));
	json_object_object_add(seg, "kind", json_object_get(obj(hop, "kind")));
	json_object_object_add(seg, "via", json_object_get(obj(hop, "via")));
	json_object_object_add(seg, "mean_share", json_object_new_double(1.0));
	return seg;
}

static void read_hops(const struct study *s, const struct parsed *p,
		      json_object *path, struct hs_study_cell *c)
{
	json_object *bd = obj(path, "breakdown"), *single = NULL;
	size_t i, n = bd ? json_object_array_length(bd) : 0;

	if (!n) {
		single = one_hop(p, path);
		if (!single)
			return;
		bd = json_object_new_array();
		json_object_array_add(bd, single);
		n = 1;
	}

	c->n_hops = 0;
	for (i = 0; i < n && c->n_hops < HS_STUDY_MAX_HOPS; i++) {
		json_object *seg = json_object_array_get_idx(bd, i), *hop;
		struct hs_study_hop *h = &c->hops[c->n_hops++];
		int from = (int)num(seg, "from"), to = (int)num(seg, "to");
		const char *kind = str(seg, "kind"), *via = str(seg, "via");
		size_t pl = strlen(s->bed.prefix);
		char a[64], b[64];

		snprintf(h->kind, sizeof(h->kind), "%s", kind);
		if (!strcmp(kind, "wire")) {
			point_name(s, p, from, a, sizeof(a));
			point_name(s, p, to, b, sizeof(b));
			snprintf(h->name, sizeof(h->name), "wire %s %s -> %s",
				 via, a, b);
		} else {
			const char *pre = strstr(via, s->bed.prefix);

			/* "VNF hs12_vnf1" -> "VNF vnf1" */
			if (pre)
				snprintf(h->name, sizeof(h->name), "%.*s%s",
					 (int)(pre - via), via, pre + pl);
			else
				snprintf(h->name, sizeof(h->name), "%s", via);
		}
		h->share = num(seg, "mean_share");
		hop = find_line(p, "hop", from, to);
		if (hop)
			read_leg(hop, &h->leg);
	}
	if (single)
		json_object_put(bd);
}

/* Probe time per packet measured: each point's probe runs times its hook's
 * cost, from the kernel's bpf_stats. */
static double probe_ns_per_packet(const struct parsed *p, uint64_t sent)
{
	double total = 0;
	unsigned int i;

	if (!sent)
		return 0;
	for (i = 0; i < p->n; i++) {
		json_object *o = p->lines[i], *pt, *cost = NULL;
		unsigned int k;

		if (strcmp(str(o, "type"), "counters"))
			continue;
		pt = find_line(p, "point", (int)num(o, "point"), 0);
		for (k = 0; pt && k < p->n; k++)
			if (!strcmp(str(p->lines[k], "type"), "probe_cost") &&
			    !strcmp(str(p->lines[k], "hook"), str(pt, "hook")))
				cost = p->lines[k];
		if (cost)
			total += num(o, "seen") * num(cost, "ns_per_packet");
	}
	return total / (double)sent;
}

/* sockperf's summary: "avg-rtt=113.2 (std-dev=52.8)", percentiles, and
 * "Total N observations". */
static void read_sockperf(const char *path, struct hs_study_cell *c)
{
	FILE *f = fopen(path, "re");
	char line[512];

	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		double a, b;
		unsigned long long n;
		char *at;

		if ((at = strstr(line, "avg-rtt=")) &&
		    sscanf(at, "avg-rtt=%lf (std-dev=%lf", &a, &b) == 2) {
			c->sp_rtt_mean = a * 1e3;
			c->sp_rtt_stdev = b * 1e3;
		} else if ((at = strstr(line, "percentile 50.000 =")) &&
			   sscanf(at, "percentile 50.000 = %lf", &a) == 1) {
			c->sp_rtt_p50 = a * 1e3;
		} else if ((at = strstr(line, "percentile 99.000 =")) &&
			   sscanf(at, "percentile 99.000 = %lf", &a) == 1) {
			c->sp_rtt_p99 = a * 1e3;
		} else if ((at = strstr(line, "Total ")) &&
			   sscanf(at, "Total %llu observations", &n) == 1) {
			c->sp_observations = n;
		}
	}
	fclose(f);
}

static int read_results(struct study *s, struct hs_study_cell *c)
{
	struct parsed *p = calloc(1, sizeof(*p));
	json_object *path;
	int ret = 0;

	if (!p)
		return -ENOMEM;
	ret = parse_file(s->json, p);
	if (ret)
		goto out;
	path = main_path(s, p, "snd");
	if (!path) {
		snprintf(c->reason, sizeof(c->reason),
			 "no packet crossed from sender to receiver");
		c->available = false;
		goto out;
	}
	read_leg(path, &c->path);
	read_hops(s, p, path, c);
	if (c->exp == HS_EXP_ROUNDTRIP) {
		path = main_path(s, p, "rcv");
		if (path)
			read_leg(path, &c->back);
	}
	if (c->exp == HS_EXP_EFFICIENCY)
		c->probe_ns = probe_ns_per_packet(p, c->path.packets);
out:
	parsed_free(p);
	free(p);
	return ret;
}

/* The host's own busy ticks a second, before the stream: what the
 * efficiency cell takes off. */
static void idle_rates(double rate[8], double seconds)
{
	unsigned long long a[8], b[8];
	struct timespec t0, t1, nap = { .tv_sec = (time_t)seconds,
					 .tv_nsec = (long)((seconds - (time_t)seconds) * 1e9) };
	unsigned int i;

	read_proc_stat(a);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	nanosleep(&nap, NULL);
	read_proc_stat(b);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	for (i = 0; i < 8; i++)
		rate[i] = (double)(b[i] - a[i]) / seconds_between(&t0, &t1);
}

static void cpu_per_packet(struct study *s, struct hs_study_cell *c,
			   const double idle[8])
{
	double dt = seconds_between(&s->t0, &s->t1), ns_tick;
	double d[8];
	unsigned int i;

	if (!c->path.packets)
		return;
	ns_tick = 1e9 / (double)sysconf(_SC_CLK_TCK);
	for (i = 0; i < 8; i++)
		d[i] = ((double)(s->stat1[i] - s->stat0[i]) - idle[i] * dt) *
		       ns_tick / (double)c->path.packets;
	c->cpu_user = d[0] + d[1];
	c->cpu_system = d[2];
	c->cpu_softirq = d[5] + d[6];
}

/* Every interface between each node and the next: link by link, as a
 * namespace that holds several links' switches (Docker's bridges, macvlan
 * parents, all in the host's) would look like a shorter way round the
 * functions to a path search from end to end. */
static void select_links(struct study *s, const struct hs_study_cell *c,
			 struct hs_run_opts *run)
{
	unsigned int k, n = c->functions;

	for (k = 0; k <= n + 1 && k < ARRAY_SIZE(s->nodes); k++) {
		char node[16];

		snprintf(node, sizeof(node), "vnf%u", k);
		hs_bed_netns(&s->bed, !k ? "snd" : k <= n ? node : "rcv",
			     s->nodes[k], sizeof(s->nodes[k]));
	}
	if (n && !strncmp(c->kinds, "docker-bridge", 13)) {
		/* Docker's bridges all live in the host's namespace, and a
		 * search between two containers that meet the host on two
		 * bridges takes the first (topo/path.c joins namespaces, not
		 * bridges): the containers' own interfaces, then, every hop
		 * between two of them one "network" hop */
		for (k = 0; k < n + 2; k++)
			s->selected[k] = s->nodes[k];
		run->select.netns = s->selected;
		run->select.n_netns = n + 2;
		return;
	}
	for (k = 0; k <= n; k++) {
		s->selected[2 * k] = s->nodes[k];
		s->selected[2 * k + 1] = s->nodes[k + 1];
	}
	run->select.between = s->selected;
	run->select.n_between = n + 1;
}

/* One run of the collector over the cell's testbed. 0, or -errno;
 * -EINTR when the user stopped the study. */
static int measure(struct study *s, struct hs_study_cell *c, unsigned int idx)
{
	struct hs_run_opts run = s->opts->run;
	struct stream *st = &s->stream;
	double idle[8] = { 0 };
	char expr[64], err[256];
	int ret;

	/* the experiment's stream at the rate asked first, or adapted to */
	cell_stream(s, c, st);
	if (!c->rate_pps)
		c->rate_pps = st->rate;
	st->rate = c->rate_pps;
	snprintf(s->json, sizeof(s->json), "%s/raw/%03u-%s-%s-%u-%u.jsonl",
		 s->opts->out, idx, hs_study_exp_names[c->exp],
		 hs_study_tech_names[c->tech], c->frame, c->functions);
	snprintf(s->sockperf_out, sizeof(s->sockperf_out),
		 "%s/raw/%03u-sockperf.txt", s->opts->out, idx);
	if (bed_for(s, c->kinds))
		return -EIO;
	s->sink_fd = s->sent_fd = -1;
	s->server = s->sender = s->client = 0;
	s->carried = 0;
	if (c->exp == HS_EXP_ROUNDTRIP) {
		char port[8], addr[32];
		char *argv[] = { "sockperf", "server", "-i", addr, "-p", port,
				 NULL };

		snprintf(port, sizeof(port), "%d", STUDY_PORT);
		snprintf(addr, sizeof(addr), "198.18.%u.2", c->functions);
		s->server = hs_bed_spawn(&s->bed, "rcv", argv, -1);
		if (s->server < 0)
			return s->server;
	} else {
		s->sink_fd = hs_bed_sink(&s->bed, "rcv", STUDY_PORT);
		if (s->sink_fd < 0)
			return s->sink_fd;
	}
	if (c->exp == HS_EXP_EFFICIENCY)
		idle_rates(idle, s->opts->quick ? 0.5 : 2);

	snprintf(expr, sizeof(expr), "udp and port %d", STUDY_PORT);
	if (hs_filter_parse(expr, &run.probe.filter, err, sizeof(err))) {
		pr_err("%s", err);
		return -EINVAL;
	}
	run.probe.filter_enabled = true;
	snprintf(run.collect.info.filter, sizeof(run.collect.info.filter),
		 "%s", expr);
	select_links(s, c, &run);
	run.json_path = s->json;
	run.table = false;
	/* a rate that may not be kept: 10% of slack (a stream that needs
	 * more is measured again at the rate the sender kept) */
	run.collect.duration_s = (double)st->count / c->rate_pps *
					 (adapts(c) ? 1.1 : 1.0) +
				 (c->exp == HS_EXP_ROUNDTRIP ? 1.5 : 0.5);
	run.collect.session.warmup_ns = st->head * 1000000000ULL / c->rate_pps;
	run.collect.session.cooldown_ns = run.collect.session.warmup_ns;
	run.on_attached = cell_started;
	run.ctx = s;
	s->cell = c;
	pr_info("%s %s%s: %s, %u B frames at %u/s", hs_study_exp_names[c->exp],
		hs_study_tech_names[c->tech],
		c->functions ? " chain" : "", c->kinds, c->frame, c->rate_pps);
	ret = hs_run(&run);
	read_proc_stat(s->stat1);
	clock_gettime(CLOCK_MONOTONIC, &s->t1);
	if (s->sender > 0) {
		struct hs_bed_sent sent;

		reap(s->sender, 5000);
		if (s->sent_fd >= 0 && !hs_bed_sent(s->sent_fd, &sent) &&
		    sent.seconds > 0)
			s->carried = (double)sent.packets / sent.seconds;
	}
	if (s->client > 0)
		reap(s->client, 10000);
	if (s->server > 0)
		hs_bed_stop(s->server);
	if (s->sink_fd >= 0)
		close(s->sink_fd);
	if (hs_collect_stop_pending())
		return -EINTR;
	if (ret != HS_EXIT_OK)
		return -EIO;
	ret = read_results(s, c);
	if (ret)
		return ret;
	if (c->exp == HS_EXP_EFFICIENCY)
		cpu_per_packet(s, c, idle);
	if (c->exp == HS_EXP_ROUNDTRIP)
		read_sockperf(s->sockperf_out, c);
	return 0;
}

/* The jitter and efficiency streams ask for a rate; where the path
 * loses more than 1% of it, halve the rate and measure again (3 times
 * at most), and say so. */
static int measure_adapting(struct study *s, struct hs_study_cell *c,
			    unsigned int idx)
{
	uint32_t asked = 0;
	int tries, ret = 0;

	bool slow_sender = false;

	for (tries = 0; tries < 4; tries++) {
		double lost;
		uint32_t next;

		ret = measure(s, c, idx);
		if (ret || !c->available || !adapts(c))
			return ret;
		lost = c->path.packets ? (double)c->path.lost /
						 (double)(c->path.packets +
							  c->path.lost) :
					 1.0;
		if (!asked)
			asked = c->rate_pps;
		if (s->carried > 0 && s->carried < 0.9 * c->rate_pps) {
			/* the sender, on this host's CPUs, cannot send
			 * faster: the head and tail left out, timed for the
			 * rate asked, would be wrong */
			next = (uint32_t)s->carried / 1000 * 1000;
			slow_sender = true;
			pr_warn("%s %s: the sender kept %.0f/s of the %u/s asked; measuring again at %u/s",
				hs_study_exp_names[c->exp],
				hs_study_tech_names[c->tech], s->carried,
				c->rate_pps, next);
		} else if (lost > 0.01) {
			next = c->rate_pps / 2;
			pr_warn("%s %s: %.1f%% lost at %u/s; measuring again at %u/s",
				hs_study_exp_names[c->exp],
				hs_study_tech_names[c->tech], lost * 100,
				c->rate_pps, next);
		} else {
			break;
		}
		if (tries == 3 || next < 1000)
			break;
		c->rate_pps = next;
	}
	if (c->rate_pps != asked)
		snprintf(c->reason, sizeof(c->reason),
			 "rate adapted: %u/s asked, %u/s carried%s without losing more than 1%%",
			 asked, c->rate_pps,
			 slow_sender ? " (the most this host's sender kept)" : "");
	return ret;
}

/* ---- the chain fits ---- */

static void fit_chains(struct study *s)
{
	static const char *const metrics[] = { "delay_mean", "jitter_mean" };
	unsigned int t, m, i;

	for (t = 0; t < HS_TECHS; t++) {
		for (m = 0; m < 2 && s->res.n_fits < ARRAY_SIZE(s->res.fits);
		     m++) {
			struct hs_study_fit *f = &s->res.fits[s->res.n_fits];
			struct hs_fit line;

			memset(f, 0, sizeof(*f));
			f->tech = t;
			f->metric = metrics[m];
			for (i = 0; i < s->res.n_cells && f->n < 8; i++) {
				const struct hs_study_cell *c = &s->res.cells[i];

				if (c->exp != HS_EXP_CHAIN || c->tech != t ||
				    !c->available || !c->path.packets)
					continue;
				f->x[f->n] = c->functions;
				f->y[f->n++] = m ? c->path.j_mean : c->path.mean;
			}
			if (hs_fit_line(f->x, f->y, f->n, &line))
				continue;
			f->slope = line.slope;
			f->intercept = line.intercept;
			f->r2 = line.r2;
			s->res.n_fits++;
		}
	}
}

/* ---- the study ---- */

static int make_dirs(const char *out)
{
	char raw[PATH_MAX];

	if (mkdir(out, 0755) && errno != EEXIST) {
		pr_err("cannot create the study's directory '%s': %s", out,
		       strerror(errno));
		return -errno;
	}
	snprintf(raw, sizeof(raw), "%s/raw", out);
	if (mkdir(raw, 0755) && errno != EEXIST) {
		pr_err("cannot create '%s': %s", raw, strerror(errno));
		return -errno;
	}
	return 0;
}

static int run_cells(struct study *s)
{
	unsigned int i;
	int ret = 0;

	for (i = 0; i < s->res.n_cells && !ret; i++) {
		struct hs_study_cell *c = &s->res.cells[i];

		if (!c->available)
			continue;
		ret = measure_adapting(s, c, i);
		if (ret == -EIO || ret == -ENOENT) {
			/* one testbed that would not build, or one run that
			 * failed: that cell says so, the rest go on */
			snprintf(c->reason, sizeof(c->reason),
				 "the measurement failed (see the messages above)");
			c->available = false;
			ret = 0;
		}
	}
	if (s->bed_up[0])
		hs_bed_script(&s->bed, "down");
	return ret;
}

int hs_study(struct hs_study_opts *o)
{
	struct study s = { .opts = o };
	struct timespec t0, t1;
	unsigned int t;
	int ret;

	ret = hs_run_preflight();
	if (ret)
		return ret;
	if (hs_bed_init(&s.bed) || make_dirs(o->out))
		return HS_EXIT_FAILURE;
	s.res.opts = o;
	s.res.cells = calloc(MAX_CELLS, sizeof(*s.res.cells));
	if (!s.res.cells)
		return HS_EXIT_FAILURE;
	s.has_ovs = !hs_bed_script(&s.bed, "has-ovs");
	find_sriov(&s);
	find_docker(&s);
	describe_host(&s);
	for (t = 0; t < HS_TECHS; t++)
		if (o->techs & (1u << t))
			plan_tech(&s, t);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	/* every cell loads the same probes: verify them once */
	hs_probes_keep_loaded(true);
	ret = run_cells(&s);
	hs_probes_keep_loaded(false);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	s.res.host.seconds = seconds_between(&t0, &t1);
	if (ret == -EINTR) {
		/* not a study: a script must not take it for one */
		pr_err("interrupted before the end: no report written");
		free(s.res.cells);
		return HS_EXIT_FAILURE;
	}
	fit_chains(&s);
	ret = hs_study_write(&s.res);
	free(s.res.cells);
	if (ret)
		return HS_EXIT_FAILURE;
	pr_info("the study took %.0f s; its report: %s/report.html",
		s.res.host.seconds, o->out);
	return HS_EXIT_OK;
}
