"""deploy/: the compose file and the Kubernetes manifests agree with the code.

The list of services comes from the code (deploy/suite.py's SUITE, which `make run` starts, and
every `services/*/main.py`), so a service added without manifests fails here. Commands must
resolve to real modules, environment names to fields the settings classes read, ports to the
ports the services listen on; the Kubernetes documents must match the API's JSON schemas.
"""

from __future__ import annotations

import importlib
import importlib.util
import inspect
import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import kubernetes_validate
import pytest
import yaml

from deploy.entrypoint import commands
from deploy.suite import SUITE, worker_name
from shared.config import ServiceSettings

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
K8S = DEPLOY / "k8s"
COMPOSE = DEPLOY / "compose.yaml"
# Applied on their own, before `kubectl apply -k` (deploy/README.md): a filled-in copy of the
# template, and the migrations Job that runs before every rollout.
APPLIED_SEPARATELY = {"secret.template.yaml", "migrate-job.yaml"}
K8S_VERSION = "1.30.0"  # the oldest release we support: preStop `sleep` needs 1.30
NAMES = [name for name, *_ in SUITE]
PORTS = {name: port for name, _package, _var, port, _workers in SUITE}
PACKAGES = {name: package for name, package, *_ in SUITE}
# Every worker module of the suite by name ("checker", "checker-probe", …); its settings prefix
# is its name ("CHECKER_PROBE_METRICS_PORT" is CheckerSettings.probe_metrics_port).
WORKERS = [worker_name(name, module) for name, _package, _var, _port, workers in SUITE
           for module in workers]


def _prefix(worker: str) -> str:
    return f"{worker.upper().replace('-', '_')}_"


def _docs(path: Path) -> list[dict[str, Any]]:
    return [d for d in yaml.safe_load_all(path.read_text(encoding="utf-8")) if d]


def _k8s() -> list[dict[str, Any]]:
    return [d for p in sorted(K8S.glob("*.yaml")) for d in _docs(p)]


def _kind(kind: str) -> dict[str, dict[str, Any]]:
    return {d["metadata"]["name"]: d for d in _k8s() if d["kind"] == kind}


def _compose() -> dict[str, Any]:
    [doc] = _docs(COMPOSE)
    return doc


