// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "analysis/shards.h"

/* A shard's queue: a power of two of items. The caller publishes its
 * writes every PUBLISH_EVERY items (and at every horizon and sync), so
 * that the shard's cache line is not pulled to and fro on every record. */
#define QUEUE_ITEMS 4096u
#define PUBLISH_EVERY 64u
/* Segments end at every horizon and, between, every TICK_EVERY records:
 * a segment's trajectories are still in the caches when they are
 * folded. A shard may run up to SEGMENT_BUFS - 1 segments ahead of the
 * fold. */
#define TICK_EVERY 512u
#define SEGMENT_BUFS 8u
/* about 10 us of pause instructions before sleeping */
#define SPIN_LOOKS 1000u

/* a tick ends a segment as a horizon does, but moves nothing on */
enum item_kind { ITEM_RECORD, ITEM_TICK, ITEM_HORIZON };

/* One cache line: the caller writes it whole, past its own cache. */
struct item {
	uint64_t newest; /* the newest time seen across all shards */
	uint32_t kind; /* enum item_kind */
	uint32_t __pad;
	struct hs_record r; /* ITEM_RECORD */
	uint8_t __pad2[8];
} __attribute__((aligned(64)));
_Static_assert(sizeof(struct item) == 64, "an item is one cache line");

/* Trajectories a shard emitted in one segment, each cut to its sightings
 * (hs_trajectory_size()) and padded to 8 bytes. */
struct arena {
	uint8_t *buf;
	size_t len, cap, read;
};

struct shard {
	struct hs_matcher m;
	unsigned int index;
	/* by segment number: the caller folds one while the shard fills
	 * another */
	struct arena out[SEGMENT_BUFS];
	uint64_t open_from[SEGMENT_BUFS];
	uint64_t segment; /* the one this shard's trajectories go to */
	/* shards 1 .. n-1: their queue and thread */
	struct item *q;
	_Alignas(64) _Atomic uint64_t head; /* items taken by the shard */
	_Atomic uint64_t done; /* segments the shard has finished */
	_Atomic int shard_waits; /* the shard sleeps: wake it */
	_Alignas(64) _Atomic uint64_t tail; /* items published */
	_Atomic int caller_waits; /* the caller sleeps: wake it */
	_Atomic int stop;
	uint64_t written; /* the caller's, published or not */
	uint64_t want_done; /* the caller waits for this many segments */
	pthread_mutex_t lock;
	pthread_cond_t cond;
	pthread_t thread;
	bool running;
};

struct hs_shards {
	unsigned int n;
	struct shard *shard[HS_SHARDS_MAX];
	uint64_t newest;
	uint64_t ignore_before;
	uint64_t segment; /* the caller's current segment */
	uint64_t folded; /* segments [0, folded) are folded */
	bool ends_horizon[SEGMENT_BUFS]; /* else a tick */
	unsigned int since_tick; /* records */
	uint64_t open_from;
	hs_emit_fn fold;
	hs_advance_fn advance;
	void *ctx;
	struct hs_match_counters counters;
	uint32_t used;
};

/* ---- segment buffers ---- */

static size_t entry_size(const struct hs_trajectory *t)
{
	return (hs_trajectory_size(t) + 7) & ~(size_t)7;
}

static void on_emit(const struct hs_trajectory *t, void *ctx)
{
	struct shard *s = ctx;
	struct arena *a = &s->out[s->segment % SEGMENT_BUFS];
	size_t need = entry_size(t);

	if (a->len + need > a->cap) {
		size_t cap = a->cap ? 2 * a->cap : 1u << 16;
		uint8_t *buf;

		while (cap < a->len + need)
			cap *= 2;
		buf = realloc(a->buf, cap);
		if (!buf) {
			/* a trajectory dropped here would go uncounted */
			fprintf(stderr,
				"hopscope: collector thread %u: no memory for %zu bytes of trajectories\n",
				s->index, cap);
			abort();
		}
		a->buf = buf;
		a->cap = cap;
	}
	memcpy(a->buf + a->len, t, hs_trajectory_size(t));
	a->len += need;
}

static const struct hs_trajectory *arena_head(const struct arena *a)
{
	return a->read < a->len ? (const void *)(a->buf + a->read) : NULL;
}

/* Hand every shard's trajectories of one segment to the fold callback,
 * merged by first sighting; a tie goes to the lower shard. */
