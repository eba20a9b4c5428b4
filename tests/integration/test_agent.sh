#!/bin/bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# hopscope agent against a real Docker Engine (the test's own dockerd,
# tests/lib/docker.sh): containers client and server on a user-defined
# bridge network, and mv1 and mv2 on a macvlan network, talk to each other
# while the agent runs.
#  - the agent measures them from the start, naming every hop after its
#    container (docker:client, docker:server, host-side ends in host);
#  - a known delay (1 ms spun on client:eth0 egress, after the probe) shows
#    on the hop client:eth0 -> its host-side veth, and nowhere else;
#  - a third container started mid-run is attached within 1 s of its
#    start (the agent logs the latency from Docker's start event), named
#    in the JSON point lines (container object with the id docker gives),
#    the table and the metrics;
#  - an interface docker network connect adds to it is attached within 5 s
#    (the next rescan; no full look is due then);
#  - the macvlan siblings' hop is named after both containers and carries
#    their packets;
#  - a container stopped mid-run is let go: its points are removed, and
#    its links are gone at once;
#  - SIGTERM ends the agent with status 0 and nothing of it attached;
#  - while measuring it holds only the capabilities attaching needs.
# hopscope-test: serial - a dockerd of its own, and a 1 ms delay to read
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/../lib/docker.sh"
require_root
command -v curl >/dev/null || skip "curl is not installed"

D_US=1000
COUNT=200
MPORT=$((19000 + $$ % 1000))

docker_up
docker_run client "$DK_BRIDGE" "$DK_NET.10"
docker_run server "$DK_BRIDGE" "$DK_NET.11"
docker_run leaver "$DK_BRIDGE" "$DK_NET.12"
docker_run mv1 "$DK_MACVLAN" "$DK_NET.130"
docker_run mv2 "$DK_MACVLAN" "$DK_NET.131"
cpid=$(docker_pid client)

# 3 bridged containers x (eth0 + its host-side veth) x (tc ingress +
# egress), 2 macvlan containers' eth0 and their parent x 2 hooks
HS_COMMAND=agent start_hopscope 18 -v --select docker --interval 1 \
	--filter "udp and port $PORT" --metrics "127.0.0.1:$MPORT" --expire 2
"$BUILD/tests/delayctl" "pid:$cpid" eth0 egress "$D_US" "$PORT" >/dev/null
# least privilege: once measuring, the agent keeps only what attaching new
# containers' points needs: CAP_BPF (39), CAP_PERFMON (38), CAP_SYS_ADMIN
# (21), CAP_SYS_PTRACE (19), CAP_NET_ADMIN (12); the third container
# below is attached with no more
assert_caps "$HS_PID" 000000c000281000

send_from() { # send_from CONTAINER DST COUNT
	nsenter -t "$(docker_pid "$1")" -n \
		"$BUILD/tests/udpgen" "$2" "$PORT" 200 "$3" 20 >/dev/null
}
send_from client "$DK_NET.11" "$COUNT"
send_from mv1 "$DK_NET.131" 100

# a third container starts; the agent attaches it from Docker's event
docker_run third "$DK_BRIDGE" "$DK_NET.13"
third_id=$(dk inspect -f '{{.Id}}' third)
for _ in $(seq 100); do
	grep -q 'ms after a container started' "$WORK/err" &&
		[ "$(jq -s '[.[] | select(.type=="point" and .netns=="docker:third")] | length' "$WORK/out.jsonl")" -ge 2 ] && break
	sleep 0.1
done
[ "$(jq -s '[.[] | select(.type=="point" and .netns=="docker:third")] | length' "$WORK/out.jsonl")" -ge 2 ] ||
	fail "the agent did not attach to docker:third: $(tail -5 "$WORK/err")"
latency=$(sed -n 's/.*points attached \(-\?[0-9]*\) ms after a container started.*/\1/p' "$WORK/err" | tail -1)
[ -n "$latency" ] || fail "no attach latency in the log: $(tail -5 "$WORK/err")"
note "docker:third attached $latency ms after its start event"
[ "$latency" -lt 1000 ] || fail "attached $latency ms after the start, not within 1 s"
send_from third "$DK_NET.11" 50

# an interface added to a running container (no start event; the agent
# sees the runtime make it in the host namespace) is attached at the
# next rescan, not only at the 30 s full look
dk network connect "$DK_MACVLAN" third
# grep, not jq: the file is being written, its last line may be cut
third_eth1() {
	grep '"type":"point"' "$WORK/out.jsonl" | grep '"netns":"docker:third"' |
		grep -q '"ifname":"eth1"'
}
t0=$SECONDS
for _ in $(seq 50); do
	third_eth1 && break
	sleep 0.1
