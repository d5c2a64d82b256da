"""The contract of a rule module, and small helpers rules share."""

from __future__ import annotations

from typing import Any, Protocol

from pydantic import BaseModel

from services.checker.inspect.model import FindingDraft, SiteSnapshot


class RuleModule(Protocol):
    """A rule is a module with these names (see any module under rules/ for an example).

    CODE       the rule code as in RULES.md (e.g. "veto.homepage_stale")
    INDICATOR  the Chinese indicator name (e.g. "首页不更新")
    Params     a pydantic model of the rule's thresholds, WITHOUT defaults: every number comes
               from the rule profile (profiles/national_2019/*.json), never from code
    check      a pure function (site, params) -> findings; no I/O of its own
    """

    CODE: str
    INDICATOR: str

    @property
    def Params(self) -> type[BaseModel]: ...

    def check(self, site: SiteSnapshot, params: Any) -> list[FindingDraft]: ...


def mark(text: str, start: int, end: int, width: int = 20) -> str:
    """Return the text around [start, end) with the offending part marked 【…】."""
    left = max(0, start - width)
    right = min(len(text), end + width)
    prefix = "…" if left > 0 else ""
    suffix = "…" if right < len(text) else ""
    return f"{prefix}{text[left:start]}【{text[start:end]}】{text[end:right]}{suffix}"
