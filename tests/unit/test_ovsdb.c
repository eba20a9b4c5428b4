// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * ovsdb.c: the (bridge, port) pairs in ovsdb-server's answer to hopscope's
 * transact request, recorded from a real ovsdb-server
 * (tests/fixtures/ovsdb/, see tests/fixtures/README.md), and what happens
 * with answers that are not that.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <criterion/criterion.h>
#include "golden.h"
#include "topo/ovsdb.h"

#define OVSDB_DIR "tests/fixtures/ovsdb/"

/* The file as a string, in a buffer of exactly its size + 1. */
static char *load(const char *name)
{
	char path[256], *buf;
	size_t n;

	snprintf(path, sizeof(path), OVSDB_DIR "%s", name);
	buf = golden_slurp(path, &n);
	cr_assert_not_null(buf, "%s: cannot read (run from the repository root)",
			   path);
	return buf;
}

struct pair {
	const char *bridge, *port;
};

static void pairs_are(const char *json, const struct pair *want, int n_want)
{
	struct hs_ovs_port *ports = (void *)1;
	int n = hs_ovsdb_parse_reply(json, &ports), i;

	cr_assert_eq(n, n_want, "%d pairs, want %d", n, n_want);
	for (i = 0; i < n; i++) {
		cr_assert_str_eq(ports[i].bridge, want[i].bridge, "pair %d", i);
		cr_assert_str_eq(ports[i].port, want[i].port, "pair %d", i);
	}
	if (!n)
		cr_assert_null(ports);
	free(ports);
}

static void garbage(const char *json, const char *what)
{
	struct hs_ovs_port *ports = (void *)1;

	cr_assert_eq(hs_ovsdb_parse_reply(json, &ports), -EPROTO, "%s", what);
	cr_assert_null(ports, "%s", what);
}

Test(ovsdb, recorded_reply)
{
	/* br0: a ["set", ...] of four ports in this order, br1: a single
	 * ["uuid", ...] (its own internal port), br2: ["set", []] */
	static const struct pair want[] = {
		{ "br0", "p2" }, { "br0", "p1" }, { "br0", "br0" },
		{ "br0", "p3" }, { "br1", "br1" },
	};
	char *json = load("bridges.json");

	pairs_are(json, want, 5);
	free(json);
}

Test(ovsdb, no_bridges)
{
	pairs_are("{\"id\":1,\"result\":[{\"rows\":[]},{\"rows\":[]}],"
		  "\"error\":null}",
		  NULL, 0);
}

Test(ovsdb, unknown_port_uuid_and_incomplete_rows_are_skipped)
{
	static const struct pair want[] = { { "brA", "pa" } };

	pairs_are("{\"id\":1,\"result\":["
		  "{\"rows\":["
		  "{\"name\":\"brA\",\"ports\":[\"set\",[[\"uuid\",\"u-1\"],"
		  "[\"uuid\",\"u-gone\"]]]},"
		  "{\"name\":\"brB\"},"
		  "{\"ports\":[\"uuid\",\"u-1\"]}]},"
		  "{\"rows\":["
		  "{\"_uuid\":[\"uuid\",\"u-1\"],\"name\":\"pa\"},"
		  "{\"_uuid\":[\"uuid\",\"u-2\"]}]}],"
		  "\"error\":null}",
		  want, 1);
}

Test(ovsdb, recorded_errors)
{
	char *db = load("error-unknown-database.json");
	char *table = load("error-unknown-table.json");

	garbage(db, "unknown database (no result)");
	garbage(table, "per-operation syntax error, second result null");
	free(db);
	free(table);
}

Test(ovsdb, garbage)
{
	garbage("", "empty");
	garbage("garbage", "not JSON");
	garbage("{\"id\":1,\"result\":[{\"rows\":[]}", "cut short");
	garbage("[]", "an array");
	garbage("{}", "no result");
	garbage("{\"result\":null}", "null result");
	garbage("{\"result\":{\"rows\":[]}}", "result not an array");
	garbage("{\"result\":[]}", "no operations");
	garbage("{\"result\":[{\"rows\":[]}]}", "one operation");
	garbage("{\"result\":[{\"rows\":{}},{\"rows\":[]}]}",
		"rows not an array");
	garbage("{\"result\":[{\"rows\":[]},{\"count\":0}]}", "no Port rows");
	garbage("{\"result\":[7,8]}", "operations not objects");
}

