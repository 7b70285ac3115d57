#!/usr/bin/env bash
# Throughput of monikerd's resolver routes as a share of a bare net/http
# handler serving a fixed 600-byte JSON body, measured in one run on the
# same machine with the same load generator (cmd/stress), one server at a
# time. Prints a markdown table; the README quotes it.
#
#   scripts/loadtest.sh                 # or: make loadtest
#   DURATION=30 WORKERS=8 scripts/loadtest.sh
#
# Environment:
#   DURATION   measured seconds per scenario (default 10)
#   WARMUP     unmeasured seconds before each measurement (default 2)
#   WORKERS    generator workers = keep-alive connections (default 8)
#   NODES      size of the generated catalog (default 100000; 0 skips it)
#   CLIENT     generator client: raw (default) or http
#
# Scenarios: bare; /health, /resolve (one moniker repeated, a new moniker
# every request, the 30 sample monikers cycled), /describe and
# /catalog/search on the sample catalog (62 nodes); the same plus
# /catalog/stats and a search miss on a generated NODES-node catalog
# (cmd/catgen); bare again. The baseline is the mean of the two bare runs.
# Rate limiting and telemetry are off in the configs written here: the
# test measures the request path, not the limiter.
#
# Exit status: 0 when every scenario ran without a failed request.
set -euo pipefail

DURATION=${DURATION:-10}
WARMUP=${WARMUP:-2}
WORKERS=${WORKERS:-8}
NODES=${NODES:-100000}
CLIENT=${CLIENT:-raw}

