// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * output/prom.c and output/http.c: the Prometheus exposition of a hand-made report (histogram
 * buckets, counters, gauges, label escaping, the format's grammar) and the
 * --metrics address. No socket is opened: the HTTP side is tested in a
 * network namespace by the integration tests.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <criterion/criterion.h>
#include "analysis/hops.h"
#include "output/http.h"
#include "output/prom.h"
#include "analysis/points.h"
#include "analysis/session.h"

/* Static and freed in fini, which also runs after a failed assertion. */
static struct hs_hops h;
static struct hs_point_table pts;
static struct hs_counters counters[4];
static struct hs_match_counters match;
static struct hs_session_counters session;
static struct hs_report report;
static FILE *mem;
static char *text;
static size_t text_len;

#define FLOW 0xF0F0

/* A trajectory through points[0..n) at ts[], with dups[] per sighting. */
static void fold(int n, const uint16_t *points, const uint64_t *ts,
		 const uint8_t *dups)
{
	struct hs_trajectory t = {};
	int i;

	t.fingerprint = ts[0];
	t.flow_hash = FLOW;
	t.first_ts = ts[0];
	t.n = (uint8_t)n;
	for (i = 0; i < n; i++) {
		t.s[i].point = points[i];
		t.s[i].ts_ns = ts[i];
		t.s[i].dups = dups ? dups[i] : 0;
	}
	hs_hops_fold(&t, &h);
}

static void point(uint16_t id, const char *netns, uint64_t inode, int ifindex,
		  const char *ifname, int hook)
{
	struct hs_point_info *p = &pts.p[id];

	p->id = id;
	p->hook = (uint8_t)hook;
	snprintf(p->netns, sizeof(p->netns), "%s", netns);
	p->link.netns_inode = inode;
	p->link.ifindex = ifindex;
	snprintf(p->link.ifname, sizeof(p->link.ifname), "%s", ifname);
	p->link.kind = HS_LINK_VETH;
}

static void peer(uint16_t id, uint64_t inode, int ifindex, const char *ifname)
{
	struct hs_link_ref *r = &pts.p[id].link.peer;

	r->netns_inode = inode;
	r->ifindex = ifindex;
	snprintf(r->ifname, sizeof(r->ifname), "%s", ifname);
}

/* The function's namespace name has a quote and a backslash in it. */
#define VNF "vnf\"1\\"

/*
 * snd:veth0 (0) -veth-> VNF:veth1 (1) -function-> VNF:veth2 (2); point 3
 * is skipped. Trajectories of one flow, delays in ns:
 *
 *        0 -> 1   1 -> 2   path   dups at 1, 2
 *   T1:   1500     30000   31500
 *   T2:   1516     30000   31516      1, 1
 *   T3:   1500        -      -        stops at 1: lost on 1 -> 2
 *   T4:   1300     30000   31300      left 0 after T3, reached 1 before it
 */
static void setup(void)
{
	static const uint16_t p012[] = { 0, 1, 2 };
	static const uint8_t d2[] = { 0, 1, 1 };
	uint64_t t1[] = { 1000, 2500, 32500 };
	uint64_t t2[] = { 100000, 101516, 131516 };
	uint64_t t3[] = { 200000, 201500 };
	uint64_t t4[] = { 200100, 201400, 231400 };

	pts.n = 4;
	pts.n_hosts = 1;
	point(0, "snd", 10, 2, "veth0", HS_HOOK_TC_EGRESS);
	peer(0, 20, 3, "veth1");
	point(1, VNF, 20, 3, "veth1", HS_HOOK_TC_INGRESS);
	peer(1, 10, 2, "veth0");
	point(2, VNF, 20, 4, "veth2", HS_HOOK_TC_EGRESS);
	peer(2, 30, 5, "veth3");
	point(3, "snd", 10, 2, "veth0", HS_HOOK_XDP);
	pts.p[3].skipped = true;

	cr_assert_eq(hs_hops_init(&h, 10000), 0);
	fold(3, p012, t1, NULL);
	fold(3, p012, t2, d2);
	fold(2, p012, t3, NULL);
	fold(3, p012, t4, NULL);
	hs_hops_settle(&h, true);

	counters[1] = (struct hs_counters){ .seen = 100,
					    .parse_errors = 1,
					    .filtered = 2,
					    .sampled_out = 3,
					    .sampled = 94,
					    .recorded = 90,
					    .ringbuf_drops = 4 };
	match.records = 11;
	match.trajectories = 4;
	match.duplicates = 2;
	match.point_duplicates[1] = 1;
	match.point_duplicates[2] = 1;
	match.warmup = 7;
	session.left_out_warmup = 5;
	session.bad_records = 3;

	report.points = &pts;
	report.counters = counters;
	report.hops = &h;
	report.match = &match;
	report.session = &session;
	report.final = true;
	report.elapsed_s = 2.5;
}

