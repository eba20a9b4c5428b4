// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/epoll.h>
#include <sys/stat.h>
#include <sys/timerfd.h>
#include <curl/curl.h>
#include <json-c/json.h>
#include "core/log.h"
#include "topo/runtime.h"

#define DOCKER_SOCKET "/var/run/docker.sock"
#define PODMAN_SOCKET "/run/podman/podman.sock"
/* a daemon that takes longer than this to list is answering badly */
#define REQUEST_TIMEOUT_MS 5000L
/* an answer larger than this is not one we asked for */
#define ANSWER_MAX (64u << 20)

/* ---- finding the runtimes ---- */

/* The socket a runtime's environment variable names, else its default. */
static bool socket_path(const char *var, const char *def, char *path,
			size_t len)
{
	const char *v = getenv(var);

	if (!v || !*v) {
		snprintf(path, len, "%s", def);
		return true;
	}
	if (strncmp(v, "unix://", 7) || strlen(v + 7) >= len) {
		/* a TCP or SSH daemon is not this host's runtime */
		pr_debug(
			"%s '%s' is not a unix socket: that runtime is not asked",
			var, v);
		return false;
	}
	snprintf(path, len, "%s", v + 7);
	return true;
}

static void add_runtime(struct hs_runtimes *r, const char *name,
			const char *var, const char *def)
{
	struct hs_runtime *rt = &r->rt[r->n];
	struct stat st;

	if (!socket_path(var, def, rt->socket, sizeof(rt->socket)))
		return;
	if (stat(rt->socket, &st) || !S_ISSOCK(st.st_mode))
		return;
	snprintf(rt->name, sizeof(rt->name), "%s", name);
	rt->warned = false;
	r->n++;
}

const char *const hs_runtime_names[] = { "docker", "podman", NULL };

int hs_runtime_index(const char *word, size_t len)
{
	int i;

	for (i = 0; hs_runtime_names[i]; i++)
		if (strlen(hs_runtime_names[i]) == len &&
		    !strncmp(word, hs_runtime_names[i], len))
			return i;
	return -1;
}

unsigned int hs_runtimes_find(struct hs_runtimes *r)
{
	memset(r, 0, sizeof(*r));
	add_runtime(r, hs_runtime_names[0], "DOCKER_HOST", DOCKER_SOCKET);
	add_runtime(r, hs_runtime_names[1], "CONTAINER_HOST", PODMAN_SOCKET);
	return r->n;
}

/* ---- parsing ---- */

static const char *str_of(json_object *o, const char *key)
{
	json_object *v;

	if (!o || !json_object_object_get_ex(o, key, &v) ||
	    !json_object_is_type(v, json_type_string))
		return NULL;
	return json_object_get_string(v);
}

static void copy(char *dst, size_t len, const char *src)
{
	snprintf(dst, len, "%s", src ? src : "");
}

/* Pod name and namespace from Kubernetes' labels, when it made them. */
static void pod_labels(json_object *labels, struct hs_container *c)
{
	copy(c->pod, sizeof(c->pod), str_of(labels, "io.kubernetes.pod.name"));
	copy(c->pod_namespace, sizeof(c->pod_namespace),
	     str_of(labels, "io.kubernetes.pod.namespace"));
}

static void set_name(struct hs_container *c, const char *name)
{
	/* Docker's names begin with '/' (the root of its links tree) */
	copy(c->name, sizeof(c->name), name && *name == '/' ? name + 1 : name);
}

/* One element of /containers/json; false if it is not a container. */
static bool list_entry(json_object *o, const char *runtime,
		       struct hs_container *c)
{
	json_object *names, *labels = NULL;
	const char *id = str_of(o, "Id");

	if (!id || !json_object_object_get_ex(o, "Names", &names) ||
	    !json_object_is_type(names, json_type_array) ||
	    !json_object_array_length(names))
		return false;
	memset(c, 0, sizeof(*c));
	copy(c->runtime, sizeof(c->runtime), runtime);
	copy(c->id, sizeof(c->id), id);
	set_name(c,
		 json_object_get_string(json_object_array_get_idx(names, 0)));
	copy(c->image, sizeof(c->image), str_of(o, "Image"));
	json_object_object_get_ex(o, "Labels", &labels);
	pod_labels(labels, c);
	return true;
}

/* Running unless the answer says otherwise (/containers/json lists only
 * running ones unless asked for all). */
