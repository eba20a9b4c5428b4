// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * cli.c - hopscope's commands as a table: each names its option sections
 * (the shared ones are in measure.c), its config struct and defaults, and
 * what it runs once its options are parsed and checked.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <bpf/libbpf.h>
#include "hopscope.h"
#include "core/exit.h"
#include "core/log.h"
#include "core/util.h"
#include "cmd/bed.h"
#include "cmd/cli.h"
#include "cmd/demo.h"
#include "cmd/measure.h"
#include "cmd/report.h"
#include "cmd/study.h"
#include "live/collect.h"
#include "live/run.h"
#include "probe/select.h"
#include "topo/print.h"
#include "topo/topo.h"

/* --verbose, --help: every command's */
struct common_cfg {
	bool verbose;
};

/* at once, as it always was: what parsing the options after it logs at
 * debug level shows too */
static int set_verbose(const struct hs_opt *o, const char *val, void *field)
{
	(void)o;
	(void)val;
	*(bool *)field = true;
	hs_log_set_level(HS_LOG_DEBUG);
	return 0;
}

static const struct hs_opt common_opts[] = {
	HS_OPT_DEF_CUSTOM(struct common_cfg, verbose, bool, "verbose", NULL,
			  "debug messages, libbpf's included", set_verbose,
			  .short_name = 'v'),
	HS_OPT_DEF_HELP("help", "this help", .short_name = 'h'),
	HS_OPT_DEF_END,
};

static int block_signals(void)
{
	int e;

	if (hs_collect_block_signals()) {
		e = errno;
		pr_err("cannot block signals: %s", strerror(e));
		return -e;
	}
	return 0;
}

/* hopscope run: --point, --netns, --between */
struct select_cfg {
	struct hs_opt_list points, netns, between;
};

static const struct hs_opt select_opts[] = {
	HS_OPT_DEF_LIST(
		struct select_cfg, points, "point", "SPEC",
		"observe [NETNS:]IFNAME[@HOOK,...] (repeatable); NETNS is a name in\n"
		"/run/netns, pid:PID or a path; HOOK is xdp, tc-ingress, tc-egress",
		HS_MAX_POINTS, "too many points"),
	HS_OPT_DEF_LIST(struct select_cfg, netns, "netns", "NETNS",
			"observe every interface of NETNS but lo (repeatable)",
			HS_MAX_POINTS, "too many namespaces"),
	HS_OPT_DEF_PAIR(
		struct select_cfg, between, "between", "NETNS NETNS",
		"observe every interface on the path between two namespaces: theirs,\n"
		"the switches' and the functions' in between (repeatable)",
		HS_MAX_POINTS, "too many pairs", "a second namespace"),
	HS_OPT_DEF_END,
};

struct run_command {
	struct select_cfg select;
	struct hs_capture_cfg capture;
	struct hs_results_cfg results;
	struct hs_live_cfg live;
	struct common_cfg common;
};

static const struct hs_opt_section run_sections[] = {
	HS_OPT_SECTION(struct run_command, select, select),
	HS_OPT_SECTION(struct run_command, capture, hs_capture),
	HS_OPT_SECTION(struct run_command, results, hs_results),
	HS_OPT_SECTION(struct run_command, live, hs_live),
	HS_OPT_SECTION(struct run_command, common, common),
	HS_OPT_SECTION_END,
};

static const struct run_command run_defaults = {
	.capture = { .interval = { .s = 5 }, .sample = 1 },
	.live = HS_LIVE_DEFAULTS,
};

