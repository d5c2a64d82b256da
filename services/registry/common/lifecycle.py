"""The lifecycle shared by websites and accounts: which action leads from which status."""

from __future__ import annotations

from shared.contracts.registry import FilingAction as A
from shared.contracts.registry import LifecycleStatus as S
from shared.errors import InvalidTransition

# 撤销关停 (closing → running) and 重新开通 (closed → running) are both filed as "open".
TRANSITIONS: dict[S, dict[A, S]] = {
    S.planned: {A.open: S.running, A.change: S.planned, A.deregister: S.deregistered},
    S.running: {A.change: S.running, A.migrate: S.running, A.announce_closure: S.closing,
                A.close: S.closed},
    S.closing: {A.open: S.running, A.change: S.closing, A.close: S.closed},
    S.closed: {A.open: S.running, A.deregister: S.deregistered},
    S.deregistered: {},
}

ACTIVE = (S.planned, S.running, S.closing)
INITIAL = (S.planned, S.running)


def next_status(current: S, action: A) -> S:
    """Return the status an action leads to, or raise 409 naming the allowed actions."""
    allowed = TRANSITIONS[current]
    if action not in allowed:
        names = "、".join(f"{a.value}（{a.label}）" for a in allowed) or "无（终态）"
        raise InvalidTransition(
            f"当前状态为 {current.value}（{current.label}），不能执行 {action.value}"
            f"（{action.label}）；允许的操作：{names}",
            status_now=current.value,
            allowed_actions=[a.value for a in allowed],
            allowed_next_states=sorted({s.value for s in allowed.values()}),
        )
    return allowed[action]


def action_between(current: S, target: S) -> A | None:
    """Return the single action that moves `current` to `target`, if there is one."""
    for action, status in TRANSITIONS[current].items():
        if status == target and action not in (A.change, A.migrate):
            return action
    return None
