// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <errno.h>
#include <malloc.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>
#include <bpf/libbpf.h>
#include "core/log.h"
#include "live/collect.h"
#include "live/merge.h"
#include "store/recfile.h"
#include "store/recorder.h"
#include "topo/conntrack.h"

/* Records reserved but not yet submitted when we drain are at most this
 * old; everything older than "now - slack" has been seen. */
#define HS_SUBMIT_SLACK_NS 2000000ULL

/* The kernel times the probes (HS_TIMING_ON_NS in every
 * HS_TIMING_PERIOD_NS, report.h) from half a second in. */
#define HS_TIMING_FIRST_NS 500000000ULL

/* NAT hops whose conntrack answers the collector remembers asking for */
#define NAT_ASKED 64
/* how often one NAT hop's rewrite is looked up, at most: a dump of a
 * busy host's conntrack table is not for every report */
#define NAT_ASK_EVERY_NS (60ULL * 1000000000ULL)

struct collector {
	const struct hs_collect_config *cfg;
	struct hs_probes *probes; /* the agent adds and removes points */
	struct hs_output *out;
	struct hs_point_table points;
	struct hs_run_info info; /* the record file's header */
	struct hs_rec_writer *rec;
	struct hs_recorder recorder;
	/* --write DIR: the part being written, since when, what went */
	char part_path[4096];
	uint64_t part_since;
	uint64_t parts_started, parts_deleted;
	struct hs_prune_result dir;
	/* for /healthz and the collector's metrics */
	uint64_t drains, records_read;
	bool down[HS_MAX_POINTS]; /* the point's interface down or gone */
	struct hs_session session;
	bool session_up;
	/* every CPU's ring, each drain's records merged by timestamp */
	struct hs_ring_reader reader;
	struct hs_counters counters[HS_MAX_POINTS];
	struct hs_counters drain_counters[HS_MAX_POINTS]; /* note_drops' */
	uint64_t last_drain;
	uint64_t last_watch;
	bool watch_ready; /* the watch's fd was readable */
	uint64_t measuring_since; /* 0 until measuring starts */
	int timing_fd; /* the kernel times BPF programs while open */
	uint64_t timing_at; /* when to start or stop timing next */
	int epfd, tfd, sfd;
	bool follow_ready; /* the follower's descriptor polled readable */
	/* what points whose ids the agent used again had counted */
	struct hs_counters retired;
	/* when each hop (by its points) last had conntrack asked about it:
	 * a NAT hop whose flows change is asked once a minute, no more */
	struct nat_asked {
		uint16_t from, to;
		uint64_t at;
	} nat_asked[NAT_ASKED];
	unsigned int nat_asked_next;
};

static void block_set(sigset_t *set)
{
	sigemptyset(set);
	sigaddset(set, SIGINT);
	sigaddset(set, SIGTERM);
	sigaddset(set, SIGHUP);
}

int hs_collect_block_signals(void)
{
	sigset_t set;

	block_set(&set);
	return sigprocmask(SIG_BLOCK, &set, NULL) ? -errno : 0;
}

/* a run stopped by SIGINT/SIGTERM: the signal is read, no longer pending */
static volatile bool interrupted;

int hs_collect_stop_pending(void)
{
	sigset_t pending;

	if (interrupted)
		return 1;
	if (sigpending(&pending))
		return 0;
	return sigismember(&pending, SIGINT) || sigismember(&pending, SIGTERM);
}

static uint64_t now_ns(const struct collector *c)
{
	return hs_clock_now(c->cfg->clock);
}

static void on_record(void *ctx, const struct hs_record *rec)
{
	struct collector *c = ctx;

	c->records_read++;
	hs_session_record(&c->session, rec);
}

static void on_bad_record(void *ctx)
{
	struct collector *c = ctx;

	c->records_read++;
	hs_session_bad_record(&c->session);
}

/* Every point's counters, as the probes have them now (a removed
 * point's as it left them, zeros for an id never used). */
static void read_counters(struct collector *c)
{
	unsigned int i;

	/* a removed point's stay as they were when it was detached */
	for (i = 0; i < c->probes->n; i++)
		if (hs_probes_counters(c->probes, (uint16_t)i, &c->counters[i]))
			memset(&c->counters[i], 0, sizeof(c->counters[i]));
}

/* Tell the session when the ring buffer dropped records where, so that a
 * missing record is never taken for a lost packet. */
