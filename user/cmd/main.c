// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * cli.c - hopscope's command line: one table of options drives both the
 * parser and --help.
 */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/libbpf.h>
#include "hopscope.h"
#include "core/clock.h"
#include "core/exit.h"
#include "core/log.h"
#include "cmd/demo.h"
#include "cmd/report.h"
#include "live/collect.h"
#include "live/run.h"
#include "output/http.h"
#include "probe/filter.h"
#include "topo/print.h"
#include "topo/topo.h"

#define CMD_RUN (1u << 0)
#define CMD_DEMO (1u << 1)
#define CMD_TOPO (1u << 2)
#define CMD_REPORT (1u << 3)
#define MAX_ARGS HS_MAX_POINTS

enum opt_id {
	OPT_HELP = 'h',
	OPT_VERBOSE = 'v',
	OPT_POINT = 256,
	OPT_NETNS,
	OPT_BETWEEN,
	OPT_DURATION,
	OPT_INTERVAL,
	OPT_SAMPLE,
	OPT_FILTER,
	OPT_JSON,
	OPT_WRITE,
	OPT_XDP_MODE,
	OPT_WINDOW,
	OPT_MAX_INFLIGHT,
	OPT_RING_SIZE,
	OPT_VNFS,
	OPT_CHAIN,
	OPT_RATE,
	OPT_TOPO_JSON,
	OPT_DOT,
	OPT_CSV,
	OPT_METRICS,
	OPT_WARMUP,
	OPT_COOLDOWN,
	OPT_CLOCK,
	OPT_FIT,
	OPT_WAKEUP,
};

struct hs_option {
	const char *name;
	int has_arg;
	int id;
	const char *metavar;
	const char *help;
	unsigned int cmds;
};

