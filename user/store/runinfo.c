// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/utsname.h>
#include <json-c/json.h>
#include "core/hooks.h"
#include "core/json_fields.h"
#include "store/recfile.h"
#include "store/runinfo.h"
#include "topo/runtime.h"

static uint64_t realtime_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

void hs_run_info_now(struct hs_run_info *info, enum hs_clock clock)
{
	clockid_t base = hs_clock_id(clock);
	struct utsname u;

	info->clock = clock;
	info->fingerprint = HS_FINGERPRINT_VERSION;
	if (gethostname(info->host, sizeof(info->host)))
		snprintf(info->host, sizeof(info->host), "unknown");
	info->host[sizeof(info->host) - 1] = '\0';
	if (!uname(&u))
		snprintf(info->kernel, sizeof(info->kernel), "%s", u.release);
	info->realtime_offset_ns = hs_clock_offset(CLOCK_REALTIME, base);
	info->tai_offset_ns = hs_clock_offset(CLOCK_TAI, base);
	info->monotonic_offset_ns = hs_clock_offset(CLOCK_MONOTONIC, base);
	snprintf(info->run_id, sizeof(info->run_id), "%s-%d-%llu", info->host,
		 (int)getpid(), (unsigned long long)realtime_now());
	info->part = 0;
}

/* ---- writing ---- */

static json_object *ref_json(const struct hs_link_ref *r)
{
	json_object *o = json_object_new_object();

	json_add_u64(o, "netns_inode", r->netns_inode);
	json_add_i64(o, "ifindex", r->ifindex);
	json_add_str(o, "ifname", r->ifname);
	return o;
}

/* Everything hs_hop_classify reads, so hops are named as they were. */
static json_object *link_json(const struct hs_link *l)
{
	json_object *o = json_object_new_object();

	json_add_u64(o, "netns_inode", l->netns_inode);
	json_add_i64(o, "ifindex", l->ifindex);
	json_add_str(o, "ifname", l->ifname);
	json_add_str(o, "kind", hs_link_kind_name(l->kind));
	json_add_u64(o, "flags", l->flags);
	json_add_str(o, "driver", l->driver);
	json_add_str(o, "bus_info", l->bus_info);
	json_add_str(o, "mode", l->mode);
	json_add_i64(o, "num_vfs", l->num_vfs);
	json_add_i64(o, "master_ifindex", l->master_ifindex);
	json_add_i64(o, "link_ifindex", l->link_ifindex);
	json_add_i64(o, "link_nsid", l->link_nsid);
	json_object_object_add(o, "peer", ref_json(&l->peer));
	json_object_object_add(o, "master", ref_json(&l->master));
	json_object_object_add(o, "parent", ref_json(&l->parent));
	json_add_str(o, "ovs_bridge", l->ovs_bridge);
	return o;
}

static json_object *point_json(const struct hs_point_info *p)
{
	json_object *o = json_object_new_object();

	json_add_u64(o, "id", p->id);
	json_add_str(o, "netns", p->netns);
	/* only in a container: files without one stay as they were */
	if (p->container.runtime[0])
		json_object_object_add(o, "container",
				       hs_container_to_json(&p->container));
	json_add_str(o, "hook", hs_hook_name(p->hook));
	json_add_str(o, "xdp_mode", p->xdp_mode);
	json_add_u64(o, "prog_id", p->prog_id);
	json_object_object_add(o, "skipped",
			       json_object_new_boolean(p->skipped));
	json_object_object_add(o, "link", link_json(&p->link));
	return o;
}

static json_object *config_json(const struct hs_run_info *info)
{
	json_object *o = json_object_new_object();

	json_add_u64(o, "window_ns", info->cfg.window_ns);
	json_add_u64(o, "max_inflight", info->cfg.max_inflight);
	json_add_u64(o, "warmup_ns", info->cfg.warmup_ns);
	json_add_u64(o, "cooldown_ns", info->cfg.cooldown_ns);
	/* only where it is not one: files of one thread stay as they were */
	if (info->cfg.threads > 1)
		json_add_u64(o, "collector_threads", info->cfg.threads);
	json_add_u64(o, "sample", info->sample_one_in);
	json_add_str(o, "filter", info->filter);
	return o;
}

