#!/usr/bin/env python3
"""Render a kustomization the way `kustomize build` does, for the subset of kustomize that k8s/ uses.

    python3 scripts/lib/render_kustomize.py k8s/overlays/prod > prod.yaml

Why: scripts/validate-k8s must run on a fresh Debian machine, where no current kustomize can be
installed (Debian 12's kubernetes-client is kubectl 1.20, whose kustomize v2 lacks `labels` and
`patches`; PyPI has no kustomize binary). This is NOT kustomize: it is a small equivalent of the part
of it that k8s/ uses, and it stops with an error on anything else, so that a kustomization it cannot
render faithfully is never validated in a wrong shape. Where `kubectl kustomize` or `kustomize` exists,
scripts/validate-k8s also renders with it and requires the same resources from both.

Supported, with kustomize's semantics:
  - `resources`: YAML files (several documents each) and folders holding a kustomization, built
    recursively, in order; two resources with the same kind, namespace and name are an error.
  - `namespace`: set on every namespaced resource; a Namespace object is renamed to it (as kustomize
    does). Cluster-scoped kinds are left alone.
  - `labels`: a list of `pairs`, added to every resource's metadata.labels only (kustomize's
    `includeSelectors: false`, `includeTemplates: false`, the defaults). Selectors and pod templates
    are written out in the resources themselves.
  - `images`: `name` with `newName`, `newTag` and/or `digest`, applied to every `containers` and
    `initContainers` entry whose image name (without tag or digest) equals `name`.
  - `patches`: strategic-merge patches, as a `path` to a file or an inline `patch`, each aimed at the
    one resource with the patch's apiVersion group, kind and metadata.name (kustomize's default when a
    patch has no `target`). Maps are merged deeply; `null` deletes a key; `$patch: delete` at the top
    removes the resource. Lists of named items are merged by their Kubernetes merge key (containers,
    initContainers, env, volumes and imagePullSecrets by `name`, volumeMounts by `mountPath`, a
    container's ports by `containerPort`, a Service's ports by `port`); every other list is replaced
    whole, as strategic merge does for lists without a merge key.

Transformers run in kustomize's order: resources (each sub-kustomization fully built), patches,
namespace, labels, images. Output is sorted in kustomize's legacy order (Namespace, ConfigMap, Secret,
Service, …, Deployment, StatefulSet, …; then by name).

Not supported (an error names the field): commonLabels, commonAnnotations, namePrefix/nameSuffix,
generators (configMapGenerator, secretGenerator), components, replicas, JSON 6902 patches, patch
`target` selectors, `$patch` directives other than a top-level delete, remote resources.
"""

from __future__ import annotations

import copy
import os
import sys
from typing import Any

import yaml

KUSTOMIZATION_FILES = ("kustomization.yaml", "kustomization.yml", "Kustomization")
SUPPORTED_FIELDS = {"apiVersion", "kind", "resources", "namespace", "labels", "images", "patches"}

# Kinds that have no namespace (the ones a kustomization is likely to hold).
CLUSTER_SCOPED = {
    "Namespace", "ClusterRole", "ClusterRoleBinding", "CustomResourceDefinition", "PersistentVolume",
    "StorageClass", "PriorityClass", "IngressClass", "RuntimeClass", "APIService", "CSIDriver",
    "ValidatingWebhookConfiguration", "MutatingWebhookConfiguration", "ValidatingAdmissionPolicy",
    "ValidatingAdmissionPolicyBinding", "Node",
}

# kustomize's legacy output order: these kinds first, in this order; then every other kind; then the
# webhook configurations.
ORDER_FIRST = [
    "Namespace", "ResourceQuota", "StorageClass", "CustomResourceDefinition", "ServiceAccount",
    "PodSecurityPolicy", "Role", "ClusterRole", "RoleBinding", "ClusterRoleBinding", "ConfigMap", "Secret",
    "Endpoints", "Service", "LimitRange", "PriorityClass", "PersistentVolume", "PersistentVolumeClaim",
    "Deployment", "StatefulSet", "CronJob", "PodDisruptionBudget",
]
ORDER_LAST = ["MutatingWebhookConfiguration", "ValidatingWebhookConfiguration"]

# Strategic-merge keys of the lists k8s/ might patch (from the Kubernetes API's patchMergeKey).
MERGE_KEYS = {
    "containers": "name",
    "initContainers": "name",
    "ephemeralContainers": "name",
    "env": "name",
    "volumes": "name",
    "imagePullSecrets": "name",
    "volumeMounts": "mountPath",
}


class RenderError(Exception):
    pass


