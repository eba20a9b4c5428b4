#!/bin/bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#
# attach.sh [--quick] [POINTS] - how long attaching POINTS observation
# points takes (200 by default: a host with 100 containers, a veth pair
# each), and detaching them: the shared probes on TCX links, the same on
# clsact filters (HS_TC_ATTACH=clsact), and a copy of the probe per point,
# alternating in one run (tests/bench/attach.c). The points are tc ingress
# and egress of both ends of one veth pair in each of POINTS/4 namespaces
# hs<pid>_a<k>: every namespace's devices have the same ifindex, as
# containers' do. 3 rounds, --quick 1.
#
# NETWORK SAFETY: no packet is sent; the namespaces are this script's own,
# named hs<pid>_*, and removed in its exit trap with everything in them.
set -euo pipefail
cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build}
ROUNDS=3
[ "${1:-}" = --quick ] && { ROUNDS=1; shift; }
POINTS=${1:-200}
[[ "$POINTS" =~ ^[0-9]+$ ]] && [ "$POINTS" -ge 4 ] && [ "$POINTS" -le 1024 ] ||
	{ echo "attach: bad POINTS '$POINTS': 4 to 1024" >&2; exit 2; }
[ "$(id -u)" -eq 0 ] || { echo "attach: needs root (BPF, network namespaces)" >&2; exit 77; }

PREFIX="hs$$_a"
NS=()
cleanup() {
	local n
	for n in "${NS[@]}"; do ip netns del "$n" 2>/dev/null || true; done
}
trap cleanup EXIT
trap 'exit 1' INT TERM

for ((k = 0; k < POINTS / 4; k++)); do
	n="$PREFIX$k"
	ip netns add "$n"
	NS+=("$n")
	ip -n "$n" link add v0 type veth peer name v1
	ip -n "$n" link set v0 up
	ip -n "$n" link set v1 up
done
"$BUILD/bench/attach" "$ROUNDS" "${NS[@]}"