static void note_drops(struct collector *c, uint64_t now)
{
	unsigned int i;

	/* every point's in one system call: 400 points, 50 drains a second
	 * would otherwise be most of an idle agent's CPU */
	if (hs_probes_counters_all(c->probes, c->drain_counters, c->probes->n))
		return; /* next time: the drops stay counted in the map */
	for (i = 0; i < c->probes->n; i++)
		if (c->probes->points[i].in_use)
			hs_session_drops(&c->session, (uint16_t)i,
					 c->drain_counters[i].ringbuf_drops,
					 c->last_drain - HS_SUBMIT_SLACK_NS,
					 now);
	c->last_drain = now;
}

/* Drain the ring, then close every trajectory whose window has passed. */
static int drain(struct collector *c)
{
	uint64_t now = now_ns(c);
	int n;

	/* drops first: a trajectory closed below must know of them */
	note_drops(c, now);
	c->drains++;
	n = hs_ring_reader_read(&c->reader);
	if (n < 0)
		return n;
	/* no traffic must not keep trajectories open forever */
	hs_session_horizon(&c->session, now - HS_SUBMIT_SLACK_NS);
	return 0;
}

/* A scrape: the statistics as they stand, the probes' counters fresh.
 * Nothing of the session changes: what a scrape sees is no event. */
static void metrics_source(void *ctx, struct hs_report *r)
{
	struct collector *c = ctx;

	read_counters(c);
	hs_session_fill_report(&c->session, r, true);
	r->counters = c->counters;
	if (c->measuring_since)
		r->elapsed_s = (now_ns(c) - c->measuring_since) / 1e9;
}

/* Points whose probe is attached and whose interface is there and up. */
static unsigned int probes_attached(const struct collector *c)
{
	unsigned int i, n = 0;

	for (i = 0; i < c->probes->n; i++)
		n += c->probes->points[i].attached != HS_ATTACHED_NONE &&
		     !c->probes->points[i].skipped && !c->down[i];
	return n;
}

/* Bytes malloc has handed out and not had back, in the heap and in
 * mappings of their own: flat at steady state, whatever resident memory
 * does while big zeroed tables are first touched. */
static uint64_t heap_bytes(void)
{
	struct mallinfo2 mi = mallinfo2();

	return (uint64_t)mi.uordblks + mi.hblkhd;
}

/* /healthz and the collector's metrics: its figures as they stand. */
static void health_source(void *ctx, struct hs_health *h)
{
	struct collector *c = ctx;
	struct hs_health_values *v = &h->v;
	unsigned int i;

	read_counters(c);
	h->measuring = c->measuring_since != 0;
	v->probes_attached = probes_attached(c);
	/* the drops of points the agent let go stay counted */
	v->ringbuf_drops = c->retired.ringbuf_drops;
	for (i = 0; i < c->probes->n; i++) {
		v->probes += c->probes->points[i].in_use &&
			     !c->probes->points[i].skipped;
		v->ringbuf_drops += c->counters[i].ringbuf_drops;
	}
	v->bad_records = c->session.counters.bad_records;
	v->records_lost = v->ringbuf_drops + v->bad_records;
	v->records_read = c->records_read;
	v->drains = c->drains;
	v->last_drain_age_s = (now_ns(c) - c->last_drain) / 1e9;
	v->inflight = hs_session_inflight(&c->session);
	v->inflight_max = hs_session_capacity(&c->session);
	v->record_parts = c->parts_started;
	v->record_parts_deleted = c->parts_deleted;
	v->record_dir_bytes = c->dir.bytes;
	v->heap_bytes = heap_bytes();
}

/* An interface went down, came back or went (the event names its first
 * point): every probe on it counts as attached again, or no longer. */
static void on_event(void *ctx, uint16_t point, const char *event)
{
	struct collector *c = ctx;
	const struct hs_point *p = c->probes->points, *at;
	unsigned int i;

	if (point >= c->probes->n)
		return;
	at = &p[point];
	for (i = 0; i < c->probes->n; i++)
		if (p[i].ns == at->ns && p[i].link.ifindex == at->link.ifindex)
			c->down[i] = strcmp(event, "up") != 0;
}

static int epoll_add(int epfd, int fd)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.fd = fd };

	return epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev) ? -errno : 0;
}

