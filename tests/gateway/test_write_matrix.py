"""The write matrix: every write operation of the public API × every role × in and out of scope.

The operations come from the gateway's merged OpenAPI document at test time: a write operation
without an entry in `MATRIX` fails the test. Each entry says which roles may do it and how its
scope is checked:

- `path`: the row named in the path belongs to 历下区 (in scope of the 历下区 keys) or 市中区
  (out of scope): out of scope answers 404;
- `body`: a reference in the body names 市中区: 422;
- `national`: national reference data: 403 for everyone but a national administrator;
- `region`: a region code in the body outside scope: 403 (the caller holds no such region);
- `maker`: shared configuration only its maker changes: 403 for anyone else;
- `own`: the caller's own credentials or subscriptions (keys, clients, webhooks): 404 for another's.

A role not allowed answers 403 — or 404 when the row is out of its scope as well (the row is
looked up first and is not shown to it; either way nothing is written).

A role not allowed answers 403 whatever the row. Every refusal is made first, and the world read
back before and after must be the same: nothing was written. Then one allowed caller in scope
gets a 2xx.
"""

from __future__ import annotations

import base64
import itertools
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from shared.principal import Role
from tests.checker.emblemfixture import emblem
from tests.gateway.conftest import Gateway
from tests.gateway.test_scope_matrix import (
    CITY,
    LIXIA,
    ORGS,
    SEES,
    SHIZHONG,
    World,
    world,
)

__all__ = ["world"]

ADMIN, SUP, UNIT, INTEG, VIEW = (Role.administrator, Role.supervisor, Role.unit,
                                 Role.integration, Role.viewer)
WRITERS = {ADMIN, SUP, INTEG}
# principal: (role, tags of rows in scope); `lx` rows are 历下区's, `sz` rows 市中区's.
CALLERS: dict[str, tuple[Role, set[str]]] = {
    "admin": (ADMIN, {"lx", "lxu", "sz", "city", "prov"}),  # national (the bootstrap key)
    "lixia_admin": (ADMIN, SEES["lixia"]),
    "lixia": (SUP, SEES["lixia"]),
    "shizhong": (SUP, SEES["shizhong"]),
    "city": (SUP, SEES["city"]),
    "province": (SUP, SEES["province"]),
    "unit": (UNIT, SEES["unit"]),
    "lixia_system": (INTEG, SEES["lixia"]),
    "channel": (INTEG, SEES["province"]),
    "lixia_viewer": (VIEW, SEES["lixia"]),
}
_n = itertools.count(1)
IMAGE = b"\x89PNG\r\n\x1a\n" + bytes(32)
EMBLEM = base64.b64encode(emblem("current", size=64)).decode()  # a real PNG (perceptual hash)

Body = Callable[[World, str], Any]


@dataclass(frozen=True)
class Op:
    roles: set[Role]  # roles allowed at all (others: 403)
    scope: str  # path | body | national | own | none
    url: Callable[[World, str], str]  # the URL for a row of tag `lx` or `sz`
    body: Body | None  # JSON body for a target tag
    ok: int  # the status of the allowed call in scope
    reason: str
    files: bool = False  # the body is an uploaded JSON file
    version_of: str = ""  # the row whose ETag the write must carry (If-Match), by resource
    by: str = ""  # who makes the allowed call (default: 历下区's supervisor, or its system)
    upload: bool = False  # the body is an uploaded image (multipart field `file`)


def _id(resource: str) -> Callable[[World, str], str]:
    return lambda w, t: w.ids[resource][t]


def _u(template: str, resource: str | None = None) -> Callable[[World, str], str]:
    if resource is None:
        return lambda w, t: template
    return lambda w, t: template.format(id=w.ids[resource][t])


def _site_ref(w: World, t: str) -> dict[str, Any]:
    s = w.sites[t]
    return {"id": s["id"], "site_code": s["site_code"], "name": s["name"],
            "organisation_id": s["organisation_id"], "organisation_name": ORGS[t][0],
            "region_code": ORGS[t][1]}


def _region(t: str) -> str:
    return SHIZHONG if t == "sz" else LIXIA


def _website(w: World, t: str) -> dict[str, Any]:
    n = next(_n)
    domain = f"m{n}.{'shizhong' if t == 'sz' else 'lixia'}.gov.cn"
    return {"site_code": f"{_region(t)}{9000 + n:04d}", "name": f"矩阵网站{n}",
            "organisation_id": w.orgs[t]["id"], "kind": "department", "domains": [domain],
            "home_url": f"https://{domain}/"}


def _import(w: World, t: str) -> list[dict[str, Any]]:
    n = next(_n)
    return [{"单位名称": f"矩阵导入单位{n}", "单位类型": "county_department", "所在区划": _region(t)}]


