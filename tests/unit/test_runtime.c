// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * runtime.c: containers, names, pod labels and events out of answers
 * recorded from a real dockerd (tests/fixtures/docker/, recorded by its
 * record.sh), a stream split anywhere, and answers that are not Docker's.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <json-c/json.h>
#include <criterion/criterion.h>
#include "golden.h"
#include "topo/runtime.h"

#define DOCKER_DIR "tests/fixtures/docker/"

static char *load(const char *name)
{
	char path[256], *buf;
	size_t n;

	snprintf(path, sizeof(path), DOCKER_DIR "%s", name);
	buf = golden_slurp(path, &n);
	cr_assert_not_null(buf, "%s: cannot read (run from the repository root)",
			   path);
	return buf;
}

static const struct hs_container *named(const struct hs_container *c,
					unsigned int n, const char *name)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		if (!strcmp(c[i].name, name))
			return &c[i];
	return NULL;
}

Test(runtime, list_names_images_pods)
{
	char *json = load("containers.json");
	const struct hs_container *web, *server;
	struct hs_container *c;
	unsigned int n;

	cr_assert_eq(hs_runtime_parse_list(json, "docker", &c, &n), 0);
	/* the stopped one is not listed */
	cr_assert_eq(n, 4, "%u containers", n);
	cr_assert_null(named(c, n, "stopped"));
	server = named(c, n, "server");
	cr_assert_not_null(server, "no 'server' (Docker's leading '/' kept?)");
	cr_assert_str_eq(server->runtime, "docker");
	cr_assert_str_eq(server->image, "hs-busybox:test");
	cr_assert_eq(strlen(server->id), 64);
	cr_assert_str_eq(server->pod, "");
	web = named(c, n, "k8s_web");
	cr_assert_not_null(web);
	cr_assert_str_eq(web->pod, "web-0");
	cr_assert_str_eq(web->pod_namespace, "shop");
	/* pid and namespace come from inspecting each */
	cr_assert_eq(server->pid, 0);
	cr_assert_eq(server->netns_inode, 0);
	free(c);
	free(json);
}

Test(runtime, inspect_running)
{
	char *json = load("inspect-server.json");
	json_object *root = json_tokener_parse(json);
	json_object *state, *pid, *id;
	struct hs_container c;

	cr_assert_eq(hs_runtime_parse_inspect(json, "docker", &c), 0);
	cr_assert_str_eq(c.name, "server");
	cr_assert_str_eq(c.image, "hs-busybox:test");
	cr_assert_eq(c.joined, 0);
	/* the very values of the answer */
	json_object_object_get_ex(root, "State", &state);
	json_object_object_get_ex(state, "Pid", &pid);
	json_object_object_get_ex(root, "Id", &id);
	cr_assert_eq(c.pid, json_object_get_int(pid));
	cr_assert_gt(c.pid, 0);
	cr_assert_str_eq(c.id, json_object_get_string(id));
	json_object_put(root);
	free(json);
}

Test(runtime, inspect_pod_sidecar_stopped)
{
	char *json = load("inspect-pod.json");
	struct hs_container c;

	cr_assert_eq(hs_runtime_parse_inspect(json, "docker", &c), 0);
	cr_assert_str_eq(c.pod, "web-0");
	cr_assert_str_eq(c.pod_namespace, "shop");
	free(json);
	json = load("inspect-sidecar.json");
	cr_assert_eq(hs_runtime_parse_inspect(json, "docker", &c), 0);
	cr_assert_eq(c.joined, 1, "--network container:server not seen");
	free(json);
	json = load("inspect-stopped.json");
	cr_assert_eq(hs_runtime_parse_inspect(json, "docker", &c), -ENOENT);
	free(json);
}

Test(runtime, not_docker_answers)
{
	struct hs_container *c = (void *)1, one;
	unsigned int n = 7;

	cr_assert_eq(hs_runtime_parse_list("{\"message\":\"page not found\"}",
					   "docker", &c, &n),
		     -EINVAL);
	cr_assert_null(c);
	cr_assert_eq(n, 0);
	cr_assert_eq(hs_runtime_parse_list("[1,2]", "docker", &c, &n), -EINVAL);
	cr_assert_eq(hs_runtime_parse_list("[", "docker", &c, &n), -EINVAL);
	cr_assert_eq(hs_runtime_parse_list("[]", "docker", &c, &n), 0);
	cr_assert_eq(n, 0);
	cr_assert_eq(hs_runtime_parse_inspect("{\"Id\":\"x\"}", "docker", &one),
		     -EINVAL);
	cr_assert_eq(hs_runtime_parse_inspect("no", "docker", &one), -EINVAL);
}