static int run_main(void *cfg, int n_operands, char **operands)
{
	const struct run_command *c = cfg;
	const struct select_cfg *sel = &c->select;
	struct hs_run_opts run = {};

	(void)n_operands;
	(void)operands;
	if (hs_results_check(&c->results))
		return HS_EXIT_USAGE;
	if (!sel->points.n && !sel->netns.n && !sel->between.n) {
		pr_err("no observation points: give --point SPEC, --netns NETNS or --between NETNS NETNS (see hopscope run --help)");
		return HS_EXIT_USAGE;
	}
	hs_measure_run_opts(&c->capture, &c->results, &c->live, &run);
	run.select.points = sel->points.v;
	run.select.n_points = sel->points.n;
	run.select.netns = sel->netns.v;
	run.select.n_netns = sel->netns.n;
	run.select.between = sel->between.v;
	run.select.n_between = sel->between.n;
	run.collect.duration_s = c->capture.duration.s;
	run.collect.interval_s = c->capture.interval.s;
	run.drop_caps = true;
	if (block_signals())
		return HS_EXIT_FAILURE;
	return hs_run(&run);
}

/* hopscope agent: --select, --expire, --rescan */
#define AGENT_MAX_SELECT 16

struct follow_cfg {
	struct hs_opt_list select;
	struct hs_seconds expire;
	struct hs_seconds rescan;
};

static const struct hs_opt follow_opts[] = {
	HS_OPT_DEF_LIST(
		struct follow_cfg, select, "select", "WHAT",
		"follow these namespaces (repeatable): docker or\n"
		"podman (every container of the runtime), docker:GLOB\n"
		"or podman:GLOB (containers by name), netns:GLOB\n"
		"(names under /run/netns), pid:PID; default: every\n"
		"container of every runtime found",
		AGENT_MAX_SELECT, "too many --select words"),
	HS_OPT_DEF_SECONDS(
		struct follow_cfg, expire, "expire",
		"a stopped container's hops leave the live statistics\n"
		"this long after it stopped (default 300)"),
	HS_OPT_DEF_SECONDS(
		struct follow_cfg, rescan, "rescan",
		"look for namespaces that came or went at least this\n"
		"often (default 1; container starts and stops are\n"
		"followed as they happen)"),
	HS_OPT_DEF_END,
};

struct agent_command {
	struct follow_cfg follow;
	struct hs_capture_cfg capture;
	struct hs_results_cfg results;
	struct hs_live_cfg live;
	struct common_cfg common;
};

static const struct hs_opt_section agent_sections[] = {
	HS_OPT_SECTION(struct agent_command, follow, follow),
	HS_OPT_SECTION(struct agent_command, capture, hs_capture),
	HS_OPT_SECTION(struct agent_command, results, hs_results),
	HS_OPT_SECTION(struct agent_command, live, hs_live),
	HS_OPT_SECTION(struct agent_command, common, common),
	HS_OPT_SECTION_END,
};

static const struct agent_command agent_defaults = {
	.follow = { .expire = { .s = 300 }, .rescan = { .s = 1 } },
	.capture = { .interval = { .s = 10 }, .sample = 1 },
	.live = HS_LIVE_DEFAULTS,
};

static int agent_main(void *cfg, int n_operands, char **operands)
{
	const struct agent_command *c = cfg;
	struct hs_selector sel[AGENT_MAX_SELECT];
	struct hs_follow_config follow = {
		.sel = sel,
		.n_sel = c->follow.select.n,
		.expire_ns = (uint64_t)(c->follow.expire.s * 1e9),
		.rescan_ns = (uint64_t)(c->follow.rescan.s * 1e9),
		.runtime_events = true,
		.hook_set = c->live.hooks,
	};
	struct hs_run_opts run = {};
	char err[256];
	unsigned int i;

	(void)n_operands;
	(void)operands;
	if (hs_results_check(&c->results))
		return HS_EXIT_USAGE;
	for (i = 0; i < c->follow.select.n; i++) {
		if (hs_selector_parse(c->follow.select.v[i], &sel[i], err,
				      sizeof(err))) {
			pr_err("%s", err);
			return HS_EXIT_USAGE;
		}
	}
	if (c->follow.rescan.s < 0.1) {
		pr_err("bad --rescan '%g': at least 0.1 seconds",
		       c->follow.rescan.s);
		return HS_EXIT_USAGE;
	}
	hs_measure_run_opts(&c->capture, &c->results, &c->live, &run);
	run.follow = &follow;
	run.collect.duration_s = c->capture.duration.s;
	run.collect.interval_s = c->capture.interval.s;
	run.drop_caps = true;
	if (block_signals())
		return HS_EXIT_FAILURE;
	return hs_run(&run);
}

