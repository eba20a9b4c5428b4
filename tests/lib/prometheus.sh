# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# prometheus.sh - a real Prometheus server for the integration tests
# (sourced after tests/integration/lib.sh, never run).
#
#   prom_start TARGET [RULE_FILE...]
#       start Debian's prometheus on 127.0.0.1:<a free port> scraping
#       http://TARGET/metrics every second (job "hopscope") and evaluating
#       the rule files every second, with a temporary config and storage
#       under its own directory; return once it answers /-/ready (30 s at
#       most). With PROM_NETNS set it runs in that (test) namespace, and
#       so do the queries (set it as a variable, not just for the call):
#       TARGET is then that namespace's 127.0.0.1.
#       Sets PROM_URL and PROM_PID.
#   prom_query EXPR [TIME]  an instant query (now, or at TIME, Unix
#                        seconds): its .data.result, as JSON
#   prom_wait EXPR JQ SEC  poll EXPR every 0.2 s until JQ (a jq filter of
#       the result) is true, at most SEC seconds; 1 if it never was
#   prom_alerts          the active alerts, /api/v1/alerts's .data.alerts
#   prom_stop            stop it by its pid and remove its directory (also
#                        done by the exit trap, before lib.sh's own)
#
# It binds 127.0.0.1 only; nothing is pulled or sent anywhere else.

PROM_PID=
PROM_DIR=
PROM_URL=

prom_stop() {
	local i
	if [ -n "$PROM_PID" ] && kill -0 "$PROM_PID" 2>/dev/null; then
		kill -TERM "$PROM_PID" 2>/dev/null || true
		for i in $(seq 50); do
			kill -0 "$PROM_PID" 2>/dev/null || break
			sleep 0.1
		done
		kill -KILL "$PROM_PID" 2>/dev/null || true
		wait "$PROM_PID" 2>/dev/null || true
	fi
	PROM_PID=
	[ -z "$PROM_DIR" ] || rm -rf "$PROM_DIR"
	PROM_DIR=
}

# Run before the trap already set (lib.sh's cleanup), with the test's
# exit status kept for it; errexit off first, or "(exit N)" with N not 0
# would end the shell before that trap runs.
prom_prev_trap=$(trap -p EXIT | sed -E "s/^trap -- '(.*)' EXIT$/\1/")
# shellcheck disable=SC2064
trap "prom_rc=\$?; set +e; prom_stop; (exit \$prom_rc); ${prom_prev_trap:-:}" EXIT

prom_in_ns() { ${PROM_NETNS:+ip netns exec "$PROM_NETNS"} "$@"; }

# a TCP port nothing listens on where prometheus will run
prom_free_port() {
	local port
	for _ in $(seq 20); do
		port=$((20000 + RANDOM % 40000))
		prom_in_ns ss -Htln "sport = :$port" | grep -q . || { echo "$port"; return 0; }
	done
	return 1
}

prom_start() {
	local target=$1 port rule tries
	shift
	command -v prometheus >/dev/null || skip "prometheus is not installed"
	PROM_DIR=$(mktemp -d /tmp/hopscope-prom.XXXXXX)
	{
		printf 'global:\n  scrape_interval: 1s\n  scrape_timeout: 1s\n  evaluation_interval: 1s\n'
		printf 'rule_files:\n'
		for rule in "$@"; do printf '  - %s\n' "$(realpath "$rule")"; done
		[ $# -gt 0 ] || printf '  []\n'
		printf 'scrape_configs:\n  - job_name: hopscope\n'
		printf '    static_configs:\n      - targets: ["%s"]\n' "$target"
	} >"$PROM_DIR/prometheus.yml"
	# a port taken between the look and the bind: try another
	for tries in 1 2 3; do
		port=$(prom_free_port) || fail "no free port for prometheus"
		PROM_URL=http://127.0.0.1:$port
		prom_in_ns prometheus --config.file="$PROM_DIR/prometheus.yml" \
			--storage.tsdb.path="$PROM_DIR/data" \
			--web.listen-address="127.0.0.1:$port" \
			--web.enable-lifecycle >"$PROM_DIR/log" 2>&1 &
		PROM_PID=$!
		if prom_ready 30; then
			return 0
		fi
		grep -q 'address already in use' "$PROM_DIR/log" || break
		wait "$PROM_PID" 2>/dev/null || true
		PROM_PID=
	done
	tail -5 "$PROM_DIR/log" >&2
	fail "prometheus did not become ready on $PROM_URL"
}

# prom_ready SEC: /-/ready answers 200 within SEC seconds, while it runs
prom_ready() {
	local deadline=$((SECONDS + $1))
	while [ "$SECONDS" -lt "$deadline" ]; do
		kill -0 "$PROM_PID" 2>/dev/null || return 1
		prom_in_ns curl -sf --max-time 2 "$PROM_URL/-/ready" >/dev/null && return 0
		sleep 0.2
	done
	return 1
}

prom_api() { # prom_api PATH [curl args...]: the JSON answer, status success
	local path=$1 out
	shift
	out=$(prom_in_ns curl -sS --max-time 10 -G "$PROM_URL/api/v1/$path" "$@") ||
		fail "prometheus: GET $path failed"
	[ "$(jq -r .status <<<"$out")" = success ] || fail "prometheus: $path: $out"
	printf '%s\n' "$out"
}

prom_query() {
	prom_api query --data-urlencode "query=$1" ${2:+--data-urlencode "time=$2"} |
		jq -c .data.result
}

prom_alerts() { prom_api alerts | jq -c .data.alerts; }

prom_wait() {
	local expr=$1 filter=$2 deadline=$((SECONDS + $3))
	while [ "$SECONDS" -lt "$deadline" ]; do
		prom_query "$expr" | jq -e "$filter" >/dev/null && return 0
		sleep 0.2
	done
	return 1
}
