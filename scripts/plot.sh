#!/bin/bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#
# plot.sh - draw a run from hopscope's CSV (--csv FILE) with gnuplot.
#
#   plot.sh FILE.csv [OUT_PREFIX]     OUT_PREFIX: FILE without .csv
#
# From the last final report in FILE (the run's summary) it writes
#   OUT_PREFIX-delay.png      each hop's delay: a box from p50 to p90,
#                             whiskers from min to p99, points at p99.9 and
#                             max, in microseconds on a log scale
#   OUT_PREFIX-breakdown.png  the path with the most packets: how its hops
#                             share its mean delay, its p99 and its jitter
# Columns are found by name in the header line. Errors are one line on
# stderr: exit 2 for a bad command line or an unreadable file, 1 when the
# file holds nothing to draw or gnuplot is missing or fails.
set -euo pipefail

die() { # die STATUS MESSAGE
	echo "plot.sh: $2" >&2
	exit "$1"
}

# a gnuplot string: single quotes, a quote doubled
gp_string() { local s=${1//\'/\'\'}; printf "'%s'" "$s"; }

if [ $# -lt 1 ] || [ $# -gt 2 ]; then
	die 2 "usage: plot.sh FILE.csv [OUT_PREFIX]"
fi
CSV=$1
OUT=${2:-${CSV%.csv}}
if [ ! -f "$CSV" ] || [ ! -r "$CSV" ]; then
	die 2 "cannot read '$CSV'"
fi
if [ ! -d "$(dirname -- "$OUT")" ]; then
	die 2 "no directory for '$OUT'"
fi
command -v gnuplot >/dev/null || die 1 "gnuplot not found (Debian: gnuplot-nox)"

TMP=$(mktemp -d "${TMPDIR:-/tmp}/hs-plot.XXXXXX")
trap 'rm -rf "$TMP"' EXIT

# The last final report into three files for gnuplot: hops.dat (label and
# delays in us, one hop a line), breakdown.dat (a header of hop labels, then
# the shares of the mean, p99 and jitter, one line each) and meta.gp (titles
# and counts as gnuplot variables). Tabs separate: labels hold spaces.
rc=0
awk -v dir="$TMP" '
# One CSV line into f[1..n] (RFC 4180 quoting; a field never spans lines:
# hopscope writes no line breaks into names).
function csv_split(line, f,    n, i, c, v, q) {
	if (index(line, "\"") == 0)
		return split(line, f, ",")
	n = 0; v = ""; q = 0
	for (i = 1; i <= length(line); i++) {
		c = substr(line, i, 1)
		if (q && c == "\"" && substr(line, i + 1, 1) == "\"") {
			v = v c; i++
		} else if (c == "\"") {
			q = !q
		} else if (c == "," && !q) {
			f[++n] = v; v = ""
		} else {
			v = v c
		}
	}
	f[++n] = v
	return n
}
function gp(s) { gsub(SQ, SQ SQ, s); return SQ s SQ }
# "vnf1:eth0 tc-ingress" -> "vnf1:eth0": the hook says little on a plot
function short(name) { sub(/ [^ ]*$/, "", name); return name }
# a function or a switch has a name; a wire is known by its ends
function label(    k, s) {
	k = F["kind"]
	s = (k == "function" || k == "switch") ? F["via"] : \
		short(F["from_name"]) " -> " short(F["to_name"])
	gsub(/\t/, " ", s)
	# gnuplot reads a double quote in data as the start of a string
	gsub(/"/, SQ SQ, s)
	return s
}
# A share written on its slice of bar x when there is room; returns the
# top of the slice.
function share_label(x, base, share) {
	if (share >= 0.04)
		printf "%d\t%.2f\t%.0f%%\n", x, 100 * (base + share / 2), \
			100 * share > (dir "/labels.dat")
	return base + share
}
# microseconds; a log axis has no 0
function us(v) { v /= 1000; return v > 0.001 ? v : 0.001 }
BEGIN { SQ = sprintf("%c", 39); status = 0 }
{ sub(/\r$/, "") }
/^$/ { next }
$0 ~ /^report,/ {
	n_cols = csv_split($0, col)
	split("report elapsed_s final row path kind via from_name to_name packets min_ns p50_ns p90_ns p99_ns p999_ns max_ns mean_share p99_share jitter_share", need, " ")
	for (i in need) {
		for (j = 1; j <= n_cols && col[j] != need[i]; j++)
			;
		if (j > n_cols) { status = 3; exit }
	}
	in_final = 0
	next
}
!n_cols { status = 3; exit }
{
	n = csv_split($0, v)
	for (i = 1; i <= n_cols; i++)
		F[col[i]] = v[i]
	if (F["final"] != 1) { in_final = 0; next }
	# a new final report: forget the one before
	if (!in_final || F["report"] != report) {
		in_final = 1; report = F["report"]; elapsed = F["elapsed_s"]
		nh = 0; ns = 0; best = ""; best_pk = -1
	}
	# a hop that only lost packets has no delays to draw
	if (F["row"] == "hop" && F["packets"] > 0) {
		hop[++nh] = label() "\t" us(F["min_ns"]) "\t" us(F["p50_ns"]) \
			"\t" us(F["p90_ns"]) "\t" us(F["p99_ns"]) "\t" \
			us(F["p999_ns"]) "\t" us(F["max_ns"])
	} else if (F["row"] == "path" && F["packets"] + 0 > best_pk) {
		best = F["path"]; best_pk = F["packets"] + 0
		best_name = short(F["from_name"]) " -> " short(F["to_name"])
	} else if (F["row"] == "segment") {
		ns++
		seg_path[ns] = F["path"]; seg_label[ns] = label()
		seg_mean[ns] = F["mean_share"]; seg_p99[ns] = F["p99_share"]
		seg_jit[ns] = F["jitter_share"]
	}
}
END {
	if (status)
		exit status
	if (report == "")
		exit 4
	if (!nh)
		exit 5
	for (i = 1; i <= nh; i++)
		print hop[i] > (dir "/hops.dat")
	printf "" > (dir "/labels.dat")
	head = "metric"; m = ""; p = ""; j = ""; k = 0
	cm = cp = cj = 0
	for (i = 1; i <= ns; i++) {
		if (seg_path[i] != best)
			continue
		k++
		head = head "\t" k ". " seg_label[i]
		m = m "\t" seg_mean[i]; p = p "\t" seg_p99[i]
		j = j "\t" seg_jit[i]
		cm = share_label(0, cm, seg_mean[i])
		cp = share_label(1, cp, seg_p99[i])
		cj = share_label(2, cj, seg_jit[i])
	}
	if (!k)
		exit 6
	out = dir "/breakdown.dat"
	print head > out
	print "mean" m > out
	print "p99" p > out
	print "jitter" j > out
	out = dir "/meta.gp"
	print "nhops = " nh "; nseg = " k > out
	print "delay_title = " gp("delay per hop, report " report \
		" (final, " elapsed " s)") > out
	print "breakdown_title = " gp(best_name " (path " best ", " best_pk \
		" packets): each hop" SQ "s share") > out
}' "$CSV" || rc=$?
case $rc in
0) ;;
3) die 1 "'$CSV' is not hopscope CSV (no header line with its columns)" ;;
4) die 1 "'$CSV' has no final report (did the run end?)" ;;
5) die 1 "the final report in '$CSV' has no hop that carried packets" ;;
6) die 1 "the final report in '$CSV' has no path with a breakdown" ;;
*) die 1 "awk failed reading '$CSV'" ;;
esac

