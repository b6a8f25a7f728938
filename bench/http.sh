#!/usr/bin/env bash
# HTTP load benchmark against a release build: GET /accounts/{id} and POST /transfers,
# 32 concurrent connections for 10 s each (wrk), then the server's peak memory.
# Traffic stays on 127.0.0.1. Usage: bench/http.sh (or `make bench`).
# BENCH_OTLP=1 then serves again with OTEL_EXPORTER_OTLP_ENDPOINT set and repeats the GET run, so
# the cost of exporting spans shows in the same run. The endpoint is a second server's gRPC port: a
# local HTTP/2 gRPC endpoint that answers every export (UNIMPLEMENTED), so each span is built,
# batched, encoded and sent as it would be to a collector.
set -euo pipefail
cd "$(dirname "$0")/.."

PG_SERVER_URL=${PG_SERVER_URL:-postgresql://postgres@127.0.0.1:5432}
CONNECTIONS=${CONNECTIONS:-32}
DURATION=${DURATION:-10s}
USERS=${USERS:-16}
PORT=${BENCH_HTTP_PORT:-18090}
BASE=http://127.0.0.1:$PORT
DB_SOURCE="$PG_SERVER_URL/simplebank_bench"
work=$(mktemp -d)
server_pid=
sink_pid=

stop() {
    if [[ -n "$1" ]] && kill -0 "$1" 2>/dev/null; then
        kill -TERM "$1"
        wait "$1" || true
    fi
}

cleanup() {
    stop "$server_pid"
    stop "$sink_pid"
    rm -rf "$work"
}
trap cleanup EXIT

command -v wrk >/dev/null || { echo "wrk is missing: apt-get install wrk" >&2; exit 1; }

echo "== building the release binary"
cargo build --release --locked --bin simplebank
bin=target/release/simplebank

psql -w -X -q "$PG_SERVER_URL/postgres" -c 'DROP DATABASE IF EXISTS simplebank_bench WITH (FORCE)'

export DB_SOURCE HTTP_SERVER_ADDRESS=127.0.0.1:$PORT GRPC_SERVER_ADDRESS=127.0.0.1:$((PORT + 1))
export DB_MAX_CONNECTIONS=${DB_MAX_CONNECTIONS:-32} RUST_LOG=${RUST_LOG:-warn}
serve() {
    "$bin" serve >"$work/server.log" 2>&1 &
    server_pid=$!
    for _ in $(seq 100); do
        curl -fs "$BASE/readyz" >/dev/null 2>&1 && break
        sleep 0.1
    done
    curl -fs "$BASE/readyz" >/dev/null || { cat "$work/server.log"; echo "the server did not become ready" >&2; exit 1; }
}
serve

json() { python3 -c "import json,sys; print(json.load(sys.stdin)$1)"; }
post() { curl -fs -X POST "$BASE$1" -H 'content-type: application/json' "${@:3}" -d "$2"; }

echo "== seeding $USERS users with one USD account each"
tokens=() accounts=()
for i in $(seq "$USERS"); do
    user="bench_user_$i"
    post /users "{\"username\":\"$user\",\"password\":\"secret123\",\"full_name\":\"Bench User\",\"email\":\"$user@example.com\"}" >/dev/null
    token=$(post /users/login "{\"username\":\"$user\",\"password\":\"secret123\"}" | json "['access_token']")
    account=$(post /accounts '{"currency":"USD"}' -H "authorization: Bearer $token" | json "['id']")
    "$bin" deposit --account "$account" --amount 1000000000 >/dev/null
    tokens+=("$token") accounts+=("$account")
done

lua_list() { local IFS=,; echo "{$*}"; }
quoted_tokens=$(printf '"%s",' "${tokens[@]}")
cat >"$work/get_account.lua" <<LUA
local tokens = {${quoted_tokens%,}}
local accounts = $(lua_list "${accounts[@]}")
local n = 0
request = function()
  n = n + 1
  local i = (n % #accounts) + 1
  return wrk.format("GET", "/accounts/" .. accounts[i], { ["authorization"] = "Bearer " .. tokens[i] })
end
LUA
cat >"$work/transfer.lua" <<LUA
local tokens = {${quoted_tokens%,}}
local accounts = $(lua_list "${accounts[@]}")
local n = 0
request = function()
  n = n + 1
  local from = (n % #accounts) + 1
  local to = ((n * 7 + 3) % #accounts) + 1
  if to == from then to = (from % #accounts) + 1 end
  local body = '{"from_account_id":' .. accounts[from] .. ',"to_account_id":' .. accounts[to] .. ',"amount":1,"currency":"USD"}'
  return wrk.format("POST", "/transfers", { ["authorization"] = "Bearer " .. tokens[from], ["content-type"] = "application/json" }, body)
end
response = function(status, headers, body)
  if status ~= 201 then io.stderr:write("unexpected status " .. status .. ": " .. body .. "\n") end
end
LUA

run() {
    local name=$1 script=$2
    echo "== $name: $CONNECTIONS connections, $DURATION"
    wrk -t2 -c"$CONNECTIONS" -d"$DURATION" --latency -s "$script" "$BASE" | tee "$script.txt"
}
run "GET /accounts/{id}" "$work/get_account.lua"
run "POST /transfers" "$work/transfer.lua"

if [[ -n "${BENCH_OTLP:-}" ]]; then
    echo "== serving again with OTEL_EXPORTER_OTLP_ENDPOINT (spans exported to a local gRPC endpoint)"
    HTTP_SERVER_ADDRESS=127.0.0.1:$((PORT + 2)) GRPC_SERVER_ADDRESS=127.0.0.1:$((PORT + 3)) \
        "$bin" serve >"$work/sink.log" 2>&1 &
    sink_pid=$!
    stop "$server_pid"
    OTEL_EXPORTER_OTLP_ENDPOINT=http://127.0.0.1:$((PORT + 3)) serve
    cp "$work/get_account.lua" "$work/get_account_otlp.lua"
    run "GET /accounts/{id} with OTLP export" "$work/get_account_otlp.lua"
fi

echo "== summary (requests/s)"
echo "GET /accounts/{id}: $(awk '/Requests\/sec/ {print $2}' "$work/get_account.lua.txt")"
echo "POST /transfers:    $(awk '/Requests\/sec/ {print $2}' "$work/transfer.lua.txt")"
if [[ -n "${BENCH_OTLP:-}" ]]; then
    echo "GET /accounts/{id} with OTLP export: $(awk '/Requests\/sec/ {print $2}' "$work/get_account_otlp.lua.txt")"
fi
transfers=$(psql -w -X -Atq "$DB_SOURCE" -c 'SELECT count(*) FROM transfers')
total=$(psql -w -X -Atq "$DB_SOURCE" -c 'SELECT sum(balance) FROM accounts')
echo "== after the run: $transfers transfers in the database; total balance $total (expected $((USERS * 1000000000)))"
echo "== server memory: $(grep -E 'VmHWM|VmRSS' /proc/$server_pid/status | tr -s ' ' | tr '\n' ' ')"
echo "== machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB; $(uname -sr)"
