#!/usr/bin/env bash
# The server measured against PostgreSQL doing the same work, in one run (`make bench`):
#   1. pgbench -M prepared on bench/pgbench/*.sql: the primary-key read, the course's
#      TransferTx (BEGIN, 5 statements, COMMIT), the transfer in one round trip;
#   2. wrk against a release server: GET /accounts/{id}, POST /transfers, and POST /transfers
#      with a unique Idempotency-Key per request;
#   3. pgbench again (the machine drifts: a ratio divides by the mean of both pgbench rates);
#   4. the money check: no transfer created or lost money;
#   5. growth: the same reads of one account before and after the bank grows by SQL
#      (bench/grow.sql) to GROW_ACCOUNTS accounts, GROW_ENTRIES entries (GROW_HOT_ENTRIES on
#      that account) and GROW_TRANSFERS transfers. The bank before growth is kept as a copy
#      with a server of its own, and the two are read in alternation, GROW_ROUNDS times
#      each: read one after the other, minutes apart, the same read moved by a third with
#      the machine's drift. The copy before growth is topped up by SQL to BEFORE_HOT_ENTRIES
#      entries on that account, so that page 500 exists before growth too;
# then a table of rates, p50/p99, ratios against the targets, and the server's peak RSS.
# Traffic stays on 127.0.0.1. Quick run: DURATION=3s GROW_ENTRIES=100000 ... bench/ratio.sh
set -euo pipefail
cd "$(dirname "$0")/.."