/* The path of the next part in the record directory. */
static void next_part_path(struct collector *c)
{
	char name[HS_PART_NAME_MAX];

	hs_part_name(name, sizeof(name), time(NULL), (int)getpid(),
		     c->info.part);
	snprintf(c->part_path, sizeof(c->part_path), "%s/%s",
		 c->cfg->write_path, name);
}

/* The record directory within --keep: the oldest parts go. A failure
 * is said and measuring goes on (the next part tries again). */
static void prune_parts(struct collector *c)
{
	const char *cur = strrchr(c->part_path, '/');
	struct hs_prune_result res;
	char err[512];

	if (hs_parts_prune(c->cfg->write_path, cur ? cur + 1 : NULL,
			   &c->cfg->rotate, &res, err, sizeof(err)))
		pr_warn("%s", err);
	c->parts_deleted += res.deleted;
	c->dir = res;
}

static int open_record_file(struct collector *c)
{
	const char *path = c->cfg->write_path;
	char err[512], *header;
	int e;

	if (!path)
		return 0;
	if (c->cfg->write_dir) {
		next_part_path(c);
		path = c->part_path;
	}
	header = hs_run_info_to_json(&c->info, &c->points);
	if (!header)
		return -ENOMEM;
	e = hs_rec_create(&c->rec, path, header, err, sizeof(err));
	free(header);
	if (e) {
		pr_err("%s", err);
		return e;
	}
	c->part_since = now_ns(c);
	c->parts_started = 1;
	if (c->cfg->write_dir)
		prune_parts(c);
	return 0;
}

/* The table of attached probes, ids as the probes have them; an id not
 * in use is a skipped point with no name. */
static void points_from_probes(struct hs_point_table *t,
			       const struct hs_probes *p)
{
	unsigned int i;

	memset(t, 0, sizeof(*t));
	t->n = p->n;
	t->n_hosts = 1;
	for (i = 0; i < p->n; i++) {
		t->p[i].id = (uint16_t)i;
		if (!p->points[i].in_use)
			t->p[i].absent = true; /* a hole: never added, or removed */
		else
			hs_follow_point_info(&t->p[i], &p->points[i]);
	}
}

/* The session, feeding the record file (if any) and the outputs. */
static int start_session(struct collector *c, struct hs_output *out)
{
	struct hs_sink sink;
	int err;

	err = hs_session_init(&c->session, &c->cfg->session, &c->points);
	if (err) {
		pr_err("cannot start the analysis (%u collector threads): %s",
		       c->cfg->session.threads ? c->cfg->session.threads : 1,
		       strerror(-err));
		return err;
	}
	c->session_up = true;
	if (c->rec) {
		c->recorder.w = c->rec;
		hs_recorder_sink(&c->recorder, &sink);
		hs_session_add_sink(&c->session, &sink);
	}
	sink = (struct hs_sink){ .ctx = c, .event = on_event };
	err = hs_session_add_sink(&c->session, &sink);
	if (err)
		return err;
	hs_output_sink(out, &sink);
	return hs_session_add_sink(&c->session, &sink);
}

static int setup(struct collector *c, struct hs_output *out)
{
	const struct hs_collect_config *cfg = c->cfg;
	struct itimerspec its = {};
	sigset_t set;
	int err;

	c->epfd = c->tfd = c->sfd = -1;
	points_from_probes(&c->points, c->probes);
	c->info = cfg->info;
	hs_run_info_now(&c->info, cfg->clock);
	c->info.cfg = cfg->session;
	err = open_record_file(c);
	if (err)
		return err;
	err = start_session(c, out);
	if (err)
		return err;
	err = hs_ring_reader_open(&c->reader, c->probes->rings_fd, on_record,
				  on_bad_record, c);
	if (err)
		return err;

	block_set(&set);
	c->sfd = signalfd(-1, &set, SFD_CLOEXEC);
	c->tfd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC);
	c->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (c->sfd < 0 || c->tfd < 0 || c->epfd < 0)
		return -errno;
	its.it_interval.tv_sec = cfg->drain_ms / 1000;
	its.it_interval.tv_nsec = (long)(cfg->drain_ms % 1000) * 1000000L;
	its.it_value = its.it_interval;
	if (timerfd_settime(c->tfd, 0, &its, NULL))
		return -errno;
	if ((err = epoll_add(c->epfd, hs_ring_reader_fd(&c->reader))) ||
	    (err = epoll_add(c->epfd, c->tfd)) ||
	    (err = epoll_add(c->epfd, c->sfd)))
		return err;
	if (hs_watch_fd(cfg->watch) >= 0 &&
	    (err = epoll_add(c->epfd, hs_watch_fd(cfg->watch))))
		return err;
	if (cfg->follow && hs_follow_fd(cfg->follow) >= 0 &&
	    (err = epoll_add(c->epfd, hs_follow_fd(cfg->follow))))
		return err;
	if (cfg->metrics) {
		hs_metrics_set_source(cfg->metrics, metrics_source, c);
		hs_metrics_set_health(cfg->metrics, health_source, c);
		err = epoll_add(c->epfd, hs_metrics_fd(cfg->metrics));
	}
	return err;
}

