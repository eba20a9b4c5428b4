// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * http.c - the --metrics endpoint: the Prometheus exposition (prom.h)
 * served by libmicrohttpd without a thread of its own: the caller's event
 * loop polls the daemon's epoll descriptor and calls hs_metrics_run, so a
 * scrape reads the statistics without locks.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <microhttpd.h>
#include "core/log.h"
#include "output/http.h"
#include "output/prom.h"

/*
 * Idle connections are closed after HS_METRICS_IDLE_S and up to
 * HS_METRICS_CONNECTIONS are served at once: a scrape waits at most that
 * long behind clients that connect and say nothing (16 of them held it
 * off for 10 s with the old 16 and 10 s). A scraper reconnects at its
 * next scrape.
 */
#define HS_METRICS_CONNECTIONS 128
#define HS_METRICS_IDLE_S 2

/* ---- the address ---- */

/* Digits only (no sign, no space): -EINVAL; not 1 to 65535: -ERANGE. */
static int parse_port(const char *s, uint16_t *port)
{
	unsigned long v = 0;
	const char *c;

	if (!*s)
		return -EINVAL;
	for (c = s; *c; c++) {
		if (*c < '0' || *c > '9')
			return -EINVAL;
		if (v <= 65535)
			v = v * 10 + (unsigned long)(*c - '0');
	}
	if (!v || v > 65535)
		return -ERANGE;
	*port = (uint16_t)v;
	return 0;
}

static int bad_spec(const char *spec, char *err, size_t errlen,
		    const char *expected)
{
	snprintf(err, errlen, "bad --metrics '%s': expected %s", spec,
		 expected);
	return -EINVAL;
}

int hs_metrics_parse_addr(const char *spec, struct sockaddr_storage *ss,
			  socklen_t *len, char *err, size_t errlen)
{
	static const char forms[] = "PORT, ADDR:PORT or [ADDR6]:PORT";
	struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)ss;
	struct sockaddr_in *a4 = (struct sockaddr_in *)ss;
	char addr[INET6_ADDRSTRLEN] = "127.0.0.1";
	const char *port = spec, *end;
	bool v6 = spec[0] == '[';
	uint16_t p;
	int rc;

	memset(ss, 0, sizeof(*ss));
	end = v6 ? strchr(spec, ']') : strrchr(spec, ':');
	if (v6 && (!end || end[1] != ':'))
		return bad_spec(spec, err, errlen, forms);
	if (end) {
		size_t n = (size_t)(end - spec) - v6;

		if (!n || n >= sizeof(addr))
			return bad_spec(spec, err, errlen, forms);
		memcpy(addr, spec + v6, n);
		addr[n] = '\0';
		port = end + 1 + v6;
	}
	rc = parse_port(port, &p);
	if (rc)
		return bad_spec(spec, err, errlen,
				rc == -ERANGE ? "a port from 1 to 65535" :
						forms);
	if (v6 && inet_pton(AF_INET6, addr, &a6->sin6_addr) == 1) {
		a6->sin6_family = AF_INET6;
		a6->sin6_port = htons(p);
		*len = sizeof(*a6);
		return 0;
	}
	if (!v6 && inet_pton(AF_INET, addr, &a4->sin_addr) == 1) {
		a4->sin_family = AF_INET;
		a4->sin_port = htons(p);
		*len = sizeof(*a4);
		return 0;
	}
	return bad_spec(spec, err, errlen, forms);
}

/* ---- the server ---- */

struct hs_metrics {
	struct MHD_Daemon *daemon;
	hs_metrics_source src;
	void *ctx;
	hs_health_source health;
	void *health_ctx;
};

static enum MHD_Result reply(struct MHD_Connection *c, unsigned int status,
			     const char *type, char *body, size_t len,
			     enum MHD_ResponseMemoryMode mode)
{
	struct MHD_Response *resp;
	enum MHD_Result ret;