static bool list_running(json_object *o)
{
	const char *state = str_of(o, "State");

	return !state || !strcmp(state, "running");
}

int hs_runtime_parse_list(const char *json, const char *runtime,
			  struct hs_container **out, unsigned int *n)
{
	json_object *root = json_tokener_parse(json);
	size_t i, len;
	int err = 0;

	*out = NULL;
	*n = 0;
	if (!root || !json_object_is_type(root, json_type_array)) {
		json_object_put(root);
		return -EINVAL;
	}
	len = json_object_array_length(root);
	if (len) {
		*out = calloc(len, sizeof(**out));
		if (!*out)
			err = -ENOMEM;
	}
	for (i = 0; !err && i < len; i++) {
		json_object *o = json_object_array_get_idx(root, i);

		if (!json_object_is_type(o, json_type_object)) {
			err = -EINVAL;
			break;
		}
		if (list_running(o) && list_entry(o, runtime, &(*out)[*n]))
			(*n)++;
	}
	json_object_put(root);
	if (err || !*n) {
		free(*out);
		*out = NULL;
		*n = 0;
	}
	return err;
}

static json_object *member(json_object *o, const char *key, json_type type)
{
	json_object *v;

	if (!o || !json_object_object_get_ex(o, key, &v) ||
	    !json_object_is_type(v, type))
		return NULL;
	return v;
}

int hs_runtime_parse_inspect(const char *json, const char *runtime,
			     struct hs_container *c)
{
	json_object *root = json_tokener_parse(json);
	json_object *state, *config, *running, *pid, *host;
	const char *id, *mode;
	int err = 0;

	memset(c, 0, sizeof(*c));
	state = member(root, "State", json_type_object);
	config = member(root, "Config", json_type_object);
	id = str_of(root, "Id");
	running = member(state, "Running", json_type_boolean);
	pid = member(state, "Pid", json_type_int);
	if (!id || !config || !running || !pid || !str_of(root, "Name")) {
		err = -EINVAL;
	} else if (!json_object_get_boolean(running) ||
		   json_object_get_int(pid) <= 0) {
		err = -ENOENT;
	} else {
		copy(c->runtime, sizeof(c->runtime), runtime);
		copy(c->id, sizeof(c->id), id);
		set_name(c, str_of(root, "Name"));
		/* the image as created from (a tag), not its digest */
		copy(c->image, sizeof(c->image), str_of(config, "Image"));
		pod_labels(member(config, "Labels", json_type_object), c);
		c->pid = json_object_get_int(pid);
		host = member(root, "HostConfig", json_type_object);
		mode = str_of(host, "NetworkMode");
		c->joined = mode && !strncmp(mode, "container:", 10);
	}
	json_object_put(root);
	return err;
}

int hs_runtime_parse_event(const char *line, const char *runtime,
			   struct hs_container_event *ev)
{
	json_object *root = json_tokener_parse(line), *actor, *attrs;
	const char *type, *action, *id;
	json_object *t;
	int ret = 1;

	memset(ev, 0, sizeof(*ev));
	if (!root || !json_object_is_type(root, json_type_object)) {
		json_object_put(root);
		return -EINVAL;
	}
	actor = member(root, "Actor", json_type_object);
	attrs = member(actor, "Attributes", json_type_object);
	type = str_of(root, "Type");
	action = str_of(root, "Action");
	id = str_of(actor, "ID");
	if (!id)
		id = str_of(root, "id"); /* the older API's name for it */
	if (!type || !action)
		ret = -EINVAL;
	else if (strcmp(type, "container") || !id)
		ret = 0;
	if (ret == 1) {
		copy(ev->runtime, sizeof(ev->runtime), runtime);
		copy(ev->id, sizeof(ev->id), id);
		copy(ev->name, sizeof(ev->name), str_of(attrs, "name"));
		copy(ev->action, sizeof(ev->action), action);
		t = member(root, "timeNano", json_type_int);
		ev->time_ns = t ? (uint64_t)json_object_get_int64(t) : 0;
	}
	json_object_put(root);
	return ret;
}

static void add_str(json_object *o, const char *key, const char *v)
{
	json_object_object_add(o, key, json_object_new_string(v));
}

json_object *hs_container_to_json(const struct hs_container *c)
{
	json_object *o = json_object_new_object();

	add_str(o, "runtime", c->runtime);
	add_str(o, "id", c->id);
	add_str(o, "name", c->name);
	add_str(o, "image", c->image);
	if (c->pod[0])
		add_str(o, "pod", c->pod);
	if (c->pod_namespace[0])
		add_str(o, "pod_namespace", c->pod_namespace);
	return o;
}

