#!/usr/bin/env bash
# `just deploy-check`: validate everything under deploy/ offline (no cluster, no Docker engine).
#   1. render every kustomization (kubectl's built-in kustomize, or a kustomize binary);
#   2. validate each rendered object, and the example Secret, against the Kubernetes JSON schemas
#      of the oldest and newest versions we support (kubernetes-validate --strict: unknown fields
#      are errors);
#   3. check what only we know (invariants.py: env names, probes, drain, routing, no Secret);
#   4. run the policy linter checkov on the rendered manifests and the Dockerfile (checkov.yaml
#      lists the checks skipped and why);
#   5. validate deploy/compose.yaml against the Compose specification's schema (vendored:
#      deploy/schema/README.md).
# The tools live in their own virtual environment under the user's cache, built once per version
# of requirements.txt (GENASCOPE_DEPLOY_CHECK_VENV overrides the place).
set -euo pipefail

cd "$(dirname "$0")/../.."
check=deploy/check
# Kubernetes minor versions: 1.30 is the oldest with the preStop `sleep` action on by default.
k8s_versions=(1.30.0 1.37.0)

say() { printf 'deploy-check: %s\n' "$*"; }

# --- tools ---------------------------------------------------------------------------------------
req_hash=$(sha256sum "$check/requirements.txt" | cut -c1-12)
venv=${GENASCOPE_DEPLOY_CHECK_VENV:-${XDG_CACHE_HOME:-${HOME:-/tmp}/.cache}/genascope/deploy-check-$req_hash}
if [ ! -x "$venv/bin/checkov" ] || [ ! -f "$venv/.complete" ]; then
  say "installing the checkers into $venv (once per requirements.txt)"
  rm -rf "$venv"
  python3 -m venv "$venv"
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check --retries 5 \
    -r "$check/requirements.txt"
  touch "$venv/.complete"
fi

if command -v kubectl >/dev/null 2>&1 && kubectl kustomize --help >/dev/null 2>&1; then
  render() { kubectl kustomize "$1"; }
elif command -v kustomize >/dev/null 2>&1; then
  render() { kustomize build "$1"; }
else
  say "needs kubectl (with its built-in kustomize) or kustomize on PATH" >&2
  exit 1
fi

out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

# --- 1-3: render, schemas, invariants --------------------------------------------------------------
status=0
mapfile -t kustomizations < <(find deploy/k8s -name kustomization.yaml -printf '%h\n' | sort)
for dir in "${kustomizations[@]}"; do
  file="$out/$(echo "${dir#deploy/k8s/}" | tr '/' '_').yaml"
  if ! render "$dir" >"$file"; then
    say "FAILED to render $dir" >&2
    status=1
    continue
  fi
  say "$dir: $(grep -c '^kind:' "$file") objects"
  for v in "${k8s_versions[@]}"; do
    "$venv/bin/kubernetes-validate" --strict --quiet -k "$v" "$file" || status=1
  done
  "$venv/bin/python" "$check/invariants.py" "$file" README.md \
    crates/api-actix/src/routes/mod.rs || status=1
done
mapfile -t examples < <(find deploy/k8s -name 'secret.example.yaml' | sort)
for f in "${examples[@]}"; do
  for v in "${k8s_versions[@]}"; do
    "$venv/bin/kubernetes-validate" --strict --quiet -k "$v" "$f" || status=1
  done
done

# --- 4: policy ---------------------------------------------------------------------------------------
# Only the overlays are deployed; the base alone lacks the namespace and the image digest.
policy_files=()
for f in "$out"/overlays_*.yaml; do policy_files+=(-f "$f"); done
say "checkov: $((${#policy_files[@]} / 2)) rendered overlay(s) and deploy/Dockerfile"
"$venv/bin/checkov" --config-file "$check/checkov.yaml" --framework kubernetes dockerfile \
  "${policy_files[@]}" -f deploy/Dockerfile || status=1

# --- 5: compose --------------------------------------------------------------------------------------
"$venv/bin/check-jsonschema" --schemafile deploy/schema/compose-spec.json deploy/compose.yaml \
  || status=1
echo

if [ "$status" -ne 0 ]; then
  say "FAILED (see above)" >&2
  exit 1
fi
say "all manifests, the Dockerfile and compose.yaml passed"