MATRIX: dict[tuple[str, str], Op] = {
    # --- registry
    ("POST", "/api/v1/regions"): Op(
        {ADMIN, SUP}, "region", _u("/api/v1/regions"),
        lambda w, t: {"code": f"3701{80 + next(_n) % 19}", "name": f"矩阵区{next(_n)}",
                      "parent_code": CITY},
        201, "区划是参考数据：管理员与监管单位在本辖区内新增（区县之下无区划：市里加）", by="city"),
    ("POST", "/api/v1/organisations/import"): Op(
        WRITERS, "body", _u("/api/v1/organisations/import"), _import, 200,
        "批量导入单位：行所在区划须在辖区内", files=True),
    ("POST", "/api/v1/websites/import"): Op(
        WRITERS, "none", _u("/api/v1/websites/import"), lambda w, t: [], 200,
        "批量导入网站（空文件只验权）", files=True),
    ("POST", "/api/v1/accounts/import"): Op(
        WRITERS, "none", _u("/api/v1/accounts/import"), lambda w, t: [], 200,
        "批量导入账号（空文件只验权）", files=True),
    ("POST", "/api/v1/organisations"): Op(
        WRITERS, "region", _u("/api/v1/organisations"),
        lambda w, t: {"name": f"矩阵单位{next(_n)}", "kind": "county_department",
                      "region_code": _region(t)}, 201, "新单位的区划须在辖区内"),
    ("PATCH", "/api/v1/organisations/{org_id}"): Op(
        WRITERS, "path", _u("/api/v1/organisations/{id}", "organisations"),
        lambda w, t: {"name": f"{ORGS[t][0]}（矩阵）"}, 200, "改单位：单位须在辖区内",
        version_of="organisations"),
    ("POST", "/api/v1/websites"): Op(
        WRITERS | {UNIT}, "body", _u("/api/v1/websites"), _website, 201,
        "登记网站：主办单位须在辖区内（单位只登记本单位的）"),
    ("POST", "/api/v1/websites/{site_id}/filings"): Op(
        WRITERS | {UNIT}, "path", _u("/api/v1/websites/{id}/filings", "websites"),
        lambda w, t: {"action": "change", "changes": {"name": f"矩阵网站改名{next(_n)}"}}, 201,
        "网站备案变更：网站须在辖区内",
        version_of="websites"),
    ("POST", "/api/v1/accounts"): Op(
        WRITERS | {UNIT}, "body", _u("/api/v1/accounts"),
        lambda w, t: {"platform": "weibo", "platform_account_id": f"mx{next(_n)}",
                      "name": f"矩阵账号{next(_n)}", "sponsor_id": w.orgs[t]["id"],
                      "status": "running"}, 201, "登记账号：主办单位须在辖区内"),
    ("POST", "/api/v1/accounts/{account_id}/filings"): Op(
        WRITERS | {UNIT}, "path", _u("/api/v1/accounts/{id}/filings", "accounts"),
        lambda w, t: {"action": "change", "changes": {"name": f"矩阵账号改名{next(_n)}"}}, 201,
        "账号备案变更：账号须在辖区内",
        version_of="accounts"),
    ("PUT", "/api/v1/calendar/years/{year}"): Op(
        {ADMIN}, "national", _u("/api/v1/calendar/years/2028"),
        lambda w, t: {"holidays": ["2028-01-01"], "workdays": []}, 200,
        "节假日安排是全国数据：仅全国管理员"),
    # --- checker
    ("POST", "/api/v1/emblems"): Op(
        {ADMIN}, "national", _u("/api/v1/emblems"),
        lambda w, t: {"name": "矩阵国徽", "status": "current", "image": EMBLEM}, 201,
        "国徽参考图是全国数据：仅全国管理员"),
    ("DELETE", "/api/v1/emblems/{emblem_id}"): Op(
        {ADMIN}, "national", _u("/api/v1/emblems/{id}", "emblems"), None, 204,
        "国徽参考图是全国数据：仅全国管理员"),
    ("POST", "/api/v1/runs"): Op(
        WRITERS, "body", _u("/api/v1/runs"),
        lambda w, t: {"name": "矩阵检查", "scope": {"website_ids": [w.sites[t]["id"]]}}, 201,
        "发起检查：范围内的网站须在辖区内"),
    ("POST", "/api/v1/runs/{run_id}/cancel"): Op(
        WRITERS, "path", _u("/api/v1/runs/{id}/cancel", "runs"), lambda w, t: {}, 200,
        "取消检查：批次须在辖区内"),
    ("POST", "/api/v1/rechecks"): Op(
        WRITERS | {UNIT}, "body", _u("/api/v1/rechecks"),
        lambda w, t: {"target_id": w.sites[t]["id"], "rules": ["content.typo"],
                      "reason": "矩阵复核"}, 201,
        "复核：对象须在辖区内（单位复核本单位的）"),
    ("POST", "/api/v1/plans"): Op(
        WRITERS, "body", _u("/api/v1/plans"),
        lambda w, t: {"name": f"矩阵计划{next(_n)}", "scope": {"regions": [_region(t)]}}, 201,
        "检查计划：范围须在辖区内"),
    ("POST", "/api/v1/plans/{plan_id}/runs"): Op(
        WRITERS, "path", _u("/api/v1/plans/{id}/runs", "plans"), lambda w, t: {}, 201,
        "按计划发起检查：计划须在辖区内"),
    ("PUT", "/api/v1/findings/{finding_id}/verdict"): Op(
        {ADMIN, SUP}, "path", _u("/api/v1/findings/{id}/verdict", "findings"),
        lambda w, t: {"verdict": "confirmed"}, 200, "人工研判：问题须在辖区内"),
    ("POST", "/api/v1/findings/verdicts"): Op(
        {ADMIN, SUP}, "body", _u("/api/v1/findings/verdicts"),
        lambda w, t: {"ids": [w.ids["findings"][t]], "verdict": "false_positive"}, 200,
        "批量研判：列出的问题须在辖区内"),
    ("PUT", "/api/v1/profiles/{name}"): Op(
        {ADMIN, SUP}, "none", lambda w, t: f"/api/v1/profiles/matrix_{t}",
        lambda w, t: {"name": f"matrix_{t}", "overrides": {}}, 200,
        "本地规则配置：管理员与监管单位；改他人的另有测试（国家配置见 test_scope_matrix）"),
    ("POST", "/api/v1/wordlists/{list_name}"): Op(
        {ADMIN, SUP}, "body", _u("/api/v1/wordlists/typo"),
        lambda w, t: {"wrong": f"矩阵错词{next(_n)}", "right": "矩阵正词", "region_code": _region(t)},
        201, "地方词条：区划须在辖区内（全国词条见 test_scope_matrix）"),
    ("DELETE", "/api/v1/wordlists/{list_name}/{entry_id}"): Op(
        {ADMIN, SUP}, "maker", lambda w, t: f"/api/v1/wordlists/typo/{w.ids['words'][t]}", None,
        204, "删除地方词条：仅其制定者（他人 403）"),
    ("POST", "/api/v1/accounts/{account_id}/posts"): Op(
        WRITERS | {UNIT}, "path", _u("/api/v1/accounts/{id}/posts", "accounts"),
        lambda w, t: {"posts": [{"platform_post_id": f"p{next(_n)}", "title": "矩阵文章",
                                 "published_at": "2026-11-19T08:00:00+08:00"}]}, 200,
        "推送账号文章：账号须在辖区内"),
    ("POST", "/api/v1/posts:bulk"): Op(
        WRITERS | {UNIT}, "body", _u("/api/v1/posts:bulk"),
        lambda w, t: {"posts": [{"account_id": w.ids["accounts"][t],
                                 "platform_post_id": f"b{next(_n)}", "title": "矩阵文章",
                                 "published_at": "2026-11-19T08:00:00+08:00"}]}, 200,
        "批量推送文章：每个账号须在辖区内"),
    # --- reporting (practices before the drafts are published; disputes accepted before new ones)
    ("POST", "/api/v1/practices"): Op(
        WRITERS | {UNIT}, "body", _u("/api/v1/practices"),
        lambda w, t: {"organisation_id": w.orgs[t]["id"], "title": "矩阵做法", "text": "矩阵正文"},
        201, "提交典型做法：单位须在辖区内（单位只为本单位提交）"),
    ("PATCH", "/api/v1/practices/{practice_id}"): Op(
        WRITERS | {UNIT}, "path", _u("/api/v1/practices/{id}", "practices"),
        lambda w, t: {"text": f"矩阵修改{next(_n)}"}, 200, "修改典型做法：做法须在辖区内",
        version_of="practices"),
    ("POST", "/api/v1/practices/{practice_id}/images"): Op(
        WRITERS | {UNIT}, "path", _u("/api/v1/practices/{id}/images", "practices"), None, 201,
        "上传做法配图：做法须在辖区内", upload=True),
    ("POST", "/api/v1/practices/{practice_id}/shortlist"): Op(
        {ADMIN, SUP}, "path", _u("/api/v1/practices/{id}/shortlist", "practices"),
        lambda w, t: {"circular_id": w.ids["drafts"]["sz" if t == "sz" else "lx"]}, 200,
        "选入通报：做法须在辖区内"),
    ("POST", "/api/v1/circulars/{circular_id}/practices/draft"): Op(
        {ADMIN, SUP}, "path", lambda w, t: f"/api/v1/circulars/{w.ids['drafts'][t]}/practices/draft",
        lambda w, t: {}, 200, "起草主要做法：通报须在辖区内"),
    ("DELETE", "/api/v1/practices/{practice_id}/shortlist"): Op(
        {ADMIN, SUP}, "path", _u("/api/v1/practices/{id}/shortlist", "practices"), None, 200,
        "撤出通报：做法须在辖区内"),
    ("POST", "/api/v1/practices/{practice_id}/decline"): Op(
        {ADMIN, SUP}, "path", _u("/api/v1/practices/{id}/decline", "practices"),
        lambda w, t: {"note": "矩阵不采用"}, 200, "不采用做法：做法须在辖区内"),
    ("POST", "/api/v1/rectifications/{item_id}/attachments"): Op(
        WRITERS | {UNIT}, "path", _u("/api/v1/rectifications/{id}/attachments", "rectifications"),
        None, 201, "上传整改附件：事项须在辖区内（单位只传本单位的）", upload=True),
    ("POST", "/api/v1/disputes/{dispute_id}/accept"): Op(
        {ADMIN, SUP}, "path", _u("/api/v1/disputes/{id}/accept", "disputes"),
        lambda w, t: {"note": "矩阵采纳"}, 200, "采纳申辩：申辩须在辖区内"),
    ("POST", "/api/v1/disputes/{dispute_id}/reject"): Op(
        {ADMIN, SUP}, "path", _u("/api/v1/disputes/{id}/reject", "rejectable"),
        lambda w, t: {"note": "矩阵不采纳"}, 200, "不采纳申辩：申辩须在辖区内"),
    ("POST", "/api/v1/disputes"): Op(
        WRITERS | {UNIT}, "body", _u("/api/v1/disputes"),
        lambda w, t: {"finding_id": w.ids["findings"][t], "kind": "false_positive",
                      "reason": "矩阵申辩"}, 201, "申辩：问题须在辖区内（单位只申辩本单位的）"),
    ("POST", "/api/v1/consolidation/decisions"): Op(
        {ADMIN, SUP}, "body", _u("/api/v1/consolidation/decisions"),
        lambda w, t: {"account_id": w.ids["accounts"][t], "action": "improve"}, 201,
        "瘦身决定：账号须在辖区内"),
    ("POST", "/api/v1/consolidation/decisions/{decision_id}/confirm"): Op(
        {ADMIN, UNIT, INTEG}, "path", _u("/api/v1/consolidation/decisions/{id}/confirm", "decisions"),
        lambda w, t: {"note": "矩阵确认"}, 200,
        "确认整合或关停：由账号的主办单位（或代其报备的集成方）确认", by="lixia_system"),
    ("POST", "/api/v1/circulars"): Op(
        {ADMIN, SUP}, "region", _u("/api/v1/circulars"),
        lambda w, t: {"region_code": _region(t), "quarter": "2026Q3",
                      "issuing_office": ORGS[t][0]}, 201, "起草通报：区划须在辖区内"),
    ("PATCH", "/api/v1/circulars/{circular_id}"): Op(
        {ADMIN, SUP}, "path", lambda w, t: f"/api/v1/circulars/{w.ids['drafts'][t]}",
        lambda w, t: {"title": "矩阵通报"}, 200, "改通报草稿：通报须在辖区内"),
    ("POST", "/api/v1/circulars/{circular_id}/publish"): Op(
        {ADMIN, SUP}, "path", lambda w, t: f"/api/v1/circulars/{w.ids['drafts'][t]}/publish",
        lambda w, t: {"number": "矩阵〔2026〕99号"}, 200, "发布通报：通报须在辖区内"),
    ("POST", "/api/v1/circulars/{circular_id}/corrections"): Op(
        {ADMIN, SUP}, "path", _u("/api/v1/circulars/{id}/corrections", "circulars"), None, 201,
        "更正通报：原通报须在辖区内"),
    ("POST", "/api/v1/rectifications/{item_id}/report"): Op(
        WRITERS | {UNIT}, "path", _u("/api/v1/rectifications/{id}/report", "rectifications"),
        lambda w, t: {"note": "矩阵上报"}, 200, "上报整改：事项须在辖区内（单位只报本单位的）"),
    ("POST", "/api/v1/rectifications/{item_id}/close"): Op(
        {ADMIN, SUP}, "path", _u("/api/v1/rectifications/{id}/close", "rectifications"),
        lambda w, t: {"note": "矩阵关闭"}, 200, "关闭整改：事项须在辖区内"),
    ("POST", "/api/v1/rectifications/{item_id}/reopen"): Op(
        {ADMIN, SUP}, "path", _u("/api/v1/rectifications/{id}/reopen", "rectifications"),
        lambda w, t: {"note": "矩阵重开"}, 200, "重开整改：事项须在辖区内"),
    ("POST", "/api/v1/error-reports"): Op(
        WRITERS, "body", _u("/api/v1/error-reports"),
        lambda w, t: {"website": _site_ref(w, t), "category": "typo", "content": "矩阵留言"}, 201,
        "找错留言：网站须在辖区内"),
    ("POST", "/api/v1/error-reports/{report_id}/answer"): Op(
        WRITERS | {UNIT}, "path", _u("/api/v1/error-reports/{id}/answer", "error-reports"),
        lambda w, t: {"answer": "矩阵答复"}, 200, "答复留言：留言须在辖区内（单位只答本单位的）"),
    ("POST", "/api/v1/results/backfill"): Op(
        WRITERS, "path", _u("/api/v1/results/backfill"),
        lambda w, t: {"run_id": w.ids["runs"][t]}, 200, "补录结果：批次须在辖区内（批次不可见：404）"),
    ("POST", "/api/v1/notice-contacts"): Op(
        {ADMIN, SUP}, "region", _u("/api/v1/notice-contacts"),
        lambda w, t: {"role": "supervisor", "region_code": _region(t), "name": "矩阵通知邮箱",
                      "email": f"m{next(_n)}@example.gov.cn"}, 201,
        "登记通知邮箱：区划须在辖区内"),
    # --- gateway
    ("POST", "/api/v1/keys"): Op(
        {ADMIN, SUP}, "region", _u("/api/v1/keys"),
        lambda w, t: {"name": "矩阵密钥", "roles": ["viewer"], "regions": [_region(t)]}, 201,
        "新密钥的范围不得超出自己的"),
    ("POST", "/api/v1/keys/{key_id}/rotate"): Op(
        {ADMIN, SUP}, "own", lambda w, t: f"/api/v1/keys/{w.ids['mkeys'][t]}/rotate", None, 200,
        "轮换密钥：只对辖区内签发的"),
    ("DELETE", "/api/v1/keys/{key_id}"): Op(
        {ADMIN, SUP}, "own", lambda w, t: f"/api/v1/keys/{w.ids['mkeys'][t]}", None, 204,
        "吊销密钥：只对辖区内签发的"),
    ("POST", "/api/v1/clients"): Op(
        {ADMIN, SUP}, "region", _u("/api/v1/clients"),
        lambda w, t: {"name": "矩阵客户端", "roles": ["viewer"], "regions": [_region(t)]}, 201,
        "新客户端的范围不得超出自己的"),
    ("POST", "/api/v1/clients/{client_id}/rotate"): Op(
        {ADMIN, SUP}, "own", lambda w, t: f"/api/v1/clients/{w.ids['clients'][t]}/rotate", None,
        200, "轮换客户端：只对辖区内签发的"),
    ("DELETE", "/api/v1/clients/{client_id}"): Op(
        {ADMIN, SUP}, "own", lambda w, t: f"/api/v1/clients/{w.ids['clients'][t]}", None, 204,
        "吊销客户端：只对辖区内签发的"),
    ("POST", "/api/v1/webhooks"): Op(
        {ADMIN, INTEG}, "none", _u("/api/v1/webhooks"),
        lambda w, t: {"url": "http://127.0.0.1:9/hook", "events": ["rectification.overdue"]}, 201,
        "订阅属于集成方（与管理员）"),
    ("PATCH", "/api/v1/webhooks/{webhook_id}"): Op(
        {ADMIN, INTEG}, "own", _u("/api/v1/webhooks/{id}", "webhooks"),
        lambda w, t: {"description": "矩阵"}, 200, "只改自己的订阅"),
    ("POST", "/api/v1/webhooks/{webhook_id}/rotate-secret"): Op(
        {ADMIN, INTEG}, "own", _u("/api/v1/webhooks/{id}/rotate-secret", "webhooks"), None, 200,
        "只轮换自己订阅的密钥"),
    ("DELETE", "/api/v1/webhooks/{webhook_id}"): Op(
        {ADMIN, INTEG}, "own", _u("/api/v1/webhooks/{id}", "webhooks"), None, 204,
        "只删自己的订阅"),
    ("POST", "/api/v1/webhooks/deliveries/{delivery_id}/replay"): Op(
        {ADMIN, INTEG}, "own",
        lambda w, t: "/api/v1/webhooks/deliveries/00000000-0000-4000-8000-000000000000/replay",
        None, 404, "重投只对自己订阅的投递（此世界无投递：404）"),
}
# Where the allowed write in scope shows (a URL read by the national administrator before and
# after it, which must differ; `{account}`: 历下区's account); None where no read shows it: an
# empty import file, a backfill of results already held, a replay of no delivery, a new secret.
WRITTEN: dict[tuple[str, str], str | None] = {
    ("POST", "/api/v1/regions"): "/api/v1/regions",
    ("POST", "/api/v1/organisations/import"): "/api/v1/organisations",
    ("POST", "/api/v1/websites/import"): None,
    ("POST", "/api/v1/accounts/import"): None,
    ("POST", "/api/v1/organisations"): "/api/v1/organisations",
    ("PATCH", "/api/v1/organisations/{org_id}"): "/api/v1/organisations",
    ("POST", "/api/v1/websites"): "/api/v1/websites",
    ("POST", "/api/v1/websites/{site_id}/filings"): "/api/v1/filings",
    ("POST", "/api/v1/accounts"): "/api/v1/accounts",
    ("POST", "/api/v1/accounts/{account_id}/filings"): "/api/v1/filings",
    ("PUT", "/api/v1/calendar/years/{year}"): "/api/v1/calendar/years/2028",
    ("POST", "/api/v1/emblems"): "/api/v1/emblems",
    ("DELETE", "/api/v1/emblems/{emblem_id}"): "/api/v1/emblems",
    ("POST", "/api/v1/runs"): "/api/v1/runs",
    ("POST", "/api/v1/runs/{run_id}/cancel"): "/api/v1/runs",
    ("POST", "/api/v1/rechecks"): "/api/v1/runs",
    ("POST", "/api/v1/plans"): "/api/v1/plans",
    ("POST", "/api/v1/plans/{plan_id}/runs"): "/api/v1/runs",
    ("PUT", "/api/v1/findings/{finding_id}/verdict"): "/api/v1/findings",
    ("POST", "/api/v1/findings/verdicts"): "/api/v1/findings",
    ("PUT", "/api/v1/profiles/{name}"): "/api/v1/profiles",
    ("POST", "/api/v1/wordlists/{list_name}"): "/api/v1/wordlists/typo",
    ("DELETE", "/api/v1/wordlists/{list_name}/{entry_id}"): "/api/v1/wordlists/typo",
    ("POST", "/api/v1/accounts/{account_id}/posts"): "/api/v1/accounts/{account}/posts",
    ("POST", "/api/v1/posts:bulk"): "/api/v1/accounts/{account}/posts",
    ("POST", "/api/v1/practices"): "/api/v1/practices",
    ("PATCH", "/api/v1/practices/{practice_id}"): "/api/v1/practices",
    ("POST", "/api/v1/practices/{practice_id}/images"): None,  # shown once listed in `images`
    ("POST", "/api/v1/practices/{practice_id}/shortlist"): "/api/v1/practices",
    ("POST", "/api/v1/circulars/{circular_id}/practices/draft"): None,  # the draft's narrative
    ("DELETE", "/api/v1/practices/{practice_id}/shortlist"): "/api/v1/practices",
    ("POST", "/api/v1/practices/{practice_id}/decline"): "/api/v1/practices",
    ("POST", "/api/v1/rectifications/{item_id}/attachments"): None,  # shown once reported
    ("POST", "/api/v1/disputes/{dispute_id}/accept"): "/api/v1/disputes",
    ("POST", "/api/v1/disputes/{dispute_id}/reject"): "/api/v1/disputes",
    ("POST", "/api/v1/disputes"): "/api/v1/disputes",
    ("POST", "/api/v1/consolidation/decisions"): "/api/v1/consolidation/decisions",
    ("POST", "/api/v1/consolidation/decisions/{decision_id}/confirm"):
        "/api/v1/consolidation/decisions",
    ("POST", "/api/v1/circulars"): "/api/v1/circulars",
    ("PATCH", "/api/v1/circulars/{circular_id}"): "/api/v1/circulars",
    ("POST", "/api/v1/circulars/{circular_id}/publish"): "/api/v1/circulars",
    ("POST", "/api/v1/circulars/{circular_id}/corrections"): "/api/v1/circulars",
    ("POST", "/api/v1/rectifications/{item_id}/report"): "/api/v1/rectifications",
    ("POST", "/api/v1/rectifications/{item_id}/close"): "/api/v1/rectifications",
    ("POST", "/api/v1/rectifications/{item_id}/reopen"): "/api/v1/rectifications",
    ("POST", "/api/v1/error-reports"): "/api/v1/error-reports",
    ("POST", "/api/v1/error-reports/{report_id}/answer"): "/api/v1/error-reports",
    ("POST", "/api/v1/results/backfill"): None,
    ("POST", "/api/v1/notice-contacts"): "/api/v1/notice-contacts",
    ("POST", "/api/v1/keys"): "/api/v1/keys",
    ("POST", "/api/v1/keys/{key_id}/rotate"): "/api/v1/keys",
    ("DELETE", "/api/v1/keys/{key_id}"): "/api/v1/keys",
    ("POST", "/api/v1/clients"): "/api/v1/clients",
    ("POST", "/api/v1/clients/{client_id}/rotate"): "/api/v1/clients",
    ("DELETE", "/api/v1/clients/{client_id}"): "/api/v1/clients",
    ("POST", "/api/v1/webhooks"): "/api/v1/webhooks",
    ("PATCH", "/api/v1/webhooks/{webhook_id}"): "/api/v1/webhooks",
    ("POST", "/api/v1/webhooks/{webhook_id}/rotate-secret"): None,  # a secret is never shown
    ("DELETE", "/api/v1/webhooks/{webhook_id}"): "/api/v1/webhooks",
    ("POST", "/api/v1/webhooks/deliveries/{delivery_id}/replay"): None,
}
WRITE_METHODS = {"post", "put", "patch", "delete"}
UNAUTHENTICATED = {("POST", "/oauth/token")}
# Webhooks belong to integrations: their "in scope" is their own subscription, not a region.
OWNER = {"lixia_system": "lx", "shizhong_system": "sz"}


