#!/usr/bin/env bash
# HTTP load benchmark of genascope on loopback.
#
# Builds the release binary and the journey driver (examples/journey_load.rs), starts `genascope
# serve` on a free 127.0.0.1 port with a throwaway DATA_DIR (SQLite) and a fixed test JWT secret,
# creates a super admin, an account with its admin, 50 patients and an open invite for each through
# the API, then loads each route for BENCH_DURATION seconds with wrk (installed with apt-get when
# possible):
#   GET /live                the ceiling: no auth, no database
#   GET /api/auth/me         token verification + one principal read
#   GET /api/patients/       the above + a 50-row list and its audit record
#   GET /api/invites         the above + the 50-row invite list (style C page, joined names)
#   POST /api/verify_invite  public: the per-address limit (a database write) + a token look-up
# and the journey: whole interviews (start_chat + 26 answers, the last one completing the session
# and running the assessment) per second. Prints requests/s and p99 latency for each. The server
# is always stopped on exit.
#
# Knobs (environment): BENCH_DURATION (s, default 10), BENCH_CONNECTIONS (64; also the journey's
# workers), BENCH_THREADS (2), BENCH_DATABASE_URL (default: SQLite in the temp dir; a PostgreSQL URL
# must name an empty, throwaway database), BENCH_OUT (raw reports, default target/bench-http),
# BENCH_BIN and BENCH_JOURNEY (a prebuilt genascope binary and journey_load example instead of
# `cargo build --release`), BENCH_WARMUP (s, default 3: each route of the journey section, and the
# journey, first runs this long unmeasured; then, on PostgreSQL, ANALYZE).
# Logging is at `warn` during the run: request logs would otherwise dominate the numbers.
set -euo pipefail

cd "$(dirname "$0")/.."

duration=${BENCH_DURATION:-10}
warmup=${BENCH_WARMUP:-3}
connections=${BENCH_CONNECTIONS:-64}
threads=${BENCH_THREADS:-2}
out_dir=${BENCH_OUT:-target/bench-http}
# Which parts run (BENCH_SECTIONS, default all): table (issue #11: c8..c1024 with pgbench), journey
# (the invites routes and whole interviews), scheduling, files.
sections=" ${BENCH_SECTIONS:-table journey scheduling files} "
has_section() { [[ $sections == *" $1 "* ]]; }

say() { printf '==> %s\n' "$*" >&2; }
die() { printf 'bench-http: %s\n' "$*" >&2; exit 1; }

command -v curl >/dev/null 2>&1 || die "curl is required"
command -v python3 >/dev/null 2>&1 || die "python3 is required (JSON parsing, free port)"

# --- load generator ---------------------------------------------------------------------------
# wrk: its Lua hooks give the POST routes their bodies and each verify_invite its own client address.
if ! command -v wrk >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    say "installing wrk"
    { DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null 2>&1 \
      || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; }; } \
      || die "could not install wrk"
  else
    die "no load generator: install wrk (apt-get install wrk)"
  fi
fi

# --- build ------------------------------------------------------------------------------------
if [ -n "${BENCH_BIN:-}" ]; then
  bin=$BENCH_BIN
  journey=${BENCH_JOURNEY:-}
else
  say "building the release binary"
  cargo build --release --quiet -p genascope-api-actix --bin genascope --example journey_load
  target_dir=$(cargo metadata --format-version 1 --no-deps \
    | python3 -c 'import json, sys; print(json.load(sys.stdin)["target_directory"])')
  bin="$target_dir/release/genascope"
  journey="$target_dir/release/examples/journey_load"
fi
[ -x "$bin" ] || die "no executable at $bin"
if has_section journey; then
  [ -x "${journey:-}" ] || die "no journey driver: with BENCH_BIN, set BENCH_JOURNEY to a built examples/journey_load"
fi

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
: >"$work/patients.txt"
for i in $(seq 1 50); do
  post_json "$token" /api/patients \
    "{\"first_name\":\"Patient\",\"last_name\":\"Number$i\",\"email\":\"patient$i@example.com\"}" \
    | json_field id >>"$work/patients.txt" || die "creating patient $i failed"