/* hopscope demo: --chain, --vnfs, --rate */
struct chain_cfg {
	const char *chain; /* NULL: the default chain */
	uint32_t vnfs; /* 0: --chain's */
	uint32_t rate;
};

#define DEFAULT_CHAIN "veth,bridge,macvlan,ovs"
#define MAX_LINKS 9

/* veth, bridge, macvlan, ovs, comma-separated: checked here so that a
 * typo never builds half a testbed */
/* A comma-separated list of names: each found in names[0..n-1] sets its
 * bit in *mask. The number of names in the list, or -1 at one not there. */
static int name_list(const char *val, const char *const *names,
		     unsigned int n, unsigned int *mask)
{
	const char *p = val;
	int count = 0;

	*mask = 0;
	for (;;) {
		size_t len = strcspn(p, ",");
		unsigned int k;

		for (k = 0; k < n; k++)
			if (len == strlen(names[k]) && !strncmp(p, names[k], len))
				break;
		if (k == n)
			return -1;
		*mask |= 1u << k;
		count++;
		if (!p[len])
			return count;
		p += len + 1;
	}
}

static int parse_chain(const struct hs_opt *o, const char *val, void *field)
{
	static const char *const kinds[] = { "veth", "bridge", "macvlan",
					     "ovs" };
	unsigned int mask;
	int links = name_list(val, kinds, ARRAY_SIZE(kinds), &mask);

	if (links < 0)
		return hs_opt_bad(
			o, val,
			"expected veth, bridge, macvlan or ovs, comma-separated");
	if (links > MAX_LINKS) {
		char want[32];

		snprintf(want, sizeof(want), "at most %d links", MAX_LINKS);
		return hs_opt_bad(o, val, want);
	}
	*(const char **)field = val;
	return 0;
}

static const struct hs_opt chain_opts[] = {
	HS_OPT_DEF_CUSTOM(
		struct chain_cfg, chain, const char *, "chain", "KINDS",
		"the demo's links, sender to receiver: veth, bridge, macvlan or ovs,\n"
		"comma-separated, 1 to 9 (default veth,bridge,macvlan,ovs: 3 functions;\n"
		"without OVS where it cannot run)",
		parse_chain),
	HS_OPT_DEF_UINT(
		struct chain_cfg, vnfs, "vnfs", "N",
		"N functions joined by veth pairs only, 1 to 8 (--chain veth,...)",
		1, MAX_LINKS - 1),
	HS_OPT_DEF_UINT(struct chain_cfg, rate, "rate", "PPS",
			"demo traffic in packets per second (default 1000)", 1,
			1000000),
	HS_OPT_DEF_END,
};

struct demo_command {
	struct hs_capture_cfg capture;
	struct hs_results_cfg results;
	struct hs_live_cfg live;
	struct chain_cfg chain;
	struct common_cfg common;
};

static const struct hs_opt_section demo_sections[] = {
	HS_OPT_SECTION(struct demo_command, capture, hs_capture),
	HS_OPT_SECTION(struct demo_command, results, hs_results),
	HS_OPT_SECTION(struct demo_command, live, hs_live),
	HS_OPT_SECTION(struct demo_command, chain, chain),
	HS_OPT_SECTION(struct demo_command, common, common),
	HS_OPT_SECTION_END,
};

static const struct demo_command demo_defaults = {
	.capture = { .duration = { .s = 10 }, .sample = 1 },
	.live = HS_LIVE_DEFAULTS,
	.chain = { .rate = 1000 },
};