static const struct hs_option options[] = {
	{ "point", required_argument, OPT_POINT, "SPEC",
	  "observe [NETNS:]IFNAME[@HOOK,...] (repeatable); NETNS is a name in\n"
	  "/run/netns, pid:PID or a path; HOOK is xdp, tc-ingress, tc-egress",
	  CMD_RUN },
	{ "netns", required_argument, OPT_NETNS, "NETNS",
	  "observe every interface of NETNS but lo (repeatable)", CMD_RUN },
	{ "between", required_argument, OPT_BETWEEN, "NETNS NETNS",
	  "observe every interface on the path between two namespaces: theirs,\n"
	  "the switches' and the functions' in between (repeatable)",
	  CMD_RUN },
	{ "duration", required_argument, OPT_DURATION, "SEC",
	  "stop after SEC seconds (run: default until Ctrl-C; demo: seconds\n"
	  "of traffic, default 10)",
	  CMD_RUN | CMD_DEMO },
	{ "interval", required_argument, OPT_INTERVAL, "SEC",
	  "print a table every SEC seconds (default: run 5, demo 0 = summary only)",
	  CMD_RUN | CMD_DEMO },
	{ "sample", required_argument, OPT_SAMPLE, "N",
	  "record 1 in N packets, chosen by fingerprint so that a packet is\n"
	  "sampled at every hop or at none (default 1: all)",
	  CMD_RUN | CMD_DEMO },
	{ "filter", required_argument, OPT_FILTER, "EXPR",
	  "only packets matching EXPR: udp|tcp|icmp|icmp6|ip|ip6, proto N,\n"
	  "port N, net ADDR/LEN, host ADDR, joined by 'and'",
	  CMD_RUN | CMD_DEMO },
	{ "warmup", required_argument, OPT_WARMUP, "SEC",
	  "leave out the stream's head: packets within SEC\n"
	  "seconds of the first one",
	  CMD_RUN | CMD_DEMO | CMD_REPORT },
	{ "cooldown", required_argument, OPT_COOLDOWN, "SEC",
	  "leave out the stream's tail: packets within SEC\n"
	  "seconds of the last one (statistics lag SEC behind)",
	  CMD_RUN | CMD_DEMO | CMD_REPORT },
	{ "json", required_argument, OPT_JSON, "FILE",
	  "write JSON lines to FILE ('-' for stdout; the table\n"
	  "moves to stderr)",
	  CMD_RUN | CMD_DEMO | CMD_REPORT },
	{ "csv", required_argument, OPT_CSV, "FILE",
	  "write CSV rows to FILE for spreadsheets and\n"
	  "scripts/plot.sh ('-' for stdout)",
	  CMD_RUN | CMD_DEMO | CMD_REPORT },
	{ "write", required_argument, OPT_WRITE, "FILE",
	  "record everything to FILE (gzip) for hopscope\n"
	  "report; SIGHUP starts it afresh (log rotation)",
	  CMD_RUN | CMD_DEMO },
	{ "metrics", required_argument, OPT_METRICS, "[ADDR:]PORT",
	  "serve Prometheus metrics at\n"
	  "http://ADDR:PORT/metrics (ADDR: 127.0.0.1)",
	  CMD_RUN | CMD_DEMO },
	{ "clock", required_argument, OPT_CLOCK, "CLOCK",
	  "monotonic (default) or tai: stamp with CLOCK_TAI,\n"
	  "for hosts kept in step by PTP whose files hopscope\n"
	  "report joins",
	  CMD_RUN | CMD_DEMO },
	{ "fit", no_argument, OPT_FIT, NULL,
	  "fit end-to-end delay and jitter of runs over chains\n"
	  "of different length against the number of functions\n"
	  "(slope, intercept, R^2)",
	  CMD_REPORT },
	{ "xdp-mode", required_argument, OPT_XDP_MODE, "MODE",
	  "auto (native, else generic), native or generic (default auto)",
	  CMD_RUN | CMD_DEMO },
	{ "window", required_argument, OPT_WINDOW, "MS",
	  "match window: sightings of one packet within MS ms are one\n"
	  "trajectory (default 100)",
	  CMD_RUN | CMD_DEMO },
	{ "max-inflight", required_argument, OPT_MAX_INFLIGHT, "N",
	  "packets matched at once; the oldest is cut short and counted as\n"
	  "evicted beyond that (default 262144)",
	  CMD_RUN | CMD_DEMO },
	{ "ring-size", required_argument, OPT_RING_SIZE, "KIB",
	  "ring buffer size in KiB, a power of two >= 4 (default 8192)",
	  CMD_RUN | CMD_DEMO },
	{ "wakeup", required_argument, OPT_WAKEUP, "MODE",
	  "when probes wake the collector: quarter (the ring a\n"
	  "quarter full; default), timer (never: it drains every\n"
	  "20 ms) or every (each record: costly, for measuring\n"
	  "what wake-ups cost)",
	  CMD_RUN | CMD_DEMO },
	{ "chain", required_argument, OPT_CHAIN, "KINDS",
	  "the demo's links, sender to receiver: veth, bridge, macvlan or ovs,\n"
	  "comma-separated, 1 to 9 (default veth,bridge,macvlan,ovs: 3 functions;\n"
	  "without OVS where it cannot run)",
	  CMD_DEMO },
	{ "vnfs", required_argument, OPT_VNFS, "N",
	  "N functions joined by veth pairs only, 1 to 8 (--chain veth,...)",
	  CMD_DEMO },
	{ "rate", required_argument, OPT_RATE, "PPS",
	  "demo traffic in packets per second (default 1000)", CMD_DEMO },
	{ "json", no_argument, OPT_TOPO_JSON, NULL,
	  "one JSON object per line: a \"netns\" per namespace, a \"link\" per\n"
	  "interface",
	  CMD_TOPO },
	{ "dot", no_argument, OPT_DOT, NULL,
	  "a Graphviz graph: hopscope topo --dot | dot -Tpng -o topo.png",
	  CMD_TOPO },
	{ "verbose", no_argument, OPT_VERBOSE, NULL,
	  "debug messages, libbpf's included",
	  CMD_RUN | CMD_DEMO | CMD_TOPO | CMD_REPORT },
	{ "help", no_argument, OPT_HELP, NULL, "this help",
	  CMD_RUN | CMD_DEMO | CMD_TOPO | CMD_REPORT },
	{ 0 },
};

static void usage_options(FILE *f, unsigned int cmd)
{
	const struct hs_option *o;

	for (o = options; o->name; o++) {
		char left[48];
		const char *h;

		if (!(o->cmds & cmd))
			continue;
		snprintf(left, sizeof(left), "--%s%s%s", o->name,
			 o->metavar ? " " : "", o->metavar ? o->metavar : "");
		fprintf(f, "  %-24s ", left);
		for (h = o->help; *h; h++) {
			fputc(*h, f);
			if (*h == '\n')
				fprintf(f, "  %-24s ", "");
		}
		fputc('\n', f);
	}
}

