#!/bin/bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# A real Prometheus (Debian's, tests/lib/prometheus.sh) scrapes hopscope
# agent (following the test's namespaces, --select netns:hs<pid>_*) every
# second inside the test's receiver namespace, with dist/'s
# recording and alert rules loaded. A chain of two functions carries 400
# packets; vnf1 spins 2 ms on each (delayctl). Then:
# - promtool passes the rules, and Prometheus loads every one of them and
#   evaluates them without error;
# - HopscopeHopDelayHigh (p99 over 1 ms; the test's copy fires without
#   waiting its 2 minutes) fires for vnf1's function hop and no other;
# - every query of the Grafana dashboard returns a number, its variables
#   set to All (.*) and $__rate_interval to 1m;
# - for every hop, histogram_quantile(0.99) of the scraped buckets lies in
#   the buckets around hopscope's own final p99 (JSON) for that hop:
#   between the bound below p99 - 1% and the bound above p99 + 1% + 1/64
#   (p99 is within 1%; a value may count one 1/64 sub-bucket late), and
#   the scraped count is the hop's packets.
. "$(dirname "$0")/lib.sh"
. tests/lib/prometheus.sh
require_root
for tool in prometheus promtool curl; do
	command -v "$tool" >/dev/null || skip "$tool is not installed"
done

# What measures: the agent, following the test's namespaces
HS_COMMAND=agent
SELECT=(--select "netns:${PREFIX}*" --interval 0)
NPOINTS=12 # snd, vnf1, vnf2 (two each), rcv: 6 interfaces, 2 hooks

D_US=2000
COUNT=400
MPORT=9464
RULES=dist/prometheus/hopscope-rules.yml
ALERTS=dist/prometheus/hopscope-alerts.yml
DASH=dist/grafana/hopscope-dashboard.json

out=$(promtool check rules "$RULES" "$ALERTS" 2>&1) || fail "promtool check rules: $out"
# the test's copy: fire at once rather than after the 2 minutes it waits
sed '/alert: HopscopeHopDelayHigh/,/for:/ s/for: .*/for: 0s/' "$ALERTS" >"$WORK/alerts.yml"
grep -q 'for: 0s' <<<"$(grep -A2 'alert: HopscopeHopDelayHigh' "$WORK/alerts.yml")" ||
	fail "the test's copy of HopscopeHopDelayHigh still waits"

"$TESTBED" up "$PREFIX" 2
"$BUILD/tests/delayctl" "${PREFIX}vnf1" eth0 ingress "$D_US" "$PORT" >/dev/null
HS_COMMAND=$HS_COMMAND HS_IN_NETNS=${PREFIX}rcv start_hopscope "$NPOINTS" \
	--filter "udp and port $PORT" --metrics "127.0.0.1:$MPORT" "${SELECT[@]}"
PROM_NETNS=${PREFIX}rcv # the queries run there too
prom_start "127.0.0.1:$MPORT" "$RULES" "$WORK/alerts.yml"
note "prometheus at $PROM_URL in ${PREFIX}rcv, pid $PROM_PID"

# scraping: the target is up
prom_wait 'up{job="hopscope"}' 'length == 1 and .[0].value[1] == "1"' 15 ||
	fail "prometheus never scraped hopscope: $(prom_api targets | jq -c '.data.activeTargets[0].lastError')"

send_udp "${PREFIX}snd" 198.18.2.2 100 "$COUNT"

# the whole stream scraped (it folds a match window after the last packet)
prom_wait 'max(hopscope_path_delay_seconds_count)' \
	"length == 1 and (.[0].value[1] | tonumber) == $COUNT" 15 ||
	fail "prometheus holds $(prom_query 'max(hopscope_path_delay_seconds_count)') packets on a path, sent $COUNT"
at=$(date +%s.%N) # what Prometheus had by now is what the run totals are

# every rule loaded and evaluated without error
want=$(cat "$RULES" "$ALERTS" | grep -cE '^ *- (record|alert):')
for _ in $(seq 50); do # evaluated every second: all ok within a few
	rules=$(prom_api rules | jq -c '[.data.groups[].rules[]]')
	jq -e 'all(.[]; .health == "ok")' <<<"$rules" >/dev/null && break
	sleep 0.2
done
[ "$(jq length <<<"$rules")" -eq "$want" ] ||
	fail "prometheus loaded $(jq length <<<"$rules") rules, the files hold $want"