	resp = MHD_create_response_from_buffer(len, body, mode);
	if (!resp) {
		if (mode == MHD_RESPMEM_MUST_FREE)
			free(body);
		return MHD_NO;
	}
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, type);
	if (status == MHD_HTTP_METHOD_NOT_ALLOWED)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_ALLOW,
					"GET, HEAD");
	ret = MHD_queue_response(c, status, resp);
	MHD_destroy_response(resp);
	return ret;
}

static enum MHD_Result reply_text(struct MHD_Connection *c, unsigned int status,
				  const char *text)
{
	return reply(c, status, "text/plain; charset=utf-8", (char *)text,
		     strlen(text), MHD_RESPMEM_PERSISTENT);
}

/* The collector's figures, judged. */
static void health_now(struct hs_metrics *m, struct hs_health *h)
{
	memset(h, 0, sizeof(*h));
	if (m->health)
		m->health(m->health_ctx, h);
	hs_health_judge(h);
}

static int health_metrics(struct hs_metrics *m, FILE *f)
{
	struct hs_health h;

	health_now(m, &h);
	return hs_prom_render_health(f, &h.v);
}

/* 200 with the figures when the collector is well, else 503 with them
 * and the reasons: a probe (kubelet, a load balancer) reads the status,
 * a person the body. */
static enum MHD_Result reply_health(struct hs_metrics *m,
				    struct MHD_Connection *c)
{
	struct hs_health h;
	char *buf = NULL;
	size_t len = 0;
	FILE *f;
	int rc;

	health_now(m, &h);
	f = open_memstream(&buf, &len);
	if (!f)
		return reply_text(c, MHD_HTTP_INTERNAL_SERVER_ERROR,
				  "out of memory\n");
	rc = hs_health_json(f, &h);
	if (fclose(f) || rc) {
		free(buf);
		return reply_text(c, MHD_HTTP_INTERNAL_SERVER_ERROR,
				  "out of memory\n");
	}
	return reply(c, h.ok ? MHD_HTTP_OK : MHD_HTTP_SERVICE_UNAVAILABLE,
		     "application/json", buf, len, MHD_RESPMEM_MUST_FREE);
}

static enum MHD_Result reply_metrics(struct hs_metrics *m,
				     struct MHD_Connection *c)
{
	struct hs_report r;
	char *buf = NULL;
	size_t len = 0;
	FILE *f;
	int rc;

	if (!m->src)
		return reply_text(c, MHD_HTTP_SERVICE_UNAVAILABLE,
				  "hopscope is not measuring yet\n");
	memset(&r, 0, sizeof(r));
	m->src(m->ctx, &r);
	f = open_memstream(&buf, &len);
	if (!f)
		return reply_text(c, MHD_HTTP_INTERNAL_SERVER_ERROR,
				  "out of memory\n");
	rc = hs_prom_render(f, &r);
	if (!rc && m->health)
		rc = health_metrics(m, f);
	if (fclose(f) || rc) {
		free(buf);
		return reply_text(c, MHD_HTTP_INTERNAL_SERVER_ERROR,
				  "out of memory\n");
	}
	return reply(c, MHD_HTTP_OK, "text/plain; version=0.0.4; charset=utf-8",
		     buf, len, MHD_RESPMEM_MUST_FREE);
}

/*
 * Called on the headers, then per piece of a body, then at its end. A GET
 * is answered at the end, which keeps the connection open for the next
 * scrape; anything else at once, which closes it without reading a body.
 */
