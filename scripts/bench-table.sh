# Sourced by scripts/bench-http.sh (uses its server, token, run_load, say, die, work, out_dir).
#
# Issue #11's table: GET /live, GET /api/auth/me, GET /api/patients/ (50 rows with its audit
# record) and POST /api/eligibility/assess at 8, 64, 256 and 1024 connections (BENCH_LEVELS),
# measured in the same run as `pgbench -S -c 8 -j 2` (the machine's ceiling for one-query reads
# over TCP), so that every figure is also printed as a ratio to it:
#   auth/me  >= 0.70 x pgbench,            p99 at c64 < 10 ms
#   patients >= 0.35 x pgbench,            p99 at c64 < 20 ms
#   assess   >= 0.80 x (GET /live / 10),   p99 at c64 < 10 ms
#   every level: no errors, no non-2xx; p99 at c256 <= 4 x p99 at c64
# then a login storm (argon2id at its limit) beside auth/me and the patient list at c64, and the
# server's RSS: idle, after the c1024 runs, and again 10 s later.
#
# pgbench needs a PostgreSQL server (BENCH_PGBENCH_URL, default the local one as postgres); it
# creates and drops its own database `genascope_pgbench`. It runs only when the server itself is on
# PostgreSQL (BENCH_DATABASE_URL set): on SQLite (the default) there is no pgbench to compare with,
# and every route's ratio is to `GET /live` of the same level instead (issue #11: "the same targets
# on SQLite where they apply"). The RSS is read once more after the login storm (argon2id's
# memory), and 10 s after that.

rss_kib() { awk '/^VmRSS:/ { print $2 }' "/proc/$server_pid/status"; }