/*
 * Regression: JSON null where a string belongs is passed
 * to strcmp(): a null tag in a uuid pair (ovsdb.c:47), a null uuid or a
 * null in a Port row's _uuid (ovsdb.c:76) crash the process; a null bridge
 * name becomes the bridge "(null)". Fix: take a value only when
 * json_object_is_type(v, json_type_string) (tag and uuid in
 * for_each_uuid, the uuid in port_name, the bridge name), else skip it.
 */
Test(ovsdb, nulls_where_strings_belong)
{
	static const char *const replies[] = {
		"{\"result\":[{\"rows\":[{\"name\":\"br0\",\"ports\":[null,\"u\"]}]},"
		"{\"rows\":[{\"_uuid\":[\"uuid\",\"u\"],\"name\":\"p\"}]}]}",
		"{\"result\":[{\"rows\":[{\"name\":\"br0\",\"ports\":[\"uuid\",null]}]},"
		"{\"rows\":[{\"_uuid\":[\"uuid\",\"u\"],\"name\":\"p\"}]}]}",
		"{\"result\":[{\"rows\":[{\"name\":\"br0\",\"ports\":[\"uuid\",\"u\"]}]},"
		"{\"rows\":[{\"_uuid\":[\"uuid\",null],\"name\":\"p\"}]}]}",
		"{\"result\":[{\"rows\":[{\"name\":null,\"ports\":[\"uuid\",\"u\"]}]},"
		"{\"rows\":[{\"_uuid\":[\"uuid\",\"u\"],\"name\":\"p\"}]}]}",
	};
	size_t i;

	for (i = 0; i < sizeof(replies) / sizeof(replies[0]); i++) {
		struct hs_ovs_port *ports = NULL;
		int n = hs_ovsdb_parse_reply(replies[i], &ports);

		/* skipped or refused, never a made-up pair */
		cr_assert(n == 0 || n == -EPROTO, "reply %zu: %d pairs (%s, %s)",
			  i, n, n > 0 ? ports[0].bridge : "",
			  n > 0 ? ports[0].port : "");
		free(ports);
	}
}

/*
 * Regression: a Port row whose _uuid is not an array reaches
 * json_object_array_length(), which asserts (abort) on a non-array in
 * json-c 0.16. Fix: check json_object_is_type(u, json_type_array) first.
 */
Test(ovsdb, port_uuid_not_an_array)
{
	struct hs_ovs_port *ports = NULL;
	int n = hs_ovsdb_parse_reply(
		"{\"result\":[{\"rows\":[{\"name\":\"br0\",\"ports\":[\"uuid\",\"u\"]}]},"
		"{\"rows\":[{\"_uuid\":\"u\",\"name\":\"p\"}]}]}",
		&ports);

	cr_assert(n == 0 || n == -EPROTO, "%d", n);
	free(ports);
}

Test(ovsdb, rundir)
{
	cr_assert_eq(unsetenv("OVS_RUNDIR"), 0);
	cr_assert_str_eq(hs_ovsdb_rundir(NULL), "/var/run/openvswitch");
	cr_assert_str_eq(hs_ovsdb_rundir(""), "/var/run/openvswitch");
	cr_assert_eq(setenv("OVS_RUNDIR", "/tmp/hs-ovs", 1), 0);
	cr_assert_str_eq(hs_ovsdb_rundir(NULL), "/tmp/hs-ovs");
	cr_assert_str_eq(hs_ovsdb_rundir("/run/mine"), "/run/mine");
	cr_assert_eq(setenv("OVS_RUNDIR", "", 1), 0);
	cr_assert_str_eq(hs_ovsdb_rundir(NULL), "/var/run/openvswitch");
}
