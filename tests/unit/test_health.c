// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * output/health.c, the /healthz endpoint and the collector's metrics
 * (output/http.c, output/prom.c): the verdict on made-up figures; the
 * JSON body, read back with json-c; every collector metric with its HELP
 * and TYPE (counter for _total, gauge otherwise) and its value; the
 * pipeline's metrics after the scripted scenario, each equal to the JSON
 * pipeline field of the same name; and the endpoint itself on 127.0.0.1,
 * asked by a client thread: 200 and 503 with the JSON, 503 "starting"
 * before the collector hands it figures, /metrics carrying them.
 */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <criterion/criterion.h>
#include <json-c/json.h>
#include "analysis/session.h"
#include "output/fields.h"
#include "output/health.h"
#include "output/http.h"
#include "output/prom.h"
#include "scenario.h"

static struct hs_health fine(void)
{
	struct hs_health h = { .measuring = true };

	h.v = (struct hs_health_values){
		.probes_attached = 7,
		.probes = 8,
		.ringbuf_drops = 5,
		.bad_records = 1,
		.records_lost = 6,
		.records_read = 1000,
		.drains = 250,
		.last_drain_age_s = 0.015,
		.inflight = 12,
		.inflight_max = 262144,
		.record_parts = 3,
		.record_parts_deleted = 1,
		.record_dir_bytes = 4096,
		.heap_bytes = 9924880,
	};
	return h;
}

Test(health, verdicts)
{
	struct hs_health h = fine();

	hs_health_judge(&h);
	cr_assert(h.ok);
	cr_assert_eq(h.v.healthy, 1);
	cr_assert_str_eq(h.reasons, "");
	cr_assert_str_eq(hs_health_status(&h), "ok");

	h.v.probes_attached = 0;
	hs_health_judge(&h);
	cr_assert_not(h.ok);
	cr_assert_eq(h.v.healthy, 0);
	cr_assert_str_eq(h.reasons, "no probe attached");
	cr_assert_str_eq(hs_health_status(&h), "unhealthy");

	h.v.last_drain_age_s = HS_HEALTH_STALE_S + 0.5;
	hs_health_judge(&h);
	cr_assert_str_eq(
		h.reasons,
		"no probe attached; no drain of the ring buffer for 1.5 s");

	/* exactly at the limit is still well */
	h = fine();
	h.v.last_drain_age_s = HS_HEALTH_STALE_S;
	hs_health_judge(&h);
	cr_assert(h.ok);

	/* drops are counted, not judged */
	h.v.ringbuf_drops = h.v.records_lost = 1000000;
	hs_health_judge(&h);
	cr_assert(h.ok);

	h = (struct hs_health){};
	hs_health_judge(&h);
	cr_assert_not(h.ok);
	cr_assert_str_eq(hs_health_status(&h), "starting");
}

static json_object *parse(const char *text)
{
	json_object *o = json_tokener_parse(text);

	cr_assert_not_null(o, "not JSON: %s", text);
	return o;
}

static int64_t get_i(json_object *o, const char *key)
{
	json_object *v;

	cr_assert(json_object_object_get_ex(o, key, &v), "no %s", key);
	return json_object_get_int64(v);
}

static const char *get_s(json_object *o, const char *key)
{
	json_object *v;

	cr_assert(json_object_object_get_ex(o, key, &v), "no %s", key);
	return json_object_get_string(v);
}

