/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * bed.h - a testbed of scripts/testbed.sh with processes in its
 * namespaces: what `hopscope demo` and `hopscope study` share.
 *
 * The script is $HOPSCOPE_TESTBED, else testbed.sh in the directory this
 * binary was built for. Building and tearing down run it in their own
 * process group, so the Ctrl-C meant for us never cuts a teardown short.
 * Processes started in a namespace (the stream's sender, sockperf) hold
 * none of our descriptors, so none of them keeps a BPF link attached, and
 * die with us.
 */
#ifndef HS_CMD_BED_H
#define HS_CMD_BED_H

#include <limits.h>
#include <stdint.h>
#include <sys/types.h>
#include "cmd/traffic.h"

struct hs_bed {
	char prefix[32]; /* hs<pid>_ */
	char script[PATH_MAX];
	char kinds[160]; /* the links, as testbed.sh up takes them */
};

/* The links of a chain of `functions` functions all joined by `kind`, as
 * testbed.sh up takes them: functions + 1 of them, comma-separated. */
void hs_bed_chain_kinds(char *buf, size_t len, const char *kind,
			unsigned int functions);
/* Find the script and name the testbed after our pid. 0 or -ENOENT. */
int hs_bed_init(struct hs_bed *b);
/* testbed.sh up / down / has-ovs / has-docker. 0, or -EIO with a message
 * (but for has-*, whose failure is an answer). */
int hs_bed_script(const struct hs_bed *b, const char *verb);
/* The testbed's namespace PREFIX<node>. */
void hs_bed_netns(const struct hs_bed *b, const char *node, char *name,
		  size_t len);
/* Tell topology discovery where the testbed's OVS daemons run. */
void hs_bed_export_ovs(const struct hs_bed *b);
/* A UDP socket bound to port in node's namespace, absorbing a stream. */
int hs_bed_sink(const struct hs_bed *b, const char *node, uint16_t port);
/* What a sender did: packets sent (or -errno) and the seconds it took. */
struct hs_bed_sent {
	int64_t packets;
	double seconds;
};

/* Send t from node's namespace in a child. Its pid, or -errno. With
 * report_fd, *report_fd is where hs_bed_sent reads what it did, once it
 * has exited. */
pid_t hs_bed_send(const struct hs_bed *b, const char *node,
		  const struct hs_traffic *t, int *report_fd);
/* Read a sender's report (and close report_fd): 0, or -EIO where it
 * said nothing (killed) or failed. */
int hs_bed_sent(int report_fd, struct hs_bed_sent *sent);
/* Run argv (a program found in PATH) in node's namespace, stdout and
 * stderr to out_fd (-1: /dev/null). Its pid, or -errno. */
pid_t hs_bed_spawn(const struct hs_bed *b, const char *node,
		   char *const argv[], int out_fd);
/* SIGTERM a child and reap it; its exit status, or -1. */
int hs_bed_stop(pid_t pid);

#endif /* HS_CMD_BED_H */
