// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * attach - how long attaching N points takes: the shared probes (one
 * program per hook, verified once) on TCX links, the same on clsact
 * filters (HS_TC_ATTACH=clsact), and a copy of the probe per point
 * (HS_PROBE_COPIES=1), alternating in one run, median over the rounds.
 * Also the mean time of one hs_probes_add, what the agent pays for a
 * point of a container that has just started, and of detaching them all
 * (hs_probes_detach, what SIGTERM costs).
 *   attach ROUNDS NETNS...
 * Every interface but lo of each NETNS (names under /run/netns, made by
 * tests/bench/attach.sh) gets a tc ingress and a tc egress point. With
 * BENCH_JSON set, each figure is also appended to that file as a JSON line
 * (tests/bench/README.md).
 */
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <ifaddrs.h>
#include "core/log.h"
#include "probe/attach.h"
#include "topo/netns.h"

#define MAX_NS 256

enum variant { V_SHARED, V_CLSACT, V_COPIES, V_COUNT };
static const char *const variant_names[V_COUNT] = {
	"shared programs, TCX",
	"shared programs, clsact",
	"a copy per point, TCX",
};
static const char *const variant_short[V_COUNT] = { "shared", "clsact",
						    "copies" };

static struct hs_netns ns[MAX_NS];
static struct hs_point_spec specs[HS_MAX_POINTS];

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Both tc hooks of every interface but lo of one namespace. */
static unsigned int specs_of(struct hs_netns *n, unsigned int at)
{
	struct ifaddrs *ifa, *i;
	int saved;

	if (hs_netns_enter(n, &saved) || getifaddrs(&ifa)) {
		fprintf(stderr, "attach: cannot list the interfaces of %s\n",
			n->name);
		exit(1);
	}
	for (i = ifa; i; i = i->ifa_next) {
		unsigned int idx = if_nametoindex(i->ifa_name);
		int h;

		if (!i->ifa_addr || i->ifa_addr->sa_family != 17 /* AF_PACKET */
		    || !strcmp(i->ifa_name, "lo"))
			continue;
		for (h = HS_HOOK_TC_INGRESS; h <= HS_HOOK_TC_EGRESS; h++) {
			if (at >= HS_MAX_POINTS)
				break;
			specs[at].ns = n;
			specs[at].hook = (enum hs_hook)h;
			specs[at].link.ifindex = (int)idx;
			snprintf(specs[at].link.ifname,
				 sizeof(specs[at].link.ifname), "%s",
				 i->ifa_name);
			at++;
		}
	}
	freeifaddrs(ifa);
	hs_netns_leave(saved);
	return at;
}

/* Seconds to attach all n points one way, and in *detach to detach
 * them; -1 if it failed. */