Test(health, json_body)
{
	struct hs_health h = fine();
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	json_object *o, *v;

	hs_health_judge(&h);
	cr_assert_eq(hs_health_json(f, &h), 0);
	fclose(f);
	cr_assert_eq(buf[len - 1], '\n');
	o = parse(buf);
	cr_assert_str_eq(get_s(o, "status"), "ok");
	cr_assert_not(json_object_object_get_ex(o, "reasons", &v));
	cr_assert_not(json_object_object_get_ex(o, "healthy", &v),
		      "the status says it");
	cr_assert_eq(get_i(o, "probes_attached"), 7);
	cr_assert_eq(get_i(o, "probes"), 8);
	cr_assert_eq(get_i(o, "ringbuf_drops"), 5);
	cr_assert_eq(get_i(o, "bad_records"), 1);
	cr_assert_eq(get_i(o, "records_lost"), 6);
	cr_assert_eq(get_i(o, "records_read"), 1000);
	cr_assert_eq(get_i(o, "drains"), 250);
	cr_assert(json_object_object_get_ex(o, "last_drain_age_s", &v));
	cr_assert_float_eq(json_object_get_double(v), 0.015, 1e-9);
	cr_assert_eq(get_i(o, "inflight"), 12);
	cr_assert_eq(get_i(o, "inflight_max"), 262144);
	cr_assert_eq(get_i(o, "record_parts"), 3);
	cr_assert_eq(get_i(o, "record_parts_deleted"), 1);
	cr_assert_eq(get_i(o, "record_dir_bytes"), 4096);
	cr_assert_eq(get_i(o, "heap_bytes"), 9924880);
	json_object_put(o);
	free(buf);

	h.v.probes_attached = 0;
	hs_health_judge(&h);
	f = open_memstream(&buf, &len);
	cr_assert_eq(hs_health_json(f, &h), 0);
	fclose(f);
	o = parse(buf);
	cr_assert_str_eq(get_s(o, "status"), "unhealthy");
	cr_assert_str_eq(get_s(o, "reasons"), "no probe attached");
	json_object_put(o);
	free(buf);
}

/* The sample of name (no labels) in text, after its HELP and TYPE. */
static const char *sample(const char *text, const char *name, const char *type)
{
	char want[256], help[160];
	const char *at;

	snprintf(help, sizeof(help), "# HELP %s ", name);
	cr_assert_not_null(strstr(text, help), "no HELP for %s", name);
	snprintf(want, sizeof(want), "\n# TYPE %s %s\n%s ", name, type, name);
	at = strstr(text, want);
	cr_assert_not_null(at, "no '%s' %s with its TYPE line", name, type);
	return at + strlen(want);
}

static char *render_health(const struct hs_health_values *v)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	cr_assert_eq(hs_prom_render_health(f, v), 0);
	fclose(f);
	return buf;
}

Test(health, collector_metrics)
{
	struct hs_health h = fine();
	char *text;

	hs_health_judge(&h);
	text = render_health(&h.v);
	cr_assert_eq(strtoull(sample(text, "hopscope_healthy", "gauge"), NULL,
			      10),
		     1);
	cr_assert_eq(strtoull(sample(text, "hopscope_probes_attached", "gauge"),
			      NULL, 10),
		     7);
	cr_assert_eq(strtoull(sample(text, "hopscope_probes", "gauge"), NULL,
			      10),
		     8);
	cr_assert_eq(strtoull(sample(text,
				     "hopscope_pipeline_ringbuf_drops_total",
				     "counter"),
			      NULL, 10),
		     5);
	cr_assert_eq(strtoull(sample(text,
				     "hopscope_pipeline_records_lost_total",
				     "counter"),
			      NULL, 10),
		     6);
	cr_assert_eq(strtoull(sample(text,
				     "hopscope_pipeline_records_read_total",
				     "counter"),
			      NULL, 10),
		     1000);
	cr_assert_eq(strtoull(sample(text, "hopscope_pipeline_drains_total",
				     "counter"),
			      NULL, 10),
		     250);
	cr_assert_float_eq(
		strtod(sample(text, "hopscope_pipeline_last_drain_age_seconds",
			      "gauge"),
		       NULL),
		0.015, 1e-12);
	cr_assert_eq(
		strtoull(sample(text, "hopscope_pipeline_inflight", "gauge"),
			 NULL, 10),
		12);
	cr_assert_eq(strtoull(sample(text, "hopscope_pipeline_inflight_max",
				     "gauge"),
			      NULL, 10),
		     262144);
	cr_assert_eq(
		strtoull(sample(text, "hopscope_record_parts_total", "counter"),
			 NULL, 10),
		3);
	cr_assert_eq(strtoull(sample(text,
				     "hopscope_record_parts_deleted_total",
				     "counter"),
			      NULL, 10),
		     1);
	cr_assert_eq(
		strtoull(sample(text, "hopscope_record_dir_bytes", "gauge"),
			 NULL, 10),
		4096);
	cr_assert_eq(strtoull(sample(text, "hopscope_heap_bytes", "gauge"),
			      NULL, 10),
		     9924880);
	/* bad records are the pipeline's own family already */
	cr_assert_null(strstr(text, "bad_records"));
	free(text);
}