async def _snapshot(w: World) -> dict[str, Any]:
    """What a national administrator reads of the world: it must not move under refusals."""
    urls = ["/api/v1/regions", "/api/v1/organisations", "/api/v1/websites", "/api/v1/accounts",
            "/api/v1/filings", "/api/v1/runs", "/api/v1/plans", "/api/v1/findings",
            "/api/v1/circulars", "/api/v1/rectifications", "/api/v1/error-reports",
            "/api/v1/results", "/api/v1/notice-contacts", "/api/v1/keys", "/api/v1/clients", "/api/v1/webhooks",
            "/api/v1/profiles", "/api/v1/wordlists/typo", "/api/v1/calendar/years/2026",
            "/api/v1/emblems"]
    urls += [f"/api/v1/accounts/{row}/posts" for row in w.ids["accounts"].values()]
    return {url: await _read(w, url) for url in urls}


async def _read(w: World, url: str) -> tuple[int, Any]:
    """Status and body of a GET by the national administrator."""
    unpaged = url.startswith(("/api/v1/plans", "/api/v1/circulars", "/api/v1/profiles",
                              "/api/v1/wordlists", "/api/v1/calendar", "/api/v1/notice-contacts",
                              "/api/v1/emblems"))
    r = await w.gw.call("GET", url.format(account=w.ids["accounts"]["lx"]),
                        params={} if unpaged else {"limit": 200})
    year_not_loaded = r.status_code == 422 and url.startswith("/api/v1/calendar/years/")
    assert r.status_code == 200 or year_not_loaded, (url, r.status_code, r.text)
    body = r.json()
    if url in ("/api/v1/keys", "/api/v1/clients"):  # using a key is not writing it
        body = [{k: v for k, v in item.items() if "used" not in k} for item in body["items"]]
    return r.status_code, body