char *hs_run_info_to_json(const struct hs_run_info *info,
			  const struct hs_point_table *points)
{
	json_object *o = json_object_new_object(), *offs, *pts;
	char *text;
	unsigned int i;

	json_add_u64(o, "format", HS_REC_FORMAT);
	json_add_u64(o, "fingerprint", info->fingerprint);
	json_add_str(o, "tool", "hopscope " HS_VERSION);
	json_add_str(o, "run_id", info->run_id);
	json_add_u64(o, "part", info->part);
	json_add_str(o, "host", info->host);
	json_add_str(o, "kernel", info->kernel);
	json_add_str(o, "clock", hs_clock_name(info->clock));
	offs = json_object_new_object();
	json_add_i64(offs, "realtime", info->realtime_offset_ns);
	json_add_i64(offs, "tai", info->tai_offset_ns);
	json_add_i64(offs, "monotonic", info->monotonic_offset_ns);
	json_object_object_add(o, "clock_offsets_ns", offs);
	json_object_object_add(o, "config", config_json(info));
	pts = json_object_new_array();
	/* the points live now: a gap for every id that is not, and how many
	 * ids the table has when the last are gaps too (reports count them) */
	for (i = 0; i < points->n; i++)
		if (!points->p[i].absent)
			json_object_array_add(pts, point_json(&points->p[i]));
	if (points->n && points->p[points->n - 1].absent)
		json_add_u64(o, "n_points", points->n);
	json_object_object_add(o, "points", pts);
	text = strdup(
		json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
	json_object_put(o);
	return text;
}

char *hs_run_info_point_to_json(const struct hs_point_info *p)
{
	json_object *o = point_json(p);
	char *text = strdup(
		json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));

	json_object_put(o);
	return text;
}

/* ---- reading ---- */

struct parse {
	char *err;
	size_t errlen;
	int failed;
};

static json_object *field(struct parse *ps, json_object *o, const char *key,
			  json_type type)
{
	json_object *v;

	if (ps->failed)
		return NULL;
	if (!json_object_object_get_ex(o, key, &v) ||
	    (!json_object_is_type(v, type) &&
	     !(type == json_type_int &&
	       json_object_is_type(v, json_type_double)))) {
		snprintf(ps->err, ps->errlen,
			 "the header's \"%s\" is missing or not a %s", key,
			 json_type_to_name(type));
		ps->failed = 1;
		return NULL;
	}
	return v;
}

static void get_str(struct parse *ps, json_object *o, const char *key,
		    char *dst, size_t len)
{
	json_object *v = field(ps, o, key, json_type_string);

	if (v)
		snprintf(dst, len, "%s", json_object_get_string(v));
}

static int64_t get_i64(struct parse *ps, json_object *o, const char *key)
{
	json_object *v = field(ps, o, key, json_type_int);

	return v ? json_object_get_int64(v) : 0;
}

static uint64_t get_u64(struct parse *ps, json_object *o, const char *key)
{
	json_object *v = field(ps, o, key, json_type_int);

	return v ? json_object_get_uint64(v) : 0;
}

static void get_ref(struct parse *ps, json_object *o, const char *key,
		    struct hs_link_ref *r)
{
	json_object *v = field(ps, o, key, json_type_object);

	if (!v)
		return;
	r->netns_inode = get_u64(ps, v, "netns_inode");
	r->ifindex = (int)get_i64(ps, v, "ifindex");
	get_str(ps, v, "ifname", r->ifname, sizeof(r->ifname));
}

static void get_link(struct parse *ps, json_object *o, struct hs_link *l)
{
	char kind[32] = "";

	l->netns_inode = get_u64(ps, o, "netns_inode");
	l->ifindex = (int)get_i64(ps, o, "ifindex");
	get_str(ps, o, "ifname", l->ifname, sizeof(l->ifname));
	get_str(ps, o, "kind", kind, sizeof(kind));
	/* a kind this version does not know: a file of a later one */
	l->kind = hs_link_kind_parse(kind) < 0 ?
			  HS_LINK_OTHER :
			  (enum hs_link_kind)hs_link_kind_parse(kind);
	l->flags = (unsigned int)get_u64(ps, o, "flags");
	get_str(ps, o, "driver", l->driver, sizeof(l->driver));
	get_str(ps, o, "bus_info", l->bus_info, sizeof(l->bus_info));
	get_str(ps, o, "mode", l->mode, sizeof(l->mode));
	l->num_vfs = (int)get_i64(ps, o, "num_vfs");
	l->master_ifindex = (int)get_i64(ps, o, "master_ifindex");
	l->link_ifindex = (int)get_i64(ps, o, "link_ifindex");
	l->link_nsid = (int)get_i64(ps, o, "link_nsid");
	get_ref(ps, o, "peer", &l->peer);
	get_ref(ps, o, "master", &l->master);
	get_ref(ps, o, "parent", &l->parent);
	get_str(ps, o, "ovs_bridge", l->ovs_bridge, sizeof(l->ovs_bridge));
}

