"""Which filings bring a stored website or account to the state an imported row describes."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from services.registry.common.context import Ctx
from services.registry.common.lifecycle import TRANSITIONS, action_between
from services.registry.filing import service as filings
from services.registry.filing.service import Lifecycled
from shared.calendar import WorkingCalendar
from shared.contracts.registry import FilingAction as A
from shared.contracts.registry import LifecycleStatus as S

CONTENT = (A.change, A.migrate)


def plan_actions(current: S, target: S, content: A | None) -> list[A]:
    """The filings, in order, for a row whose status and/or content changed.

    A different status is the single lifecycle action leading there. Changed content is a
    `change` (or `migrate`) filed in whichever of the two statuses allows it, before the
    status action if the current status does. Raise ValueError (Chinese) if no order works.
    """
    status_action: A | None = None
    if target != current:
        status_action = action_between(current, target)
        if status_action is None:
            raise ValueError(f"状态不能由 {current.label} 直接变为 {target.label}，"
                             "请先按实际经过的环节逐项报备")
    if content is None:
        return [status_action] if status_action else []
    # 迁移 is only filed for a running site; elsewhere the same edit is a 变更.
    for action in dict.fromkeys((content, A.change)):
        if action in TRANSITIONS[current]:
            return [action, status_action] if status_action else [action]
        if status_action and action in TRANSITIONS[TRANSITIONS[current][status_action]]:
            return [status_action, action]
    where = f"{current.label}" if status_action is None else f"{current.label}或{target.label}"
    raise ValueError(f"{where}状态下不能变更登记内容")


async def file_actions(ctx: Ctx, calendar: WorkingCalendar, *, target_type: str,
                       row: Lifecycled, actions: list[A], changes: dict[str, Any],
                       snapshot: Callable[[Any], dict[str, Any]],
                       payload: Callable[[Any], dict[str, Any]], occurred_at: datetime,
                       note: str | None) -> None:
    """Apply the actions to a stored row, filing each with its events, as the single-row API does."""
    scope_before = row.filing_scope
    for action in actions:
        before = snapshot(row)
        from_status = filings.transition(ctx, row, action)
        if action in CONTENT:
            for key, value in changes.items():
                setattr(row, key, value)
        filings.record(ctx, calendar, target_type=target_type, row=row, action=action,
                       from_status=from_status, before=before, after=snapshot(row),
                       occurred_at=occurred_at, note=note, event_payload=payload(row))
    await filings.carry_scope(ctx, target_type, row, scope_before)
