// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/exit.h"
#include "core/log.h"
#include "store/replay.h"

/* ---- one frame into a session ---- */

static int bad_frame(const struct hs_rec_frame *f, char *err, size_t errlen,
		     const char *what)
{
	snprintf(err, errlen, "corrupt frame at byte %llu of its content: %s",
		 (unsigned long long)f->offset, what);
	return -EINVAL;
}

/* The replay's table (hs_replay_session gave the session its own) up to
 * n ids, those new absent. */
static bool grow_table(struct hs_session *s, unsigned int n)
{
	struct hs_point_table *t = (struct hs_point_table *)s->points;

	if (n > HS_MAX_POINTS)
		return false;
	while (t->n < n) {
		memset(&t->p[t->n], 0, sizeof(t->p[t->n]));
		t->p[t->n].id = (uint16_t)t->n;
		t->p[t->n++].absent = true;
	}
	return true;
}

static int replay_records(struct hs_session *s, const struct hs_rec_frame *f,
			  char *err, size_t errlen)
{
	const struct hs_record *r = f->data;
	size_t i, n = f->len / sizeof(*r);

	if (f->len % sizeof(*r))
		return bad_frame(f, err, errlen, "records of a wrong size");
	for (i = 0; i < n; i++)
		hs_session_record(s, &r[i]);
	return 0;
}

static int replay_nat_name(struct hs_session *s, const struct hs_rec_frame *f,
			   char *err, size_t errlen)
{
	const struct hs_frame_nat_name *n = f->data;

	if (f->len != sizeof(*n) || !memchr(n->text, '\0', sizeof(n->text)))
		return bad_frame(f, err, errlen, "a malformed NAT name");
	hs_session_nat_name(s, n->flow_in, n->flow_out, n->text);
	return 0;
}

static int replay_drops(struct hs_session *s, const struct hs_rec_frame *f,
			char *err, size_t errlen)
{
	const struct hs_frame_drops *d = f->data;
	size_t i, n = f->len / sizeof(*d);

	if (f->len % sizeof(*d))
		return bad_frame(f, err, errlen, "drops of a wrong size");
	for (i = 0; i < n; i++)
		hs_session_drops(s, d[i].point, d[i].total, d[i].from, d[i].to);
	return 0;
}

static int replay_cost(struct hs_session *s, const struct hs_rec_frame *f,
		       char *err, size_t errlen)
{
	const struct hs_frame_cost *c = f->data;
	struct hs_probe_cost cost[HS_MAX_POINTS] = {};
	size_t i, n = f->len / sizeof(*c);

	if (f->len % sizeof(*c) || n != s->points->n)
		return bad_frame(f, err, errlen,
				 "probe costs that do not fit the point table");
	for (i = 0; i < n; i++) {
		if (c[i].point != i)
			return bad_frame(f, err, errlen,
					 "probe costs out of order");
		cost[i].run_time_ns = c[i].run_time_ns;
		cost[i].run_cnt = c[i].run_cnt;
	}
	hs_session_cost(s, cost);
	return 0;
}

static int replay_report(struct hs_session *s, const struct hs_rec_frame *f,
			 char *err, size_t errlen)
{
	const struct hs_frame_report *rep = f->data;

	if (f->len < sizeof(*rep) ||
	    f->len !=
		    sizeof(*rep) + rep->n_points * sizeof(struct hs_counters) ||
	    rep->n_points != s->points->n)
		return bad_frame(f, err, errlen,
				 "a report that does not fit the point table");
	hs_session_report(s, rep->final, rep->elapsed_s, rep->interval_s,
			  (const struct hs_counters *)(rep + 1));
	return 0;
}

/* The point into the table (the replay's own, which the session was
 * given by hs_replay_session), then into the session. */
static int replay_point_added(struct hs_session *s,
			      const struct hs_rec_frame *f, char *err,
			      size_t errlen)
{
	struct hs_point_table *t = (struct hs_point_table *)s->points;
	const char *json = (const char *)f->data + sizeof(struct hs_frame_time);
	struct hs_point_info p;
	char why[256];

	if (f->len <= sizeof(struct hs_frame_time))
		return bad_frame(f, err, errlen, "a point added without it");
	if (hs_run_info_point_from_json(json,
					f->len - sizeof(struct hs_frame_time),
					&p, why, sizeof(why)))
		return bad_frame(f, err, errlen, why);
	if (!hs_session_point_reusable(s, p.id)) {
		snprintf(why, sizeof(why), "point %u added while still in use",
			 p.id);
		return bad_frame(f, err, errlen, why);
	}
	grow_table(s, p.id + 1u);
	t->p[p.id] = p;
	hs_session_point_added(s, p.id, hs_frame_ts(f));
	return 0;
}

