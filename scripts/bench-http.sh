#!/usr/bin/env bash
# HTTP load benchmark of genascope on loopback.
#
# Builds the release binary, starts `genascope serve` on a free 127.0.0.1 port with a throwaway
# DATA_DIR (SQLite) and a fixed test JWT secret, creates a super admin, an account with its admin
# and 50 patients through the API, then loads three routes for BENCH_DURATION seconds each:
#   GET /live              the ceiling: no auth, no database
#   GET /api/auth/me       token verification + one principal read
#   GET /api/patients/     the above + a 50-row list
# and prints requests/s and p99 latency for each. Uses `oha` when installed, else `wrk`
# (installed with apt-get when possible). The server is always stopped on exit.
#
# Knobs (environment): BENCH_DURATION (s, default 10), BENCH_CONNECTIONS (50), BENCH_THREADS (2, wrk
# only), BENCH_DATABASE_URL (default: SQLite in the temp dir; a PostgreSQL URL must name an empty,
# throwaway database), BENCH_OUT (raw reports, default target/bench-http), BENCH_BIN (a prebuilt
# genascope binary instead of `cargo build --release`).
# Logging is at `warn` during the run: request logs would otherwise dominate the numbers.
set -euo pipefail

cd "$(dirname "$0")/.."

duration=${BENCH_DURATION:-10}
connections=${BENCH_CONNECTIONS:-50}
threads=${BENCH_THREADS:-2}
out_dir=${BENCH_OUT:-target/bench-http}

say() { printf '==> %s\n' "$*" >&2; }
die() { printf 'bench-http: %s\n' "$*" >&2; exit 1; }

command -v curl >/dev/null 2>&1 || die "curl is required"
command -v python3 >/dev/null 2>&1 || die "python3 is required (JSON parsing, free port)"

# --- load generator ---------------------------------------------------------------------------
if command -v oha >/dev/null 2>&1; then
  tool=oha
elif command -v wrk >/dev/null 2>&1; then
  tool=wrk
elif [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  say "installing wrk"
  { DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null 2>&1 \
    || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; }; } \
    || die "could not install wrk"
  tool=wrk
else
  die "no load generator: install oha (cargo install oha) or wrk (apt-get install wrk)"
fi

# --- build ------------------------------------------------------------------------------------
if [ -n "${BENCH_BIN:-}" ]; then
  bin=$BENCH_BIN
else
  say "building the release binary"
  cargo build --release --quiet -p genascope-api-actix --bin genascope
  target_dir=$(cargo metadata --format-version 1 --no-deps \
    | python3 -c 'import json, sys; print(json.load(sys.stdin)["target_directory"])')
  bin="$target_dir/release/genascope"
fi
[ -x "$bin" ] || die "no executable at $bin"

# --- a throwaway server -----------------------------------------------------------------------
work=$(mktemp -d "${TMPDIR:-/tmp}/genascope-bench.XXXXXX")
server_pid=""
cleanup() {
  local status=$?
  if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
    kill "$server_pid" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$server_pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  if [ "$status" -ne 0 ] && [ -f "$work/server.log" ]; then
    echo "--- last lines of the server log ---" >&2
    tail -n 30 "$work/server.log" >&2 || true
  fi
  rm -rf "$work"
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
base="http://127.0.0.1:$port"

export APP_ENV=development
export HOST=127.0.0.1
export PORT="$port"
export DATA_DIR="$work/data"
export JWT_SECRET="bench-http-test-secret-not-for-production-use-0123456789"
export MAIL_BACKEND=disabled
# One token drives the whole load: no per-principal read limit here.
export READ_RATE_LIMIT=0
# The files block uploads 100 MiB once (peak RSS); the default limit is 25 MiB.
export MAX_UPLOAD_MB=128
export RUST_LOG=warn
if [ -n "${BENCH_DATABASE_URL:-}" ]; then
  export DATABASE_URL="$BENCH_DATABASE_URL"
else
  unset DATABASE_URL
fi
mkdir -p "$DATA_DIR"

super_email="bench-super@example.com"
super_password="Bench-super-password-1"
admin_email="bench-admin@example.com"
admin_password="Bench-admin-password-1"

say "migrating and creating the super admin"
timeout 120 "$bin" migrate </dev/null >>"$work/server.log" 2>&1 || die "migrate failed"
GENASCOPE_ADMIN_PASSWORD="$super_password" timeout 60 \
  "$bin" create-super-admin --email "$super_email" --name "Bench Super" </dev/null >>"$work/server.log" 2>&1 \
  || die "create-super-admin failed"

say "starting genascope on $base"
"$bin" serve </dev/null >>"$work/server.log" 2>&1 &
server_pid=$!
for _ in $(seq 1 300); do
  curl -fsS --max-time 1 "$base/live" >/dev/null 2>&1 && break
  kill -0 "$server_pid" 2>/dev/null || die "the server exited during start-up"
  sleep 0.1
done
curl -fsS --max-time 2 "$base/live" >/dev/null || die "the server did not answer /live within 30 s"

# --- fixtures through the API -----------------------------------------------------------------
json_field() { python3 -c 'import json, sys; print(json.load(sys.stdin)[sys.argv[1]])' "$1"; }

login() { # email password -> access token
  curl -fsS --max-time 10 -X POST "$base/api/auth/token" \
    --data-urlencode "username=$1" --data-urlencode "password=$2" --data-urlencode "grant_type=password" \
    | json_field access_token
}

post_json() { # token path body -> response body (fails on a non-2xx status)
  curl -fsS --max-time 10 -X POST "$base$2" \
    -H "Authorization: Bearer $1" -H "Content-Type: application/json" --data "$3"
}

say "creating an account, its admin and 50 patients"
super_token=$(login "$super_email" "$super_password") || die "super admin login failed"
post_json "$super_token" /api/admin/create_account \
  "{\"name\":\"Bench Clinic\",\"admin_email\":\"$admin_email\",\"admin_name\":\"Bench Admin\",\"admin_password\":\"$admin_password\"}" \
  >/dev/null || die "account creation failed"
token=$(login "$admin_email" "$admin_password") || die "admin login failed"
for i in $(seq 1 50); do
  post_json "$token" /api/patients \
    "{\"first_name\":\"Patient\",\"last_name\":\"Number$i\",\"email\":\"patient$i@example.com\"}" \
    >/dev/null || die "creating patient $i failed"
done

# Every route must answer 200 before it is measured: a benchmark of 401s is worth nothing.
for path in /live /api/auth/me /api/patients/; do
  code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 10 -H "Authorization: Bearer $token" "$base$path")
  [ "$code" = 200 ] || die "GET $path answered $code"