static void teardown(struct collector *c)
{
	/* kernel.bpf_stats_enabled as it was */
	if (c->timing_fd >= 0)
		close(c->timing_fd);
	if (c->cfg->metrics) {
		hs_metrics_set_source(c->cfg->metrics, NULL, NULL);
		hs_metrics_set_health(c->cfg->metrics, NULL, NULL);
	}
	hs_ring_reader_close(&c->reader);
	if (c->session_up)
		hs_session_free(&c->session);
	if (c->epfd >= 0)
		close(c->epfd);
	if (c->tfd >= 0)
		close(c->tfd);
	if (c->sfd >= 0)
		close(c->sfd);
}

/* Turn the kernel's timing of the probes on or off when it is time to. */
static void time_probes(struct collector *c, uint64_t now)
{
	if (!c->measuring_since || now < c->timing_at)
		return;
	if (c->timing_fd >= 0) {
		close(c->timing_fd);
		c->timing_fd = -1;
		c->timing_at += HS_TIMING_PERIOD_NS - HS_TIMING_ON_NS;
		return;
	}
	c->timing_fd = hs_probes_time();
	if (c->timing_fd < 0) {
		pr_debug(
			"the kernel does not time BPF programs (%s): no probe cost",
			strerror(-c->timing_fd));
		c->timing_at = UINT64_MAX;
		return;
	}
	c->timing_at += HS_TIMING_ON_NS;
}

/* What the kernel timed of each probe over the run (zeros where it did
 * not time them), for the final report. */
static void note_cost(struct collector *c)
{
	struct hs_probe_cost cost[HS_MAX_POINTS] = {};
	unsigned int i;

	/* zeros for an id not in use (-ENOENT) */
	for (i = 0; i < c->probes->n; i++)
		hs_probes_run_time(c->probes, (uint16_t)i, &cost[i].run_time_ns,
				   &cost[i].run_cnt);
	hs_session_cost(&c->session, cost);
}

/* Whether conntrack may be asked about the hop now (at most every
 * NAT_ASK_EVERY_NS; the oldest remembered hop is forgotten first). */
static bool nat_may_ask(struct collector *c, const struct hs_hop *hop,
			uint64_t now)
{
	struct nat_asked *a;
	unsigned int i;

	for (i = 0; i < NAT_ASKED; i++) {
		a = &c->nat_asked[i];
		if (a->at && a->from == hop->from && a->to == hop->to) {
			if (now - a->at < NAT_ASK_EVERY_NS)
				return false;
			a->at = now;
			return true;
		}
	}
	a = &c->nat_asked[c->nat_asked_next];
	c->nat_asked_next = (c->nat_asked_next + 1) % NAT_ASKED;
	*a = (struct nat_asked){ hop->from, hop->to, now ? now : 1 };
	return true;
}

/*
 * Name the NAT hops' rewrites not yet named, from the conntrack table of
 * the namespace where the rewrite happened (the hop's second point's).
 * A flow whose entry is gone stays named by its flow hashes. A hop is
 * asked about once a minute at most: with many flows its last rewrite
 * changes every report, and each question dumps a table that can be big,
 * on the loop that drains the ring.
 */
static void name_nat_hops(struct collector *c)
{
	const struct hs_hops *h = &c->session.hops;
	const struct hs_point_table *t = c->session.points;
	char text[HS_NAT_TEXT_MAX];
	uint32_t i;

	for (i = 0; i < h->n_hops; i++) {
		const struct hs_hop *hop = &h->hops[i];
		int found;

		if (!hop->nat.crossings ||
		    hs_nat_name_find(&c->session.nat_names, hop->nat.flow_in,
				     hop->nat.flow_out) ||
		    !nat_may_ask(c, hop, now_ns(c)))
			continue;
		found = hs_ct_find_rewrite(t->p[hop->to].netns,
					   hop->nat.flow_in, hop->nat.flow_out,
					   text, sizeof(text));
		if (found > 0)
			hs_session_nat_name(&c->session, hop->nat.flow_in,
					    hop->nat.flow_out, text);
		else if (found < 0)
			pr_debug("NAT hop %u -> %u: %s", hop->from, hop->to,
				 text);
	}
}

