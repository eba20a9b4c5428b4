// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * measure.c - the shared option sections' rows, and what they make of a
 * live run's configuration.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/log.h"
#include "core/units.h"
#include "cmd/measure.h"
#include "live/collect.h"
#include "output/http.h"
#include "probe/filter.h"
#include "probe/spec.h"

/* drain the ring this often, woken early or not */
#define DRAIN_MS 20

static int parse_filter(const struct hs_opt *o, const char *val, void *field)
{
	struct hs_filter_opt *f = field;
	char err[512];

	(void)o;
	if (hs_filter_parse(val, &f->compiled, err, sizeof(err))) {
		pr_err("%s", err);
		return -EINVAL;
	}
	f->text = val;
	return 0;
}

static int parse_vxlan_port(const struct hs_opt *o, const char *val,
			    void *field)
{
	struct hs_vxlan_ports_opt *v = field;
	char *end;
	unsigned long port = strtoul(val, &end, 10);

	if (!*val || *end || port < 1 || port > 65535)
		return hs_opt_bad(o, val, "expected a UDP port, 1 to 65535");
	if (v->n == HS_PROBE_VXLAN_PORTS)
		return hs_opt_bad(o, val, "at most 8 VXLAN ports");
	v->port[v->n++] = (uint16_t)port;
	return 0;
}

/* checked now, so that a typo fails before anything is attached */
static int parse_metrics(const struct hs_opt *o, const char *val, void *field)
{
	struct sockaddr_storage ss;
	socklen_t len;
	char err[256];

	(void)o;
	if (hs_metrics_parse_addr(val, &ss, &len, err, sizeof(err))) {
		pr_err("%s", err);
		return -EINVAL;
	}
	*(const char **)field = val;
	return 0;
}

/* SIZE[,AGE] */
static int parse_rotate(const struct hs_opt *o, const char *val, void *field)
{
	struct hs_rotate_opt *r = field;
	const char *comma = strchr(val, ',');
	char size[64], why[128];

	if ((comma ? (size_t)(comma - val) : strlen(val)) >= sizeof(size))
		return hs_opt_bad(o, val, "expected SIZE[,AGE] (100MiB,1h)");
	snprintf(size, sizeof(size), "%.*s",
		 comma ? (int)(comma - val) : (int)strlen(val), val);
	if (hs_parse_size(size, &r->bytes, why, sizeof(why)) ||
	    (comma &&
	     hs_parse_duration(comma + 1, &r->age_ns, why, sizeof(why))))
		return hs_opt_bad(o, val, why);
	if (!comma)
		r->age_ns = 0;
	r->given = true;
	return 0;
}

static int parse_keep(const struct hs_opt *o, const char *val, void *field)
{
	char why[128];

	if (hs_parse_size(val, field, why, sizeof(why)))
		return hs_opt_bad(o, val, why);
	return 0;
}

const struct hs_opt hs_capture_opts[] = {
	HS_OPT_DEF_SECONDS_ABOVE_0(
		struct hs_capture_cfg, duration, "duration",
		"stop after SEC seconds, above 0 (run, agent: default\n"
		"until Ctrl-C or SIGTERM; demo: seconds of traffic,\n"
		"default 10)",
		"expected seconds above 0; leave --duration out to run until stopped"),
	HS_OPT_DEF_SECONDS(
		struct hs_capture_cfg, interval, "interval",
		"print a table every SEC seconds (default: run 5, agent 10,\n"
		"demo 0 = summary only)"),
	HS_OPT_DEF_UINT(
		struct hs_capture_cfg, sample, "sample", "N",
		"record 1 in N packets, chosen on what no hop (NAT included)\n"
		"changes, so that a packet is sampled at every hop or at none\n"
		"(default 1: all)",
		1, 1u << 30),
	HS_OPT_DEF_CUSTOM(
		struct hs_capture_cfg, filter, struct hs_filter_opt, "filter",
		"EXPR",
		"only packets matching EXPR: udp|tcp|icmp|icmp6|ip|ip6, proto N,\n"
		"port N, net ADDR/LEN, host ADDR, joined by 'and'",
		parse_filter),
	HS_OPT_DEF_CUSTOM(
		struct hs_capture_cfg, vxlan_ports, struct hs_vxlan_ports_opt,
		"vxlan-port", "PORT",
		"UDP PORT carries VXLAN too, as 4789 and the ports of the vxlan\n"
		"devices measured do: packets to it are followed by their inner\n"
		"packet (repeatable, up to 8)",
		parse_vxlan_port),
	HS_OPT_DEF_END,
};

