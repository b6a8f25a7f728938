#!/usr/bin/env bash
# Tests tools/ensure-postgres.sh's decisions against a local port where nothing listens, with
# fake docker / pg_lsclusters / pg_ctlcluster commands: nothing real is started or stopped.
set -euo pipefail
cd "$(dirname "$0")/.."

script=tools/ensure-postgres.sh
fakes=$(mktemp -d)
trap 'rm -rf "$fakes"' EXIT
# A loopback port nobody listens on: bind one, note it, release it.
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')

fake() { # fake NAME BODY: an executable script in $fakes
    printf '#!/usr/bin/env bash\n%s\n' "$2" > "$fakes/$1"
    chmod +x "$fakes/$1"
}
fake docker-with-container 'case $1 in info | container) exit 0 ;; *) echo "docker $*" >> '"$fakes"'/calls ;; esac'
fake docker-without-container 'case $1 in info) exit 0 ;; container) exit 1 ;; esac'
fake docker-without-daemon 'exit 1'
fake lsclusters "echo '16 main $port down postgres /var/lib/postgresql/16/main /var/log/x.log'; echo '15 other 1 online postgres /x /y'"
fake lsclusters-none "echo '16 main 1 online postgres /x /y'"

failures=0
check() { # check NAME EXPECTED_STATUS EXPECTED_OUTPUT_SUBSTRING ENV... -- ARGS...
    local name=$1 want_status=$2 want=$3
    shift 3
    local env=()
    while [[ $1 != -- ]]; do env+=("$1"); shift; done
    shift
    local out status=0
    out=$(env "${env[@]}" "$script" "$@" 2>&1) || status=$?
    if [[ $status == "$want_status" && $out == *"$want"* ]]; then
        echo "ok   $name"
    else
        echo "FAIL $name: status $status (want $want_status), output:"
        echo "$out" | sed 's/^/     /'
        failures=$((failures + 1))
    fi
}

none=(DOCKER=/nonexistent/docker PG_LSCLUSTERS=/nonexistent/pg_lsclusters)
check "a remote address is not started" 1 "which is not this machine" \
    "${none[@]}" -- db.invalid "$port"
check "nothing to start: one message saying what to install" 1 "Install Docker" \
    "${none[@]}" -- 127.0.0.1 "$port"
check "the address comes from a URL" 1 "nothing answers on localhost:$port" \
    "${none[@]}" -- "postgresql://root:secret@localhost:$port/simple_bank?sslmode=disable"
check "docker: an existing postgres16 container is started" 0 "would run: $fakes/docker-with-container start postgres16" \
    DOCKER="$fakes/docker-with-container" ENSURE_POSTGRES_DRY_RUN=1 -- 127.0.0.1 "$port"
check "docker: without the container, make postgres creates it on the port" 0 "would run: make --no-print-directory postgres POSTGRES_PORT=$port" \
    DOCKER="$fakes/docker-without-container" MAKE=make ENSURE_POSTGRES_DRY_RUN=1 -- 127.0.0.1 "$port"
check "a docker CLI without a daemon falls through to the local cluster" 0 "would run: $fakes/pg_ctlcluster 16 main start" \
    DOCKER="$fakes/docker-without-daemon" PG_LSCLUSTERS="$fakes/lsclusters" PG_CTLCLUSTER="$fakes/pg_ctlcluster" \
    ENSURE_POSTGRES_DRY_RUN=1 -- 127.0.0.1 "$port"
check "a local cluster on another port is not started" 1 "Install Docker" \
    DOCKER=/nonexistent/docker PG_LSCLUSTERS="$fakes/lsclusters-none" -- 127.0.0.1 "$port"
check "started but never ready: a bounded wait, then a clear error" 1 "but nothing answers on 127.0.0.1:$port after 1s" \
    DOCKER="$fakes/docker-with-container" ENSURE_POSTGRES_TIMEOUT=1 -- 127.0.0.1 "$port"
if [[ $(cat "$fakes/calls" 2> /dev/null) != "docker start postgres16" ]]; then
    echo "FAIL the real run did not call 'docker start postgres16' exactly once"
    failures=$((failures + 1))
fi

if ((failures)); then
    echo "ensure-postgres: $failures check(s) failed" >&2
    exit 1
fi
echo "ensure-postgres: every check passed"
