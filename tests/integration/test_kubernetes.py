"""deploy/kubernetes renders to valid Kubernetes 1.31 manifests that run what the Procfile runs, and no more."""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema
import kubernetes_validate
import pytest

from services.console.settings import CONSOLE_PORT, load_console_settings
from shared.config import load_settings
from shared.registry import DEFAULT_PORTS, SERVICE_NAMES
from tests.support.kustomize import Manifest, build, kubectl, render, render_with_kubectl
from tests.support.launches import Launch, classify, procfile_launches

ROOT = Path(__file__).resolve().parents[2]
KUBERNETES = ROOT / "deploy" / "kubernetes"
OVERLAYS = sorted(path.name for path in (KUBERNETES / "overlays").iterdir() if path.is_dir())
KUBERNETES_VERSION = "1.31.0"
KEDA_SCHEMAS = json.loads((ROOT / "tests" / "support" / "schemas" / "keda.sh-v1alpha1.json").read_text())
GUNICORN_CONF = ROOT / "deploy" / "gunicorn.conf.py"
WORKLOADS = {"Deployment", "StatefulSet", "Job"}


@pytest.fixture(scope="module", params=OVERLAYS)
def rendered(request: pytest.FixtureRequest) -> tuple[str, list[Manifest]]:
    return request.param, render(KUBERNETES / "overlays" / request.param)


def _named(manifests: list[Manifest], kind: str) -> dict[str, Manifest]:
    return {m["metadata"]["name"]: m for m in manifests if m["kind"] == kind}


def _pod_specs(manifests: list[Manifest]) -> Iterator[tuple[Manifest, dict[str, Any]]]:
    for manifest in manifests:
        if manifest["kind"] in WORKLOADS:
            yield manifest, manifest["spec"]["template"]["spec"]


def _cerdas_containers(manifests: list[Manifest]) -> Iterator[tuple[Manifest, dict[str, Any], dict[str, Any]]]:
    """Containers running the Cerdas image (whatever registry and tag an overlay gives it)."""
    for manifest, pod in _pod_specs(manifests):
        for container in pod["containers"]:
            if re.search(r"(^|/)cerdas(:[^/]+)?$", container["image"]):
                yield manifest, pod, container


def _launch(manifest: Manifest, container: dict[str, Any]) -> Launch:
    return classify(f"kubernetes {manifest['kind']}", manifest["metadata"]["name"], tuple(container["command"]))


def test_overlays_exist():
    assert {"embedded-dev", "production"} <= set(OVERLAYS)


def test_every_manifest_validates_against_kubernetes_1_31(rendered):
    overlay, manifests = rendered
    errors = []
    for manifest in manifests:
        name = f"{overlay}: {manifest['kind']}/{manifest['metadata']['name']}"
        if manifest["apiVersion"].startswith("keda.sh/"):
            schema = {**KEDA_SCHEMAS[manifest["kind"]], "$defs": KEDA_SCHEMAS["$defs"]}
            for error in jsonschema.Draft202012Validator(schema).iter_errors(manifest):
                errors.append(f"{name}: {'.'.join(map(str, error.path))}: {error.message}")
            continue
        try:
            kubernetes_validate.validate(manifest, KUBERNETES_VERSION, strict=True)
        except kubernetes_validate.ValidationError as error:
            errors.append(f"{name}: {'.'.join(map(str, error.path))}: {error.message}")
        except kubernetes_validate.SchemaNotFoundError as error:
            errors.append(f"{name}: {error.message}")
    assert not errors, "\n".join(errors)


@pytest.mark.skipif(kubectl() is None, reason="kubectl is not installed; the tests render with tests/support/kustomize")
@pytest.mark.parametrize("overlay", OVERLAYS)
def test_the_test_renderer_agrees_with_kubectl(overlay):
    def normalised(manifests: list[Manifest]) -> dict[tuple[str, str], Manifest]:
        out = {}
        for manifest in manifests:
            if manifest["kind"] == "Secret":  # kubectl wraps base64 lines
                manifest = {**manifest, "data": {k: base64.b64decode(v) for k, v in manifest["data"].items()}}
            out[(manifest["kind"], manifest["metadata"]["name"])] = manifest
        return out

    directory = KUBERNETES / "overlays" / overlay
    ours, theirs = normalised(build(directory)), normalised(render_with_kubectl(directory))
    assert sorted(ours) == sorted(theirs)
    for key, manifest in ours.items():
        assert manifest == theirs[key], key


def test_every_container_runs_a_command_the_procfile_runs(rendered):
    overlay, manifests = rendered
    procfile = {(launch.kind, launch.module): launch for launch in procfile_launches()}
    seen = set()
    for manifest, _, container in _cerdas_containers(manifests):
        launch = _launch(manifest, container)
        if launch.kind == "cerdas":
            assert launch.words == ("migrate",), f"{overlay}: {manifest['metadata']['name']} runs cerdas {launch.words}"
            assert manifest["kind"] == "Job"
            continue
        match = procfile.get((launch.kind, launch.module))
        assert match, f"{overlay}: {manifest['metadata']['name']} runs {launch.argv}, which the Procfile does not"
        seen.add((launch.kind, launch.module))
        if launch.kind == "gunicorn":
            assert (launch.factory, launch.config) == (match.factory, match.config)
        if launch.kind == "worker":
            assert (launch.queue, launch.node.split("@")[0]) == (match.queue, match.node.split("@")[0])
            assert launch.argv[launch.argv.index("-c") + 1] == match.argv[match.argv.index("-c") + 1]
    expected = {key for key in procfile if key[0] in {"gunicorn", "worker", "beat"}}
    assert seen == expected, f"{overlay}: no pod runs {sorted(expected - seen)}"


