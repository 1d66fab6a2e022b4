#!/usr/bin/env bash
# End-to-end drive of the original React frontend against a throwaway genascope (issue #8).
#
#   scripts/e2e.sh FRONTEND_DIR        (or: just e2e FRONTEND_DIR)
#
# FRONTEND_DIR is a checkout of the public repository martialbb/genascope-frontend. It has no
# licence: it is used where it lies and nothing of it is copied into this repository. The script
# builds it (npm, Vite), serves its dist/ with e2e/serve.mjs (which proxies /api and non-HTML
# /ai-chat to genascope, as the deployment proxy does), starts genascope on a fresh SQLite data
# directory (or DATABASE_URL if set: it must be a throwaway database), seeds the demo clinic, and
# runs e2e/journey.mjs in Debian's Chromium (/usr/bin/chromium, package `chromium`).
# Screenshots and the drive's log go to E2E_OUT (default target/e2e/).
set -euo pipefail

here="$(cd "$(dirname "$0")/.." && pwd)"
fe="${1:-}"
if [[ -z "$fe" || ! -f "$fe/package.json" || ! -f "$fe/src/App.tsx" ]]; then
  cat >&2 <<'MSG'
usage: just e2e FRONTEND_DIR

FRONTEND_DIR must be a checkout of the original frontend, e.g.
  git clone https://github.com/martialbb/genascope-frontend ../genascope-frontend
  just e2e ../genascope-frontend
MSG
  exit 2
fi
fe="$(cd "$fe" && pwd)"
chromium="${CHROMIUM:-/usr/bin/chromium}"
if [[ ! -x "$chromium" ]]; then
  echo "Chromium not found at $chromium: install Debian's package (apt-get install chromium) or set CHROMIUM" >&2
  exit 2
fi
command -v node >/dev/null || { echo "node and npm are needed" >&2; exit 2; }

out="${E2E_OUT:-$here/target/e2e}"
rm -rf "$out" && mkdir -p "$out"

echo "== building genascope"
(cd "$here" && cargo build --quiet -p genascope-api-actix --bin genascope)
bin="$here/target/debug/genascope"

echo "== building the frontend in $fe"
if [[ ! -d "$fe/node_modules" ]]; then
  (cd "$fe" && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm install --no-audit --no-fund --loglevel=error)
fi
# `npm run build` runs `tsc` first, which the upstream code does not pass; Vite alone builds it.
(cd "$fe" && npx --no-install vite build --logLevel error >"$out/frontend-build.log" 2>&1)

echo "== e2e dependencies"
if [[ ! -d "$here/e2e/node_modules/playwright-core" ]]; then
  (cd "$here/e2e" && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm install --no-audit --no-fund --loglevel=error)
fi

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
api_port="$(free_port)"
fe_port="$(free_port)"
data="$(mktemp -d)"
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$data"
}
trap cleanup EXIT

export APP_ENV=development DATA_DIR="$data" PORT="$api_port" HOST=127.0.0.1 \
  FRONTEND_BASE_URL="http://127.0.0.1:$fe_port" CORS_ORIGINS="http://127.0.0.1:$fe_port" \
  MAIL_BACKEND=outbox OUTBOX_POLL_SECONDS=1 RUST_LOG="${RUST_LOG:-warn}" \
  GENASCOPE_DEMO_PASSWORD="${GENASCOPE_DEMO_PASSWORD:-demo-password-2026}"

echo "== genascope on :$api_port (data in $data)"
"$bin" migrate >/dev/null
"$bin" seed-demo >"$out/seed-demo.log"
"$bin" serve >"$out/genascope.log" 2>&1 &
pids+=($!)
node "$here/e2e/serve.mjs" "$fe/dist" "$fe_port" "http://127.0.0.1:$api_port" >"$out/serve.log" 2>&1 &
pids+=($!)
for _ in $(seq 1 100); do
  if curl -fsS "http://127.0.0.1:$api_port/ready" >/dev/null 2>&1 \
     && curl -fsS "http://127.0.0.1:$fe_port/" >/dev/null 2>&1; then
    break
  fi
  sleep 0.2
done

echo "== driving the frontend on http://127.0.0.1:$fe_port"
E2E_FRONTEND="http://127.0.0.1:$fe_port" E2E_API="http://127.0.0.1:$api_port" \
  E2E_OUTBOX="$data/outbox" E2E_OUT="$out" CHROMIUM="$chromium" \
  node "$here/e2e/journey.mjs" 2>&1 | tee "$out/journey.log"