int hs_container_from_json(json_object *o, struct hs_container *c)
{
	const char *rt = str_of(o, "runtime"), *id = str_of(o, "id");
	const char *name = str_of(o, "name"), *image = str_of(o, "image");

	memset(c, 0, sizeof(*c));
	if (!rt || !*rt || !id || !name || !image)
		return -EINVAL;
	copy(c->runtime, sizeof(c->runtime), rt);
	copy(c->id, sizeof(c->id), id);
	copy(c->name, sizeof(c->name), name);
	copy(c->image, sizeof(c->image), image);
	copy(c->pod, sizeof(c->pod), str_of(o, "pod"));
	copy(c->pod_namespace, sizeof(c->pod_namespace),
	     str_of(o, "pod_namespace"));
	return 0;
}

/* ---- asking a daemon ---- */

struct buf {
	char *data;
	size_t len, cap;
};

static int buf_add(struct buf *b, const char *data, size_t len)
{
	if (b->len + len + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 4096;
		char *d;

		while (cap < b->len + len + 1)
			cap *= 2;
		if (cap > ANSWER_MAX)
			return -E2BIG;
		d = realloc(b->data, cap);
		if (!d)
			return -ENOMEM;
		b->data = d;
		b->cap = cap;
	}
	memcpy(b->data + b->len, data, len);
	b->len += len;
	b->data[b->len] = '\0';
	return 0;
}

static size_t on_body(char *data, size_t size, size_t n, void *userp)
{
	return buf_add(userp, data, size * n) ? 0 : size * n;
}

static void warn_once(struct hs_runtime *rt, const char *what)
{
	if (rt->warned)
		return;
	rt->warned = true;
	pr_warn("%s at %s answers badly (%s): its containers are not named",
		rt->name, rt->socket, what);
}

static CURL *easy_for(const struct hs_runtime *rt, const char *path)
{
	char url[512];
	CURL *e = curl_easy_init();

	if (!e)
		return NULL;
	/* the host part is ignored on a unix socket; the daemon wants one */
	snprintf(url, sizeof(url), "http://localhost%s", path);
	curl_easy_setopt(e, CURLOPT_UNIX_SOCKET_PATH, rt->socket);
	curl_easy_setopt(e, CURLOPT_URL, url);
	curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http");
	return e;
}

/* GET path; its body into b. The HTTP status, or -EIO (warned). */
static long get(struct hs_runtime *rt, const char *path, struct buf *b)
{
	CURL *e = easy_for(rt, path);
	char what[CURL_ERROR_SIZE + 64] = "";
	long status = 0;
	CURLcode rc;

	if (!e)
		return -ENOMEM;
	curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, REQUEST_TIMEOUT_MS);
	curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(e, CURLOPT_WRITEDATA, b);
	rc = curl_easy_perform(e);
	if (rc == CURLE_OK)
		curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &status);
	else
		snprintf(what, sizeof(what), "GET %s: %s", path,
			 curl_easy_strerror(rc));
	curl_easy_cleanup(e);
	if (rc != CURLE_OK) {
		warn_once(rt, what);
		return -EIO;
	}
	return status;
}

static uint64_t netns_inode(int32_t pid)
{
	char path[64];
	struct stat st;

	snprintf(path, sizeof(path), "/proc/%d/ns/net", (int)pid);
	return stat(path, &st) ? 0 : (uint64_t)st.st_ino;
}

/* ---- the inspect cache ---- */

static int cache_index(const struct hs_container_cache *k, const char *runtime,
		       const char *id)
{
	unsigned int i;

	for (i = 0; i < k->n; i++)
		if (!strcmp(k->c[i].id, id) &&
		    !strcmp(k->c[i].runtime, runtime))
			return (int)i;
	return -1;
}

const struct hs_container *hs_container_cache_get(struct hs_container_cache *k,
						  const struct hs_container *l)
{
	int i = cache_index(k, l->runtime, l->id);

	/* a restart is a new process, a rename a new name: ask again */
	if (i < 0 || strcmp(k->c[i].name, l->name) ||
	    netns_inode(k->c[i].pid) != k->c[i].netns_inode) {
		k->misses++;
		return NULL;
	}
	k->hits++;
	return &k->c[i];
}