def _settings_read() -> set[str]:
    """Every CERDAS_* name load_settings looks up (NAME and NAME_FILE), and those gunicorn.conf.py reads."""

    class Recording(dict):
        def __init__(self, names: set[str]) -> None:
            super().__init__()
            self.names = names

        def get(self, key: str, default: Any = None) -> Any:
            self.names.add(key)
            return default

        def __contains__(self, key: object) -> bool:
            self.names.add(str(key))
            return False

    names: set[str] = set()
    load_settings(Recording(names))
    load_console_settings(Recording(names))
    names |= set(re.findall(r"\"(CERDAS_[A-Z_]+)\"", GUNICORN_CONF.read_text()))
    return {name for name in names if name.startswith("CERDAS_")}


def test_every_setting_a_container_reads_exists(rendered):
    overlay, manifests = rendered
    known = _settings_read()
    assert "CERDAS_JWT_SECRET_FILE" in known and "CERDAS_WEB_CONCURRENCY" in known
    config_maps = _named(manifests, "ConfigMap")
    for manifest, _, container in _cerdas_containers(manifests):
        names = {env["name"] for env in container.get("env", [])}
        for source in container.get("envFrom", []):
            names |= set(config_maps[source["configMapRef"]["name"]]["data"])
        unknown = sorted(name for name in names if name.startswith("CERDAS_") and name not in known)
        assert not unknown, f"{overlay}: {manifest['metadata']['name']} sets {unknown}, which no Cerdas code reads"


def test_secret_files_are_mounted_from_the_keys_they_name(rendered):
    overlay, manifests = rendered
    secret_keys: set[str] = set()
    for manifest, pod, container in _cerdas_containers(manifests):
        mounts = {mount["name"]: mount["mountPath"] for mount in container.get("volumeMounts", [])}
        files = {}
        for volume in pod.get("volumes", []):
            if "secret" in volume and volume["name"] in mounts:
                for item in volume["secret"]["items"]:
                    files[f"{mounts[volume['name']]}/{item['path']}"] = item["key"]
                    secret_keys.add(item["key"])
        for env in container.get("env", []):
            if env["name"].endswith("_FILE"):
                assert env["value"] in files, (
                    f"{overlay}: {manifest['metadata']['name']}: {env['value']} is not mounted"
                )
            else:
                assert "value" not in env or not re.search(r"://[^/@]*:[^/@]+@", env["value"]), "a password inline"
    for trigger_auth in _named(manifests, "TriggerAuthentication").values():
        secret_keys |= {ref["key"] for ref in trigger_auth["spec"]["secretTargetRef"]}
    secrets = _named(manifests, "Secret")
    if overlay == "embedded-dev":
        missing = secret_keys - set(secrets["cerdas-secrets"]["data"])
        assert not missing, f"the development Secret lacks {sorted(missing)}"
    else:
        assert not secrets, "production takes its Secret from the cluster, never from the repository"
        documented = (KUBERNETES / "overlays" / overlay / "kustomization.yaml").read_text()
        assert all(key in documented for key in secret_keys), "the overlay lists every key the Secret must hold"


def test_pods_run_as_non_root_with_requests_and_limits(rendered):
    overlay, manifests = rendered
    for manifest, pod in _pod_specs(manifests):
        name = f"{overlay}: {manifest['metadata']['name']}"
        context = pod.get("securityContext", {})
        assert context.get("runAsNonRoot") is True and context.get("runAsUser", 0) > 0, name
        assert context.get("seccompProfile", {}).get("type") == "RuntimeDefault", name
        assert pod.get("automountServiceAccountToken") is False, name
        for container in pod["containers"]:
            security = container.get("securityContext", {})
            assert security.get("allowPrivilegeEscalation") is False, name
            assert security.get("capabilities", {}).get("drop") == ["ALL"], name
            resources = container.get("resources", {})
            assert resources.get("requests", {}).get("cpu") and resources["requests"].get("memory"), name
            assert resources.get("limits", {}).get("memory"), name
    for _, _, container in _cerdas_containers(manifests):
        assert container["securityContext"].get("readOnlyRootFilesystem") is True
        assert "/tmp" in {mount["mountPath"] for mount in container["volumeMounts"]}


