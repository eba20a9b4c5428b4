#!/bin/bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# run.sh [-j N] BUILD_DIR [TEST...] - run the netns integration tests (all
# of them, or those named: a path or a bare name like test_join).
#
# A test passes with exit 0, skips with 77 (printing "SKIP: why"), fails
# otherwise; each gets at most HS_TEST_TIMEOUT seconds (300). Every test
# prints one line when it ends, PASS/FAIL/SKIP, its name and how long it
# took (a skip says why; a failure is followed by the test's output,
# indented), and the run ends with "integration: N passed, N failed, N
# skipped". With HS_TEST_RESULTS=DIR, the counts also go to
# DIR/integration for `make check`'s total.
#
# Tests run N at a time (-j N, else HS_TEST_JOBS, else 2: this is a
# 2-core machine): each has namespaces of its own (hs<its pid>_*), so
# they cannot see each other. A test whose script has the line
#     # hopscope-test: serial - WHY
# measures time closely enough that another test's load would make it
# fail: it runs alone, after the others, one at a time. The runner
# never sleeps: it waits for the next test to end.
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 2

usage() {
	echo "usage: run.sh [-j N] [BUILD_DIR [TEST...]]" >&2
	exit 2
}

jobs=${HS_TEST_JOBS:-2}
if [ "${1:-}" = -j ]; then
	[ $# -ge 2 ] || usage
	jobs=$2
	shift 2
fi
[[ "$jobs" =~ ^[1-9][0-9]*$ ]] || { echo "run.sh: bad job count '$jobs'" >&2; usage; }
export BUILD=${1:-build}
shift || true
tests=("$@")
[ ${#tests[@]} -gt 0 ] || tests=(tests/integration/test_*.sh)
for i in "${!tests[@]}"; do
	t=${tests[$i]}
	# a bare name will do: test_join, test_join.sh
	[ -f "$t" ] || [ ! -f "tests/integration/${t%.sh}.sh" ] || t=tests/integration/${t%.sh}.sh
	[ -f "$t" ] || { echo "run.sh: no test '$t'" >&2; exit 2; }
	tests[i]=$t
done
limit=${HS_TEST_TIMEOUT:-300}

is_serial() { grep -Eq '^# hopscope-test: serial( |$)' "$1"; }

parallel=() serial=()
for t in "${tests[@]}"; do
	if is_serial "$t"; then
		serial+=("$t")
	else
		parallel+=("$t")
	fi
done

logs=$(mktemp -d /tmp/hopscope-run.XXXXXX)
declare -A name_of=() start_of=()
pass=0 failed=0 skipped=0

# Ctrl-C or a kill: stop the tests still running (by pid: each timeout
# passes the signal on to its test, whose exit trap cleans up), then go.
stop() {
	local pid
	trap - INT TERM
	for pid in "${!name_of[@]}"; do
		kill -TERM "$pid" 2>/dev/null || true
	done
	for pid in "${!name_of[@]}"; do
		wait "$pid" 2>/dev/null || true
	done
	echo "integration: interrupted with ${#name_of[@]} test(s) running" >&2
	exit 130
}
trap stop INT TERM
trap 'rm -rf "$logs"' EXIT

start() { # start TEST: in the background, its output to its log
	local t=$1 name pid
	name=$(basename "$t" .sh)
	timeout "$limit" bash "$t" >"$logs/$name.log" 2>&1 </dev/null &
	pid=$!
	name_of[$pid]=$name
	start_of[$pid]=$EPOCHREALTIME
}

# finish: wait for the next test to end and print its line
finish() {
	local pid rc=0 name secs why
	wait -n -p pid || rc=$?
	if [ -z "${pid:-}" ]; then
		# a signal interrupted the wait: stop() takes over
		[ "$rc" -gt 128 ] && return 0
		echo "run.sh: lost track of ${name_of[*]}" >&2
		exit 1
	fi
	name=${name_of[$pid]}
	secs=$(awk -v a="${start_of[$pid]}" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.0f", b - a }')
	unset "name_of[$pid]" "start_of[$pid]"
	case $rc in
	0)
		pass=$((pass + 1))
		echo "PASS $name (${secs}s)"
		;;
	77)
		skipped=$((skipped + 1))
		why=$(grep '^SKIP' "$logs/$name.log" | tail -1 | sed 's/^SKIP:* *//')
		echo "SKIP $name (${secs}s): ${why:-no reason given}"
		;;
	*)
		failed=$((failed + 1))
		if [ "$rc" -eq 124 ]; then
			echo "FAIL $name (timed out after ${limit}s)"
		else
			echo "FAIL $name (exit $rc, ${secs}s)"
		fi
		sed 's/^/    /' "$logs/$name.log"
		;;
	esac
}

for t in "${parallel[@]}"; do
	while [ ${#name_of[@]} -ge "$jobs" ]; do finish; done
	start "$t"
done
for t in "${serial[@]}"; do
	while [ ${#name_of[@]} -gt 0 ]; do finish; done
	start "$t"
done
while [ ${#name_of[@]} -gt 0 ]; do finish; done

echo "integration: $pass passed, $failed failed, $skipped skipped"
if [ -n "${HS_TEST_RESULTS:-}" ]; then
	mkdir -p "$HS_TEST_RESULTS"
	echo "$pass $failed $skipped" >"$HS_TEST_RESULTS/integration"
fi
[ "$failed" -eq 0 ]
