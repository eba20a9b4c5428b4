#!/bin/bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# `hopscope demo` measures every hop of its chain and leaves nothing behind,
# whether it runs to the end or is interrupted with SIGINT.
# hopscope-test: serial - at least 950 of 1000 packets on every hop of a
# 2 s run through OVS's userspace datapath, which falls behind first when
# another test loads the machine.
. "$(dirname "$0")/lib.sh"
require_root

# the demo names its namespaces hs<its pid>_*
left_by() { ip netns list | awk '{print $1}' | grep "^hs$1_" || true; }

"$HOPSCOPE" demo --duration 2 --rate 500 --json "$WORK/demo.jsonl" >"$WORK/table" 2>"$WORK/err" &
pid=$!
wait $pid || fail "demo exited $?: $(cat "$WORK/err")"
# the default chain: veth, bridge, macvlan, OVS (veth where OVS cannot run)
P="hs${pid}_"
last="ovs br3"
"$TESTBED" has-ovs || last="veth"
want="${P}snd -veth-> ${P}vnf1 -bridge br1-> ${P}vnf2 -macvlan mv2 (bridge mode)-> ${P}vnf3 -$last-> ${P}rcv"
chain=$(jq -r 'select(.type=="path" and .final and .packets >= 950) | .chain' "$WORK/demo.jsonl")
[ "$chain" = "$want" ] || fail "demo chain: '$chain', expected '$want'"
# every hop of it measured, each named by what made it
hops=$(jq -s '[.[] | select(.type=="hop" and .final and .packets >= 950)] | length' "$WORK/demo.jsonl")
want_hops=11
[ "$last" = "veth" ] && want_hops=9
[ "$hops" -eq "$want_hops" ] || fail "demo measured $hops hops with the stream, expected $want_hops"
for via in "bridge br1" "macvlan mv2 (bridge mode)" "VNF ${P}vnf2"; do
	jq -se --arg v "$via" 'any(.[]; .type=="hop" and .final and .via==$v and .packets >= 950)' \
		"$WORK/demo.jsonl" >/dev/null || fail "no hop via '$via'"
done
grep -q "== summary" "$WORK/table" || fail "no summary table"
grep -qF "chain: $want" "$WORK/table" || fail "the table does not show the chain"
[ -z "$(left_by $pid)" ] || fail "demo left namespaces: $(left_by $pid)"
assert_nothing_attached "$WORK/demo.jsonl"
note "demo: $want: $hops hops measured, nothing left"

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