static void teardown(void)
{
	if (mem)
		fclose(mem);
	free(text);
	hs_hops_free(&h);
}

TestSuite(metrics, .init = setup, .fini = teardown);

static const char *render(const struct hs_report *r)
{
	int rc;

	free(text);
	text = NULL;
	mem = open_memstream(&text, &text_len);
	cr_assert_not_null(mem);
	rc = hs_prom_render(mem, r);
	cr_assert_eq(fclose(mem), 0);
	mem = NULL;
	cr_assert_eq(rc, 0);
	return text;
}

static bool has_line(const char *out, const char *line)
{
	size_t n = strlen(line);
	const char *p;

	for (p = out; (p = strstr(p, line)); p++)
		if ((p == out || p[-1] == '\n') && p[n] == '\n')
			return true;
	return false;
}

#define assert_line(out, line) \
	cr_assert(has_line(out, line), "no line: %s\n%s", line, out)
#define assert_no(out, s) cr_assert_null(strstr(out, s), "unexpected: %s", s)

/* The labels of the two hops, escaped as the exposition wants them. */
#define HOP01                                                                \
	"from=\"snd:veth0 tc-egress\",to=\"vnf\\\"1\\\\:veth1 tc-ingress\"," \
	"from_id=\"0\",to_id=\"1\",kind=\"wire\",via=\"veth\""
#define HOP12                                                            \
	"from=\"vnf\\\"1\\\\:veth1 tc-ingress\","                        \
	"to=\"vnf\\\"1\\\\:veth2 tc-egress\",from_id=\"1\",to_id=\"2\"," \
	"kind=\"function\",via=\"VNF vnf\\\"1\\\\\""
#define PATH0                                       \
	"path=\"0\",first=\"snd:veth0 tc-egress\"," \
	"last=\"vnf\\\"1\\\\:veth2 tc-egress\",points=\"0,1,2\""

/* ---- the exposition grammar ---- */

static bool name_char(char c, bool first, bool colon)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
	       (colon && c == ':') || (!first && c >= '0' && c <= '9');
}

/* A metric name, [a-zA-Z_:][a-zA-Z0-9_:]*, or without the colons a label
 * name; NULL if none. */
static const char *skip_name_as(const char *s, bool colon)
{
	if (!name_char(*s, true, colon))
		return NULL;
	while (name_char(*s, false, colon))
		s++;
	return s;
}

static const char *skip_name(const char *s)
{
	return skip_name_as(s, true);
}

/* {name="value",...}: escapes only \\ \" \n; NULL if malformed. */
static const char *skip_labels(const char *s)
{
	if (*s++ != '{')
		return NULL;
	while (*s != '}') {
		s = skip_name_as(s, false);
		if (!s || *s++ != '=' || *s++ != '"')
			return NULL;
		for (; *s != '"'; s++) {
			if (!*s || *s == '\n')
				return NULL;
			if (*s == '\\' && !strchr("\\\"n", *++s))
				return NULL;
		}
		s++;
		if (*s == ',')
			s++;
		else if (*s != '}')
			return NULL;
	}
	return s + 1;
}

