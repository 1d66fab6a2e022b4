"""What the generic validators cannot know: the rendered manifests agree with the binary.

Usage: python invariants.py RENDERED.yaml README.md ROUTES.rs
Checks that every environment variable the manifests set is one the binary documents (README.md's
configuration table), that the probes name routes the binary serves on the port it listens on,
that the rollout and shutdown settings fit the drain, that /api and /ai-chat reach the API, and
that no Secret is rendered, and that the rollout phases put the migration Job first. Prints one line per problem and exits 1 if there is any.
"""

import re
import sys

import yaml


def main(rendered_path: str, readme_path: str, routes_path: str) -> int:
    with open(rendered_path, encoding="utf-8") as f:
        docs = [d for d in yaml.safe_load_all(f) if d]
    with open(readme_path, encoding="utf-8") as f:
        documented = set(re.findall(r"^\| `([A-Z][A-Z0-9_]+)` \|", f.read(), re.MULTILINE))
    with open(routes_path, encoding="utf-8") as f:
        routes = set(re.findall(r'resource!\(cfg, "([^"]+)"', f.read()))
    problems: list[str] = []

    def of(kind: str) -> list[dict]:
        return [d for d in docs if d.get("kind") == kind]

    def name(d: dict) -> str:
        return f"{d['kind']}/{d['metadata']['name']}"

    if not documented:
        problems.append(f"{readme_path}: no configuration table found")
    for d in of("Secret"):
        problems.append(f"{name(d)}: a Secret is rendered; reference it, never ship it")

    config = {}
    for d in of("ConfigMap"):
        data = d.get("data", {})
        config.update(data)
        for key in data:
            if key not in documented:
                problems.append(f"{name(d)}: {key} is not in the README's configuration table")

    workloads = of("Deployment") + of("Job")
    for w in workloads:
        pod = w["spec"]["template"]["spec"]
        if pod.get("automountServiceAccountToken") is not False:
            problems.append(f"{name(w)}: automountServiceAccountToken must be false")
        for c in pod["containers"]:
            for env in c.get("env", []):
                if env["name"] not in documented:
                    problems.append(f"{name(w)}: env {env['name']} is not in the README's table")
                if "value" in env and env["name"] in {"DATABASE_URL", "JWT_SECRET", "LAB_SECRET_KEY",
                                                      "SMTP_PASSWORD", "AWS_SECRET_ACCESS_KEY"}:
                    problems.append(f"{name(w)}: {env['name']} is inlined; use secretKeyRef")
            sc = c.get("securityContext", {})
            if not (sc.get("readOnlyRootFilesystem") and sc.get("allowPrivilegeEscalation") is False
                    and sc.get("capabilities", {}).get("drop") == ["ALL"]):
                problems.append(f"{name(w)}: container {c['name']} is not locked down")

    port = int(config.get("PORT", 8000))
    drain = int(config.get("SHUTDOWN_DRAIN_SECONDS", 10))
    for d in of("Deployment"):
        spec = d["spec"]
        pod = spec["template"]["spec"]
        c = pod["containers"][0]
        if spec.get("replicas", 1) < 2:
            problems.append(f"{name(d)}: fewer than 2 replicas")
        if spec["strategy"].get("rollingUpdate", {}).get("maxUnavailable") != 0:
            problems.append(f"{name(d)}: rollingUpdate.maxUnavailable must be 0")
        ports = {p["name"]: p["containerPort"] for p in c.get("ports", [])}
        if ports.get("http") != port:
            problems.append(f"{name(d)}: containerPort http {ports.get('http')} != PORT {port}")
        for probe, path in (("readinessProbe", "/ready"), ("livenessProbe", "/live")):
            got = c.get(probe, {}).get("httpGet", {}).get("path")
            if got != path:
                problems.append(f"{name(d)}: {probe} is {got}, expected {path}")
        for probe in ("readinessProbe", "livenessProbe", "startupProbe"):
            path = c.get(probe, {}).get("httpGet", {}).get("path")
            if path and path not in routes:
                problems.append(f"{name(d)}: {probe} path {path} is not a route of the binary")
        pre_stop = c.get("lifecycle", {}).get("preStop", {}).get("sleep", {}).get("seconds", 0)
        grace = pod.get("terminationGracePeriodSeconds", 30)
        # preStop, the drain, then up to 30 s for in-flight requests (actix's graceful stop).
        if grace < pre_stop + drain + 30:
            problems.append(f"{name(d)}: terminationGracePeriodSeconds {grace} < preStop {pre_stop}"
                            f" + SHUTDOWN_DRAIN_SECONDS {drain} + 30")
    for d in of("HorizontalPodAutoscaler"):
        if d["spec"].get("minReplicas", 1) < 2:
            problems.append(f"{name(d)}: minReplicas below 2")

    api_services = {s["metadata"]["name"] for s in of("Service")
                    if s["spec"].get("selector", {}).get("app.kubernetes.io/component") == "api"}
    routed = {}
    for ing in of("Ingress"):
        canary = ing["metadata"].get("annotations", {}).get("nginx.ingress.kubernetes.io/canary")
        for rule in ing["spec"].get("rules", []):
            for p in rule["http"]["paths"]:
                routed.setdefault((p["path"], canary == "true"), p["backend"]["service"]["name"])
    for path in ("/api", "/ai-chat"):
        if routed.get((path, False)) not in api_services:
            problems.append(f"Ingress: {path} does not route to the API")
    if ("/ai-chat", True) not in routed or routed[("/ai-chat", True)] in api_services:
        problems.append("Ingress: no canary sending HTML navigations under /ai-chat elsewhere")

    # deploy/k8s/rollout.sh applies the `prepare` phase, waits for the Job, then the rest: what the
    # Job needs must be in that phase, and nothing that starts API pods may be.
    phase = "deploy.genascope.org/phase"
    for d in docs:
        prepare = d["metadata"].get("labels", {}).get(phase) == "prepare"
        needed = d["kind"] in {"Namespace", "ServiceAccount", "ConfigMap", "NetworkPolicy", "Job"}
        if needed != prepare:
            problems.append(f"{name(d)}: label {phase}=prepare must be {'set' if needed else 'absent'}")

    for p in problems:
        print(f"deploy-check: {rendered_path}: {p}")
    return 1 if problems else 0


if __name__ == "__main__":
    try:
        sys.exit(main(*sys.argv[1:4]))
    except (KeyError, TypeError, ValueError, AttributeError) as e:
        # A manifest too malformed to inspect (the schema check names what is wrong with it).
        print(f"deploy-check: {sys.argv[1]}: cannot check the invariants: {type(e).__name__}: {e}")
        sys.exit(1)
