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
# Every 5 s it samples the agent's resident memory and open descriptors,
# and after each stop, once the agent has let the container go, the
# bpf_links the agent holds against the points it has attached (from
# /healthz). At the end it prints the figures and checks the targets:
#  - after warm-up (the first fifth, at least 20 s), resident memory and
#    descriptors stay flat: the least-squares growth of resident memory,
#    extrapolated to an hour, is under 1 MiB, and the descriptors open in
#    the last quarter are never more than the most open in the quarter
#    after warm-up (a scrape's socket comes and goes);
#  - the links the agent holds are never more than the points it has
#    attached, and none is left after it stops;
#  - every record is accounted for: for every point, sampled = recorded +
#    ringbuf_drops, and the ring buffer's drops are reported.
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
fds() { find "/proc/$AGENT/fd" -mindepth 1 -maxdepth 1 | wc -l; }
# bpf_links of the agent's programs (the "point" lines name them;
# Debian's bpftool 7.1 names neither TCX links nor their holders)
links_held() {
	local ids
	ids=$(jq -r 'select(.type=="point") | .prog_id' "$WORK/agent.jsonl" 2>/dev/null | sort -u | tr '\n' ',' | sed 's/,$//')
	[ -n "$ids" ] || { echo 0; return; }
	bpftool -j link show 2>/dev/null |
		jq --argjson ids "[$ids]" '[.[] | select(.prog_id as $p | $ids | index($p))] | length'
}
attached() { health | jq -r '.probes_attached // empty'; }

start=$SECONDS
next_sample=0
next_churn=$CHURN_S
next_flap=10
churn=0
max_excess=0
echo "t_s rss_kib fds links attached" >"$WORK/samples"
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
		nsenter -t "$fpid" -n ip link set eth0 down
		nsenter -t "$fpid" -n ip link set eth0 up
		next_flap=$((t + 10))
	fi
	if [ "$t" -ge "$next_sample" ]; then
		l=$(links_held)
		a=$(attached)
		echo "$t $(rss_kib) $(fds) $l ${a:-?}" >>"$WORK/samples"
		if [ -n "$a" ] && [ "$l" -gt "$a" ]; then
			[ $((l - a)) -le "$max_excess" ] || max_excess=$((l - a))
		fi
		next_sample=$((t + 5))
	fi
	sleep 0.2
done
kill "$TRAFFIC" 2>/dev/null || true
wait "$TRAFFIC" 2>/dev/null || true
TRAFFIC=

links_before=$(links_held)
kill -TERM "$AGENT"
rc=0
wait "$AGENT" || rc=$?
AGENT=
[ "$rc" -eq 0 ] || fail "the agent exited $rc after SIGTERM: $(tail -3 "$WORK/agent.err")"
left=$(links_held)

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
fd_growth=$(slope_per_hour 3 "$warm")
rss_first=$(awk -v w="$warm" 'NR > 1 && $1 >= w { print $2; exit }' "$WORK/samples")
rss_last=$(awk 'END { print $2 }' "$WORK/samples")
# the most descriptors open over [from, to) seconds
fd_most() { awk -v a="$1" -v b="$2" 'NR > 1 && $1 >= a && $1 < b { print $3 }' "$WORK/samples" | sort -n | tail -1; }
quarter=$(((SECONDS_TOTAL - warm) / 4))
fd_early=$(fd_most "$warm" $((warm + quarter)))
fd_late=$(fd_most $((SECONDS_TOTAL - quarter)) $((SECONDS_TOTAL + 1)))

# every record accounted for, at every point the final counters name
bad_points=$(jq -s '[.[] | select(.type=="counters" and .final and .sampled != .recorded + .ringbuf_drops)] | length' "$WORK/agent.jsonl")
drops=$(jq -s '[.[] | select(.type=="counters" and .final) | .ringbuf_drops] | add // 0' "$WORK/agent.jsonl")
pipeline=$(jq -c 'select(.type=="pipeline" and .final) | {records, evicted, unverified, bad_records}' "$WORK/agent.jsonl")
parts=$(find "$WORK/rec" -name '*.hsr*' | wc -l)
rec_bytes=$(du -sk "$WORK/rec" | cut -f1)

echo "soak: $SECONDS_TOTAL s, $churn containers started and stopped, a link flap every 10 s"
echo "soak: samples (t_s rss_kib fds links attached):"
sed 's/^/  /' "$WORK/samples"
echo "soak: resident memory after warm-up (${warm} s): $rss_first KiB -> $rss_last KiB, growth $rss_growth KiB/h (target < 1024)"
echo "soak: descriptors: at most $fd_early in the quarter after warm-up, $fd_late in the last (target: not more); least-squares growth $fd_growth /h"
echo "soak: links held beyond the points attached: at most $max_excess (target 0); before SIGTERM $links_before, after $left (target 0)"
echo "soak: ring-buffer drops $drops; points whose sampled != recorded + drops: $bad_points (target 0); pipeline $pipeline"
echo "soak: record files: $parts parts, $rec_bytes KiB (--keep 8MiB)"

awk -v g="$rss_growth" 'BEGIN { exit !(g < 1024) }' || fail "resident memory grows $rss_growth KiB an hour"
[ "${fd_late:-0}" -le "${fd_early:-0}" ] || fail "descriptors grew from $fd_early to $fd_late"
[ "$max_excess" -eq 0 ] || fail "the agent held $max_excess links more than points attached"
[ "$left" -eq 0 ] || fail "$left links left after the agent stopped"
[ "$bad_points" -eq 0 ] || fail "$bad_points points do not account for every record"
[ "$rec_bytes" -le $((8 * 1024 + 1024)) ] || fail "record files take $rec_bytes KiB, past --keep 8MiB"
[ "$FAILED" -eq 0 ] && echo "soak: every target met"
exit "$FAILED"
