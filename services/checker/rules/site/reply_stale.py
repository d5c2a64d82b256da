"""Rule deduct.reply_stale (留言答复): consultation columns keep publishing replies.

Rule: when the consultation pages (read by interaction.py's parser) show no reply dated within
`window_months` calendar months before the monitoring point, deduct `points` once. Judged only
when the pages show reply dates, or show messages that are all unanswered; a list that marks
messages 已回复 without dates cannot be judged.
Indicator: 留言答复. Source: 国办秘函〔2019〕19号 扣分指标; RULES.md "Website deduction items".

Passing: monitoring point 2026-11-20, the newest reply in the 咨询 column is dated 2026-10-15.
Failing: the newest reply is dated 2026-08-01, or every listed message is still 未回复.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from services.checker.inspect.model import FindingDraft, SiteSnapshot
from services.checker.rules.site.domain import host_of
from services.checker.rules.site.interaction import InteractionLabels, site_messages
from services.checker.rules.site.updates import months_before, view_site

CODE = "deduct.reply_stale"
INDICATOR = "留言答复"


class Params(BaseModel):
    model_config = ConfigDict(extra="ignore")

    labels: InteractionLabels
    window_months: int
    points: float


def check(site: SiteSnapshot, params: Params) -> list[FindingDraft]:
    """Report consultation columns with no new reply within the window."""
    view = view_site(site)
    groups = site_messages(view, params.labels)
    messages = [m for _, ms in groups for m in ms]
    replies = sorted((m.replied_on for m in messages if m.replied_on is not None), reverse=True)
    today, since = view.today, months_before(view.today, params.window_months)
    if replies:
        if replies[0] >= since:
            return []
        message = (f"留言答复最近一次发布于{replies[0].isoformat()}，距监测时点（{today.isoformat()}）"
                   f"已{(today - replies[0]).days}天，超过{params.window_months}个月无新的答复")
    elif messages and all(m.answered is False for m in messages):
        message = (f"咨询类栏目所列{len(messages)}条留言均未答复，"
                   f"监测时点（{today.isoformat()}）前{params.window_months}个月内无答复")
    else:
        return []
    page = next((p for p, ms in groups if ms), None)
    return [FindingDraft(
        rule=CODE, indicator=INDICATOR, severity="deduct", points=params.points, message=message,
        locator=f"{CODE}|{host_of(view.home_url)}", url=page.url if page else None,
        parent_url=page.parent_url if page else None,
        suggestion="请及时答复网民留言并公开答复内容",
        detail={"newest_reply_on": replies[0].isoformat() if replies else None, "messages": len(messages),
                "window_months": params.window_months, "as_of": today.isoformat(),
                "pages": [p.url for p, ms in groups if ms]})]