async def _prepare(w: World) -> None:
    """Rows the matrix acts on that the scope world lacks: drafts, word entries, keys, clients."""
    gw = w.gw
    w.keys["admin"] = gw.admin
    w.keys["lixia_admin"] = await gw.key(["administrator"], regions=[LIXIA])
    w.keys["lixia_viewer"] = await gw.key(["viewer"], regions=[LIXIA])
    for tag, who in (("lx", "lixia"), ("sz", "shizhong")):
        region = ORGS[tag][1]
        c = await gw.ok("POST", "/api/v1/circulars", w.keys[who], json={
            "region_code": region, "quarter": "2026Q3", "issuing_office": ORGS[tag][0]})
        w.add("drafts", tag, c["id"])
        e = await gw.ok("POST", "/api/v1/wordlists/typo", w.keys[who], json={
            "wrong": f"矩阵旧词{tag}", "right": "矩阵新词", "region_code": region})
        w.add("words", tag, e["id"])
        k = await gw.ok("POST", "/api/v1/keys", w.keys[who], json={
            "name": f"矩阵下级密钥{tag}", "roles": ["viewer"], "regions": [region]})
        w.add("mkeys", tag, k["id"])
        c = await gw.ok("POST", "/api/v1/clients", w.keys[who], json={
            "name": f"矩阵下级客户端{tag}", "roles": ["viewer"], "regions": [region]})
        w.add("clients", tag, c["client_id"])
    w.keys["lx_owner"] = w.keys["lixia_system"]
    emblem_ref = await gw.ok("POST", "/api/v1/emblems", gw.admin, json={
        "name": "矩阵旧国徽", "status": "superseded", "image": EMBLEM})
    for tag in ("lx", "sz"):  # national data: one row, whoever's scope
        w.add("emblems", tag, emblem_ref["id"])
    for tag, who in (("lx", "lixia"), ("lxu", "lixia"), ("sz", "shizhong")):
        p = await gw.ok("POST", "/api/v1/practices", w.keys[who], json={
            "organisation_id": w.orgs[tag]["id"], "title": f"矩阵做法{tag}", "text": "矩阵正文"})
        w.add("practices", tag, p["id"])
    for tag, who in (("lx", "lixia"), ("lxu", "lixia"), ("sz", "shizhong")):
        d = await gw.ok("POST", "/api/v1/consolidation/decisions", w.keys[who], json={
            "account_id": w.ids["accounts"][tag], "action": "close"})
        w.add("decisions", tag, d["id"])
    # Disputes awaiting a decision: one to accept per county, and one to reject (of another
    # finding: a finding has one pending dispute at most) — 历下区 unit's, and the city's.
    for resource, tag, finding, who in (("disputes", "lx", "lx", "lixia"),
                                        ("disputes", "sz", "sz", "shizhong"),
                                        ("rejectable", "lx", "lxu", "lixia"),
                                        ("rejectable", "sz", "city", "city")):
        d = await gw.ok("POST", "/api/v1/disputes", w.keys[who], json={
            "finding_id": w.ids["findings"][finding], "kind": "doubtful", "reason": "矩阵待定"})
        w.add(resource, tag, d["id"])