PG_SERVER_URL=${PG_SERVER_URL:-postgresql://postgres@127.0.0.1:5432}
CONNECTIONS=${CONNECTIONS:-32}
DURATION=${DURATION:-10s}
GROW_DURATION=${GROW_DURATION:-5s}
GROW_ROUNDS=${GROW_ROUNDS:-2}
USERS=${USERS:-50}
GROW=${GROW:-1}
GROW_ACCOUNTS=${GROW_ACCOUNTS:-100000}
GROW_ENTRIES=${GROW_ENTRIES:-4000000}
GROW_HOT_ENTRIES=${GROW_HOT_ENTRIES:-1000000}
GROW_TRANSFERS=${GROW_TRANSFERS:-2000000}
BEFORE_HOT_ENTRIES=${BEFORE_HOT_ENTRIES:-5000}
PORT=${BENCH_HTTP_PORT:-18090}
BASE=http://127.0.0.1:$PORT
DB_NAME=${BENCH_DB:-simplebank_bench}
DB_SOURCE="$PG_SERVER_URL/$DB_NAME"
BEFORE_DB=${DB_NAME}_before
BEFORE_PORT=$((PORT + 2))
PG_HOST=$(sed -E 's#^[a-z]+://([^@/]*@)?([^:/]*).*#\2#' <<<"$PG_SERVER_URL")
PG_PORT=$(sed -nE 's#^[a-z]+://([^@/]*@)?[^:/]*:([0-9]+).*#\2#p' <<<"$PG_SERVER_URL")
PG_USER=$(sed -nE 's#^[a-z]+://([^:@/]*)[^@/]*@.*#\1#p' <<<"$PG_SERVER_URL")
work=$(mktemp -d)
server_pid= before_server_pid=
peak_kb=0
results=$work/results.tsv

# Stops the server whose pid is $1 (if it runs), first adding its VmHWM to peak_kb.
stop_server() {
    local pid=$1
    [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null || return 0
    note_peak "$pid"
    kill -TERM "$pid"
    wait "$pid" || true
}
note_peak() {
    local hwm
    hwm=$(awk '/VmHWM/ {print $2}' "/proc/$1/status")
    ((hwm > peak_kb)) && peak_kb=$hwm
    return 0
}

cleanup() {
    stop_server "$server_pid"
    stop_server "$before_server_pid"
    rm -rf "$work"
    # The grown bank is gigabytes: dropped unless KEEP_BENCH_DB=1.
    if [[ "${KEEP_BENCH_DB:-0}" != 1 ]]; then
        psql -w -X -q "$PG_SERVER_URL/postgres" -c "DROP DATABASE IF EXISTS $DB_NAME WITH (FORCE)" \
            -c "DROP DATABASE IF EXISTS $BEFORE_DB WITH (FORCE)" || true
    fi
}
trap cleanup EXIT

for tool in wrk pgbench psql curl python3; do
    command -v "$tool" >/dev/null || { echo "$tool is missing" >&2; exit 1; }
done
source bench/lib.sh
seconds() { sed -E 's/s$//' <<<"$1"; }
sql() { psql -w -X -Atq -v ON_ERROR_STOP=1 "$DB_SOURCE" "$@"; }

echo "== building the release binary"
cargo build --release --locked --bin simplebank
bin=target/release/simplebank

psql -w -X -q "$PG_SERVER_URL/postgres" -c "DROP DATABASE IF EXISTS $DB_NAME WITH (FORCE)" \
    -c "DROP DATABASE IF EXISTS $BEFORE_DB WITH (FORCE)"

export DB_SOURCE DB_MAX_CONNECTIONS=${DB_MAX_CONNECTIONS:-16} RUST_LOG=${RUST_LOG:-warn}
serve server "$PORT"
server_pid=$served_pid

seed_users "$BASE" "$bin"

# pgbench: rate and p50/p99 (from a 10% sample of per-transaction latencies).
pgbench_run() {
    local name=$1 script=$2 round=$3
    local dir=$work/pgbench_${script}_$round
    mkdir -p "$dir"
    echo "== pgbench $name (round $round): $CONNECTIONS clients, $DURATION"
    (cd "$dir" && pgbench -h "$PG_HOST" -p "${PG_PORT:-5432}" -U "${PG_USER:-postgres}" -n -M prepared \
        -c "$CONNECTIONS" -j 2 -T "$(seconds "$DURATION")" -D min_id="$min_id" -D max_id="$max_id" \
        -l --sampling-rate=0.1 --log-prefix=lat -f "$OLDPWD/bench/pgbench/$script.sql" "$DB_NAME" >out.txt 2>&1) \
        || { cat "$dir/out.txt"; exit 1; }
    local tps failed
    tps=$(awk '/^tps = / {print $3}' "$dir/out.txt")
    failed=$(awk '/number of failed transactions/ {print $5}' "$dir/out.txt")
    read -r p50 p99 < <(cat "$dir"/lat.* | python3 -c '
import sys
lat = sorted(int(line.split()[2]) for line in sys.stdin if line.strip())
pick = lambda q: lat[min(len(lat) - 1, int(q * len(lat)))] / 1000 if lat else float("nan")
print(f"{pick(0.5):.2f} {pick(0.99):.2f}")')
    printf 'pg\t%s\t%s\t%s\t%s\t%s\t%s\n' "$script" "$round" "$tps" "$p50" "$p99" "${failed:-0}" >>"$results"
    echo "   $tps/s, p50 $p50 ms, p99 $p99 ms, failed ${failed:-0}"
}

# Before each measured run: the rows the previous run wrote are vacuumed and checkpointed
# now, so autovacuum and the checkpointer do not take their share of the two cores in the
# middle of the next run (they did: the same server's GET rate moved by a third).
settle() {
    local db=${1:-$DB_NAME}
    psql -w -X -q -v ON_ERROR_STOP=1 "$PG_SERVER_URL/$db" -c 'VACUUM (ANALYZE)' -c 'CHECKPOINT' >/dev/null
}

# wrk POST /transfers as wrk_run KEY, then where a transfer's time in the server went over
# that run: the mean wait at the money gate (simplebank_money_gate_wait_seconds) out of the
# mean time to a 201 (deltas of both histograms' sums and counts).
transfer_run() {
    local before after
    before=$(transfer_seconds)
    wrk_run "$1" "$DURATION" -s "$work/transfer.lua" "$BASE"
    after=$(transfer_seconds)
    awk -v b="$before" -v a="$after" 'BEGIN {
        split(b, x); split(a, y)
        gates = y[2] - x[2]; if (gates < 1) gates = 1
        created = y[4] - x[4]; if (created < 1) created = 1
        gate = (y[1] - x[1]) / gates * 1000
        server = (y[3] - x[3]) / created * 1000
        printf "   in the server: mean %.2f ms to a 201, of which %.2f ms waiting at the money gate\n", server, gate
    }'
}
transfer_seconds() {
    curl -fs "$BASE/metrics" | awk '
        /^simplebank_money_gate_wait_seconds_sum / { gate_sum = $2 }
        /^simplebank_money_gate_wait_seconds_count / { gate_count = $2 }
        /^simplebank_http_request_duration_seconds_sum\{.*route="\/transfers",status="201"/ { http_sum = $2 }
        /^simplebank_http_request_duration_seconds_count\{.*route="\/transfers",status="201"/ { http_count = $2 }
        END { print gate_sum + 0, gate_count + 0, http_sum + 0, http_count + 0 }'
}

pgbench_round() {
    settle
    pgbench_run "PK read" pk_read "$1"
    settle
    pgbench_run "TransferTx" transfer_tx "$1"
    settle
    pgbench_run "one-round-trip transfer" transfer_one_trip "$1"
}

write_wrk_scripts

pgbench_round 1
settle
echo "== wrk GET /accounts/{id}: $CONNECTIONS connections, $DURATION"
wrk_run get "$DURATION" -s "$work/get_account.lua" "$BASE"
settle
echo "== wrk POST /transfers"
transfer_run transfer
settle
echo "== wrk POST /transfers with a unique Idempotency-Key each"
BENCH_KEYED=1 transfer_run keyed
pgbench_round 2

transfers=$(sql -c 'SELECT count(*) FROM transfers')
total=$(sql -c 'SELECT sum(balance) FROM accounts')
echo "== money check: $transfers transfers; total balance $total (expected $expected_total)"
money_ok=yes
[[ "$total" == "$expected_total" ]] || money_ok=no

hot=${accounts[0]} hot_token=${tokens[0]}
# The page token after page 499 of the account's statement on the server at $1 (empty when
# the account has fewer than 4,991 entries).
token_after_499() {
    curl -fs -D - -o /dev/null -H "authorization: Bearer $hot_token" \
        "$1/accounts/$hot/entries?page_id=499&page_size=10" \
        | awk 'tolower($1) == "next-page-token:" {print $2}' | tr -d '\r'
}
# One read of the account ($1: account, entries_1, entries_500, entries_token, history_1) on
# the server at $3, as phase $2 (before or after growth), round $round.
growth_read() {
    local read=$1 phase=$2 base=$3 token=$4
    local -A paths=(
        [account]="/accounts/$hot"
        [entries_1]="/accounts/$hot/entries?page_id=1&page_size=10"
        [entries_500]="/accounts/$hot/entries?page_id=500&page_size=10"
        [entries_token]="/accounts/$hot/entries?page_size=10&page_token=$token"
        [history_1]="/transfers?account_id=$hot&page_id=1&page_size=10"
    )
    echo "== $phase growth, round $round: GET ${paths[$read]}"
    ROUND=$round wrk_run "${phase}_$read" "$GROW_DURATION" -H "authorization: Bearer $hot_token" "$base${paths[$read]}"
}

if [[ "$GROW" == 1 ]]; then
    # The bank as it is now stays, as $BEFORE_DB, for the reads before growth.
    stop_server "$server_pid"
    server_pid=
    psql -w -X -q -v ON_ERROR_STOP=1 "$PG_SERVER_URL/postgres" -c "CREATE DATABASE $BEFORE_DB TEMPLATE $DB_NAME"
    # Page 500 of the statement before growth needs 4,991 entries on the account; the
    # transfers above give it that many only on a fast machine. The copy is topped up by
    # SQL (every new entry on this account; grow.sql also adds one empty account), so the
    # token read runs on every machine.
    hot_entries_before=$(sql -c "SELECT entry_count FROM accounts WHERE id = $hot")
    if ((hot_entries_before < BEFORE_HOT_ENTRIES)); then
        top_up=$((BEFORE_HOT_ENTRIES - hot_entries_before))
        echo "== topping up the bank before growth: $top_up entries on account $hot (it had $hot_entries_before)"
        psql -w -X -Atq -v ON_ERROR_STOP=1 "$PG_SERVER_URL/$BEFORE_DB" -v accounts=1 -v entries="$top_up" \
            -v hot_entries="$top_up" -v transfers=0 -v hot_account="$hot" -f bench/grow.sql
    fi
    echo "== growing the bank: $GROW_ACCOUNTS accounts, $GROW_ENTRIES entries ($GROW_HOT_ENTRIES on account $hot), $GROW_TRANSFERS transfers"
    start=$SECONDS
    sql -v accounts="$GROW_ACCOUNTS" -v entries="$GROW_ENTRIES" -v hot_entries="$GROW_HOT_ENTRIES" \
        -v transfers="$GROW_TRANSFERS" -v hot_account="$hot" -f bench/grow.sql
    echo "   grown in $((SECONDS - start)) s: $(sql -c "SELECT count(*) FROM entries WHERE account_id = $hot") entries and $(sql -c "SELECT count(*) FROM transfers WHERE $hot IN (from_account_id, to_account_id)") transfers on account $hot"
    serve server_grown "$PORT"
    server_pid=$served_pid
    serve server_before "$BEFORE_PORT" DB_SOURCE="$PG_SERVER_URL/$BEFORE_DB"
    before_server_pid=$served_pid
    before_base=http://127.0.0.1:$BEFORE_PORT
    before_token=$(token_after_499 "$before_base")
    # Without a page 500 before growth (BEFORE_HOT_ENTRIES under 4,991) that read is left
    # out. After growth it is a failure, counted as errors.
    [[ -n "$before_token" ]] || echo "   (before growth, no Next-Page-Token after page 499: fewer than 4,991 entries)"
    after_token=$(token_after_499 "$BASE")
    settle "$BEFORE_DB"
    settle "$DB_NAME"
    for round in $(seq "$GROW_ROUNDS"); do
        for read in account entries_1 entries_500 entries_token history_1; do
            [[ "$read" == entries_token && -z "$before_token" ]] \
                || growth_read "$read" before "$before_base" "$before_token"
            growth_read "$read" after "$BASE" "$after_token"
        done
    done
fi

stop_server "$server_pid"
stop_server "$before_server_pid"
server_pid= before_server_pid=
machine="$(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB, $(uname -sr), load $(cut -d' ' -f1-3 /proc/loadavg)"
python3 - "$results" "$peak_kb" "$money_ok" "$machine" <<'PY'
import sys
rows = [line.rstrip("\n").split("\t") for line in open(sys.argv[1])]
peak_kb, money_ok, machine = int(sys.argv[2]), sys.argv[3], sys.argv[4]
pg, http, rounds = {}, {}, {}
for kind, key, rnd, rate, p50, p99, errors in rows:
    entry = (float(rate), float(p50), float(p99), int(float(errors)))
    (pg if kind == "pg" else rounds).setdefault(key, {})[rnd] = entry
# A read measured in several rounds: the mean rate and p50, the worst p99, all errors.
for key, by_round in rounds.items():
    runs = list(by_round.values())
    http[key] = (sum(r[0] for r in runs) / len(runs), sum(r[1] for r in runs) / len(runs),
                 max(r[2] for r in runs), sum(r[3] for r in runs))
def mean_rate(key):
    rates = [r[0] for r in pg[key].values()]
    return sum(rates) / len(rates)
verdict = lambda ok: "ok" if ok else "MISSED"
print("\n== results (rates in requests or transactions per second; latencies in ms)\n")
print("| work | rate /s | p50 | p99 | errors |")
print("|---|---:|---:|---:|---:|")
names = {"pk_read": "pgbench PK read", "transfer_tx": "pgbench TransferTx (BEGIN + 5 + COMMIT)",
         "transfer_one_trip": "pgbench one-round-trip transfer"}
for key, name in names.items():
    for rnd, (rate, p50, p99, err) in sorted(pg[key].items()):
        print(f"| {name}, round {rnd} | {rate:,.0f} | {p50:.2f} | {p99:.2f} | {err} |")
for key, name in [("get", "GET /accounts/{id}"), ("transfer", "POST /transfers"),
                  ("keyed", "POST /transfers + Idempotency-Key")]:
    rate, p50, p99, err = http[key]
    print(f"| {name} | {rate:,.0f} | {p50:.2f} | {p99:.2f} | {err} |")
print("\n| ratio | value | target | p99 target | verdict |")
print("|---|---:|---:|---:|---|")
checks = [
    ("GET /accounts/{id} / PK read", "get", "pk_read", 0.55, 10),
    ("POST /transfers / one-round-trip", "transfer", "transfer_one_trip", 0.9, 40),
    ("POST /transfers / TransferTx", "transfer", "transfer_tx", None, 40),
    ("keyed POST /transfers / one-round-trip", "keyed", "transfer_one_trip", 0.8, 40),
]
for name, server, base, target, p99_target in checks:
    ratio = http[server][0] / mean_rate(base)
    ok = (target is None or ratio >= target) and http[server][2] <= p99_target and http[server][3] == 0
    shown = f"≥ {target}" if target else "–"
    print(f"| {name} | {ratio:.2f} | {shown} | ≤ {p99_target} ms (p99 {http[server][2]:.2f}) | {verdict(ok)} |")
print(f"\nserver peak RSS (VmHWM, the highest of the run's servers): {peak_kb / 1024:.1f} MB (target ≤ 64 MB): {verdict(peak_kb <= 64 * 1024)}")
print(f"money check: {'ok' if money_ok == 'yes' else 'FAILED: money was created or lost'}")
if "before_account" in http:
    print(f"\n(before and after read in alternation, {len(rounds['after_account'])} rounds each: mean rates, worst p99)")
    print("\n| growth read | before /s | after /s | after p99 ms | after / before | per round | target |")
    print("|---|---:|---:|---:|---:|---|---|")
    reads = [("account", "GET /accounts/{id}", 0.8), ("entries_1", "entries page_id=1", 0.8),
             ("entries_500", "entries page_id=500 (offset 4,990)", None),
             ("entries_token", "entries by page_token (page 500)", None),
             ("history_1", "transfers?account_id= page 1", 0.8)]
    page_one_after = http["after_entries_1"][0]
    for key, name, target in reads:
        before, after = http.get("before_" + key), http["after_" + key]
        if before is None:  # no page 500 before growth (see token_after_499)
            shown_before, growth, shown_growth, before_errors, per_round = "–", None, "–", 0, "–"
        else:
            growth = after[0] / before[0]
            shown_before, shown_growth, before_errors = f"{before[0]:,.0f}", f"{growth:.2f}", before[3]
            per_round = ", ".join(f"{rounds['after_' + key][r][0] / run[0]:.2f}"
                                  for r, run in rounds["before_" + key].items())
        if target:
            goal, ok = f"after ≥ {target}× before", growth is not None and growth >= target
        elif key == "entries_500":
            goal, ok = "≥ 0.5× page 1 after", after[0] >= 0.5 * page_one_after
        else:
            goal, ok = "≈ page 1 after (≥ 0.8×)", after[0] >= 0.8 * page_one_after
        errors = before_errors + after[3]
        note = "" if errors == 0 else f" ({errors} errors)"
        print(f"| {name} | {shown_before} | {after[0]:,.0f} | {after[2]:.2f} | {shown_growth} | {per_round} | {goal}: {verdict(ok and errors == 0)}{note} |")
print(f"\nmachine: {machine}")
PY
[[ "$money_ok" == yes ]] || { echo "money was created or lost" >&2; exit 1; }