int hs_container_cache_put(struct hs_container_cache *k,
			   const struct hs_container *c)
{
	int i = cache_index(k, c->runtime, c->id);

	if (i >= 0) {
		k->c[i] = *c;
		return 0;
	}
	if (k->n == k->cap) {
		unsigned int cap = k->cap ? 2 * k->cap : 64;
		struct hs_container *grown =
			realloc(k->c, cap * sizeof(*grown));

		if (!grown)
			return -ENOMEM;
		k->c = grown;
		k->cap = cap;
	}
	k->c[k->n++] = *c;
	return 0;
}

static void cache_drop(struct hs_container_cache *k, unsigned int i)
{
	k->c[i] = k->c[--k->n];
}

static bool listed_id(const struct hs_container *l, unsigned int n,
		      const char *id)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		if (!strcmp(l[i].id, id))
			return true;
	return false;
}

void hs_container_cache_keep(struct hs_container_cache *k, const char *runtime,
			     const struct hs_container *listed, unsigned int n)
{
	unsigned int i = 0;

	while (i < k->n) {
		if (!strcmp(k->c[i].runtime, runtime) &&
		    !listed_id(listed, n, k->c[i].id))
			cache_drop(k, i);
		else
			i++;
	}
}

void hs_container_cache_forget(struct hs_container_cache *k,
			       const char *runtime, const char *id)
{
	int i = cache_index(k, runtime, id);

	if (i >= 0)
		cache_drop(k, (unsigned int)i);
}

void hs_container_cache_free(struct hs_container_cache *k)
{
	free(k->c);
	memset(k, 0, sizeof(*k));
}

/* GET /containers/ID/json into c: 0, -ENOENT (none running), -EIO. */
static int inspect(struct hs_runtime *rt, const char *id,
		   struct hs_container *c)
{
	struct buf b = { 0 };
	char path[256], *esc = curl_easy_escape(NULL, id, 0);
	long status;
	int err;

	if (!esc)
		return -ENOMEM;
	snprintf(path, sizeof(path), "/containers/%s/json", esc);
	curl_free(esc);
	status = get(rt, path, &b);
	if (status == 404) {
		err = -ENOENT;
	} else if (status != 200) {
		snprintf(path, sizeof(path), "GET /containers/ID/json: %ld",
			 status);
		if (status > 0)
			warn_once(rt, path);
		err = -EIO;
	} else {
		err = hs_runtime_parse_inspect(b.data, rt->name, c);
		if (err == -EINVAL)
			warn_once(rt, "unexpected /containers/ID/json");
		if (!err)
			c->netns_inode = netns_inode(c->pid);
	}
	free(b.data);
	return err == -EINVAL ? -EIO : err;
}

int hs_runtimes_by_name(struct hs_runtimes *r, const char *runtime,
			const char *name, struct hs_container *c)
{
	unsigned int i;

	for (i = 0; i < r->n; i++)
		if (!strcmp(r->rt[i].name, runtime))
			return *name ? inspect(&r->rt[i], name, c) : -ENOENT;
	return -ENOENT;
}

/* The one container listed as l, from cache k or inspected, into c:
 * 0, or -ENOENT when it is gone or has no namespace to name. */
static int resolve_one(struct hs_runtime *rt, struct hs_container_cache *k,
		       const struct hs_container *l, struct hs_container *c)
{
	const struct hs_container *hit = k ? hs_container_cache_get(k, l) :
					     NULL;

	if (hit) {
		*c = *hit;
		return 0;
	}
	if (inspect(rt, l->id, c) || !c->netns_inode)
		return -ENOENT; /* gone since it was listed: left out */
	/* a cache that cannot grow only means asking again next time */
	if (k)
		hs_container_cache_put(k, c);
	return 0;
}

/* One runtime's containers, each with its pid (inspected unless k has
 * it), appended. */
static int list_one(struct hs_runtime *rt, struct hs_container_cache *k,
		    struct hs_container **all, unsigned int *n)
{
	struct hs_container *got = NULL, *grown;
	unsigned int n_got = 0, i;
	struct buf b = { 0 };
	long status = get(rt, "/containers/json", &b);
	int err = 0;

