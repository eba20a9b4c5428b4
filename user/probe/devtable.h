/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * devtable.h - the loader's side of the shared probes' device table
 * (include/hs_devtable.h): give a device's hook a point id, take it away.
 *
 * The table is the probe object's global data, mapped into this process;
 * the probes read it while it is written. Every write keeps what a probe
 * can see consistent: a taken slot's ids are written before its key is
 * published, an id is cleared before a slot's key is, and each is one
 * aligned store. A device keeps one slot while any of its hooks has a
 * point, so a key is never in the table twice.
 */
#ifndef HS_DEVTABLE_USER_H
#define HS_DEVTABLE_USER_H

#include <stdint.h>
#include "hs_devtable.h"

/*
 * Point `id` (< HS_MAX_POINTS) at `hook` of the device (netns_ino,
 * ifindex) in table[HS_DEV_SLOTS]: in the device's slot if it has one,
 * else in the first free slot of its window. 0; -EEXIST if that hook of
 * that device has a point; -ENOSPC if the device has no slot and its
 * window is full; -EINVAL for a zero inode or ifindex or a bad id.
 */
int hs_devtable_set(struct hs_dev_slot *table, uint32_t netns_ino,
		    uint32_t ifindex, enum hs_hook hook, uint16_t id);
/* No point at `hook` of that device any more; its slot is freed when none
 * of its hooks has one. Nothing for a device or hook with no point. */
void hs_devtable_clear(struct hs_dev_slot *table, uint32_t netns_ino,
		       uint32_t ifindex, enum hs_hook hook);
/* The slot holding that device, or -1. */
int hs_devtable_slot(const struct hs_dev_slot *table, uint32_t netns_ino,
		     uint32_t ifindex);

#endif /* HS_DEVTABLE_USER_H */
