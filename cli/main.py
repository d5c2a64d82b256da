"""`govinspect`: status, demo, import, inspect, findings and circulars, all through the gateway.

Every command prints Chinese text for people, or with `--json` one JSON document for scripts.
A failure prints the gateway's problem+json (title, detail and any row errors) on stderr and
exits non-zero: 1 refused or invalid, 2 not authenticated or not allowed, 3 gateway unreachable.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
from pathlib import Path
from typing import IO, Any

import httpx
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from cli.client import CliError, Gateway, resolve_key, resolve_url
from cli.demo import cmd_demo

KINDS = ("organisations", "websites", "accounts")
FORMATS = ("docx", "xlsx", "html", "md")
TERMINAL = ("completed", "cancelled", "failed")
RUN_LABELS = {"queued": "排队中", "running": "检查中", "completed": "已完成", "cancelled": "已取消",
              "failed": "失败"}
KIND_LABELS = {"organisations": "单位", "websites": "网站", "accounts": "新媒体账号"}


class Out:
    """Where results go: a rich console for people, or one JSON document with --json."""

    def __init__(self, as_json: bool, stdout: IO[str], stderr: IO[str]) -> None:
        self.as_json = as_json
        self.stdout, self.stderr = stdout, stderr
        self.console = Console(file=stdout, highlight=False, soft_wrap=True)
        self.errors = Console(file=stderr, highlight=False, soft_wrap=True)

    def data(self, value: Any) -> None:
        """Print a JSON document (only with --json)."""
        self.stdout.write(json.dumps(value, ensure_ascii=False, indent=2) + "\n")

    def say(self, text: str) -> None:
        """Print a line for people (never with --json)."""
        if not self.as_json:
            self.console.print(text, markup=False)

    def table(self, title: str, head: list[str], rows: list[list[Any]]) -> None:
        """Print a table for people."""
        table = Table(title=title, title_justify="left")
        for h in head:
            table.add_column(h)
        for row in rows:
            table.add_row(*("" if v is None else str(v) for v in row))
        self.console.print(table)

    def failure(self, err: CliError) -> None:
        """Print a failure: the JSON problem with --json, else its title, detail and row errors."""
        if self.as_json:
            self.stderr.write(json.dumps(err.problem or {"title": err.message}, ensure_ascii=False)
                              + "\n")
            return
        self.errors.print(f"错误：{err.message}", markup=False)
        problem = err.problem or {}
        if problem.get("detail"):
            self.errors.print(f"  {problem['detail']}", markup=False)
        for item in (problem.get("errors") or [])[:50]:
            if isinstance(item, dict):
                where = f"第 {item['row']} 行 " if "row" in item else ""
                field = item.get("column") or item.get("field") or item.get("loc") or ""
                value = f"（值 {item['value']!r}）" if item.get("value") not in (None, "") else ""
                self.errors.print(f"  - {where}{field}{value}：{item.get('message') or item.get('msg')}",
                                  markup=False)


# --- commands ---------------------------------------------------------------------------------

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


async def cmd_findings_list(gw: Gateway, args: argparse.Namespace, out: Out) -> int:
    params = {k: v for k, v in {
        "run_id": args.run, "target_id": args.target, "rule": args.rule, "severity": args.severity,
        "verdict": args.verdict, "region": args.region, "organisation_id": args.organisation,
        "q": args.q, "limit": args.limit, "offset": args.offset}.items() if v is not None}
    if args.open_only:
        params["open_only"] = "true"
    page = await gw.json("GET", "/api/v1/findings", params=params)
    if out.as_json:
        out.data(page)
        return 0
    items = page.get("items", [])
    out.table(f"问题清单（共 {page.get('total', len(items))} 条，显示 {len(items)} 条）",
              ["网站标识码", "网站", "规则", "级别", "扣分", "问题", "网址"],
              [[f["target_code"], f["target_name"], f["rule"], f["severity_label"], f["points"],
                f["message"], f["url"]] for f in items])
    return 0


VERDICT_LABELS = {"confirmed": "已确认", "false_positive": "误报", "doubtful": "存疑", "none": "未研判"}


async def cmd_findings_mark(gw: Gateway, args: argparse.Namespace, out: Out) -> int:
    verdict = None if args.verdict == "none" else args.verdict
    what = VERDICT_LABELS[args.verdict]
    if args.ids and (args.rule or args.locator):
        raise CliError("请给出问题 ID，或者 --rule 与 --locator，不要同时给出")
    if len(args.ids) == 1 and not args.all_sites:
        found = await gw.json("PUT", f"/api/v1/findings/{args.ids[0]}/verdict",
                              json={"verdict": verdict, "note": args.note})
        if out.as_json:
            out.data(found)
        else:
            out.say(f"已将问题 {found['id']}（{found['target_name']}：{found['message']}）"
                    f"研判为{what}")
        return 0
    body: dict[str, Any] = {"verdict": verdict, "note": args.note}
    if args.all_sites:
        if len(args.ids) != 1:
            raise CliError("--all-sites 需要且只需要一个问题 ID（以它的规则和定位为准）")
        example = await gw.json("GET", f"/api/v1/findings/{args.ids[0]}")
        if not example.get("locator"):
            raise CliError(f"问题 {args.ids[0]} 尚无定位信息（下次检查后即有），暂不能跨网站研判")
        body.update(rule=example["rule"], locator=example["locator"])
    elif args.ids:
        body["ids"] = args.ids
    elif args.rule and args.locator:
        body.update(rule=args.rule, locator=args.locator)
    else:
        raise CliError("请给出问题 ID，或者 --rule 与 --locator")
    result = await gw.json("POST", "/api/v1/findings/verdicts", json=body)
    if out.as_json:
        out.data(result)
    else:
        out.say(f"已将 {result['updated']} 个问题研判为{what}，"
                f"重新计分 {result.get('rescored', 0)} 个检查结果")
    return 0


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


# --- arguments --------------------------------------------------------------------------------

def parser() -> argparse.ArgumentParser:
    """The argument parser of every command."""
    # SUPPRESS: an option given before the command is not reset by the command's own default.
    common = argparse.ArgumentParser(add_help=False, argument_default=argparse.SUPPRESS)
    common.add_argument("--url", help="网关地址（缺省取 GOVINSPECT_URL，再缺省 http://127.0.0.1:8000）")
    common.add_argument("--key", help="API 密钥（缺省取 GOVINSPECT_API_KEY，再缺省 "
                        "$GOVINSPECT_VAR_DIR/admin.key，即 ./var/admin.key）")
    common.add_argument("--json", action="store_true", help="输出 JSON，供脚本使用")
    p = argparse.ArgumentParser(prog="govinspect", description="政府网站与政务新媒体监管命令行工具",
                                parents=[common])
    sub = p.add_subparsers(dest="command", required=True, metavar="命令")

    sub.add_parser("status", parents=[common], help="服务和队列状态").set_defaults(fn=cmd_status)

    demo = sub.add_parser("demo", parents=[common],
                          help="备案并检查 make run 自带的演示网站和账号，起草通报")
    demo.add_argument("--interval", type=float, default=1.0, help="查询进度的间隔（秒）")
    demo.add_argument("--timeout", type=float, default=600.0, help="最多等待检查和通报这么久（秒）")
    demo.set_defaults(fn=cmd_demo)

    imp = sub.add_parser("import", parents=[common], help="批量导入单位、网站或新媒体账号")
    imp.add_argument("file", help="CSV、XLSX 或 JSON 文件")
    imp.add_argument("--kind", required=True, choices=KINDS, help="导入什么")
    imp.add_argument("--format", choices=("csv", "xlsx", "json"), help="缺省按扩展名判断")
    imp.add_argument("--dry-run", action="store_true", help="只校验、不写入")
    imp.set_defaults(fn=cmd_import)

    inspect = sub.add_parser("inspect", parents=[common], help="检查批次").add_subparsers(
        dest="action", required=True, metavar="操作")
    start = inspect.add_parser("start", parents=[common], help="发起检查")
    start.add_argument("--name", required=True, help="批次名称")
    start.add_argument("--region", action="append", help="区划代码（可多次）")
    start.add_argument("--organisation", action="append", help="单位 ID（可多次）")
    start.add_argument("--website", action="append", help="网站 ID（可多次）")
    start.add_argument("--profile", default="national_2019", help="规则配置")
    start.set_defaults(fn=cmd_inspect_start)
    show = inspect.add_parser("show", parents=[common], help="查看检查批次")
    show.add_argument("run_id")
    show.set_defaults(fn=cmd_inspect_show)
    for cmd in (start, show):
        cmd.add_argument("--follow", action="store_true", help="跟踪进度直到结束")
        cmd.add_argument("--interval", type=float, default=2.0, help="跟踪时的查询间隔（秒）")

    findings = sub.add_parser("findings", parents=[common], help="问题清单").add_subparsers(
        dest="action", required=True, metavar="操作")
    fl = findings.add_parser("list", parents=[common], help="列出问题")
    fl.add_argument("--run", help="检查批次 ID")
    fl.add_argument("--target", help="网站 ID")
    fl.add_argument("--rule", help="规则代码或前缀，如 veto.")
    fl.add_argument("--severity", choices=("veto", "deduct", "warn"))
    fl.add_argument("--verdict", choices=("confirmed", "false_positive", "doubtful", "none"))
    fl.add_argument("--region", help="区划代码")
    fl.add_argument("--organisation", help="单位 ID")
    fl.add_argument("--open-only", action="store_true", help="只列未整改的问题")
    fl.add_argument("--q", help="关键词")
    fl.add_argument("--limit", type=int, default=50)
    fl.add_argument("--offset", type=int)
    fl.set_defaults(fn=cmd_findings_list)
    fm = findings.add_parser("mark", parents=[common], help="研判问题（误报标记后不再报告）")
    fm.add_argument("ids", nargs="*", metavar="问题ID", help="一个或多个问题 ID")
    fm.add_argument("--verdict", required=True, choices=tuple(VERDICT_LABELS),
                    help="confirmed 已确认 / false_positive 误报 / doubtful 存疑 / none 撤销研判")
    fm.add_argument("--note", help="研判说明，如 本站下拉菜单，非暗链")
    fm.add_argument("--all-sites", action="store_true",
                    help="管辖范围内所有网站上与该问题同规则、同定位的问题一并研判")
    fm.add_argument("--rule", help="不给 ID 时：规则代码（与 --locator 一起）")
    fm.add_argument("--locator", help="不给 ID 时：问题定位（见问题详情的 locator）")
    fm.set_defaults(fn=cmd_findings_mark)

    circular = sub.add_parser("circular", parents=[common], help="通报").add_subparsers(
        dest="action", required=True, metavar="操作")
    build = circular.add_parser("build", parents=[common], help="起草通报")
    build.add_argument("--region", required=True, help="通报范围的区划代码")
    build.add_argument("--office", required=True, help="发文机关")
    build.add_argument("--quarter", help="如 2026Q4；缺省为上一季度")
    build.add_argument("--start", help="自定义期间起，如 2026-10-01")
    build.add_argument("--end", help="自定义期间止")
    build.add_argument("--title")
    build.add_argument("--deadline-days", type=int, help="整改期限（工作日）")
    build.set_defaults(fn=cmd_circular_build)
    publish = circular.add_parser("publish", parents=[common], help="发布通报")
    publish.add_argument("circular_id")
    publish.add_argument("--number", required=True, help="文号，如 济政办字〔2026〕19号")
    publish.add_argument("--issued-on", help="成文日期")
    publish.set_defaults(fn=cmd_circular_publish)
    download = circular.add_parser("download", parents=[common], help="下载通报")
    download.add_argument("circular_id")
    download.add_argument("--format", choices=FORMATS, default="docx")
    download.add_argument("--output", "-o", help="保存到（缺省 circular-<ID>.<格式>）")
    download.set_defaults(fn=cmd_circular_download)
    return p


async def run(argv: list[str], transport: httpx.AsyncBaseTransport | None = None,
              stdout: IO[str] | None = None, stderr: IO[str] | None = None) -> int:
    """Run one command; return its exit code. `transport` mounts the gateway in tests."""
    args = parser().parse_args(argv)
    out = Out(getattr(args, "json", False), stdout or sys.stdout, stderr or sys.stderr)
    try:
        async with Gateway(resolve_url(getattr(args, "url", None)),
                           resolve_key(getattr(args, "key", None)), transport) as gw:
            code: int = await args.fn(gw, args, out)
            return code
    except CliError as err:
        out.failure(err)
        return err.code


def main() -> None:
    """The `govinspect` console script."""
    try:
        sys.exit(asyncio.run(run(sys.argv[1:])))
    except KeyboardInterrupt:
        sys.exit(130)