done

# One open invite per patient (the invite list's rows); the last one's token for verify_invite.
say "inviting the 50 patients"
invite_url=""
while read -r patient_id; do
  invite_url=$(post_json "$token" /api/generate_invite \
    "{\"patient_id\":\"$patient_id\",\"send_email\":false}" | json_field invite_url) \
    || die "inviting patient $patient_id failed"
done <"$work/patients.txt"
invite_token=${invite_url##*/}
[ -n "$invite_token" ] || die "generate_invite answered no invite_url"

# The journey runs in an account of its own, one patient per worker (a patient's new session
# cancels its open one), so the lists above keep their 50 rows.
say "creating the journey's account and $connections patients"
post_json "$super_token" /api/admin/create_account \
  "{\"name\":\"Bench Journey Clinic\",\"admin_email\":\"journey-$admin_email\",\"admin_name\":\"Journey Admin\",\"admin_password\":\"$admin_password\"}" \
  >/dev/null || die "journey account creation failed"
journey_token=$(login "journey-$admin_email" "$admin_password") || die "journey admin login failed"
: >"$work/journey-patients.txt"
for i in $(seq 1 "$connections"); do
  post_json "$journey_token" /api/patients \
    "{\"first_name\":\"Journey\",\"last_name\":\"Number$i\",\"email\":\"journey$i@example.com\"}" \
    | json_field id >>"$work/journey-patients.txt" || die "creating journey patient $i failed"
done

# Every route must answer 200 before it is measured: a benchmark of 401s is worth nothing.
for path in /live /api/auth/me /api/patients/ /api/invites; do
  code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 10 -H "Authorization: Bearer $token" "$base$path")
  [ "$code" = 200 ] || die "GET $path answered $code"
done

# PostgreSQL plans from table statistics. Tables filled a moment ago have none until autovacuum's
# next pass (up to a minute; never for a table with fewer than 50 changes), and the planner's
# guess for an empty table made the 50-row invite list scan every patient once per invite (10x
# slower than with statistics). A running clinic's tables have them: take them now, as
# autovacuum would.
analyze() {
  if [ -n "${BENCH_DATABASE_URL:-}" ] && command -v psql >/dev/null 2>&1; then
    psql -qAt "$BENCH_DATABASE_URL" -c 'ANALYZE' >/dev/null || die "ANALYZE failed"
  fi
}
analyze

# --- load -------------------------------------------------------------------------------------
mkdir -p "$out_dir"
limit=$((duration + 30))

# verify_invite is limited to 30 a minute per client address (contract §1.7), counted in the
# database. In development the loopback proxy is trusted, so each request names its own address in
# X-Forwarded-For (10.<thread>.x.y): the limit's bookkeeping is measured, not its refusals.
cat >"$work/verify_invite.lua" <<LUA
local counter = 1
function setup(thread) thread:set("id", counter); counter = counter + 1 end
function init(args) n = 0 end
function request()
  n = n + 1
  wrk.headers["X-Forwarded-For"] = string.format("10.%d.%d.%d", id, math.floor(n / 256) % 256, n % 256)
  return wrk.format("POST", "/api/verify_invite", nil, '{"token":"$invite_token"}')
end
LUA
curl -fsS --max-time 10 -X POST "$base/api/verify_invite" -H "Content-Type: application/json" \
  --data "{\"token\":\"$invite_token\"}" | grep -q '"valid":true' || die "verify_invite did not accept the token"

