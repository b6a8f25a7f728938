#!/usr/bin/env bash
# Memory under a password burst, against a release build (defaults): 64 concurrent
# POST /users, then 64 concurrent POST /users/login (half right, a quarter wrong
# passwords, a quarter unknown users). Prints the server's peak RSS (VmHWM) and its
# RSS after 10 s idle, from /proc/PID/status. Targets: peak <= 128 MB, idle <= 64 MB.
# Traffic stays on 127.0.0.1. Usage: bench/memory.sh (`make bench` runs it after http.sh);
# SIMPLEBANK_BIN=path/to/simplebank bench/memory.sh measures that binary instead.
set -euo pipefail
cd "$(dirname "$0")/.."

PG_SERVER_URL=${PG_SERVER_URL:-postgresql://postgres@127.0.0.1:5432}
BURST=${BURST:-64}
IDLE=${IDLE:-10}
PORT=${BENCH_MEMORY_PORT:-18190}
BASE=http://127.0.0.1:$PORT
DB_SOURCE="$PG_SERVER_URL/simplebank_bench_memory"
work=$(mktemp -d)
server_pid=

cleanup() {
    if [[ -n "$server_pid" ]] && kill -0 "$server_pid" 2>/dev/null; then
        kill -TERM "$server_pid"
        wait "$server_pid" || true
    fi
    rm -rf "$work"
    if [[ "${KEEP_BENCH_DB:-0}" != 1 ]]; then
        psql -w -X -q "$PG_SERVER_URL/postgres" \
            -c 'DROP DATABASE IF EXISTS simplebank_bench_memory WITH (FORCE)' || true
    fi
}
trap cleanup EXIT
source bench/lib.sh

# SIMPLEBANK_BIN measures another build (e.g. an older commit's) instead of building this one.
bin=${SIMPLEBANK_BIN:-}
if [[ -z "$bin" ]]; then
    echo "== building the release binary"
    cargo build --release --locked --bin simplebank
    bin=target/release/simplebank
fi

psql -w -X -q "$PG_SERVER_URL/postgres" -c 'DROP DATABASE IF EXISTS simplebank_bench_memory WITH (FORCE)'

export DB_SOURCE HTTP_SERVER_ADDRESS=127.0.0.1:$PORT GRPC_SERVER_ADDRESS=127.0.0.1:$((PORT + 1))
export RUST_LOG=${RUST_LOG:-warn}
"$bin" serve >"$work/server.log" 2>&1 &
server_pid=$!
wait_ready "$BASE" "$work/server.log"

kb() { awk -v key="$1:" '$1 == key {print $2}' "/proc/$server_pid/status"; }
mb() { awk -v kb="$1" 'BEGIN {printf "%.1f MB", kb / 1024}'; }
threads() { awk '$1 == "Threads:" {print $2}' "/proc/$server_pid/status"; }

echo "== server $server_pid ready: RSS $(mb "$(kb VmRSS)"), $(threads) threads"

# Sends the burst with one thread per request, all released together; prints the statuses.
burst() {
    python3 - "$BASE" "$BURST" "$1" <<'PY'
import collections, json, sys, threading, urllib.error, urllib.request
base, n, phase = sys.argv[1], int(sys.argv[2]), sys.argv[3]
go, statuses, lock = threading.Barrier(n), collections.Counter(), threading.Lock()
def request(i):
    user = f"burst_user_{i}"
    if phase == "signup":
        path, body = "/users", {"username": user, "password": "secret123",
                                "full_name": "Burst User", "email": f"{user}@example.com"}
    else:
        kind = i % 4
        password = "secret123" if kind < 2 else "wrong-password"
        name = user if kind != 3 else f"nobody_{i}"
        path, body = "/users/login", {"username": name, "password": password}
    req = urllib.request.Request(base + path, data=json.dumps(body).encode(),
                                 headers={"content-type": "application/json"})
    go.wait()
    try:
        with urllib.request.urlopen(req, timeout=60) as response:
            status = response.status
    except urllib.error.HTTPError as err:
        status = err.code
    except Exception as err:  # a refused or dropped connection
        status = type(err).__name__
    with lock:
        statuses[status] += 1
threads = [threading.Thread(target=request, args=(i,)) for i in range(n)]
for t in threads: t.start()
for t in threads: t.join()
print(" ".join(f"{k}x{v}" for k, v in sorted(statuses.items(), key=str)))
PY
}

echo "== $BURST concurrent POST /users: $(burst signup)"
echo "   RSS $(mb "$(kb VmRSS)"), peak $(mb "$(kb VmHWM)"), $(threads) threads"
echo "== $BURST concurrent POST /users/login (1/2 right, 1/4 wrong password, 1/4 unknown user): $(burst login)"
peak=$(kb VmHWM)
echo "   RSS $(mb "$(kb VmRSS)"), peak $(mb "$peak"), $(threads) threads"
sleep "$IDLE"
idle=$(kb VmRSS)
verdict() { if (($1 <= $2 * 1024)); then echo "within $2 MB"; else echo "OVER $2 MB"; fi; }
echo "== memory summary (PASSWORD_HASH_CONCURRENCY default: $(nproc) cores)"
echo "peak RSS (VmHWM) during the burst: $(mb "$peak") ($(verdict "$peak" 128))"
echo "RSS after ${IDLE} s idle:            $(mb "$idle") ($(verdict "$idle" 64))"
