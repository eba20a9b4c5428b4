// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <json-c/json.h>
#include "core/log.h"
#include "topo/ovsdb.h"

#define OVS_DEFAULT_RUNDIR "/var/run/openvswitch"
#define OVSDB_TIMEOUT_S 2
#define OVSDB_MAX_REPLY (4u << 20)

static const char request[] =
	"{\"method\":\"transact\",\"id\":1,\"params\":[\"Open_vSwitch\","
	"{\"op\":\"select\",\"table\":\"Bridge\",\"where\":[],"
	"\"columns\":[\"name\",\"ports\"]},"
	"{\"op\":\"select\",\"table\":\"Port\",\"where\":[],"
	"\"columns\":[\"_uuid\",\"name\"]}]}";

const char *hs_ovsdb_rundir(const char *rundir)
{
	const char *env = getenv("OVS_RUNDIR");

	if (rundir && *rundir)
		return rundir;
	return env && *env ? env : OVS_DEFAULT_RUNDIR;
}

/* The string in o, or NULL: whatever answers on the socket may send
 * nulls and numbers where strings belong. */
static const char *str_of(json_object *o)
{
	return json_object_is_type(o, json_type_string) ?
		       json_object_get_string(o) :
		       NULL;
}

/* The value of a ["tag", value] pair, NULL unless it is one. */
static json_object *tagged(json_object *v, const char *tag)
{
	const char *t;

	if (!json_object_is_type(v, json_type_array) ||
	    json_object_array_length(v) != 2)
		return NULL;
	t = str_of(json_object_array_get_idx(v, 0));
	return t && !strcmp(t, tag) ? json_object_array_get_idx(v, 1) : NULL;
}

/* ["uuid", U] or ["set", [["uuid", U], ...]]: call fn for every U. */
static void for_each_uuid(json_object *v, void (*fn)(const char *, void *),
			  void *arg)
{
	json_object *val;
	const char *u;
	size_t i;

	if ((val = tagged(v, "uuid"))) {
		u = str_of(val);
		if (u)
			fn(u, arg);
		return;
	}
	val = tagged(v, "set");
	if (!val || !json_object_is_type(val, json_type_array))
		return;
	for (i = 0; i < json_object_array_length(val); i++)
		for_each_uuid(json_object_array_get_idx(val, i), fn, arg);
}

struct collect {
	json_object *port_rows;
	const char *bridge;
	struct hs_ovs_port *ports;
	int n, cap;
};

static const char *port_name(json_object *rows, const char *uuid)
{
	size_t i;

	for (i = 0; i < json_object_array_length(rows); i++) {
		json_object *row = json_object_array_get_idx(rows, i), *u,
			    *name;
		const char *id;

		if (!json_object_object_get_ex(row, "_uuid", &u) ||
		    !json_object_object_get_ex(row, "name", &name))
			continue;
		id = str_of(tagged(u, "uuid"));
		if (id && !strcmp(id, uuid))
			return str_of(name);
	}
	return NULL;
}

static void add_port(const char *uuid, void *arg)
{
	struct collect *c = arg;
	const char *name = port_name(c->port_rows, uuid);

	if (!name)
		return;
	if (c->n == c->cap) {
		int cap = c->cap ? 2 * c->cap : 16;
		struct hs_ovs_port *p = realloc(c->ports, cap * sizeof(*p));

		if (!p)
			return;
		c->ports = p;
		c->cap = cap;
	}
	snprintf(c->ports[c->n].bridge, IF_NAMESIZE, "%s", c->bridge);
	snprintf(c->ports[c->n].port, IF_NAMESIZE, "%s", name);
	c->n++;
}

static json_object *rows_of(json_object *result, size_t idx)
{
	json_object *op = json_object_array_get_idx(result, idx), *rows;

	if (!op || !json_object_object_get_ex(op, "rows", &rows) ||
	    !json_object_is_type(rows, json_type_array))
		return NULL;
	return rows;
}