def _unit_tag(op: Op, w: World) -> str:
    try:
        op.url(w, "lxu")
    except KeyError:
        return "lx"
    return "lxu"


def _call_args(op: Op, w: World, tag: str) -> dict[str, Any]:
    body = op.body(w, tag) if op.body else None
    if op.upload:
        return {"files": {"file": ("m.png", IMAGE, "image/png")}}
    if op.files:
        return {"params": {"format": "json"},
                "files": {"file": ("m.json", json.dumps(body).encode(), "application/json")}}
    return {"json": body} if body is not None else {}


def _expected(op: Op, who: str, tag: str) -> set[int]:
    """What `who` gets acting on a row (or reference) of `tag` ({0}: allowed)."""
    role, sees = CALLERS[who]
    if role not in op.roles:
        return {403, 404} if op.scope == "path" and tag not in sees else {403}
    return {_scoped(op, who, tag, sees)}


def _scoped(op: Op, who: str, tag: str, sees: set[str]) -> int:
    if op.scope == "national":
        return 200 if who == "admin" else 403
    if op.scope == "own" and op.roles == {ADMIN, INTEG}:  # webhooks: the owner's only
        return 0 if who == "admin" or OWNER.get(who) == tag else 404
    if tag in sees or op.scope == "none":
        return 0  # allowed
    return {"body": 422, "region": 403, "maker": 403}.get(op.scope, 404)