done
third_eth1 ||
	fail "docker:third's eth1 (docker network connect) was not attached within 5 s: $(tail -3 "$WORK/err")"
note "docker:third's eth1 attached within $((SECONDS - t0 + 1)) s of docker network connect"

# one leaves: its points are removed and its links go with them
dk stop -t 1 leaver >/dev/null
for _ in $(seq 100); do
	grep -q '"event":"removed"' "$WORK/out.jsonl" && break
	sleep 0.1
done
grep -q '"event":"removed"' "$WORK/out.jsonl" || fail "no point of docker:leaver was removed"

curl -sS --max-time 5 "http://127.0.0.1:$MPORT/metrics" >"$WORK/metrics" ||
	fail "cannot scrape the agent"
stop_hopscope TERM || fail "the agent exited $? after SIGTERM: $(tail -5 "$WORK/err")"

# names: JSON point lines with their container objects
for c in client server third leaver; do
	id=$(dk inspect -f '{{.Id}}' "$c")
	got=$(jq -r --arg ns "docker:$c" 'select(.type=="point" and .netns==$ns) | .container.id' "$WORK/out.jsonl" | sort -u)
	[ "$got" = "$id" ] || fail "docker:$c's points carry container id '$got', not $id"
done
[ "$(jq -r 'select(.type=="point" and .netns=="docker:third") | .container.name' "$WORK/out.jsonl" | sort -u)" = third ] ||
	fail "docker:third has no container name"
[ -n "$third_id" ]
[ "$(jq -r 'select(.type=="point" and .netns=="host") | .id' "$WORK/out.jsonl" | wc -l)" -gt 0 ] ||
	fail "no host-side end is named host"

# the delay at client:eth0 egress, on the hop that leaves it, and only there
c_out=$(jq -r 'select(.type=="point" and .netns=="docker:client" and .ifname=="eth0" and .hook=="tc-egress") | .id' "$WORK/out.jsonl")
hop=$(jq -c --argjson f "$c_out" 'select(.type=="hop" and .final and .from==$f)' "$WORK/out.jsonl" | head -1)
[ -n "$hop" ] || fail "no final hop from docker:client:eth0"
p50=$(jq '.delay_ns.p50' <<<"$hop")
to=$(jq -r --argjson i "$(jq .to <<<"$hop")" 'select(.type=="point" and .id==$i) | .netns + ":" + .ifname' "$WORK/out.jsonl")
note "docker:client:eth0 -> $to ($(jq -r '.kind + " " + .via' <<<"$hop")): p50 $p50 ns"
[ "$p50" -ge $((D_US * 900)) ] && [ "$p50" -le $((D_US * 1300)) ] ||
	fail "hop from docker:client:eth0: p50 $p50 ns, injected $D_US us"
jq -c 'select(.type=="hop" and .final)' "$WORK/out.jsonl" | while read -r h; do
	[ "$(jq .from <<<"$h")" = "$c_out" ] && continue
	[ "$(jq '.delay_ns.p50' <<<"$h")" -lt $((D_US * 500)) ] ||
		fail "the delay shows on another hop: $h"
done

# the macvlan siblings: mv1's packets reach mv2, on a path named after both
m1=$(jq -r 'select(.type=="point" and .netns=="docker:mv1" and .hook=="tc-egress") | .id' "$WORK/out.jsonl")
m2=$(jq -r 'select(.type=="point" and .netns=="docker:mv2" and .hook=="tc-ingress") | .id' "$WORK/out.jsonl")
path=$(jq -c --argjson f "$m1" --argjson t "$m2" 'select(.type=="path" and .final and .points[0]==$f and .points[-1]==$t)' "$WORK/out.jsonl")
[ -n "$path" ] || fail "no path docker:mv1 -> docker:mv2"
[ "$(jq .packets <<<"$path")" -eq 100 ] || fail "the macvlan path saw $(jq .packets <<<"$path") of 100 packets"
via=$(jq -r '.points[]' <<<"$path" | while read -r id; do
	jq -r --argjson i "$id" 'select(.type=="point" and .id==$i) | .netns + ":" + .ifname + "@" + .hook' "$WORK/out.jsonl"
done | tr '\n' ' ')
note "docker:mv1 -> docker:mv2 over $via, p50 $(jq .delay_ns.p50 <<<"$path") ns"

# the table and the metrics name the containers
for c in client server third mv1; do
	grep -q "docker:$c" "$WORK/table" || fail "the table does not name docker:$c"
	grep -q "\"$c\"" "$WORK/metrics" || fail "the metrics do not name $c"
done
assert_nothing_attached
