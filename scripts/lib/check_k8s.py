#!/usr/bin/env python3
"""Checks of the rendered k8s/ manifests that a JSON schema cannot make: how the resources fit together,
and how they fit the server and the Dockerfile. Used by scripts/validate-k8s.

    python3 scripts/lib/check_k8s.py --drain-seconds 30 --probe-paths OUT base=base.yaml dev=dev.yaml …

Each NAME=FILE is one rendered kustomization (`base` for k8s/base, the overlay's folder name otherwise).
Prints one line per problem and exits 1 if there is any; writes the probe paths it found, one a line, to
OUT (scripts/validate-k8s looks them up in openapi.yaml).
"""

from __future__ import annotations

import argparse
import re
import sys

import yaml

API = "musicforge-api"
CONTAINER = "musicforge"
CONFIG = "musicforge-config"
SECRET = "musicforge-secrets"
LIVE, READY = "/health/live", "/health/ready"
UID = 10001
WORKER_PEAK_MI = 64     # each `musicforge worker` peaks at about 64 MB
SERVER_MI = 256         # the server's own working set, with some headroom
LOG_LEVELS = {"trace", "debug", "info", "notice", "warning", "error", "critical"}
# The settings AppConfiguration reads (env["NAME"], env.integer("NAME", …), env.flag(…), env.httpURL(…)).
CONFIGURATION_SOURCE = "Sources/App/Configuration/AppConfiguration.swift"

problems: list[str] = []


def problem(where: str, message: str) -> None:
    problems.append(f"{where}: {message}")


def quantity_mi(value: str) -> float:
    """Memory quantity in MiB (the suffixes k8s/ uses)."""
    units = {"Ki": 1 / 1024, "Mi": 1, "Gi": 1024, "Ti": 1024 * 1024, "k": 1000 / 1048576, "M": 1e6 / 1048576, "G": 1e9 / 1048576}
    match = re.fullmatch(r"([0-9.]+)([A-Za-z]*)", str(value))
    if not match or (match.group(2) and match.group(2) not in units):
        raise ValueError(f"unreadable memory quantity {value!r}")
    return float(match.group(1)) * (units[match.group(2)] if match.group(2) else 1 / 1048576)


def known_settings() -> set[str]:
    with open(CONFIGURATION_SOURCE, encoding="utf-8") as handle:
        source = handle.read()
    names = set(re.findall(r'env(?:\.\w+)?\[?\(?\s*"([A-Z][A-Z0-9_]+)"', source))
    if not {"DATABASE_URL", "REDIS_URL", "ANALYSIS_WORKERS"} <= names:
        raise SystemExit(f"check_k8s: could not read the settings from {CONFIGURATION_SOURCE}; update check_k8s.py")
    return names


def find(resources: list[dict], kind: str, name: str) -> dict | None:
    return next((r for r in resources if r["kind"] == kind and r["metadata"]["name"] == name), None)


def selects(selector: dict | None, labels: dict) -> bool:
    match = (selector or {}).get("matchLabels", selector or {})
    return bool(match) and all(labels.get(k) == v for k, v in match.items())


def pod_templates(resources: list[dict]):
    for r in resources:
        if r["kind"] in ("Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job"):
            yield r, r["spec"]["template"]


def prestop_seconds(container: dict) -> int:
    pre = ((container.get("lifecycle") or {}).get("preStop")) or {}
    if "sleep" in pre:
        return int(pre["sleep"]["seconds"])
    command = (pre.get("exec") or {}).get("command") or []
    if len(command) == 2 and command[0].endswith("/sleep"):
        return int(command[1])
    return 0


