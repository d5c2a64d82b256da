"""`govinspect`: status, demo, import, inspect, findings and circulars, all through the gateway.

Every command prints Chinese text for people, or with `--json` one JSON document for scripts.
A failure prints the gateway's problem+json (title, detail and any row errors) on stderr and
exits non-zero: 1 refused or invalid, 2 not authenticated or not allowed, 3 gateway unreachable.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from typing import IO

import httpx

from cli.circulars import FORMATS, cmd_circular_build, cmd_circular_download, cmd_circular_publish
from cli.client import CliError, Gateway, resolve_key, resolve_url
from cli.demo import cmd_demo
from cli.findings import VERDICT_LABELS, cmd_findings_list, cmd_findings_mark
from cli.imports import KINDS, cmd_import
from cli.output import Out
from cli.runs import cmd_inspect_show, cmd_inspect_start
from cli.status import cmd_status


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