static void usage(FILE *f, unsigned int cmd)
{
	if (cmd == CMD_RUN) {
		fprintf(f,
			"Usage: hopscope run (--point SPEC | --netns NETNS | --between NETNS NETNS)...\n"
			"                    [options]\n\n"
			"Timestamp packets at every named point, match the same packet across\n"
			"points and report per-hop delay, RFC 3550 jitter and lateness.\n\n");
		usage_options(f, CMD_RUN);
		fprintf(f,
			"\nExamples:\n"
			"  hopscope run --point vnf1:eth0 --point vnf1:eth1 --duration 10\n"
			"  hopscope run --point pid:4242:eth0 --point veth1a@tc-ingress\n"
			"  hopscope run --netns vnf1 --netns vnf2 --filter 'udp and port 5201' --json -\n"
			"  hopscope run --between client server --duration 30\n");
		return;
	}
	if (cmd == CMD_DEMO) {
		fprintf(f,
			"Usage: hopscope demo [options]\n\n"
			"Build a chain sender -> VNF1 .. VNFn -> receiver of network namespaces\n"
			"whose links are veth pairs, a Linux bridge, macvlan or Open vSwitch\n"
			"(addresses in 198.18.0.0/15), send a bounded UDP stream through it,\n"
			"measure every interface between sender and receiver, print the per-hop\n"
			"table and remove everything again.\n\n");
		usage_options(f, CMD_DEMO);
		fprintf(f, "\nExamples:\n  sudo hopscope demo --duration 5 --json demo.jsonl\n"
			   "  sudo hopscope demo --chain veth,ovs,veth --rate 200\n");
		return;
	}
	if (cmd == CMD_REPORT) {
		fprintf(f,
			"Usage: hopscope report FILE... [options]\n\n"
			"Statistics from record files written by hopscope run --write, offline:\n"
			"  one file (or the parts of one run, rotated by SIGHUP, in order): exactly\n"
			"    what the live run reported;\n"
			"  two files of one chain measured on two hosts: joined by fingerprint,\n"
			"    the hosts' clocks aligned (TAI as is, else from the minimum delay\n"
			"    each way, with its uncertainty);\n"
			"  --fit FILE...: runs over chains of different length, fitted against\n"
			"    the number of functions (the paper's Table III).\n"
			"A truncated or corrupt file is reported with the byte offset, after the\n"
			"statistics of every complete record before it (exit status 1).\n\n");
		usage_options(f, CMD_REPORT);
		fprintf(f, "\nExamples:\n"
			   "  hopscope report run.hsr --json run.jsonl\n"
			   "  hopscope report hostA.hsr hostB.hsr\n"
			   "  hopscope report --fit chain1.hsr chain2.hsr chain3.hsr chain4.hsr\n");
		return;
	}
	if (cmd == CMD_TOPO) {
		fprintf(f,
			"Usage: hopscope topo [--json | --dot]\n\n"
			"Every network namespace (named ones under /run/netns and those of running\n"
			"processes, as pid:PID), every interface with its kind, and how they\n"
			"connect: veth peers, bridge and OVS ports, macvlan parents, SR-IOV VFs.\n"
			"Namespace names work as NETNS in hopscope run.\n\n");
		usage_options(f, CMD_TOPO);
		fprintf(f, "\nExample:\n  sudo hopscope topo --dot | dot -Tsvg -o topo.svg\n");
		return;
	}
	fprintf(f,
		"Usage: hopscope COMMAND [options]\n\n"
		"Per-hop packet delay, jitter and lateness inside a Linux host, from BPF\n"
		"timestamps at XDP and tc on every interface a packet crosses.\n\n"
		"Commands:\n"
		"  run       measure the points you name (see hopscope run --help)\n"
		"  demo      build a testbed chain, measure it, tear it down\n"
		"  topo      namespaces, interfaces, kinds, and how they connect\n"
		"  report    statistics from record files (run --write), two hosts\n"
		"            joined, chain-length fits\n\n"
		"  hopscope --help | --version\n\n"
		"Examples:\n"
		"  sudo hopscope demo\n"
		"  sudo hopscope run --point vnf1:eth0 --point vnf1:eth1 --duration 10\n\n"
		"Exit status: 0 success, 1 runtime failure, 2 bad usage.\n"
		"Needs root (CAP_BPF, CAP_NET_ADMIN, CAP_SYS_ADMIN) and a kernel with BTF.\n");
}

