"""`govinspect circular build|publish|download`: draft, publish and download a circular."""

from __future__ import annotations

import argparse
import asyncio
from pathlib import Path
from typing import Any

from cli.client import Gateway
from cli.output import Out

FORMATS = ("docx", "xlsx", "html", "md")


async def cmd_circular_build(gw: Gateway, args: argparse.Namespace, out: Out) -> int:
    body: dict[str, Any] = {"region_code": args.region, "issuing_office": args.office}
    for key, value in (("quarter", args.quarter), ("period_start", args.start),
                       ("period_end", args.end), ("title", args.title),
                       ("deadline_working_days", args.deadline_days)):
        if value is not None:
            body[key] = value
    circular = await gw.json("POST", "/api/v1/circulars", json=body)
    if out.as_json:
        out.data(circular)
    else:
        out.say(f"已起草通报 {circular['id']}：{circular['title']}（{circular.get('status_label', '草稿')}）")
    return 0


async def cmd_circular_publish(gw: Gateway, args: argparse.Namespace, out: Out) -> int:
    body: dict[str, Any] = {"number": args.number}
    if args.issued_on:
        body["issued_on"] = args.issued_on
    circular = await gw.json("POST", f"/api/v1/circulars/{args.circular_id}/publish", json=body)
    if out.as_json:
        out.data(circular)
    else:
        out.say(f"已发布通报 {circular['number']}：{circular['title']}")
    return 0


async def cmd_circular_download(gw: Gateway, args: argparse.Namespace, out: Out) -> int:
    response = await gw.request("GET", f"/api/v1/circulars/{args.circular_id}/document",
                                params={"format": args.format})
    target = Path(args.output or f"circular-{args.circular_id}.{args.format}")
    await asyncio.to_thread(target.write_bytes, response.content)
    if out.as_json:
        out.data({"file": str(target), "bytes": len(response.content), "format": args.format,
                  "content_type": response.headers.get("content-type")})
    else:
        out.say(f"已下载通报（{args.format}，{len(response.content):,} 字节）到 {target}")
    return 0