run_load() { # name path auth(yes|no) [lua script] -> prints "rps p99" (CONNS overrides the count,
  # SECONDS_ the duration)
  local name=$1 path=$2 auth=$3 script=${4:-} report="$out_dir/$1.wrk.txt"
  local args=(-t "$threads" -c "${CONNS:-$connections}" -d "${SECONDS_:-$duration}s" --latency)
  [ "$auth" = yes ] && args+=(-H "Authorization: Bearer $token")
  [ -n "$script" ] && args+=(-H "Content-Type: application/json" -s "$script")
  timeout "$limit" wrk "${args[@]}" "$base$path" >"$report" 2>&1
  awk '/Requests\/sec:/ { rps = $2 }
       $1 == "99%" { p99 = $2 }
       END { print rps, p99 }' "$report"
  if grep -q 'Non-2xx\|Socket errors' "$report"; then
    say "$name: $(grep 'Non-2xx\|Socket errors' "$report" | sed 's/^ *//' | tr '\n' ' ')"
  fi
}

# --- the issue #11 table: routes x connection counts, against pgbench in the same run -----------
# shellcheck source=scripts/bench-table.sh
. scripts/bench-table.sh
if has_section table; then bench_table; fi
bench_journey() {

say "load: wrk, ${duration}s per route, $connections connections, $threads threads"
printf '%-26s %14s %12s\n' route "requests/s" p99
for spec in "live /live no" "auth_me /api/auth/me yes" "patients /api/patients/ yes" \
  "invites /api/invites yes" "verify_invite /api/verify_invite no $work/verify_invite.lua"; do
  read -r name path auth script <<<"$spec"
  # Warm-up: the route's tables (the verify limit's rows) grow while it runs; a running clinic's
  # have statistics for their size (see `analyze`), and its processes have warm caches.
  if [ "$warmup" -gt 0 ]; then
    SECONDS_=$warmup run_load "$name-warmup" "$path" "$auth" "$script" >/dev/null
    analyze
  fi
  read -r rps p99 <<<"$(run_load "$name" "$path" "$auth" "$script")"
  method=GET
  [ -n "$script" ] && method=POST
  printf '%-26s %14s %12s\n' "$method $path" "${rps:-?}" "${p99:-?}"
done

# The journey: whole interviews (start_chat + 26 answers, the last completing the session with its
# assessment), one worker per connection, each with its own patient; see examples/journey_load.rs.
# The server's own CPU time during the journey (/proc: utime + stime) per interview: unlike the
# rate, it hardly depends on what else the machine is doing.
server_cpu_ms() { awk -v hz="$(getconf CLK_TCK)" '{ printf "%d", ($14 + $15) * 1000 / hz }' "/proc/$server_pid/stat"; }
# Warm-up: interviews fill `chat_sessions` from empty; PostgreSQL plans its statements (and keeps
# the plans on each connection) on that table's statistics, which autovacuum renews within a
# minute in a running clinic: without them every answer's read and write scanned the table.
if [ "$warmup" -gt 0 ]; then
  say "journey: ${warmup}s of warm-up"
  "$journey" "$base" "$journey_token" "$work/journey-patients.txt" "$connections" "$warmup" \
    >/dev/null 2>"$out_dir/journey-warmup.err" || die "the journey's warm-up failed: $(cat "$out_dir/journey-warmup.err")"
  analyze
fi
say "journey: ${duration}s, $connections workers"
cpu_before=$(server_cpu_ms)
read -r ips rps p50 p99 errors count <<<"$("$journey" "$base" "$journey_token" "$work/journey-patients.txt" \
  "$connections" "$duration" 2>"$out_dir/journey.err")" || die "the journey driver failed: $(cat "$out_dir/journey.err")"
cpu_after=$(server_cpu_ms)
[ -s "$out_dir/journey.err" ] && say "journey: $(cat "$out_dir/journey.err")"
printf '%-26s %14s %12s   (%s requests/s, p50 %s, %s interviews, %s errors)\n' \
  "interview (27 requests)" "$ips/s" "$p99" "$rps" "$p50" "$count" "$errors"
if [ "${count:-0}" -gt 0 ]; then
  say "journey: the server used $(awk -v ms=$((cpu_after - cpu_before)) -v n="$count" 'BEGIN { printf "%.2f", ms / n }') ms of CPU per interview"
fi
}
if has_section journey; then bench_journey; fi
say "raw reports in $out_dir/"