# pngcairo draws smoother lines and text; plain png (libgd) where it is
# missing, as in gnuplot-nox builds without cairo
TERMS=$(gnuplot -e 'set terminal' 2>&1 || true)
case $TERMS in
*pngcairo*) TERM_NAME=pngcairo ;;
*) TERM_NAME=png ;;
esac

gnuplot -e "dir=$(gp_string "$TMP"); delay_png=$(gp_string "$OUT-delay.png")" \
	-e "breakdown_png=$(gp_string "$OUT-breakdown.png")" \
	-e "set terminal $TERM_NAME noenhanced size 1100,650" \
	- 2>"$TMP/err" <<'EOF' || die 1 "gnuplot failed: $(head -c 300 "$TMP/err" | tr -s ' \n' ' ')"
load dir . '/meta.gp'
set datafile separator "\t"

set output delay_png
set title delay_title
set logscale y
set ylabel 'delay (microseconds)'
set grid ytics mytics
set xtics rotate by 40 right nomirror
# room for the first long label, which leans left
set lmargin 30
set bmargin 13
set rmargin 4
set xrange [-0.6:nhops - 0.4]
set boxwidth 0.5
set style fill solid 0.35 border
set key top left Left reverse box opaque
plot dir . '/hops.dat' using 0:3:2:5:4:xtic(1) with candlesticks \
	whiskerbars 0.5 lc rgb '#1f77b4' lw 1.5 \
	title 'box p50..p90, whiskers min..p99', \
     '' using 0:6 with points pt 7 ps 1.2 lc rgb '#ff7f0e' title 'p99.9', \
     '' using 0:7 with points pt 2 ps 1.4 lc rgb '#d62728' title 'max'

reset
set datafile separator "\t"
set output breakdown_png
set title breakdown_title
set style data histograms
set style histogram rowstacked
set style fill solid 0.85 border -1
set boxwidth 0.6
set yrange [0:100]
set ylabel "share of the path's value (%)"
set grid ytics
# the key from the top slice down, as the bars stack
set key outside right top vertical invert title 'hop' left
# 16 colours that neighbours never share (gnuplot's own 8 repeat)
array hue[16] = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', \
	'#8c564b', '#e377c2', '#7f7f7f', '#bcbd22', '#17becf', '#393b79', \
	'#e7ba52', '#637939', '#ad494a', '#7b4173', '#3182bd']
plot for [k=2:nseg + 1] dir . '/breakdown.dat' \
	using (100 * column(k)):xtic(1) lc rgb hue[(k - 2) % 16 + 1] \
	title columnhead(k), \
     dir . '/labels.dat' using 1:2:3 with labels notitle
EOF