def check_restricted(where: str, workload: dict, template: dict) -> None:
    """The "restricted" Pod Security Standard, which the namespaces enforce."""
    spec = template["spec"]
    pod_sc = spec.get("securityContext") or {}
    for flag in ("hostNetwork", "hostPID", "hostIPC"):
        if spec.get(flag):
            problem(where, f"{workload['kind']} {workload['metadata']['name']} sets {flag}")
    for volume in spec.get("volumes") or []:
        if "hostPath" in volume:
            problem(where, f"{workload['kind']} {workload['metadata']['name']} mounts a hostPath")
    for container in (spec.get("initContainers") or []) + spec["containers"]:
        sc = container.get("securityContext") or {}
        label = f"{workload['kind']} {workload['metadata']['name']} container {container['name']}"
        if not (sc.get("runAsNonRoot", pod_sc.get("runAsNonRoot")) is True):
            problem(where, f"{label}: runAsNonRoot must be true")
        if sc.get("runAsUser", pod_sc.get("runAsUser")) == 0:
            problem(where, f"{label}: runs as uid 0")
        seccomp = (sc.get("seccompProfile") or pod_sc.get("seccompProfile") or {}).get("type")
        if seccomp not in ("RuntimeDefault", "Localhost"):
            problem(where, f"{label}: seccompProfile must be RuntimeDefault")
        if sc.get("allowPrivilegeEscalation") is not False:
            problem(where, f"{label}: allowPrivilegeEscalation must be false")
        if sc.get("privileged"):
            problem(where, f"{label}: privileged")
        capabilities = sc.get("capabilities") or {}
        if "ALL" not in (capabilities.get("drop") or []):
            problem(where, f"{label}: capabilities must drop ALL")
        if set(capabilities.get("add") or []) - {"NET_BIND_SERVICE"}:
            problem(where, f"{label}: adds capabilities")