	if (status == 200) {
		err = hs_runtime_parse_list(b.data, rt->name, &got, &n_got);
		if (err == -EINVAL)
			warn_once(rt, "unexpected /containers/json");
		else if (!err && k)
			hs_container_cache_keep(k, rt->name, got, n_got);
	} else if (status > 0) {
		warn_once(rt, "GET /containers/json failed");
	}
	free(b.data);
	if (err || !n_got)
		return err == -ENOMEM ? err : 0;
	grown = realloc(*all, (*n + n_got) * sizeof(**all));
	if (!grown) {
		free(got);
		return -ENOMEM;
	}
	*all = grown;
	for (i = 0; i < n_got; i++)
		if (!resolve_one(rt, k, &got[i], &(*all)[*n]))
			(*n)++;
	free(got);
	return 0;
}

static int cmp_name(const void *a, const void *b)
{
	const struct hs_container *x = a, *y = b;
	int c = strcmp(x->runtime, y->runtime);

	if (!c && x->joined != y->joined)
		return x->joined - y->joined;
	return c ? c : strcmp(x->name, y->name);
}

int hs_runtimes_list(struct hs_runtimes *r, struct hs_container **out,
		     unsigned int *n)
{
	return hs_runtimes_list_cached(r, NULL, out, n);
}

int hs_runtimes_list_cached(struct hs_runtimes *r, struct hs_container_cache *k,
			    struct hs_container **out, unsigned int *n)
{
	unsigned int i;
	int err = 0;

	*out = NULL;
	*n = 0;
	for (i = 0; i < r->n && !err; i++)
		err = list_one(&r->rt[i], k, out, n);
	if (err) {
		free(*out);
		*out = NULL;
		*n = 0;
		return err;
	}
	/* a stable order, so a shared namespace always gets one name */
	if (*n)
		qsort(*out, *n, sizeof(**out), cmp_name);
	return 0;
}

const struct hs_container *hs_container_by_inode(const struct hs_container *c,
						 unsigned int n, uint64_t inode)
{
	unsigned int i;

	for (i = 0; inode && i < n; i++)
		if (c[i].netns_inode == inode)
			return &c[i];
	return NULL;
}

/* ---- the events stream ---- */

/* events held for the reader at most; beyond, the oldest are dropped */
#define EVENTS_QUEUED_MAX 4096
/* a line longer than this is no event of ours: dropped whole */
#define EVENT_LINE_MAX (64u << 10)

struct stream {
	struct hs_runtime_events *owner;
	char runtime[8];
	CURL *easy; /* NULL once ended */
	struct buf line; /* the bytes of a line not complete yet */
	bool skipping; /* inside an overlong line */
};

struct hs_runtime_events {
	CURLM *multi;
	int epfd; /* the caller's one descriptor: sockets and timer */
	int timerfd; /* curl's timeout, as a descriptor */
	unsigned int n_streams, n_opened, n_live;
	struct stream streams[HS_RUNTIME_MAX];
	struct hs_container_event *queue;
	unsigned int head, count;
	unsigned long dropped;
};

static void push(struct hs_runtime_events *ev,
		 const struct hs_container_event *e)
{
	if (ev->count == EVENTS_QUEUED_MAX) {
		/* the reader fell behind: it lists again when told */
		ev->head = (ev->head + 1) % EVENTS_QUEUED_MAX;
		ev->count--;
		if (!ev->dropped++)
			pr_warn("container events: the reader fell behind, oldest events dropped");
	}
	ev->queue[(ev->head + ev->count) % EVENTS_QUEUED_MAX] = *e;
	ev->count++;
}

static void take_line(struct hs_runtime_events *ev, struct stream *s,
		      const char *line)
{
	struct hs_container_event e;
	int r = hs_runtime_parse_event(line, s->runtime, &e);

	if (r > 0)
		push(ev, &e);
	else if (r < 0 && line[strspn(line, " \r\t")])
		pr_debug("%s events: not an event: '%.80s'", s->runtime, line);
}

static int feed(struct hs_runtime_events *ev, struct stream *s,
		const char *data, size_t len)
{
	const char *nl;
	int err;

	while (len) {
		nl = memchr(data, '\n', len);
		if (s->skipping ||
		    s->line.len + (nl ? (size_t)(nl - data) : len) >
			    EVENT_LINE_MAX) {
			s->skipping = nl == NULL;
			s->line.len = 0;
		} else {
			err = buf_add(&s->line, data,
				      nl ? (size_t)(nl - data) : len);
			if (err)
				return err;
			if (nl) {
				take_line(ev, s, s->line.data);
				s->line.len = 0;
			}
		}
		if (!nl)
			break;
		len -= (size_t)(nl - data) + 1;
		data = nl + 1;
	}
	return 0;
}