static int bad(const char *opt, const char *val, const char *want)
{
	pr_err("bad --%s '%s': %s", opt, val, want);
	return -EINVAL;
}

static int parse_seconds(const char *opt, const char *val, double *out)
{
	char *end;

	errno = 0;
	*out = strtod(val, &end);
	if (errno || end == val || *end || !isfinite(*out) || *out < 0 ||
	    *out > HS_SECONDS_MAX)
		return bad(opt, val, "expected seconds, 0 or more");
	return 0;
}

static int parse_u32(const char *opt, const char *val, unsigned long min,
		     unsigned long max, uint32_t *out)
{
	unsigned long v;
	char *end;

	errno = 0;
	v = strtoul(val, &end, 10);
	if (errno || end == val || *end || *val == '-' || v < min || v > max) {
		char want[96];

		snprintf(want, sizeof(want), "expected an integer from %lu to %lu",
			 min, max);
		return bad(opt, val, want);
	}
	*out = (uint32_t)v;
	return 0;
}

struct cli {
	unsigned int cmd;
	const char *points[MAX_ARGS];
	const char *netns[MAX_ARGS];
	const char *between[2 * MAX_ARGS];
	unsigned int n_points, n_netns, n_between;
	int argc;
	char **argv;
	struct hs_run_opts run;
	double duration, interval;
	bool duration_set, interval_set;
	int topo_format; /* 0 text, OPT_TOPO_JSON, OPT_DOT */
	uint32_t vnfs, rate;
	const char *chain;
	char chain_buf[64];
	const char *filter_text;
	const char *wakeup; /* --wakeup, NULL: quarter */
	double warmup, cooldown;
	bool warmup_set, cooldown_set;
	struct hs_report_opts report; /* hopscope report */
};

/* veth, bridge, macvlan, ovs, comma-separated: checked here so that a
 * typo never builds half a testbed */
static int parse_chain(struct cli *c, const char *val)
{
	static const char *const kinds[] = { "veth", "bridge", "macvlan", "ovs" };
	const char *p = val;
	unsigned int links = 0;

	for (;;) {
		size_t len = strcspn(p, ","), k;

		for (k = 0; k < 4; k++)
			if (len == strlen(kinds[k]) && !strncmp(p, kinds[k], len))
				break;
		if (k == 4)
			return bad("chain", val,
				   "expected veth, bridge, macvlan or ovs, comma-separated");
		links++;
		if (!p[len])
			break;
		p += len + 1;
	}
	if (links > 9)
		return bad("chain", val, "at most 9 links");
	c->chain = val;
	return 0;
}

static int parse_xdp_mode(const char *val, enum hs_xdp_mode *mode)
{
	if (!strcmp(val, "auto"))
		*mode = HS_XDP_AUTO;
	else if (!strcmp(val, "native"))
		*mode = HS_XDP_NATIVE;
	else if (!strcmp(val, "generic"))
		*mode = HS_XDP_GENERIC;
	else
		return bad("xdp-mode", val, "expected auto, native or generic");
	return 0;
}

static int parse_metrics(struct cli *c, const char *val)
{
	struct sockaddr_storage ss;
	socklen_t len;
	char err[256];

	if (hs_metrics_parse_addr(val, &ss, &len, err, sizeof(err))) {
		pr_err("%s", err);
		return -EINVAL;
	}
	c->run.metrics = val;
	return 0;
}

static int parse_clock(struct cli *c, const char *val)
{
	int clock = hs_clock_parse(val);

	if (clock < 0)
		return bad("clock", val, "expected monotonic or tai");
	c->run.collect.clock = (enum hs_clock)clock;
	c->run.probe.stamp_tai = clock == HS_CLOCK_TAI;
	return 0;
}