static void report(struct collector *c, bool final, double elapsed, double span)
{
	name_nat_hops(c);
	read_counters(c);
	hs_session_report(&c->session, final, elapsed, span, c->counters);
}

/* The record file's next part: at the same path (a file that SIGHUP
 * says was moved away), or under a new name in the record directory. */
static void rotate(struct collector *c, const char *why)
{
	struct hs_point_table *live;
	char err[512], *header = NULL;

	if (!c->rec)
		return;
	c->info.part++;
	/* the new part's header holds the points live now (the agent's
	 * come and go); the frames after it add and remove the others */
	live = malloc(sizeof(*live));
	if (live) {
		hs_session_live_points(&c->session, live);
		header = hs_run_info_to_json(&c->info, live);
		free(live);
	}
	if (!header) {
		pr_err("out of memory: record file '%s' goes on as it was",
		       hs_rec_path(c->rec));
		c->info.part--;
		return;
	}
	if (c->cfg->write_dir)
		next_part_path(c);
	if (hs_rec_reopen_at(c->rec, c->cfg->write_dir ? c->part_path : NULL,
			     header, err, sizeof(err)))
		pr_err("%s", err);
	free(header);
	c->part_since = now_ns(c);
	if (!hs_rec_is_open(c->rec)) {
		c->info.part--; /* the next rotation tries this part again */
		return;
	}
	c->parts_started++;
	if (c->cfg->write_dir) {
		pr_debug("%s: record part '%s' started", why,
			 hs_rec_path(c->rec));
		prune_parts(c);
	} else {
		pr_info("%s: record file '%s' started afresh (part %u)", why,
			hs_rec_path(c->rec), c->info.part);
	}
}

/* --write DIR: a part that holds --rotate's size, or is as old as its
 * age, is closed and the next begun. One lseek a tick; opening the next
 * part and listing the directory only when one is due. */
static void rotate_if_due(struct collector *c, uint64_t now)
{
	if (!c->rec || !c->cfg->write_dir)
		return;
	if (hs_rotate_due(&c->cfg->rotate, hs_rec_bytes(c->rec),
			  now - c->part_since))
		rotate(c, "rotation");
}

/* SIGHUP: the JSON and CSV files were moved away (log rotation); start
 * them again at their paths. One that cannot be opened goes on as it was. */
static void reopen_outputs(struct collector *c)
{
	const char *which = NULL;
	int e = hs_output_reopen(c->out, &which);

	if (e)
		pr_err("SIGHUP: cannot open '%s' again: %s (writing on where it was)",
		       which, strerror(-e));
}

/* The agent: points come and go after the ring is drained, so that a
 * point removed has all its records read. */
static void follow(struct collector *c, uint64_t now)
{
	struct hs_follow_target t = {
		.probes = c->probes,
		.stop = hs_collect_stop_pending,
		.points = &c->points,
		.session = &c->session,
		.retired = &c->retired,
	};

	if (!c->cfg->follow)
		return;
	hs_follow_tick(c->cfg->follow, &t, now, c->follow_ready);
	c->follow_ready = false;
}

/* 1 to stop (SIGINT/SIGTERM). */
static int read_signal(struct collector *c)
{
	struct signalfd_siginfo si;

	if (read(c->sfd, &si, sizeof(si)) != sizeof(si))
		return 0;
	if (si.ssi_signo == SIGHUP) {
		reopen_outputs(c);
		rotate(c, "SIGHUP");
		return 0;
	}
	pr_info("%s: stopping", strsignal(si.ssi_signo));
	interrupted = true;
	return 1;
}