/* A Go-parsable float: what strtod takes whole, or +Inf, -Inf, NaN. */
static bool is_value(const char *s, bool integer)
{
	char *end;

	if (!strcmp(s, "+Inf") || !strcmp(s, "-Inf") || !strcmp(s, "NaN"))
		return !integer;
	if (!*s || *s == ' ')
		return false;
	strtod(s, &end);
	return !*end && (!integer || !strpbrk(s, ".eE"));
}

/* The family a sample belongs to: its name less a histogram's suffix. */
static bool in_family(const char *name, size_t len, const char *family,
		      bool histogram)
{
	static const char *const sfx[] = { "_bucket", "_sum", "_count" };
	size_t n = strlen(family), i;

	if (len == n && !strncmp(name, family, n))
		return !histogram;
	for (i = 0; histogram && i < 3; i++)
		if (len == n + strlen(sfx[i]) && !strncmp(name, family, n) &&
		    !strncmp(name + n, sfx[i], strlen(sfx[i])))
			return true;
	return false;
}

/*
 * Every line: "# HELP name text", "# TYPE name type" (each once per
 * family, HELP first), or "name{labels} value" of the family typed last;
 * counters are integers; a histogram's +Inf bucket equals its _count.
 */
static void check_exposition(const char *out)
{
	char family[128] = "", help[128] = "", seen[8192] = " ", inf[64] = "";
	bool histogram = false;
	const char *line = out, *nl;
	char buf[4096];
	int samples = 0;

	cr_assert(out[0] && out[strlen(out) - 1] == '\n', "ends in newline");
	for (; *line; line = nl + 1) {
		const char *s, *end;
		char key[140];
		size_t len;

		nl = strchr(line, '\n');
		len = (size_t)(nl - line);
		cr_assert_lt(len, sizeof(buf));
		memcpy(buf, line, len);
		buf[len] = '\0';
		if (!strncmp(buf, "# HELP ", 7)) {
			end = skip_name(buf + 7);
			cr_assert(end && *end == ' ', "bad HELP: %s", buf);
			snprintf(help, sizeof(help), "%.*s",
				 (int)(end - buf - 7), buf + 7);
			continue;
		}
		if (!strncmp(buf, "# TYPE ", 7)) {
			end = skip_name(buf + 7);
			cr_assert(end && *end == ' ', "bad TYPE: %s", buf);
			snprintf(family, sizeof(family), "%.*s",
				 (int)(end - buf - 7), buf + 7);
			cr_assert(!strcmp(end + 1, "counter") ||
					  !strcmp(end + 1, "gauge") ||
					  !strcmp(end + 1, "histogram"),
				  "bad type: %s", buf);
			histogram = !strcmp(end + 1, "histogram");
			snprintf(key, sizeof(key), " %s ", family);
			cr_assert_null(strstr(seen, key), "twice: %s", buf);
			strncat(seen, key + 1, sizeof(seen) - strlen(seen) - 1);
			cr_assert_str_eq(help, family, "no HELP before %s",
					 buf);
			help[0] = '\0';
			continue;
		}
		cr_assert_neq(buf[0], '#', "other comment: %s", buf);
		end = skip_name(buf);
		cr_assert_not_null(end, "bad name: %s", buf);
		cr_assert(in_family(buf, (size_t)(end - buf), family,
				    histogram),
			  "%s outside its family %s", buf, family);
		s = *end == '{' ? skip_labels(end) : end;
		cr_assert(s && *s == ' ', "bad labels: %s", buf);
		cr_assert(is_value(s + 1, !strcmp(family + strlen(family) - 6,
						  "_total") ||
						  strstr(buf, "_bucket{") ||
						  strstr(buf, "_count{")),
			  "bad value: %s", buf);
		samples++;
		/* the +Inf bucket, then _sum, then _count with its value */
		if (strstr(buf, "le=\"+Inf\"}")) {
			snprintf(inf, sizeof(inf), "%s", strrchr(buf, ' '));
		} else if (histogram && strstr(buf, "_count{")) {
			cr_assert_str_eq(strrchr(buf, ' '), inf, "%s", buf);
			inf[0] = '\0';
		}
	}
	cr_assert_gt(samples, 0);
}