bad=$(jq -c '[.[] | select(.health != "ok") | {name, health, lastError}]' <<<"$rules")
[ "$bad" = "[]" ] || fail "rules in error: $bad"
note "$want rules loaded, all healthy"

# the alert, on vnf1's function hop only
in1="${PREFIX}vnf1:eth0 tc-ingress"
out1="${PREFIX}vnf1:eth1 tc-egress"
prom_wait 'ALERTS{alertname="HopscopeHopDelayHigh",alertstate="firing"}' 'length > 0' 20 ||
	fail "HopscopeHopDelayHigh never fired; p99s: $(prom_query 'hop:hopscope_hop_delay_seconds:p99_rate1m' | jq -c '[.[] | [.metric.from, .value[1]]]')"
firing=$(prom_alerts | jq -c '[.[] | select(.labels.alertname == "HopscopeHopDelayHigh" and .state == "firing") | .labels]')
note "firing: $(jq -c '[.[] | .from + " -> " + .to]' <<<"$firing")"
[ "$(jq length <<<"$firing")" -eq 1 ] || fail "HopscopeHopDelayHigh fires for other hops too: $firing"
jq -e --arg f "$in1" --arg t "$out1" --arg via "VNF ${PREFIX}vnf1" \
	'.[0] | .from == $f and .to == $t and .kind == "function" and .via == $via and .job == "hopscope"' \
	<<<"$firing" >/dev/null || fail "HopscopeHopDelayHigh names the wrong hop: $firing"

# every dashboard query returns a number
n=0
while IFS= read -r expr; do
	q=${expr//\$__rate_interval/1m}
	for v in $(jq -r '.templating.list[] | select(.type == "query") | .name' "$DASH"); do
		jq -e --arg v "$v" '.templating.list[] | select(.name == $v) | .includeAll and .allValue == ".*"' \
			"$DASH" >/dev/null || fail "dashboard variable $v: no value to put in for it"
		q=${q//\$$v/.*}
	done
	res=$(prom_query "$q")
	jq -e 'length > 0 and any(.[]; .value[1] != "NaN")' <<<"$res" >/dev/null ||
		fail "dashboard query returns no data: $q -> $res"
	n=$((n + 1))
done < <(jq -r '.panels[].targets[].expr' "$DASH")
[ "$n" -eq "$(jq '[.panels[].targets[]] | length' "$DASH")" ] || fail "read $n dashboard queries"
note "$n dashboard queries return data"

stop_hopscope INT || fail "hopscope exited $? after SIGINT: $(cat "$WORK/err")"
assert_nothing_attached

# Prometheus's p99 against hopscope's, hop by hop, as scraped at $at
checked=0
while IFS=$'\t' read -r from to packets p99; do
	res=$(prom_query "histogram_quantile(0.99, hopscope_hop_delay_seconds_bucket{from_id=\"$from\",to_id=\"$to\"})" "$at")
	count=$(prom_query "hopscope_hop_delay_seconds_count{from_id=\"$from\",to_id=\"$to\"}" "$at" | jq -r '.[0].value[1]')
	[ "$count" = "$packets" ] || fail "hop $from -> $to: prometheus counts $count, hopscope $packets"
	q=$(jq -r '.[0].value[1]' <<<"$res")
	read -r lo hi < <(jq -nr --argjson v "$p99" '
		[1e-6,2e-6,5e-6,1e-5,2e-5,5e-5,1e-4,2e-4,5e-4,1e-3,2e-3,5e-3,1e-2,2e-2,5e-2,0.1,0.2,0.5,1,2,5,10] as $e
		| ($v / 1e9) as $s
		| "\([0] + [$e[] | select(. < $s * 0.99)] | max) \([$e[] | select(. >= $s * 1.01 * (1 + 1/64))] | min)"')
	note "hop $from -> $to: hopscope p99 $p99 ns, prometheus $q s, bound [$lo, $hi] s, $packets packets"
	jq -ne --argjson q "$q" --argjson lo "$lo" --argjson hi "$hi" '$q >= $lo and $q <= $hi' >/dev/null ||
		fail "hop $from -> $to: histogram_quantile $q s outside [$lo, $hi] around hopscope's p99 $p99 ns"
	checked=$((checked + 1))
done < <(jq -r 'select(.type == "hop" and .final and .packets >= 100) | [.from, .to, .packets, .delay_ns.p99] | @tsv' "$WORK/out.jsonl")
[ "$checked" -ge 5 ] || fail "only $checked hops compared"
prom_stop
