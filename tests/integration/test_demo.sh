#!/bin/bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# `hopscope demo` measures every hop of its chain and leaves nothing behind,
# whether it runs to the end or is interrupted with SIGINT.
. "$(dirname "$0")/lib.sh"
require_root

hs_netns() { ip netns list | awk '{print $1}' | grep '^hs' | sort || true; }
before=$(hs_netns)

"$HOPSCOPE" demo --duration 2 --rate 500 --json "$WORK/demo.jsonl" >"$WORK/table" 2>"$WORK/err" ||
	fail "demo exited $?: $(cat "$WORK/err")"
# sender -> vnf1 -> vnf2 -> receiver: 5 hops, every one measured
hops=$(jq -s '[.[] | select(.type=="hop" and .final and .packets >= 950)] | length' "$WORK/demo.jsonl")
[ "$hops" -eq 5 ] || fail "demo measured $hops hops with the stream, expected 5"
kinds=$(jq -rs '[.[] | select(.type=="hop" and .final and .packets >= 950) | .kind] | sort | join(",")' "$WORK/demo.jsonl")
[ "$kinds" = "function,function,wire,wire,wire" ] || fail "demo hop kinds: $kinds"
grep -q "== summary" "$WORK/table" || fail "no summary table"
grep -q "function: VNF hs[0-9]*_vnf2" "$WORK/table" || fail "the table does not name VNF2's hop"
[ "$(hs_netns)" = "$before" ] || fail "demo left namespaces: $(comm -13 <(echo "$before") <(hs_netns))"
assert_nothing_attached
note "demo: 5 hops measured, nothing left"

# interrupted: SIGINT once the probes are attached
mkfifo "$WORK/dfifo"
"$HOPSCOPE" demo --duration 20 --json "$WORK/dfifo" >"$WORK/table" 2>"$WORK/err" &
HS_PID=$!
exec 3<"$WORK/dfifo"
IFS= read -r -t 30 line <&3 || fail "demo did not start: $(cat "$WORK/err")"
kill -INT "$HS_PID"
cat <&3 >/dev/null
exec 3<&-
rc=0
wait "$HS_PID" || rc=$?
HS_PID=
[ "$rc" -eq 0 ] || fail "interrupted demo exited $rc: $(cat "$WORK/err")"
[ "$(hs_netns)" = "$before" ] || fail "interrupted demo left namespaces"
assert_nothing_attached
note "demo interrupted: clean exit, nothing left"