def test_each_api_has_service_probes_autoscaler_budget_and_policy(rendered):
    overlay, manifests = rendered
    services = _named(manifests, "Service")
    hpas, pdbs = _named(manifests, "HorizontalPodAutoscaler"), _named(manifests, "PodDisruptionBudget")
    policies = list(_named(manifests, "NetworkPolicy").values())
    web = [(m, c) for m, _, c in _cerdas_containers(manifests) if _launch(m, c).kind == "gunicorn"]
    assert {m["metadata"]["name"] for m, _ in web} == {*SERVICE_NAMES, "console"}
    for deployment, container in web:
        name, launch = deployment["metadata"]["name"], _launch(deployment, container)
        port = DEFAULT_PORTS.get(name, CONSOLE_PORT if name == "console" else None)
        assert launch.bind == f"0.0.0.0:{port}", f"{name} listens on its registered port"
        assert launch.argv[launch.argv.index("--control-socket") + 1].startswith("/tmp/"), name
        assert container["ports"][0]["containerPort"] == port
        assert container["livenessProbe"]["httpGet"]["path"] == "/health"
        assert container["readinessProbe"]["httpGet"]["path"] == "/ready"
        assert "replicas" not in deployment["spec"], f"{name}: the autoscaler owns the replica count"
        labels = deployment["spec"]["template"]["metadata"]["labels"]
        service = services[name]
        assert service["spec"]["ports"][0]["port"] == port
        assert all(labels.get(k) == v for k, v in service["spec"]["selector"].items())
        assert hpas[name]["spec"]["scaleTargetRef"]["name"] == name
        assert hpas[name]["spec"]["metrics"][0]["resource"]["name"] == "cpu"
        assert pdbs[name]["spec"]["selector"]["matchLabels"].items() <= labels.items()
        admitting = [
            p
            for p in policies
            if "Ingress" in p["spec"]["policyTypes"]
            and p["spec"]["podSelector"].get("matchLabels", {}).items() <= labels.items()
            and p["spec"]["podSelector"].get("matchLabels")
            and any(port_rule["port"] == port for rule in p["spec"]["ingress"] for port_rule in rule["ports"])
        ]
        assert admitting, f"{overlay}: no NetworkPolicy lets anything reach {name}:{port}"


def test_each_worker_scales_on_its_queue_with_keda(rendered):
    overlay, manifests = rendered
    scaled = {so["spec"]["scaleTargetRef"]["name"]: so for so in _named(manifests, "ScaledObject").values()}
    auths, pdbs = _named(manifests, "TriggerAuthentication"), _named(manifests, "PodDisruptionBudget")
    workers = [(m, _launch(m, c)) for m, _, c in _cerdas_containers(manifests) if _launch(m, c).kind == "worker"]
    assert {launch.queue for _, launch in workers} == set(SERVICE_NAMES)
    for deployment, launch in workers:
        name = deployment["metadata"]["name"]
        assert "replicas" not in deployment["spec"], f"{name}: KEDA owns the replica count"
        trigger = scaled[name]["spec"]["triggers"][0]
        # Celery's Redis transport keeps a queue's messages in the Redis list named after the queue.
        assert trigger["type"] == "redis" and trigger["metadata"]["listName"] == launch.queue
        assert int(trigger["metadata"]["listLength"]) > 0
        assert trigger["authenticationRef"]["name"] in auths
        assert 1 <= scaled[name]["spec"]["minReplicaCount"] <= scaled[name]["spec"]["maxReplicaCount"]
        assert name in pdbs


def test_one_beat_replaced_not_rolled(rendered):
    overlay, manifests = rendered
    beats = [(m, _launch(m, c)) for m, _, c in _cerdas_containers(manifests) if _launch(m, c).kind == "beat"]
    assert len(beats) == 1
    deployment, _ = beats[0]
    assert deployment["spec"]["replicas"] == 1
    assert deployment["spec"]["strategy"] == {"type": "Recreate"}
    assert deployment["metadata"]["name"] not in {
        so["spec"]["scaleTargetRef"]["name"] for so in _named(manifests, "ScaledObject").values()
    }


def test_nothing_talks_unless_allowed(rendered):
    overlay, manifests = rendered
    policies = _named(manifests, "NetworkPolicy")
    deny = policies["default-deny"]["spec"]
    assert deny["podSelector"] == {} and set(deny["policyTypes"]) == {"Ingress", "Egress"}
    assert "ingress" not in deny and "egress" not in deny
    namespace = _named(manifests, "Namespace")["cerdas"]
    assert namespace["metadata"]["labels"]["pod-security.kubernetes.io/enforce"] == "restricted"


def test_the_pre_rollout_selection_holds_the_job_and_what_it_needs(rendered):
    """docs/operations.md applies `-l 'app.kubernetes.io/component in (config,migrate)'` before a rollout."""
    overlay, manifests = rendered
    chosen = {
        (m["kind"], m["metadata"]["name"])
        for m in manifests
        if m["metadata"].get("labels", {}).get("app.kubernetes.io/component") in {"config", "migrate"}
    }
    assert {("Namespace", "cerdas"), ("ConfigMap", "cerdas-config"), ("ServiceAccount", "cerdas")} <= chosen
    assert ("Job", "cerdas-migrate") in chosen
    assert not {kind for kind, _ in chosen} & {"Deployment", "StatefulSet"}, "the selection must not start anything"