static void fold_segment(struct hs_shards *sh, unsigned int buf)
{
	const struct hs_trajectory *best;
	unsigned int i, from;

	for (;;) {
		best = NULL;
		from = 0;
		for (i = 0; i < sh->n; i++) {
			const struct hs_trajectory *t =
				arena_head(&sh->shard[i]->out[buf]);

			if (t && (!best || t->first_ts < best->first_ts)) {
				best = t;
				from = i;
			}
		}
		if (!best)
			break;
		sh->shard[from]->out[buf].read += entry_size(best);
		sh->fold(best, sh->ctx);
	}
	for (i = 0; i < sh->n; i++) {
		struct arena *a = &sh->shard[i]->out[buf];

		a->len = 0;
		a->read = 0;
	}
}

/* ---- what a shard does with an item, on whichever thread ---- */

static void shard_take(struct shard *s, const struct item *it)
{
	/* what one matcher would have closed by now */
	if (it->newest > s->m.newest_ts) {
		s->m.newest_ts = it->newest;
		hs_matcher_expire(&s->m);
	}
	if (it->kind == ITEM_RECORD) {
		hs_matcher_add(&s->m, &it->r);
		return;
	}
	s->open_from[s->segment % SEGMENT_BUFS] = hs_matcher_open_from(&s->m);
	s->segment++;
	atomic_store_explicit(&s->done, s->segment, memory_order_release);
}

/* ---- the queue: one producer (the caller), one consumer (the shard) ---- */

static void wake(struct shard *s, _Atomic int *waits)
{
	if (!atomic_load(waits))
		return;
	pthread_mutex_lock(&s->lock);
	pthread_cond_broadcast(&s->cond);
	pthread_mutex_unlock(&s->lock);
}

static void relax(void)
{
#if defined(__x86_64__)
	__builtin_ia32_pause();
#endif
}

/* Sleep on the shard's condition until ready(s) holds; *waits tells the
 * other side to wake us, and is set before ready is looked at again, so
 * that a change between the two is never missed. A few microseconds of
 * looking first: the other side is usually that close, and a sleep and a
 * wake-up cost a system call on each side. */
static void wait_until(struct shard *s, _Atomic int *waits,
		       bool (*ready)(struct shard *s))
{
	unsigned int i;

	for (i = 0; i < SPIN_LOOKS; i++) {
		if (ready(s))
			return;
		relax();
	}
	pthread_mutex_lock(&s->lock);
	atomic_store(waits, 1);
	while (!ready(s))
		pthread_cond_wait(&s->cond, &s->lock);
	atomic_store(waits, 0);
	pthread_mutex_unlock(&s->lock);
}

static bool has_items(struct shard *s)
{
	return atomic_load(&s->head) != atomic_load(&s->tail) ||
	       atomic_load(&s->stop);
}

static bool has_room(struct shard *s)
{
	return s->written - atomic_load(&s->head) < QUEUE_ITEMS;
}

static bool all_taken(struct shard *s)
{
	return atomic_load(&s->head) == atomic_load(&s->tail);
}

static void *shard_main(void *arg)
{
	struct shard *s = arg;
	uint64_t head = 0, tail;

	for (;;) {
		wait_until(s, &s->shard_waits, has_items);
		tail = atomic_load_explicit(&s->tail, memory_order_acquire);
		if (head == tail && atomic_load(&s->stop))
			return NULL;
		while (head != tail) {
			shard_take(s, &s->q[head & (QUEUE_ITEMS - 1)]);
			head++;
			/* hand room back in steps, as the caller publishes */
			if (!(head & (PUBLISH_EVERY - 1)) || head == tail) {
				atomic_store_explicit(&s->head, head,
						      memory_order_release);
				wake(s, &s->caller_waits);
			}
		}
	}
}

/*
 * Write an item where the shard will read it. A plain store would first
 * fetch the line from the shard's cache, where it was last read: about
 * as long as matching the record. A streaming store writes the line to
 * memory, and the shard's prefetcher reads the queue in order.
 */
static void put_item(struct item *dst, const struct item *it)
{
#if defined(__x86_64__)
	const long long *src = (const long long *)it;
	long long *d = (long long *)dst;
	unsigned int i;

	for (i = 0; i < sizeof(*it) / sizeof(*src); i++)
		__builtin_ia32_movnti64(&d[i], src[i]);
#else
	*dst = *it;
#endif
}

static void publish(struct shard *s)
{
	if (atomic_load_explicit(&s->tail, memory_order_relaxed) == s->written)
		return;
#if defined(__x86_64__)
	/* streaming stores are not ordered by a release store */
	__builtin_ia32_sfence();
#endif
	atomic_store_explicit(&s->tail, s->written, memory_order_release);
	wake(s, &s->shard_waits);
}

static void push(struct shard *s, const struct item *it)
{
	if (!has_room(s)) {
		publish(s);
		wait_until(s, &s->caller_waits, has_room);
	}
	put_item(&s->q[s->written & (QUEUE_ITEMS - 1)], it);
	s->written++;
	if (!(s->written & (PUBLISH_EVERY - 1)))
		publish(s);
}

