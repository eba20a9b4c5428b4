/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * study.h - `hopscope study`: Anderson et al.'s experiments ("Performance
 * Considerations of Network Functions Virtualization using Containers")
 * rerun on this host with hopscope's own probes. Each experiment builds
 * its testbeds with scripts/testbed.sh, sends bounded streams through
 * them, and keeps what the in-process collector reported; study_out.c
 * turns the cells into results.jsonl, a CSV per experiment and a
 * self-contained report.html.
 */
#ifndef HS_CMD_STUDY_H
#define HS_CMD_STUDY_H

#include <stdbool.h>
#include <stdint.h>
#include "live/run.h"

enum hs_study_exp {
	HS_EXP_LATENCY, /* Figs 2/3: frame sizes, per-hop shares */
	HS_EXP_JITTER, /* Tables I and II */
	HS_EXP_EFFICIENCY, /* Fig 5: CPU per packet */
	HS_EXP_ROUNDTRIP, /* Fig 6: container to container, with sockperf */
	HS_EXP_CHAIN, /* Figs 7-9, Table III */
	HS_EXPS,
};

enum hs_study_tech {
	HS_TECH_NATIVE,
	HS_TECH_DIRECT,
	HS_TECH_MACVLAN,
	HS_TECH_SRIOV,
	HS_TECH_BRIDGE,
	HS_TECH_OVS,
	HS_TECH_DOCKER_BRIDGE, /* Docker's own drivers, with --docker */
	HS_TECH_DOCKER_MACVLAN,
	HS_TECHS,
};

extern const char *const hs_study_exp_names[HS_EXPS];
extern const char *const hs_study_tech_names[HS_TECHS];

struct hs_study_opts {
	bool quick; /* small n, N = 3, two frame sizes */
	const char *out; /* the report's directory */
	unsigned int exps; /* 1 << enum hs_study_exp */
	unsigned int techs; /* 1 << enum hs_study_tech */
	bool docker; /* the Docker techs: containers of DOCKER_HOST's engine */
	unsigned int max_vnfs; /* the longest chain */
	struct hs_run_opts run; /* probe and collect settings */
};

#define HS_STUDY_MAX_HOPS 24

/* One statistic's summary, ns. */
struct hs_study_leg {
	uint64_t packets;
	double mean, stdev, min, max, p50, p99;
	double j_min, j_max, j_mean, j_stdev; /* RFC 3550 J */
	double late_max, late_mean, late_stdev;
	uint64_t lost;
};

struct hs_study_hop {
	char name[160];
	char kind[16];
	double share; /* of the path's mean delay */
	struct hs_study_leg leg;
};

/* One measurement: an experiment, a technology, a frame size or a chain
 * length. */
struct hs_study_cell {
	enum hs_study_exp exp;
	enum hs_study_tech tech;
	unsigned int frame; /* bytes on the wire, FCS left out */
	unsigned int functions; /* chain: VNFs on the path */
	char kinds[160]; /* testbed.sh's links; "" where none stand for it */
	bool available;
	char reason[160]; /* why not, or what was adapted */
	uint32_t rate_pps;
	struct hs_study_leg path; /* sender to receiver */
	struct hs_study_leg back; /* round trip: receiver to sender */
	unsigned int n_hops;
	struct hs_study_hop hops[HS_STUDY_MAX_HOPS];
	/* efficiency: CPU ns a packet, the host's idle rate taken off */
	double cpu_user, cpu_system, cpu_softirq, probe_ns;
	/* round trip: sockperf's own figures, ns */
	double sp_rtt_mean, sp_rtt_stdev, sp_rtt_p50, sp_rtt_p99;
	uint64_t sp_observations;
};

/* A line fitted against chain length (Table III). */
struct hs_study_fit {
	enum hs_study_tech tech;
	const char *metric; /* delay_mean, jitter_mean */
	unsigned int n;
	double x[8], y[8]; /* functions, ns */
	double slope, intercept, r2;
};

struct hs_study_host {
	char cpu[128];
	unsigned int cpus;
	char kernel[160];
	bool pinned;
	char ovs_datapath[64];
	char started[32];
	double seconds;
};

struct hs_study_results {
	const struct hs_study_opts *opts;
	struct hs_study_host host;
	struct hs_study_cell *cells;
	unsigned int n_cells;
	struct hs_study_fit fits[HS_TECHS * 2];
	unsigned int n_fits;
};

/* The namespace technology a Docker one stands for (docker-bridge:
 * bridge), or t itself: which of the paper's rows it is compared with. */
enum hs_study_tech hs_study_paper_tech(enum hs_study_tech t);

/* Returns an enum hs_exit. */
int hs_study(struct hs_study_opts *o);

/* study_out.c: results.jsonl, the CSVs and report.html in o->out. 0 or
 * -errno with a message. */
int hs_study_write(const struct hs_study_results *r);

#endif /* HS_CMD_STUDY_H */
