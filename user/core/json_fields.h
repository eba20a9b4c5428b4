/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * json_fields.h - one field into a json-c object, for the modules that
 * write JSON (output/json.c's lines, store/runinfo.c's record-file header).
 */
#ifndef HS_JSONFIELDS_H
#define HS_JSONFIELDS_H

#include <stdint.h>
#include <json-c/json.h>

static inline void json_add_u64(json_object *o, const char *key, uint64_t v)
{
	json_object_object_add(o, key, json_object_new_uint64(v));
}

static inline void json_add_i64(json_object *o, const char *key, int64_t v)
{
	json_object_object_add(o, key, json_object_new_int64(v));
}

static inline void json_add_str(json_object *o, const char *key, const char *v)
{
	json_object_object_add(o, key, json_object_new_string(v));
}

#endif /* HS_JSONFIELDS_H */