done

# --- load -------------------------------------------------------------------------------------
mkdir -p "$out_dir"
limit=$((duration + 30))

run_load() { # name path auth(yes|no) -> prints "rps p99"
  local name=$1 path=$2 auth=$3 report="$out_dir/$1.$tool.txt"
  local header=()
  [ "$auth" = yes ] && header=(-H "Authorization: Bearer $token")
  case $tool in
    oha)
      timeout "$limit" oha --no-tui -z "${duration}s" -c "$connections" "${header[@]}" "$base$path" >"$report" 2>&1
      awk '/Requests\/sec:/ { rps = $2 }
           /^[[:space:]]*99(\.00)?% in/ { p99 = ($4 ~ /^sec/) ? sprintf("%.2fms", $3 * 1000) : $3 $4 }
           END { print rps, p99 }' "$report"
      ;;
    wrk)
      timeout "$limit" wrk -t "$threads" -c "$connections" -d "${duration}s" --latency "${header[@]}" \
        "$base$path" >"$report" 2>&1
      awk '/Requests\/sec:/ { rps = $2 }
           $1 == "99%" { p99 = $2 }
           END { print rps, p99 }' "$report"
      if grep -q 'Non-2xx' "$report"; then
        say "$name: $(grep 'Non-2xx' "$report" | sed 's/^ *//')"
      fi
      ;;
  esac
}

say "load: $tool, ${duration}s per route, $connections connections$([ "$tool" = wrk ] && echo ", $threads threads")"
printf '%-22s %14s %12s\n' route "requests/s" p99
for spec in "live /live no" "auth_me /api/auth/me yes" "patients /api/patients/ yes"; do
  read -r name path auth <<<"$spec"
  read -r rps p99 <<<"$(run_load "$name" "$path" "$auth")"
  printf '%-22s %14s %12s\n' "GET $path" "${rps:-?}" "${p99:-?}"
done
say "raw reports in $out_dir/"

# --- files: upload and download of 1 MiB, peak RSS during a 100 MiB upload (local store) --------
# Self-contained: uploads are sequential (BENCH_UPLOADS, default 200; each one stores a new 1 MiB
# object, so a timed load would fill the disk), timed by curl; downloads of one file are loaded like
# the routes above. Then the server's peak RSS (VmHWM, reset through /proc/PID/clear_refs) is read
# around one streamed 100 MiB upload.
files_block() {
  local uploads=${BENCH_UPLOADS:-200} one="$work/one-mib.txt" big="$work/hundred-mib.txt"
  head -c 1048576 /dev/zero | tr '\0' 'a' >"$one"
  say "files: $uploads sequential uploads of 1 MiB"
  local times="$work/upload-times.txt" file_id=""
  : >"$times"
  for i in $(seq 1 "$uploads"); do
    curl -fsS --max-time 30 -o "$work/upload.json" -w '%{time_total}\n' \
      -H "Authorization: Bearer $token" -F "file=@$one;filename=bench-$i.txt" "$base/api/upload" \
      >>"$times" || die "upload $i failed"
  done
  file_id=$(json_field file_id <"$work/upload.json")
  python3 - "$times" <<'PY'
import sys
t = sorted(float(x) for x in open(sys.argv[1]) if x.strip())
p99 = t[min(len(t) - 1, int(len(t) * 0.99))]
print(f"{'POST /api/upload (1 MiB)':<34} {len(t) / sum(t):10.1f}/s {p99 * 1000:9.2f}ms  (sequential, one connection)")
PY
  read -r rps p99 <<<"$(run_load download "/api/files/$file_id/download" yes)"
  printf '%-34s %12s %11s\n' "GET /api/files/{id}/download (1 MiB)" "${rps:-?}" "${p99:-?}"
  if [ -w "/proc/$server_pid/clear_refs" ]; then
    head -c 104857600 /dev/zero | tr '\0' 'a' >"$big"
    echo 5 >"/proc/$server_pid/clear_refs"
    local before after
    before=$(awk '/^VmRSS:/ { print $2 }' "/proc/$server_pid/status")
    curl -fsS --max-time 120 -o /dev/null -H "Authorization: Bearer $token" \
      -F "file=@$big;filename=hundred.txt" "$base/api/upload" || die "the 100 MiB upload failed"
    after=$(awk '/^VmHWM:/ { print $2 }' "/proc/$server_pid/status")
    printf 'peak RSS during a 100 MiB upload: %d MiB before, %d MiB peak, growth %d MiB\n' \
      $((before / 1024)) $((after / 1024)) $(((after - before) / 1024))
  else
    say "cannot reset the server's peak RSS (/proc/$server_pid/clear_refs): skipped the 100 MiB upload"
  fi
}
files_block