/* ---- the report ---- */

Test(metrics, hop_delay_histogram)
{
	const char *out = render(&report);

	/* 1300..1516 ns: none by 1 us, all four by 2 us */
	assert_line(out, "hopscope_hop_delay_seconds_bucket{" HOP01
			 ",le=\"1e-06\"} 0");
	assert_line(out, "hopscope_hop_delay_seconds_bucket{" HOP01
			 ",le=\"2e-06\"} 4");
	assert_line(out,
		    "hopscope_hop_delay_seconds_bucket{" HOP01 ",le=\"10\"} 4");
	assert_line(out, "hopscope_hop_delay_seconds_bucket{" HOP01
			 ",le=\"+Inf\"} 4");
	assert_line(out, "hopscope_hop_delay_seconds_count{" HOP01 "} 4");
	assert_line(out, "hopscope_hop_delay_seconds_sum{" HOP01 "} 5.816e-06");
	/* 30000 ns: past 20 us, within 50 us */
	assert_line(out, "hopscope_hop_delay_seconds_bucket{" HOP12
			 ",le=\"2e-05\"} 0");
	assert_line(out, "hopscope_hop_delay_seconds_bucket{" HOP12
			 ",le=\"5e-05\"} 3");
	assert_line(out, "hopscope_hop_delay_seconds_count{" HOP12 "} 3");
	assert_line(out, "hopscope_hop_delay_seconds_sum{" HOP12 "} 9e-05");
	assert_line(out, "# TYPE hopscope_hop_delay_seconds histogram");
}

Test(metrics, hop_counters)
{
	const char *out = render(&report);

	assert_line(out, "hopscope_hop_packets_total{" HOP01 "} 4");
	assert_line(out, "hopscope_hop_packets_total{" HOP12 "} 3");
	/* T3 stopped at 1, short of its flow's path */
	assert_line(out, "hopscope_hop_lost_total{" HOP01 "} 0");
	assert_line(out, "hopscope_hop_lost_total{" HOP12 "} 1");
	/* T4 reached 1 before T3, having left 0 after it */
	assert_line(out, "hopscope_hop_reordered_total{" HOP01 "} 1");
	assert_line(out, "hopscope_hop_reordered_total{" HOP12 "} 0");
	/* T2's copy was made on 0 -> 1 and carried on */
	assert_line(out, "hopscope_hop_duplicates_total{" HOP01 "} 1");
	assert_line(out, "hopscope_hop_duplicates_total{" HOP12 "} 0");
	assert_line(out, "hopscope_hop_negative_delays_total{" HOP01 "} 0");
}

Test(metrics, hop_gauges)
{
	const char *out = render(&report);

	/* D = 16, -16, -200: J = 1, 1.9375, 14.31640625 ns */
	assert_line(out, "hopscope_hop_jitter_seconds{" HOP01
			 ",stat=\"last\"} 1.431640625e-08");
	assert_line(out, "hopscope_hop_jitter_seconds{" HOP01
			 ",stat=\"max\"} 1.431640625e-08");
	assert_line(out,
		    "hopscope_hop_jitter_seconds{" HOP12 ",stat=\"last\"} 0");
	/* lateness: 1516 - 1300 */
	assert_line(out, "hopscope_hop_lateness_seconds{" HOP01
			 ",stat=\"max\"} 2.16e-07");
	assert_line(out, "hopscope_hop_lateness_seconds{" HOP12
			 ",stat=\"stdev\"} 0");
	assert_line(out, "hopscope_hop_delay_quantile_seconds{" HOP01
			 ",quantile=\"0\"} 1.3e-06");
	assert_line(out, "hopscope_hop_delay_quantile_seconds{" HOP01
			 ",quantile=\"1\"} 1.516e-06");
	assert_line(out, "hopscope_hop_delay_quantile_seconds{" HOP12
			 ",quantile=\"0.99\"} 3e-05");
	assert_line(out, "hopscope_elapsed_seconds 2.5");
}

