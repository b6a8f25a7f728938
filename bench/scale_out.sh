#!/usr/bin/env bash
# Many replicas, one primary (`make bench` runs it after ratio.sh): the same workload
#   - against one server connected directly (the reference, measured first and last:
#     the machine drifts, so the reference is the mean of both);
#   - against N = 1, 2, 4 servers behind haproxy (round robin, TCP), every server
#     reaching PostgreSQL through one PgBouncer in transaction mode
#     (DB_POOL_MODE=transaction, DB_MIGRATION_SOURCE = the direct URL);
# then a table of requests/s and p99 for GET /accounts/{id} and POST /transfers, and each
# rate's ratio to the direct single process (target for transfers: >= 0.7), and the money
# check. Debian's pgbouncer and haproxy are installed with apt-get when missing.
# Traffic stays on 127.0.0.1; every process here is started here and stopped by its PID.
set -euo pipefail
cd "$(dirname "$0")/.."

PG_SERVER_URL=${PG_SERVER_URL:-postgresql://postgres@127.0.0.1:5432}
CONNECTIONS=${CONNECTIONS:-32}
DURATION=${SCALE_DURATION:-${DURATION:-10s}}
USERS=${USERS:-50}
REPLICAS=${REPLICAS:-1 2 4}
# Server connections PgBouncer opens to PostgreSQL, shared by all replicas: as many as
# the direct server's own pool, so the layouts compete for the same database capacity.
SERVER_POOL=${SERVER_POOL:-16}
PER_REPLICA_POOL=${PER_REPLICA_POOL:-16}
PORT=${BENCH_SCALE_PORT:-18300}
DB_NAME=${BENCH_SCALE_DB:-simplebank_bench_scale}
DIRECT_URL="$PG_SERVER_URL/$DB_NAME"
PG_HOST=$(sed -E 's#^[a-z]+://([^@/]*@)?([^:/]*).*#\2#' <<<"$PG_SERVER_URL")
PG_PORT=$(sed -nE 's#^[a-z]+://([^@/]*@)?[^:/]*:([0-9]+).*#\2#p' <<<"$PG_SERVER_URL")
PG_USER=$(sed -nE 's#^[a-z]+://([^:@/]*)[^@/]*@.*#\1#p' <<<"$PG_SERVER_URL")
PG_USER=${PG_USER:-postgres}
work=$(mktemp -d)
chmod 755 "$work"
results=$work/results.tsv
pids=()
pgbouncer_pid=

stop_all() {
    local pid
    for pid in "${pids[@]}"; do
        if kill -0 "$pid" 2>/dev/null; then
            kill -TERM "$pid"
            wait "$pid" 2>/dev/null || true
        fi
    done
    pids=()
}
cleanup() {
    stop_all
    if [[ -n "${pgbouncer_pid:-}" ]] && kill -0 "$pgbouncer_pid" 2>/dev/null; then
        kill -TERM "$pgbouncer_pid"
        wait "$pgbouncer_pid" 2>/dev/null || true
    fi
    rm -rf "$work"
    psql -w -X -q "$PG_SERVER_URL/postgres" -c "DROP DATABASE IF EXISTS $DB_NAME WITH (FORCE)" || true
}
trap cleanup EXIT

need() {
    local tool=$1 package=$2
    command -v "$tool" >/dev/null || [[ -x /usr/sbin/$tool ]] && return 0
    echo "== installing $package (apt-get)"
    apt-get install -y "$package" >/dev/null 2>&1 || { apt-get update >/dev/null && apt-get install -y "$package" >/dev/null; }
}
need pgbouncer pgbouncer
need haproxy haproxy
need wrk wrk
PATH="$PATH:/usr/sbin"
for tool in pgbouncer haproxy wrk psql curl python3; do
    command -v "$tool" >/dev/null || { echo "$tool is missing" >&2; exit 1; }
done
source bench/lib.sh

echo "== building the release binary"
cargo build --release --locked --bin simplebank
bin=target/release/simplebank
psql -w -X -q "$PG_SERVER_URL/postgres" -c "DROP DATABASE IF EXISTS $DB_NAME WITH (FORCE)"
# The CLI's deposits (seed_users) reach the database directly.
export RUST_LOG=${RUST_LOG:-warn} DB_SOURCE=$DIRECT_URL

# A server (serve, bench/lib.sh) on the database directly unless told otherwise; stopped at exit.
serve_replica() {
    local name=$1 http_port=$2
    shift 2
    serve "$name" "$http_port" DB_SOURCE="$DIRECT_URL" DB_MAX_CONNECTIONS="$PER_REPLICA_POOL" "$@"
    pids+=("$served_pid")
}

pgbouncer_port=$((PORT + 90))
cat >"$work/userlist.txt" <<EOF
"$PG_USER" ""
EOF
cat >"$work/pgbouncer.ini" <<EOF
[databases]
$DB_NAME = host=$PG_HOST port=${PG_PORT:-5432} dbname=$DB_NAME
[pgbouncer]
listen_addr = 127.0.0.1
listen_port = $pgbouncer_port
unix_socket_dir =
auth_type = trust
auth_file = $work/userlist.txt
pool_mode = transaction
default_pool_size = $SERVER_POOL
max_client_conn = 1000
ignore_startup_parameters = extra_float_digits
EOF
chmod 644 "$work"/*.ini "$work"/userlist.txt
POOLED_URL="postgresql://$PG_USER@127.0.0.1:$pgbouncer_port/$DB_NAME"

# The reference server creates and migrates the database; its seed serves every layout.
direct_port=$PORT
serve_replica direct "$direct_port"
seed_users "http://127.0.0.1:$direct_port" "$bin"
write_wrk_scripts

measure() {
    local layout=$1 base=$2
    echo "== $layout: GET /accounts/{id}, $CONNECTIONS connections, $DURATION"
    wrk_run "${layout}_get" "$DURATION" -s "$work/get_account.lua" "$base"
    echo "== $layout: POST /transfers"
    wrk_run "${layout}_transfer" "$DURATION" -s "$work/transfer.lua" "$base"
}

measure direct_1 "http://127.0.0.1:$direct_port"
stop_all

# PgBouncer refuses to run as root: then it runs as nobody (its files are readable).
# setpriv execs it, so $! is PgBouncer's own PID.
if [[ $(id -u) == 0 ]]; then
    setpriv --reuid=nobody --regid=nogroup --clear-groups pgbouncer "$work/pgbouncer.ini" >"$work/pgbouncer.log" 2>&1 &
else
    pgbouncer "$work/pgbouncer.ini" >"$work/pgbouncer.log" 2>&1 &
fi
pgbouncer_pid=$!
for _ in $(seq 100); do
    (exec 3<>"/dev/tcp/127.0.0.1/$pgbouncer_port") 2>/dev/null && break
    sleep 0.1
done
lb_port=$((PORT + 80))
for n in $REPLICAS; do
    backends=
    for i in $(seq "$n"); do
        replica_port=$((PORT + 10 + i))
        serve_replica "replica_${n}_$i" "$replica_port" DB_SOURCE="$POOLED_URL" DB_POOL_MODE=transaction \
            DB_MIGRATION_SOURCE="$DIRECT_URL"
        backends+="    server replica$i 127.0.0.1:$replica_port"$'\n'
    done
    cat >"$work/haproxy_$n.cfg" <<EOF
global
    maxconn 4096
defaults
    mode tcp
    timeout connect 5s
    timeout client 60s
    timeout server 60s
frontend api
    bind 127.0.0.1:$lb_port
    default_backend replicas
backend replicas
    balance roundrobin
$backends
EOF
    haproxy -db -f "$work/haproxy_$n.cfg" >"$work/haproxy_$n.log" 2>&1 &
    pids+=($!)
    wait_ready "http://127.0.0.1:$lb_port" "$work/haproxy_$n.log"
    measure "pooled_$n" "http://127.0.0.1:$lb_port"
    stop_all
done
kill -TERM "$pgbouncer_pid" 2>/dev/null || true
wait "$pgbouncer_pid" 2>/dev/null || true

serve_replica direct_again "$direct_port"
measure direct_2 "http://127.0.0.1:$direct_port"
stop_all

total=$(psql -w -X -Atq "$DIRECT_URL" -c 'SELECT sum(balance) FROM accounts')
transfers=$(psql -w -X -Atq "$DIRECT_URL" -c 'SELECT count(*) FROM transfers')
money_ok=yes
[[ "$total" == "$expected_total" ]] || money_ok=no
echo "== money check: $transfers transfers; total balance $total (expected $expected_total)"
if grep -q "does not exist" "$work/pgbouncer.log" "$work"/replica_*.log 2>/dev/null; then
    echo "a prepared statement outlived its transaction:" >&2
    grep -h "does not exist" "$work/pgbouncer.log" "$work"/replica_*.log | head -5 >&2
    money_ok=no
fi

machine="$(nproc) cores, $(uname -sr), load $(cut -d' ' -f1-3 /proc/loadavg)"
python3 - "$results" "$REPLICAS" "$machine" "$SERVER_POOL" "$PER_REPLICA_POOL" <<'PY'
import sys
rows = [line.rstrip("\n").split("\t") for line in open(sys.argv[1])]
replicas, machine, server_pool, replica_pool = sys.argv[2].split(), sys.argv[3], sys.argv[4], sys.argv[5]
http = {key: (float(rate), float(p99), int(float(errors))) for _, key, _, rate, _, p99, errors in rows}
def direct(work):
    rates = [http[f"direct_{i}_{work}"][0] for i in (1, 2)]
    return sum(rates) / 2
print(f"\n== scale-out (PgBouncer 1.18 transaction mode, default_pool_size = {server_pool}; "
      f"DB_MAX_CONNECTIONS = {replica_pool} per replica; haproxy round robin)\n")
print("| layout | GET /s | GET p99 ms | GET / direct | transfers /s | transfers p99 ms | transfers / direct | errors | verdict |")
print("|---|---:|---:|---:|---:|---:|---:|---:|---|")
for i in (1, 2):
    get, tr = http[f"direct_{i}_get"], http[f"direct_{i}_transfer"]
    label = "direct, 1 process" + (" (first)" if i == 1 else " (again)")
    print(f"| {label} | {get[0]:,.0f} | {get[1]:.2f} | – | {tr[0]:,.0f} | {tr[1]:.2f} | – | {get[2] + tr[2]} | reference |")
for n in replicas:
    get, tr = http[f"pooled_{n}_get"], http[f"pooled_{n}_transfer"]
    g, t = get[0] / direct("get"), tr[0] / direct("transfer")
    errors = get[2] + tr[2]
    ok = t >= 0.7 and errors == 0
    print(f"| {n} × server → haproxy → PgBouncer | {get[0]:,.0f} | {get[1]:.2f} | {g:.2f} | {tr[0]:,.0f} | {tr[1]:.2f} | {t:.2f} | {errors} | {'ok' if ok else 'MISSED'} (transfers ≥ 0.7×, no errors) |")
print(f"\nmachine: {machine}")
PY
[[ "$money_ok" == yes ]] || { echo "money was created or lost, or a statement outlived its transaction" >&2; exit 1; }
