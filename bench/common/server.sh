# Shared by the benchmark scripts (sourced): a fresh database with one organisation and its
# admin, and the release binary serving it on 127.0.0.1. Needs ROOT, DB_URL and PORT.
BIN="${CARGO_TARGET_DIR:-$ROOT/target}/release/commonground"
LIMITS="${CARGO_TARGET_DIR:-$ROOT/target}/release/limits"
export COMMONGROUND_DATABASE_URL="$DB_URL" RUST_LOG=warn

# Creates the organisation "Load Trust" and its admin (load@trust.nhs.uk) in DB_URL.
prepare_database() {
  $BIN migrate >/dev/null
  COMMONGROUND_NEW_PASSWORD="load test passphrase 1" $BIN admin create-user --email load@trust.nhs.uk --name "Load Test" >/dev/null
  $BIN admin create-organisation --name "Load Trust" --ods-code LOAD1 --admin-email load@trust.nhs.uk >/dev/null
}

# Starts the server in the background (extra settings come from the environment) and waits
# until it answers; SERVER holds its process id, and an EXIT trap stops it.
start_server() {
  $BIN serve --bind "127.0.0.1:$PORT" >/dev/null 2>&1 &
  SERVER=$!
  trap 'kill $SERVER ${LIMIT:-} 2>/dev/null || true' EXIT
  wait_for "http://127.0.0.1:$PORT/healthz"
}

# Starts the limit server (bench/limits: the same server stack, storing nothing) on port
# PORT + 1000, answering GET /q/{token} with the file $1 and a complete answer posted there with
# the file $2. LIMIT_BASE is its address; LIMIT its process id, stopped at exit.
start_limit_server() {
  local port=$((PORT + 1000))
  $LIMITS serve "sqlite://$WORK/limit.sqlite3" "$port" "$1" "$2" >/dev/null 2>&1 &
  LIMIT=$!
  trap 'kill ${SERVER:-} $LIMIT 2>/dev/null || true' EXIT
  LIMIT_BASE="http://127.0.0.1:$port"
  wait_for "$LIMIT_BASE/q/up"
}

wait_for() {
  for _ in $(seq 1 200); do
    curl -sf "$1" >/dev/null && return 0
    sleep 0.05
  done
  echo "$1 did not answer" >&2; return 1
}

# Requests per second in wrk's output file $1.
rate() { awk '/Requests\/sec/ {print $2}' "$1"; }

# "ratio a / b", to two places.
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }

# Peak memory of the server so far, as a figure.
peak_memory() {
  awk '/VmHWM/ { printf "figure: peak memory MB = %.0f\n", $2 / 1024 }' "/proc/$SERVER/status" || true
}

# The figures of wrk's output file $2, named $1 (bench/summary.py collects them).
wrk_figures() { python3 "$ROOT/bench/common/wrk_figures.py" "$1" "$2"; }