static int handle_option(struct cli *c, int id, const char *val)
{
	char err[512];
	uint32_t v;

	switch (id) {
	case OPT_POINT:
		if (c->n_points == MAX_ARGS)
			return bad("point", val, "too many points");
		c->points[c->n_points++] = val;
		return 0;
	case OPT_NETNS:
		if (c->n_netns == MAX_ARGS)
			return bad("netns", val, "too many namespaces");
		c->netns[c->n_netns++] = val;
		return 0;
	case OPT_BETWEEN:
		/* the second namespace is the next word */
		if (optind >= c->argc || c->argv[optind][0] == '-') {
			pr_err("--between '%s' needs a second namespace: --between NETNS NETNS",
			       val);
			return -EINVAL;
		}
		if (c->n_between == MAX_ARGS)
			return bad("between", val, "too many pairs");
		c->between[2 * c->n_between] = val;
		c->between[2 * c->n_between + 1] = c->argv[optind++];
		c->n_between++;
		return 0;
	case OPT_DURATION:
		c->duration_set = true;
		return parse_seconds("duration", val, &c->duration);
	case OPT_INTERVAL:
		c->interval_set = true;
		return parse_seconds("interval", val, &c->interval);
	case OPT_SAMPLE:
		return parse_u32("sample", val, 1, 1u << 30,
				 &c->run.probe.sample_one_in);
	case OPT_FILTER:
		if (hs_filter_parse(val, &c->run.probe.filter, err, sizeof(err))) {
			pr_err("%s", err);
			return -EINVAL;
		}
		c->run.probe.filter_enabled = true;
		c->filter_text = val;
		return 0;
	case OPT_JSON:
		c->run.json_path = val;
		c->report.json_path = val;
		return 0;
	case OPT_CSV:
		c->run.csv_path = val;
		c->report.csv_path = val;
		return 0;
	case OPT_WRITE:
		c->run.collect.write_path = val;
		return 0;
	case OPT_METRICS:
		return parse_metrics(c, val);
	case OPT_WARMUP:
		c->warmup_set = true;
		return parse_seconds("warmup", val, &c->warmup);
	case OPT_COOLDOWN:
		c->cooldown_set = true;
		return parse_seconds("cooldown", val, &c->cooldown);
	case OPT_CLOCK:
		return parse_clock(c, val);
	case OPT_FIT:
		c->report.fit = true;
		return 0;
	case OPT_WAKEUP:
		if (strcmp(val, "quarter") && strcmp(val, "timer") &&
		    strcmp(val, "every"))
			return bad("wakeup", val, "expected quarter, timer or every");
		c->wakeup = val;
		return 0;
	case OPT_XDP_MODE:
		return parse_xdp_mode(val, &c->run.probe.xdp_mode);
	case OPT_WINDOW:
		if (parse_u32("window", val, HS_WINDOW_MIN_MS, HS_WINDOW_MAX_MS,
			      &v))
			return -EINVAL;
		c->run.collect.session.window_ns = (uint64_t)v * 1000000ULL;
		return 0;
	case OPT_MAX_INFLIGHT:
		return parse_u32("max-inflight", val, 1, HS_INFLIGHT_MAX,
				 &c->run.collect.session.max_inflight);
	case OPT_RING_SIZE:
		if (parse_u32("ring-size", val, 4, 1u << 20, &v))
			return -EINVAL;
		if (v & (v - 1))
			return bad("ring-size", val, "expected a power of two");
		c->run.probe.ringbuf_bytes = v * 1024;
		return 0;
	case OPT_VNFS:
		return parse_u32("vnfs", val, 1, 8, &c->vnfs);
	case OPT_CHAIN:
		return parse_chain(c, val);
	case OPT_RATE:
		return parse_u32("rate", val, 1, 1000000, &c->rate);
	case OPT_VERBOSE:
		hs_log_set_level(HS_LOG_DEBUG);
		return 0;
	case OPT_TOPO_JSON:
	case OPT_DOT:
		if (c->topo_format && c->topo_format != id) {
			pr_err("--json and --dot exclude each other");
			return -EINVAL;
		}
		c->topo_format = id;
		return 0;
	}
	return -EINVAL;
}