int hs_ovsdb_parse_reply(const char *json, struct hs_ovs_port **ports)
{
	json_object *root = json_tokener_parse(json), *result, *bridges;
	struct collect c = {};
	size_t i;

	*ports = NULL;
	if (!root || !json_object_object_get_ex(root, "result", &result) ||
	    !json_object_is_type(result, json_type_array) ||
	    !(bridges = rows_of(result, 0)) ||
	    !(c.port_rows = rows_of(result, 1))) {
		json_object_put(root);
		return -EPROTO;
	}
	for (i = 0; i < json_object_array_length(bridges); i++) {
		json_object *row = json_object_array_get_idx(bridges, i);
		json_object *name, *bports;

		if (!json_object_object_get_ex(row, "name", &name) ||
		    !json_object_object_get_ex(row, "ports", &bports) ||
		    !str_of(name))
			continue;
		c.bridge = str_of(name);
		for_each_uuid(bports, add_port, &c);
	}
	json_object_put(root);
	*ports = c.ports;
	return c.n;
}

/* The reply, read until it parses as one JSON value. */
static char *transact(int fd)
{
	size_t len = 0, cap = 65536;
	char *buf = malloc(cap);
	json_tokener *tok = json_tokener_new();
	json_object *obj = NULL;

	if (!buf || !tok || write(fd, request, sizeof(request) - 1) < 0)
		goto fail;
	while (!obj && len < OVSDB_MAX_REPLY) {
		ssize_t n;

		if (len + 1 >= cap) {
			char *b = realloc(buf, cap *= 2);

			if (!b)
				goto fail;
			buf = b;
		}
		n = read(fd, buf + len, cap - len - 1);
		if (n <= 0)
			goto fail;
		obj = json_tokener_parse_ex(tok, buf + len, (int)n);
		len += (size_t)n;
		if (!obj &&
		    json_tokener_get_error(tok) != json_tokener_continue)
			goto fail;
	}
	buf[len] = '\0';
	json_object_put(obj);
	json_tokener_free(tok);
	return buf;
fail:
	json_object_put(obj);
	if (tok)
		json_tokener_free(tok);
	free(buf);
	return NULL;
}

static uint64_t vswitchd_netns(const char *dir)
{
	char path[PATH_MAX];
	struct stat st;
	FILE *f;
	int pid = 0;

	snprintf(path, sizeof(path), "%s/ovs-vswitchd.pid", dir);
	f = fopen(path, "re");
	if (f) {
		if (fscanf(f, "%d", &pid) != 1)
			pid = 0;
		fclose(f);
	}
	if (pid > 0)
		snprintf(path, sizeof(path), "/proc/%d/ns/net", pid);
	else
		snprintf(path, sizeof(path), "/proc/self/ns/net");
	return stat(path, &st) ? 0 : (uint64_t)st.st_ino;
}

int hs_ovsdb_ports(const char *rundir, struct hs_ovs_port **ports,
		   uint64_t *netns_inode)
{
	const char *dir = hs_ovsdb_rundir(rundir);
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	struct timeval tv = { .tv_sec = OVSDB_TIMEOUT_S };
	char *reply;
	int fd, n;

	*ports = NULL;
	*netns_inode = 0;
	if ((size_t)snprintf(sun.sun_path, sizeof(sun.sun_path), "%s/db.sock",
			     dir) >= sizeof(sun.sun_path))
		return 0;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun))) {
		/* no OVS here: not an error */
		close(fd);
		return 0;
	}
	reply = transact(fd);
	close(fd);
	if (!reply) {
		pr_warn("OVS at %s did not answer; OVS ports are not named",
			dir);
		return 0;
	}
	n = hs_ovsdb_parse_reply(reply, ports);
	free(reply);
	if (n < 0)
		pr_warn("OVS at %s answered something unexpected", dir);
	*netns_inode = vswitchd_netns(dir);
	return n;
}
