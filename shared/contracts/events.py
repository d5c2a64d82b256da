"""The event envelope and the names of events that cross services."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from pydantic import BaseModel

DELIVER_JOB = "event.deliver"

# What a filing action is called in an event name: website.registered, account.closed, …
ACTION_EVENT_SUFFIX = {
    "register": "registered",
    "open": "opened",
    "change": "changed",
    "migrate": "migrated",
    "announce_closure": "closure_announced",
    "close": "closed",
    "deregister": "deregistered",
}
FILING_LATE = "filing.late"
# target.inspected payload: run_id, task_id, as_of, run_kind, rules, target_type ("website" or
# "account"), target (the task's registry snapshot), score, passed, vetoes, deductions,
# findings, rating, feed_status, posts_read, notes. Every target carries id, name, kind,
# organisation_id, organisation_name and region_code; a website adds site_code (网站标识码),
# home_url, domains; an account adds platform, platform_label, platform_account_id, url, status
# and its kind is the platform (organisation_* name the sponsor). Accounts: `rating` is
# excellent / passed / failed / unjudged (a local 100-point profile gives excellent above its
# mark); `feed_status` is ok / gone / unreadable / not_configured, and an unreadable or
# unconfigured feed gives passed null (not judged) rather than a fail. Websites: feed_status is
# null and rating null, or "unjudged" when the home page could not be fetched. Either way a
# target not judged (passed null, 未能检查) carries `uninspected_reason`, a Chinese sentence
# (e.g. 首页无法访问：域名无法解析（dns）); it is null for every other target. `notes` lists
# facts about the run that are not findings, each {"kind", "message", …}: kind
# "availability_unknown" when too few probes to judge availability.
TARGET_INSPECTED = "target.inspected"
# A supervisor's verdict changed which findings of a target's latest result count (one marked
# false positive, or such a mark taken back): the corrected result, same payload shape as
# target.inspected (same run_id and task_id, so a copy keyed by task is replaced) plus
# `reason` ("verdict"); findings lists only those that still count; feed_status, posts_read
# and notes are not repeated (null, 0, []). `revision` counts up with each re-score of that
# task (target.inspected carries 0): events may arrive in any order, so a copy keeps the
# highest revision it has seen.
TARGET_RESCORED = "target.rescored"
# A task given up after its last attempt (same payload shape as target.inspected, plus `error`).
TARGET_FAILED = "target.failed"
INSPECTION_COMPLETED = "inspection.completed"
CIRCULAR_PUBLISHED = "circular.published"
RECTIFICATION_OVERDUE = "rectification.overdue"
RECTIFICATION_DUE_SOON = "rectification.due_soon"
ERROR_REPORT_OVERDUE = "error_report.overdue"
# The checker's self-watch: a run without progress or a plan that did not fire (payload: kind
# run.stalled / plan.overdue, subject_type, subject_id, name, since, message). No region: only
# all-regions subscribers receive it.
SYSTEM_STALLED = "system.stalled"


def filing_event_name(target_type: str, action: str) -> str:
    """Return the event a filing raises, e.g. website.closed."""
    return f"{target_type}.{ACTION_EVENT_SUFFIX[action]}"


class EventEnvelope(BaseModel):
    """What a subscriber's `event.deliver` job receives."""

    id: UUID
    name: str
    source: str
    occurred_at: datetime
    payload: dict[str, Any]
    request_id: str | None = None
