#!/bin/bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# A record file gives back exactly what the live run reported. One run
# with intervals, --warmup and --cooldown writes JSON, CSV and a record
# file, which SIGHUP rotates halfway:
#  - hopscope report on the two parts prints the live run's JSON lines,
#    byte for byte, and the same table, also matching on three threads;
#  - a later part alone is reported from where it starts;
#  - a truncated and a corrupt file are reported up to the damage, with an
#    error naming the byte offset and exit status 1, and so are two files
#    joined with cat and a file with bytes after its compressed content;
#  - the warm-up and cool-down left packets out, and the CSV carries the
#    final report that scripts/plot.sh draws.
. "$(dirname "$0")/lib.sh"
require_root

count_final() { # count_final TYPE FILE: final lines of TYPE with packets
	jq -s --arg t "$1" '[.[] | select(.type == $t and .final and .packets > 0)] | length' "$2"
}

"$TESTBED" up "$PREFIX" 2
REC=$WORK/run.hsr
stats_before=$(cat /proc/sys/kernel/bpf_stats_enabled)
start_hopscope 12 --filter "udp and port $PORT" --interval 1 --duration 4.5 \
	--warmup 0.5 --cooldown 0.5 --write "$REC" --csv "$WORK/run.csv" \
	--between "${PREFIX}snd" "${PREFIX}rcv"
# least privilege: once measuring, only CAP_SYS_ADMIN (21), CAP_SYS_PTRACE
# (19) and CAP_NET_ADMIN (12) are left, in every set, the bounding one too
want_caps=0000000000281000
assert_caps "$HS_PID" "$want_caps"
note "capabilities while measuring: $want_caps (CAP_SYS_ADMIN, CAP_SYS_PTRACE, CAP_NET_ADMIN)"
send_udp "${PREFIX}snd" 198.18.2.2 500 500
# log rotation between two bursts of the stream
mv "$REC" "$REC.0"
kill -HUP "$HS_PID"
send_udp "${PREFIX}snd" 198.18.2.2 500 1000
wait_hopscope || fail "hopscope failed: $(cat "$WORK/err")"
grep -q "started afresh (part 1)" "$WORK/err" || fail "SIGHUP did not start a new file: $(cat "$WORK/err")"
# the probes' cost, as the kernel timed it, and the sysctl as it was
[ "$(cat /proc/sys/kernel/bpf_stats_enabled)" = "$stats_before" ] ||
	fail "kernel.bpf_stats_enabled was $stats_before, is $(cat /proc/sys/kernel/bpf_stats_enabled)"
cost=$(jq -s '[.[] | select(.type=="probe_cost" and .packets > 0 and .ns_per_packet > 0)] | length' "$WORK/out.jsonl")
[ "$cost" -eq 2 ] || fail "probe_cost lines for tc-ingress and tc-egress: $cost"
grep -q "^probe cost (the kernel's timing, .*): tc-ingress [0-9]* ns a packet" "$WORK/table" || fail "no probe cost in the table"
note "$(grep '^probe cost' "$WORK/table")"
[ -s "$REC" ] && [ -s "$REC.0" ] || fail "the record file's parts are missing"
# what holds addresses is its owner's alone
for f in "$REC" "$REC.0" "$WORK/run.csv"; do
	[ "$(stat -c %a "$f")" = 600 ] || fail "$f was created with mode $(stat -c %a "$f"), not 600"
done

# ---- the same statistics, offline
"$HOPSCOPE" report "$REC.0" "$REC" --json "$WORK/report.jsonl" >"$WORK/report.table" 2>"$WORK/report.err" ||
	fail "report failed: $(cat "$WORK/report.err")"
cmp -s "$WORK/out.jsonl" "$WORK/report.jsonl" ||
	fail "report JSON differs from the live run's: $(diff "$WORK/out.jsonl" "$WORK/report.jsonl" | head -5)"
# the live table, without the lines of the run's own progress
grep -v '^point ' "$WORK/table" >"$WORK/live.rows"
grep -v '^point ' "$WORK/report.table" >"$WORK/report.rows"
cmp -s "$WORK/live.rows" "$WORK/report.rows" || fail "report table differs from the live run's"
note "report of $(jq -s 'length' "$WORK/report.jsonl") JSON lines equals the live run's"

# matched on three threads, the same statistics
"$HOPSCOPE" report "$REC.0" "$REC" --collector-threads 3 --json "$WORK/report3.jsonl" >/dev/null 2>"$WORK/report.err" ||
	fail "report --collector-threads 3 failed: $(cat "$WORK/report.err")"
cmp -s "$WORK/out.jsonl" "$WORK/report3.jsonl" ||
	fail "three collector threads report otherwise: $(diff "$WORK/out.jsonl" "$WORK/report3.jsonl" | head -5)"

# in either order on the command line: the parts sort themselves
"$HOPSCOPE" report "$REC" "$REC.0" --json "$WORK/report2.jsonl" >/dev/null 2>&1 ||
	fail "report of the parts in reverse order failed"
cmp -s "$WORK/out.jsonl" "$WORK/report2.jsonl" || fail "the parts were not put in order"

