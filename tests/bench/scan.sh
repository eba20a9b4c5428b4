#!/bin/bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#
# scan.sh [--quick] [N...] - what following a host's containers costs the
# agent with N busybox containers running (10 50 100 by default; --quick:
# 10, shorter): a private dockerd (tests/lib/docker.sh), the containers on
# its bridge network, then for each N
#   (a) one look at the host (tests/bench/scan.c: listing the containers,
#       discovering the topology, the follower's full look and its cheap
#       check), in ms;
#   (b) the agent's CPU while idle over IDLE_S seconds (30; --quick 10),
#       from /proc/PID/stat, in % of one CPU;
#   (c) the agent's attach latency for one more container started with N
#       running, as its -v log says it ("N points attached X ms after a
#       container started").
# SCAN_BEFORE=DIR names another build (DIR/hopscope, DIR/bench/scan) to
# measure side by side, alternating with this one.
#
# NETWORK SAFETY: no packet is sent. The daemon, its networks (198.19.N)
# and every container are this script's own and removed in its exit trap;
# the agent is stopped by its pid.
set -euo pipefail
cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build}
ROUNDS=9
IDLE_S=30
[ "${1:-}" = --quick ] && { ROUNDS=3; IDLE_S=10; shift; }
COUNTS=("$@")
[ ${#COUNTS[@]} -gt 0 ] || COUNTS=(10 50 100)
[ -n "${QUICK_COUNTS:-}" ] && COUNTS=($QUICK_COUNTS)
for n in "${COUNTS[@]}"; do
	[[ "$n" =~ ^[0-9]+$ ]] && [ "$n" -ge 1 ] && [ "$n" -le 120 ] ||
		{ echo "scan: bad N '$n': 1 to 120 (one /25 network)" >&2; exit 2; }
done
[ "$(id -u)" -eq 0 ] || { echo "scan: needs root (BPF, dockerd)" >&2; exit 77; }

BUILDS=("$BUILD")
[ -n "${SCAN_BEFORE:-}" ] && BUILDS=("$SCAN_BEFORE" "$BUILD")
AGENT_PID=
agent_stop() {
	[ -n "$AGENT_PID" ] || return 0
	kill -TERM "$AGENT_PID" 2>/dev/null || true
	wait "$AGENT_PID" 2>/dev/null || true
	AGENT_PID=
}
trap 'agent_stop' EXIT
# shellcheck source=tests/lib/docker.sh
. tests/lib/docker.sh
docker_up
WORK=$DK_DIR/scan
mkdir -p "$WORK"
running=0

# Start containers until n run, 4 at a time.
grow_to() {
	local pids=() k
	for ((k = running; k < $1; k++)); do
		docker_run "${DK_TAG}_c$k" "$DK_BRIDGE" &
		pids+=($!)
		if [ ${#pids[@]} -eq 4 ]; then wait "${pids[@]}"; pids=(); fi
	done
	[ ${#pids[@]} -eq 0 ] || wait "${pids[@]}"
	running=$1
}

# wait_log FILE REGEX SECONDS: bounded polling of a log (no event to wait on)
wait_log() {
	local deadline=$((SECONDS + $3))
	until grep -qE "$2" "$1"; do
		[ $SECONDS -lt $deadline ] || return 1
		kill -0 "$AGENT_PID" 2>/dev/null || return 1
		sleep 0.1
	done
}

cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }

# agent BUILD N: idle CPU and attach latency of one agent, one line
agent() {
	local b=$1 n=$2 log=$WORK/agent.log t0 t1 c0 c1 hz cpu lat
	: >"$log"
	"$b/hopscope" agent -v --interval 3600 >/dev/null 2>"$log" &
	AGENT_PID=$!
	wait_log "$log" "following [0-9]+ points" 120 ||
		{ echo "scan: the agent attached nothing: $(tail -n 3 "$log")" >&2; exit 1; }
	sleep 2 # settle: the first drains and expiries
	hz=$(getconf CLK_TCK)
	l0=$(wc -l <"$log")
	c0=$(cpu_ticks "$AGENT_PID")
	t0=$(date +%s.%N)
	sleep "$IDLE_S"
	c1=$(cpu_ticks "$AGENT_PID")
	t1=$(date +%s.%N)
	cpu=$(awk -v a="$c0" -v b="$c1" -v hz="$hz" -v t0="$t0" -v t1="$t1" \
		'BEGIN { printf "%.2f", 100 * (b - a) / hz / (t1 - t0) }')
	# full looks a change on the host asked for (-v says why): on a
	# shared machine others' namespaces and links come and go
	looks=$(tail -n +$((l0 + 1)) "$log" | head -n $((IDLE_S * 200)) |
		grep -c "looking again" || true)
	docker_run "${DK_TAG}_extra" "$DK_BRIDGE"
	if wait_log "$log" "attached [0-9]+ ms after" 20; then
		lat=$(grep -oE "attached [0-9]+ ms after" "$log" | tail -n 1 | grep -oE "[0-9]+")
	else
		lat=-1
	fi
	agent_stop
	dk rm -f "${DK_TAG}_extra" >/dev/null
	printf '%-10s %4d containers: agent idle %6s %% of a CPU over %d s (%s looks asked for by changes), attach %5s ms after start\n' \
		"$(basename "$b")" "$n" "$cpu" "$IDLE_S" "$looks" "$lat"
	[ -z "${BENCH_JSON:-}" ] || {
		echo "{\"bench\":\"scan\",\"section\":\"agent\",\"name\":\"idle CPU, $n containers, $(basename "$b")\",\"value\":$cpu,\"unit\":\"% of a CPU\",\"target\":\"< 2% with 100 containers\",\"met\":$(awk -v n="$n" -v c="$cpu" 'BEGIN { print (n < 100 || c < 2) ? "true" : "false" }')}"
		echo "{\"bench\":\"scan\",\"section\":\"agent\",\"name\":\"attach latency, $n containers, $(basename "$b")\",\"value\":$lat,\"unit\":\"ms\",\"target\":\"< 1000 ms\",\"met\":$([ "$lat" -ge 0 ] && [ "$lat" -lt 1000 ] && echo true || echo false)}"
	} >>"$BENCH_JSON"
}

for n in "${COUNTS[@]}"; do
	grow_to "$n"
	echo "== $n containers" >&2
	for b in "${BUILDS[@]}"; do
		DOCKER_HOST="unix://$DK_DIR/docker.sock" "$b/bench/scan" "$ROUNDS" \
			"$n containers, $(basename "$b")"
	done
	for b in "${BUILDS[@]}"; do agent "$b" "$n"; done
done
