#!/bin/bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# `hopscope study --quick`: every experiment on every technology this host
# can build, in the shape results.jsonl promises; each chain fit recomputed
# from the points it shows; the report opened in headless Chromium, every
# table and figure in its DOM, its screenshot not blank; nothing left
# behind. Bad --only and --tech values are refused by name.
# hopscope-test: serial - it measures CPU per packet and a constant-rate
# stream, which other tests running beside it would disturb.
. "$(dirname "$0")/lib.sh"
require_root
for c in sockperf gnuplot chromium; do
	command -v "$c" >/dev/null || skip "$c is not installed (scripts/install-deps.sh)"
done

expect 2 "bad --only 'fig5': latency, jitter, efficiency, roundtrip or chain" -- \
	"$HOPSCOPE" study --only fig5
expect 2 "bad --tech 'bridge,vpp': native, direct, macvlan, sriov, bridge, ovs, docker-bridge or docker-macvlan" -- \
	"$HOPSCOPE" study --tech bridge,vpp

OUT=$WORK/study
SPID=
stop_study() {
	if [ -n "$SPID" ] && kill -0 "$SPID" 2>/dev/null; then
		kill -TERM "$SPID" 2>/dev/null || true
		wait "$SPID" 2>/dev/null || true
	fi
	[ -z "$SPID" ] || "$TESTBED" down "hs${SPID}_" || true
	cleanup
}
trap stop_study EXIT

start=$EPOCHREALTIME
"$HOPSCOPE" study --quick --out "$OUT" >"$WORK/out" 2>"$WORK/err" &
SPID=$!
wait "$SPID" || fail "study exited $?: $(tail -5 "$WORK/err")"
note "the quick study took $(awk -v a="$start" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.0f", b - a }') s"
left=$(ip netns list | awk '{print $1}' | grep "^hs${SPID}_" || true)
[ -z "$left" ] || fail "namespaces left behind: $left"
! ls -d /tmp/hs-ovs-hs"${SPID}"_* >/dev/null 2>&1 || fail "OVS run directories left behind"
[ "$(hs_links "$(ls "$OUT"/raw/*.jsonl | head -1)")" -eq 0 ] || fail "bpf_links left behind"

for f in report.html results.jsonl latency.csv jitter.csv efficiency.csv roundtrip.csv chain.csv; do
	[ -s "$OUT/$f" ] || fail "$f was not written"
done
R=$OUT/results.jsonl
jq -e . "$R" >/dev/null || fail "results.jsonl is not JSON lines"

# the study line: this host, the quick settings
jq -se '.[0] | .type == "study" and .quick and .max_vnfs == 3 and .host.cpus >= 1
	and (.host.kernel | startswith("Linux")) and (.host.ovs_datapath | length > 0)' "$R" >/dev/null ||
	fail "bad study line: $(head -1 "$R")"

techs="native direct macvlan bridge"
chain_techs="direct macvlan bridge"
if "$TESTBED" has-ovs; then
	techs+=" ovs"
	chain_techs+=" ovs"
else
	jq -se 'all(.[] | select(.type == "cell" and .tech == "ovs"); .available == false
		and (.reason | startswith("not available on this host")))' "$R" >/dev/null ||
		fail "OVS cannot run here, yet its cells do not say so"
fi
cell() { # cell EXPERIMENT TECH [JQ CONDITION]: the available cells
	jq -c --arg e "$1" --arg t "$2" "select(.type == \"cell\" and .experiment == \$e and .tech == \$t
		and .available) ${3:+| select($3)}" "$R"
}

# SR-IOV: no VF here, and every one of its cells says so
if ! ls /sys/class/net/*/device/virtfn0 >/dev/null 2>&1; then
	n=$(jq -s '[.[] | select(.type == "cell" and .tech == "sriov"
		and .available == false and .reason == "not available on this host: no SR-IOV VF")] | length' "$R")
	[ "$n" -eq 9 ] || fail "$n SR-IOV cells say there is no VF, expected 9 (2 latency, jitter, efficiency, 2 round trip, 3 chain)"
fi

for t in $techs; do
	# latency: both frame sizes, every packet, hops whose shares add up
	for frame in 64 1514; do
		c=$(cell latency "$t" ".frame == $frame")
		[ -n "$c" ] || fail "no latency cell for $t at $frame B"
		jq -e '.path.packets >= 285 and .path.delay_ns.mean > 0 and (.hops | length) >= 1
			and ((([.hops[].share] | add) - 1) | fabs) < 0.02
			and .path.delay_ns.min <= .path.delay_ns.mean and .path.delay_ns.mean <= .path.delay_ns.max' \
			<<<"$c" >/dev/null || fail "latency $t $frame B: $c"
	done
	# jitter: n near 3000 after head and tail, J's summary in order
	c=$(cell jitter "$t")
	jq -e '.path.packets >= 2700 and .path.packets <= 3300
		and .path.jitter_ns.min <= .path.jitter_ns.mean and .path.jitter_ns.mean <= .path.jitter_ns.max
		and .path.jitter_ns.stdev >= 0 and .path.lateness_ns.mean >= 0
		and all(.hops[]; .jitter_ns.max >= .jitter_ns.min)' <<<"$c" >/dev/null ||
		fail "jitter $t: $c"
	# efficiency: the CPU split and the probes' own time
	c=$(cell efficiency "$t")
	jq -e '.cpu_ns_per_packet | has("user") and has("system") and has("softirq") and .probe > 0' \
		<<<"$c" >/dev/null || fail "efficiency $t: $c"
done
# the hop that makes each technology is named
jq -se 'any(.[]; .type == "cell" and .experiment == "latency" and .tech == "bridge"
	and any(.hops[]; .kind == "switch" and .name == "bridge br0"))' "$R" >/dev/null ||
	fail "the bridge's latency cells have no 'bridge br0' hop"