/* A point's container, if the header gives one. */
static void get_container(struct parse *ps, json_object *o, unsigned int i,
			  struct hs_container *c)
{
	json_object *v;

	memset(c, 0, sizeof(*c));
	if (ps->failed || !json_object_object_get_ex(o, "container", &v))
		return;
	if (hs_container_from_json(v, c) && !ps->failed) {
		snprintf(ps->err, ps->errlen,
			 "the header's point %u has a bad \"container\"", i);
		ps->failed = 1;
	}
}

/* Point o into p; its id must be at least min_id (the ids of a header
 * go up, with gaps where points were not live). */
static void get_point(struct parse *ps, json_object *o, unsigned int min_id,
		      struct hs_point_info *p)
{
	uint64_t id = get_u64(ps, o, "id");
	json_object *v;
	char hook[16] = "";
	int h;

	if ((id < min_id || id >= HS_MAX_POINTS) && !ps->failed) {
		snprintf(
			ps->err, ps->errlen,
			"the point id %llu is out of order (below %u) or over %d",
			(unsigned long long)id, min_id, HS_MAX_POINTS - 1);
		ps->failed = 1;
	}
	if (ps->failed)
		return;
	memset(p, 0, sizeof(*p));
	p->id = (uint16_t)id;
	get_str(ps, o, "netns", p->netns, sizeof(p->netns));
	get_container(ps, o, p->id, &p->container);
	get_str(ps, o, "hook", hook, sizeof(hook));
	h = hs_hook_parse(hook);
	if (h < 0 && !ps->failed) {
		snprintf(ps->err, ps->errlen, "the point %u has hook '%s'",
			 p->id, hook);
		ps->failed = 1;
	}
	p->hook = (uint8_t)(h < 0 ? 0 : h);
	get_str(ps, o, "xdp_mode", p->xdp_mode, sizeof(p->xdp_mode));
	p->prog_id = (uint32_t)get_u64(ps, o, "prog_id");
	v = field(ps, o, "skipped", json_type_boolean);
	p->skipped = v && json_object_get_boolean(v);
	v = field(ps, o, "link", json_type_object);
	if (v)
		get_link(ps, v, &p->link);
}

int hs_run_info_point_from_json(const char *text, size_t len,
				struct hs_point_info *p, char *err,
				size_t errlen)
{
	struct parse ps = { .err = err, .errlen = errlen };
	json_tokener *tok = json_tokener_new();
	json_object *o = tok ? json_tokener_parse_ex(tok, text, (int)len) :
			       NULL;

	json_tokener_free(tok);
	if (!o || !json_object_is_type(o, json_type_object)) {
		snprintf(err, errlen, "a point that is not a JSON object");
		json_object_put(o);
		return -EINVAL;
	}
	get_point(&ps, o, 0, p);
	json_object_put(o);
	return ps.failed ? -EINVAL : 0;
}

static void get_config(struct parse *ps, json_object *o,
		       struct hs_run_info *info)
{
	info->cfg.window_ns = get_u64(ps, o, "window_ns");
	info->cfg.max_inflight = (uint32_t)get_u64(ps, o, "max_inflight");
	info->cfg.warmup_ns = get_u64(ps, o, "warmup_ns");
	info->cfg.cooldown_ns = get_u64(ps, o, "cooldown_ns");
	info->sample_one_in = (uint32_t)get_u64(ps, o, "sample");
	get_str(ps, o, "filter", info->filter, sizeof(info->filter));
	info->cfg.threads =
		json_object_object_get_ex(o, "collector_threads", NULL) ?
			(uint32_t)get_u64(ps, o, "collector_threads") :
			1;
	if (ps->failed)
		return;
	if (!info->cfg.threads || info->cfg.threads > HS_THREADS_MAX) {
		snprintf(
			ps->err, ps->errlen,
			"the header's collector_threads %u is out of range (1..%u)",
			info->cfg.threads, HS_THREADS_MAX);
		ps->failed = 1;
		return;
	}
	/* what the command line would have refused, a file must not ask */
	if (info->cfg.window_ns < HS_WINDOW_MIN_MS * 1000000ULL ||
	    info->cfg.window_ns > HS_WINDOW_MAX_MS * 1000000ULL ||
	    !info->cfg.max_inflight ||
	    info->cfg.max_inflight > HS_INFLIGHT_MAX ||
	    info->cfg.warmup_ns > HS_SECONDS_MAX * 1000000000ULL ||
	    info->cfg.cooldown_ns > HS_SECONDS_MAX * 1000000000ULL) {
		snprintf(
			ps->err, ps->errlen,
			"the header's configuration is out of range (window %llu ns, max_inflight %u, warmup %llu ns, cooldown %llu ns)",
			(unsigned long long)info->cfg.window_ns,
			info->cfg.max_inflight,
			(unsigned long long)info->cfg.warmup_ns,
			(unsigned long long)info->cfg.cooldown_ns);
		ps->failed = 1;
	}
}