static int demo_main(void *cfg, int n_operands, char **operands)
{
	const struct demo_command *c = cfg;
	struct hs_demo_opts d = {};
	char chain[64];

	(void)n_operands;
	(void)operands;
	if (hs_results_check(&c->results))
		return HS_EXIT_USAGE;
	if (c->capture.duration.s <= 0) {
		pr_err("bad --duration '%g': the demo needs seconds of traffic above 0",
		       c->capture.duration.s);
		return HS_EXIT_USAGE;
	}
	hs_measure_run_opts(&c->capture, &c->results, &c->live, &d.run);
	if (c->chain.vnfs && c->chain.chain) {
		pr_err("--vnfs and --chain exclude each other");
		return HS_EXIT_USAGE;
	}
	d.chain = c->chain.chain ? c->chain.chain : DEFAULT_CHAIN;
	d.chain_is_default = !c->chain.chain && !c->chain.vnfs;
	if (c->chain.vnfs) {
		hs_bed_chain_kinds(chain, sizeof(chain), "veth", c->chain.vnfs);
		d.chain = chain;
	}
	d.rate_pps = c->chain.rate;
	d.seconds = c->capture.duration.s;
	/* a little past the stream, so its last packets are in */
	d.run.collect.duration_s = d.seconds + 0.5;
	d.run.collect.interval_s = c->capture.interval.s;
	if (block_signals())
		return HS_EXIT_FAILURE;
	return hs_demo(&d);
}

/* hopscope study: --quick, --out, --only, --tech, --vnfs */
struct study_cfg {
	bool quick;
	bool docker;
	const char *out;
	unsigned int exps, techs; /* 0: all */
	uint32_t vnfs; /* 0: 5, or 3 with --quick */
};

/* A comma-separated list of names into a bit mask. */
static int parse_names(const struct hs_opt *o, const char *val, void *field,
		       const char *const *names, unsigned int n,
		       const char *want)
{
	if (name_list(val, names, n, field) < 0)
		return hs_opt_bad(o, val, want);
	return 0;
}

static int parse_exps(const struct hs_opt *o, const char *val, void *field)
{
	return parse_names(
		o, val, field, hs_study_exp_names, HS_EXPS,
		"latency, jitter, efficiency, roundtrip or chain, comma-separated");
}

static int parse_techs(const struct hs_opt *o, const char *val, void *field)
{
	return parse_names(
		o, val, field, hs_study_tech_names, HS_TECHS,
		"native, direct, macvlan, sriov, bridge, ovs, docker-bridge or docker-macvlan, comma-separated");
}

static const struct hs_opt study_opts[] = {
	HS_OPT_DEF_FLAG(struct study_cfg, quick, "quick",
			"a short study for checking it works: small n, chains of\n"
			"1 to 3 functions, frames of 64 and 1514 bytes"),
	HS_OPT_DEF_STRING(struct study_cfg, out, "out", "DIR",
			  "write report.html, results.jsonl, a CSV per experiment\n"
			  "and raw/ (each run's JSON lines, the plots) to DIR\n"
			  "(default hopscope-study)"),
	HS_OPT_DEF_CUSTOM(
		struct study_cfg, exps, unsigned int, "only", "EXPERIMENT,...",
		"run only these: latency (Figs 2/3), jitter (Tables I, II),\n"
		"efficiency (Fig 5), roundtrip (Fig 6), chain (Figs 7-9,\n"
		"Table III) (default all)",
		parse_exps),
	HS_OPT_DEF_CUSTOM(
		struct study_cfg, techs, unsigned int, "tech", "LIST",
		"technologies to compare: native, direct, macvlan, sriov,\n"
		"bridge, ovs, and with --docker docker-bridge, docker-macvlan\n"
		"(default all; those this host lacks say why)",
		parse_techs),
	HS_OPT_DEF_FLAG(struct study_cfg, docker, "docker",
			"also with real Docker containers on Docker's own network\n"
			"drivers (docker-bridge, docker-macvlan), of the engine\n"
			"DOCKER_HOST names (its image made from busybox-static)"),
	HS_OPT_DEF_UINT(struct study_cfg, vnfs, "vnfs", "N",
			"the longest chain, 2 to 8 functions (default 5; --quick 3)",
			2, 8),
	HS_OPT_DEF_END,
};