static struct stream *stream_of(struct hs_runtime_events *ev,
				const char *runtime)
{
	unsigned int i;

	for (i = 0; i < ev->n_streams; i++)
		if (!strcmp(ev->streams[i].runtime, runtime))
			return &ev->streams[i];
	if (ev->n_streams == HS_RUNTIME_MAX)
		return NULL;
	copy(ev->streams[i].runtime, sizeof(ev->streams[i].runtime), runtime);
	ev->streams[i].owner = ev;
	ev->n_streams++;
	return &ev->streams[i];
}

int hs_runtime_events_feed(struct hs_runtime_events *ev, const char *runtime,
			   const char *data, size_t len)
{
	struct stream *s = stream_of(ev, runtime);

	return s ? feed(ev, s, data, len) : -EINVAL;
}

static size_t on_events(char *data, size_t size, size_t n, void *userp)
{
	struct stream *s = userp;

	return feed(s->owner, s, data, size * n) ? 0 : size * n;
}

/* curl's sockets into our epoll set, with what curl waits for */
static int on_socket(CURL *e, curl_socket_t fd, int what, void *userp,
		     void *socketp)
{
	struct hs_runtime_events *ev = userp;
	struct epoll_event ee = { .data.fd = fd };

	(void)e;
	(void)socketp;
	if (what == CURL_POLL_REMOVE) {
		epoll_ctl(ev->epfd, EPOLL_CTL_DEL, fd, NULL);
		return 0;
	}
	ee.events = (what & CURL_POLL_IN ? EPOLLIN : 0) |
		    (what & CURL_POLL_OUT ? EPOLLOUT : 0);
	if (epoll_ctl(ev->epfd, EPOLL_CTL_MOD, fd, &ee) && errno == ENOENT)
		return epoll_ctl(ev->epfd, EPOLL_CTL_ADD, fd, &ee) ? -1 : 0;
	return 0;
}

/* curl's timeout as the timerfd: -1 disarms, 0 means at once */
static int on_timer(CURLM *m, long ms, void *userp)
{
	struct hs_runtime_events *ev = userp;
	struct itimerspec its = { 0 };

	(void)m;
	if (ms >= 0) {
		its.it_value.tv_sec = ms / 1000;
		its.it_value.tv_nsec = ms % 1000 * 1000000L + (ms ? 0 : 1);
	}
	return timerfd_settime(ev->timerfd, 0, &its, NULL) ? -1 : 0;
}

static int start_stream(struct hs_runtime_events *ev,
			const struct hs_runtime *rt)
{
	static const char filters[] =
		"{\"type\":[\"container\"],\"event\":[\"start\",\"die\",\"rename\"]}";
	struct stream *s = stream_of(ev, rt->name);
	char path[256], *esc = curl_easy_escape(NULL, filters, 0);

	if (!s || !esc) {
		curl_free(esc);
		return -ENOMEM;
	}
	snprintf(path, sizeof(path), "/events?filters=%s", esc);
	curl_free(esc);
	s->easy = easy_for(rt, path);
	if (!s->easy)
		return -ENOMEM;
	curl_easy_setopt(s->easy, CURLOPT_WRITEFUNCTION, on_events);
	curl_easy_setopt(s->easy, CURLOPT_WRITEDATA, s);
	curl_easy_setopt(s->easy, CURLOPT_PRIVATE, s);
	if (curl_multi_add_handle(ev->multi, s->easy)) {
		curl_easy_cleanup(s->easy);
		s->easy = NULL;
		return -ENOMEM;
	}
	ev->n_opened++;
	ev->n_live++;
	return 0;
}

struct hs_runtime_events *hs_runtime_events_open(const struct hs_runtimes *r)
{
	struct hs_runtime_events *ev = calloc(1, sizeof(*ev));
	struct epoll_event ee = { .events = EPOLLIN };
	unsigned int i;
	int err = -ENOMEM;

