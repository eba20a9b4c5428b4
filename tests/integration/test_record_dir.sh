#!/bin/bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# Record files for production: --write DIR with --rotate and --keep, and
# SIGHUP for every file output.
#  - `run --write DIR/ --rotate 1KiB,2s --keep 16KiB` (room for 3 or 4 of
#    its ~3.6 KiB parts: records carry an 8-byte NAT key, which gzip
#    cannot shrink, so 8 KiB held only 2 at times) under a bounded
#    stream makes several parts, named so that they sort by time; while it
#    runs, hopscope's parts in DIR never hold more than --keep (the part
#    being written counted at 1 KiB, the most it may hold past that being
#    one flush that the next tick rotates away); files in DIR that are not
#    hopscope's stay untouched; `hopscope report DIR/*` reads what is left
#    of the run, in order, and counts the stream;
#  - a JSON file and a CSV file moved away, then SIGHUP: both are opened
#    again at their paths, the new JSON file starting with the point
#    lines, and interval lines keep coming to both, flushed line by line,
#    before the run ends;
#  - SIGTERM ends the run with its final summary and nothing attached.
. "$(dirname "$0")/lib.sh"
require_root

"$TESTBED" up "$PREFIX" 1
DIR=$WORK/rec
mkdir -p "$DIR"
echo keep >"$DIR/notes.txt"
printf 'x%.0s' $(seq 3000) >"$DIR/hopscope-foreign.hsr"
KEEP=16384

# --rotate and --keep without a directory, or a --keep that holds no part:
# one line, exit 2, before anything is attached
expect 2 "--rotate and --keep need --write DIR (a directory, or a path ending in '/'): '$WORK/one.hsr' is not one" -- \
	"$HOPSCOPE" run --between "${PREFIX}snd" "${PREFIX}rcv" --write "$WORK/one.hsr" --rotate 1MiB
expect 2 "--rotate and --keep need --write DIR" -- \
	"$HOPSCOPE" run --between "${PREFIX}snd" "${PREFIX}rcv" --keep 1GiB
expect 2 "bad --keep '1KiB': less than one part (--rotate 1MiB)" -- \
	"$HOPSCOPE" run --between "${PREFIX}snd" "${PREFIX}rcv" --write "$WORK/d2/" --rotate 1MiB --keep 1KiB
[ ! -e "$WORK/one.hsr" ] || fail "a record file was made by a run that never started"

# the bytes of hopscope's parts in DIR, oldest first
parts() { find "$DIR" -maxdepth 1 -name 'hopscope-*Z-*-*.hsr' -printf '%f %s\n' | sort; }

start_hopscope 8 --filter "udp and port $PORT" --interval 1 \
	--write "$DIR/" --rotate 1KiB,2s --keep 16KiB \
	--between "${PREFIX}snd" "${PREFIX}rcv"
# within_keep: hopscope's parts hold at most --keep, but for what the
# newest holds past 1 KiB (the next tick rotates it away)
within_keep() {
	total=$(parts | awk '{s += $2} END {print s + 0}')
	newest=$(parts | tail -1 | awk '{print $2 + 0}')
	[ $((total - (newest > 1024 ? newest - 1024 : 0))) -le $KEEP ]
}
# 8 bursts of 40 packets, the directory looked at after each; a look that
# fell between a new part's opening and the pruning after it (well under
# a millisecond) is taken again a tick later
for burst in 1 2 3 4 5 6 7 8; do
	send_udp "${PREFIX}snd" 198.18.1.2 40 40
	within_keep || { sleep 0.05; within_keep; } ||
		fail "burst $burst: hopscope's parts hold $total bytes (newest $newest), more than --keep $KEEP: $(parts)"
done
stop_hopscope TERM || fail "hopscope failed: $(cat "$WORK/err")"
assert_nothing_attached
final=$(jq -s '[.[] | select(.type=="hop" and .final)] | length' "$WORK/out.jsonl")
[ "$final" -gt 0 ] || fail "no final summary after SIGTERM"