static void give(struct hs_shards *sh, unsigned int i, const struct item *it)
{
	if (i == 0)
		shard_take(sh->shard[0], it);
	else
		push(sh->shard[i], it);
}

/* ---- the caller's side ---- */

static unsigned int shard_of(const struct hs_shards *sh,
			     const struct hs_record *r)
{
	uint64_t key = r->nat_key ? r->nat_key : r->fingerprint;

	/* the keys are hashes already: their high bits spread evenly */
	return (unsigned int)(((key >> 32) * sh->n) >> 32);
}

static bool segment_done(struct shard *s)
{
	return atomic_load_explicit(&s->done, memory_order_acquire) >=
	       s->want_done;
}

/* Have all shards finished segment k? */
static bool all_done(struct hs_shards *sh, uint64_t k)
{
	unsigned int i;

	for (i = 1; i < sh->n; i++)
		if (atomic_load_explicit(&sh->shard[i]->done,
					 memory_order_acquire) <= k)
			return false;
	return true;
}

/* Fold segment k, which every shard has finished; a horizon's then
 * moves the fold's time on. */
static void fold_one(struct hs_shards *sh, uint64_t k)
{
	unsigned int i, buf = (unsigned int)(k % SEGMENT_BUFS);
	uint64_t open_from = UINT64_MAX;

	fold_segment(sh, buf);
	sh->folded = k + 1;
	if (!sh->ends_horizon[buf])
		return;
	for (i = 0; i < sh->n; i++)
		if (sh->shard[i]->open_from[buf] < open_from)
			open_from = sh->shard[i]->open_from[buf];
	sh->open_from = open_from;
	if (sh->advance)
		sh->advance(open_from, sh->ctx);
}

/* Fold every segment before end, waiting for shards that lag. */
static void fold_through(struct hs_shards *sh, uint64_t end)
{
	unsigned int i;

	while (sh->folded < end) {
		for (i = 1; i < sh->n; i++) {
			struct shard *s = sh->shard[i];

			s->want_done = sh->folded + 1;
			wait_until(s, &s->caller_waits, segment_done);
		}
		fold_one(sh, sh->folded);
	}
}

/* End the current segment in every shard. The fold keeps up with the
 * shards where it can; it waits only where a shard is about to reuse the
 * buffer of a segment not yet folded. */
static void end_segment(struct hs_shards *sh, bool horizon)
{
	struct item it = { .kind = horizon ? ITEM_HORIZON : ITEM_TICK,
			   .newest = sh->newest };
	unsigned int i;

	sh->ends_horizon[sh->segment % SEGMENT_BUFS] = horizon;
	for (i = 0; i < sh->n; i++) {
		give(sh, i, &it);
		if (i)
			publish(sh->shard[i]);
	}
	sh->segment++;
	sh->since_tick = 0;
	if (sh->segment + 1 > SEGMENT_BUFS)
		fold_through(sh, sh->segment + 1 - SEGMENT_BUFS);
	while (sh->folded < sh->segment && all_done(sh, sh->folded))
		fold_one(sh, sh->folded);
}

void hs_shards_horizon(struct hs_shards *sh, uint64_t ts)
{
	if (ts > sh->newest)
		sh->newest = ts;
	end_segment(sh, true);
}

void hs_shards_add(struct hs_shards *sh, const struct hs_record *r)
{
	struct item it = { .kind = ITEM_RECORD, .r = *r };

	/* as hs_matcher_add() moves its time: warm-up records do not */
	if (r->ts_ns >= sh->ignore_before && r->ts_ns > sh->newest)
		sh->newest = r->ts_ns;
	it.newest = sh->newest;
	give(sh, shard_of(sh, r), &it);
	if (++sh->since_tick == TICK_EVERY)
		end_segment(sh, false);
}

static void sum_counters(struct hs_shards *sh)
{
	struct hs_match_counters *c = &sh->counters;
	unsigned int i, p;

	memset(c, 0, sizeof(*c));
	sh->used = 0;
	for (i = 0; i < sh->n; i++) {
		const struct hs_matcher *m = &sh->shard[i]->m;
		const struct hs_match_counters *x = &m->counters;

		c->records += x->records;
		c->trajectories += x->trajectories;
		c->evicted += x->evicted;
		c->duplicates += x->duplicates;
		for (p = 0; p < HS_MAX_POINTS; p++)
			c->point_duplicates[p] += x->point_duplicates[p];
		c->overflow += x->overflow;
		c->singletons += x->singletons;
		c->warmup += x->warmup;
		c->at_end += x->at_end;
		c->nat_joined += x->nat_joined;
		c->nat_ambiguous += x->nat_ambiguous;
		c->nat_alias_overflow += x->nat_alias_overflow;
		c->nat_contradicted += x->nat_contradicted;
		sh->used += m->used;
	}
}