Test(metrics, paths)
{
	const char *out = render(&report);

	assert_line(out, "hopscope_path_delay_seconds_bucket{" PATH0
			 ",le=\"5e-05\"} 3");
	assert_line(out, "hopscope_path_delay_seconds_count{" PATH0 "} 3");
	assert_line(out, "hopscope_path_lost_total{" PATH0 "} 1");
	assert_line(out, "hopscope_path_reordered_total{" PATH0 "} 0");
	assert_line(out, "hopscope_path_duplicates_total{" PATH0 "} 1");
	/* 31500, 31516, 31300 by first sighting: D = 16, -216 */
	assert_line(out, "hopscope_path_jitter_seconds{" PATH0
			 ",stat=\"last\"} 1.44375e-08");
	/* T3's prefix 0 -> 1 is only a vote of its flow: no series */
	cr_assert_eq(h.n_paths, 2);
	assert_no(out, "path=\"1\"");
}

Test(metrics, points)
{
	const char *out = render(&report);

#define P1 "{point=\"vnf\\\"1\\\\:veth1 tc-ingress\",id=\"1\"}"
	assert_line(out, "hopscope_point_seen_total" P1 " 100");
	assert_line(out, "hopscope_point_parse_errors_total" P1 " 1");
	assert_line(out, "hopscope_point_filtered_total" P1 " 2");
	assert_line(out, "hopscope_point_sampled_out_total" P1 " 3");
	assert_line(out, "hopscope_point_sampled_total" P1 " 94");
	assert_line(out, "hopscope_point_recorded_total" P1 " 90");
	assert_line(out, "hopscope_point_ringbuf_drops_total" P1 " 4");
	assert_line(out, "hopscope_point_duplicates_total" P1 " 1");
	assert_line(out, "hopscope_point_seen_total"
			 "{point=\"snd:veth0 tc-egress\",id=\"0\"} 0");
	/* the skipped XDP point has no series */
	assert_no(out, "id=\"3\"");
	assert_no(out, "xdp");
}

Test(metrics, pipeline)
{
	const char *out = render(&report);

	assert_line(out, "hopscope_pipeline_records_total 11");
	assert_line(out, "hopscope_pipeline_trajectories_total 4");
	assert_line(out, "hopscope_pipeline_unmatched_total 0");
	assert_line(out, "hopscope_pipeline_duplicates_total 2");
	assert_line(out, "hopscope_pipeline_warmup_total 7");
	assert_line(out, "hopscope_pipeline_unverified_total 0");
	assert_line(out, "hopscope_pipeline_left_out_warmup_total 5");
	assert_line(out, "hopscope_pipeline_bad_records_total 3");

	/* no session (a joined file, say): its counters are left out */
	report.session = NULL;
	out = render(&report);
	assert_line(out, "hopscope_pipeline_records_total 11");
	assert_no(out, "left_out");
	assert_no(out, "bad_records");
}

Test(metrics, newline_in_label_is_escaped)
{
	const char *out;

	snprintf(pts.p[0].netns, sizeof(pts.p[0].netns), "a\nb");
	out = render(&report);
	assert_line(out, "hopscope_point_seen_total"
			 "{point=\"a\\nb:veth0 tc-egress\",id=\"0\"} 0");
}

/* A histogram bucket is counted at a bound when all of it lies at or
 * below it: 999 ns by 1 us, 1000 ns (bucket 1000..1007) only by 2 us;
 * 12 s is past the last bound, in +Inf only. */