Test(runtime, by_inode_prefers_owners)
{
	struct hs_container c[3] = {
		{ .name = "a", .netns_inode = 10 },
		{ .name = "b", .netns_inode = 20 },
		{ .name = "c", .netns_inode = 20 },
	};

	cr_assert_eq(hs_container_by_inode(c, 3, 20), &c[1]);
	cr_assert_eq(hs_container_by_inode(c, 3, 10), &c[0]);
	cr_assert_null(hs_container_by_inode(c, 3, 30));
	cr_assert_null(hs_container_by_inode(c, 3, 0));
}

Test(runtime, events_recorded)
{
	char *lines = load("events.jsonl"), *second = strchr(lines, '\n') + 1;
	struct hs_container_event ev;

	*strchr(lines, '\n') = '\0';
	cr_assert_eq(hs_runtime_parse_event(lines, "docker", &ev), 1);
	cr_assert_str_eq(ev.action, "start");
	cr_assert_str_eq(ev.name, "third");
	cr_assert_eq(strlen(ev.id), 64);
	cr_assert_gt(ev.time_ns, 0);
	cr_assert_eq(hs_runtime_parse_event(second, "docker", &ev), 1);
	cr_assert_str_eq(ev.action, "die");
	cr_assert_str_eq(ev.name, "third");
	free(lines);
	lines = load("events-all.jsonl");
	*strchr(lines, '\n') = '\0';
	/* a network's event: not ours */
	cr_assert_eq(hs_runtime_parse_event(lines, "docker", &ev), 0);
	cr_assert_eq(hs_runtime_parse_event("{}", "docker", &ev), -EINVAL);
	cr_assert_eq(hs_runtime_parse_event("{\"Type\":", "docker", &ev),
		     -EINVAL);
	free(lines);
}

/* The recorded stream fed in pieces of every size from 1 byte on: the
 * same two events, in order, however the lines were cut. */
Test(runtime, events_split_anywhere)
{
	char *bytes = load("events.jsonl");
	size_t len = strlen(bytes), piece, off;
	struct hs_runtimes none = { 0 };
	struct hs_container_event got[4];

	for (piece = 1; piece <= len; piece += piece < 64 ? 1 : 97) {
		struct hs_runtime_events *ev = hs_runtime_events_open(&none);

		cr_assert_not_null(ev);
		cr_assert_geq(hs_runtime_events_fd(ev), 0);
		for (off = 0; off < len; off += piece)
			cr_assert_eq(hs_runtime_events_feed(
					     ev, "docker", bytes + off,
					     off + piece > len ? len - off :
								 piece),
				     0);
		cr_assert_eq(hs_runtime_events_read(ev, got, 4), 2,
			     "pieces of %zu bytes", piece);
		cr_assert_str_eq(got[0].action, "start");
		cr_assert_str_eq(got[1].action, "die");
		cr_assert_str_eq(got[0].runtime, "docker");
		cr_assert_str_eq(got[0].id, got[1].id);
		/* nothing more, and no stream ever opened: not ended */
		cr_assert_eq(hs_runtime_events_read(ev, got, 4), 0);
		hs_runtime_events_close(ev);
	}
	free(bytes);
}