/* Wait for what is ready; 1 to stop, -errno on failure. */
static int wait_events(struct collector *c)
{
	struct epoll_event evs[8];
	uint64_t ticks;
	int i, n, stop = 0;

	n = epoll_wait(c->epfd, evs, 8, -1);
	if (n < 0 && errno == EINTR)
		return 0;
	if (n < 0) {
		pr_err("epoll_wait: %s", strerror(errno));
		return -errno;
	}
	for (i = 0; i < n; i++) {
		if (evs[i].data.fd == c->sfd)
			stop |= read_signal(c);
		else if (c->cfg->follow &&
			 evs[i].data.fd == hs_follow_fd(c->cfg->follow))
			c->follow_ready = true;
		else if (evs[i].data.fd == hs_watch_fd(c->cfg->watch))
			c->watch_ready = true;
		else if (evs[i].data.fd == c->tfd &&
			 read(c->tfd, &ticks, sizeof(ticks)) < 0)
			continue;
	}
	/* the endpoint's own timeouts, and whatever it has waiting */
	if (c->cfg->metrics)
		hs_metrics_run(c->cfg->metrics);
	return stop;
}

int hs_collect_run(struct hs_probes *probes,
		   const struct hs_collect_config *cfg, struct hs_output *out)
{
	struct collector *c = calloc(1, sizeof(*c));
	uint64_t interval_ns = (uint64_t)(cfg->interval_s * 1e9);
	uint64_t duration_ns = (uint64_t)(cfg->duration_s * 1e9);
	uint64_t start, last_report, armed;
	bool ready = false;
	int err, stop = 0;

	if (!c)
		return -ENOMEM;
	c->timing_fd = -1;
	c->cfg = cfg;
	c->probes = probes;
	c->out = out;
	err = setup(c, out);
	if (err) {
		pr_err("cannot start the collector: %s", strerror(-err));
		goto out;
	}
	start = last_report = c->last_drain = c->last_watch = now_ns(c);
	/* the probes are all attached now: one window later, every packet
	 * is seen at every point it crosses */
	armed = start + cfg->session.window_ns;
	hs_session_armed(&c->session, armed);
	while (!stop) {
		uint64_t now;

		stop = wait_events(c);
		if (stop < 0) {
			err = stop;
			break;
		}
		err = drain(c);
		if (err) {
			pr_err("reading the ring buffer: %s", strerror(-err));
			break;
		}
		now = now_ns(c);
		follow(c, now);
		if (!ready && now >= armed) {
			ready = true;
			/* measuring from here: say so, start the traffic */
			hs_session_ready(&c->session, now);
			if (cfg->on_ready && cfg->on_ready(cfg->ready_ctx)) {
				err = -ECANCELED;
				break;
			}
			start = now;
			last_report = now;
			c->measuring_since = now;
			c->timing_at = now + HS_TIMING_FIRST_NS;
		}
		time_probes(c, now);
		rotate_if_due(c, now);
		if (ready && duration_ns && now - start >= duration_ns)
			stop = 1;
		/* interfaces that go down or away: as the kernel says so,
		 * and a look once a second for namespaces */
		if (c->watch_ready) {
			hs_watch_notified(cfg->watch, &c->session);
			c->watch_ready = false;
		}
		if (now - c->last_watch >= 1000000000ULL) {
			hs_watch_check(cfg->watch, &c->session);
			c->last_watch = now;
		}
		if (out->failed) {
			pr_err("cannot write the output: %s", strerror(errno));
			err = -EIO;
			break;
		}
		if (!stop && ready && interval_ns &&
		    now - last_report >= interval_ns) {
			report(c, false, (now - start) / 1e9,
			       (now - last_report) / 1e9);
			last_report = now;
		}
	}
	/* no new records from here on; what is in the ring belongs to the
	 * run, and what is still in flight is cut short, not lost */
	hs_probes_quiesce(probes);
	{
		uint64_t end = now_ns(c);

		note_drops(c, end);
		while (hs_ring_reader_read(&c->reader) > 0)
			;
		hs_session_end(&c->session, end);
		note_cost(c);
		report(c, true, (end - start) / 1e9, (end - last_report) / 1e9);
	}
	if (c->session.counters.bad_records)
		pr_warn("%llu malformed ring buffer records ignored",
			(unsigned long long)c->session.counters.bad_records);
	if (c->rec) {
		int e = hs_rec_close(c->rec);

		c->rec = NULL;
		if (e) {
			pr_err("writing record file '%s' failed: %s",
			       cfg->write_path, strerror(-e));
			err = err ? err : e;
		}
	}
out:
	hs_rec_close(c->rec);
	teardown(c);
	free(c);
	return err;
}
