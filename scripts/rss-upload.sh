#!/usr/bin/env bash
# Memory probe of issue #10: the server's RSS while a 100 MiB file is streamed through the API,
# on a fresh server (nothing loaded before, so the allocator holds no spare memory that could
# hide growth). Target: RSS grows by less than 20 MiB.
#
#   scripts/rss-upload.sh                 # the debug binary (cargo build -p genascope-api-actix --bin genascope)
#   RSS_BIN=target/release/genascope scripts/rss-upload.sh
#
# It starts genascope on a free loopback port over a throwaway SQLite database and local store,
# creates a super admin and an account, then uploads 100 MiB twice: through POST /api/upload and
# through POST /api/v1/chat-configuration/knowledge-sources/upload. During each upload VmRSS is
# sampled every 20 ms from /proc/PID/status, and VmHWM (the kernel's peak, reset through
# /proc/PID/clear_refs where writable) is read after it. Prints idle, peak and after, in MiB.
set -euo pipefail

die() { echo "rss-upload: $*" >&2; exit 1; }
say() { echo "rss-upload: $*" >&2; }

bin=${RSS_BIN:-}
if [ -z "$bin" ]; then
  target_dir=$(cargo metadata --format-version 1 --no-deps \
    | python3 -c 'import json, sys; print(json.load(sys.stdin)["target_directory"])')
  bin="$target_dir/debug/genascope"
fi
[ -x "$bin" ] || die "no executable at $bin (cargo build -p genascope-api-actix --bin genascope)"

work=$(mktemp -d "${TMPDIR:-/tmp}/genascope-rss.XXXXXX")
server_pid=""
sampler_pid=""
cleanup() {
  local status=$?
  [ -n "$sampler_pid" ] && kill "$sampler_pid" 2>/dev/null || true
  if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
    kill "$server_pid" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$server_pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  if [ "$status" -ne 0 ] && [ -f "$work/server.log" ]; then
    tail -n 30 "$work/server.log" >&2 || true
  fi
  rm -rf "$work"
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
base="http://127.0.0.1:$port"
export APP_ENV=development HOST=127.0.0.1 PORT="$port" DATA_DIR="$work/data" MAIL_BACKEND=disabled
export JWT_SECRET="rss-upload-test-secret-not-for-production-use-0123456789"
export MAX_UPLOAD_MB=128 READ_RATE_LIMIT=0 RUST_LOG=warn STORAGE_BACKEND=local
unset DATABASE_URL S3_BUCKET_NAME
mkdir -p "$DATA_DIR"

super_email="rss-super@example.com" super_password="Rss-super-password-1"
admin_email="rss-admin@example.com" admin_password="Rss-admin-password-1"
"$bin" migrate </dev/null >>"$work/server.log" 2>&1 || die "migrate failed"
GENASCOPE_ADMIN_PASSWORD="$super_password" "$bin" create-super-admin --email "$super_email" \
  --name "Rss Super" </dev/null >>"$work/server.log" 2>&1 || die "create-super-admin failed"
"$bin" serve </dev/null >>"$work/server.log" 2>&1 &
server_pid=$!
for _ in $(seq 1 300); do
  curl -fsS --max-time 1 "$base/live" >/dev/null 2>&1 && break
  kill -0 "$server_pid" 2>/dev/null || die "the server exited during start-up"
  sleep 0.1
done

json_field() { python3 -c 'import json, sys; print(json.load(sys.stdin)[sys.argv[1]])' "$1"; }
login() {
  curl -fsS --max-time 10 -X POST "$base/api/auth/token" --data-urlencode "username=$1" \
    --data-urlencode "password=$2" --data-urlencode "grant_type=password" | json_field access_token
}
super_token=$(login "$super_email" "$super_password") || die "super admin login failed"
curl -fsS --max-time 10 -X POST "$base/api/admin/create_account" -H "Authorization: Bearer $super_token" \
  -H "Content-Type: application/json" \
  --data "{\"name\":\"Rss Clinic\",\"admin_email\":\"$admin_email\",\"admin_name\":\"Rss Admin\",\"admin_password\":\"$admin_password\"}" \
  >/dev/null || die "account creation failed"
token=$(login "$admin_email" "$admin_password") || die "admin login failed"

big="$work/hundred-mib.txt"
head -c 104857600 /dev/zero | tr '\0' 'a' >"$big"
kib() { awk -v k="$1" '$1 == k":" { print $2 }' "/proc/$server_pid/status"; }
mib() { echo $(( $1 / 1024 )); }

# probe LABEL PATH: one streamed 100 MiB upload, with RSS sampled while it runs.
probe() {
  local label=$1 path=$2 idle peak hwm after samples="$work/samples.txt"
  sleep 1 # let the previous request's buffers go back
  idle=$(kib VmRSS)
  [ -w "/proc/$server_pid/clear_refs" ] && echo 5 >"/proc/$server_pid/clear_refs"
  : >"$samples"
  ( while kill -0 "$server_pid" 2>/dev/null; do kib VmRSS >>"$samples"; sleep 0.02; done ) &
  sampler_pid=$!
  curl -fsS --max-time 300 -o /dev/null -H "Authorization: Bearer $token" \
    -F "file=@$big;filename=hundred.txt" "$base$path" || die "the 100 MiB upload to $path failed"
  kill "$sampler_pid" 2>/dev/null || true
  wait "$sampler_pid" 2>/dev/null || true
  sampler_pid=""
  peak=$(sort -n "$samples" | tail -n 1)
  hwm=$(kib VmHWM)
  [ "$hwm" -gt "$peak" ] && peak=$hwm
  sleep 1
  after=$(kib VmRSS)
  printf '%-40s idle %4d MiB  peak %4d MiB  after %4d MiB  growth %3d MiB  (%d samples)\n' \
    "$label" "$(mib "$idle")" "$(mib "$peak")" "$(mib "$after")" "$(mib $((peak - idle)))" \
    "$(wc -l <"$samples")"
}

say "binary: $bin"
probe "POST /api/upload (100 MiB)" /api/upload
probe "POST knowledge-sources/upload (100 MiB)" /api/v1/chat-configuration/knowledge-sources/upload
