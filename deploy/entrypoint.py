"""The container image's entry point: one image, the role chosen by the arguments.

    api NAME [--port N] [--drain S]   the service's API (uvicorn), NAME one of the suite
    worker NAME                       a worker (arq, or the registry's relay): the service's
                                      name, or e.g. checker-probe for its probe worker
    migrate [NAME ...]                migrations, every service in suite order by default
    bootstrap                         the gateway's first administrator key (printed once)

The commands are the rows `make run` starts (deploy/suite.py), so a container runs exactly
what the local supervisor does, with the API listening on 0.0.0.0. The process replaces this
one (exec), so SIGTERM reaches uvicorn or the worker directly.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from collections.abc import Sequence

from deploy.suite import DRAIN_S, SUITE, ServiceSpec, python_service, worker_name

PACKAGES = {name: package for name, package, _var, _port, _workers in SUITE}
PORTS = {name: port for name, _package, _var, port, _workers in SUITE}
MODULES = {name: workers for name, _package, _var, _port, workers in SUITE}
# worker name → (service, module): "checker" → services.checker.worker, "checker-probe" → …probe_worker
WORKERS = {worker_name(name, module): (name, module)
           for name, workers in MODULES.items() for module in workers}
BOOTSTRAP = ("-m", "gateway.bootstrap")


def spec(name: str, port: int | None = None, drain_s: int = DRAIN_S) -> ServiceSpec:
    """The suite row of one service, listening on every address of the container."""
    if name not in PACKAGES:
        raise SystemExit(f"未知服务 {name!r}；可选：{'、'.join(PACKAGES)}")
    return python_service(name, PACKAGES[name], port or PORTS[name], "0.0.0.0",
                          workers=MODULES[name], drain_s=drain_s)


def commands(argv: Sequence[str]) -> list[tuple[str, ...]]:
    """The command lines a role runs, in order (one for every role except `migrate`)."""
    parser = argparse.ArgumentParser(prog="deploy.entrypoint", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    roles = parser.add_subparsers(dest="role", required=True)
    api = roles.add_parser("api", help="服务接口（uvicorn）")
    api.add_argument("name", choices=list(PACKAGES))
    api.add_argument("--port", type=int, default=None, help="监听端口（默认为该服务的标准端口）")
    api.add_argument("--drain", type=int, default=DRAIN_S,
                     help="收到 SIGTERM 后等待进行中请求完成的秒数")
    worker = roles.add_parser("worker", help="后台任务进程")
    worker.add_argument("name", choices=sorted(WORKERS))
    migrate = roles.add_parser("migrate", help="数据库迁移（默认全部服务）")
    migrate.add_argument("names", nargs="*", choices=[*PACKAGES, []])
    roles.add_parser("bootstrap", help="创建网关的首个管理员 API 密钥")
    args = parser.parse_args(argv)
    if args.role == "api":
        return [spec(args.name, args.port, args.drain).api]
    if args.role == "worker":
        service, module = WORKERS[args.name]
        return [(sys.executable, "-m", f"{PACKAGES[service]}.{module}")]
    if args.role == "migrate":
        rows = [spec(n).migrate for n in (args.names or PACKAGES)]
        return [r for r in rows if r is not None]
    return [(sys.executable, *BOOTSTRAP)]


def main(argv: Sequence[str] | None = None) -> int:
    """Run the role: exec a single command, or run the migrations one after another."""
    cmds = commands(sys.argv[1:] if argv is None else argv)
    if len(cmds) == 1:
        os.execv(cmds[0][0], cmds[0])
    for cmd in cmds:
        print(f"[govinspect] {' '.join(cmd[1:])}", file=sys.stderr, flush=True)
        code = subprocess.run(cmd, check=False).returncode
        if code != 0:
            return code
    return 0


if __name__ == "__main__":
    sys.exit(main())