root=$(cd "$(dirname "$0")/.." && pwd)
tmp=$(mktemp -d "${TMPDIR:-/tmp}/moniker-loadtest.XXXXXX")
server_pid=""
cleanup() {
	if [[ -n $server_pid ]]; then
		kill "$server_pid" 2>/dev/null || true
		wait "$server_pid" 2>/dev/null || true
	fi
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

log() { printf '%s\n' "$*" >&2; }

# --- build ------------------------------------------------------------------
cd "$root"
cmds=(./cmd/monikerd ./cmd/bareserver ./cmd/stress)
have_catgen=false
if [[ $NODES -gt 0 && -d cmd/catgen ]]; then
	cmds+=(./cmd/catgen)
	have_catgen=true
fi
log "building ${cmds[*]} into $tmp/bin"
go build -o "$tmp/bin/" "${cmds[@]}"
bin=$tmp/bin

# --- data and configs --------------------------------------------------------
# The sample catalog is monikerd's embedded demo (internal/demo/data).
mkdir -p "$tmp/small" "$tmp/large"
cp internal/demo/data/catalog.yaml internal/demo/data/domains.yaml "$tmp/small/"
write_config() { # dir [domains file]
	{
		echo "catalog:"
		echo "  definition_file: catalog.yaml"
		if [[ -n ${2:-} ]]; then
			echo "domains:"
			echo "  definition_file: $2"
		fi
		echo "telemetry:"
		echo "  enabled: false"
		echo "governance:"
		echo "  rate_limiter_enabled: false"
	} >"$1/config.yaml"
}
write_config "$tmp/small" domains.yaml
if $have_catgen; then
	log "generating a $NODES-node catalog"
	"$bin/catgen" -nodes "$NODES" -out "$tmp/large/catalog.yaml"
	write_config "$tmp/large"
fi

# --- servers -----------------------------------------------------------------
port=""
# start_server NAME CMD... : starts CMD (which must print its loopback
# address on stdout), waits for /health, sets port.
start_server() {
	local name=$1
	shift
	local out=$tmp/$name.log
	"$@" >"$out" 2>&1 &
	server_pid=$!
	port=""
	local deadline=$((SECONDS + 120))
	while [[ -z $port ]]; do
		if ! kill -0 "$server_pid" 2>/dev/null; then
			log "$name exited during startup:"
			cat "$out" >&2
			server_pid=""
			return 1
		fi
		if ((SECONDS > deadline)); then
			log "$name did not print its address in 120 s"
			return 1
		fi
		port=$(grep -o -m1 -E '127\.0\.0\.1:[0-9]+' "$out" | head -1 | cut -d: -f2 || true)
		[[ -n $port ]] || sleep 0.1
	done
	until "$bin/stress" -port "$port" -path /health -workers 1 -requests 1 -duration 5 >/dev/null 2>&1; do
		if ((SECONDS > deadline)) || ! kill -0 "$server_pid" 2>/dev/null; then
			log "$name: /health did not answer 200"
			cat "$out" >&2
			return 1
		fi
		sleep 0.2
	done
}

stop_server() {
	if [[ -n $server_pid ]]; then
		kill "$server_pid" 2>/dev/null || true
		wait "$server_pid" 2>/dev/null || true
		server_pid=""
	fi
}

start_bare() { start_server bare "$bin/bareserver" -listen 127.0.0.1:0; }
start_small() {
	start_server monikerd-small "$bin/monikerd" -target=resolver -listen=127.0.0.1:0 \
		-config.file="$tmp/small/config.yaml" -log.level=warn
}
start_large() {
	start_server monikerd-large "$bin/monikerd" -target=resolver -listen=127.0.0.1:0 \
		-config.file="$tmp/large/config.yaml" -log.level=warn
}

# --- scenarios ---------------------------------------------------------------
rows=()   # "name|rps|p50|p99|errors|bytes|target"
failed=0
bare_rps=()

field() { sed -n "s/.*\"$1\":\([^,}]*\).*/\1/p" <<<"$2"; }

# scenario NAME SERVER TARGET_PERCENT STRESS_ARGS... : one measurement on a
# fresh server.
scenario() {
	local name=$1 server=$2 target=$3
	shift 3
	log "== $name"
	if ! "start_$server"; then
		rows+=("$name|-|-|-|server failed|-|$target")
		failed=1
		stop_server
		return
	fi
	local json rc=0
	json=$("$bin/stress" -port "$port" -workers "$WORKERS" -duration "$DURATION" -warmup "$WARMUP" \
		-client "$CLIENT" -json "$@") || rc=$?
	stop_server
	if [[ -z $json ]]; then
		rows+=("$name|-|-|-|stress failed ($rc)|-|$target")
		failed=1
		return
	fi
	local rps p50 p99 errs requests body bytes
	rps=$(field req_per_sec "$json")
	p50=$(field p50 "$json")
	p99=$(field p99 "$json")
	errs=$(field errors "$json")
	requests=$(field requests "$json")
	body=$(field body_bytes "$json")
	bytes=$((requests > 0 ? body / requests : 0))
	log "   $rps req/s, p50 ${p50}ms, p99 ${p99}ms, $errs errors, $bytes bytes/response"
	if [[ $errs != 0 ]]; then
		failed=1
		log "   $(field status "$json")"
	fi
	rows+=("$name|$rps|$p50|$p99|$errs|$bytes|$target")
	[[ $server == bare ]] && bare_rps+=("$rps")
	return 0
}

repeated=/resolve/prices.equity/AAPL@20260115

scenario "bare net/http, 600 B JSON" bare "" -path /resolve/x
scenario "/health" small 60 -path /health
scenario "/resolve, one moniker repeated" small 80 -path "$repeated"
scenario "/resolve, new moniker each request (cache miss)" small 65 -distinct
scenario "/resolve, 30 sample monikers cycled" small "" -path-prefix /resolve/
scenario "/describe, 30 sample monikers cycled" small 60 -path-prefix /describe/
scenario "/catalog/search?q=treasury" small 60 -path "/catalog/search?q=treasury"

if $have_catgen; then
	# Valid monikers of the generated catalog, from the running server.
	if start_large; then
		"$bin/stress" -port "$port" -discover 1000 >"$tmp/large/monikers.txt" || true
		stop_server
	fi
	if [[ -s $tmp/large/monikers.txt ]]; then
		first=$(head -1 "$tmp/large/monikers.txt")
		root_segment=${first%%[./]*}
		L="${NODES} nodes:"
		scenario "$L /health" large 60 -path /health
		scenario "$L /resolve, one moniker repeated" large 80 -path "/resolve/$first"
		scenario "$L /resolve, new moniker each request (cache miss)" large 65 \
			-distinct -template "$first/N{n}"
		scenario "$L /resolve, 1000 monikers cycled" large "" -monikers "$tmp/large/monikers.txt"
		scenario "$L /describe, 1000 monikers cycled" large 60 \
			-monikers "$tmp/large/monikers.txt" -path-prefix /describe/
		scenario "$L /catalog/stats" large "" -path /catalog/stats
		scenario "$L /catalog/search?q=$root_segment (hit)" large 60 -path "/catalog/search?q=$root_segment"
		scenario "$L /catalog/search?q=nosuchterm (miss: full scan)" large "" \
			-path "/catalog/search?q=nosuchterm"
	else
		log "no resolvable monikers found in the generated catalog"
		rows+=("$NODES nodes|-|-|-|discover failed|-|")
		failed=1
	fi
fi

scenario "bare net/http, 600 B JSON (again)" bare "" -path /resolve/x

# --- table -------------------------------------------------------------------
baseline=$(printf '%s\n' "${bare_rps[@]}" | awk '{s += $1; n++} END {if (n) printf "%.1f", s / n}')
cpu=$(grep -m1 'model name' /proc/cpuinfo 2>/dev/null | cut -d: -f2- | sed 's/^ *//' || true)
echo
echo "Load test: $(date -u +%Y-%m-%dT%H:%MZ), $(nproc 2>/dev/null || echo ?) CPUs${cpu:+ ($cpu)}, $(go env GOVERSION);"
echo "$WORKERS workers ($CLIENT client), ${DURATION}s each after ${WARMUP}s warmup; baseline = mean of the two bare runs = ${baseline:-?} req/s."
echo
echo "| scenario | req/s | p50 ms | p99 ms | errors | bytes/resp | vs bare | target |"
echo "|---|---:|---:|---:|---:|---:|---:|---:|"
for row in "${rows[@]}"; do
	IFS='|' read -r name rps p50 p99 errs bytes target <<<"$row"
	ratio="-"
	if [[ $rps != - && -n $baseline ]]; then
		ratio=$(awk -v r="$rps" -v b="$baseline" 'BEGIN {printf "%.0f%%", 100 * r / b}')
	fi
	verdict=""
	if [[ -n $target && $ratio != - ]]; then
		if awk -v r="${ratio%\%}" -v t="$target" 'BEGIN {exit !(r >= t)}'; then
			verdict="≥ $target% ok"
		else
			verdict="≥ $target% MISSED"
		fi
	elif [[ -n $target ]]; then
		verdict="≥ $target%"
	fi
	echo "| $name | $rps | $p50 | $p99 | $errs | $bytes | $ratio | $verdict |"
done
if ! $have_catgen && [[ $NODES -gt 0 ]]; then
	echo
	echo "(cmd/catgen not found: the $NODES-node scenarios were skipped)"
fi
exit "$failed"
