"""`govinspect status`: the gateway's readiness, its upstream services and the queues."""

from __future__ import annotations

import argparse

from cli.client import Gateway
from cli.output import Out


async def cmd_status(gw: Gateway, args: argparse.Namespace, out: Out) -> int:
    ready = await gw.request("GET", "/readyz", ok=(503,))
    body = ready.json()
    queues = await gw.json("GET", "/api/v1/queues")
    if out.as_json:
        out.data({"ready": body, "queues": queues})
    else:
        status = body.get("status", "not-ready")
        label = {"ready": "就绪", "degraded": "部分服务不可用"}.get(status, "未就绪")
        out.say(f"网关 {gw.url}：{label}")
        rows = [[f"网关{name_zh(k)}", ok_zh(v)] for k, v in (body.get("checks") or {}).items()]
        rows += [[f"服务 {k}", ok_zh(v)] for k, v in (body.get("upstreams") or {}).items()]
        out.table("服务", ["组件", "状态"], rows)
        out.table("队列", ["队列", "排队", "已到期", "执行中"],
                  [[q["name"], q["queued"], q["due"], q["in_progress"]] for q in queues["queues"]])
        for service, lines in (body.get("warnings") or {}).items():
            for line in lines:
                out.errors.print(f"警告（{service}）：{line}", markup=False)
    return 0 if ready.status_code == 200 and body.get("status") == "ready" else 1


def name_zh(key: str) -> str:
    """A dependency's Chinese name."""
    return {"database": "数据库", "redis": "Redis"}.get(key, key)


def ok_zh(value: str) -> str:
    """"ok" in Chinese, anything else as it came."""
    return "正常" if value == "ok" else f"异常（{value}）"