struct study_command {
	struct study_cfg study;
	struct common_cfg common;
};

static const struct hs_opt_section study_sections[] = {
	HS_OPT_SECTION(struct study_command, study, study),
	HS_OPT_SECTION(struct study_command, common, common),
	HS_OPT_SECTION_END,
};

static const struct study_command study_defaults = {
	.study = { .out = "hopscope-study" },
};

static int study_main(void *cfg, int n_operands, char **operands)
{
	const struct study_command *c = cfg;
	struct hs_capture_cfg capture = { .sample = 1 };
	struct hs_results_cfg results = {};
	struct hs_live_cfg live = HS_LIVE_DEFAULTS;
	unsigned int docker_techs = 1u << HS_TECH_DOCKER_BRIDGE |
				    1u << HS_TECH_DOCKER_MACVLAN;
	struct hs_study_opts o = {
		.quick = c->study.quick,
		.docker = c->study.docker,
		.out = c->study.out,
		.exps = c->study.exps ? c->study.exps : (1u << HS_EXPS) - 1,
		.techs = c->study.techs ? c->study.techs :
		      c->study.docker ? (1u << HS_TECHS) - 1 :
					((1u << HS_TECHS) - 1) & ~docker_techs,
		.max_vnfs = c->study.vnfs ? c->study.vnfs :
					    c->study.quick ? 3 : 5,
	};

	(void)n_operands;
	(void)operands;
	if (!o.out[0]) {
		pr_err("bad --out '': the study needs a directory");
		return HS_EXIT_USAGE;
	}
	if ((o.techs & docker_techs) && !o.docker) {
		pr_err("--tech docker-bridge and docker-macvlan need --docker");
		return HS_EXIT_USAGE;
	}
	hs_measure_run_opts(&capture, &results, &live, &o.run);
	if (block_signals())
		return HS_EXIT_FAILURE;
	return hs_study(&o);
}

/* hopscope topo: --json, --dot */
enum topo_format { TOPO_TEXT, TOPO_JSON, TOPO_DOT };

struct topo_format_cfg {
	int format; /* enum topo_format */
};

/* one format; said at the second flag, before any option after it */
static int set_topo_format(const struct hs_opt *o, const char *val, void *field)
{
	int *format = field;

	(void)val;
	if (*format != TOPO_TEXT && *format != o->arg) {
		pr_err("--json and --dot exclude each other");
		return -EINVAL;
	}
	*format = o->arg;
	return 0;
}

static const struct hs_opt topo_format_opts[] = {
	HS_OPT_DEF_CUSTOM(
		struct topo_format_cfg, format, int, "json", NULL,
		"one JSON object per line: a \"netns\" per namespace, a \"link\" per\n"
		"interface",
		set_topo_format, .arg = TOPO_JSON),
	HS_OPT_DEF_CUSTOM(
		struct topo_format_cfg, format, int, "dot", NULL,
		"a Graphviz graph: hopscope topo --dot | dot -Tpng -o topo.png",
		set_topo_format, .arg = TOPO_DOT),
	HS_OPT_DEF_END,
};

struct topo_command {
	struct topo_format_cfg topo;
	struct common_cfg common;
};

static const struct hs_opt_section topo_sections[] = {
	HS_OPT_SECTION(struct topo_command, topo, topo_format),
	HS_OPT_SECTION(struct topo_command, common, common),
	HS_OPT_SECTION_END,
};

static const struct topo_command topo_defaults = {};