/* After the scripted run, every pipeline field is a counter whose value
 * is the JSON pipeline line's. */
Test(health, pipeline_metrics_of_a_scripted_session)
{
	struct hs_point_table *points = calloc(1, sizeof(*points));
	struct hs_pipeline_values pv;
	struct hs_run_info info;
	struct hs_session s;
	struct hs_report r;
	char *buf = NULL, name[96];
	size_t len = 0;
	unsigned int i, nonzero = 0;
	FILE *f;

	cr_assert_not_null(points);
	scenario_points(points, false);
	scenario_info(&info);
	cr_assert_eq(hs_session_init(&s, &info.cfg, points), 0);
	scenario_feed(&s, false);
	hs_session_fill_report(&s, &r, true);
	f = open_memstream(&buf, &len);
	cr_assert_eq(hs_prom_render(f, &r), 0);
	fclose(f);
	hs_pipeline_values(&r, &pv);
	for (i = 0; i < hs_pipeline_fields.n; i++) {
		const struct hs_field *fd = &hs_pipeline_fields.rows[i];
		uint64_t want = hs_field_u64(fd, &pv);

		snprintf(name, sizeof(name), "hopscope_pipeline_%s",
			 fd->place[HS_OUT_PROM].name);
		cr_assert_eq(strtoull(sample(buf, name, "counter"), NULL, 10),
			     want, "%s", name);
		nonzero += want != 0;
	}
	/* the scenario has evictions, drops, bad records and warm-up */
	cr_assert_geq(nonzero, 5, "only %u pipeline counters moved", nonzero);
	cr_assert_gt(pv.bad_records, 0);
	free(buf);
	hs_session_free(&s);
	free(points);
}

/* ---- the endpoint on 127.0.0.1 ---- */

struct ask {
	uint16_t port;
	const char *path;
	char reply[8192];
	size_t len;
	int err;
};

/* A plain HTTP/1.0 GET; the reply until the server closes. */
static void *client(void *arg)
{
	struct ask *a = arg;
	struct sockaddr_in sa = { .sin_family = AF_INET,
				  .sin_port = htons(a->port) };
	char req[128];
	ssize_t n;
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	inet_pton(AF_INET, "127.0.0.1", &sa.sin_addr);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		a->err = errno;
		goto out;
	}
	snprintf(req, sizeof(req), "GET %s HTTP/1.0\r\n\r\n", a->path);
	if (write(fd, req, strlen(req)) != (ssize_t)strlen(req)) {
		a->err = errno;
		goto out;
	}
	while (a->len < sizeof(a->reply) - 1 &&
	       (n = read(fd, a->reply + a->len,
			 sizeof(a->reply) - 1 - a->len)) > 0)
		a->len += (size_t)n;
	a->reply[a->len] = '\0';
out:
	if (fd >= 0)
		close(fd);
	return NULL;
}

