#!/bin/bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# check-total.sh DIR STATUS LAYER... - the last line of `make check`: the
# counts every layer left in DIR/LAYER ("passed failed skipped", written
# by tests/criterion-run.sh and tests/integration/run.sh), added up. A
# layer that left none never finished (it did not build, or its runner
# died): that fails the check too, as does a nonzero STATUS (what make
# said of the layers and of everything else it ran). Exits 1 if anything
# failed.
set -uo pipefail
dir=$1 status=$2
shift 2

pass=0 failed=0 skipped=0 missing=() parts=()
for layer in "$@"; do
	if read -r p f s 2>/dev/null <"$dir/$layer"; then
		pass=$((pass + p)) failed=$((failed + f)) skipped=$((skipped + s))
		parts+=("$layer $p/$f/$s")
	else
		missing+=("$layer")
	fi
done

line="check: $pass passed, $failed failed, $skipped skipped"
[ ${#parts[@]} -eq 0 ] || line="$line ($(printf '%s, ' "${parts[@]}" | sed 's/, $//'))"
[ ${#missing[@]} -eq 0 ] || line="$line; did not finish: ${missing[*]}"
[ "$status" -eq 0 ] || [ "$failed" -gt 0 ] || [ ${#missing[@]} -gt 0 ] ||
	line="$line; make failed (see above)"
echo "$line"
[ "$status" -eq 0 ] && [ "$failed" -eq 0 ] && [ ${#missing[@]} -eq 0 ]