static void (*const topo_printers[])(FILE *f, const struct hs_topo *t) = {
	[TOPO_TEXT] = hs_topo_print_text,
	[TOPO_JSON] = hs_topo_print_json,
	[TOPO_DOT] = hs_topo_print_dot,
};

static int topo_main(void *cfg, int n_operands, char **operands)
{
	const struct topo_command *c = cfg;
	struct hs_topo_opts o = { .processes = true };
	struct hs_topo t;
	int ret;

	(void)n_operands;
	(void)operands;
	ret = hs_run_preflight_topo();
	if (ret)
		return ret;
	if (hs_topo_discover(&t, &o))
		return HS_EXIT_FAILURE;
	topo_printers[c->topo.format](stdout, &t);
	hs_topo_free(&t);
	return fflush(stdout) ? HS_EXIT_FAILURE : HS_EXIT_OK;
}

/* hopscope report: --fit, --collector-threads */
struct report_cfg {
	bool fit;
	uint32_t threads; /* 0: as the run had them */
};

static const struct hs_opt report_opts[] = {
	HS_OPT_DEF_FLAG(struct report_cfg, fit, "fit",
			"fit end-to-end delay and jitter of runs over chains\n"
			"of different length against the number of functions\n"
			"(slope, intercept, R^2)"),
	HS_OPT_DEF_UINT(struct report_cfg, threads, "collector-threads", "N",
			"match on N threads (default: as the run did, which\n"
			"reports what it reported; see hopscope run --help)",
			1, HS_THREADS_MAX),
	HS_OPT_DEF_END,
};

struct report_command {
	struct hs_results_cfg results;
	struct report_cfg report;
	struct common_cfg common;
};

static const struct hs_opt_section report_sections[] = {
	HS_OPT_SECTION(struct report_command, results, hs_results),
	HS_OPT_SECTION(struct report_command, report, report),
	HS_OPT_SECTION(struct report_command, common, common),
	HS_OPT_SECTION_END,
};

static const struct report_command report_defaults = {};

static int report_main(void *cfg, int n_operands, char **operands)
{
	const struct report_command *c = cfg;
	const struct hs_results_cfg *r = &c->results;
	struct hs_report_opts o = {
		.files = (const char *const *)operands,
		.n_files = (unsigned int)n_operands,
		.json_path = r->json,
		.csv_path = r->csv,
		.fit = c->report.fit,
		.change = {
			.warmup_set = r->warmup.given,
			.warmup_ns = (uint64_t)(r->warmup.s * 1e9),
			.cooldown_set = r->cooldown.given,
			.cooldown_ns = (uint64_t)(r->cooldown.s * 1e9),
			.threads = c->report.threads,
		},
	};

	if (hs_results_check(r))
		return HS_EXIT_USAGE;
	return hs_report_files(&o);
}

