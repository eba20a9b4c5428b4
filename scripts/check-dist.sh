#!/bin/bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# check-dist.sh - what dist/ hands to operators is sound without a server:
# promtool accepts the example Prometheus config (with its rule files
# read from dist/) and the rules, the rules do what their unit tests
# (tests/prometheus/rules_test.yml) say, and the Grafana dashboard is a
# dashboard whose every query names only variables it defines. Whether
# those queries return data is tests/integration/test_prometheus.sh's job.
set -euo pipefail
cd "$(dirname "$0")/.."
dash=dist/grafana/hopscope-dashboard.json
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
bad=0

fail() {
	echo "check-dist: $*"
	bad=1
}

command -v promtool >/dev/null || { echo "check-dist: promtool is not installed (Debian's prometheus)"; exit 1; }
promtool check rules dist/prometheus/hopscope-rules.yml \
	dist/prometheus/hopscope-alerts.yml >"$tmp/out" 2>&1 ||
	fail "promtool check rules: $(tr '\n' ' ' <"$tmp/out")"
# the example config, its rule files taken from here rather than PREFIX
sed "s|/usr/local/share/hopscope/prometheus/|$PWD/dist/prometheus/|" \
	dist/prometheus/prometheus.yml >"$tmp/prometheus.yml"
grep -q "$PWD/dist/prometheus/hopscope-alerts.yml" "$tmp/prometheus.yml" ||
	fail "dist/prometheus/prometheus.yml does not load hopscope-alerts.yml"
promtool check config "$tmp/prometheus.yml" >"$tmp/out" 2>&1 ||
	fail "promtool check config: $(tr '\n' ' ' <"$tmp/out")"
promtool test rules tests/prometheus/rules_test.yml >"$tmp/out" 2>&1 ||
	fail "promtool test rules: $(cat "$tmp/out")"

# the dashboard: JSON, a recent schema, a Prometheus datasource variable
# every panel uses, a query in every target, and no variable undefined
jq -e . "$dash" >/dev/null 2>&1 || fail "$dash is not JSON"
jq -e '.schemaVersion >= 36' "$dash" >/dev/null || fail "$dash: schemaVersion below 36"
jq -e '.templating.list[] | select(.name == "datasource" and .type == "datasource" and .query == "prometheus")' \
	"$dash" >/dev/null || fail "$dash: no Prometheus datasource variable"
n=$(jq '[.panels[] | select(.datasource.uid != "${datasource}")] | length' "$dash")
[ "$n" -eq 0 ] || fail "$dash: $n panels not on \${datasource}"
n=$(jq '[.panels[] | select((.targets // []) | length == 0 or any(.[]; (.expr // "") == ""))] | length' "$dash")
[ "$n" -eq 0 ] || fail "$dash: $n panels with a target without a query"
[ "$(jq '[.panels[].id] | length == (unique | length)' "$dash")" = true ] ||
	fail "$dash: panel ids repeat"
defined=$(jq -r '.templating.list[].name' "$dash")
used=$(jq -r '.panels[].targets[].expr, (.templating.list[] | .definition // empty)' "$dash" |
	grep -o '\$[{]\?[a-zA-Z_][a-zA-Z0-9_]*' | tr -d '${' | sort -u)
for v in $used; do
	case $v in __rate_interval | __interval | __range) continue ;; esac
	grep -qx "$v" <<<"$defined" || fail "$dash uses \$$v, which it does not define"
done

[ "$bad" -eq 0 ] && echo "dist: promtool passes the config and rules, $(grep -c 'alertname:' tests/prometheus/rules_test.yml) alert cases hold, the dashboard's $(jq '[.panels[].targets[]] | length' "$dash") queries use only its variables"
exit "$bad"
