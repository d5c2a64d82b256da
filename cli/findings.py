"""`govinspect findings list|mark`: the findings list and verdicts (one, several, or across sites)."""

from __future__ import annotations

import argparse
from typing import Any

from cli.client import CliError, Gateway
from cli.output import Out


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
