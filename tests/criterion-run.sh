#!/bin/bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# criterion-run.sh LAYER BINARY [CRITERION OPTIONS...] - run a Criterion
# test binary (build/tests/unit, build/tests/progrun) and print one line
# per test from its TAP report:
#     PASS suite::name (0.01s)
#     FAIL suite::name (0.01s)
#         tests/unit/test_x.c:42: Assertion failed: what was expected
#     SKIP suite::name: why
# then "LAYER: N passed, N failed, N skipped". A failed test's assertions
# follow its line with their file and line; when a test failed with none
# (a crash, a sanitizer's report, a timeout) or the binary itself failed,
# everything the binary printed follows, indented. Exits 1 on any
# failure. With HS_TEST_RESULTS=DIR, the counts also go to DIR/LAYER for
# `make check`'s total.
set -uo pipefail

[ $# -ge 2 ] || { echo "usage: criterion-run.sh LAYER BINARY [OPTIONS...]" >&2; exit 2; }
layer=$1 bin=$2
shift 2
filtered=
for a in "$@"; do
	case $a in --filter | --filter=*) filtered=1 ;; esac
done

tmp=$(mktemp -d /tmp/hopscope-criterion.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
rc=0
# the binary's own report and whatever the code under test logs go to
# a file: shown only when something failed
"$bin" --tap="$tmp/tap" "$@" >"$tmp/out" 2>&1 || rc=$?

# TAP 13 as Criterion 2.4 writes it:
#   ok - suite::name DESCRIPTION (0.00s)
#   ok - suite::name DESCRIPTION # SKIP reason
#   not ok - suite::name DESCRIPTION (0.00s)       then, indented YAML:
#     ---
#     failures:
#     - file.c:12: |+
#         Assertion failed: message
#         more of the message
#     ...
#   not ok - suite::name unexpected signal after file.c:12
#   not ok - suite::name timed out (1.00s)
# Tests left out by --filter show as skipped "test was skipped", without
# a description: not listed then.
awk -v layer="$layer" -v filtered="$filtered" -v out="$tmp/counts" '
function flush_failure() {
	if (failing && !messages)
		silent++
	failing = 0
}
/^1\.\.[0-9]+$/ { plan = substr($0, 4) + 0; next }
/^ok - / {
	flush_failure()
	line = substr($0, 6)
	name = line
	sub(/ .*/, "", name)
	if (line ~ / # SKIP /) {
		why = line
		sub(/.* # SKIP /, "", why)
		desc = line
		sub(/ # SKIP .*/, "", desc)
		sub(/^[^ ]* */, "", desc)
		if (why == "test was skipped" && desc == "" && filtered) {
			# left out by --filter
		} else {
			if (why == "test was skipped" && desc != "")
				why = desc
			printf "SKIP %s: %s\n", name, why
			skip++
		}
	} else {
		time = line
		if (match(line, /\([0-9.]+s\)$/))
			time = substr(line, RSTART)
		else
			time = ""
		printf "PASS %s%s\n", name, time == "" ? "" : " " time
		pass++
	}
	listed++
	next
}
/^not ok - / {
	flush_failure()
	line = substr($0, 10)
	name = line
	sub(/ .*/, "", name)
	rest = substr(line, length(name) + 1)
	sub(/^ +/, "", rest)
	printf "FAIL %s%s\n", name, rest == "" ? "" : " " rest
	fail++
	listed++
	failing = 1
	messages = 0
	next
}
failing && /^  - .*: \|[+-]?$/ {
	where = $0
	sub(/^  - /, "", where)
	sub(/: \|[+-]?$/, "", where)
	first = 1
	messages++
	next
}
failing && /^      / {
	text = substr($0, 7)
	if (first)
		printf "    %s: %s\n", where, text
	else
		printf "        %s\n", text
	first = 0
	next
}
failing && /^  \.\.\.$/ { flush_failure(); next }
END {
	flush_failure()
	printf "%d %d %d %d %d\n", pass, fail, skip, silent, (plan - listed) > out
}
' "$tmp/tap" 2>/dev/null
read -r pass failed skipped silent missing <"$tmp/counts" 2>/dev/null ||
	{ pass=0 failed=0 skipped=0 silent=0 missing=0; }

# a binary that crashed or was killed writes no report, or half of one
if [ ! -s "$tmp/tap" ] || [ "$missing" -gt 0 ] || { [ "$rc" -ne 0 ] && [ "$failed" -eq 0 ]; }; then
	echo "FAIL $layer: $bin exited $rc with $missing test(s) unreported"
	failed=$((failed + 1))
	silent=1
fi
if [ "$silent" -gt 0 ]; then
	echo "    output of $bin:"
	sed 's/^/        /' "$tmp/out"
fi

echo "$layer: $pass passed, $failed failed, $skipped skipped"
if [ -n "${HS_TEST_RESULTS:-}" ]; then
	mkdir -p "$HS_TEST_RESULTS"
	echo "$pass $failed $skipped" >"$HS_TEST_RESULTS/$layer"
fi
[ "$failed" -eq 0 ] && [ "$rc" -eq 0 ]