jq -se 'any(.[]; .type == "cell" and .experiment == "latency" and .tech == "macvlan"
	and any(.hops[]; .name | startswith("wire veth snd:eth0 -> sw0:nic0")))' "$R" >/dev/null ||
	fail "the macvlan cells do not come in over a wire into the NIC"

# round trip: sockperf beside both directions; native has no pair
jq -se 'any(.[]; .type == "cell" and .experiment == "roundtrip" and .tech == "native"
	and .available == false and (.reason | test("lo")))' "$R" >/dev/null ||
	fail "native's round trip does not say why it is not measured"
for t in $chain_techs; do
	for frame in 64 1514; do
		c=$(cell roundtrip "$t" ".frame == $frame")
		jq -e '.sockperf.observations > 100 and .sockperf.rtt_mean_ns > 0
			and .path.packets > 100 and .back.packets > 100' <<<"$c" >/dev/null ||
			fail "round trip $t $frame B: $c"
	done
	# chains: N functions on the measured path, N = 1..3
	for n in 1 2 3; do
		c=$(cell chain "$t" ".functions == $n")
		got=$(jq '[.hops[] | select(.kind == "function")] | length' <<<"$c")
		[ "$got" = "$n" ] || fail "chain $t of $n: $got function hops: $c"
	done
	# each fit from the points it shows, and those points the cells'
	for m in delay_mean jitter_mean; do
		f=$(jq -c --arg t "$t" --arg m "$m" 'select(.type == "fit" and .tech == $t and .metric == $m)' "$R")
		[ -n "$f" ] || fail "no $m fit for $t"
		field=$([ $m = delay_mean ] && echo delay_ns || echo jitter_ns)
		want=$(jq -c --arg t "$t" "[select(.type == \"cell\" and .experiment == \"chain\" and .tech == \$t)
			| [.functions, .path.$field.mean]]" "$R" | jq -sc 'add')
		[ "$(jq -c .points <<<"$f")" = "$want" ] || fail "$t $m fit points $(jq -c .points <<<"$f"), cells $want"
		jq -r '.points[] | "\(.[0]) \(.[1])"' <<<"$f" | awk -v slope="$(jq .slope <<<"$f")" \
			-v icpt="$(jq .intercept <<<"$f")" -v r2="$(jq .r2 <<<"$f")" '
			{ x[NR] = $1; y[NR] = $2; sx += $1; sy += $2 }
			END {
				n = NR; mx = sx / n; my = sy / n
				for (i = 1; i <= n; i++) { sxy += (x[i] - mx) * (y[i] - my); sxx += (x[i] - mx) ^ 2 }
				b = sxy / sxx; a = my - b * mx
				for (i = 1; i <= n; i++) { e = y[i] - (a + b * x[i]); sse += e * e; sst += (y[i] - my) ^ 2 }
				want = sst > 0 ? 1 - sse / sst : 1
				d = function_abs(b - slope) + function_abs(a - icpt)
				if (d > 1e-6 * (1 + function_abs(b) + function_abs(a)) || function_abs(want - r2) > 1e-9) {
					printf "slope %g intercept %g R^2 %.12f; recomputed %g %g %.12f\n", slope, icpt, r2, b, a, want
					exit 1
				}
			}
			function function_abs(v) { return v < 0 ? -v : v }' ||
			fail "$t $m: the fit is not the points' least squares"
	done
done
note "fits recomputed: $(jq -r 'select(.type == "fit") | "\(.tech) \(.metric) R^2 \(.r2 * 1000 | round / 1000)"' "$R" | paste -sd, -)"

# the report: self-contained, every table and figure, a page with ink
if grep -Eo "(src|href)=['\"][^'\"#][^'\"]*" "$OUT/report.html" | grep -q .; then
	fail "report.html fetches something: $(grep -Eo "(src|href)=['\"][^'\"#][^'\"]*" "$OUT/report.html" | head -3)"
fi
chrome() {
	timeout 90 chromium --headless=new --no-sandbox --disable-gpu --no-first-run \
		--user-data-dir="$WORK/chrome" "$@" "file://$OUT/report.html" 2>>"$WORK/chrome.err"
}
chrome --dump-dom >"$WORK/dom.html" || fail "chromium could not open the report: $(tail -3 "$WORK/chrome.err")"
for id in table-host table-latency table-1 table-2 table-efficiency table-roundtrip table-chain table-3; do
	grep -q "<table id=\"$id\"" "$WORK/dom.html" || fail "the report's DOM has no table $id"
done
for id in fig-latency fig-efficiency fig-roundtrip fig-8 fig-9; do
	grep -q "<figure id=\"$id\"><svg" "$WORK/dom.html" || fail "the report's DOM has no plot in figure $id"
done
grep -q 'not available on this host: no SR-IOV VF' "$WORK/dom.html" || fail "the report does not say why SR-IOV is missing"
chrome --screenshot="$WORK/shot.png" --window-size=1200,2400 >/dev/null ||
	fail "chromium took no screenshot: $(tail -3 "$WORK/chrome.err")"
read -r size ink colours < <("$BUILD/tests/pngink" "$WORK/shot.png") || fail "the screenshot is not a PNG"
note "screenshot $size: ${ink}% ink, $colours colours"
awk -v i="$ink" -v c="$colours" 'BEGIN { exit !(i > 5 && c > 50) }' ||
	fail "the screenshot is blank: ${ink}% of it unlike the background, $colours colours"