def load_documents(path: str) -> list[dict]:
    with open(path, encoding="utf-8") as handle:
        try:
            documents = [doc for doc in yaml.safe_load_all(handle) if doc is not None]
        except yaml.YAMLError as error:
            raise RenderError(f"{path}: not valid YAML: {error}") from None
    for doc in documents:
        if not isinstance(doc, dict) or "kind" not in doc or "apiVersion" not in doc:
            raise RenderError(f"{path}: every document must be a Kubernetes object with apiVersion and kind")
        if not isinstance(doc.get("metadata"), dict) or not doc["metadata"].get("name"):
            raise RenderError(f"{path}: a {doc['kind']} has no metadata.name")
    return documents


def kustomization_file(directory: str) -> str:
    for name in KUSTOMIZATION_FILES:
        candidate = os.path.join(directory, name)
        if os.path.isfile(candidate):
            return candidate
    raise RenderError(f"{directory}: no kustomization.yaml")


def group_of(api_version: str) -> str:
    return api_version.split("/", 1)[0] if "/" in api_version else ""


def resource_id(resource: dict) -> tuple[str, str, str, str]:
    """(group, kind, namespace, name): what kustomize tells resources apart by."""
    metadata = resource["metadata"]
    return (group_of(resource["apiVersion"]), resource["kind"], metadata.get("namespace", ""), metadata["name"])


def describe(resource: dict) -> str:
    group, kind, namespace, name = resource_id(resource)
    return f"{kind}{'.' + group if group else ''} {namespace + '/' if namespace else ''}{name}"


def build(directory: str, seen: tuple[str, ...] = ()) -> list[dict]:
    """The resources of the kustomization in `directory`, with all its transformers applied."""
    directory = os.path.abspath(directory)
    if directory in seen:
        raise RenderError(f"{directory}: kustomizations include each other in a cycle")
    path = kustomization_file(directory)
    with open(path, encoding="utf-8") as handle:
        kustomization = yaml.safe_load(handle) or {}
    unsupported = sorted(set(kustomization) - SUPPORTED_FIELDS)
    if unsupported:
        raise RenderError(f"{path}: {', '.join(unsupported)} not supported by this subset renderer (see its docstring)")

    resources: list[dict] = []
    for entry in kustomization.get("resources") or []:
        if "://" in entry or entry.startswith("github.com/"):
            raise RenderError(f"{path}: remote resource {entry} not supported")
        target = os.path.normpath(os.path.join(directory, entry))
        if os.path.isdir(target):
            loaded = build(target, seen + (directory,))
        elif os.path.isfile(target):
            loaded = load_documents(target)
        else:
            raise RenderError(f"{path}: resource {entry} does not exist")
        for resource in loaded:
            if any(resource_id(resource) == resource_id(other) for other in resources):
                raise RenderError(f"{path}: {describe(resource)} is defined twice")
            resources.append(resource)

    for entry in kustomization.get("patches") or []:
        resources = apply_patch(resources, entry, directory, path)

    namespace = kustomization.get("namespace")
    if namespace:
        for resource in resources:
            if resource["kind"] == "Namespace":
                resource["metadata"]["name"] = namespace
            elif resource["kind"] not in CLUSTER_SCOPED:
                resource["metadata"]["namespace"] = namespace

    for entry in kustomization.get("labels") or []:
        extra = sorted(set(entry) - {"pairs", "includeSelectors", "includeTemplates"})
        if extra or entry.get("includeSelectors") or entry.get("includeTemplates"):
            raise RenderError(f"{path}: labels support only `pairs` (no selectors, no templates)")
        for resource in resources:
            labels = resource["metadata"].setdefault("labels", {}) or {}
            resource["metadata"]["labels"] = labels
            labels.update({str(key): str(value) for key, value in (entry.get("pairs") or {}).items()})

    for entry in kustomization.get("images") or []:
        extra = sorted(set(entry) - {"name", "newName", "newTag", "digest"})
        if extra:
            raise RenderError(f"{path}: images entry field {', '.join(extra)} not supported")
        for resource in resources:
            set_images(resource, entry)

    return resources


def apply_patch(resources: list[dict], entry: dict, directory: str, path: str) -> list[dict]:
    extra = sorted(set(entry) - {"path", "patch"})
    if extra:
        raise RenderError(f"{path}: patch field {', '.join(extra)} not supported (only path or patch, no target)")
    if "path" in entry:
        patch_path = os.path.join(directory, entry["path"])
        if not os.path.isfile(patch_path):
            raise RenderError(f"{path}: patch {entry['path']} does not exist")
        patches = load_documents(patch_path)
        origin = patch_path
    else:
        patches = [doc for doc in yaml.safe_load_all(entry["patch"]) if doc is not None]
        origin = f"{path} (inline patch)"
    for patch in patches:
        if not isinstance(patch, dict) or "kind" not in patch or not (patch.get("metadata") or {}).get("name"):
            raise RenderError(f"{origin}: a strategic-merge patch needs apiVersion, kind and metadata.name")
        want = (group_of(patch.get("apiVersion", "")), patch["kind"], patch["metadata"].get("namespace"),
                patch["metadata"]["name"])
        matches = [
            index for index, resource in enumerate(resources)
            if resource_id(resource)[:2] == want[:2] and resource_id(resource)[3] == want[3]
            and (want[2] is None or resource_id(resource)[2] == want[2])
        ]
        if len(matches) != 1:
            raise RenderError(f"{origin}: {len(matches)} resources match the patch of {patch['kind']} {want[3]}; need exactly one")
        index = matches[0]
        directive = patch.get("$patch")
        if directive == "delete":
            del resources[index]
            continue
        if directive is not None:
            raise RenderError(f"{origin}: $patch: {directive} not supported at the top of a patch")
        body = {key: value for key, value in patch.items() if key not in ("apiVersion", "kind")}
        resources[index] = merge(resources[index], body, [], origin)
    return resources


