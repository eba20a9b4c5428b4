/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * hs_devtable.h - how a shared probe finds its point: the device table.
 *
 * The shared probes look the device the kernel runs them for, (namespace
 * inode, ifindex), up in an open-addressed table held in the probe
 * object's global data (.bss), which the loader writes through libbpf's
 * mmap of it. A lookup is a multiplication, a shift and, nearly always,
 * one 8-byte compare: no helper call (a BPF hash map lookup cost 20 to 38
 * ns a packet). Each slot holds the device's key and its point id at each
 * hook (struct hs_dev_slot, in hopscope.h with the other shared
 * structs).
 *
 * A key lives in one of the HS_DEV_PROBES slots from its home slot on
 * (linear probing, wrapping). Lookups always scan that whole window, never
 * stopping at a free slot, so a slot is freed by clearing its key alone:
 * no tombstones, and removing one device never hides another.
 *
 * Header-only and compiled twice, into the probe (clang -target bpf) and
 * into user space, so that both compute the same home slot and the tests
 * can construct collisions.
 */
#ifndef HS_DEVTABLE_H
#define HS_DEVTABLE_H

#include "hopscope.h"

#ifndef __always_inline
#define __always_inline inline __attribute__((always_inline))
#endif

/* One 8-byte key per device, so that it is published in one store. */
static __always_inline __u64 hs_dev_key(__u32 netns_ino, __u32 ifindex)
{
	return ((__u64)netns_ino << 32) | ifindex;
}

/* The home slot: Fibonacci hashing, the top bits of key * 2^64/phi.
 * Inodes and ifindexes come in runs; the multiplication spreads them. */
static __always_inline __u32 hs_dev_home(__u64 key)
{
	return (__u32)((key * 0x9E3779B97F4A7C15ULL) >>
		       (64 - HS_DEV_SLOT_BITS));
}

/* The i-th slot of key's window. */
static __always_inline __u32 hs_dev_nth(__u32 home, __u32 i)
{
	return (home + i) & (HS_DEV_SLOTS - 1);
}

/*
 * The id at `hook` of the slot whose key matched, if the key is still
 * there after the id was read. A slot is freed and taken by another device
 * only between two adds, microseconds apart, yet a reader that stalled
 * between reading the key and the id would take the newcomer's id for its
 * own: reading the key again (one load, one compare) catches that. Loads
 * stay in order on x86 (TSO); the same device taking the slot again is
 * harmless, its ids being its own.
 */
static __always_inline __u32 hs_dev_read_point(const struct hs_dev_slot *s,
					       __u64 key, const int hook)
{
	__u32 id = *(const volatile __u16 *)&s->point[hook];

	return *(const volatile __u64 *)&s->key == key ? id : HS_NO_POINT;
}

/*
 * The point at `hook` of the device `key`, or HS_NO_POINT. The probe's
 * own lookup (unrolled: the first compare nearly always hits) and the
 * loader's, over table[HS_DEV_SLOTS].
 */
static __always_inline __u32 hs_dev_lookup(const struct hs_dev_slot *table,
					   __u64 key, const int hook)
{
	__u32 home = hs_dev_home(key), i;

#ifdef __clang__
#pragma unroll
#endif
	for (i = 0; i < HS_DEV_PROBES; i++) {
		const struct hs_dev_slot *s = &table[hs_dev_nth(home, i)];

		if (*(const volatile __u64 *)&s->key == key)
			return hs_dev_read_point(s, key, hook);
	}
	return HS_NO_POINT;
}

#endif /* HS_DEVTABLE_H */
