#!/bin/bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# scripts/plot.sh on the CSV fixture: two real PNGs, and one line on stderr
# with the right exit status when there is nothing to draw. Needs gnuplot,
# not root.
. "$(dirname "$0")/lib.sh"
command -v gnuplot >/dev/null || skip "gnuplot is not installed"

PLOT=scripts/plot.sh
FIXTURE=tests/fixtures/csv/demo.csv

check_png() { # check_png FILE
	local magic size
	[ -f "$1" ] || fail "$1 was not written"
	magic=$(head -c 8 "$1" | od -An -tx1 | tr -d ' \n')
	[ "$magic" = 89504e470d0a1a0a ] || fail "$1 is not a PNG (starts $magic)"
	size=$(stat -c %s "$1")
	# axes alone come to about 7 KB; these plots are 10 KB (png) to 35 KB
	# (pngcairo)
	[ "$size" -gt 8000 ] || fail "$1 is only $size bytes"
	note "$(basename "$1"): $size bytes"
}

"$PLOT" "$FIXTURE" "$WORK/demo" 2>"$WORK/err" || fail "plot.sh failed: $(cat "$WORK/err")"
check_png "$WORK/demo-delay.png"
check_png "$WORK/demo-breakdown.png"

# OUT_PREFIX defaults to the file without .csv; quoted names are read whole
sed 's/,VNF vnf2,/,"VNF v""n,f2",/' "$FIXTURE" >"$WORK/quoted.csv"
grep -qF '"VNF v""n,f2"' "$WORK/quoted.csv" || fail "the fixture has no 'VNF vnf2' to quote"
"$PLOT" "$WORK/quoted.csv" 2>"$WORK/err" || fail "plot.sh failed on quoted names: $(cat "$WORK/err")"
check_png "$WORK/quoted-delay.png"
check_png "$WORK/quoted-breakdown.png"

# interval reports only: the run never ended
awk -F, '$3 != 1' "$FIXTURE" >"$WORK/nofinal.csv"
expect 1 "has no final report" -- "$PLOT" "$WORK/nofinal.csv" "$WORK/nofinal"
[ ! -e "$WORK/nofinal-delay.png" ] || fail "a plot was drawn without a final report"
printf 'a,b\n1,2\n' >"$WORK/other.csv"
expect 1 "is not hopscope CSV" -- "$PLOT" "$WORK/other.csv"
expect 2 "cannot read '$WORK/none.csv'" -- "$PLOT" "$WORK/none.csv"
expect 2 "usage: plot.sh FILE.csv [OUT_PREFIX]" -- "$PLOT"