def check_render(name: str, resources: list[dict], drain: int, settings: set[str], probe_paths: set[str]) -> None:
    where = "k8s/base" if name == "base" else f"k8s/overlays/{name}"

    # Every namespaced resource of an overlay lands in the overlay's namespace.
    if name != "base":
        namespaces = {r["metadata"].get("namespace") for r in resources if r["kind"] != "Namespace"}
        if len(namespaces) != 1 or None in namespaces:
            problem(where, f"resources must share one namespace, found {sorted(map(str, namespaces))}")
        declared = [r["metadata"]["name"] for r in resources if r["kind"] == "Namespace"]
        if declared and declared != [next(iter(namespaces))]:
            problem(where, f"Namespace object {declared} differs from the resources' namespace")

    deployment = find(resources, "Deployment", API)
    config = find(resources, "ConfigMap", CONFIG)
    if deployment is None or config is None:
        problem(where, f"needs Deployment {API} and ConfigMap {CONFIG}")
        return
    data = config.get("data") or {}

    # Configuration: only settings the server reads, with values it accepts.
    for source in [config] + [r for r in resources if r["kind"] == "Secret" and r["metadata"]["name"] == SECRET]:
        keys = set(source.get("data") or {}) | set(source.get("stringData") or {})
        for key in sorted(keys - settings):
            problem(where, f"{source['kind']} {source['metadata']['name']}: {key} is not a setting the server reads")
    if data.get("LOG_LEVEL", "info").lower() not in LOG_LEVELS:
        problem(where, f"LOG_LEVEL {data['LOG_LEVEL']!r} is not one of {sorted(LOG_LEVELS)}")
    if data.get("RATE_LIMIT_FAILURE", "local") not in ("local", "closed"):
        problem(where, "RATE_LIMIT_FAILURE must be local or closed")
    if data.get("HOST") != "0.0.0.0":
        problem(where, "HOST must be 0.0.0.0 in a pod (the server's default, 127.0.0.1, takes no traffic)")
    workers = str(data.get("ANALYSIS_WORKERS", ""))
    if not workers.isdigit() or not 1 <= int(workers) <= 256:
        problem(where, "ANALYSIS_WORKERS must be set to a whole number from 1 to 256 (the default follows the node's cores)")
        workers = "1"

    # Placeholder secrets stay in the base: an overlay that is applied must not carry them.
    if name != "base":
        for secret in (r for r in resources if r["kind"] == "Secret"):
            if "CHANGE-ME" in yaml.safe_dump(secret):
                problem(where, f"Secret {secret['metadata']['name']} still holds the base's CHANGE-ME placeholders")

    spec = deployment["spec"]
    template = spec["template"]
    pod = template["spec"]
    if not selects(spec["selector"], template["metadata"].get("labels") or {}):
        problem(where, "the Deployment's selector does not match its pod template")
    containers = [c for c in pod["containers"] if c["name"] == CONTAINER]
    if len(containers) != 1:
        problem(where, f"the Deployment needs one container named {CONTAINER}")
        return
    container = containers[0]

    # The port: named http, the one PORT says, the one the probes, the Service and the policy use.
    ports = {p.get("name"): p for p in container.get("ports") or []}
    if "http" not in ports:
        problem(where, "the container needs a port named http")
        return
    port = ports["http"]["containerPort"]
    if str(port) != str(data.get("PORT")):
        problem(where, f"containerPort {port} differs from PORT {data.get('PORT')!r}")

    # Probes: liveness on /health/live, readiness on /health/ready, both on the http port.
    expected = {"livenessProbe": LIVE, "readinessProbe": READY, "startupProbe": LIVE}
    for probe_name, path in expected.items():
        probe = container.get(probe_name)
        if probe is None:
            if probe_name != "startupProbe":
                problem(where, f"the container has no {probe_name}")
            continue
        get = probe.get("httpGet") or {}
        if get.get("path") != path:
            problem(where, f"{probe_name} must GET {path}, not {get.get('path')!r}")
        if get.get("port") not in ("http", port):
            problem(where, f"{probe_name} must use the http port, not {get.get('port')!r}")
        if get.get("path"):
            probe_paths.add(get["path"])

    # Shutdown: the grace period covers the preStop pause and the server's whole drain.
    pause = prestop_seconds(container)
    if pause <= 0:
        problem(where, "the container needs a preStop pause (sleep) so endpoints drop the pod before SIGTERM")
    grace = pod.get("terminationGracePeriodSeconds", 30)
    if not grace > drain + pause:
        problem(where, f"terminationGracePeriodSeconds {grace} must exceed the {drain} s drain plus the {pause} s preStop pause")

    # Security: the Dockerfile's uid, a read-only root with a writable /tmp.
    sc = container.get("securityContext") or {}
    pod_sc = pod.get("securityContext") or {}
    if sc.get("runAsUser", pod_sc.get("runAsUser")) != UID:
        problem(where, f"the container must run as uid {UID} (the Dockerfile's user)")
    if sc.get("readOnlyRootFilesystem") is not True:
        problem(where, "readOnlyRootFilesystem must be true")
    mounts = {m["mountPath"]: m["name"] for m in container.get("volumeMounts") or []}
    volumes = {v["name"]: v for v in pod.get("volumes") or []}
    if "/tmp" not in mounts or "emptyDir" not in volumes.get(mounts["/tmp"], {}):
        problem(where, "/tmp must be an emptyDir (the root filesystem is read-only)")
    for workload, tmpl in pod_templates(resources):
        check_restricted(where, workload, tmpl)

    # Resources: requests and limits set, and memory for the server plus every worker's peak.
    resources_spec = container.get("resources") or {}
    for part in ("requests", "limits"):
        for resource in ("cpu", "memory"):
            if resource not in (resources_spec.get(part) or {}):
                problem(where, f"the container needs resources.{part}.{resource}")
    try:
        limit = quantity_mi((resources_spec.get("limits") or {}).get("memory", "0"))
        need = SERVER_MI + WORKER_PEAK_MI * int(workers)
        if limit < need:
            problem(where, f"memory limit {limit:.0f}Mi is below {need}Mi (server {SERVER_MI}Mi + {workers} workers × {WORKER_PEAK_MI}Mi)")
    except ValueError as error:
        problem(where, str(error))

    # References: envFrom and secretKeyRef name what the render holds; musicforge-secrets may come
    # from a secret manager instead (the prod overlay).
    for source in container.get("envFrom") or []:
        if "configMapRef" in source and not find(resources, "ConfigMap", source["configMapRef"]["name"]):
            problem(where, f"envFrom names ConfigMap {source['configMapRef']['name']}, which is not rendered")
        if "secretRef" in source and source["secretRef"]["name"] != SECRET and not find(resources, "Secret", source["secretRef"]["name"]):
            problem(where, f"envFrom names Secret {source['secretRef']['name']}, which is not rendered")
    for workload, tmpl in pod_templates(resources):
        for c in tmpl["spec"]["containers"]:
            for env in c.get("env") or []:
                ref = ((env.get("valueFrom") or {}).get("secretKeyRef")) or {}
                if ref:
                    secret = find(resources, "Secret", ref["name"])
                    keys = set((secret or {}).get("stringData") or {}) | set((secret or {}).get("data") or {})
                    if ref["key"] not in keys:
                        problem(where, f"{workload['metadata']['name']}: secretKeyRef {ref['name']}/{ref['key']} is not rendered")
        if workload["kind"] == "StatefulSet":
            service = find(resources, "Service", workload["spec"].get("serviceName", ""))
            if service is None:
                problem(where, f"StatefulSet {workload['metadata']['name']} names a Service that is not rendered")
            if not selects(workload["spec"]["selector"], tmpl["metadata"].get("labels") or {}):
                problem(where, f"StatefulSet {workload['metadata']['name']}: selector does not match its template")

    pod_labels = template["metadata"].get("labels") or {}
    service = find(resources, "Service", API)
    if service is None or not selects(service["spec"].get("selector"), pod_labels):
        problem(where, f"Service {API} must select the API pods")
    elif not any(p.get("targetPort") in ("http", port) for p in service["spec"]["ports"]):
        problem(where, f"Service {API} must target the http port")
    for service in (r for r in resources if r["kind"] == "Service"):
        if not any(selects(service["spec"].get("selector"), t["metadata"].get("labels") or {}) for _, t in pod_templates(resources)):
            problem(where, f"Service {service['metadata']['name']} selects no pods of this render")

    hpa = find(resources, "HorizontalPodAutoscaler", API)
    if hpa is None:
        problem(where, "no HorizontalPodAutoscaler")
    else:
        target = hpa["spec"]["scaleTargetRef"]
        if (target["kind"], target["name"]) != ("Deployment", API):
            problem(where, f"the HPA must scale Deployment {API}")
        if not hpa["spec"].get("minReplicas", 1) <= hpa["spec"]["maxReplicas"]:
            problem(where, "the HPA's minReplicas exceeds maxReplicas")
        if spec.get("replicas", 1) < hpa["spec"].get("minReplicas", 1):
            problem(where, "the Deployment starts with fewer replicas than the HPA's minimum")

    pdb = find(resources, "PodDisruptionBudget", API)
    if pdb is None or not selects(pdb["spec"].get("selector"), pod_labels):
        problem(where, "the PodDisruptionBudget must select the API pods")
    else:
        min_available = pdb["spec"].get("minAvailable", 0)
        smallest = min(spec.get("replicas", 1), (hpa or {}).get("spec", {}).get("minReplicas", 1))
        if isinstance(min_available, int) and min_available and smallest <= min_available:
            problem(where, "minAvailable leaves no pod evictable at the minimum scale: node drains would block")

    policy = find(resources, "NetworkPolicy", API)
    if policy is None or not selects(policy["spec"].get("podSelector"), pod_labels):
        problem(where, "the NetworkPolicy must select the API pods")
    else:
        ingress = {p.get("port") for rule in policy["spec"].get("ingress") or [] for p in rule.get("ports") or []}
        if ingress != {port} and ingress != {"http"}:
            problem(where, f"the NetworkPolicy must admit port {port} only, not {sorted(map(str, ingress))}")
        egress = {(p.get("protocol", "TCP"), p.get("port")) for rule in policy["spec"].get("egress") or [] for p in rule.get("ports") or []}
        for needed in [("UDP", 53), ("TCP", 53), ("TCP", 5432), ("TCP", 6379), ("TCP", 443)]:
            if needed not in egress:
                problem(where, f"the NetworkPolicy must allow egress to {needed[1]}/{needed[0]}")

    # Production runs a pinned image.
    if name == "prod":
        image = container["image"]
        tag = image.rsplit("/", 1)[-1].partition(":")[2]
        if "@sha256:" not in image and (not tag or tag in ("latest", "dev", "main")):
            problem(where, f"the image must be pinned to a release tag or a digest, not {image!r}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--drain-seconds", type=int, required=True)
    parser.add_argument("--probe-paths", required=True)
    parser.add_argument("renders", nargs="+", metavar="NAME=FILE")
    args = parser.parse_args()
    settings = known_settings()
    probe_paths: set[str] = set()
    for item in args.renders:
        name, _, path = item.partition("=")
        with open(path, encoding="utf-8") as handle:
            resources = [r for r in yaml.safe_load_all(handle) if r]
        check_render(name, resources, args.drain_seconds, settings, probe_paths)
    with open(args.probe_paths, "w", encoding="utf-8") as handle:
        handle.writelines(f"{path}\n" for path in sorted(probe_paths))
    for line in problems:
        print(line)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
