#!/bin/bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# soak.sh [BUILD_DIR] - hopscope agent under churn, for SOAK_MIN minutes
# (default 10; SOAK_SECONDS overrides, for the short run in make check).
#
# On the test's own Docker Engine (tests/lib/docker.sh): two containers,
# client and server, talk all the time (bursts of UDP, bounded: one burst
# a second); a container is started and another stopped every
# SOAK_CHURN_S seconds (default 3); a flapper container's eth0 goes down
# and up every 10 s. The agent follows them all (--select docker,
# --expire 5) with metrics, JSON intervals and rotated record files.
#
# Every 5 s it samples the agent's resident memory (VmRSS, and RssAnon:
# its heap and tables without the binary's pages), the heap in use
# (/healthz heap_bytes, glibc's mallinfo2: what malloc has handed out and
# not had back), open descriptors, the bpf_links it holds (its own
# descriptors, exact where bpftool's listing races with links going) and
# the points it has in use (/healthz probes). At the end it prints the
# figures and checks the targets:
#  - after warm-up (the first fifth, at least 20 s), resident memory and
#    heap in use stay flat: their least-squares growth, extrapolated to an
#    hour, is under 1 MiB (judged when at least 5 min follow the warm-up:
#    a minute's slope is noise; reported always);
#  - descriptors: the fewest open in the last quarter are not more than
#    the fewest in the quarter after warm-up (a leak raises the floor; a
#    scrape's or a rescan's socket only makes a peak);
#  - the agent never holds more links than points in use, and no link of
#    its programs is left on the host once it has stopped;
#  - every record is accounted for: for every point, sampled = recorded +
#    ringbuf_drops, the ring buffer's drops are reported, and with traffic
#    records do reach the collector.
# Exit 0 when every target is met, 1 otherwise, 77 when it cannot run.
set -euo pipefail
cd "$(dirname "$0")/../.."
BUILD=${1:-build}
HOPSCOPE=$BUILD/hopscope
SECONDS_TOTAL=${SOAK_SECONDS:-$(( ${SOAK_MIN:-10} * 60 ))}
CHURN_S=${SOAK_CHURN_S:-3}
PORT=7777
WORK=$(mktemp -d /tmp/hopscope-soak.XXXXXX)
AGENT=
TRAFFIC=
MPORT=$((20000 + $$ % 1000))

soak_cleanup() {
	local rc=$?
	[ -z "$TRAFFIC" ] || kill "$TRAFFIC" 2>/dev/null || true
	if [ -n "$AGENT" ] && kill -0 "$AGENT" 2>/dev/null; then
		kill -KILL "$AGENT" 2>/dev/null || true
	fi
	rm -rf "$WORK"
	exit $rc
}
trap soak_cleanup EXIT
. tests/lib/docker.sh
fail() { echo "soak: FAIL: $*" >&2; FAILED=1; }
FAILED=0

[ "$(id -u)" -eq 0 ] || { echo "SKIP: the soak needs root" >&2; exit 77; }
# the containers outlive the soak by a minute, no more
DK_SLEEP_S=$((SECONDS_TOTAL + 60))
docker_up
docker_run client "$DK_BRIDGE" "$DK_NET.10"
docker_run server "$DK_BRIDGE" "$DK_NET.11"
docker_run flapper "$DK_BRIDGE" "$DK_NET.12"

mkdir -p "$WORK/rec"
"$HOPSCOPE" agent --select docker --expire 5 --interval 5 \
	--filter "udp and port $PORT" --metrics "127.0.0.1:$MPORT" \
	--json "$WORK/agent.jsonl" --write "$WORK/rec/" --rotate 1MiB,30s \
	--keep 8MiB >/dev/null 2>"$WORK/agent.err" &
AGENT=$!

health() { curl -sS --max-time 2 "http://127.0.0.1:$MPORT/healthz" 2>/dev/null || true; }
for _ in $(seq 100); do
	[ -n "$(health)" ] && break
	sleep 0.1
done
[ -n "$(health)" ] || { cat "$WORK/agent.err" >&2; echo "soak: the agent did not come up" >&2; exit 1; }

# steady traffic, bounded: one burst of 100 packets a second
cpid=$(docker_pid client)
(
	end=$((SECONDS + SECONDS_TOTAL))
	while [ "$SECONDS" -lt "$end" ] && [ "${SOAK_TRAFFIC:-1}" = 1 ]; do
		nsenter -t "$cpid" -n "$BUILD/tests/udpgen" "$DK_NET.11" "$PORT" 200 100 20 >/dev/null 2>&1 || true
		sleep 0.5
	done
) &
TRAFFIC=$!

