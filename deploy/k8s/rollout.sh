#!/usr/bin/env bash
# Roll out genascope: the migration Job first, the Deployment and the rest only once it completed.
#   deploy/k8s/rollout.sh deploy/k8s/overlays/production      (kubectl's current context)
# 1. render the overlay once, so that both steps apply the same objects;
# 2. delete the previous migration Job (a Job's pod template cannot be changed in place);
# 3. apply the `prepare` phase: namespace, service account, network policies, the new ConfigMap
#    (its name carries a hash of its content) and the Job;
# 4. wait for the Job: Complete goes on, Failed stops here with its log (old pods keep serving);
# 5. apply everything else (Deployment, Services, Ingresses, PDB, HPA) and wait for the rollout.
# The Secret `genascope` must exist already (overlays/production/secret.example.yaml).
set -euo pipefail

overlay=${1:?usage: rollout.sh OVERLAY_DIR}
phase=deploy.genascope.org/phase
job=genascope-migrate

rendered=$(mktemp)
trap 'rm -f "$rendered"' EXIT
kubectl kustomize "$overlay" >"$rendered"
ns=$(awk '/^kind: Job$/ {job = 1} job && /^  namespace:/ {print $2; exit}' "$rendered")
ns=${ns:-default}

if kubectl get namespace "$ns" >/dev/null 2>&1 \
  && ! kubectl -n "$ns" get secret genascope >/dev/null 2>&1; then
  echo "rollout: secret $ns/genascope is missing (see secret.example.yaml)" >&2
  exit 1
fi

kubectl -n "$ns" delete job "$job" --ignore-not-found --wait=true
kubectl apply -f "$rendered" -l "$phase=prepare"

echo "rollout: waiting for job/$job"
deadline=$((SECONDS + 960)) # the Job's activeDeadlineSeconds (900) and a margin
while :; do
  state=$(kubectl -n "$ns" get job "$job" \
    -o jsonpath='{range .status.conditions[?(@.status=="True")]}{.type}{" "}{end}')
  case " $state " in
    *" Complete "*) break ;;
    *" Failed "*)
      echo "rollout: the migration failed; nothing else was changed" >&2
      kubectl -n "$ns" logs "job/$job" --all-containers --tail=50 >&2 || true
      exit 1
      ;;
  esac
  if [ "$SECONDS" -ge "$deadline" ]; then
    echo "rollout: job/$job did not finish in time" >&2
    exit 1
  fi
  sleep 2
done

kubectl apply -f "$rendered" -l "$phase!=prepare"
kubectl -n "$ns" rollout status deployment/genascope --timeout=10m
