// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>
#include <bpf/libbpf.h>
#include "collect.h"
#include "hops.h"
#include "log.h"
#include "match.h"

/* Records reserved but not yet submitted when we drain are at most this
 * old; everything older than "now - slack" has been seen. */
#define HS_SUBMIT_SLACK_NS 2000000ULL

struct collector {
	struct hs_matcher matcher;
	struct hs_hops hops;
	struct ring_buffer *rb;
	uint64_t bad_records;
	uint64_t last_drain;
	uint64_t last_watch;
	int epfd, tfd, sfd;
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

int hs_collect_stop_pending(void)
{
	sigset_t pending;

	if (sigpending(&pending))
		return 0;
	return sigismember(&pending, SIGINT) || sigismember(&pending, SIGTERM);
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static int on_record(void *ctx, void *data, size_t size)
{
	struct collector *c = ctx;

	if (size < sizeof(struct hs_record)) {
		c->bad_records++;
		return 0;
	}
	hs_matcher_add(&c->matcher, data);
	return 0;
}

/* Tell the hop statistics when the ring buffer dropped records where,
 * so that a missing record is never taken for a lost packet. */
static void note_drops(struct collector *c, const struct hs_probes *probes,
		       uint64_t now)
{
	struct hs_counters cnt;
	unsigned int i;

	for (i = 0; i < probes->n; i++)
		if (!hs_probes_counters(probes, (uint16_t)i, &cnt))
			hs_hops_note_drops(&c->hops, (uint16_t)i,
					   cnt.ringbuf_drops,
					   c->last_drain - HS_SUBMIT_SLACK_NS,
					   now);
	c->last_drain = now;
}

/* Drain the ring, then close every trajectory whose window has passed. */
static int drain(struct collector *c, const struct hs_probes *probes)
{
	uint64_t now = now_ns(), horizon = now - HS_SUBMIT_SLACK_NS;
	int n;

	/* drops first: a trajectory closed below must know of them */
	note_drops(c, probes, now);
	n = ring_buffer__consume(c->rb);
	if (n < 0)
		return n;
	/* no traffic must not keep trajectories open forever */
	if (horizon > c->matcher.newest_ts)
		c->matcher.newest_ts = horizon;
	hs_matcher_expire(&c->matcher);
	return 0;
}

static int setup(struct collector *c, struct hs_probes *probes,
		 const struct hs_collect_config *cfg)
{
	struct itimerspec its = {};
	struct epoll_event ev = { .events = EPOLLIN };
	sigset_t set;
	int err;

	c->epfd = c->tfd = c->sfd = -1;
	err = hs_matcher_init(&c->matcher, cfg->max_inflight, cfg->window_ns,
			      hs_hops_fold, &c->hops);
	if (err)
		return err;
	err = hs_hops_init(&c->hops, cfg->window_ns);
	if (err)
		return err;
	c->rb = ring_buffer__new(probes->ringbuf_fd, on_record, c, NULL);
	if (!c->rb)
		return -errno;

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

	ev.data.fd = ring_buffer__epoll_fd(c->rb);
	if (epoll_ctl(c->epfd, EPOLL_CTL_ADD, ev.data.fd, &ev))
		return -errno;
	ev.data.fd = c->tfd;
	if (epoll_ctl(c->epfd, EPOLL_CTL_ADD, c->tfd, &ev))
		return -errno;
	ev.data.fd = c->sfd;
	if (epoll_ctl(c->epfd, EPOLL_CTL_ADD, c->sfd, &ev))
		return -errno;
	return 0;
}

static void teardown(struct collector *c)
{
	ring_buffer__free(c->rb);
	hs_matcher_free(&c->matcher);
	hs_hops_free(&c->hops);
	if (c->epfd >= 0)
		close(c->epfd);
	if (c->tfd >= 0)
		close(c->tfd);
	if (c->sfd >= 0)
		close(c->sfd);
}

static void report(struct collector *c, struct hs_probes *probes,
		   struct hs_output *out, bool final, double elapsed,
		   double span)
{
	struct hs_report r;

	/* what the hops still hold back for ordering belongs in the report */
	hs_hops_settle(&c->hops, final);
	r = (struct hs_report){
		.probes = probes,
		.hops = &c->hops,
		.match = &c->matcher.counters,
		.final = final,
		.elapsed_s = elapsed,
		.interval_s = span,
	};

	hs_output_report(out, &r);
}

/* 1 to stop (SIGINT/SIGTERM); SIGHUP is ignored until record files. */
static int read_signal(int sfd)
{
	struct signalfd_siginfo si;

	if (read(sfd, &si, sizeof(si)) != sizeof(si))
		return 0;
	if (si.ssi_signo == SIGHUP)
		return 0;
	pr_info("%s: stopping", strsignal(si.ssi_signo));
	return 1;
}

int hs_collect_run(struct hs_probes *probes,
		   const struct hs_collect_config *cfg, struct hs_output *out)
{
	struct collector c = {};
	uint64_t start = now_ns(), last_report = start;
	uint64_t interval_ns = (uint64_t)(cfg->interval_s * 1e9);
	uint64_t duration_ns = (uint64_t)(cfg->duration_s * 1e9);
	bool ready = false;
	int err, stop = 0;

	c.last_drain = start;
	c.last_watch = start;
	err = setup(&c, probes, cfg);
	if (err) {
		pr_err("cannot start the collector: %s", strerror(-err));
		teardown(&c);
		return err;
	}
	/* the probes are all attached now: one window later, every packet
	 * is seen at every point it crosses */
	c.matcher.ignore_before = start + cfg->window_ns;
	while (!stop) {
		struct epoll_event evs[4];
		uint64_t now, ticks;
		int i, n;

		n = epoll_wait(c.epfd, evs, 4, -1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			err = -errno;
			pr_err("epoll_wait: %s", strerror(errno));
			break;
		}
		for (i = 0; i < n; i++) {
			if (evs[i].data.fd == c.sfd)
				stop |= read_signal(c.sfd);
			else if (evs[i].data.fd == c.tfd &&
				 read(c.tfd, &ticks, sizeof(ticks)) < 0)
				continue;
		}
		err = drain(&c, probes);
		if (err) {
			pr_err("reading the ring buffer: %s", strerror(-err));
			break;
		}
		now = now_ns();
		if (!ready && now >= c.matcher.ignore_before) {
			ready = true;
			/* measuring from here: say so, start the traffic */
			if (cfg->on_ready && cfg->on_ready(cfg->ready_ctx)) {
				err = -ECANCELED;
				break;
			}
			start = now;
			last_report = now;
		}
		if (ready && duration_ns && now - start >= duration_ns)
			stop = 1;
		/* interfaces that go down or away, once a second */
		if (now - c.last_watch >= 1000000000ULL) {
			hs_watch_check(cfg->watch, out);
			c.last_watch = now;
		}
		if (out->failed) {
			pr_err("cannot write the JSON output: %s",
			       strerror(errno));
			err = -EIO;
			break;
		}
		if (!stop && ready && interval_ns &&
		    now - last_report >= interval_ns) {
			report(&c, probes, out, false, (now - start) / 1e9,
			       (now - last_report) / 1e9);
			hs_hops_new_interval(&c.hops);
			last_report = now;
		}
	}
	/* no new records from here on; what is in the ring belongs to the
	 * run, and what is still in flight is cut short, not lost */
	hs_probes_quiesce(probes);
	while (ring_buffer__consume(c.rb) > 0)
		;
	hs_matcher_flush(&c.matcher);
	if (c.bad_records)
		pr_warn("%llu malformed ring buffer records ignored",
			(unsigned long long)c.bad_records);
	report(&c, probes, out, true, (now_ns() - start) / 1e9,
	       (now_ns() - last_report) / 1e9);
	teardown(&c);
	return err;
}