rss_kib() { awk '/^VmRSS/ { print $2 }' "/proc/$AGENT/status"; }
# resident anonymous memory: the heap and the tables, without the
# binary's and libraries' pages
anon_kib() { awk '/^RssAnon/ { print $2 }' "/proc/$AGENT/status"; }
fds() { find "/proc/$AGENT/fd" -mindepth 1 -maxdepth 1 | wc -l; }
# bpf_links the agent holds, from its own descriptors: exact and free of
# races (bpftool's listing can miss links going away, and Debian's 7.1
# names neither TCX links' types nor their holders)
links_held() {
	local fd n=0
	for fd in /proc/"$AGENT"/fd/*; do
		[ "$(readlink "$fd" 2>/dev/null)" = anon_inode:bpf_link ] && n=$((n + 1))
	done
	echo "$n"
}
# every bpf_link on the host of the agent's programs (the "point" lines
# name them): nothing may be left once the agent has gone. A listing
# that fails or is not JSON is taken again, twice at most.
links_of_programs() {
	local ids out try
	ids=$(jq -r 'select(.type=="point") | .prog_id' "$WORK/agent.jsonl" 2>/dev/null | sort -u | tr '\n' ',' | sed 's/,$//')
	[ -n "$ids" ] || { echo 0; return; }
	for try in 1 2 3; do
		if out=$(bpftool -j link show 2>/dev/null) && echo "$out" | jq -e 'type == "array"' >/dev/null 2>&1; then
			echo "$out" | jq --argjson ids "[$ids]" '[.[] | select(.prog_id as $p | $ids | index($p))] | length'
			return
		fi
	done
	echo "?"
}
healthz=
sample_health() { healthz=$(health); }
hz() { echo "$healthz" | jq -r ".$1 // empty" 2>/dev/null; }

start=$SECONDS
next_sample=0
next_churn=$CHURN_S
next_flap=10
churn=0
max_excess=0
echo "t_s rss_kib anon_kib heap_kib fds links probes attached" >"$WORK/samples"
while [ $((SECONDS - start)) -lt "$SECONDS_TOTAL" ]; do
	t=$((SECONDS - start))
	kill -0 "$AGENT" 2>/dev/null || { fail "the agent died: $(tail -3 "$WORK/agent.err")"; break; }
	if [ "$t" -ge "$next_churn" ]; then
		churn=$((churn + 1))
		docker_run "churn$churn" "$DK_BRIDGE" "$DK_NET.$((20 + churn % 100))"
		[ "$churn" -lt 2 ] || dk rm -f "churn$((churn - 1))" >/dev/null
		next_churn=$((t + CHURN_S))
	fi
	if [ "$t" -ge "$next_flap" ]; then
		fpid=$(docker_pid flapper)
		[ "${fpid:-0}" -gt 0 ] || { fail "the flapper container is not running (pid '$fpid')"; break; }
		nsenter -t "$fpid" -n ip link set eth0 down
		nsenter -t "$fpid" -n ip link set eth0 up
		next_flap=$((t + 10))
	fi
	if [ "$t" -ge "$next_sample" ]; then
		sample_health
		l=$(links_held)
		p=$(hz probes)
		heap=$(hz heap_bytes)
		echo "$t $(rss_kib) $(anon_kib) $(( ${heap:-0} / 1024 )) $(fds) $l ${p:-?} $(hz probes_attached)" >>"$WORK/samples"
		# a link per point in use at most (probes_attached leaves out
		# points whose interface is down: a flap is not a leak)
		if [ -n "$p" ] && [ "$l" -gt "$p" ]; then
			[ $((l - p)) -le "$max_excess" ] || max_excess=$((l - p))
		fi
		next_sample=$((t + 5))
	fi
	sleep 0.2
done
kill "$TRAFFIC" 2>/dev/null || true
wait "$TRAFFIC" 2>/dev/null || true
TRAFFIC=

sample_health
links_before=$(links_held)
probes_before=$(hz probes)
kill -TERM "$AGENT"
rc=0
wait "$AGENT" || rc=$?
AGENT=
[ "$rc" -eq 0 ] || fail "the agent exited $rc after SIGTERM: $(tail -3 "$WORK/agent.err")"
# a link whose last descriptor closed goes when the kernel gets to it:
# wait for that, 5 s at most
for _ in $(seq 50); do
	left=$(links_of_programs)
	[ "$left" != 0 ] || break
	sleep 0.1
done

# least-squares slope of column COL over the samples after warm-up, per hour
slope_per_hour() {
	awk -v col="$1" -v warm="$2" 'NR > 1 && $1 >= warm {
		n++; x += $1; y += $col; xx += $1 * $1; xy += $1 * $col }
		END { if (n < 3) { print 0; exit }
		      d = n * xx - x * x; if (d == 0) { print 0; exit }
		      printf "%.1f\n", (n * xy - x * y) / d * 3600 }' "$WORK/samples"
}
warm=$((SECONDS_TOTAL / 5))
[ "$warm" -ge 20 ] || warm=20
rss_growth=$(slope_per_hour 2 "$warm")
anon_growth=$(slope_per_hour 3 "$warm")
heap_growth=$(slope_per_hour 4 "$warm")
fd_growth=$(slope_per_hour 5 "$warm")
# column COL at the first sample after warm-up, and at the last
at_warm() { awk -v c="$1" -v w="$warm" 'NR > 1 && $1 >= w { print $c; exit }' "$WORK/samples"; }
at_end() { awk -v c="$1" 'END { print $c }' "$WORK/samples"; }
# the fewest descriptors open over [from, to) seconds: a leak raises the
# floor, while a scrape's or a rescan's socket only makes a peak
fd_fewest() { awk -v a="$1" -v b="$2" 'NR > 1 && $1 >= a && $1 < b { print $5 }' "$WORK/samples" | sort -n | head -1; }
quarter=$(((SECONDS_TOTAL - warm) / 4))
fd_early=$(fd_fewest "$warm" $((warm + quarter)))
fd_late=$(fd_fewest $((SECONDS_TOTAL - quarter)) $((SECONDS_TOTAL + 1)))
# a slope over less than five minutes after warm-up is noise (a rotated
# part's buffer, a flow table's page): the memory targets are judged on
# longer runs only, and reported always
judge_memory=$(( SECONDS_TOTAL - warm >= 300 ))
links_most=$(awk 'NR > 1 { print $6 }' "$WORK/samples" | sort -n | tail -1)

# every record accounted for, at every point the final counters name
bad_points=$(jq -s '[.[] | select(.type=="counters" and .final and .sampled != .recorded + .ringbuf_drops)] | length' "$WORK/agent.jsonl")
drops=$(jq -s '[.[] | select(.type=="counters" and .final) | .ringbuf_drops] | add // 0' "$WORK/agent.jsonl")
pipeline=$(jq -c 'select(.type=="pipeline" and .final) | {records, evicted, unverified, bad_records}' "$WORK/agent.jsonl")
parts=$(find "$WORK/rec" -name '*.hsr*' | wc -l)
rec_bytes=$(du -sk "$WORK/rec" | cut -f1)

echo "soak: $SECONDS_TOTAL s, $churn containers started and stopped, a link flap every 10 s"
echo "soak: samples (t_s, VmRSS and RssAnon KiB, heap in use KiB (mallinfo2), descriptors, bpf_links held, points in use, attached and up):"
sed 's/^/  /' "$WORK/samples"
[ "$judge_memory" -eq 1 ] && target="target < 1024" || target="not judged: less than 5 min after warm-up"
echo "soak: after warm-up (${warm} s), growth extrapolated to an hour by least squares ($target):"
echo "soak:   resident (VmRSS) $(at_warm 2) -> $(at_end 2) KiB, $rss_growth KiB/h"
echo "soak:   anonymous (RssAnon) $(at_warm 3) -> $(at_end 3) KiB, $anon_growth KiB/h"
echo "soak:   heap in use $(at_warm 4) -> $(at_end 4) KiB, $heap_growth KiB/h"
echo "soak: descriptors: at fewest $fd_early in the quarter after warm-up, $fd_late in the last (target: not more); least-squares growth $fd_growth /h"
echo "soak: bpf_links held (the agent's descriptors): at most $links_most, beyond the points in use at most $max_excess (target 0); before SIGTERM $links_before for $probes_before points; of its programs on the host after it stopped $left (target 0)"
echo "soak: ring-buffer drops $drops; points whose sampled != recorded + drops: $bad_points (target 0); pipeline $pipeline"
echo "soak: record files: $parts parts, $rec_bytes KiB (--keep 8MiB)"

if [ "$judge_memory" -eq 1 ]; then
	awk -v g="$rss_growth" 'BEGIN { exit !(g < 1024) }' || fail "resident memory grows $rss_growth KiB an hour"
	awk -v g="$heap_growth" 'BEGIN { exit !(g < 1024) }' || fail "heap in use grows $heap_growth KiB an hour"
fi
[ "${fd_late:-0}" -le "${fd_early:-0}" ] || fail "descriptors grew from $fd_early to $fd_late"
[ "$max_excess" -eq 0 ] || fail "the agent held $max_excess links more than points in use"
[ "$links_before" -le "${probes_before:-0}" ] || fail "$links_before links held before SIGTERM for ${probes_before:-?} points"
[ "$left" = 0 ] || fail "$left links of the agent's programs left after it stopped"
[ "$bad_points" -eq 0 ] || fail "$bad_points points do not account for every record"
records=$(echo "$pipeline" | jq -r '.records // 0')
[ "${SOAK_TRAFFIC:-1}" != 1 ] || [ "${records:-0}" -gt 0 ] || fail "no record reached the collector: is $BUILD/tests/udpgen built?"
[ "$rec_bytes" -le $((8 * 1024 + 1024)) ] || fail "record files take $rec_bytes KiB, past --keep 8MiB"
[ "$FAILED" -eq 0 ] && echo "soak: every target met"
exit "$FAILED"