Test(runtime, container_json_round_trip)
{
	struct hs_container c = { .runtime = "docker",
				  .id = "abc",
				  .name = "web",
				  .image = "img:1",
				  .pod = "web-0",
				  .pod_namespace = "shop" };
	struct hs_container back;
	json_object *o = hs_container_to_json(&c);

	cr_assert_str_eq(
		json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN),
		"{\"runtime\":\"docker\",\"id\":\"abc\",\"name\":\"web\","
		"\"image\":\"img:1\",\"pod\":\"web-0\",\"pod_namespace\":\"shop\"}");
	cr_assert_eq(hs_container_from_json(o, &back), 0);
	cr_assert_eq(memcmp(&c, &back, sizeof(c)), 0);
	json_object_put(o);
	/* no pod: no pod fields */
	c.pod[0] = c.pod_namespace[0] = '\0';
	o = hs_container_to_json(&c);
	cr_assert_null(strstr(json_object_to_json_string(o), "pod"));
	json_object_put(o);
	o = json_tokener_parse("{\"runtime\":\"docker\"}");
	cr_assert_eq(hs_container_from_json(o, &back), -EINVAL);
	json_object_put(o);
}

/* No socket: no runtime, and no message either. */
Test(runtime, absent_socket_is_no_runtime)
{
	struct hs_runtimes r;
	struct hs_container *c = (void *)1, one;
	unsigned int n = 3;

	setenv("DOCKER_HOST", "unix:///nonexistent/hs-docker.sock", 1);
	setenv("CONTAINER_HOST", "unix:///nonexistent/hs-podman.sock", 1);
	cr_assert_eq(hs_runtimes_find(&r), 0);
	cr_assert_eq(hs_runtimes_list(&r, &c, &n), 0);
	cr_assert_eq(n, 0);
	cr_assert_null(c);
	cr_assert_eq(hs_runtimes_by_name(&r, "docker", "web", &one), -ENOENT);
	/* not a unix socket: that runtime is not asked */
	setenv("DOCKER_HOST", "tcp://198.18.0.1:2375", 1);
	cr_assert_eq(hs_runtimes_find(&r), 0);
	unsetenv("DOCKER_HOST");
	unsetenv("CONTAINER_HOST");
}

/* ---- the inspect cache ---- */

static uint64_t self_netns(void)
{
	struct stat st;

	cr_assert_eq(stat("/proc/self/ns/net", &st), 0);
	return st.st_ino;
}

/* The recorded list, and server as inspecting it found it, with this
 * process standing in for its main one (a pid whose namespace is real). */
static void server_listed_and_inspected(struct hs_container **list,
					unsigned int *n,
					struct hs_container *inspected)
{
	char *json = load("containers.json"),
	     *insp = load("inspect-server.json");

	cr_assert_eq(hs_runtime_parse_list(json, "docker", list, n), 0);
	cr_assert_eq(hs_runtime_parse_inspect(insp, "docker", inspected), 0);
	inspected->pid = getpid();
	inspected->netns_inode = self_netns();
	free(json);
	free(insp);
}

Test(runtime, cache_serves_a_container_seen)
{
	struct hs_container_cache k = { 0 };
	struct hs_container *list, server;
	const struct hs_container *hit, *l;
	unsigned int n;

	server_listed_and_inspected(&list, &n, &server);
	l = named(list, n, "server");
	cr_assert_not_null(l);
	cr_assert_null(hs_container_cache_get(&k, l), "an empty cache served");
	cr_assert_eq(hs_container_cache_put(&k, &server), 0);
	hit = hs_container_cache_get(&k, l);
	cr_assert_not_null(hit, "the container just inspected was not served");
	cr_assert_eq(hit->pid, getpid());
	cr_assert_eq(hit->netns_inode, self_netns());
	cr_assert_str_eq(hit->image, "hs-busybox:test");
	/* another listed container was never inspected */
	cr_assert_null(hs_container_cache_get(&k, named(list, n, "client")));
	cr_assert_eq(k.hits, 1);
	cr_assert_eq(k.misses, 2);
	/* put again replaces, never duplicates */
	server.pid = 1;
	cr_assert_eq(hs_container_cache_put(&k, &server), 0);
	cr_assert_eq(k.n, 1);
	hs_container_cache_free(&k);
	cr_assert_eq(k.n, 0);
	free(list);
}

