#!/bin/bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# run.sh BUILD SECONDS [NAME...] - run the libFuzzer harnesses (all, or
# those named) for SECONDS each, two at a time, from their seeds
# (tests/fuzz/corpus/NAME) and every input that once crashed one
# (tests/fuzz/regressions/NAME, run first, as they are). New inputs go to
# BUILD/fuzz/work/NAME, never into the seeds. Prints each harness's
# executions, coverage (edges) and features, and exits 1 if any found a
# crash, a leak or a timeout: the input is left in BUILD/fuzz/crashes, to
# be fixed and then kept in tests/fuzz/regressions/NAME.
set -uo pipefail
build=$1 seconds=$2
shift 2
here=$(cd "$(dirname "$0")" && pwd)
names=("$@")
[ ${#names[@]} -gt 0 ] || names=(spec filter ovsdb netlink packet recfile)
mkdir -p "$build/fuzz/crashes"

one() { # one NAME: the harness's run, its summary line on stdout
	local name=$1 bin=$build/fuzz/fuzz_$1 work=$build/fuzz/work/$1 log
	local regress=$here/regressions/$1 rc=0 execs cov ft dirs
	log=$build/fuzz/$name.log
	mkdir -p "$work"
	dirs=("$work" "$here/corpus/$name")
	[ -d "$regress" ] && dirs+=("$regress")
	# the inputs that once crashed, each once: they must pass as they are
	if [ -d "$regress" ] && [ -n "$(ls -A "$regress")" ]; then
		"$bin" -runs=0 "$regress"/* >"$log.regress" 2>&1 ||
			{ echo "fuzz $name: a regression input fails again (see $log.regress)"; return 1; }
	fi
	"$bin" -max_total_time="$seconds" -timeout=10 -print_final_stats=1 \
		-artifact_prefix="$build/fuzz/crashes/$name-" \
		"${dirs[@]}" >"$log" 2>&1 || rc=$?
	execs=$(awk '/^stat::number_of_executed_units/ { print $2 }' "$log")
	cov=$(grep -Eo 'cov: [0-9]+ ft: [0-9]+' "$log" | tail -1)
	ft=${cov##*ft: }
	cov=${cov%% ft*}
	cov=${cov#cov: }
	if [ "$rc" -ne 0 ]; then
		echo "fuzz $name: FOUND after ${execs:-?} executions: $(grep -m1 -E 'ERROR|SUMMARY|deadly signal' "$log")"
		echo "  input: $(ls -t "$build/fuzz/crashes/$name-"* 2>/dev/null | head -1) (log: $log)"
		return 1
	fi
	printf 'fuzz %-8s %10s executions in %ss, coverage %s edges, %s features\n' \
		"$name" "${execs:-?}" "$seconds" "${cov:-?}" "${ft:-?}"
}

failed=0
pids=()
outs=()
for name in "${names[@]}"; do
	[ -x "$build/fuzz/fuzz_$name" ] || { echo "fuzz: no harness $build/fuzz/fuzz_$name" >&2; exit 2; }
	out=$build/fuzz/$name.summary
	one "$name" >"$out" &
	pids+=($!)
	outs+=("$out")
	# two at a time: this machine has two CPUs
	if [ ${#pids[@]} -eq 2 ]; then
		wait "${pids[0]}" || failed=1
		cat "${outs[0]}"
		pids=("${pids[1]}")
		outs=("${outs[1]}")
	fi
done
for i in "${!pids[@]}"; do
	wait "${pids[$i]}" || failed=1
	cat "${outs[$i]}"
done
exit $failed