const struct hs_command hs_commands[] = {
	{
		.name = "run",
		.summary =
			"measure the points you name (see hopscope run --help)",
		.usage =
			"hopscope run (--point SPEC | --netns NETNS | --between NETNS NETNS)...\n"
			"                    [options]",
		.description =
			"Timestamp packets at every named point, match the same packet across\n"
			"points and report per-hop delay, RFC 3550 jitter and lateness.",
		.examples =
			"Examples:\n"
			"  hopscope run --point vnf1:eth0 --point vnf1:eth1 --duration 10\n"
			"  hopscope run --point pid:4242:eth0 --point veth1a@tc-ingress\n"
			"  hopscope run --netns vnf1 --netns vnf2 --filter 'udp and port 5201' --json -\n"
			"  hopscope run --between client server --duration 30\n",
		.sections = run_sections,
		HS_CMD_CONFIG(struct run_command, run_defaults),
		.run = run_main,
	},
	{
		.name = "agent",
		.summary = "follow the containers of a host and measure them, until stopped",
		.usage = "hopscope agent [--select WHAT]... [options]",
		.description =
			"Measure every interface of the selected namespaces, and the host-side\n"
			"ends that join them (veth peers, bridge and OVS ports, macvlan parents),\n"
			"until SIGINT or SIGTERM. Containers that start are measured as they\n"
			"start (Docker's and Podman's event streams), those that stop are let go,\n"
			"and their hops leave the statistics after --expire. Namespaces are named\n"
			"after their containers: docker:NAME, podman:NAME; the host's is host.\n"
			"SIGHUP reopens the output files.",
		.examples =
			"Examples:\n"
			"  sudo hopscope agent --metrics 9464\n"
			"  sudo hopscope agent --select 'docker:web*' --interval 60 --json /var/log/hopscope.jsonl\n"
			"  sudo hopscope agent --select netns:vnf* --select pid:4242\n",
		.sections = agent_sections,
		HS_CMD_CONFIG(struct agent_command, agent_defaults),
		.run = agent_main,
	},
	{
		.name = "demo",
		.summary = "build a testbed chain, measure it, tear it down",
		.usage = "hopscope demo [options]",
		.description =
			"Build a chain sender -> VNF1 .. VNFn -> receiver of network namespaces\n"
			"whose links are veth pairs, a Linux bridge, macvlan or Open vSwitch\n"
			"(addresses in 198.18.0.0/15), send a bounded UDP stream through it,\n"
			"measure every interface between sender and receiver, print the per-hop\n"
			"table and remove everything again.",
		.examples =
			"Examples:\n"
			"  sudo hopscope demo --duration 5 --json demo.jsonl\n"
			"  sudo hopscope demo --chain veth,ovs,veth --rate 200\n",
		.sections = demo_sections,
		HS_CMD_CONFIG(struct demo_command, demo_defaults),
		.run = demo_main,
	},
	{
		.name = "study",
		.summary = "rerun the paper's experiments on this host, write a report",
		.usage = "hopscope study [--quick] [--out DIR] [--only EXPERIMENT,...] [--tech LIST] [--docker]",
		.description =
			"Rerun the experiments of Anderson et al., \"Performance Considerations of\n"
			"Network Functions Virtualization using Containers\", with hopscope's own\n"
			"probes: latency into a container per frame size, jitter and lateness at\n"
			"a constant rate, CPU per packet, round trip between two containers\n"
			"(beside sockperf), and chains of 1 to N functions fitted against N.\n"
			"Each experiment builds its testbeds of network namespaces (addresses in\n"
			"198.18.0.0/15), measures, and removes them. The report is one HTML page\n"
			"with the paper's figures beside this host's; technologies this host\n"
			"cannot build (SR-IOV without a VF) say so. With --docker, the same\n"
			"experiments also run on real Docker containers and networks (bridge,\n"
			"macvlan drivers). Needs sockperf and gnuplot.",
		.examples =
			"Examples:\n"
			"  sudo hopscope study --out study && chromium study/report.html\n"
			"  sudo hopscope study --quick --only chain --tech bridge,ovs\n"
			"  sudo DOCKER_HOST=unix:///run/docker.sock hopscope study --docker\n",
		.sections = study_sections,
		HS_CMD_CONFIG(struct study_command, study_defaults),
		.run = study_main,
	},
	{
		.name = "topo",
		.summary =
			"namespaces, interfaces, kinds, and how they connect",
		.usage = "hopscope topo [--json | --dot]",
		.description =
			"Every network namespace (named ones under /run/netns and those of running\n"
			"processes, as pid:PID), every interface with its kind, and how they\n"
			"connect: veth peers, bridge and OVS ports, macvlan parents, SR-IOV VFs.\n"
			"Namespace names work as NETNS in hopscope run.",
		.examples =
			"Example:\n"
			"  sudo hopscope topo --dot | dot -Tsvg -o topo.svg\n",
		.sections = topo_sections,
		HS_CMD_CONFIG(struct topo_command, topo_defaults),
		.run = topo_main,
	},
	{
		.name = "report",
		.summary =
			"statistics from record files (run --write), hosts\n"
			"joined, chain-length fits",
		.usage = "hopscope report FILE... [options]",
		.description =
			"Statistics from record files written by hopscope run --write, offline:\n"
			"  one file (or the parts of one run, rotated by SIGHUP, in order): exactly\n"
			"    what the live run reported;\n"
			"  files of one chain measured on 2 to 8 hosts, one each: joined by\n"
			"    fingerprint, the clocks aligned on the first file's (TAI as is, else\n"
			"    from the minimum delays between every pair of hosts, propagated\n"
			"    along the chain with their uncertainty);\n"
			"  --fit FILE...: runs over chains of different length, fitted against\n"
			"    the number of functions (the paper's Table III).\n"
			"A truncated or corrupt file is reported with the byte offset, after the\n"
			"statistics of every complete record before it (exit status 1).",
		.examples =
			"Examples:\n"
			"  hopscope report run.hsr --json run.jsonl\n"
			"  hopscope report hostA.hsr hostB.hsr\n"
			"  hopscope report sender.hsr vnfhost.hsr receiver.hsr\n"
			"  hopscope report --fit chain1.hsr chain2.hsr chain3.hsr chain4.hsr\n",
		.operands = true,
		.sections = report_sections,
		HS_CMD_CONFIG(struct report_command, report_defaults),
		.run = report_main,
	},
	{ .name = NULL },
};

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: hopscope COMMAND [options]\n\n"
		"Per-hop packet delay, jitter and lateness inside a Linux host, from BPF\n"
		"timestamps at XDP and tc on every interface a packet crosses.\n\n"
		"Commands:\n");
	hs_cmd_list(f, hs_commands);
	fprintf(f,
		"\n"
		"  hopscope --help | --version\n\n"
		"Examples:\n"
		"  sudo hopscope demo\n"
		"  sudo hopscope run --point vnf1:eth0 --point vnf1:eth1 --duration 10\n\n"
		"Exit status: 0 success, 1 runtime failure, 2 bad usage.\n"
		"Needs root (CAP_BPF, CAP_NET_ADMIN, CAP_SYS_ADMIN) and a kernel with BTF.\n");
}