def merge(base: Any, patch: Any, path: list[str], origin: str) -> Any:
    """Strategic merge of `patch` into `base` (neither is modified)."""
    if isinstance(patch, dict):
        if "$patch" in patch or any(str(key).startswith("$") for key in patch):
            raise RenderError(f"{origin}: directive at {'.'.join(path) or 'top'} not supported")
        result = copy.deepcopy(base) if isinstance(base, dict) else {}
        for key, value in patch.items():
            if value is None:
                result.pop(key, None)
            elif key in result:
                result[key] = merge(result[key], value, path + [str(key)], origin)
            else:
                result[key] = strip_nulls(copy.deepcopy(value))
        return result
    if isinstance(patch, list):
        key = merge_key(path)
        if key is None or not isinstance(base, list):
            return strip_nulls(copy.deepcopy(patch))
        result = copy.deepcopy(base)
        for item in patch:
            if not isinstance(item, dict) or key not in item:
                raise RenderError(f"{origin}: an item of {'.'.join(path)} has no {key}")
            found = [i for i, existing in enumerate(result) if isinstance(existing, dict) and existing.get(key) == item[key]]
            if found:
                result[found[0]] = merge(result[found[0]], item, path + [f"[{key}={item[key]}]"], origin)
            else:
                result.append(strip_nulls(copy.deepcopy(item)))
        return result
    return copy.deepcopy(patch)


def merge_key(path: list[str]) -> str | None:
    field = path[-1] if path else ""
    if field == "ports":
        # A container's ports merge by containerPort; a Service's by port.
        inside_container = any(part in ("containers", "initContainers", "ephemeralContainers") for part in path)
        return "containerPort" if inside_container else "port"
    return MERGE_KEYS.get(field)


def strip_nulls(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: strip_nulls(item) for key, item in value.items() if item is not None}
    if isinstance(value, list):
        return [strip_nulls(item) for item in value]
    return value


def split_image(image: str) -> tuple[str, str, str]:
    """(name, tag, digest) of an image reference; a registry port is part of the name."""
    name, digest = (image.split("@", 1) + [""])[:2]
    tag = ""
    last = name.rsplit("/", 1)[-1]
    if ":" in last:
        name, tag = name.rsplit(":", 1)
    return name, tag, digest


def set_images(node: Any, entry: dict) -> None:
    if isinstance(node, dict):
        for key, value in node.items():
            if key in ("containers", "initContainers") and isinstance(value, list):
                for container in value:
                    if isinstance(container, dict) and isinstance(container.get("image"), str):
                        container["image"] = new_image(container["image"], entry)
            else:
                set_images(value, entry)
    elif isinstance(node, list):
        for item in node:
            set_images(item, entry)


def new_image(image: str, entry: dict) -> str:
    name, tag, digest = split_image(image)
    if name != entry.get("name"):
        return image
    name = entry.get("newName") or name
    if entry.get("digest"):
        return f"{name}@{entry['digest']}"
    if entry.get("newTag"):
        return f"{name}:{entry['newTag']}"
    return name + (f":{tag}" if tag else "") + (f"@{digest}" if digest else "")


def sort_key(resource: dict) -> tuple[int, str, str, str]:
    kind = resource["kind"]
    if kind in ORDER_FIRST:
        rank = ORDER_FIRST.index(kind)
    elif kind in ORDER_LAST:
        rank = len(ORDER_FIRST) + 1 + ORDER_LAST.index(kind)
    else:
        rank = len(ORDER_FIRST)
    _, _, namespace, name = resource_id(resource)
    return (rank, kind if rank == len(ORDER_FIRST) else "", namespace, name)


def render(directory: str) -> list[dict]:
    return sorted(build(directory), key=sort_key)


def main(argv: list[str]) -> int:
    if len(argv) != 2 or argv[1] in ("-h", "--help"):
        print(__doc__.split("\n\n")[1].strip(), file=sys.stderr)
        return 2
    try:
        resources = render(argv[1])
    except (RenderError, OSError) as error:
        print(f"render_kustomize: {error}", file=sys.stderr)
        return 1
    yaml.safe_dump_all(resources, sys.stdout, sort_keys=False, default_flow_style=False, width=120)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
