# Shared by the benchmark scripts (sourced): a fresh database with one organisation and its
# admin, and the release binary serving it on 127.0.0.1. Needs ROOT, DB_URL and PORT.
BIN="${CARGO_TARGET_DIR:-$ROOT/target}/release/commonground"
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
  trap 'kill $SERVER 2>/dev/null || true' EXIT
  for _ in $(seq 1 200); do
    curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null && return 0
    sleep 0.05
  done
  echo "the server did not start" >&2; return 1
}

# Peak memory of the server so far.
peak_memory() { grep -o "VmHWM:.*" "/proc/$SERVER/status" || true; }