n=$(parts | wc -l)
[ "$n" -ge 3 ] || fail "only $n parts: $(parts)"
within_keep || fail "hopscope's parts hold $total bytes, more than --keep $KEEP"
grep -q "rotation\|SIGHUP" "$WORK/err" && fail "rotation into a directory is not news: $(cat "$WORK/err")"
[ "$(cat "$DIR/notes.txt")" = keep ] || fail "a file that is not hopscope's changed"
[ "$(stat -c %s "$DIR/hopscope-foreign.hsr")" -eq 3000 ] || fail "a file that is not a part was touched"
# the oldest parts went: the first left is not part 0
first=$(parts | head -1 | awk '{print $1}')
case "$first" in *-000000.hsr) fail "part 0 is still there: --keep deleted nothing ($(parts))" ;; esac
note "$n parts, $total bytes, first $first"

# the run's parts, as the shell lists them, in order
"$HOPSCOPE" report $(parts | awk -v d="$DIR" '{print d "/" $1}') \
	--json "$WORK/report.jsonl" >"$WORK/report.table" 2>"$WORK/report.err" ||
	fail "report of the parts failed: $(cat "$WORK/report.err")"
grep -q "missing" "$WORK/report.err" && fail "a part in between is missing: $(cat "$WORK/report.err")"
pk=$(jq -s '[.[] | select(.type=="hop" and .final) | .packets] | max' "$WORK/report.jsonl")
[ "$pk" -gt 0 ] || fail "report of the parts counted no packets"
note "report of the parts: hops with up to $pk packets"

# ---- SIGHUP reopens the JSON and CSV files
J=$WORK/live.jsonl
C=$WORK/live.csv
"$HOPSCOPE" run --filter "udp and port $PORT" --interval 0.5 --json "$J" --csv "$C" \
	--between "${PREFIX}snd" "${PREFIX}rcv" >"$WORK/t2" 2>"$WORK/e2" &
HS_PID=$!
COPY_PID=
# wait_lines FILE TYPE N: bounded polling, a file has no event to wait on
wait_lines() {
	local i
	for i in $(seq 100); do
		[ -f "$1" ] && [ "$(grep -c "\"type\":\"$2\"" "$1")" -ge "$3" ] && return 0
		kill -0 "$HS_PID" 2>/dev/null || fail "hopscope ended: $(cat "$WORK/e2")"
		sleep 0.1
	done
	fail "no $3 $2 lines in $1 within 10 s"
}
wait_lines "$J" point 8
send_udp "${PREFIX}snd" 198.18.1.2 100 50
wait_lines "$J" pipeline 1
mv "$J" "$J.1"
mv "$C" "$C.1"
kill -HUP "$HS_PID"
wait_lines "$J" point 8
send_udp "${PREFIX}snd" 198.18.1.2 100 50
wait_lines "$J" hop 1
# interval lines reach the reopened file while the run goes on
grep -q '"final":false' "$J" || fail "no interval lines in the reopened JSON file"
for i in $(seq 100); do
	[ -f "$C" ] && [ "$(wc -l <"$C")" -ge 2 ] && break
	sleep 0.1
done
head -1 "$C" | grep -q '^report,elapsed_s,' || fail "the reopened CSV file has no header: $(head -1 "$C")"
[ "$(wc -l <"$C")" -ge 2 ] || fail "no CSV rows in the reopened file"
kill -TERM "$HS_PID"
wait "$HS_PID" || fail "hopscope failed: $(cat "$WORK/e2")"
HS_PID=
jq -e -s '[.[] | select(.type=="hop" and .final)] | length > 0' "$J" >/dev/null ||
	fail "no final summary in the reopened JSON file after SIGTERM"
jq -e -s '[.[] | select(.type=="hop" and .final)] | length == 0' "$J.1" >/dev/null ||
	fail "the moved-away JSON file was written after SIGHUP"
note "SIGHUP: JSON and CSV reopened; $(wc -l <"$J") lines since"
assert_nothing_attached "$J"