/* Serve one request from this thread while a client thread asks. */
static void ask(struct hs_metrics *m, struct ask *a)
{
	struct pollfd p = { .fd = hs_metrics_fd(m), .events = POLLIN };
	pthread_t t;
	int i;

	cr_assert_eq(pthread_create(&t, NULL, client, a), 0);
	/* bounded: 5 s in 10 ms steps; the client ends on the reply */
	for (i = 0; i < 500 && pthread_tryjoin_np(t, NULL) == EBUSY; i++) {
		poll(&p, 1, 10);
		hs_metrics_run(m);
	}
	cr_assert_lt(i, 500, "no reply to GET %s in 5 s", a->path);
	cr_assert_eq(a->err, 0, "GET %s: %s", a->path, strerror(a->err));
}

static struct hs_health fake;

static void fake_health(void *ctx, struct hs_health *h)
{
	(void)ctx;
	*h = fake;
}

static void empty_report(void *ctx, struct hs_report *r)
{
	(void)ctx;
	(void)r;
}

/* Listen on 127.0.0.1 at a free port, from a range by pid. */
static struct hs_metrics *listen_local(uint16_t *port)
{
	struct hs_metrics *m = NULL;
	char spec[32], err[160];
	int i;

	for (i = 0; i < 50; i++) {
		*port = (uint16_t)(30000 + (getpid() * 7 + i * 13) % 20000);
		snprintf(spec, sizeof(spec), "127.0.0.1:%u", *port);
		if (!hs_metrics_start(&m, spec, NULL, NULL, err, sizeof(err)))
			return m;
	}
	cr_assert_fail("no free port on 127.0.0.1: %s", err);
	return NULL;
}

static const char *body_of(const struct ask *a)
{
	const char *b = strstr(a->reply, "\r\n\r\n");

	cr_assert_not_null(b, "no header end: %s", a->reply);
	return b + 4;
}

Test(health, endpoint_answers_200_and_503)
{
	struct ask a = { .path = "/healthz" };
	struct hs_metrics *m;
	json_object *o;
	uint16_t port;

	m = listen_local(&port);
	/* no collector yet */
	a.port = port;
	ask(m, &a);
	cr_assert(!strncmp(a.reply, "HTTP/1.0 503", 12) ||
			  !strncmp(a.reply, "HTTP/1.1 503", 12),
		  "%s", a.reply);
	o = parse(body_of(&a));
	cr_assert_str_eq(get_s(o, "status"), "starting");
	json_object_put(o);

	hs_metrics_set_source(m, empty_report, NULL);
	hs_metrics_set_health(m, fake_health, NULL);
	fake = fine();
	a = (struct ask){ .port = port, .path = "/healthz" };
	ask(m, &a);
	cr_assert(strstr(a.reply, " 200 OK\r\n"), "%s", a.reply);
	cr_assert(strstr(a.reply, "Content-Type: application/json\r\n"), "%s",
		  a.reply);
	o = parse(body_of(&a));
	cr_assert_str_eq(get_s(o, "status"), "ok");
	cr_assert_eq(get_i(o, "probes_attached"), 7);
	cr_assert_eq(get_i(o, "ringbuf_drops"), 5);
	json_object_put(o);

	fake.v.last_drain_age_s = 3;
	a = (struct ask){ .port = port, .path = "/healthz" };
	ask(m, &a);
	cr_assert(strstr(a.reply, " 503 Service Unavailable\r\n"), "%s",
		  a.reply);
	o = parse(body_of(&a));
	cr_assert_str_eq(get_s(o, "status"), "unhealthy");
	cr_assert_str_eq(get_s(o, "reasons"),
			 "no drain of the ring buffer for 3.0 s");
	json_object_put(o);

	/* the same figures in the exposition */
	a = (struct ask){ .port = port, .path = "/metrics" };
	ask(m, &a);
	cr_assert(strstr(a.reply, " 200 OK\r\n"), "%s", a.reply);
	cr_assert(strstr(body_of(&a), "\nhopscope_healthy 0\n"), "%s",
		  body_of(&a));
	cr_assert(strstr(body_of(&a),
			 "\nhopscope_pipeline_ringbuf_drops_total 5\n"));
	hs_metrics_stop(m);
}
