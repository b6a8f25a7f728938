# Shared by the benchmarks (sourced): waiting for a server, seeding funded users, the
# wrk scripts and runs. Expects $work (a scratch directory) and $results (a TSV file).

json() { python3 -c "import json,sys; print(json.load(sys.stdin)$1)"; }

# Waits until BASE answers /readyz (10 s at most); else prints LOG and fails.
wait_ready() {
    local base=$1 log=$2
    for _ in $(seq 100); do
        curl -fs "$base/readyz" >/dev/null 2>&1 && return 0
        sleep 0.1
    done
    cat "$log"
    echo "the server at $base did not become ready" >&2
    exit 1
}

# serve NAME HTTP_PORT [KEY=VALUE...]: the release server $bin in the background, with the
# settings given added to its environment (gRPC on HTTP_PORT + 1000), logging to
# $work/NAME.log; ready when this returns, its pid in $served_pid.
serve() {
    local name=$1 http_port=$2
    shift 2
    env HTTP_SERVER_ADDRESS="127.0.0.1:$http_port" GRPC_SERVER_ADDRESS="127.0.0.1:$((http_port + 1000))" \
        "$@" "$bin" serve >"$work/$name.log" 2>&1 &
    served_pid=$!
    wait_ready "http://127.0.0.1:$http_port" "$work/$name.log"
}

# Through the server at BASE: USERS users with one USD account each, funded with
# 1,000,000,000 cents by `BIN deposit` (the CLI reaches DB_SOURCE). Sets tokens,
# accounts, min_id, max_id and expected_total.
seed_users() {
    local base=$1 bin=$2
    post() { curl -fs -X POST "$base$1" -H 'content-type: application/json' "${@:3}" -d "$2"; }
    echo "== seeding $USERS users with one funded USD account each"
    tokens=() accounts=()
    local i user token account
    for i in $(seq "$USERS"); do
        user="bench_user_$i"
        post /users "{\"username\":\"$user\",\"password\":\"secret123\",\"full_name\":\"Bench User\",\"email\":\"$user@example.com\"}" >/dev/null
        token=$(post /users/login "{\"username\":\"$user\",\"password\":\"secret123\"}" | json "['access_token']")
        account=$(post /accounts '{"currency":"USD"}' -H "authorization: Bearer $token" | json "['id']")
        "$bin" deposit --account "$account" --amount 1000000000 >/dev/null
        tokens+=("$token") accounts+=("$account")
    done
    min_id=${accounts[0]} max_id=${accounts[-1]}
    [[ $((max_id - min_id + 1)) == "$USERS" ]] || { echo "account ids are not contiguous" >&2; exit 1; }
    expected_total=$((USERS * 1000000000))
}

# wrk: rate, p50/p99 and the count of non-2xx answers.
wrk_run() {
    local key=$1 duration=$2 out=$work/wrk_$1.txt
    shift 2
    wrk -t2 -c"$CONNECTIONS" -d"$duration" --latency "$@" >"$out"
    local rate p50 p99 errors
    rate=$(awk '/Requests\/sec/ {print $2}' "$out")
    to_ms() { awk -v v="$1" 'BEGIN { n = v + 0; if (v ~ /us$/) n /= 1000; else if (v ~ /ms$/) n += 0; else if (v ~ /s$/) n *= 1000; printf "%.2f", n }'; }
    p50=$(to_ms "$(awk '$1 == "50%" {print $2}' "$out")")
    p99=$(to_ms "$(awk '$1 == "99%" {print $2}' "$out")")
    errors=$(awk '/Non-2xx or 3xx responses/ {print $5}' "$out")
    local socket_errors
    socket_errors=$(awk '/Socket errors/ {gsub(",", ""); print $4 + $6 + $8 + $10}' "$out")
    errors=$((${errors:-0} + ${socket_errors:-0}))
    if ((${socket_errors:-0} > 0)); then grep 'Socket errors' "$out" | sed 's/^ */   /'; fi
    printf 'http\t%s\t%s\t%s\t%s\t%s\t%s\n' "$key" "${ROUND:-1}" "$rate" "$p50" "$p99" "$errors" >>"$results"
    echo "   $rate/s, p50 $p50 ms, p99 $p99 ms, errors $errors"
}

# Writes $work/get_account.lua and $work/transfer.lua for the seeded users.
write_wrk_scripts() {
    lua_list() { local IFS=,; echo "{$*}"; }
    local quoted_tokens lua_head
    quoted_tokens=$(printf '"%s",' "${tokens[@]}")
    lua_head="local tokens = {${quoted_tokens%,}}
local accounts = $(lua_list "${accounts[@]}")"
    cat >"$work/get_account.lua" <<LUA
$lua_head
-- Formatted once: the load generator shares the cores with the server it measures.
local requests = {}
init = function(args)
  for i = 1, #accounts do
    requests[i] = wrk.format("GET", "/accounts/" .. accounts[i], { ["authorization"] = "Bearer " .. tokens[i] })
  end
end
local n = 0
request = function()
  n = n + 1
  return requests[(n % #requests) + 1]
end
local reported = 0
response = function(status, headers, body)
  if status ~= 200 and reported < 5 then
    reported = reported + 1
    io.stderr:write("unexpected status " .. status .. ": " .. body .. "\n")
  end
end
LUA
    # Each wrk thread numbers its requests; with an Idempotency-Key the key is
    # thread-request, unique in the run, so every request does the work (the first-time path).
    cat >"$work/transfer.lua" <<LUA
$lua_head
local keyed = os.getenv("BENCH_KEYED") == "1"
local thread_ids = 0
setup = function(thread)
  thread_ids = thread_ids + 1
  thread:set("thread_id", thread_ids)
end
local n = 0
request = function()
  n = n + 1
  local from = math.random(#accounts)
  local to = math.random(#accounts - 1)
  if to >= from then to = to + 1 end
  local headers = { ["authorization"] = "Bearer " .. tokens[from], ["content-type"] = "application/json" }
  if keyed then headers["idempotency-key"] = "bench-" .. thread_id .. "-" .. n end
  local body = '{"from_account_id":' .. accounts[from] .. ',"to_account_id":' .. accounts[to] .. ',"amount":1,"currency":"USD"}'
  return wrk.format("POST", "/transfers", headers, body)
end
local reported = 0
response = function(status, headers, body)
  if status ~= 201 and reported < 5 then
    reported = reported + 1
    io.stderr:write("unexpected status " .. status .. ": " .. body .. "\n")
  end
end
LUA
}