static void show_usage(void)
{
	usage(stdout);
}

static void show_version(void)
{
	printf("hopscope %s (libbpf %u.%u)\n", HS_VERSION,
	       libbpf_major_version(), libbpf_minor_version());
}

/* The words hopscope takes in place of a command. */
static const struct {
	const char *words[4]; /* ended by NULL */
	void (*show)(void);
} global_words[] = {
	{ { "--help", "-h", "help", NULL }, show_usage },
	{ { "--version", "-V", NULL }, show_version },
};

/* The global word name is, or NULL. */
static void (*global_word(const char *name))(void)
{
	size_t i, k;

	for (i = 0; i < ARRAY_SIZE(global_words); i++)
		for (k = 0; global_words[i].words[k]; k++)
			if (!strcmp(name, global_words[i].words[k]))
				return global_words[i].show;
	return NULL;
}

int hs_cli_main(int argc, char **argv)
{
	const char *name = argc > 1 ? argv[1] : NULL;
	const struct hs_command *cmd;
	void (*show)(void);
	char names[96];

	if (!name) {
		usage(stderr);
		return HS_EXIT_USAGE;
	}
	show = global_word(name);
	if (show) {
		show();
		return HS_EXIT_OK;
	}
	cmd = hs_cmd_find(hs_commands, name);
	if (!cmd) {
		hs_cmd_names(names, sizeof(names), hs_commands);
		pr_err("unknown command '%s': %s (see hopscope --help)", name,
		       names);
		return HS_EXIT_USAGE;
	}
	return hs_cmd_run(cmd, argc - 1, argv + 1);
}
