#!/bin/bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# /healthz and the collector's metrics in a live run. hopscope runs inside
# the test's receiver namespace with --metrics on that namespace's own
# loopback; curl asks it there.
#  - measuring: /healthz answers 200 with status ok and all 8 probes
#    attached; after a bounded stream /metrics counts the records read and
#    the drains, hopscope_healthy is 1;
#  - the namespaces of the sender and the function deleted (every
#    interface of the chain goes with them): /healthz answers 503,
#    "no probe attached", and hopscope_healthy is 0;
#  - SIGTERM then ends the run with its final summary, nothing attached.
. "$(dirname "$0")/lib.sh"
require_root
command -v curl >/dev/null || skip "curl is not installed"

MPORT=9465
"$TESTBED" up "$PREFIX" 1
HS_IN_NETNS=${PREFIX}rcv start_hopscope 8 --filter "udp and port $PORT" --interval 0 \
	--metrics "127.0.0.1:$MPORT" --between "${PREFIX}snd" "${PREFIX}rcv"

ask() { # ask PATH -> the body; the status code to $WORK/code
	ip netns exec "${PREFIX}rcv" curl -sS --max-time 5 -o "$WORK/body" \
		-w '%{http_code}' "http://127.0.0.1:$MPORT$1" >"$WORK/code" ||
		fail "GET $1 failed"
	cat "$WORK/body"
}

ask /healthz >"$WORK/h0"
[ "$(cat "$WORK/code")" = 200 ] || fail "/healthz: $(cat "$WORK/code") $(cat "$WORK/h0")"
jq -e '.status == "ok" and .probes_attached == 8 and .probes == 8 and
	.records_lost == 0 and .last_drain_age_s < 1' "$WORK/h0" >/dev/null ||
	fail "/healthz while measuring: $(cat "$WORK/h0")"

send_udp "${PREFIX}snd" 198.18.1.2 400 200
metric() { awk -v n="$1" '$1 == n { print $2 }' "$WORK/m"; }
# 200 packets, each recorded at the 4 points on its way (the last ones
# drained within a tick or two: asked a bounded number of times)
for _ in $(seq 50); do
	ask /metrics >"$WORK/m"
	[ "$(metric hopscope_pipeline_records_read_total)" -ge 800 ] && break
	sleep 0.1
done
[ "$(metric hopscope_pipeline_records_read_total)" -eq 800 ] ||
	fail "records read: $(metric hopscope_pipeline_records_read_total), expected 800"
[ "$(metric hopscope_healthy)" = 1 ] || fail "hopscope_healthy: $(metric hopscope_healthy)"
[ "$(metric hopscope_pipeline_drains_total)" -gt 0 ] || fail "no drains counted"
grep -q '^# TYPE hopscope_pipeline_records_read_total counter$' "$WORK/m" || fail "records_read is no counter"
grep -q '^# TYPE hopscope_probes_attached gauge$' "$WORK/m" || fail "probes_attached is no gauge"
note "measuring: $(tr -d '\n' <"$WORK/h0")"

# every interface of the chain goes
ip netns del "${PREFIX}snd"
ip netns del "${PREFIX}vnf1"
for _ in $(seq 50); do
	ask /healthz >"$WORK/h1"
	[ "$(cat "$WORK/code")" = 503 ] && break
	sleep 0.1
done
[ "$(cat "$WORK/code")" = 503 ] || fail "/healthz with every interface gone: $(cat "$WORK/code") $(cat "$WORK/h1")"
jq -e '.status == "unhealthy" and .probes_attached == 0 and
	(.reasons | contains("no probe attached"))' "$WORK/h1" >/dev/null ||
	fail "/healthz with every interface gone: $(cat "$WORK/h1")"
ask /metrics >"$WORK/m"
[ "$(metric hopscope_healthy)" = 0 ] || fail "hopscope_healthy: $(metric hopscope_healthy)"
note "interfaces gone: $(tr -d '\n' <"$WORK/h1")"

stop_hopscope TERM || fail "hopscope failed: $(cat "$WORK/err")"
jq -e -s '[.[] | select(.type=="pipeline" and .final)] | length == 1' "$WORK/out.jsonl" >/dev/null ||
	fail "no final summary after SIGTERM"
assert_nothing_attached