# --- scheduling (issue #9) ----------------------------------------------------------------------
# Self-contained: a clinician with 48 bookable times on a date next year and 16 patients, then
#   GET /api/availability      at 64 connections (target: >= 5,000 req/s on 2 cores)
#   booking + cancel cycles    16 workers, each booking its own time for its own patient and
#                              canceling it again (both write transactions), for BENCH_DURATION s
bench_scheduling() {
  local clinician_email="bench-clin@example.com" clinician_password="Bench-clin-password-1"
  local date clinician_id clinician_token slots patients
  date="$(($(date +%Y) + 1))-03-02"
  say "scheduling: a clinician, 48 times on $date, 16 patients"
  clinician_id=$(post_json "$token" /api/users \
    "{\"email\":\"$clinician_email\",\"name\":\"Bench Clinician\",\"role\":\"clinician\",\"password\":\"$clinician_password\"}" \
    | json_field id) || die "creating the clinician failed"
  clinician_token=$(login "$clinician_email" "$clinician_password") || die "clinician login failed"
  slots=$(python3 -c 'import json; print(json.dumps(["%02d:%02d" % (i // 2, i % 2 * 30) for i in range(48)]))')
  post_json "$clinician_token" /api/availability/set "{\"date\":\"$date\",\"time_slots\":$slots}" >/dev/null \
    || die "setting availability failed"
  patients=$(curl -fsS --max-time 10 -H "Authorization: Bearer $token" "$base/api/patients/?limit=16" \
    | python3 -c 'import json, sys; print(",".join(p["id"] for p in json.load(sys.stdin)))')
  local path="/api/availability?clinician_id=$clinician_id&date=$date"
  local saved_connections=$connections
  connections=64
  read -r rps p99 <<<"$(run_load availability "$path" yes)"
  connections=$saved_connections
  printf '%-22s %14s %12s\n' "GET /api/availability" "${rps:-?}" "${p99:-?}"
  BASE="$base" TOKEN="$clinician_token" CLINICIAN="$clinician_id" DATE="$date" PATIENTS="$patients" \
    DURATION="$duration" python3 - <<'PY'
import http.client, json, os, threading, time, urllib.parse

base = urllib.parse.urlparse(os.environ["BASE"])
headers = {"Authorization": "Bearer " + os.environ["TOKEN"], "Content-Type": "application/json"}
patients = os.environ["PATIENTS"].split(",")
deadline = time.monotonic() + float(os.environ["DURATION"])
cycles, failures, latencies = [0], [0], []
lock = threading.Lock()

def worker(i):
    conn = http.client.HTTPConnection(base.hostname, base.port, timeout=30)
    body = {"clinician_id": os.environ["CLINICIAN"], "patient_id": patients[i], "date": os.environ["DATE"],
            "time": "%02d:%02d" % (i // 2, i % 2 * 30)}
    while time.monotonic() < deadline:
        started = time.monotonic()
        conn.request("POST", "/api/book_appointment", json.dumps(body), headers)
        r = conn.getresponse(); booked = json.loads(r.read() or b"{}")
        ok = r.status == 200
        if ok:
            conn.request("POST", "/api/appointments/cancel",
                         json.dumps({"appointment_id": booked["id"], "notify_patient": False,
                                     "notify_clinician": False}), headers)
            r = conn.getresponse(); r.read(); ok = r.status == 200
        with lock:
            if ok:
                cycles[0] += 1; latencies.append(time.monotonic() - started)
            else:
                failures[0] += 1

threads = [threading.Thread(target=worker, args=(i,)) for i in range(len(patients))]
for t in threads: t.start()
for t in threads: t.join()
latencies.sort()
p99 = latencies[int(len(latencies) * 0.99) - 1] * 1000 if latencies else float("nan")
rate = cycles[0] / float(os.environ["DURATION"])
print("%-22s %14.1f %10.2fms   (%d failed)" % ("book+cancel cycles", rate, p99, failures[0]))
PY
}
if has_section scheduling; then bench_scheduling; fi

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
if has_section files; then files_block; fi
