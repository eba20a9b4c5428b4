#!/bin/bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# run.sh BUILD_DIR [--quick] - every benchmark, one table.
#
#   probe_cost   what a packet costs the probe (BPF_PROG_TEST_RUN, next to
#                an empty program and the floor recorder); the ring's reserve
#                on two CPUs at once
#   jitprof.sh   where a recorded packet's time goes: perf samples of the
#                probe and the floor recorder by leaf, the probe's JIT'd
#                code annotated
#   collector    what the collector ingests, matches and folds on one core,
#                and the memory it holds
#   churn        points coming and going: a cycle, an expiry, memory
#   rotation     what --write DIR costs the collector's loop: the check a
#                tick, a new part, listing the directory for --keep
#   chain.sh     a 3-function chain at full rate: no probes, hopscope, 1/64,
#                tcpdump; and the delays each of them measures at low rate
#   attach.sh    attaching and detaching 200 points: the shared probes on
#                TCX and on clsact against a copy of the probe per point
#   scan.sh      the agent with 10, 50, 100 containers: one look at the
#                host, CPU while idle, attach latency of one more
#
# Each appends its figures as JSON lines to $BUILD/bench/results.jsonl
# (tests/bench/README.md); the table at the end is made from that file.
# Never part of make check: timings on a shared machine are for reading,
# as ratios measured side by side in one run.
set -uo pipefail
cd "$(dirname "$0")/../.."
BUILD=${1:-build}
QUICK=
[ "${2:-}" = --quick ] && QUICK=--quick
[ "$(id -u)" -eq 0 ] || { echo "bench: needs root (BPF, network namespaces)" >&2; exit 77; }
export BENCH_JSON=$BUILD/bench/results.jsonl
mkdir -p "$BUILD/bench"
: >"$BENCH_JSON"
start=$(date +%s)
failed=0

step() { # step NAME COMMAND...
	local name=$1 rc=0
	shift
	echo "== $name" >&2
	"$@" || rc=$?
	case $rc in
	0) ;;
	77) echo "bench: $name skipped" >&2 ;;
	*) echo "bench: $name failed (exit $rc)" >&2; failed=1 ;;
	esac
}

step "probe cost (BPF_PROG_TEST_RUN)" "$BUILD/bench/probe_cost" $QUICK
step "where the probe's time goes (perf, JIT'd code)" env BUILD="$BUILD" \
	tests/bench/jitprof.sh "${QUICK:+2}"
step "collector limits" "$BUILD/bench/collector" $QUICK
step "churn: points that come and go" "$BUILD/bench/churn" $QUICK
step "record rotation" "$BUILD/bench/rotation" $QUICK
step "chain: throughput and distortion" env BUILD="$BUILD" tests/bench/chain.sh $QUICK
step "attach: 200 points, shared (TCX, clsact) and copies" env BUILD="$BUILD" tests/bench/attach.sh $QUICK
# a private dockerd and up to 100 containers: --quick takes 10
step "scan: the agent following 10, 50, 100 containers" env BUILD="$BUILD" \
	tests/bench/scan.sh $QUICK ${QUICK:+10}

# issue 13: the collector's user time per record in the live chain (chain.sh)
# at most twice the collector benchmark's ns per record through the ring
# (collector, ring section), both from this run
jq -s -c '([.[] | select(.bench == "chain" and .metric == "collector_user_ns_per_record")][0].value) as $live |
	([.[] | select(.bench == "collector" and .section == "ring" and .unit == "records/s"
		and .name == "4 hops, 1000 flows: ring to session")][0].value) as $rate |
	if $live != null and $rate != null and $rate > 0 then
		{bench: "collector", section: "live", name: "live chain user time per record over the ring benchmark'"'"'s",
		 value: ($live / (1e9 / $rate) * 1000 | round / 1000), unit: "ratio", live_ns: $live,
		 bench_ns: (1e9 / $rate * 10 | round / 10), target: "<= 2", met: ($live <= 2 * 1e9 / $rate)}
	else empty end' "$BENCH_JSON" >>"$BENCH_JSON.live" && cat "$BENCH_JSON.live" >>"$BENCH_JSON"
rm -f "$BENCH_JSON.live"

echo
echo "== hopscope benchmarks${QUICK:+ (quick)}: $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) CPUs, Linux $(uname -r), $(($(date +%s) - start)) s"
echo "   medians over alternating rounds, [q1, q3] the interquartile range; JSON: $BENCH_JSON"
# numbers as people read them: 2 decimals, millions as M
NUM='def round2: . * 100 | round / 100;
	def num: if type != "number" then "-"
		elif fabs >= 1e6 then (. / 1e6 | round2 | tostring) + "M"
		elif . == floor then tostring
		else round2 | tostring end;'
jq -r "$NUM"'
	[.bench, .section,
	 .name + (if .hop then ", " + .hop else "" end) + (if .metric then " (" + .metric + ")" else "" end),
	 (if .over_floor != null and (.target // "" | test("floor")) then "+" + (.over_floor | num) + " over floor"
	  elif .over_empty != null then "+" + (.over_empty | num) + " over empty" else (.value | num) end),
	 .unit,
	 (if .over_floor != null and (.target // "" | test("floor")) then "[" + (.over_floor_q1 | num) + ", " + (.over_floor_q3 | num) + "]"
	  elif .over_empty != null then "[" + (.over_empty_q1 | num) + ", " + (.over_empty_q3 | num) + "]"
	  elif .q1 != null then "[" + (.q1 | num) + ", " + (.q3 | num) + "]" else "" end),
	 (if .target then .target + (if .met then ": met" else ": MISSED" end) else "" end)]
	| @tsv' "$BENCH_JSON" |
	awk -F'\t' '
		$1 != bench || $2 != section { printf "\n%s / %s\n", $1, $2; bench = $1; section = $2 }
		{ printf "  %-62s %18s %-10s %-26s %s\n", $3, $4, $5, $6, $7 }'
echo
met=$(jq -s '[.[] | select(.target) | select(.met)] | length' "$BENCH_JSON")
all=$(jq -s '[.[] | select(.target)] | length' "$BENCH_JSON")
echo "targets: $met of $all met; missed:"
jq -r "$NUM"' select(.target and (.met | not)) |
	"  \(.bench) \(.name): \(if .over_floor != null and (.target | test("floor")) then "+\(.over_floor | num) ns over the floor"
		elif .over_empty != null then "+\(.over_empty | num) ns over empty" else "\(.value | num) \(.unit)" end), target \(.target)"' \
	"$BENCH_JSON"
exit $failed
