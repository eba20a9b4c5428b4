#!/bin/bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# Bad input and surprises around the topology:
# - --between two namespaces no path connects: one line, exit 2;
# - an interface deleted and another set down mid-run: one warning line
#   each and an "event" JSON line, and the other hops keep measuring;
# - a namespace's name deleted while a process keeps it: not gone, until
#   the process leaves;
# - XDP that cannot attach (another program owns the hook) falls back to
#   tc ingress with one warning; with --xdp-mode native it is an error.
. "$(dirname "$0")/lib.sh"
require_root

P=$PREFIX
"$TESTBED" up "$P" 2
ip netns add "${P}iso"
ip -n "${P}iso" link set lo up

# ---- no path ----
rc=0
"$HOPSCOPE" run --between "${P}snd" "${P}iso" --duration 1 >/dev/null 2>"$WORK/err" || rc=$?
[ "$rc" -eq 2 ] || fail "--between without a path exited $rc: $(cat "$WORK/err")"
grep -qF "no path connects the two namespaces" "$WORK/err" || fail "no clear message: $(cat "$WORK/err")"
[ "$(wc -l <"$WORK/err")" -eq 1 ] || fail "not one line: $(cat "$WORK/err")"
note "no path: $(cat "$WORK/err")"

# ---- interfaces going away and down while measured ----
# the watch looks once a second: a 3 s run sees the changes made at ~0.5 s
start_hopscope 12 --between "${P}snd" "${P}rcv" --filter "udp and port $PORT" \
	--interval 0 --duration 3
send_udp "${P}snd" 198.18.2.2 500 250
ip -n "${P}vnf2" link del eth1 # takes its peer rcv:eth0 along
ip -n "${P}vnf1" link set eth1 down
send_udp "${P}snd" 198.18.2.2 500 250
rc=0
wait "$HS_PID" || rc=$?
wait "$COPY_PID" || true
HS_PID=
[ "$rc" -eq 0 ] || fail "hopscope exited $rc after losing interfaces: $(cat "$WORK/err")"
grep -qF "${P}vnf2:eth1 is gone" "$WORK/err" || fail "no word of vnf2:eth1: $(cat "$WORK/err")"
grep -qF "${P}rcv:eth0 is gone" "$WORK/err" || fail "no word of rcv:eth0: $(cat "$WORK/err")"
grep -qF "${P}vnf1:eth1 went down" "$WORK/err" || fail "no word of vnf1:eth1 going down: $(cat "$WORK/err")"
events=$(jq -s '[.[] | select(.type=="event")] | length' "$WORK/out.jsonl")
[ "$events" -ge 3 ] || fail "$events event lines, expected 3"
# snd -> vnf1 kept measuring: both bursts crossed it
snd=$(point_id "${P}snd" eth0 tc-egress)
in1=$(point_id "${P}vnf1" eth0 tc-ingress)
pkts=$(final_hop "$snd" "$in1" | jq .packets)
[ "$pkts" -eq 500 ] || fail "snd -> vnf1 measured $pkts packets of 500"
assert_nothing_attached
note "interfaces gone and down: named, the rest kept measuring ($pkts packets on snd -> vnf1)"

# ---- a namespace's name deleted while a process keeps it ----
# not gone (an outside test saw "gone" here while the point kept
# recording); gone once the process, the last to hold it, has left
ip netns add "${P}kept"
ip -n "${P}kept" link add name ka type veth peer name kb
ip -n "${P}kept" link set ka up
ip -n "${P}kept" link set kb up
ip netns exec "${P}kept" sleep 30 &
keeper=$!
HS_MORE_PIDS+=("$keeper")
start_hopscope 4 --netns "${P}kept" --interval 0 --duration 6
ip netns del "${P}kept"
# the watch looks once a second: until it has looked (bounded)
for _ in $(seq 60); do
	grep -qF "network namespace '${P}kept' lost its name, but process $keeper keeps it" "$WORK/err" && break
	sleep 0.1
done
grep -qF "lost its name, but process $keeper keeps it: still measuring" "$WORK/err" ||
	fail "no word of the process keeping ${P}kept: $(cat "$WORK/err")"
grep -qF "is gone" "$WORK/err" && fail "a namespace a process keeps was called gone: $(cat "$WORK/err")"
kill "$keeper"
wait "$keeper" 2>/dev/null || true
rc=0
wait "$HS_PID" || rc=$?
wait "$COPY_PID" || true
HS_PID=
[ "$rc" -eq 0 ] || fail "hopscope exited $rc: $(cat "$WORK/err")"
grep -qF "network namespace '${P}kept' is gone" "$WORK/err" ||
	fail "${P}kept was not called gone once its last process left: $(cat "$WORK/err")"
note "a namespace without its name: measured while a process kept it, gone once it left"

# ---- XDP that cannot attach ----
ip -n "${P}vnf1" link set eth0 xdpdrv obj "$BUILD/tests/empty.bpf.o" sec xdp
rc=0
"$HOPSCOPE" run --point "${P}vnf1:eth0@xdp" --duration 0.5 --interval 0 --json "$WORK/x.jsonl" \
	>/dev/null 2>"$WORK/err" || rc=$?
[ "$rc" -eq 0 ] || fail "XDP fallback run exited $rc: $(cat "$WORK/err")"
grep -qF "${P}vnf1:eth0@xdp: XDP unavailable" "$WORK/err" || fail "no XDP warning: $(cat "$WORK/err")"
hook=$(jq -r 'select(.type=="point") | .hook' "$WORK/x.jsonl")
[ "$hook" = "tc-ingress" ] || fail "fell back to '$hook', not tc-ingress"
rc=0
"$HOPSCOPE" run --point "${P}vnf1:eth0@xdp" --xdp-mode native --duration 0.5 >/dev/null 2>"$WORK/err" || rc=$?
[ "$rc" -eq 1 ] || fail "--xdp-mode native on a taken hook exited $rc"
ip -n "${P}vnf1" link set eth0 xdpdrv off
note "XDP taken: tc ingress instead; with --xdp-mode native: exit 1"