pgbench_tps() { # -> tps of pgbench -S -c 8 -j 2 for BENCH_DURATION s, or nothing
  local admin=${BENCH_PGBENCH_URL:-postgres://postgres@127.0.0.1:5432/postgres}
  command -v pgbench >/dev/null 2>&1 || { say "pgbench not installed: no ratios"; return 0; }
  psql -qAt "$admin" -c 'SELECT 1' >/dev/null 2>&1 || { say "no PostgreSQL at BENCH_PGBENCH_URL: no ratios"; return 0; }
  local db=${admin%/*}/genascope_pgbench
  psql -qAt "$admin" -c 'DROP DATABASE IF EXISTS genascope_pgbench' -c 'CREATE DATABASE genascope_pgbench' >/dev/null
  pgbench -i -q -s 10 "$db" >"$out_dir/pgbench-init.txt" 2>&1 || die "pgbench -i failed"
  pgbench -S -n -c 8 -j 2 -T "$duration" "$db" >"$out_dir/pgbench.txt" 2>&1 || die "pgbench failed"
  psql -qAt "$admin" -c 'DROP DATABASE IF EXISTS genascope_pgbench' >/dev/null
  awk '/^tps = / { print $3; exit }' "$out_dir/pgbench.txt"
}

bench_table() {
  local levels=${BENCH_LEVELS:-8 64 256 1024}
  # wrk needs a descriptor per connection, and so does the server.
  ulimit -n 65536 2>/dev/null || ulimit -n 4096 2>/dev/null || true
  local idle_rss
  idle_rss=$(rss_kib)

  cat >"$work/assess.json" <<'JSON'
{"proband":{"sex":"female","age":40,"ethnicity":"white","ashkenazi_jewish":false,
"menarche_age":12,"live_births":1,"first_live_birth_age":31,"menopause_status":"pre","height_cm":165,
"weight_kg":62,"breast_biopsies":0,"hyperplasia":"none","cancers":[],"genetic_tests":[]},
"relatives":[{"relation":"mother","alive":true,"age":66,"cancers":[{"type":"breast","age_at_diagnosis":42}]},
{"relation":"maternal_aunt","alive":false,"age":58,"cancers":[{"type":"ovarian","age_at_diagnosis":55}]}]}
JSON
  cat >"$work/assess.lua" <<LUA
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
local f = io.open("$work/assess.json"); wrk.body = f:read("*a"); f:close()
LUA
  local code
  code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 10 -X POST -H "Authorization: Bearer $token" \
    -H "Content-Type: application/json" --data "@$work/assess.json" "$base/api/eligibility/assess")
  [ "$code" = 200 ] || die "POST /api/eligibility/assess answered $code"

  say "table: pgbench -S -c 8 -j 2, ${duration}s"
  local pg_tps=""
  if [ -n "${BENCH_DATABASE_URL:-}" ]; then
    pg_tps=$(pgbench_tps)
  else
    say "table: SQLite: no pgbench; ratios are to GET /live at the same level"
  fi
  say "table: wrk ${duration}s per point, levels: $levels"
  printf '%-30s %6s %12s %10s %8s\n' route conns "requests/s" p99 ratio | tee "$out_dir/table.txt"
  [ -n "$pg_tps" ] && printf '%-30s %6s %12s %10s %8s\n' "pgbench -S" 8 "$pg_tps" - 1.00 | tee -a "$out_dir/table.txt"
  local c spec name path auth script rps p99 ratio live_rps="" method
  for c in $levels; do
    for spec in "live /live no" "auth_me /api/auth/me yes" "patients /api/patients/ yes" \
      "assess /api/eligibility/assess yes $work/assess.lua"; do
      read -r name path auth script <<<"$spec"
      read -r rps p99 <<<"$(CONNS=$c run_load "${name}_c$c" "$path" "$auth" "$script")"
      [ "$name" = live ] && live_rps=$rps
      ratio=-
      if [ "$name" = assess ] && [ -n "$live_rps" ]; then
        ratio=$(python3 -c "print(f'{$rps / ($live_rps / 10):.2f}')" 2>/dev/null || echo -)
      elif [ "$name" != live ] && [ -n "$pg_tps" ]; then
        ratio=$(python3 -c "print(f'{$rps / $pg_tps:.2f}')" 2>/dev/null || echo -)
      elif [ "$name" != live ] && [ -n "$live_rps" ]; then
        ratio=$(python3 -c "print(f'{$rps / $live_rps:.3f} live')" 2>/dev/null || echo -)
      fi
      method=GET
      [ -n "$script" ] && method=POST
      printf '%-30s %6s %12s %10s %8s\n' "$method $path" "$c" "${rps:-?}" "${p99:-?}" "$ratio" \
        | tee -a "$out_dir/table.txt"
    done
  done
  local after_rss
  after_rss=$(rss_kib)
  sleep 10
  printf 'server RSS: idle %d MiB, after the runs %d MiB, 10 s later %d MiB\n' \
    $((idle_rss / 1024)) $((after_rss / 1024)) $(($(rss_kib) / 1024)) | tee -a "$out_dir/table.txt"

  # A login storm beside the reads: 16 connections logging in as fast as argon2id lets them.
  cat >"$work/login.lua" <<LUA
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
wrk.body = "grant_type=password&username=$admin_email&password=$admin_password"
LUA
  say "table: auth/me and the patient list at c64 beside a login storm (16 connections)"
  local storm_pid
  for spec in "auth_me /api/auth/me" "patients /api/patients/"; do
    read -r name path <<<"$spec"
    timeout $((duration + 30)) wrk -t 1 -c 16 -d "$((duration + 2))s" --latency -s "$work/login.lua" \
      "$base/api/auth/token" >"$out_dir/storm_$name.wrk.txt" 2>&1 &
    storm_pid=$!
    sleep 1
    read -r rps p99 <<<"$(CONNS=64 run_load "${name}_storm" "$path" yes)"
    wait "$storm_pid" || true
    printf '%-30s %6s %12s %10s   (logins/s beside it: %s)\n' "GET $path + storm" 64 "${rps:-?}" "${p99:-?}" \
      "$(awk '/Requests\/sec:/ { print $2 }' "$out_dir/storm_$name.wrk.txt")" | tee -a "$out_dir/table.txt"
  done
  local storm_rss
  storm_rss=$(rss_kib)
  sleep 10
  printf 'server RSS: after the storm %d MiB, 10 s later %d MiB (idle was %d MiB)\n' \
    $((storm_rss / 1024)) $(($(rss_kib) / 1024)) $((idle_rss / 1024)) | tee -a "$out_dir/table.txt"
}
