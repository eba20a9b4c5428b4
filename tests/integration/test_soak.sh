#!/bin/bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# A minute of make soak (tests/soak/soak.sh): the agent under container
# churn, link flaps and steady traffic keeps its descriptors flat after
# warm-up, holds no link past the points it has in use, leaves none
# behind, and accounts for every record. Its memory figures are reported,
# not judged: a minute's slope is noise (make soak judges ten minutes).
# hopscope-test: serial - a dockerd of its own and a minute of churn
. "$(dirname "$0")/lib.sh"
require_root
rc=0
SOAK_SECONDS=${HS_SOAK_SECONDS:-60} tests/soak/soak.sh "$BUILD" >"$WORK/soak" 2>&1 || rc=$?
sed -n 's/^soak: /  /p' "$WORK/soak" | grep -v '^  samples' >&2
[ "$rc" -ne 77 ] || skip "$(grep SKIP "$WORK/soak" | head -1)"
[ "$rc" -eq 0 ] || { cat "$WORK/soak" >&2; fail "the soak missed a target"; }
