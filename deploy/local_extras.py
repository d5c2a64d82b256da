"""What a local run adds around the services: the demo site (served, filed and inspected on the
first start), the checker without a browser when Chromium cannot run, and the banner printed once
the suite is up."""

from __future__ import annotations

import json
import os
import sys
import time
from collections.abc import MutableMapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from deploy import demo
from deploy.suite import ServiceSpec, client_host, module_exists
from deploy.supervisor import Supervisor, say
from shared.principal import PRINCIPAL_HEADER

DEMO_TIMEOUT_S = 600


def _redact(url: str) -> str:
    parts = urlsplit(url)
    if parts.password:
        return url.replace(f":{parts.password}@", ":***@", 1)
    return url



@dataclass
class Extras:
    """What this run adds around the services: metrics ports, the demo site, the browser state."""

    metrics: dict[str, tuple[str, int]] = field(default_factory=dict)
    demo: demo.DemoSite | None = None
    no_browser: str = ""  # the warning, when the checker runs without Chromium



def banner(services: Sequence[ServiceSpec], var: Path, sup: Supervisor, extras: Extras) -> None:
    print(f"govinspect 已启动（数据目录 {var}，Redis {_redact(os.environ['REDIS_URL'])}）")
    front = next((s for s in services if s.name == "gateway"), None)
    if front is not None:
        base = f"http://{client_host(front.host)}:{front.port}"
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
            base = f"http://{client_host(spec.host)}:{spec.port}"
            print(f"  {spec.name:<10}接口 {base}   文档 {base}/docs   指标 {base}/metrics")
    started = {c.name for c in sup.children}
    shown = [f"{name} {port}" for name, (_var, port) in extras.metrics.items() if name in started]
    if shown:
        print("Prometheus 指标端口（http://127.0.0.1:<端口>/metrics）：" + "，".join(shown))
    if extras.demo is not None:
        print(f"演示网站 http://{demo.HOST}/（在本机 {extras.demo.address}:{extras.demo.port} 提供，"
              "只对检查服务开放；重新演示：govinspect demo）")
    if extras.no_browser:
        say(extras.no_browser)



async def first_demo(sup: Supervisor, services: Sequence[ServiceSpec], var: Path) -> None:
    """On the first start, file the demo site and account, inspect them, draft the circular."""
    front = next(s for s in services if s.name == "gateway")
    marker = var / "demo.done"
    print("首次启动：正在备案并检查演示网站（约一分钟），结果见下方；"
          "之后可随时运行 govinspect demo 重新演示。", flush=True)
    code = await sup.run_once("demo", (
        sys.executable, "-m", "cli", "demo", "--timeout", str(DEMO_TIMEOUT_S),
        "--url", f"http://{client_host(front.host)}:{front.port}"))
    if code == 0:
        marker.write_text(time.strftime("%Y-%m-%dT%H:%M:%S%z") + "\n")
        print("演示完成：问题清单见上方，也可在文档页 /docs 或 govinspect findings list 查看。",
              flush=True)
    elif code is not None:
        say(f"演示未完成（退出码 {code}）；服务照常运行，可稍后运行 govinspect demo 重试。")



def without_browser(env: MutableMapping[str, str]) -> str:
    """Turn the checker's browser off when Chromium cannot run; return the warning, or ""."""
    # The checker's own default (services/checker/config.py): the headless shell, else Chromium.
    shell = "/usr/bin/chromium-headless-shell"
    path = env.get("CHECKER_CHROMIUM_PATH") or (shell if os.access(shell, os.X_OK) else "/usr/bin/chromium")
    if not module_exists("playwright"):
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



def serve_demo(env: MutableMapping[str, str]) -> demo.DemoSite | None:
    """Serve the demo site and let the checker reach exactly it: its host, its address."""
    try:
        site = demo.DemoSite()
    except OSError as exc:
        say(f"演示网站无法在 {demo.ADDRESS} 上提供（{exc}），本次不演示。")
        return None
    try:
        host_map = dict(json.loads(env.get("CHECKER_HOST_MAP") or "{}"))
        networks = list(json.loads(env.get("CHECKER_ALLOWED_NETWORKS") or "[]"))
    except (ValueError, TypeError):
        say("CHECKER_HOST_MAP 或 CHECKER_ALLOWED_NETWORKS 不是 JSON，本次不演示。")
        return None
    env["CHECKER_HOST_MAP"] = json.dumps(host_map | site.host_map())
    env["CHECKER_ALLOWED_NETWORKS"] = json.dumps(networks + site.allowed_networks())
    return site