static double attach_all(struct hs_probes *p, unsigned int n, enum variant v,
			 double *add_mean, double *detach)
{
	struct hs_probe_config cfg = { .sample_one_in = 1,
				       .ringbuf_bytes = 1 << 20 };
	double t0, t1;
	unsigned int i;

	setenv("HS_PROBE_COPIES", v == V_COPIES ? "1" : "0", 1);
	setenv("HS_TC_ATTACH", v == V_CLSACT ? "clsact" : "tcx", 1);
	t0 = now_s();
	if (hs_probes_open(p, &cfg))
		return -1;
	t1 = now_s();
	for (i = 0; i < n; i++)
		if (hs_probes_add(p, &specs[i], (uint16_t)i)) {
			hs_probes_detach(p);
			return -1;
		}
	*add_mean = (now_s() - t1) / n;
	t1 = now_s() - t0;
	if (p->copies != (v == V_COPIES)) {
		fprintf(stderr, "attach: the %s probes did not load here\n",
			v == V_COPIES ? "copied" : "shared");
		hs_probes_detach(p);
		return -1;
	}
	t0 = now_s();
	hs_probes_detach(p);
	*detach = now_s() - t0;
	return t1;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static void quartiles(double *v, int n, double *q1, double *med, double *q3)
{
	qsort(v, n, sizeof(*v), cmp_double);
	*q1 = v[(int)(0.25 * (n - 1) + 0.5)];
	*med = n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
	*q3 = v[(int)(0.75 * (n - 1) + 0.5)];
}

static void json(FILE *f, const char *name, double v, double q1, double q3,
		 const char *unit, const char *extra)
{
	if (f)
		fprintf(f,
			"{\"bench\":\"attach\",\"section\":\"attach points\","
			"\"name\":\"%s\",\"value\":%.6g,\"unit\":\"%s\","
			"\"q1\":%.6g,\"q3\":%.6g%s}\n",
			name, v, unit, q1, q3, extra);
}

static void report(FILE *f, const char *name, double *v, int rounds,
		   double scale, const char *unit, const char *extra)
{
	double q1, med, q3;

	quartiles(v, rounds, &q1, &med, &q3);
	json(f, name, med * scale, q1 * scale, q3 * scale, unit, extra);
	printf("%-40s %10.3f %-2s [%.3f, %.3f]\n", name, med * scale, unit,
	       q1 * scale, q3 * scale);
}

int main(int argc, char **argv)
{
	const char *json_path = getenv("BENCH_JSON");
	static double t[V_COUNT][64], add[V_COUNT][64], det[V_COUNT][64];
	double q1, med[V_COUNT], q3;
	struct hs_probes *p = calloc(1, sizeof(*p));
	unsigned int n = 0, n_ns = 0;
	char err[256], name[512], extra[128];
	FILE *f = NULL;
	int rounds, r, v, i;

	if (argc < 3 || (rounds = atoi(argv[1])) < 1 || rounds > 64 ||
	    argc - 2 > MAX_NS) {
		fprintf(stderr, "usage: attach ROUNDS(1..64) NETNS...\n");
		return 2;
	}
	if (!p)
		return 1;
	hs_log_set_level(HS_LOG_WARN);
	hs_log_setup_libbpf();
	for (i = 2; i < argc; i++) {
		if (hs_netns_open(argv[i], &ns[n_ns], err, sizeof(err))) {
			fprintf(stderr, "attach: %s\n", err);
			return 1;
		}
		n = specs_of(&ns[n_ns++], n);
	}
	if (json_path && !(f = fopen(json_path, "a"))) {
		fprintf(stderr, "attach: cannot append to '%s'\n", json_path);
		return 1;
	}
	printf("attaching %u points (tc ingress and egress of %u interfaces in %u namespaces), %d rounds\n",
	       n, n / 2, n_ns, rounds);
	for (r = 0; r < rounds; r++)
		for (v = 0; v < V_COUNT; v++) {
			t[v][r] = attach_all(p, n, (enum variant)v, &add[v][r],
					     &det[v][r]);
			if (t[v][r] < 0)
				return 1;
			printf("  round %d %-7s %8.3f s, detach %.3f s\n",
			       r + 1, variant_short[v], t[v][r], det[v][r]);
			fflush(stdout);
		}
	for (v = 0; v < V_COUNT; v++) {
		quartiles(t[v], rounds, &q1, &med[v], &q3);
		snprintf(name, sizeof(name), "%u points, %s", n,
			 variant_names[v]);
		snprintf(extra, sizeof(extra), ",\"points\":%u%s", n,
			 v == V_COPIES ? "" : ",\"target\":\"< 2 s\"");
		if (v != V_COPIES)
			snprintf(extra + strlen(extra),
				 sizeof(extra) - strlen(extra), ",\"met\":%s",
				 med[v] < 2 ? "true" : "false");
		report(f, name, t[v], rounds, 1, "s", extra);
	}
	for (v = 0; v < V_COUNT; v++) {
		snprintf(name, sizeof(name), "one hs_probes_add, %s",
			 variant_short[v]);
		report(f, name, add[v], rounds, 1e3, "ms", "");
	}
	for (v = 0; v < V_COUNT; v++) {
		snprintf(name, sizeof(name), "detach %u points, %s", n,
			 variant_short[v]);
		report(f, name, det[v], rounds, 1, "s", "");
	}
	json(f, "copies / shared", med[V_COPIES] / med[V_SHARED],
	     med[V_COPIES] / med[V_SHARED], med[V_COPIES] / med[V_SHARED], "x",
	     "");
	printf("copies / shared: %.1fx, shared TCX / clsact: %.1fx\n",
	       med[V_COPIES] / med[V_SHARED], med[V_SHARED] / med[V_CLSACT]);
	for (i = 0; i < (int)n_ns; i++)
		hs_netns_close(&ns[i]);
	free(p);
	if (f)
		fclose(f);
	return 0;
}
