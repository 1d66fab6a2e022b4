# genascope tasks. `just --list` shows them; on a fresh machine `just run` and `just test` are all
# you need (the service runs with zero configuration in development: see README.md).

set shell := ["bash", "-euo", "pipefail", "-c"]

# sccache is optional: use it when it is installed and its server answers, unless the caller has
# chosen a wrapper already. An empty RUSTC_WRAPPER means "no wrapper" to cargo.
export RUSTC_WRAPPER := env("RUSTC_WRAPPER", `command -v sccache >/dev/null 2>&1 && sccache --show-stats >/dev/null 2>&1 && echo sccache || true`)

# The PostgreSQL half of the repository tests connects here (it creates and drops its own
# databases from a template; the SQLite half needs nothing).
export GENASCOPE_TEST_PG_URL := env("GENASCOPE_TEST_PG_URL", "postgres://postgres@127.0.0.1:5432/postgres")

genascope := "cargo run --quiet -p genascope-api-actix --bin genascope --"

# List the recipes.
default:
    @just --list

# Start the API on http://127.0.0.1:8000 (SQLite, JWT secret and mail outbox under ./data).
run:
    {{ genascope }} serve

# Everything CI checks: formatting, lints, doc tests, the test suites.
# (Doc tests run before the suites so that the run ends on the suites' summary line: nextest does
# not run doc tests, and a trailing "0 passed" from doc-test-less crates would close the log.)
test: test-deps
    cargo fmt --all -- --check
    cargo clippy --workspace --all-targets -- -D warnings
    cargo clippy -p genascope-api-actix --all-targets --features otel -- -D warnings
    cargo test --workspace --doc
    if cargo nextest --version >/dev/null 2>&1; then \
        cargo nextest run -p genascope-api-actix --features otel --no-fail-fast -E 'test(otel) | test(telemetry) | test(logging)'; \
        cargo nextest run --workspace --no-fail-fast; \
    else \
        echo "cargo-nextest not found: falling back to cargo test"; \
        cargo test -p genascope-api-actix --features otel --no-fail-fast -- otel telemetry logging; \
        cargo test --workspace --no-fail-fast; \
    fi

# What the suites need besides cargo: the SMTP sink the SMTP adapter's tests start (PyPI: aiosmtpd),
# and moto in server mode, the S3/STS/SESv2 server the AWS adapter's tests start (PyPI: moto[server]).
test-deps:
    @python3 -c 'import aiosmtpd' 2>/dev/null || python3 -m pip install --quiet --disable-pip-version-check aiosmtpd
    @python3 -c 'import sys, moto.server, moto; sys.exit(tuple(map(int, moto.__version__.split(".")[:3])) < (5, 2, 6))' 2>/dev/null || python3 -m pip install --quiet --disable-pip-version-check 'moto[server]>=5.2.6'

# Format the workspace.
fmt:
    cargo fmt --all

# Clippy on every crate and target, warnings as errors.
lint:
    cargo clippy --workspace --all-targets -- -D warnings

# Apply the database migrations (DATABASE_URL, else the SQLite file under DATA_DIR).
migrate:
    {{ genascope }} migrate

# Fill the database with a demo account, staff and patients.
seed-demo:
    {{ genascope }} seed-demo

# Create a platform super admin; the password comes from GENASCOPE_ADMIN_PASSWORD, else a prompt.
create-super-admin email name:
    {{ genascope }} create-super-admin --email {{ quote(email) }} --name {{ quote(name) }}

# Criterion benchmarks of the clinical engine.
bench:
    cargo bench -p genascope-domain

# Needs python3, node/npm and access to PyPI and npm; not part of `test`. The checkouts are GPL:
# used where they lie, never copied (see scripts/validate-canrisk.sh).
# Check the CanRisk exports of the golden families against checkouts of CanRisk's bws and pedigreejs.
validate-canrisk bws_dir pedigreejs_dir:
    scripts/validate-canrisk.sh {{ quote(bws_dir) }} {{ quote(pedigreejs_dir) }}

# Load-test the HTTP server on loopback (release build, throwaway data directory).
bench-http:
    scripts/bench-http.sh

# The multi-replica proof: 3 release replicas on one PostgreSQL database behind HAProxy
# (deploy/haproxy/), asserted by scripts/cluster_test/ (docs/operations.md "Multi-replica proof").
# CI runs it after `test`. CLUSTER_BIN=path reuses a built binary.
cluster-test:
    scripts/cluster-test.sh

# Validate deploy/ offline: every kustomization rendered and checked against the Kubernetes JSON
# schemas, genascope's own invariants, checkov on the manifests and the Dockerfile, compose.yaml
# against the Compose schema. Not part of `test` (CI runs both); installs its tools on first use.
deploy-check:
    deploy/check/deploy-check.sh

# Build the container image (see deploy/README.md).
docker tag="genascope:latest":
    docker build -f deploy/Dockerfile -t {{ quote(tag) }} .

# Drive the original frontend (a checkout of martialbb/genascope-frontend, never copied here) in
# Debian's Chromium against a throwaway genascope: the patient journey of issue #8. Not in `test`.
e2e frontend_dir="":
    scripts/e2e.sh {{ quote(frontend_dir) }}