void hs_shards_sync(struct hs_shards *sh)
{
	unsigned int i;

	for (i = 1; i < sh->n; i++) {
		struct shard *s = sh->shard[i];

		publish(s);
		wait_until(s, &s->caller_waits, all_taken);
	}
	fold_through(sh, sh->segment);
	/* what the current segment holds so far; the rest of it comes when
	 * it ends */
	fold_segment(sh, (unsigned int)(sh->segment % SEGMENT_BUFS));
	sum_counters(sh);
}

void hs_shards_flush(struct hs_shards *sh)
{
	unsigned int i;

	hs_shards_sync(sh);
	for (i = 0; i < sh->n; i++)
		hs_matcher_flush(&sh->shard[i]->m);
	fold_segment(sh, (unsigned int)(sh->segment % SEGMENT_BUFS));
	sum_counters(sh);
}

/* ---- setting up and tearing down ---- */

static void shard_free(struct shard *s)
{
	unsigned int i;

	if (s->running) {
		atomic_store(&s->stop, 1);
		pthread_mutex_lock(&s->lock);
		pthread_cond_broadcast(&s->cond);
		pthread_mutex_unlock(&s->lock);
		pthread_join(s->thread, NULL);
	}
	pthread_cond_destroy(&s->cond);
	pthread_mutex_destroy(&s->lock);
	hs_matcher_free(&s->m);
	for (i = 0; i < SEGMENT_BUFS; i++)
		free(s->out[i].buf);
	free(s->q);
	free(s);
}

static int shard_new(struct shard **out, unsigned int index, uint32_t capacity,
		     uint64_t window_ns)
{
	struct shard *s = aligned_alloc(64, (sizeof(*s) + 63) & ~(size_t)63);
	int err;

	if (!s)
		return -ENOMEM;
	memset(s, 0, sizeof(*s));
	s->index = index;
	pthread_mutex_init(&s->lock, NULL);
	pthread_cond_init(&s->cond, NULL);
	err = hs_matcher_init(&s->m, capacity, window_ns, on_emit, s);
	if (!err && index) {
		s->q = aligned_alloc(64, QUEUE_ITEMS * sizeof(*s->q));
		if (!s->q)
			err = -ENOMEM;
	}
	if (!err && index) {
		err = -pthread_create(&s->thread, NULL, shard_main, s);
		s->running = !err;
	}
	if (err) {
		shard_free(s);
		return err;
	}
	*out = s;
	return 0;
}

int hs_shards_new(struct hs_shards **out, unsigned int n, uint32_t capacity,
		  uint64_t window_ns, hs_emit_fn fold, hs_advance_fn advance,
		  void *ctx)
{
	struct hs_shards *sh;
	unsigned int i;
	int err = 0;

	if (n < 2 || n > HS_SHARDS_MAX || !capacity)
		return -EINVAL;
	sh = calloc(1, sizeof(*sh));
	if (!sh)
		return -ENOMEM;
	sh->fold = fold;
	sh->advance = advance;
	sh->ctx = ctx;
	for (i = 0; i < n && !err; i++) {
		err = shard_new(&sh->shard[i], i,
				capacity / n ? capacity / n : 1, window_ns);
		if (!err)
			sh->n = i + 1;
	}
	if (err) {
		hs_shards_free(sh);
		return err;
	}
	*out = sh;
	return 0;
}

void hs_shards_free(struct hs_shards *sh)
{
	unsigned int i;

	if (!sh)
		return;
	for (i = 0; i < sh->n; i++)
		shard_free(sh->shard[i]);
	free(sh);
}

/* ---- what the caller may look at ---- */

unsigned int hs_shards_count(const struct hs_shards *sh)
{
	return sh->n;
}

struct hs_matcher *hs_shards_matcher(struct hs_shards *sh, unsigned int i)
{
	return &sh->shard[i]->m;
}

const struct hs_match_counters *hs_shards_counters(const struct hs_shards *sh)
{
	return &sh->counters;
}

uint32_t hs_shards_used(const struct hs_shards *sh)
{
	return sh->used;
}

uint64_t hs_shards_newest(const struct hs_shards *sh)
{
	return sh->newest;
}

uint64_t hs_shards_open_from(const struct hs_shards *sh)
{
	return sh->open_from;
}

void hs_shards_ignore_before(struct hs_shards *sh, uint64_t ts)
{
	unsigned int i;

	sh->ignore_before = ts;
	for (i = 0; i < sh->n; i++)
		sh->shard[i]->m.ignore_before = ts;
}