Test(runtime, cache_asks_again_after_restart_or_rename)
{
	struct hs_container_cache k = { 0 };
	struct hs_container *list, server, renamed;
	const struct hs_container *l;
	unsigned int n;

	server_listed_and_inspected(&list, &n, &server);
	l = named(list, n, "server");
	/* restarted: the pid it had now has another namespace */
	server.netns_inode = self_netns() + 1;
	cr_assert_eq(hs_container_cache_put(&k, &server), 0);
	cr_assert_null(hs_container_cache_get(&k, l),
		       "served a process whose namespace changed");
	/* restarted: the pid it had is gone (above pid_max) */
	server.netns_inode = self_netns();
	server.pid = INT32_MAX;
	cr_assert_eq(hs_container_cache_put(&k, &server), 0);
	cr_assert_null(hs_container_cache_get(&k, l), "served a dead pid");
	/* renamed: listed under another name */
	server.pid = getpid();
	cr_assert_eq(hs_container_cache_put(&k, &server), 0);
	renamed = *l;
	snprintf(renamed.name, sizeof(renamed.name), "server2");
	cr_assert_null(hs_container_cache_get(&k, &renamed),
		       "served a container under its old name");
	cr_assert_not_null(hs_container_cache_get(&k, l));
	/* same id, other runtime: another container */
	snprintf(renamed.name, sizeof(renamed.name), "server");
	snprintf(renamed.runtime, sizeof(renamed.runtime), "podman");
	cr_assert_null(hs_container_cache_get(&k, &renamed));
	hs_container_cache_free(&k);
	free(list);
}

Test(runtime, cache_forgets_what_stopped)
{
	struct hs_container_cache k = { 0 };
	struct hs_container *list, c, other;
	struct hs_container_event ev;
	char *events = load("events.jsonl");
	unsigned int n, i;

	server_listed_and_inspected(&list, &n, &c);
	/* every listed container cached, and one of podman's */
	for (i = 0; i < n; i++) {
		c = list[i];
		c.pid = getpid();
		c.netns_inode = self_netns();
		cr_assert_eq(hs_container_cache_put(&k, &c), 0);
	}
	other = c;
	snprintf(other.runtime, sizeof(other.runtime), "podman");
	cr_assert_eq(hs_container_cache_put(&k, &other), 0);
	cr_assert_eq(k.n, n + 1);
	/* docker lists all but the first: that one stopped */
	hs_container_cache_keep(&k, "docker", list + 1, n - 1);
	cr_assert_eq(k.n, n, "%u cached", k.n);
	cr_assert_null(hs_container_cache_get(&k, &list[0]));
	for (i = 1; i < n; i++)
		cr_assert_not_null(hs_container_cache_get(&k, &list[i]),
				   "%s forgotten", list[i].name);
	cr_assert_not_null(hs_container_cache_get(&k, &other),
			   "docker's list dropped podman's container");
	/* a recorded start event (the first line) forgets its container */
	events[strcspn(events, "\n")] = '\0';
	cr_assert_eq(hs_runtime_parse_event(events, "docker", &ev), 1);
	cr_assert_str_eq(ev.action, "start");
	c = list[1];
	snprintf(c.id, sizeof(c.id), "%s", ev.id);
	c.pid = getpid();
	c.netns_inode = self_netns();
	cr_assert_eq(hs_container_cache_put(&k, &c), 0);
	cr_assert_not_null(hs_container_cache_get(&k, &c));
	hs_container_cache_forget(&k, ev.runtime, ev.id);
	cr_assert_null(hs_container_cache_get(&k, &c));
	/* nothing listed: nothing of docker's kept */
	hs_container_cache_keep(&k, "docker", NULL, 0);
	cr_assert_eq(k.n, 1);
	hs_container_cache_free(&k);
	free(list);
	free(events);
}

Test(runtime, cache_grows)
{
	struct hs_container_cache k = { 0 };
	struct hs_container c = { .runtime = "docker" };
	unsigned int i;

	c.pid = getpid();
	c.netns_inode = self_netns();
	for (i = 0; i < 300; i++) {
		snprintf(c.id, sizeof(c.id), "%064x", i);
		snprintf(c.name, sizeof(c.name), "c%u", i);
		cr_assert_eq(hs_container_cache_put(&k, &c), 0);
	}
	cr_assert_eq(k.n, 300);
	for (i = 0; i < 300; i += 37) {
		snprintf(c.id, sizeof(c.id), "%064x", i);
		snprintf(c.name, sizeof(c.name), "c%u", i);
		cr_assert_not_null(hs_container_cache_get(&k, &c), "c%u", i);
	}
	hs_container_cache_free(&k);
}
