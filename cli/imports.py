"""`govinspect import`: organisations, websites or accounts from a CSV, XLSX or JSON file."""

from __future__ import annotations

import argparse
import asyncio
from pathlib import Path
from typing import Any

from cli.client import CliError, Gateway
from cli.output import Out

KINDS = ("organisations", "websites", "accounts")


KIND_LABELS = {"organisations": "单位", "websites": "网站", "accounts": "新媒体账号"}


async def cmd_import(gw: Gateway, args: argparse.Namespace, out: Out) -> int:
    path = Path(args.file)
    try:
        content = await asyncio.to_thread(path.read_bytes)
    except OSError as exc:
        raise CliError(f"无法读取文件 {path}：{exc.strerror}") from exc
    params: dict[str, Any] = {"dry_run": "true" if args.dry_run else "false"}
    if args.format:
        params["format"] = args.format
    report = await gw.json("POST", f"/api/v1/{args.kind}/import", params=params,
                           files={"file": (path.name, content)})
    if out.as_json:
        out.data(report)
    else:
        what = "试导入（未写入）" if report.get("dry_run") else "导入"
        out.say(f"{KIND_LABELS[args.kind]}{what}：共 {report['total']} 行，新增 {report['created']}，"
                f"变更 {report['updated']}，未变 {report['unchanged']}，有误 {len(report['errors'])}")
        if report.get("ignored_columns"):
            out.say("已忽略的列：" + "、".join(report["ignored_columns"]))
    if report.get("errors"):
        out.failure(CliError(f"{len(report['errors'])} 行有误", {"errors": report["errors"]}))
        return 1
    return 0