Test(metrics, bucket_at_a_bound_counts_one_sub_bucket_late)
{
	static const uint16_t p[] = { 3, 2 };
	uint64_t a[] = { 300000, 300999 }, b[] = { 400000, 401000 };
	uint64_t c[] = { 500000, 12000500000 };
	const char *out;

	pts.p[3].skipped = false;
	fold(2, p, a, NULL);
	fold(2, p, b, NULL);
	fold(2, p, c, NULL);
	hs_hops_settle(&h, true);
	out = render(&report);
#define HOP32                                                         \
	"from=\"snd:veth0 xdp\",to=\"vnf\\\"1\\\\:veth2 tc-egress\"," \
	"from_id=\"3\",to_id=\"2\",kind=\"wire\",via=\"veth -> veth\""
	assert_line(out, "hopscope_hop_delay_seconds_bucket{" HOP32
			 ",le=\"1e-06\"} 1");
	assert_line(out, "hopscope_hop_delay_seconds_bucket{" HOP32
			 ",le=\"2e-06\"} 2");
	assert_line(out,
		    "hopscope_hop_delay_seconds_bucket{" HOP32 ",le=\"10\"} 2");
	assert_line(out, "hopscope_hop_delay_seconds_bucket{" HOP32
			 ",le=\"+Inf\"} 3");
	assert_line(out, "hopscope_hop_delay_seconds_count{" HOP32 "} 3");
	check_exposition(out);
}

Test(metrics, negative_delay_counted_as_zero)
{
	static const uint16_t p[] = { 0, 1 };
	uint64_t ts[] = { 500000, 499000 };
	const char *out;

	fold(2, p, ts, NULL);
	hs_hops_settle(&h, true);
	out = render(&report);
	assert_line(out, "hopscope_hop_negative_delays_total{" HOP01 "} 1");
	assert_line(out, "hopscope_hop_delay_seconds_bucket{" HOP01
			 ",le=\"1e-06\"} 1");
	assert_line(out, "hopscope_hop_delay_quantile_seconds{" HOP01
			 ",quantile=\"0\"} 0");
}

Test(metrics, every_line_follows_the_exposition_format)
{
	check_exposition(render(&report));
	/* before any hop or point exists */
	report.hops = NULL;
	report.points = NULL;
	report.session = NULL;
	check_exposition(render(&report));
}

Test(metrics, write_failure_is_reported)
{
	FILE *full = fopen("/dev/full", "w");

	cr_assert_not_null(full);
	mem = full; /* closed by fini if an assertion fails */
	cr_assert_eq(hs_prom_render(full, &report), -1);
}

/* ---- the address ---- */

static void parse_ok(const char *spec, int family, const char *addr,
		     uint16_t port)
{
	struct sockaddr_storage ss;
	char err[160] = "", text6[INET6_ADDRSTRLEN];
	socklen_t len = 0;
	const void *a;

	cr_assert_eq(hs_metrics_parse_addr(spec, &ss, &len, err, sizeof(err)),
		     0, "%s: %s", spec, err);
	cr_assert_eq(ss.ss_family, family, "%s", spec);
	if (family == AF_INET) {
		const struct sockaddr_in *s4 = (const struct sockaddr_in *)&ss;

		cr_assert_eq(len, sizeof(*s4));
		cr_assert_eq(ntohs(s4->sin_port), port, "%s", spec);
		a = &s4->sin_addr;
	} else {
		const struct sockaddr_in6 *s6 =
			(const struct sockaddr_in6 *)&ss;

		cr_assert_eq(len, sizeof(*s6));
		cr_assert_eq(ntohs(s6->sin6_port), port, "%s", spec);
		a = &s6->sin6_addr;
	}
	cr_assert_not_null(inet_ntop(family, a, text6, sizeof(text6)));
	cr_assert_str_eq(text6, addr, "%s", spec);
}

Test(metrics, parse_addr_good)
{
	parse_ok("9100", AF_INET, "127.0.0.1", 9100);
	parse_ok("1", AF_INET, "127.0.0.1", 1);
	parse_ok("65535", AF_INET, "127.0.0.1", 65535);
	parse_ok("0.0.0.0:80", AF_INET, "0.0.0.0", 80);
	parse_ok("10.1.2.3:9100", AF_INET, "10.1.2.3", 9100);
	parse_ok("[::1]:9100", AF_INET6, "::1", 9100);
	parse_ok("[::]:9100", AF_INET6, "::", 9100);
	parse_ok("[fd00::1:2]:8080", AF_INET6, "fd00::1:2", 8080);
}