static enum MHD_Result on_request(void *cls, struct MHD_Connection *c,
				  const char *url, const char *method,
				  const char *version, const char *upload_data,
				  size_t *upload_data_size, void **req_cls)
{
	static int headers_seen;

	(void)version;
	(void)upload_data;
	/* HEAD too: HTTP asks every server for it, Prometheus never sends it */
	if (strcmp(method, MHD_HTTP_METHOD_GET) &&
	    strcmp(method, MHD_HTTP_METHOD_HEAD))
		return reply_text(c, MHD_HTTP_METHOD_NOT_ALLOWED,
				  "only GET is served here\n");
	if (!*req_cls) {
		*req_cls = &headers_seen;
		return MHD_YES;
	}
	if (*upload_data_size) {
		*upload_data_size = 0; /* a GET's body: dropped */
		return MHD_YES;
	}
	if (!strcmp(url, "/metrics"))
		return reply_metrics(cls, c);
	if (!strcmp(url, "/healthz"))
		return reply_health(cls, c);
	return reply_text(
		c, MHD_HTTP_NOT_FOUND,
		"not found: the metrics are at /metrics, health at /healthz\n");
}

/* libmicrohttpd's complaints (a client gone mid-reply, say) are no error
 * of the run: debug lines. */
static void on_mhd_log(void *cls, const char *fmt, va_list ap)
{
	char line[256];
	size_t n;

	(void)cls;
	vsnprintf(line, sizeof(line), fmt, ap);
	n = strlen(line);
	while (n && line[n - 1] == '\n')
		line[--n] = '\0';
	pr_debug("metrics: %s", line);
}

int hs_metrics_start(struct hs_metrics **out, const char *spec,
		     hs_metrics_source src, void *ctx, char *err, size_t errlen)
{
	unsigned int flags = MHD_USE_EPOLL | MHD_USE_ERROR_LOG;
	struct sockaddr_storage ss;
	struct hs_metrics *m;
	socklen_t len;
	uint16_t port;
	int rc;

	*out = NULL;
	rc = hs_metrics_parse_addr(spec, &ss, &len, err, errlen);
	if (rc)
		return rc;
	m = calloc(1, sizeof(*m));
	if (!m) {
		snprintf(err, errlen, "--metrics '%s': %s", spec,
			 strerror(ENOMEM));
		return -ENOMEM;
	}
	m->src = src;
	m->ctx = ctx;
	if (ss.ss_family == AF_INET6) {
		flags |= MHD_USE_IPv6;
		port = ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
	} else {
		port = ntohs(((struct sockaddr_in *)&ss)->sin_port);
	}
	errno = 0;
	/* the logger first, or messages of the start itself go to stderr */
	m->daemon = MHD_start_daemon(flags, port, NULL, NULL, on_request, m,
				     MHD_OPTION_EXTERNAL_LOGGER, on_mhd_log,
				     NULL, MHD_OPTION_SOCK_ADDR,
				     (struct sockaddr *)&ss,
				     MHD_OPTION_CONNECTION_LIMIT,
				     (unsigned int)HS_METRICS_CONNECTIONS,
				     MHD_OPTION_CONNECTION_TIMEOUT,
				     (unsigned int)HS_METRICS_IDLE_S,
				     MHD_OPTION_END);
	if (!m->daemon) {
		/* libmicrohttpd leaves the failed socket call's errno */
		rc = errno ? errno : EADDRNOTAVAIL;
		snprintf(err, errlen, "--metrics '%s': cannot listen: %s", spec,
			 strerror(rc));
		free(m);
		return -rc;
	}
	*out = m;
	return 0;
}

void hs_metrics_set_source(struct hs_metrics *m, hs_metrics_source src,
			   void *ctx)
{
	m->src = src;
	m->ctx = ctx;
}

void hs_metrics_set_health(struct hs_metrics *m, hs_health_source src,
			   void *ctx)
{
	m->health = src;
	m->health_ctx = ctx;
}

int hs_metrics_fd(const struct hs_metrics *m)
{
	const union MHD_DaemonInfo *info;

	info = MHD_get_daemon_info(m->daemon, MHD_DAEMON_INFO_EPOLL_FD);
	return info ? info->epoll_fd : -1;
}

void hs_metrics_run(struct hs_metrics *m)
{
	MHD_run(m->daemon);
}

void hs_metrics_stop(struct hs_metrics *m)
{
	if (!m)
		return;
	MHD_stop_daemon(m->daemon);
	free(m);
}
