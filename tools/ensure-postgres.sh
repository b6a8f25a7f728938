#!/usr/bin/env bash
# Makes sure a PostgreSQL server answers, for `make server` and `make test`.
#
#   tools/ensure-postgres.sh [URL | HOST PORT]
#
# Without arguments the address comes from DB_SOURCE, else app.env's DB_SOURCE, else the
# course's default (localhost:5432). When nothing answers there and the address is local:
#   1. Docker: start the `postgres16` container (`docker start`, or `make postgres` to create it);
#   2. a local PostgreSQL cluster on that port that is down: `pg_ctlcluster VERSION NAME start`;
# then wait until it accepts connections. Otherwise stop at once and say what to install.
#
# ENSURE_POSTGRES_DRY_RUN=1 prints the command it would run instead of running it (tests).
# DOCKER, PG_LSCLUSTERS, PG_CTLCLUSTER and MAKE name the commands to use (tests put fakes there).
# ENSURE_POSTGRES_TIMEOUT is how many seconds to wait for a started server (default 60).
set -euo pipefail

DOCKER=${DOCKER:-docker}
PG_LSCLUSTERS=${PG_LSCLUSTERS:-pg_lsclusters}
PG_CTLCLUSTER=${PG_CTLCLUSTER:-pg_ctlcluster}
MAKE=${MAKE:-make}
TIMEOUT=${ENSURE_POSTGRES_TIMEOUT:-60}
DRY_RUN=${ENSURE_POSTGRES_DRY_RUN:-}

url_host_port() {
    # postgresql://user:pass@host:port/db?x -> "host port" (port 5432 when absent)
    local rest=${1#*://}
    rest=${rest%%/*}
    rest=${rest%%\?*}
    rest=${rest##*@}
    local host=${rest%%:*} port=5432
    [[ $rest == *:* ]] && port=${rest##*:}
    echo "${host:-localhost} $port"
}

if [[ $# -ge 2 ]]; then
    host=$1 port=$2
else
    url=${1:-${DB_SOURCE:-}}
    if [[ -z $url && -f app.env ]]; then
        url=$(sed -n 's/^DB_SOURCE=//p' app.env | tail -n 1)
    fi
    read -r host port <<< "$(url_host_port "${url:-postgresql://root:secret@localhost:5432/simple_bank}")"
fi
address="$host:$port"

answers() {
    if command -v pg_isready > /dev/null; then
        pg_isready -q -h "$host" -p "$port" -t 1
    else
        # Without the client tools: does anything accept TCP connections there?
        timeout 1 bash -c "exec 3<>/dev/tcp/$host/$port" 2> /dev/null
    fi
}

run() {
    if [[ -n $DRY_RUN ]]; then
        echo "would run: $*"
        exit 0
    fi
    echo "ensure-postgres: $*"
    "$@"
}

wait_ready() {
    local deadline=$((SECONDS + TIMEOUT))
    until answers; do
        if ((SECONDS >= deadline)); then
            echo "ensure-postgres: started $1, but nothing answers on $address after ${TIMEOUT}s" >&2
            exit 1
        fi
        sleep 1
    done
    echo "ensure-postgres: PostgreSQL answers on $address ($1)"
}

if answers; then
    exit 0
fi

case $host in
    localhost | 127.0.0.1 | ::1 | '[::1]') ;;
    *)
        echo "ensure-postgres: nothing answers on $address, which is not this machine: start PostgreSQL there, or point DB_SOURCE / TEST_DATABASE_URL at a server that runs" >&2
        exit 1
        ;;
esac

if command -v "$DOCKER" > /dev/null && "$DOCKER" info > /dev/null 2>&1; then
    if "$DOCKER" container inspect postgres16 > /dev/null 2>&1; then
        run "$DOCKER" start postgres16
    else
        run "$MAKE" --no-print-directory postgres POSTGRES_PORT="$port"
    fi
    wait_ready "the postgres16 container"
    exit 0
fi

if command -v "$PG_LSCLUSTERS" > /dev/null; then
    # Columns: Ver Cluster Port Status Owner Data-directory Log-file
    cluster=$("$PG_LSCLUSTERS" --no-header 2> /dev/null | awk -v port="$port" '$3 == port && $4 ~ /^down/ { print $1, $2; exit }')
    if [[ -n $cluster ]]; then
        read -r version name <<< "$cluster"
        run "$PG_CTLCLUSTER" "$version" "$name" start
        wait_ready "the local cluster $version/$name"
        exit 0
    fi
fi

cat >&2 << MESSAGE
ensure-postgres: nothing answers on $address, and there is nothing here to start one.
Install Docker (https://docs.docker.com/engine/install/) and run the command again: it starts
PostgreSQL 16 in the postgres16 container. Or install PostgreSQL 16 (Debian/Ubuntu:
apt-get install postgresql-16), or point DB_SOURCE / TEST_DATABASE_URL at a running server.
MESSAGE
exit 1
