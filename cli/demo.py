"""`govinspect demo`: file the demo site and account, inspect them and draft their circular.

Everything goes through the gateway, so the same steps work from a script over the API. Filing
is idempotent (regions answer 409 when they exist; the bulk imports match by natural key), so
the command can run again at any time: each run is a new inspection and a new draft circular.
The demo site itself is served by `make run` (deploy/demo): the registry only holds its name.
"""

from __future__ import annotations

import argparse
import asyncio
import json
from datetime import date, datetime, timedelta, timezone
from typing import Any

from cli.client import CliError, Gateway

# The demo site is served by `make run` under this name (deploy/demo HOST and SITE_CODE).
HOST = "www.demo.gov.cn"
SITE_CODE = "3701029999"
REGION = "370102"
REGIONS = (("370000", "山东省", None), ("370100", "济南市", "370000"), ("370102", "历下区", "370100"))
ORGANISATION = "历下区示范单位（演示）"
ACCOUNT_ID = "govinspect-demo"
SHANGHAI = timezone(timedelta(hours=8))


def _csv(*rows: list[str]) -> bytes:
    return "\n".join(",".join(r) for r in rows).encode("utf-8")


def _quarter_start(today: date) -> date:
    return date(today.year, 3 * ((today.month - 1) // 3) + 1, 1)


async def file_demo(gw: Gateway) -> tuple[str, str]:
    """File the demo region, organisation, website and account; return the site's and account's ids."""
    for code, name, parent in REGIONS:
        await gw.request("POST", "/api/v1/regions", ok=(409,),
                         json={"code": code, "name": name, "parent_code": parent})
    for kind, content in (
        ("organisations", _csv(["name", "kind", "region_code"],
                               [ORGANISATION, "county_department", REGION])),
        ("websites", _csv(["site_code", "name", "organisation_name", "organisation_region_code",
                           "kind", "domains", "home_url", "status"],
                          [SITE_CODE, "历下区示范网站（演示）", ORGANISATION, REGION, "department",
                           HOST, f"http://{HOST}/", "running"])),
        ("accounts", _csv(["platform", "platform_account_id", "name", "url", "sponsor_name",
                           "sponsor_region_code", "status", "feed"],
                          ["weibo", ACCOUNT_ID, "历下示范发布（演示）", f"http://{HOST}/",
                           ORGANISATION, REGION, "running",
                           '"' + json.dumps({"kind": "rss", "url": f"http://{HOST}/feed.xml"})
                           .replace('"', '""') + '"'])),
    ):
        report = await gw.json("POST", f"/api/v1/{kind}/import", params={"dry_run": "false"},
                               files={"file": (f"demo-{kind}.csv", content)})
        if report.get("errors"):
            raise CliError(f"演示数据（{kind}）导入失败", {"errors": report["errors"]})
    sites = await gw.json("GET", "/api/v1/websites", params={"q": SITE_CODE})
    accounts = await gw.json("GET", "/api/v1/accounts", params={"q": ACCOUNT_ID})
    site = next(s for s in sites["items"] if s["site_code"] == SITE_CODE)
    account = next(a for a in accounts["items"] if a["platform_account_id"] == ACCOUNT_ID)
    return str(site["id"]), str(account["id"])


async def run_demo(gw: Gateway, interval: float, say: Any) -> dict[str, Any]:
    """File the demo, inspect it to the end, and draft the circular; return what was made."""
    site_id, account_id = await file_demo(gw)
    say(f"已备案演示网站 {HOST}（网站标识码 {SITE_CODE}）和演示账号 {ACCOUNT_ID}")
    run = await gw.json("POST", "/api/v1/runs", json={
        "name": "演示检查：历下区示范网站", "profile": "national_2019",
        "scope": {"website_ids": [site_id], "account_ids": [account_id],
                  "target_types": ["website", "account"]}})
    say(f"已发起演示检查 {run['id']}")
    last = ""
    while run["status"] not in ("completed", "cancelled", "failed"):
        await asyncio.sleep(interval)
        run = await gw.json("GET", f"/api/v1/runs/{run['id']}")
        p = run["progress"]
        line = (f"检查进度：{run['status_label']}，目标 {p['targets_done']}/{p['targets_total']}，"
                f"页面 {p['pages_fetched']}，问题 {p['findings']}")
        if line != last:
            say(line)
            last = line
    findings = await gw.json("GET", "/api/v1/findings", params={"run_id": run["id"], "limit": 100})
    # Reporting's copy of the results arrives through the event relay (the command's --timeout
    # bounds the wait).
    while True:
        results = await gw.json("GET", "/api/v1/results", params={"run_id": run["id"]})
        if results["total"] >= run["progress"]["targets_done"]:
            break
        await asyncio.sleep(interval)
    # The quarter of the inspection so far: the circular counts exactly this run's results.
    as_of = datetime.fromisoformat(run["as_of"].replace("Z", "+00:00")).astimezone(SHANGHAI).date()
    circular = await gw.json("POST", "/api/v1/circulars", json={
        "region_code": REGION, "issuing_office": ORGANISATION,
        "period_start": _quarter_start(as_of).isoformat(), "period_end": as_of.isoformat(),
        "title": f"演示：历下区示范网站检查情况通报（{as_of.isoformat()}）"})
    return {"run": run, "findings": findings, "circular": circular}


async def cmd_demo(gw: Gateway, args: argparse.Namespace, out: Any) -> int:
    """The `demo` command (see the module docstring)."""
    try:
        made = await asyncio.wait_for(run_demo(gw, args.interval, lambda line: None if out.as_json
                                               else out.errors.print(line, markup=False)),
                                      args.timeout)
    except TimeoutError:
        raise CliError("演示未在限定时间内完成", {"detail": f"--timeout {args.timeout:.0f} 秒内检查或通报"
                       "未完成：请用 govinspect status 查看检查服务和通报服务的工作进程是否在运行"}) from None
    if out.as_json:
        out.data(made)
        return 0 if made["run"]["status"] == "completed" else 1
    items = made["findings"]["items"]
    out.say(f"演示检查完成：{made['run']['status_label']}，发现问题 {made['findings']['total']} 条")
    for f in items:
        out.say(f"  - [{f['severity_label']}] {f['target_name']}：{f['message']}（{f['url']}）")
    c = made["circular"]
    out.say(f"已起草通报 {c['id']}：{c['title']}")
    out.say(f"  下载：govinspect circular download {c['id']} --format docx")
    return 0 if made["run"]["status"] == "completed" else 1
