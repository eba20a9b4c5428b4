#!/bin/bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# `hopscope demo` measures every hop of its chain and leaves nothing behind,
# whether it runs to the end or is interrupted with SIGINT.
. "$(dirname "$0")/lib.sh"
require_root

# the demo names its namespaces hs<its pid>_*
left_by() { ip netns list | awk '{print $1}' | grep "^hs$1_" || true; }

"$HOPSCOPE" demo --duration 2 --rate 500 --json "$WORK/demo.jsonl" >"$WORK/table" 2>"$WORK/err" &
pid=$!
wait $pid || fail "demo exited $?: $(cat "$WORK/err")"
# sender -> vnf1 -> vnf2 -> receiver: 5 hops, every one measured
hops=$(jq -s '[.[] | select(.type=="hop" and .final and .packets >= 950)] | length' "$WORK/demo.jsonl")
[ "$hops" -eq 5 ] || fail "demo measured $hops hops with the stream, expected 5"
kinds=$(jq -rs '[.[] | select(.type=="hop" and .final and .packets >= 950) | .kind] | sort | join(",")' "$WORK/demo.jsonl")
[ "$kinds" = "function,function,wire,wire,wire" ] || fail "demo hop kinds: $kinds"
grep -q "== summary" "$WORK/table" || fail "no summary table"
grep -q "function: VNF hs[0-9]*_vnf2" "$WORK/table" || fail "the table does not name VNF2's hop"
[ -z "$(left_by $pid)" ] || fail "demo left namespaces: $(left_by $pid)"
assert_nothing_attached "$WORK/demo.jsonl"
note "demo: 5 hops measured, nothing left"

# interrupted: SIGINT once the probes are attached
mkfifo "$WORK/dfifo"
"$HOPSCOPE" demo --duration 20 --json "$WORK/dfifo" >"$WORK/table" 2>"$WORK/err" &
HS_PID=$!
exec 3<"$WORK/dfifo"
IFS= read -r -t 30 line <&3 || fail "demo did not start: $(cat "$WORK/err")"
printf '%s\n' "$line" >"$WORK/demo2.jsonl"
kill -INT "$HS_PID"
cat <&3 >>"$WORK/demo2.jsonl"
exec 3<&-
rc=0
wait "$HS_PID" || rc=$?
pid=$HS_PID
HS_PID=
[ "$rc" -eq 0 ] || fail "interrupted demo exited $rc: $(cat "$WORK/err")"
[ -z "$(left_by $pid)" ] || fail "interrupted demo left namespaces: $(left_by $pid)"
assert_nothing_attached "$WORK/demo2.jsonl"
note "demo interrupted: clean exit, nothing left"