static int replay_point_removed(struct hs_session *s,
				const struct hs_rec_frame *f, char *err,
				size_t errlen)
{
	const struct hs_frame_point *p = f->data;
	char why[64];

	if (f->len != sizeof(*p))
		return bad_frame(f, err, errlen,
				 "a point removed of a wrong size");
	if (hs_session_point_removed(s, p->point, p->ts_ns)) {
		snprintf(why, sizeof(why), "point %u removed while not live",
			 p->point);
		return bad_frame(f, err, errlen, why);
	}
	return 0;
}

static int replay_expire(struct hs_session *s, const struct hs_rec_frame *f,
			 char *err, size_t errlen)
{
	const struct hs_frame_expire *e = f->data;

	if (f->len != sizeof(*e))
		return bad_frame(f, err, errlen, "an expiry of a wrong size");
	hs_session_expire(s, e->now_ns, e->expire_ns);
	return 0;
}

int hs_replay_frame(struct hs_session *s, const struct hs_rec_frame *f,
		    char *err, size_t errlen)
{
	const struct hs_frame_event *ev = f->data;
	bool timed = f->type == HS_FRAME_ARMED || f->type == HS_FRAME_READY ||
		     f->type == HS_FRAME_HORIZON || f->type == HS_FRAME_END;

	if (timed && f->len != sizeof(struct hs_frame_time))
		return bad_frame(f, err, errlen, "a time of a wrong size");
	switch (f->type) {
	case HS_FRAME_RECORDS:
		return replay_records(s, f, err, errlen);
	case HS_FRAME_ARMED:
		hs_session_armed(s, hs_frame_ts(f));
		return 0;
	case HS_FRAME_READY:
		hs_session_ready(s, hs_frame_ts(f));
		return 0;
	case HS_FRAME_DROPS:
		return replay_drops(s, f, err, errlen);
	case HS_FRAME_HORIZON:
		hs_session_horizon(s, hs_frame_ts(f));
		return 0;
	case HS_FRAME_EVENT:
		if (f->len != sizeof(*ev) || ev->point >= s->points->n ||
		    !memchr(ev->event, '\0', sizeof(ev->event)))
			return bad_frame(f, err, errlen, "a malformed event");
		hs_session_event(s, ev->point, ev->event);
		return 0;
	case HS_FRAME_REPORT:
		return replay_report(s, f, err, errlen);
	case HS_FRAME_END:
		hs_session_end(s, hs_frame_ts(f));
		return 0;
	case HS_FRAME_BAD_RECORD:
		hs_session_bad_record(s);
		return 0;
	case HS_FRAME_COST:
		return replay_cost(s, f, err, errlen);
	case HS_FRAME_POINT_ADDED:
		return replay_point_added(s, f, err, errlen);
	case HS_FRAME_POINT_REMOVED:
		return replay_point_removed(s, f, err, errlen);
	case HS_FRAME_EXPIRE:
		return replay_expire(s, f, err, errlen);
	case HS_FRAME_NAT_NAME:
		return replay_nat_name(s, f, err, errlen);
	}
	return bad_frame(f, err, errlen, "a second header");
}

/* ---- files and runs ---- */

int hs_rec_part_open(const char *path, struct hs_rec_part **pp)
{
	struct hs_rec_part *p = calloc(1, sizeof(*p));
	const char *header;
	char err[512];
	int e;

	*pp = p;
	if (!p || !(p->points = calloc(1, sizeof(*p->points)))) {
		pr_err("out of memory");
		return -ENOMEM;
	}
	p->path = path;
	e = hs_rec_open(&p->reader, path, &header, err, sizeof(err));
	if (e) {
		pr_err("%s", err);
		return e;
	}
	if (hs_run_info_from_json(header, &p->info, p->points, err,
				  sizeof(err))) {
		pr_err("record file '%s': %s", path, err);
		return -EIO;
	}
	return 0;
}

void hs_rec_part_free(struct hs_rec_part *p)
{
	if (!p)
		return;
	hs_rec_close_reader(p->reader);
	free(p->points);
	free(p);
}

int hs_rec_runs_group(struct hs_rec_part **parts, unsigned int n,
		      struct hs_rec_run *runs, unsigned int max_runs,
		      unsigned int *n_runs)
{
	unsigned int i, k, j;

	*n_runs = 0;
	for (i = 0; i < n; i++) {
		struct hs_rec_run *run = NULL;

		for (k = 0; k < *n_runs && !run; k++)
			if (!strcmp(runs[k].part[0]->info.run_id,
				    parts[i]->info.run_id))
				run = &runs[k];
		if (!run) {
			if (*n_runs == max_runs) {
				pr_err("more than %u runs among the files",
				       max_runs);
				return -E2BIG;
			}
			run = &runs[(*n_runs)++];
		}
		if (run->n == sizeof(run->part) / sizeof(run->part[0])) {
			pr_err("run %s: too many parts", parts[i]->info.run_id);
			return -E2BIG;
		}
		/* insertion by part number */
		for (j = run->n;
		     j > 0 && run->part[j - 1]->info.part > parts[i]->info.part;
		     j--)
			run->part[j] = run->part[j - 1];
		run->part[j] = parts[i];
		run->n++;
	}
	return 0;
}

