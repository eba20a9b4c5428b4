#!/bin/bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# A real Prometheus scrape. hopscope runs inside the test's receiver
# namespace with --metrics 127.0.0.1:PORT (that namespace's own loopback:
# no traffic leaves the test's namespaces); curl scrapes it there while a
# stream crosses the chain. The text must be well-formed exposition format
# and carry the expected series with the stream's numbers: every hop's
# delay histogram with the packets sent, its jitter and lateness gauges,
# loss and reordering counters, the points' and the pipeline's counters.
. "$(dirname "$0")/lib.sh"
require_root
command -v curl >/dev/null || skip "curl is not installed"

COUNT=400
MPORT=9464
"$TESTBED" up "$PREFIX" 1
HS_IN_NETNS=${PREFIX}rcv start_hopscope 8 --filter "udp and port $PORT" --interval 0 \
	--metrics "127.0.0.1:$MPORT" --between "${PREFIX}snd" "${PREFIX}rcv"

scrape() { # scrape [PATH] -> the body; the status line and headers to $WORK/headers
	ip netns exec "${PREFIX}rcv" curl -sS --max-time 5 -D "$WORK/headers" \
		"http://127.0.0.1:$MPORT${1:-/metrics}"
}

# before any packet: served, with the point counters at zero
scrape >"$WORK/m0" || fail "the first scrape failed"
grep -q '^HTTP/1.1 200' "$WORK/headers" || fail "status: $(head -1 "$WORK/headers")"
grep -qi '^content-type: text/plain; version=0.0.4' "$WORK/headers" ||
	fail "content type: $(grep -i content-type "$WORK/headers")"

send_udp "${PREFIX}snd" 198.18.1.2 400 "$COUNT"
# the statistics fold a match window after the last packet: scrape until
# the path's histogram holds the stream, a bounded number of times
path_count() {
	awk '/^hopscope_path_delay_seconds_count/ { print $NF }' "$WORK/m" | sort -n | tail -1
}
for _ in $(seq 50); do
	scrape >"$WORK/m" || fail "scrape failed"
	[ "$(path_count)" = "$COUNT" ] && break
	sleep 0.1
done
[ "$(path_count)" = "$COUNT" ] || fail "the path's histogram holds $(path_count) packets, sent $COUNT"

# well-formed: every line a comment or "name{labels} value"
bad=$(grep -Ev '^# (HELP|TYPE) [a-zA-Z_:][a-zA-Z0-9_:]* .+$|^[a-zA-Z_:][a-zA-Z0-9_:]*(\{[a-zA-Z_][a-zA-Z0-9_]*="([^"\\]|\\.)*"(,[a-zA-Z_][a-zA-Z0-9_]*="([^"\\]|\\.)*")*\})? -?[0-9.e+-]+$|^[a-zA-Z_:][a-zA-Z0-9_:]*(\{.*\})? \+Inf$' "$WORK/m" || true)
[ -z "$bad" ] || fail "malformed lines: $(head -3 <<<"$bad")"
for family in hop_delay_seconds path_delay_seconds; do
	grep -q "^# TYPE hopscope_$family histogram$" "$WORK/m" || fail "no histogram $family"
done
for series in hopscope_hop_jitter_seconds hopscope_hop_lateness_seconds \
	hopscope_hop_lost_total hopscope_hop_reordered_total \
	hopscope_point_seen_total hopscope_point_ringbuf_drops_total \
	hopscope_pipeline_trajectories_total hopscope_pipeline_unverified_total; do
	grep -q "^$series" "$WORK/m" || fail "no series $series"
done

# the wire into the receiver: its histogram has every packet, +Inf too
snd=$(point_id "${PREFIX}vnf1" eth1 tc-egress)
rcv=$(point_id "${PREFIX}rcv" eth0 tc-ingress)
sel="from_id=\"$snd\",to_id=\"$rcv\""
count=$(grep "^hopscope_hop_delay_seconds_count{.*$sel" "$WORK/m" | awk '{ print $NF }')
inf=$(grep "^hopscope_hop_delay_seconds_bucket{.*$sel.*le=\"+Inf\"" "$WORK/m" | awk '{ print $NF }')
lost=$(grep "^hopscope_hop_lost_total{.*$sel" "$WORK/m" | awk '{ print $NF }')
note "hop $snd -> $rcv: count $count, +Inf $inf, lost $lost"
[ "$count" = "$COUNT" ] && [ "$inf" = "$COUNT" ] || fail "hop $snd -> $rcv histogram: count $count, +Inf $inf"
[ "$lost" = 0 ] || fail "hop $snd -> $rcv lost $lost"
# buckets only grow with le
grep "^hopscope_hop_delay_seconds_bucket{.*$sel" "$WORK/m" | awk '{ print $NF }' |
	sort -c -n || fail "the buckets of hop $snd -> $rcv are not cumulative"
seen=$(grep "^hopscope_point_seen_total{.*id=\"$rcv\"" "$WORK/m" | awk '{ print $NF }')
[ "$seen" -ge "$COUNT" ] || fail "point $rcv saw $seen packets"

# other paths and methods: GET /metrics and /healthz only
scrape /nope >/dev/null
grep -q '^HTTP/1.1 404' "$WORK/headers" || fail "unknown path: $(head -1 "$WORK/headers")"
scrape / >/dev/null
grep -q '^HTTP/1.1 404' "$WORK/headers" || fail "/: $(head -1 "$WORK/headers")"
ip netns exec "${PREFIX}rcv" curl -sS --max-time 5 -o /dev/null -D "$WORK/headers" \
	-X POST -d x "http://127.0.0.1:$MPORT/metrics" || fail "POST failed"
grep -q '^HTTP/1.1 405' "$WORK/headers" || fail "POST: $(head -1 "$WORK/headers")"

# clients that connect and say nothing do not starve a scrape: N of them
# held open (one process, for at most 8 s), then a scrape, timed
idle_scrape() { # idle_scrape N -> ms the scrape took
	local holder t0 t1
	ip netns exec "${PREFIX}rcv" bash -c '
		for _ in $(seq '"$1"'); do exec {fd}<>/dev/tcp/127.0.0.1/'"$MPORT"' || exit 1; done
		sleep 8' &
	holder=$!
	# until all are connected, as the holder's side of each shows it
	for _ in $(seq 100); do
		[ "$(ip netns exec "${PREFIX}rcv" ss -Htn state established "( dport = :$MPORT )" | wc -l)" -ge "$1" ] && break
		sleep 0.05
	done
	t0=$(date +%s%N)
	scrape >/dev/null || { kill "$holder"; fail "a scrape behind $1 idle connections failed"; }
	t1=$(date +%s%N)
	kill "$holder" 2>/dev/null; wait "$holder" 2>/dev/null
	echo $(((t1 - t0) / 1000000))
}
ms=$(idle_scrape 16)
note "a scrape behind 16 idle connections: $ms ms"
[ "$ms" -lt 1000 ] || fail "a scrape behind 16 idle connections took $ms ms"
ms=$(idle_scrape 150)
note "a scrape behind 150 idle connections (above the limit of 128): $ms ms"
[ "$ms" -lt 4000 ] || fail "a scrape behind 150 idle connections took $ms ms"
stop_hopscope INT || fail "hopscope exited $? after SIGINT: $(cat "$WORK/err")"
assert_nothing_attached