/* A table whose last ids are gaps says how many ids it has. */
static void get_gaps_to(struct parse *ps, json_object *o,
			struct hs_point_table *points)
{
	uint64_t n = get_u64(ps, o, "n_points");

	if (ps->failed)
		return;
	if (n < points->n || n > HS_MAX_POINTS) {
		snprintf(
			ps->err, ps->errlen,
			"the header's n_points %llu is below its points or over %d",
			(unsigned long long)n, HS_MAX_POINTS);
		ps->failed = 1;
		return;
	}
	while (points->n < n) {
		points->p[points->n].id = (uint16_t)points->n;
		points->p[points->n++].absent = true;
	}
}

static void get_points(struct parse *ps, json_object *o,
		       struct hs_point_table *points)
{
	json_object *arr = field(ps, o, "points", json_type_array);
	size_t n = arr ? json_object_array_length(arr) : 0, i;

	if (n > HS_MAX_POINTS && !ps->failed) {
		snprintf(ps->err, ps->errlen,
			 "the header has %zu points, over %d", n,
			 HS_MAX_POINTS);
		ps->failed = 1;
		return;
	}
	points->n = 0;
	for (i = 0; i < n && !ps->failed; i++) {
		json_object *p = json_object_array_get_idx(arr, i);
		struct hs_point_info pt;

		if (!json_object_is_type(p, json_type_object)) {
			snprintf(ps->err, ps->errlen,
				 "the header's point %zu is not an object", i);
			ps->failed = 1;
			return;
		}
		get_point(ps, p, points->n, &pt);
		if (ps->failed)
			return;
		/* the ids skipped over were not live when the part began */
		while (points->n < pt.id) {
			points->p[points->n].id = (uint16_t)points->n;
			points->p[points->n++].absent = true;
		}
		points->p[points->n++] = pt;
	}
	if (json_object_object_get_ex(o, "n_points", &arr))
		get_gaps_to(ps, o, points);
}

int hs_run_info_from_json(const char *text, struct hs_run_info *info,
			  struct hs_point_table *points, char *err,
			  size_t errlen)
{
	struct parse ps = { .err = err, .errlen = errlen };
	json_object *o = json_tokener_parse(text), *v;
	char clock[16] = "";

	memset(info, 0, sizeof(*info));
	memset(points, 0, sizeof(*points));
	if (!o || !json_object_is_type(o, json_type_object)) {
		snprintf(err, errlen, "the header is not a JSON object");
		json_object_put(o);
		return -EINVAL;
	}
	get_str(&ps, o, "run_id", info->run_id, sizeof(info->run_id));
	info->fingerprint = json_object_object_get_ex(o, "fingerprint", &v) ?
				    (uint32_t)get_u64(&ps, o, "fingerprint") :
				    1;
	info->part = (unsigned int)get_u64(&ps, o, "part");
	get_str(&ps, o, "host", info->host, sizeof(info->host));
	get_str(&ps, o, "kernel", info->kernel, sizeof(info->kernel));
	get_str(&ps, o, "clock", clock, sizeof(clock));
	if (!ps.failed && hs_clock_parse(clock) < 0) {
		snprintf(err, errlen, "the header's clock '%s' is unknown",
			 clock);
		ps.failed = 1;
	}
	info->clock = hs_clock_parse(clock) == HS_CLOCK_TAI ?
			      HS_CLOCK_TAI :
			      HS_CLOCK_MONOTONIC;
	v = field(&ps, o, "clock_offsets_ns", json_type_object);
	if (v) {
		info->realtime_offset_ns = get_i64(&ps, v, "realtime");
		info->tai_offset_ns = get_i64(&ps, v, "tai");
		info->monotonic_offset_ns = get_i64(&ps, v, "monotonic");
	}
	v = field(&ps, o, "config", json_type_object);
	if (v)
		get_config(&ps, v, info);
	get_points(&ps, o, points);
	points->n_hosts = 1;
	snprintf(points->host[0], sizeof(points->host[0]), "%s", info->host);
	json_object_put(o);
	return ps.failed ? -EINVAL : 0;
}