const struct hs_opt hs_results_opts[] = {
	HS_OPT_DEF_SECONDS(struct hs_results_cfg, warmup, "warmup",
			   "leave out the stream's head: packets within SEC\n"
			   "seconds of the first one"),
	HS_OPT_DEF_SECONDS(
		struct hs_results_cfg, cooldown, "cooldown",
		"leave out the stream's tail: packets within SEC\n"
		"seconds of the last one (statistics lag SEC behind)"),
	HS_OPT_DEF_STRING(struct hs_results_cfg, json, "json", "FILE",
			  "write JSON lines to FILE ('-' for stdout; the table\n"
			  "moves to stderr)"),
	HS_OPT_DEF_STRING(struct hs_results_cfg, csv, "csv", "FILE",
			  "write CSV rows to FILE for spreadsheets and\n"
			  "scripts/plot.sh ('-' for stdout)"),
	HS_OPT_DEF_END,
};

static const char *const wakeup_names[] = {
	[HS_WAKEUP_QUARTER] = "quarter",
	[HS_WAKEUP_TIMER] = "timer",
	[HS_WAKEUP_EVERY] = "every",
	NULL,
};

const struct hs_opt hs_live_opts[] = {
	HS_OPT_DEF_STRING(
		struct hs_live_cfg, write, "write", "FILE|DIR",
		"record everything to FILE (gzip) for hopscope\n"
		"report; SIGHUP starts it afresh (log rotation). A DIR\n"
		"(existing, or ending in '/') gets parts named by time,\n"
		"rotated and bounded by --rotate and --keep"),
	HS_OPT_DEF_CUSTOM(
		struct hs_live_cfg, rotate, struct hs_rotate_opt, "rotate",
		"SIZE[,AGE]",
		"with --write DIR: start a new part once one holds SIZE\n"
		"(KiB, MiB, GiB) or, given AGE (s, m, h), is that old\n"
		"(default 100MiB,1h)",
		parse_rotate),
	HS_OPT_DEF_CUSTOM(
		struct hs_live_cfg, keep, uint64_t, "keep", "SIZE",
		"with --write DIR: delete the oldest parts so that\n"
		"hopscope's parts there hold at most SIZE (default 1GiB)",
		parse_keep),
	HS_OPT_DEF_CUSTOM(struct hs_live_cfg, metrics, const char *, "metrics",
			  "[ADDR:]PORT",
			  "serve Prometheus metrics at\n"
			  "http://ADDR:PORT/metrics (ADDR: 127.0.0.1), and\n"
			  "the run's health at /healthz",
			  parse_metrics),
	HS_OPT_DEF_ENUM(struct hs_live_cfg, clock, "clock", "CLOCK",
			"monotonic (default) or tai: stamp with CLOCK_TAI,\n"
			"for hosts kept in step by PTP whose files hopscope\n"
			"report joins",
			hs_clock_names),
	HS_OPT_DEF_ENUM(
		struct hs_live_cfg, hooks, "hooks", "SET",
		"where on each interface to probe, unless a --point names\n"
		"hooks: default (tc ingress and egress; XDP too on\n"
		"hardware) or ingress (tc ingress only: half the cost,\n"
		"each hop a function or switch with the wire after it)",
		hs_hook_set_names),
	HS_OPT_DEF_ENUM(
		struct hs_live_cfg, xdp_mode, "xdp-mode", "MODE",
		"auto (native, else generic), native or generic (default auto)",
		hs_xdp_mode_names),
	HS_OPT_DEF_UINT(
		struct hs_live_cfg, window_ms, "window", "MS",
		"match window: sightings of one packet within MS ms are one\n"
		"trajectory (default 100)",
		HS_WINDOW_MIN_MS, HS_WINDOW_MAX_MS),
	HS_OPT_DEF_UINT(
		struct hs_live_cfg, max_inflight, "max-inflight", "N",
		"packets matched at once; the oldest is cut short and counted as\n"
		"evicted beyond that (default 262144)",
		1, HS_INFLIGHT_MAX),
	HS_OPT_DEF_UINT(
		struct hs_live_cfg, threads, "collector-threads", "N",
		"match records on N threads, dealt by packet (default 1;\n"
		"each holds --max-inflight / N packets). Slower where a\n"
		"handover between cores costs what matching does, as on\n"
		"small VMs: measure first (hopscope(8))",
		1, HS_THREADS_MAX),
	HS_OPT_DEF_UINT(
		struct hs_live_cfg, ring_kib, "ring-size", "KIB",
		"the ring buffers' size in KiB, a power of two >= 4, split\n"
		"among one ring per CPU (default 8192)",
		4, 1u << 20, .pow2 = true),
	HS_OPT_DEF_ENUM(struct hs_live_cfg, wakeup, "wakeup", "MODE",
			"when probes wake the collector: quarter (the ring a\n"
			"quarter full; default), timer (never: it drains every\n"
			"20 ms) or every (each record: costly, for measuring\n"
			"what wake-ups cost)",
			wakeup_names),
	HS_OPT_DEF_END,
};