	if (!ev)
		return NULL;
	ev->epfd = epoll_create1(EPOLL_CLOEXEC);
	ev->timerfd =
		timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	ev->queue = calloc(EVENTS_QUEUED_MAX, sizeof(*ev->queue));
	ev->multi = curl_multi_init();
	ee.data.fd = ev->timerfd;
	if (ev->epfd < 0 || ev->timerfd < 0 ||
	    epoll_ctl(ev->epfd, EPOLL_CTL_ADD, ev->timerfd, &ee)) {
		err = -errno;
		goto fail;
	}
	if (!ev->queue || !ev->multi)
		goto fail;
	curl_multi_setopt(ev->multi, CURLMOPT_SOCKETFUNCTION, on_socket);
	curl_multi_setopt(ev->multi, CURLMOPT_SOCKETDATA, ev);
	curl_multi_setopt(ev->multi, CURLMOPT_TIMERFUNCTION, on_timer);
	curl_multi_setopt(ev->multi, CURLMOPT_TIMERDATA, ev);
	for (i = 0; i < r->n; i++) {
		err = start_stream(ev, &r->rt[i]);
		if (err)
			goto fail;
	}
	return ev;
fail:
	hs_runtime_events_close(ev);
	errno = -err;
	return NULL;
}

int hs_runtime_events_fd(const struct hs_runtime_events *ev)
{
	return ev->epfd;
}

/* Streams that ended: the daemon went away, or refused the request. */
static void reap(struct hs_runtime_events *ev)
{
	struct stream *s;
	CURLMsg *msg;
	int left;
	long status = 0;

	while ((msg = curl_multi_info_read(ev->multi, &left))) {
		if (msg->msg != CURLMSG_DONE)
			continue;
		curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE,
				  (char **)&s);
		curl_easy_getinfo(msg->easy_handle, CURLINFO_RESPONSE_CODE,
				  &status);
		pr_warn("%s events: the stream ended (%s, HTTP %ld)",
			s->runtime, curl_easy_strerror(msg->data.result),
			status);
		curl_multi_remove_handle(ev->multi, s->easy);
		curl_easy_cleanup(s->easy);
		s->easy = NULL;
		ev->n_live--;
	}
}

/* Let curl move whatever the ready descriptors hold. */
static void pump(struct hs_runtime_events *ev)
{
	struct epoll_event ready[8];
	int n, i, running, flags;
	uint64_t ticks;

	while ((n = epoll_wait(ev->epfd, ready, 8, 0)) > 0) {
		for (i = 0; i < n; i++) {
			int fd = ready[i].data.fd;

			if (fd == ev->timerfd) {
				if (read(fd, &ticks, sizeof(ticks)) < 0)
					continue;
				curl_multi_socket_action(ev->multi,
							 CURL_SOCKET_TIMEOUT, 0,
							 &running);
				continue;
			}
			flags = (ready[i].events & EPOLLIN ? CURL_CSELECT_IN :
							     0) |
				(ready[i].events & EPOLLOUT ? CURL_CSELECT_OUT :
							      0) |
				(ready[i].events & (EPOLLERR | EPOLLHUP) ?
					 CURL_CSELECT_ERR :
					 0);
			curl_multi_socket_action(ev->multi, fd, flags,
						 &running);
		}
		reap(ev);
		/* held enough for one read: the rest stays readable */
		if (ev->count >= EVENTS_QUEUED_MAX / 2)
			break;
	}
}

int hs_runtime_events_read(struct hs_runtime_events *ev,
			   struct hs_container_event *out, unsigned int max)
{
	unsigned int n = 0;

	if (ev->multi)
		pump(ev);
	while (n < max && ev->count) {
		out[n++] = ev->queue[ev->head];
		ev->head = (ev->head + 1) % EVENTS_QUEUED_MAX;
		ev->count--;
	}
	/* empty: start again at the first slot, so that the few events of a
	 * quiet host keep to the queue's first page instead of making all
	 * 670 KiB of it resident, one page every 24 events */
	if (!ev->count)
		ev->head = 0;
	if (!n && ev->n_opened && !ev->n_live)
		return -EPIPE;
	return (int)n;
}

void hs_runtime_events_close(struct hs_runtime_events *ev)
{
	unsigned int i;

	if (!ev)
		return;
	for (i = 0; i < ev->n_streams; i++) {
		struct stream *s = &ev->streams[i];

		if (s->easy) {
			curl_multi_remove_handle(ev->multi, s->easy);
			curl_easy_cleanup(s->easy);
		}
		free(s->line.data);
	}
	if (ev->multi)
		curl_multi_cleanup(ev->multi);
	if (ev->epfd >= 0)
		close(ev->epfd);
	if (ev->timerfd >= 0)
		close(ev->timerfd);
	free(ev->queue);
	free(ev);
}
