#!/usr/bin/env bash
# Hot row: one account row locked for 30 s by an outside transaction while 40 transfers
# target it, and other clients read and transfer between other accounts. Prints the
# statuses and latency percentiles of both groups; the unrelated requests are the point
# (issue 9: all succeed, p99 <= 250 ms). Release build, 127.0.0.1 only, every loop bounded.
# Usage: bench/hot_row.sh (or `make bench-hot-row`); BIN=path skips the build (e.g. an
# older binary, to compare); HOLD=30 LOCKED=40 CLIENTS=8 ROUNDS=7 tune the scenario.
set -euo pipefail
cd "$(dirname "$0")/.."

PG_SERVER_URL=${PG_SERVER_URL:-postgresql://postgres@127.0.0.1:5432}
PORT=${BENCH_HTTP_PORT:-18092}
HOLD=${HOLD:-30}          # seconds the outside transaction holds the row
LOCKED=${LOCKED:-40}      # transfers into the held row
CLIENTS=${CLIENTS:-8}     # unrelated clients, each with an account of its own
ROUNDS=${ROUNDS:-7}       # each unrelated client: ROUNDS reads and ROUNDS transfers
BASE=http://127.0.0.1:$PORT
DB_SOURCE="$PG_SERVER_URL/simplebank_bench_hot"
work=$(mktemp -d)
server_pid= locker_pid=

cleanup() {
    for pid in $locker_pid $server_pid; do
        if kill -0 "$pid" 2>/dev/null; then
            kill -TERM "$pid"
            wait "$pid" 2>/dev/null || true
        fi
    done
    rm -rf "$work"
    if [[ "${KEEP_BENCH_DB:-0}" != 1 ]]; then
        psql -w -X -q "$PG_SERVER_URL/postgres" \
            -c 'DROP DATABASE IF EXISTS simplebank_bench_hot WITH (FORCE)' || true
    fi
}
trap cleanup EXIT
source bench/lib.sh

if [[ -z "${BIN:-}" ]]; then
    echo "== building the release binary"
    cargo build --release --locked --bin simplebank
    BIN=target/release/simplebank
fi

psql -w -X -q "$PG_SERVER_URL/postgres" -c 'DROP DATABASE IF EXISTS simplebank_bench_hot WITH (FORCE)'
export DB_SOURCE HTTP_SERVER_ADDRESS=127.0.0.1:$PORT GRPC_SERVER_ADDRESS=127.0.0.1:$((PORT + 1))
export RUST_LOG=${RUST_LOG:-warn}
"$BIN" serve >"$work/server.log" 2>&1 &
server_pid=$!
wait_ready "$BASE" "$work/server.log"

post() { curl -fs -X POST "$BASE$1" -H 'content-type: application/json' "${@:3}" -d "$2"; }
# user NAME BALANCE -> "token account"
user() {
    post /users "{\"username\":\"$1\",\"password\":\"secret123\",\"full_name\":\"Hot Row\",\"email\":\"$1@example.com\"}" >/dev/null
    local token account
    token=$(post /users/login "{\"username\":\"$1\",\"password\":\"secret123\"}" | json "['access_token']")
    account=$(post /accounts '{"currency":"USD"}' -H "authorization: Bearer $token" | json "['id']")
    if (($2 > 0)); then "$BIN" deposit --account "$account" --amount "$2" >/dev/null; fi
    echo "$token $account"
}

echo "== seeding: a hot account, $CLIENTS senders into it, $CLIENTS unrelated clients"
read -r _ hot < <(user hot_row_target 0)
senders=() others=()
for i in $(seq "$CLIENTS"); do
    senders+=("$(user "hot_sender_$i" 1000000)")
    others+=("$(user "other_client_$i" 1000000)")
done

# One request: prints "status seconds".
timed() { curl -s -o /dev/null -w '%{http_code} %{time_total}\n' --max-time 60 "$@"; }
transfer() { # token from to
    timed -X POST "$BASE/transfers" -H "authorization: Bearer $1" -H 'content-type: application/json' \
        -d "{\"from_account_id\":$2,\"to_account_id\":$3,\"amount\":1,\"currency\":\"USD\"}"
}

echo "== holding account $hot for ${HOLD}s (SELECT ... FOR UPDATE in an open transaction)"
psql -w -X -q "$DB_SOURCE" >/dev/null <<SQL &
BEGIN;
SELECT id FROM accounts WHERE id = $hot FOR UPDATE;
SELECT pg_sleep($HOLD);
COMMIT;
SQL
locker_pid=$!
sleep 0.5

echo "== $LOCKED transfers into it"
for i in $(seq "$LOCKED"); do
    read -r token from <<<"${senders[$((i % CLIENTS))]}"
    transfer "$token" "$from" "$hot" >>"$work/hot.txt" &
done
sleep 1

echo "== meanwhile $CLIENTS clients x $ROUNDS rounds: GET /accounts/{own} and POST /transfers to the next client"
pids=()
for i in $(seq 0 $((CLIENTS - 1))); do
    read -r token from <<<"${others[$i]}"
    read -r _ to <<<"${others[$(((i + 1) % CLIENTS))]}"
    (
        for _ in $(seq "$ROUNDS"); do
            timed "$BASE/accounts/$from" -H "authorization: Bearer $token" >>"$work/reads.$i"
            transfer "$token" "$from" "$to" >>"$work/transfers.$i"
        done
    ) &
    pids+=($!)
done
wait "${pids[@]}"
cat "$work"/reads.* >"$work/reads.txt"
cat "$work"/transfers.* >"$work/transfers.txt"
echo "== waiting for the transfers into the held row"
while (($(wc -l <"$work/hot.txt") < LOCKED)); do sleep 0.2; done

summary() { # name file
    python3 - "$1" "$2" <<'PY'
import sys
name, path = sys.argv[1], sys.argv[2]
rows = [line.split() for line in open(path) if line.strip()]
statuses = {}
for status, _ in rows:
    statuses[status] = statuses.get(status, 0) + 1
ms = sorted(float(seconds) * 1000 for _, seconds in rows)
def pct(p):
    return ms[min(len(ms) - 1, max(0, int(round(p / 100 * len(ms) + 0.5)) - 1))]
print(f"{name:<34} n={len(ms):<4} statuses={dict(sorted(statuses.items()))} "
      f"p50={pct(50):.0f} ms p99={pct(99):.0f} ms max={ms[-1]:.0f} ms")
PY
}
echo "== results"
summary "transfers into the held row" "$work/hot.txt"
summary "unrelated GET /accounts/{id}" "$work/reads.txt"
summary "unrelated POST /transfers" "$work/transfers.txt"
cat "$work/reads.txt" "$work/transfers.txt" >"$work/unrelated.txt"
summary "unrelated, all" "$work/unrelated.txt"
moved=$(psql -w -X -Atq "$DB_SOURCE" -c "SELECT balance FROM accounts WHERE id = $hot")
echo "== the held account's balance afterwards: $moved (transfers that got 201 moved 1 each)"
