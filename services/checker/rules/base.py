"""The contract of a rule module."""

from __future__ import annotations

from typing import Any, Protocol

from pydantic import BaseModel

from services.checker.ground.finding import FindingDraft
from services.checker.ground.site import SiteSnapshot


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