def _ours(compose: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Compose services running our image (not PostgreSQL or Redis)."""
    return {n: s for n, s in compose["services"].items()
            if str(s.get("image", "")).startswith("govinspect")}


def _settings_classes() -> list[type[ServiceSettings]]:
    found = []
    for package in PACKAGES.values():
        module = importlib.import_module(f"{package}.config")
        found += [c for _, c in inspect.getmembers(module, inspect.isclass)
                  if issubclass(c, ServiceSettings) and c is not ServiceSettings
                  and c.__module__ == module.__name__]
    return found


def _known_env() -> set[str]:
    """Every environment name the code reads: each settings field with its class's prefix,
    and the unprefixed names shared/config.py reads itself (DATABASE_URL, REDIS_URL, …)."""
    names = set()
    for cls in _settings_classes():
        prefix = str(cls.model_config.get("env_prefix", ""))
        names |= {f"{prefix}{field}".upper() for field in cls.model_fields}
    source = (ROOT / "shared" / "config.py").read_text(encoding="utf-8")
    names |= set(re.findall(r"os\.environ(?:\.get\(\s*|\[)\"([A-Z_]+)\"", source))
    return names


def _containers(doc: dict[str, Any]) -> list[dict[str, Any]]:
    spec = doc["spec"]["template"]["spec"]
    return [*spec.get("initContainers", []), *spec["containers"]]


def _resolves(argv: list[str]) -> None:
    """The entry point accepts the arguments and every command names a real module."""
    for cmd in commands(argv):
        module = cmd[cmd.index("-m") + 1]
        assert importlib.util.find_spec(module) is not None, (argv, module)
        if module == "uvicorn":
            target = next(a for a in cmd if ":" in a and not a.startswith("-"))
            mod, attr = target.split(":")
            assert callable(getattr(importlib.import_module(mod), attr)), target


def _drain(args: list[str]) -> int:
    return int(args[args.index("--drain") + 1]) if "--drain" in args else 8


def test_every_yaml_file_parses() -> None:
    files = [*DEPLOY.rglob("*.yaml"), *DEPLOY.rglob("*.yml")]
    assert COMPOSE in files and len(files) > 5
    for path in files:
        assert _docs(path), path


def test_the_suite_lists_every_service_the_code_has() -> None:
    apps = {str(p.parent.relative_to(ROOT)).replace("/", ".")
            for p in [*ROOT.glob("services/*/main.py"), ROOT / "gateway" / "main.py"]}
    assert apps == set(PACKAGES.values())


def test_kubernetes_documents_match_the_api_schemas() -> None:
    checked = 0
    for doc in _k8s():
        if doc["kind"] == "Kustomization":
            continue
        kubernetes_validate.validate(doc, K8S_VERSION, strict=True)
        checked += 1
    assert checked >= 4 * 3 + 4


def test_kustomization_lists_every_manifest() -> None:
    [kust] = _docs(K8S / "kustomization.yaml")
    files = {p.name for p in K8S.glob("*.yaml")} - {"kustomization.yaml"}
    assert set(kust["resources"]) == files - APPLIED_SEPARATELY
    images = {i["name"] for i in kust["images"]}
    used = {c["image"].split(":")[0] for d in _k8s() if d["kind"] in ("Deployment", "Job")
            for c in _containers(d)}
    assert used <= images


def test_compose_runs_every_api_and_worker_and_the_migrations() -> None:
    services = _ours(_compose())
    for name in NAMES:
        api = services[name]["command"]
        assert api[:2] == ["api", name]
        assert f"http://127.0.0.1:{PORTS[name]}/readyz" in services[name]["healthcheck"]["test"]
        assert _drain(api) < int(services[name]["stop_grace_period"].rstrip("s"))
    for name in WORKERS:
        assert services[f"{name}-worker"]["command"] == ["worker", name]
    assert services["migrate"]["command"] == ["migrate"]
    assert services["migrate"]["restart"] == "no"
    for svc in services.values():
        _resolves(svc["command"])
        deps = svc.get("depends_on", {})
        if svc["command"][0] in ("api", "worker", "bootstrap"):
            assert deps["migrate"]["condition"] == "service_completed_successfully"
    # Only the gateway is published; the services and metrics stay on the compose network.
    assert [n for n, s in services.items() if s.get("ports")] == ["gateway"]
    assert services["gateway"]["ports"] == ["${GATEWAY_PUBLISH:-127.0.0.1:8000}:8000"]


def test_compose_environment_names_are_settings_the_code_reads() -> None:
    known = _known_env()
    compose = _compose()
    for name, svc in _ours(compose).items():
        env = svc["environment"]
        assert set(env) <= known, (name, set(env) - known)
        for key, value in env.items():  # service URLs name a compose service on its port
            if key.endswith("_URL") and str(value).startswith("http"):
                url = urlsplit(str(value))
                assert url.hostname in PORTS and url.port == PORTS[url.hostname], (key, value)
        for worker in WORKERS:
            if name == f"{worker}-worker":
                prefix = _prefix(worker)
                assert env[f"{prefix}METRICS_PORT"] == "9100" and "9100" in svc["expose"]
    assert set(compose["services"]) - set(_ours(compose)) == {"postgres", "redis"}


def test_kubernetes_runs_every_api_and_worker_with_probes_and_resources() -> None:
    deployments, services = _kind("Deployment"), _kind("Service")
    for name in NAMES:
        dep = deployments[name]
        [box] = _containers(dep)
        assert box["args"][:2] == ["api", name]
        _resolves(box["args"])
        port = PORTS[name]
        assert box["ports"][0]["containerPort"] == port
        assert box["readinessProbe"]["httpGet"] == {"path": "/readyz", "port": port}
        assert box["livenessProbe"]["httpGet"] == {"path": "/healthz", "port": port}
        grace = dep["spec"]["template"]["spec"]["terminationGracePeriodSeconds"]
        assert _drain(box["args"]) + box["lifecycle"]["preStop"]["sleep"]["seconds"] <= grace
        [svc_port] = services[name]["spec"]["ports"]
        assert (svc_port["port"], svc_port["targetPort"]) == (port, port)
        selector = services[name]["spec"]["selector"]
        assert selector.items() <= dep["spec"]["template"]["metadata"]["labels"].items()
    for name in WORKERS:
        dep = deployments[f"{name}-worker"]
        [box] = _containers(dep)
        assert box["args"] == ["worker", name]
        _resolves(box["args"])
        env = {e["name"]: e["value"] for e in box.get("env", [])}
        wait = int(env.get(f"{_prefix(name)}SHUTDOWN_WAIT_S", 5))
        assert wait < dep["spec"]["template"]["spec"]["terminationGracePeriodSeconds"]
    for doc in [*deployments.values(), *_kind("Job").values()]:
        for box in _containers(doc):
            assert box["resources"]["requests"].keys() >= {"cpu", "memory"}, box["name"]
            assert "memory" in box["resources"]["limits"], box["name"]
    [job] = _kind("Job").values()
    assert [c["args"] for c in _containers(job)] == [["migrate"], ["bootstrap"]]
    for box in _containers(job):
        _resolves(box["args"])


def test_kubernetes_environment_names_are_settings_the_code_reads() -> None:
    known = _known_env()
    [config] = _kind("ConfigMap").values()
    [secret] = _kind("Secret").values()
    assert set(config["data"]) <= known, set(config["data"]) - known
    assert set(secret["stringData"]) <= known, set(secret["stringData"]) - known
    assert {"PRINCIPAL_SECRET", "GATEWAY_JWT_SECRET", "DATABASE_URL"} <= set(secret["stringData"])
    for key, value in config["data"].items():  # service URLs name a Service on its port
        if key.endswith("_URL") and value.startswith("http"):
            url = urlsplit(value)
            assert url.hostname in PORTS and url.port == PORTS[url.hostname], (key, value)
    for doc in [*_kind("Deployment").values(), *_kind("Job").values()]:
        for box in _containers(doc):
            names = {e["name"] for e in box.get("env", [])}
            assert names <= known, (doc["metadata"]["name"], names - known)
            refs = {next(iter(r.values()))["name"] for r in box["envFrom"]}
            assert refs == {"govinspect"}


def test_metrics_ports_and_scrape_annotations_agree() -> None:
    services = _kind("Service")
    for dep in _kind("Deployment").values():
        [box] = _containers(dep)
        annotations = dep["spec"]["template"]["metadata"]["annotations"]
        assert annotations["prometheus.io/path"] == "/metrics"
        env = {e["name"]: e["value"] for e in box.get("env", [])}
        own = [v for k, v in env.items() if k.endswith("_METRICS_PORT")]
        port = own[0] if own else str(box["ports"][0]["containerPort"])
        assert annotations["prometheus.io/port"] == port
        assert int(port) in [p["containerPort"] for p in box["ports"]]
    # The gateway's Service (behind the ingress) carries the API port only, never metrics.
    assert [p["port"] for p in services["gateway"]["spec"]["ports"]] == [PORTS["gateway"]]


def test_checker_workers_scale_with_the_autoscaler() -> None:
    [hpa] = _kind("HorizontalPodAutoscaler").values()
    target = hpa["spec"]["scaleTargetRef"]
    assert (target["kind"], target["apiVersion"]) == ("Deployment", "apps/v1")
    worker = _kind("Deployment")[target["name"]]
    assert _containers(worker)[0]["args"] == ["worker", "checker"]
    assert _containers(worker)[0]["resources"]["requests"]["cpu"]  # utilisation needs requests
    assert 1 <= hpa["spec"]["minReplicas"] < hpa["spec"]["maxReplicas"]


def test_the_dockerfile_has_the_targets_the_manifests_use() -> None:
    text = (DEPLOY / "Dockerfile").read_text(encoding="utf-8")
    stages = set(re.findall(r"^FROM \S+ AS (\S+)$", text, flags=re.M))
    assert stages == {"app", "browser"}
    assert 'ENTRYPOINT ["python", "-m", "deploy.entrypoint"]' in text
    builds = {s["build"]["target"] for s in _ours(_compose()).values() if "build" in s}
    assert builds == stages
    assert "chromium" in text.split("AS browser", 1)[1]
    env = set(re.findall(r"^ENV (\w+)=", text, flags=re.M)) | set(
        re.findall(r"^\s+(\w+)=\S+ ?\\?$", text, flags=re.M))
    ours = {n for n in env if not n.startswith(("PYTHON", "PIP_"))}
    assert ours and ours <= _known_env(), ours - _known_env()


def test_docker_compose_accepts_the_file() -> None:
    """`docker compose config` where Docker's compose plugin exists (it does not everywhere:
    the structural tests above run regardless)."""
    docker = shutil.which("docker")
    if docker is None or subprocess.run([docker, "compose", "version"], capture_output=True,
                                        check=False).returncode != 0:
        pytest.skip("docker compose is not installed on this machine; "
                    "the structural compose checks ran instead")
    env = {**os.environ, "POSTGRES_PASSWORD": "x", "PRINCIPAL_SECRET": "y",
           "GATEWAY_JWT_SECRET": "z"}
    done = subprocess.run([docker, "compose", "-f", str(COMPOSE), "config", "--quiet"],
                          capture_output=True, text=True, env=env, check=False)
    assert done.returncode == 0, done.stderr