Test(metrics, parse_addr_bad)
{
	static const char *const bad[] = {
		/* the port */
		"", "0", "65536", "99999999999", "-1", "+80", "80 ", " 80",
		"abc", "1.2.3.4:0", "1.2.3.4:x", "[::1]:70000", "127.0.0.1:",
		/* the address: literals only, IPv6 in brackets */
		"1.2.3:80", ":9100", "::1:9100", "[::1]9100", "[::1]",
		"[::1:9100", "[]:9100", "[1.2.3.4]:80", "localhost:9100"
	};
	struct sockaddr_storage ss;
	char err[160];
	socklen_t len;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err[0] = '\0';
		cr_assert_eq(hs_metrics_parse_addr(bad[i], &ss, &len, err,
						   sizeof(err)),
			     -EINVAL, "'%s' taken", bad[i]);
		cr_assert(strstr(err, bad[i]) && strstr(err, "expected"),
			  "'%s': %s", bad[i], err);
	}
	hs_metrics_parse_addr("1.2.3:80", &ss, &len, err, sizeof(err));
	cr_assert_str_eq(err, "bad --metrics '1.2.3:80': expected PORT, "
			      "ADDR:PORT or [ADDR6]:PORT");
	hs_metrics_parse_addr("70000", &ss, &len, err, sizeof(err));
	cr_assert_str_eq(err, "bad --metrics '70000': expected a port from 1 "
			      "to 65535");
}

static void no_source(void *ctx, struct hs_report *r)
{
	(void)ctx;
	(void)r;
	cr_assert_fail("a scrape without a server");
}

/* A bad spec fails before any socket exists. */
Test(metrics, start_rejects_a_bad_spec)
{
	struct hs_metrics *m = (struct hs_metrics *)&m;
	char err[160];

	cr_assert_eq(hs_metrics_start(&m, "[::1]:0", no_source, NULL, err,
				      sizeof(err)),
		     -EINVAL);
	cr_assert_null(m);
	cr_assert_str_eq(err, "bad --metrics '[::1]:0': expected a port from "
			      "1 to 65535");
	hs_metrics_stop(NULL);
}

/* A point in a container: its hops and its series carry the container's
 * name and, where Kubernetes labelled it, its pod; the others do not. */
Test(metrics, container_labels)
{
	struct hs_container *c = &pts.p[1].container;
	const char *out;

	snprintf(pts.p[1].netns, sizeof(pts.p[1].netns), "docker:web");
	snprintf(pts.p[2].netns, sizeof(pts.p[2].netns), "docker:web");
	snprintf(c->runtime, sizeof(c->runtime), "docker");
	snprintf(c->name, sizeof(c->name), "web");
	snprintf(c->pod, sizeof(c->pod), "web-0");
	snprintf(c->pod_namespace, sizeof(c->pod_namespace), "shop");
	pts.p[2].container = *c;
	pts.p[2].container.pod[0] = pts.p[2].container.pod_namespace[0] = '\0';
	out = render(&report);
	assert_line(
		out,
		"hopscope_point_seen_total{point=\"docker:web:veth1 tc-ingress\",id=\"1\","
		"container=\"web\",pod=\"web-0\",pod_namespace=\"shop\"} 100");
	assert_line(
		out,
		"hopscope_point_seen_total{point=\"snd:veth0 tc-egress\",id=\"0\"} 0");
	assert_line(
		out,
		"hopscope_hop_packets_total{from=\"snd:veth0 tc-egress\","
		"to=\"docker:web:veth1 tc-ingress\",from_id=\"0\",to_id=\"1\","
		"kind=\"wire\",via=\"veth\",to_container=\"web\","
		"to_pod=\"web-0\",to_pod_namespace=\"shop\"} 4");
	assert_line(
		out,
		"hopscope_hop_packets_total{from=\"docker:web:veth1 tc-ingress\","
		"to=\"docker:web:veth2 tc-egress\",from_id=\"1\",to_id=\"2\","
		"kind=\"function\",via=\"VNF docker:web\",from_container=\"web\","
		"from_pod=\"web-0\",from_pod_namespace=\"shop\","
		"to_container=\"web\"} 3");
}
