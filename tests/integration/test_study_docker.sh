#!/bin/bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# `hopscope study --docker`: the experiments on real Docker containers and
# Docker's own network drivers (the test's own engine, tests/lib/docker.sh):
# latency, round trip (sockperf between two containers) and chains of 1 to
# 3 containers that forward, each chain's function hops counted; every
# container, network, named namespace and macvlan parent removed after.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/../lib/docker.sh"
require_root
command -v sockperf >/dev/null || skip "sockperf is not installed (scripts/install-deps.sh)"
docker_up

expect 2 "--tech docker-bridge and docker-macvlan need --docker" -- \
	"$HOPSCOPE" study --tech docker-bridge

OUT=$WORK/study
SPID=
stop_study() {
	local p
	if [ -n "$SPID" ] && kill -0 "$SPID" 2>/dev/null; then
		kill -TERM "$SPID" 2>/dev/null || true
		wait "$SPID" 2>/dev/null || true
	fi
	for p in $(ip netns list | awk '{print $1}' | grep -o "^hs${SPID:-x}[a-z]*_" | sort -u); do
		"$TESTBED" down "$p" || true
	done
}
DK_PREV_TRAP="stop_study; $DK_PREV_TRAP"

"$HOPSCOPE" study --quick --docker --tech docker-bridge,docker-macvlan \
	--only latency,roundtrip,chain --out "$OUT" >"$WORK/out" 2>"$WORK/err" &
SPID=$!
wait "$SPID" || fail "study exited $?: $(tail -5 "$WORK/err")"
R=$OUT/results.jsonl
for t in docker-bridge docker-macvlan; do
	for frame in 64 1514; do
		jq -se --arg t "$t" --argjson f "$frame" 'any(.[]; .type == "cell" and .experiment == "latency"
			and .tech == $t and .frame == $f and .available and .path.packets >= 285
			and .links == $t)' "$R" >/dev/null || fail "no latency cell for $t at $frame B: $(grep "\"$t\"" "$R" | head -2)"
		jq -se --arg t "$t" --argjson f "$frame" 'any(.[]; .type == "cell" and .experiment == "roundtrip"
			and .tech == $t and .frame == $f and .available and .sockperf.observations > 100
			and .path.packets > 100 and .back.packets > 100)' "$R" >/dev/null ||
			fail "no round trip for $t at $frame B"
	done
	for n in 1 2 3; do
		got=$(jq -s --arg t "$t" --argjson n "$n" '[.[] | select(.type == "cell" and .experiment == "chain"
			and .tech == $t and .functions == $n and .available) | .hops[] | select(.kind == "function")] | length' "$R")
		[ "$got" -eq "$n" ] || fail "the $t chain of $n containers shows $got function hops"
	done
	jq -se --arg t "$t" '[.[] | select(.type == "fit" and .tech == $t)] | length == 2' "$R" >/dev/null ||
		fail "no fits for $t"
done
# Docker's macvlan is the hop between the containers, by its parent's name
jq -se 'any(.[]; .type == "cell" and .tech == "docker-macvlan" and .experiment == "latency"
	and any(.hops[]; .kind == "switch" and (.name | startswith("macvlan n0"))))' "$R" >/dev/null ||
	fail "the docker-macvlan cells name no macvlan hop"
grep -q '<td>docker-bridge</td>' "$OUT/report.html" || fail "the report has no docker-bridge row"
note "docker latency, 64 B: $(jq -r 'select(.type == "cell" and .experiment == "latency" and .frame == 64) | "\(.tech) \(.path.delay_ns.mean / 1000 * 100 | round / 100) us"' "$R" | paste -sd, -)"

# nothing of the study's left: containers, networks, names, parents
[ -z "$(dk ps -aq --filter label=hopscope.testbed)" ] || fail "containers left: $(dk ps -a --filter label=hopscope.testbed --format '{{.Names}}')"
[ -z "$(dk network ls -q --filter label=hopscope.testbed)" ] || fail "Docker networks left"
left=$(ip netns list | awk '{print $1}' | grep "^hs${SPID}" || true)
[ -z "$left" ] || fail "namespace names left: $left"
! ip -o link show | grep -q "hs${SPID}[a-z]*_n[0-9]" || fail "macvlan parents left"