/* JSON lines and CSV rows mixed on one stream would serve neither. */
int hs_results_check(const struct hs_results_cfg *r)
{
	if (r->json && r->csv && !strcmp(r->json, "-") &&
	    !strcmp(r->csv, "-")) {
		pr_err("--json - and --csv - cannot both be stdout");
		return -EINVAL;
	}
	return 0;
}

/* When the probes wake the collector: early once a quarter of the ring
 * is full; every: more than one byte unread, looked at after each record. */
static void set_wakeup(enum hs_wakeup w, struct hs_probe_config *probe)
{
	probe->wakeup_bytes = probe->ringbuf_bytes / 4;
	if (w == HS_WAKEUP_TIMER)
		probe->wakeup_bytes = 0;
	if (w == HS_WAKEUP_EVERY) {
		probe->wakeup_bytes = 1;
		probe->wakeup_check_every = 1;
	}
}

static void set_probe(const struct hs_capture_cfg *capture,
		      const struct hs_live_cfg *live,
		      struct hs_probe_config *probe)
{
	probe->sample_one_in = capture->sample;
	if (capture->filter.text) {
		probe->filter = capture->filter.compiled;
		probe->filter_enabled = true;
	}
	memcpy(probe->vxlan_ports, capture->vxlan_ports.port,
	       sizeof(probe->vxlan_ports));
	probe->n_vxlan_ports = capture->vxlan_ports.n;
	probe->xdp_mode = (enum hs_xdp_mode)live->xdp_mode;
	probe->ringbuf_bytes = live->ring_kib * 1024;
	probe->stamp_tai = live->clock == HS_CLOCK_TAI;
	/* Ctrl-C during a long attach is answered at once */
	probe->stop = hs_collect_stop_pending;
	set_wakeup((enum hs_wakeup)live->wakeup, probe);
}

static void set_collect(const struct hs_capture_cfg *capture,
			const struct hs_results_cfg *results,
			const struct hs_live_cfg *live,
			struct hs_collect_config *collect)
{
	struct hs_session_config *s = &collect->session;
	struct hs_run_info *info = &collect->info;

	s->window_ns = (uint64_t)live->window_ms * 1000000ULL;
	s->max_inflight = live->max_inflight;
	s->threads = live->threads;
	s->warmup_ns = (uint64_t)(results->warmup.s * 1e9);
	s->cooldown_ns = (uint64_t)(results->cooldown.s * 1e9);
	collect->drain_ms = DRAIN_MS;
	collect->clock = (enum hs_clock)live->clock;
	collect->write_path = live->write;
	/* zeros where not given: the defaults are a directory's (run.c) */
	collect->rotate.max_bytes = live->rotate.bytes;
	collect->rotate.max_age_ns = live->rotate.age_ns;
	collect->rotate.keep_bytes = live->keep;
	collect->rotate_given = live->rotate.given;
	/* what the record file's header says of the configuration */
	info->sample_one_in = capture->sample;
	snprintf(info->filter, sizeof(info->filter), "%s",
		 capture->filter.text ? capture->filter.text : "");
}

void hs_measure_run_opts(const struct hs_capture_cfg *capture,
			 const struct hs_results_cfg *results,
			 const struct hs_live_cfg *live,
			 struct hs_run_opts *run)
{
	set_probe(capture, live, &run->probe);
	set_collect(capture, results, live, &run->collect);
	run->json_path = results->json;
	run->csv_path = results->csv;
	run->metrics = live->metrics;
	run->table = true;
	run->select.hook_set = live->hooks;
}