static int parse_args(struct cli *c, int argc, char **argv)
{
	struct option longopts[sizeof(options) / sizeof(options[0])];
	const struct hs_option *o;
	int n = 0, id;

	for (o = options; o->name; o++) {
		if (!(o->cmds & c->cmd))
			continue;
		longopts[n++] = (struct option){ o->name, o->has_arg, NULL, o->id };
	}
	longopts[n] = (struct option){ 0 };
	opterr = 0;
	optind = 1;
	c->argc = argc;
	c->argv = argv;
	/* report takes files among its options; the others take none */
	while ((id = getopt_long(argc, argv, c->cmd == CMD_REPORT ? "hv" : "+hv",
				 longopts, NULL)) != -1) {
		if (id == OPT_HELP) {
			usage(stdout, c->cmd);
			exit(HS_EXIT_OK);
		}
		if (id == '?') {
			/* a short option inside a cluster has no argv word */
			if (optopt && optopt < 256)
				pr_err("unknown or incomplete option '-%c' (see hopscope %s --help)",
				       optopt, argv[0]);
			else
				pr_err("unknown or incomplete option '%s' (see hopscope %s --help)",
				       argv[optind - 1], argv[0]);
			return -EINVAL;
		}
		if (handle_option(c, id, optarg))
			return -EINVAL;
	}
	if (c->cmd == CMD_REPORT) {
		c->report.files = (const char *const *)argv + optind;
		c->report.n_files = (unsigned int)(argc - optind);
	} else if (optind < argc) {
		pr_err("unexpected argument '%s' (see hopscope %s --help)",
		       argv[optind], argv[0]);
		return -EINVAL;
	}
	return 0;
}

/* JSON lines and CSV rows mixed on one stream would serve neither. */
static int both_stdout(const struct cli *c)
{
	const char *json = c->run.json_path, *csv = c->run.csv_path;

	if (json && csv && !strcmp(json, "-") && !strcmp(csv, "-")) {
		pr_err("--json - and --csv - cannot both be stdout");
		return -EINVAL;
	}
	return 0;
}

static void defaults(struct cli *c)
{
	c->run.probe.sample_one_in = 1;
	c->run.probe.xdp_mode = HS_XDP_AUTO;
	c->run.probe.ringbuf_bytes = HS_RINGBUF_DEFAULT_BYTES;
	c->run.collect.session.window_ns = 100ULL * 1000000ULL;
	c->run.collect.session.max_inflight = 1u << 18;
	c->run.collect.drain_ms = 20;
	c->run.table = true;
	c->vnfs = 0;
	c->rate = 1000;
}

static void finish_probe_config(struct cli *c)
{
	struct hs_run_info *info = &c->run.collect.info;

	/* wake the collector early once a quarter of the ring is full;
	 * every: more than one byte unread, looked at after each record */
	c->run.probe.wakeup_bytes = c->run.probe.ringbuf_bytes / 4;
	if (c->wakeup && !strcmp(c->wakeup, "timer"))
		c->run.probe.wakeup_bytes = 0;
	if (c->wakeup && !strcmp(c->wakeup, "every")) {
		c->run.probe.wakeup_bytes = 1;
		c->run.probe.wakeup_check_every = 1;
	}
	c->run.collect.session.warmup_ns = (uint64_t)(c->warmup * 1e9);
	c->run.collect.session.cooldown_ns = (uint64_t)(c->cooldown * 1e9);
	/* what the record file's header says of the configuration */
	info->sample_one_in = c->run.probe.sample_one_in;
	snprintf(info->filter, sizeof(info->filter), "%s",
		 c->filter_text ? c->filter_text : "");
}

static int cmd_run(struct cli *c, int argc, char **argv)
{
	if (parse_args(c, argc, argv))
		return HS_EXIT_USAGE;
	if (both_stdout(c))
		return HS_EXIT_USAGE;
	if (!c->n_points && !c->n_netns && !c->n_between) {
		pr_err("no observation points: give --point SPEC, --netns NETNS or --between NETNS NETNS (see hopscope run --help)");
		return HS_EXIT_USAGE;
	}
	finish_probe_config(c);
	c->run.select.points = c->points;
	c->run.select.n_points = c->n_points;
	c->run.select.netns = c->netns;
	c->run.select.n_netns = c->n_netns;
	c->run.select.between = c->between;
	c->run.select.n_between = c->n_between;
	c->run.collect.duration_s = c->duration;
	c->run.collect.interval_s = c->interval_set ? c->interval : 5;
	if (hs_collect_block_signals()) {
		pr_err("cannot block signals: %s", strerror(errno));
		return HS_EXIT_FAILURE;
	}
	return hs_run(&c->run);
}