async def test_every_write_operation_has_a_matrix_entry(full_gateway: Gateway) -> None:
    r = await full_gateway.client.get("/openapi.json")
    assert r.status_code == 200, r.text
    writes = {(m.upper(), p) for p, item in r.json()["paths"].items() for m in item
              if m in WRITE_METHODS} - UNAUTHENTICATED
    assert writes - set(MATRIX) == set(), "write operations without a matrix entry"
    assert set(MATRIX) - writes == set(), "matrix entries for no operation"
    assert set(WRITTEN) == set(MATRIX)


async def test_every_write_refuses_every_role_and_scope_it_must(world: World) -> None:
    w = world
    await _prepare(w)
    before = await _snapshot(w)
    calls, wrong = 0, list[tuple[Any, ...]]()
    for (method, path), op in MATRIX.items():
        for who in CALLERS:
            for tag in ("lx", "sz"):
                if who == "unit" and tag == "lx":  # a unit's own rows are the 历下区 unit's
                    tag = _unit_tag(op, w)
                expected = _expected(op, who, tag)
                if expected & {0, 200}:
                    continue
                r = await w.gw.call(method, op.url(w, tag), w.keys[who], **_call_args(op, w, tag))
                calls += 1
                if r.status_code not in expected:
                    wrong.append((method, path, who, tag, expected, r.status_code, r.text[:160]))
    assert wrong == [], "\n".join(map(str, wrong))
    assert calls > 300
    assert await _snapshot(w) == before, "a refused write changed the world"
    # The allowed call in scope: 历下区's supervisor (or integration, for webhooks; the national
    # administrator for national data) on 历下区's row.
    for (method, path), op in MATRIX.items():
        who = op.by or {frozenset({ADMIN}): "admin",
               frozenset({ADMIN, INTEG}): "lixia_system"}.get(frozenset(op.roles), "lixia")
        shows = WRITTEN[method, path]
        before_write = await _read(w, shows) if shows else None
        headers = {}
        if op.version_of:
            row = await w.gw.call("GET", f"/api/v1/{op.version_of}/{w.ids[op.version_of]['lx']}")
            headers["If-Match"] = row.headers["etag"]
        r = await w.gw.call(method, op.url(w, "lx"), w.keys[who], headers=headers,
                            **_call_args(op, w, "lx"))
        if r.status_code != op.ok:
            wrong.append((method, path, who, op.ok, r.status_code, r.text[:160]))
        elif shows and await _read(w, shows) == before_write:
            wrong.append((method, path, who, "nothing written to", shows))
    assert wrong == [], "\n".join(map(str, wrong))
