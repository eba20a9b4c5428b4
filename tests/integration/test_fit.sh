#!/bin/bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# The chain-length study (the paper's Table III). Chains of 1 to 4
# functions, each function holding the test stream for D = 300 us (a tc
# program after the probe on its eth0 ingress), are measured into record
# files; hopscope report --fit must find about D per function for the
# end-to-end delay (plus the few microseconds a function and a veth wire
# cost by themselves), a line that fits (R^2 near 1), and the number of
# functions on each run's path.
# hopscope-test: serial - 300 us spun per function must come out as the
# slope within 5%, with R^2 >= 0.98 over four runs: another test's load
# on the two cores can bend the line.
. "$(dirname "$0")/lib.sh"
require_root

D_US=300
COUNT=150
files=()
for n in 1 2 3 4; do
	"$TESTBED" up "$PREFIX" "$n"
	for k in $(seq "$n"); do
		"$BUILD/tests/delayctl" "${PREFIX}vnf$k" eth0 ingress "$D_US" "$PORT" >/dev/null
	done
	rm -f "$WORK/out.jsonl"
	start_hopscope $((4 + 4 * n)) --filter "udp and port $PORT" --interval 0 --duration 1.5 \
		--write "$WORK/chain$n.hsr" --between "${PREFIX}snd" "${PREFIX}rcv"
	send_udp "${PREFIX}snd" "198.18.$n.2" 200 "$COUNT"
	wait_hopscope || fail "hopscope on $n functions failed: $(cat "$WORK/err")"
	"$TESTBED" down "$PREFIX"
	files+=("$WORK/chain$n.hsr")
done

"$HOPSCOPE" report --fit "${files[@]}" --json "$WORK/fit.jsonl" >"$WORK/fit.table" 2>"$WORK/fit.err" ||
	fail "report --fit failed: $(cat "$WORK/fit.err")"
cat "$WORK/fit.table" >&2

# each run: its path crosses n functions and carried the stream
for n in 1 2 3 4; do
	run=$(jq -c --arg f "$WORK/chain$n.hsr" 'select(.type=="fit_run" and .file==$f)' "$WORK/fit.jsonl")
	[ "$(jq .functions <<<"$run")" -eq "$n" ] || fail "chain$n: $(jq .functions <<<"$run") functions"
	[ "$(jq .packets <<<"$run")" -eq "$COUNT" ] || fail "chain$n: $(jq .packets <<<"$run") packets"
done

check_fit() { # check_fit METRIC MIN_SLOPE MAX_SLOPE MIN_R2
	local fit slope r2
	fit=$(jq -c --arg m "$1" 'select(.type=="fit" and .metric==$m)' "$WORK/fit.jsonl")
	slope=$(jq '.slope_ns | floor' <<<"$fit")
	r2=$(jq .r2 <<<"$fit")
	note "$1: slope $slope ns per function, R^2 $r2"
	[ "$slope" -ge "$2" ] && [ "$slope" -le "$3" ] || fail "$1: slope $slope ns outside [$2, $3]"
	jq -e --argjson min "$4" '.r2 >= $min' <<<"$fit" >/dev/null || fail "$1: R^2 $r2 below $4"
}
D=$((D_US * 1000))
# D, and at most 50 us more of what a function and its wire cost
check_fit delay_mean_ns $((D * 95 / 100)) $((D + 50000)) 0.98
check_fit delay_p50_ns $((D * 95 / 100)) $((D + 50000)) 0.98
# 4 runs: the fit has 4 points
[ "$(jq -s '[.[] | select(.type=="fit")][0].runs' "$WORK/fit.jsonl")" -eq 4 ] || fail "the fit does not use 4 runs"

rc=0
"$HOPSCOPE" report --fit "$WORK/chain1.hsr" >/dev/null 2>"$WORK/one.err" || rc=$?
[ "$rc" -eq 2 ] && grep -q "at least two chain lengths" "$WORK/one.err" ||
	fail "--fit on one run: exit $rc, $(cat "$WORK/one.err")"