static int cmd_demo(struct cli *c, int argc, char **argv)
{
	struct hs_demo_opts d = {};

	if (parse_args(c, argc, argv))
		return HS_EXIT_USAGE;
	if (both_stdout(c))
		return HS_EXIT_USAGE;
	if (c->duration_set && c->duration <= 0) {
		pr_err("bad --duration '%g': the demo needs seconds of traffic above 0",
		       c->duration);
		return HS_EXIT_USAGE;
	}
	finish_probe_config(c);
	if (c->vnfs && c->chain) {
		pr_err("--vnfs and --chain exclude each other");
		return HS_EXIT_USAGE;
	}
	d.chain = c->chain ? c->chain : "veth,bridge,macvlan,ovs";
	d.chain_is_default = !c->chain && !c->vnfs;
	if (c->vnfs) {
		/* N functions: N + 1 veth links */
		size_t used = 0;
		uint32_t i;

		for (i = 0; i <= c->vnfs; i++)
			used += (size_t)snprintf(c->chain_buf + used,
						 sizeof(c->chain_buf) - used,
						 "%sveth", i ? "," : "");
		d.chain = c->chain_buf;
	}
	d.rate_pps = c->rate;
	d.seconds = c->duration_set ? c->duration : 10;
	d.run = c->run;
	/* a little past the stream, so its last packets are in */
	d.run.collect.duration_s = d.seconds + 0.5;
	d.run.collect.interval_s = c->interval_set ? c->interval : 0;
	if (hs_collect_block_signals()) {
		pr_err("cannot block signals: %s", strerror(errno));
		return HS_EXIT_FAILURE;
	}
	return hs_demo(&d);
}

static int cmd_topo(struct cli *c, int argc, char **argv)
{
	struct hs_topo_opts o = { .processes = true };
	struct hs_topo t;
	int ret;

	if (parse_args(c, argc, argv))
		return HS_EXIT_USAGE;
	ret = hs_run_preflight_topo();
	if (ret)
		return ret;
	if (hs_topo_discover(&t, &o))
		return HS_EXIT_FAILURE;
	if (c->topo_format == OPT_TOPO_JSON)
		hs_topo_print_json(stdout, &t);
	else if (c->topo_format == OPT_DOT)
		hs_topo_print_dot(stdout, &t);
	else
		hs_topo_print_text(stdout, &t);
	hs_topo_free(&t);
	return fflush(stdout) ? HS_EXIT_FAILURE : HS_EXIT_OK;
}

static int cmd_report(struct cli *c, int argc, char **argv)
{
	if (parse_args(c, argc, argv))
		return HS_EXIT_USAGE;
	c->report.change.warmup_set = c->warmup_set;
	c->report.change.warmup_ns = (uint64_t)(c->warmup * 1e9);
	c->report.change.cooldown_set = c->cooldown_set;
	c->report.change.cooldown_ns = (uint64_t)(c->cooldown * 1e9);
	if (both_stdout(c))
		return HS_EXIT_USAGE;
	return hs_report_files(&c->report);
}

int main(int argc, char **argv)
{
	struct cli c = {};
	const char *cmd = argc > 1 ? argv[1] : NULL;

	hs_log_setup_libbpf();
	signal(SIGPIPE, SIG_IGN);
	defaults(&c);
	if (!cmd) {
		usage(stderr, 0);
		return HS_EXIT_USAGE;
	}
	if (!strcmp(cmd, "--help") || !strcmp(cmd, "-h") || !strcmp(cmd, "help")) {
		usage(stdout, 0);
		return HS_EXIT_OK;
	}
	if (!strcmp(cmd, "--version") || !strcmp(cmd, "-V")) {
		printf("hopscope %s (libbpf %u.%u)\n", HS_VERSION,
		       libbpf_major_version(), libbpf_minor_version());
		return HS_EXIT_OK;
	}
	if (!strcmp(cmd, "run")) {
		c.cmd = CMD_RUN;
		return cmd_run(&c, argc - 1, argv + 1);
	}
	if (!strcmp(cmd, "topo")) {
		c.cmd = CMD_TOPO;
		return cmd_topo(&c, argc - 1, argv + 1);
	}
	if (!strcmp(cmd, "report")) {
		c.cmd = CMD_REPORT;
		return cmd_report(&c, argc - 1, argv + 1);
	}
	if (!strcmp(cmd, "demo")) {
		c.cmd = CMD_DEMO;
		return cmd_demo(&c, argc - 1, argv + 1);
	}
	pr_err("unknown command '%s': run, demo, topo or report (see hopscope --help)",
	       cmd);
	return HS_EXIT_USAGE;
}
