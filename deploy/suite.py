"""The suite's rows: which services `make run` and the container image start, with their ports,
migrations and workers (deploy/local.py supervises them; deploy/entrypoint.py runs one each)."""

from __future__ import annotations

import dataclasses
import importlib.util
import os
import sys
from collections.abc import Sequence
from dataclasses import dataclass

DRAIN_S = 8  # an API finishes requests in flight this long after SIGTERM (below the supervisor's STOP_GRACE)
METRICS_FROM = 9100  # the gateway API's metrics port; each worker takes the next one


@dataclass(frozen=True)
class ServiceSpec:
    """One row of the suite: its API, the migration run before it, and its workers."""

    name: str
    port: int
    app_module: str  # the row runs only once this module exists
    api: tuple[str, ...]
    migrate: tuple[str, ...] | None = None
    workers: tuple[tuple[str, ...], ...] = ()
    host: str = "127.0.0.1"
    # Run after the migration; prints one JSON line (the gateway's first administrator key).
    bootstrap: tuple[str, ...] | None = None


# The suite in start order; the gateway comes last because it fronts the others.
# name, python package, port variable, default port, worker modules of the package
SUITE: tuple[tuple[str, str, str, int, tuple[str, ...]], ...] = (
    ("registry", "services.registry", "REGISTRY_PORT", 8001, ("worker",)),
    # Availability probes have a worker of their own, so inspections never delay them.
    ("checker", "services.checker", "CHECKER_PORT", 8002, ("worker", "probe_worker")),
    ("reporting", "services.reporting", "REPORTING_PORT", 8003, ("worker",)),
    ("gateway", "gateway", "GATEWAY_PORT", 8000, ("worker",)),
)


def worker_name(service: str, module: str) -> str:
    """Name a worker of the suite: `checker` for services.checker.worker, `checker-probe` for
    services.checker.probe_worker (the container's `worker NAME`; `NAME-worker` in compose/k8s)."""
    kind = module.removesuffix("worker").strip("_").replace("_", "-")
    return f"{service}-{kind}" if kind else service


def metrics_variable(service_var: str, module: str) -> str:
    """The metrics-port variable of a worker: `CHECKER_METRICS_PORT` for the checker's
    `worker`, `CHECKER_PROBE_METRICS_PORT` for its `probe_worker` (the settings' field names)."""
    kind = module.removesuffix("worker").strip("_").upper()
    return service_var.removesuffix("PORT") + (f"{kind}_" if kind else "") + "METRICS_PORT"


def metrics_ports(first: int) -> dict[str, tuple[str, int]]:
    """Process name → (its metrics-port variable, port): the gateway API's first, then every
    worker's in suite order, each its own (one variable may name two processes' ports)."""
    ports = {"gateway-api": ("GATEWAY_METRICS_PORT", first)}
    for name, _package, var, _default, workers in SUITE:
        for module in workers:
            ports[f"{worker_name(name, module)}-worker"] = (metrics_variable(var, module),
                                                            first + len(ports))
    return ports


def python_service(
    name: str, package: str, port: int, host: str = "127.0.0.1", *,
    workers: Sequence[str] = ("worker",), drain_s: int = DRAIN_S,
) -> ServiceSpec:
    """Build the row of a package laid out as `.migrate`, `.main:create_app` and its workers
    (`.worker` by default; a module name each).

    On SIGTERM the API stops accepting connections and lets requests in flight finish for up
    to `drain_s` seconds (uvicorn's graceful shutdown); the container image runs the same rows
    (deploy/entrypoint.py)."""
    py = sys.executable
    return ServiceSpec(
        name=name, port=port, app_module=f"{package}.main", host=host,
        api=(py, "-m", "uvicorn", f"{package}.main:create_app", "--factory",
             "--host", host, "--port", str(port), "--no-access-log",
             "--timeout-graceful-shutdown", str(drain_s)),
        migrate=(py, "-m", f"{package}.migrate"),
        workers=tuple((py, "-m", f"{package}.{module}") for module in workers),
    )


def default_services() -> list[ServiceSpec]:
    """Return every row of the suite, with ports and host taken from the environment."""
    host = os.environ.get("GOVINSPECT_HOST", "127.0.0.1")
    rows = [python_service(name, package, int(os.environ.get(var, default)), host, workers=workers)
            for name, package, var, default, workers in SUITE]
    return [dataclasses.replace(r, bootstrap=(sys.executable, "-m", "gateway.bootstrap", "--json"))
            if r.name == "gateway" else r for r in rows]


def module_exists(name: str) -> bool:
    try:
        return importlib.util.find_spec(name) is not None
    except (ImportError, ValueError):  # a parent package is missing too
        return False



def client_host(host: str) -> str:
    if host in ("", "0.0.0.0", "::"):
        return "127.0.0.1"
    return f"[{host}]" if ":" in host else host

