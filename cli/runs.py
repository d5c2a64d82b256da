"""`govinspect inspect start|show`: start an inspection run, show it, follow it to its end."""

from __future__ import annotations

import argparse
import asyncio
import time
from typing import Any

from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from cli.client import Gateway
from cli.output import Out

TERMINAL = ("completed", "cancelled", "failed")
RUN_LABELS = {"queued": "排队中", "running": "检查中", "completed": "已完成", "cancelled": "已取消",
              "failed": "失败"}


async def cmd_inspect_start(gw: Gateway, args: argparse.Namespace, out: Out) -> int:
    scope = {"regions": args.region or [], "organisation_ids": args.organisation or [],
             "website_ids": args.website or []}
    body: dict[str, Any] = {"name": args.name, "scope": scope, "profile": args.profile}
    run = await gw.json("POST", "/api/v1/runs", json=body)
    out.say(f"已创建检查批次 {run['id']}（{run['name']}），{run['progress']['targets_total']} 个网站")
    if args.follow:
        run = await follow(gw, run, args.interval, out)
    if out.as_json:
        out.data(run)
    return 0 if run["status"] != "failed" else 1


async def cmd_inspect_show(gw: Gateway, args: argparse.Namespace, out: Out) -> int:
    run = await gw.json("GET", f"/api/v1/runs/{args.run_id}")
    if args.follow:
        run = await follow(gw, run, args.interval, out)
    if out.as_json:
        out.data(run)
    else:
        out.say(summary(run))
    return 0 if run["status"] != "failed" else 1


def summary(run: dict[str, Any]) -> str:
    """One line saying where a run is."""
    p = run["progress"]
    return (f"{run['name']}：{RUN_LABELS.get(run['status'], run['status'])}，"
            f"网站 {p['targets_done']}/{p['targets_total']}（失败 {p['targets_failed']}），"
            f"页面 {p['pages_fetched']}，链接 {p['links_checked']}，问题 {p['findings']}，"
            f"合格 {p['passed']}")


async def follow(gw: Gateway, run: dict[str, Any], interval: float, out: Out) -> dict[str, Any]:
    """Poll the run until it ends, with a progress bar on a terminal, else a line per change."""
    path = f"/api/v1/runs/{run['id']}"
    bar = (Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                    TextColumn("{task.fields[extra]}"), TimeElapsedColumn(), console=out.errors)
           if out.errors.is_terminal and not out.as_json else None)
    last = ""
    with bar or _Nothing():
        task = bar.add_task("检查中", total=run["progress"]["targets_total"], extra="") if bar else None
        while True:
            p = run["progress"]
            done = p["targets_done"] + p["targets_failed"]
            extra = f"页面 {p['pages_fetched']} 链接 {p['links_checked']} 问题 {p['findings']}"
            if bar is not None and task is not None:
                bar.update(task, completed=done, total=p["targets_total"], extra=extra,
                           description=RUN_LABELS.get(run["status"], run["status"]))
            else:
                line = summary(run)
                if line != last and not out.as_json:
                    out.errors.print(f"[{time.strftime('%H:%M:%S')}] {line}", markup=False)
                last = line
            if run["status"] in TERMINAL:
                break
            await asyncio.sleep(interval)
            run = await gw.json("GET", path)
    out.say(summary(run))
    return run


class _Nothing:
    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc: object) -> None:
        return None
