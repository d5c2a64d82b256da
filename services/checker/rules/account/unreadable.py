"""Rule account.unreadable (账号无法读取): the account's feed could not be read this run.

Rule: a feed that failed (timeouts, refusals, HTTP errors, a page without the configured
posts) is reported as unreadable with the failure class; an account for which the registry names
no feed is reported as not configured. Neither is "not updated": the update and content rules
say nothing about an account they could not read, and the account is not scored.
Indicator: 账号无法读取. Source: issue #4 ("an account whose feed fails is reported as
unreadable, which is not the same as not updated"); severities from the profile.

Passing: the feed answers with its posts (or the platform answers that the account is gone).
Failing: the feed URL answers HTTP 503 on every attempt.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from services.checker.ground.account import AccountSnapshot
from services.checker.ground.finding import FindingDraft, Severity

CODE = "account.unreadable"
INDICATOR = "账号无法读取"


class Params(BaseModel):
    model_config = ConfigDict(extra="ignore")

    severity_unreadable: Severity
    severity_not_configured: Severity


def check(account: AccountSnapshot, params: Params) -> list[FindingDraft]:
    """Report an account whose feed failed, or for which no feed is configured."""
    feed, t = account.feed, account.target
    if feed.status == "unreadable":
        why = feed.error or "读取失败"
        return [FindingDraft(
            rule=CODE, indicator=INDICATOR, severity=params.severity_unreadable,
            message=f"{t.platform_label}账号“{t.name}”本次无法读取（{why}），未判断其更新和内容情况",
            locator="unreadable", url=feed.source_url or t.url,
            suggestion="核实账号的信息源配置与平台访问情况，恢复后重新检查",
            detail={"kind": "unreadable", "failure_class": feed.failure_class, "error": feed.error})]
    if feed.status == "not_configured":
        return [FindingDraft(
            rule=CODE, indicator=INDICATOR, severity=params.severity_not_configured,
            message=f"{t.platform_label}账号“{t.name}”在备案库中未配置信息源，无法检查",
            locator="not_configured", url=t.url,
            suggestion="在备案库中为该账号配置信息源（RSS/Atom、JSON、主页或推送）",
            detail={"kind": "not_configured"})]
    return []
