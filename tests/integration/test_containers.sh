#!/bin/bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# Containers of a real Docker Engine (the test's own, tests/lib/docker.sh)
# are named after themselves, and those names work as NETNS:
# - topo names client, server (bridge network) and mv (macvlan network)
#   docker:NAME, and the host's namespace host, in the tree and JSON;
# - run --between docker:client docker:server measures the path; every
#   point is named docker:client, docker:server or host, and the JSON
#   point lines carry the container (runtime, id, name, image) that
#   docker inspect gives, and only inside containers;
# - a delay of D injected at client:eth0 egress shows on that hop, by name,
#   in the JSON and the table; the record file's report carries the same
#   point lines, containers included;
# - --point docker:server:eth0 and --point host:IFNAME work;
# - an unknown container is a usage error (exit 2, one line naming it).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/../lib/docker.sh"
require_root
docker_up

D_US=1000
COUNT=200
docker_run client "$DK_BRIDGE" "$DK_NET.2"
docker_run server "$DK_BRIDGE" "$DK_NET.3"
docker_run mv "$DK_MACVLAN" "$DK_NET.130"

# has FILE [JQ ARGS...] COND: some JSON line of FILE meets COND
has() {
	local f=$1
	shift
	[ "$(jq -s "${@:1:$#-1}" "[.[] | select(${!#})] | length" "$f")" -gt 0 ]
}

# ---- topo ----
"$HOPSCOPE" topo --json >"$WORK/topo.jsonl"
for n in docker:client docker:server docker:mv host; do
	has "$WORK/topo.jsonl" --arg n "$n" '.type=="netns" and .name==$n' ||
		fail "topo --json names no namespace '$n'"
done
[ "$(jq -r --arg p "$(docker_pid server)" 'select(.type=="netns" and (.pids | index($p | tonumber))) | .name' "$WORK/topo.jsonl")" = docker:server ] ||
	fail "server's process is not in the namespace named docker:server"
has "$WORK/topo.jsonl" '.type=="link" and .netns=="docker:client" and .ifname=="eth0" and .peer.netns=="host"' || fail "client's eth0 has no peer in host"
has "$WORK/topo.jsonl" --arg p "${DK_TAG}p0" \
	'.type=="link" and .netns=="docker:mv" and .kind=="macvlan" and .parent.netns=="host" and .parent.ifname==$p' || fail "mv's macvlan is not named with its parent host:${DK_TAG}p0"
"$HOPSCOPE" topo >"$WORK/topo.txt"
grep -q '^netns docker:client ' "$WORK/topo.txt" || fail "the tree names no docker:client: $(cat "$WORK/topo.txt")"
# into a file: grep -q leaving early would fail the pipe (pipefail)
"$HOPSCOPE" topo --dot >"$WORK/topo.dot"
grep -q 'docker:server' "$WORK/topo.dot" || fail "the DOT graph names no docker:server"
note "topo: $(grep -c '^netns' "$WORK/topo.txt") namespaces, containers named"

# ---- unknown names: usage errors ----
expect 2 "no running docker container 'nosuch'" -- "$HOPSCOPE" run --netns docker:nosuch --duration 1
expect 2 "no running docker container 'nosuch'" -- "$HOPSCOPE" run --point docker:nosuch:eth0 --duration 1
expect 2 "no running podman container 'web'" -- "$HOPSCOPE" run --between docker:client podman:web --duration 1

# ---- --between two containers, a delay at one hop ----
"$BUILD/tests/delayctl" docker:client eth0 egress "$D_US" "$PORT" >/dev/null
# client eth0, its host-side veth, server's host-side veth, server eth0:
# tc ingress and egress each
start_hopscope 8 --between docker:client docker:server \
	--filter "udp and port $PORT" --interval 0 --write "$WORK/run.hsr"
nsenter -t "$(docker_pid client)" -n "$BUILD/tests/udpgen" "$DK_NET.3" "$PORT" 200 "$COUNT" 20 >/dev/null
stop_hopscope INT || fail "hopscope exited $? after SIGINT: $(cat "$WORK/err")"

bad=$(jq -r 'select(.type=="point" and (.netns | test("^(docker:client|docker:server|host)$") | not)) | .netns' "$WORK/out.jsonl")
[ -z "$bad" ] || fail "points named outside the containers and host: $bad"
for c in client server; do
	id=$(dk inspect -f '{{.Id}}' "$c")
	n=$(jq -s --arg n "docker:$c" --arg id "$id" \
		'[.[] | select(.type=="point" and .netns==$n and .container.runtime=="docker" and .container.id==$id and .container.name==("" + ($n | ltrimstr("docker:"))) and .container.image=="hs-busybox:test")] | length' \
		"$WORK/out.jsonl")
	[ "$n" -eq 2 ] || fail "$n point lines of docker:$c carry its container (id $id), want 2"
done
[ "$(jq -s '[.[] | select(.type=="point" and .netns=="host" and has("container"))] | length' "$WORK/out.jsonl")" -eq 0 ] ||
	fail "host points carry a container object"
[ "$(jq -s '[.[] | select(.type=="point" and .container.pod)] | length' "$WORK/out.jsonl")" -eq 0 ] ||
	fail "pod fields without Kubernetes labels"

out=$(point_id docker:client eth0 tc-egress)
[ -n "$out" ] || fail "no point docker:client:eth0 tc-egress"
hop=$(jq -c --argjson f "$out" 'select(.type=="hop" and .final and .from==$f)' "$WORK/out.jsonl")
[ -n "$hop" ] || fail "no final hop from docker:client:eth0 tc-egress"
p50=$(jq '.delay_ns.p50' <<<"$hop")
to=$(jq -r --argjson t "$(jq .to <<<"$hop")" 'select(.type=="point" and .id==$t) | .netns + ":" + .ifname' "$WORK/out.jsonl")
note "hop docker:client:eth0 -> $to: p50 $p50 ns over $(jq .packets <<<"$hop") packets"
[ "$(jq .packets <<<"$hop")" -eq "$COUNT" ] || fail "the delayed hop saw $(jq .packets <<<"$hop") packets, sent $COUNT"
[ "$p50" -ge $((D_US * 900)) ] || fail "the delay of $D_US us is not on docker:client's hop: p50 $p50 ns"
others=$(jq -s --argjson f "$out" --argjson max $((D_US * 500)) \
	'[.[] | select(.type=="hop" and .final and .from!=$f and .delay_ns.p50 > $max)] | length' "$WORK/out.jsonl")
[ "$others" -eq 0 ] || fail "$others other hops carry the delay too"
grep -q "^docker:client:eth0 tc-egress -> host:" "$WORK/table" ||
	fail "the table does not name the hop by container: $(cat "$WORK/table")"
assert_nothing_attached
"$HOPSCOPE" report "$WORK/run.hsr" --json "$WORK/report.jsonl" >/dev/null
cmp <(jq -c 'select(.type=="point")' "$WORK/out.jsonl") <(jq -c 'select(.type=="point")' "$WORK/report.jsonl") ||
	fail "hopscope report of the record file names its points otherwise"

# ---- --point docker:NAME:IFNAME and host:IFNAME ----
start_named pt 4 --point docker:server:eth0 --point "host:${DK_TAG}p0" \
	--filter "udp and port $PORT" --interval 0 --duration 1
wait "$START_PID" || fail "--point docker:server:eth0 exited $?: $(cat "$WORK/pt.err")"
wait "$START_COPY_PID" || true
[ "$(jq -s '[.[] | select(.type=="point" and .netns=="docker:server" and .ifname=="eth0" and .container.name=="server")] | length' "$WORK/pt.jsonl")" -eq 2 ] ||
	fail "--point docker:server:eth0 is not named by its container: $(grep point "$WORK/pt.jsonl")"
[ "$(jq -s --arg p "${DK_TAG}p0" '[.[] | select(.type=="point" and .netns=="host" and .ifname==$p)] | length' "$WORK/pt.jsonl")" -eq 2 ] ||
	fail "--point host:${DK_TAG}p0 is not named host"
note "--point docker:server:eth0 and host:${DK_TAG}p0: named"
