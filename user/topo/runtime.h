/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * runtime.h - the containers of the host's container runtimes, asked the
 * way their own command lines ask: the Docker Engine API over a unix
 * socket (libcurl, CURLOPT_UNIX_SOCKET_PATH; json-c for the answers).
 *
 * Runtimes: docker at $DOCKER_HOST (unix://PATH only), else
 * /var/run/docker.sock; podman through its Docker-compatible socket at
 * $CONTAINER_HOST (unix://PATH only), else /run/podman/podman.sock. A
 * runtime whose socket is absent is simply not there: no error, no
 * message. One that is there but answers badly is named in one warning
 * line (once per runtime and process) and then treated as absent.
 *
 * Promises: a container is running when listed; its netns_inode is the
 * inode of /proc/PID/ns/net of its main process, read when listed. The
 * parsing functions need no daemon (the unit tests feed them answers
 * recorded from a real dockerd, tests/fixtures/docker/). The events
 * stream never blocks its caller and runs no thread: its one descriptor
 * goes into the caller's poll or epoll set.
 */
#ifndef HS_RUNTIME_H
#define HS_RUNTIME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* One running container. Fixed sizes: it travels in record files. */
struct hs_container {
	char runtime[8]; /* "docker", "podman"; "" for no container */
	char id[65]; /* full hex id */
	char name[64]; /* without Docker's leading '/' */
	char image[128]; /* as the container was created from it */
	char pod[64]; /* label io.kubernetes.pod.name, or "" */
	char pod_namespace[64]; /* label io.kubernetes.pod.namespace, or "" */
	uint8_t joined; /* joined another's namespace (container:X mode) */
	uint8_t pad[2];
	int32_t pid; /* State.Pid; 0 when unknown */
	uint64_t netns_inode; /* of /proc/PID/ns/net; 0 when unknown */
};

#define HS_RUNTIME_MAX 2
#define HS_RUNTIME_SOCKET_MAX 108 /* sun_path */

struct hs_runtime {
	char name[8]; /* "docker", "podman" */
	char socket[HS_RUNTIME_SOCKET_MAX];
	bool warned; /* its one warning line is out */
};

/* The runtimes whose sockets exist, docker first. */
struct hs_runtimes {
	unsigned int n;
	struct hs_runtime rt[HS_RUNTIME_MAX];
};

/* The runtimes' names, NULL-terminated: what names a container's
 * namespace RUNTIME:NAME. */
extern const char *const hs_runtime_names[];
/* The index in hs_runtime_names of the len bytes at word, or -1. */
int hs_runtime_index(const char *word, size_t len);

/* Look for every runtime's socket (the environment as above); returns how
 * many were found, 0 included: none is not an error. */
unsigned int hs_runtimes_find(struct hs_runtimes *r);

/*
 * The running containers of every runtime found, with pid and netns
 * inode: *out is malloc'ed (NULL when none), *n their number. A runtime
 * that answers badly is left out after its warning line. 0 or -ENOMEM.
 */
int hs_runtimes_list(struct hs_runtimes *r, struct hs_container **out,
		     unsigned int *n);

/*
 * What inspecting containers found, kept by id so that a look at the host
 * asks the runtime only about containers it has not seen (a host with 100
 * containers looked at every second would inspect 100 a second). An
 * entry serves while its container is listed under the same name and its
 * process still has the namespace it had (/proc/PID/ns/net, one stat): a
 * restart (a new process) or a rename is inspected again. Whoever hears
 * of a start or a die may forget the id at once. Zeroed is empty.
 */
struct hs_container_cache {
	unsigned int n, cap;
	struct hs_container *c;
	unsigned long hits, misses; /* for benchmarks and the log */
};

/* The cached inspection of the container listed as l (runtime, id,
 * name), NULL when it must be inspected (again). */
const struct hs_container *hs_container_cache_get(struct hs_container_cache *k,
						  const struct hs_container *l);
/* Keep (or replace) what inspecting c found. 0 or -ENOMEM. */
int hs_container_cache_put(struct hs_container_cache *k,
			   const struct hs_container *c);
/* Forget the containers of runtime that are not among the n listed:
 * they stopped. */
void hs_container_cache_keep(struct hs_container_cache *k, const char *runtime,
			     const struct hs_container *listed, unsigned int n);
/* Forget one container (its runtime said it started or died). */
void hs_container_cache_forget(struct hs_container_cache *k,
			       const char *runtime, const char *id);
void hs_container_cache_free(struct hs_container_cache *k);

/*
 * hs_runtimes_list, inspecting only the containers cache k does not
 * serve (k NULL: every one), and keeping what it finds in k.
 */
int hs_runtimes_list_cached(struct hs_runtimes *r, struct hs_container_cache *k,
			    struct hs_container **out, unsigned int *n);

/*
 * The running container called name (or with that id) of one runtime
 * ("docker", "podman"). 0; -ENOENT when that runtime is not there or has
 * no such running container; -EIO when it answered badly (warned).
 */
int hs_runtimes_by_name(struct hs_runtimes *r, const char *runtime,
			const char *name, struct hs_container *c);

/* The container whose namespace has this inode, NULL if none. Where
 * containers share a namespace (--network container:X, a pod's) the one
 * listed first wins: hs_runtimes_list lists the owners of namespaces
 * before the containers that joined them, each by name. */
const struct hs_container *hs_container_by_inode(const struct hs_container *c,
						 unsigned int n,
						 uint64_t inode);

/* ---- parsing, without a daemon ---- */

/* GET /containers/json: the running ones, pid and inode left 0. 0, or
 * -EINVAL for an answer that is not a list of containers. */
int hs_runtime_parse_list(const char *json, const char *runtime,
			  struct hs_container **out, unsigned int *n);
/* GET /containers/ID/json: fills c (pid from State.Pid; inode left 0).
 * 0; -ENOENT when the container is not running; -EINVAL for garbage. */
int hs_runtime_parse_inspect(const char *json, const char *runtime,
			     struct hs_container *c);

struct json_object;
/* {"runtime","id","name","image"[,"pod","pod_namespace"]}: how JSON lines
 * and record files carry a container (pod fields only when present). */
struct json_object *hs_container_to_json(const struct hs_container *c);
/* The same back; 0, or -EINVAL naming nothing (the caller says where). */
int hs_container_from_json(struct json_object *o, struct hs_container *c);

/* ---- the events stream ---- */

struct hs_container_event {
	char runtime[8];
	char id[65];
	char name[64]; /* the container's name, "" if the event had none */
	char action[16]; /* "start", "die", ... as the runtime says */
	uint64_t time_ns; /* the runtime's timeNano, 0 if absent */
};

/*
 * One JSON line of GET /events. 1 with *ev filled for a container event,
 * 0 for another event (a network's, say), -EINVAL for garbage.
 */
int hs_runtime_parse_event(const char *line, const char *runtime,
			   struct hs_container_event *ev);

struct hs_runtime_events;

/*
 * Follow the start, die and rename events of every runtime in r (GET /events,
 * filtered to containers). NULL with errno set on failure; a set with no
 * runtime gives a stream that never has an event.
 */
struct hs_runtime_events *hs_runtime_events_open(const struct hs_runtimes *r);
/* Readable when hs_runtime_events_read has work: for poll/epoll. */
int hs_runtime_events_fd(const struct hs_runtime_events *ev);
/*
 * Never blocks: moves whatever the sockets hold and returns up to max
 * events that are complete, in order. The number of events, or -EPIPE
 * once every stream has ended (a daemon stopped: open it again) and no
 * event is left.
 */
int hs_runtime_events_read(struct hs_runtime_events *ev,
			   struct hs_container_event *out, unsigned int max);
/* Bytes of runtime's stream, as they came (a line may be split
 * anywhere): what the stream's reader does, callable by tests. 0 or
 * -ENOMEM. */
int hs_runtime_events_feed(struct hs_runtime_events *ev, const char *runtime,
			   const char *data, size_t len);
void hs_runtime_events_close(struct hs_runtime_events *ev);

#endif /* HS_RUNTIME_H */