int hs_rec_run_check(const struct hs_rec_run *run)
{
	unsigned int i;

	for (i = 1; i < run->n; i++) {
		if (run->part[i]->info.part == run->part[i - 1]->info.part) {
			pr_err("'%s' and '%s' are the same part %u of run %s",
			       run->part[i - 1]->path, run->part[i]->path,
			       run->part[i]->info.part,
			       run->part[i]->info.run_id);
			return -EINVAL;
		}
		/* points may have come since: the table only grows */
		if (run->part[i]->points->n < run->part[0]->points->n) {
			pr_err("'%s' has another point table than '%s'",
			       run->part[i]->path, run->part[0]->path);
			return -EINVAL;
		}
		if (run->part[i]->info.part != run->part[i - 1]->info.part + 1)
			pr_warn("run %s: part %u is missing; the statistics skip its time",
				run->part[i]->info.run_id,
				run->part[i - 1]->info.part + 1);
	}
	return 0;
}

void hs_replay_overrides_apply(struct hs_session_config *cfg,
			       const struct hs_replay_overrides *o)
{
	if (!o)
		return;
	if (o->warmup_set)
		cfg->warmup_ns = o->warmup_ns;
	if (o->cooldown_set)
		cfg->cooldown_ns = o->cooldown_ns;
	if (o->threads)
		cfg->threads = o->threads;
}

/* ---- one run, replayed ---- */

struct replay {
	char error[640]; /* the first damage found, said last */
	bool ended, reported_final;
	double elapsed_s; /* of the last report */
};

static void track(struct replay *rp, const struct hs_rec_frame *f)
{
	if (f->type == HS_FRAME_END) {
		rp->ended = true;
	} else if (f->type == HS_FRAME_REPORT) {
		const struct hs_frame_report *rep = f->data;

		rp->elapsed_s = rep->elapsed_s;
		rp->reported_final |= rep->final;
	}
}

/* One part's frames into the session; -1 after a damaged frame. */
static int replay_part(struct hs_session *s, struct hs_rec_part *p,
		       struct replay *rp)
{
	struct hs_rec_frame f;
	char err[512];
	int n;

	while ((n = hs_rec_next(p->reader, &f, err, sizeof(err))) == 1) {
		if (f.type == HS_FRAME_REPORT && rp->reported_final)
			continue;
		if (hs_replay_frame(s, &f, err, sizeof(err))) {
			snprintf(rp->error, sizeof(rp->error),
				 "record file '%s': %s", p->path, err);
			return -1;
		}
		/* its length checked by the replay */
		track(rp, &f);
	}
	if (n < 0)
		snprintf(rp->error, sizeof(rp->error), "%s", err);
	return n;
}

int hs_replay_session(const struct hs_rec_run *run,
		      const struct hs_replay_overrides *o, struct hs_session *s)
{
	struct hs_rec_part *first = run->part[0];
	struct hs_session_config cfg = first->info.cfg;
	int err;

	hs_replay_overrides_apply(&cfg, o);
	err = hs_session_init(s, &cfg, first->points);
	if (err)
		pr_err("cannot start the analysis (%u collector threads): %s",
		       cfg.threads ? cfg.threads : 1, strerror(-err));
	return err;
}

int hs_replay_run(const struct hs_rec_run *run, struct hs_session *s)
{
	struct hs_rec_part *first = run->part[0];
	struct replay rp = {};
	int ret = HS_EXIT_OK;
	unsigned int i;

	if (first->info.part > 0) {
		/* a later part alone starts in the middle of its run */
		pr_warn("'%s' is part %u of run %s: statistics from where it starts",
			first->path, first->info.part, first->info.run_id);
		hs_session_ready(s, 1);
	}
	for (i = 0; i < run->n && ret == HS_EXIT_OK; i++)
		if (replay_part(s, run->part[i], &rp) < 0)
			ret = HS_EXIT_FAILURE;
	if (!rp.reported_final) {
		/* cut short: report what the complete records say */
		if (!rp.ended)
			hs_session_end(s, hs_session_newest(s));
		hs_session_report(s, true, rp.elapsed_s, 0, s->point_counters);
		if (ret == HS_EXIT_OK)
			pr_warn("the run's record ends without its final report: "
				"the statistics cover its records to the end");
		else
			pr_warn("the probes' counters above are those of the last report in the file");
	}
	if (rp.error[0]) {
		/* after the statistics, so the last line says what went wrong */
		fflush(stdout);
		pr_err("%s", rp.error);
	}
	return ret;
}
