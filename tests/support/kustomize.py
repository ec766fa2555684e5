"""Render a kustomization: `kubectl kustomize` where installed, else a small renderer of the fields we use.

The renderer reads exactly the kustomization fields deploy/kubernetes and deploy/postgres use (resources,
namespace, labels, images, JSON 6902 patches, ConfigMap and Secret generators) and refuses any other, so a
new field in a kustomization fails loudly here rather than being skipped. Where kubectl exists the tests
also check that both give the same manifests.
"""

from __future__ import annotations

import base64
import copy
import shutil
import subprocess
from pathlib import Path
from typing import Any

import yaml

KNOWN_FIELDS = {
    "apiVersion",
    "kind",
    "resources",
    "namespace",
    "labels",
    "images",
    "patches",
    "generatorOptions",
    "configMapGenerator",
    "secretGenerator",
}
CLUSTER_SCOPED = {"Namespace", "PersistentVolume", "StorageClass", "ClusterRole", "ClusterRoleBinding"}
TEMPLATED = {"Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job"}
Manifest = dict[str, Any]


def kubectl() -> str | None:
    return shutil.which("kubectl")


def render_with_kubectl(directory: Path) -> list[Manifest]:
    tool = kubectl()
    assert tool is not None
    result = subprocess.run([tool, "kustomize", str(directory)], capture_output=True, text=True, timeout=120)
    if result.returncode != 0:
        raise AssertionError(f"kubectl kustomize {directory} failed:\n{result.stderr}")
    return [doc for doc in yaml.safe_load_all(result.stdout) if doc]


def render(directory: Path) -> list[Manifest]:
    """kubectl's rendering where kubectl is installed, this module's otherwise."""
    return render_with_kubectl(directory) if kubectl() else build(directory)


def build(directory: Path) -> list[Manifest]:
    kustomization = yaml.safe_load((directory / "kustomization.yaml").read_text())
    unknown = set(kustomization) - KNOWN_FIELDS
    if unknown:
        raise ValueError(f"{directory}/kustomization.yaml uses {sorted(unknown)}, which this renderer does not read")
    manifests: list[Manifest] = []
    for entry in kustomization.get("resources", []):
        path = (directory / entry).resolve()
        if path.is_dir():
            manifests.extend(build(path))
        else:
            manifests.extend(doc for doc in yaml.safe_load_all(path.read_text()) if doc)
    manifests.extend(_generated(directory, kustomization))
    for patch in kustomization.get("patches", []):
        operations = yaml.safe_load(patch["patch"])
        for manifest in manifests:
            if _matches(manifest, patch.get("target", {})):
                for operation in operations:
                    _apply(manifest, operation)
    namespace = kustomization.get("namespace")
    for manifest in manifests:
        if namespace and manifest["kind"] not in CLUSTER_SCOPED:
            manifest["metadata"]["namespace"] = namespace
        for group in kustomization.get("labels", []):
            _add_labels(manifest, group)
        for image in kustomization.get("images", []):
            _set_image(manifest, image)
    return manifests


def _generated(directory: Path, kustomization: Manifest) -> list[Manifest]:
    if not kustomization.get("generatorOptions", {}).get("disableNameSuffixHash"):
        if kustomization.get("configMapGenerator") or kustomization.get("secretGenerator"):
            raise ValueError(f"{directory}: generated names carry a hash here only with disableNameSuffixHash")
    made = []
    for kind, key in (("ConfigMap", "configMapGenerator"), ("Secret", "secretGenerator")):
        for spec in kustomization.get(key, []):
            data: dict[str, str] = {}
            for literal in spec.get("literals", []):
                name, _, value = literal.partition("=")
                data[name] = value
            for file_entry in spec.get("files", []):
                name, _, source = file_entry.rpartition("=")
                source_path = directory / (source or file_entry)
                data[name or source_path.name] = source_path.read_text()
            manifest: Manifest = {"apiVersion": "v1", "kind": kind, "metadata": {"name": spec["name"]}}
            if spec.get("namespace"):
                manifest["metadata"]["namespace"] = spec["namespace"]
            if kind == "Secret":
                manifest["type"] = "Opaque"
                manifest["data"] = {k: base64.b64encode(v.encode()).decode() for k, v in data.items()}
            else:
                manifest["data"] = data
            made.append(manifest)
    return made


def _matches(manifest: Manifest, target: Manifest) -> bool:
    if "kind" in target and manifest["kind"] != target["kind"]:
        return False
    if "name" in target and manifest["metadata"]["name"] != target["name"]:
        return False
    labels = manifest["metadata"].get("labels", {})
    for requirement in filter(None, target.get("labelSelector", "").split(",")):
        key, _, value = requirement.partition("=")
        if labels.get(key.strip()) != value.strip():
            return False
    return True


def _apply(document: Manifest, operation: Manifest) -> None:
    """One JSON 6902 operation (add, replace, remove) on a JSON pointer path."""
    *parents, last = [part.replace("~1", "/").replace("~0", "~") for part in operation["path"].split("/")[1:]]
    node: Any = document
    for part in parents:
        node = node[int(part)] if isinstance(node, list) else node[part]
    op = operation["op"]
    if isinstance(node, list):
        index = len(node) if last == "-" else int(last)
        if op == "add":
            node.insert(index, copy.deepcopy(operation["value"]))
        elif op == "replace":
            node[index] = copy.deepcopy(operation["value"])
        elif op == "remove":
            del node[index]
        else:
            raise ValueError(f"unsupported patch operation {op!r}")
    elif op in {"add", "replace"}:
        if op == "replace" and last not in node:
            raise ValueError(f"cannot replace missing {operation['path']}")
        node[last] = copy.deepcopy(operation["value"])
    elif op == "remove":
        del node[last]
    else:
        raise ValueError(f"unsupported patch operation {op!r}")


def _add_labels(manifest: Manifest, group: Manifest) -> None:
    if group.get("includeSelectors"):
        raise ValueError("labels with includeSelectors are not read by this renderer")
    manifest["metadata"].setdefault("labels", {}).update(group["pairs"])
    if group.get("includeTemplates") and manifest["kind"] in TEMPLATED:
        template = manifest["spec"]["template"].setdefault("metadata", {})
        template.setdefault("labels", {}).update(group["pairs"])


def _set_image(node: Any, image: Manifest) -> None:
    if isinstance(node, list):
        for item in node:
            _set_image(item, image)
        return
    if not isinstance(node, dict):
        return
    for key, value in node.items():
        if key in {"containers", "initContainers"} and isinstance(value, list):
            for container in value:
                name = container.get("image", "").split("@")[0].rpartition(":")[0] or container.get("image", "")
                if name == image["name"]:
                    tag = image.get("newTag") or container["image"].partition(":")[2] or "latest"
                    container["image"] = f"{image.get('newName', image['name'])}:{tag}"
        else:
            _set_image(value, image)