# ---- --warmup and --cooldown left the stream's head and tail out
pipe=$(jq -c 'select(.type=="pipeline" and .final)' "$WORK/out.jsonl")
head_out=$(jq .left_out_warmup <<<"$pipe")
tail_out=$(jq .left_out_cooldown <<<"$pipe")
path=$(jq -s -c '[.[] | select(.type=="path" and .final)] | max_by(.packets)' "$WORK/out.jsonl")
pkts=$(jq .packets <<<"$path")
note "warm-up left out $head_out packets, cool-down $tail_out, $pkts measured"
# 0.5 s at 500/s is 250 packets each way; the stream is 1500
[ "$head_out" -ge 150 ] && [ "$head_out" -le 350 ] || fail "warm-up left out $head_out packets"
[ "$tail_out" -ge 150 ] && [ "$tail_out" -le 350 ] || fail "cool-down left out $tail_out packets"
[ $((pkts + head_out + tail_out)) -eq 1500 ] ||
	fail "measured $pkts + left out $head_out + $tail_out is not the 1500 sent"

# ---- a later part alone
"$HOPSCOPE" report "$REC" --json "$WORK/part1.jsonl" >/dev/null 2>"$WORK/part1.err" ||
	fail "report of part 1 alone failed: $(cat "$WORK/part1.err")"
grep -q "is part 1 of run" "$WORK/part1.err" || fail "no word that part 1 starts mid-run"
[ "$(count_final path "$WORK/part1.jsonl")" -gt 0 ] || fail "part 1 alone reports no path"

# ---- damaged files
size=$(stat -c %s "$REC.0")
head -c $((size / 2)) "$REC.0" >"$WORK/cut.hsr"
rc=0
# the first half of part 0 is all warm-up and cool-down: re-analysed
# without them, what the records before the cut say is measured
"$HOPSCOPE" report "$WORK/cut.hsr" --warmup 0 --cooldown 0 --json "$WORK/cut.jsonl" \
	>"$WORK/cut.table" 2>"$WORK/cut.err" || rc=$?
[ "$rc" -eq 1 ] || fail "a truncated file gave exit status $rc, expected 1"
tail -1 "$WORK/cut.err" | grep -q "record file '$WORK/cut.hsr': truncated at byte [0-9]* of its content" ||
	fail "no clear error for the truncated file: $(tail -1 "$WORK/cut.err")"
[ "$(count_final hop "$WORK/cut.jsonl")" -gt 0 ] || fail "the records before the cut were not reported"
note "truncated: $(tail -1 "$WORK/cut.err")"

cp "$REC.0" "$WORK/bad.hsr"
printf '\xa5%.0s' $(seq 64) | dd of="$WORK/bad.hsr" bs=1 seek=$((size / 2)) conv=notrunc status=none
rc=0
"$HOPSCOPE" report "$WORK/bad.hsr" >"$WORK/bad.table" 2>"$WORK/bad.err" || rc=$?
[ "$rc" -eq 1 ] || fail "a corrupt file gave exit status $rc, expected 1"
tail -1 "$WORK/bad.err" | grep -Eq "(corrupt|truncated).* at byte [0-9]+ of its content" ||
	fail "no clear error for the corrupt file: $(tail -1 "$WORK/bad.err")"
grep -q '^== summary' "$WORK/bad.table" || fail "nothing reported from before the damage"
note "corrupt: $(tail -1 "$WORK/bad.err")"

# two files joined with cat: the first is reported, the second said and
# not read, exit 1 as for damage; bytes after the gzip data, the same
cat "$REC.0" "$REC.0" >"$WORK/twice.hsr"
rc=0
"$HOPSCOPE" report "$WORK/twice.hsr" >"$WORK/twice.table" 2>"$WORK/twice.err" || rc=$?
[ "$rc" -eq 1 ] || fail "two files joined gave exit status $rc, expected 1"
tail -1 "$WORK/twice.err" | grep -q "another record file.s start at byte [0-9]* of its content (files joined?): it is not read" ||
	fail "no clear error for two files joined: $(tail -1 "$WORK/twice.err")"
grep -q '^== summary' "$WORK/twice.table" || fail "the first of two files joined was not reported"
{ cat "$REC.0"; printf 'garbage'; } >"$WORK/tail.hsr"
rc=0
"$HOPSCOPE" report "$WORK/tail.hsr" >/dev/null 2>"$WORK/tail.err" || rc=$?
[ "$rc" -eq 1 ] && tail -1 "$WORK/tail.err" | grep -q "bytes after its compressed content" ||
	fail "trailing bytes: exit $rc, $(tail -1 "$WORK/tail.err")"
note "joined: $(tail -1 "$WORK/twice.err")"

rc=0
"$HOPSCOPE" report "$WORK/run.csv" >/dev/null 2>"$WORK/foreign.err" || rc=$?
[ "$rc" -eq 2 ] && grep -q "is not a hopscope record file" "$WORK/foreign.err" ||
	fail "a CSV given as a record file: exit $rc, $(cat "$WORK/foreign.err")"

# ---- the CSV, and the plots drawn from it
[ "$(head -1 "$WORK/run.csv" | cut -d, -f1-4)" = "report,elapsed_s,final,row" ] || fail "CSV header"
csv_pkts=$(awk -F, '$3 == 1 && $4 == "path" { if ($13 > m) m = $13 } END { print m }' "$WORK/run.csv")
[ "$csv_pkts" -eq "$pkts" ] || fail "CSV path packets $csv_pkts, JSON $pkts"
if command -v gnuplot >/dev/null; then
	scripts/plot.sh "$WORK/run.csv" "$WORK/plot" >/dev/null 2>&1 || fail "plot.sh failed on the run's CSV"
	[ -s "$WORK/plot-delay.png" ] && [ -s "$WORK/plot-breakdown.png" ] || fail "plots missing"
fi
assert_nothing_attached
