#!/bin/bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# run.sh BUILD_DIR [TEST...] - run the netns integration tests one by one.
# A test passes with exit 0, skips with 77 (printing why), fails otherwise.
set -uo pipefail
cd "$(dirname "$0")/../.."
export BUILD=${1:-build}
shift || true
tests=("$@")
[ ${#tests[@]} -gt 0 ] || tests=(tests/integration/test_*.sh)

pass=0 failed=0 skipped=0
for t in "${tests[@]}"; do
	name=$(basename "$t" .sh)
	start=$(date +%s)
	out=$(timeout 300 bash "$t" 2>&1)
	rc=$?
	secs=$(($(date +%s) - start))
	case $rc in
	0) pass=$((pass + 1)); echo "PASS $name (${secs}s)" ;;
	77) skipped=$((skipped + 1)); echo "SKIP $name: $(echo "$out" | grep '^SKIP' | tail -1)" ;;
	*) failed=$((failed + 1)); echo "FAIL $name (exit $rc, ${secs}s)"; echo "$out" | sed 's/^/    /' ;;
	esac
done
echo "integration: $pass passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
