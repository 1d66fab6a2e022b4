#!/usr/bin/env bash
# The multi-replica proof (issue #12; docs/operations.md "Multi-replica proof"): three release
# replicas of genascope against one throwaway PostgreSQL database, behind HAProxy
# (deploy/haproxy/haproxy.cfg), asserted by scripts/cluster_test/main.py.
#
# Needs: PostgreSQL on 127.0.0.1:5432 (or CLUSTER_PG_URL / GENASCOPE_TEST_PG_URL: a server where
# the user may create databases), psql, python3 with aiosmtpd, and haproxy (installed with apt-get
# when missing and running as root). CLUSTER_BIN=path reuses a built binary instead of
# `cargo build --release`.
set -euo pipefail

cd "$(dirname "$0")/.."

say() { printf '==> %s\n' "$*" >&2; }
die() { printf 'cluster-test: %s\n' "$*" >&2; exit 1; }

command -v psql >/dev/null 2>&1 || die "psql is required (apt-get install postgresql-client)"
command -v python3 >/dev/null 2>&1 || die "python3 is required"

if ! command -v haproxy >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    say "installing haproxy"
    { DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends haproxy >/dev/null 2>&1 \
      || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends haproxy >/dev/null; }; } \
      || die "could not install haproxy"
  else
    die "haproxy is required (apt-get install haproxy)"
  fi
fi

if ! python3 -c 'import aiosmtpd' >/dev/null 2>&1; then
  say "installing aiosmtpd (the SMTP sink)"
  python3 -m pip install --quiet --disable-pip-version-check aiosmtpd
fi

if [ -n "${CLUSTER_BIN:-}" ]; then
  bin=$CLUSTER_BIN
else
  say "building the release binary"
  started=$SECONDS
  cargo build --release --quiet -p genascope-api-actix --bin genascope
  say "release build took $((SECONDS - started)) s"
  target_dir=$(cargo metadata --format-version 1 --no-deps \
    | python3 -c 'import json, sys; print(json.load(sys.stdin)["target_directory"])')
  bin="$target_dir/release/genascope"
fi
[ -x "$bin" ] || die "no executable at $bin"

say "$(haproxy -v | sed -n 1p)"
PYTHONDONTWRITEBYTECODE=1 exec python3 scripts/cluster_test/main.py "$bin"
