"""Reduce a circular's results one row at a time, so a national quarter fits in bounded memory.

A result carries its problem list (up to thousands of dicts); a circular keeps only, per problem
type, the targets with it and up to five distinct details each, and per target the names of its
problem types. `ProblemIndex.take` extracts exactly that from one row, so the rows can be read
from the database a page at a time and their problem lists dropped as soon as they are read
(issue #16 item 6: 2,000,000 problems no longer sit in Python at once).
"""

from __future__ import annotations

import bisect
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from services.reporting.circular.compute import ResultRow

# Per problem type the details named for one target: circulars quote a few, the XLSX lists them.
DETAILS_KEPT = 5
GROUPED = ("veto", "deduct")  # warnings (疑似) are named on no list

# A deduction group names this many units in the circular's body (render/text.py UNITS_NAMED);
# only those keep their details, the others count (issue #16 item 6: 350,000 units nationally).
NAMED = 20
DROPPED: list[str] = []  # the details of a unit that will not be named: shared, never written

GroupKey = tuple[str, str]  # (rule, indicator)
Entry = tuple["ResultRow", list[str]]
UnitOrder = tuple[str, str, str, str]  # region, unit name, code, target id: the circular's order


class ProblemIndex:
    """The targets under each problem type, with their details, built row by row."""

    def __init__(self) -> None:
        self.by_rule: dict[str, dict[GroupKey, dict[str, Entry]]] = {s: {} for s in GROUPED}
        # Where each problem type first occurs in the circular's row order (region, code, nth
        # problem): the figures are listed in that order whatever order the pages came in.
        self.first: dict[tuple[str, str, str], tuple[str, str, int]] = {}
        # Per deduction group, the NAMED first units in the circular's order (those keep details).
        self.named: dict[GroupKey, list[UnitOrder]] = {}
        # Per severity, each target with a problem of it, and its type.
        self.targets: dict[str, dict[str, str]] = {s: {} for s in GROUPED}

    def groups(self, severity: str) -> list[tuple[GroupKey, dict[str, Entry]]]:
        """The problem types of a severity in order of first occurrence, with their targets."""
        return sorted(self.by_rule[severity].items(), key=lambda item: self.first[(severity, *item[0])])

    def take(self, r: ResultRow, *, drop: bool = False) -> ResultRow:
        """Index a row's problems (judged rows only) and name them on the row; `drop` frees them."""
        vetoes: dict[str, None] = {}
        problems: dict[str, None] = {}
        judged = r.passed is not None
        new: list[GroupKey] = []
        for n, p in enumerate(r.problems):
            severity, indicator = p["severity"], p["indicator"]
            if severity == "veto":
                vetoes[indicator] = None
            if severity != "warn":
                problems[indicator] = None
            rules = self.by_rule.get(severity) if judged else None
            if rules is None:
                continue
            key = (p["rule"], indicator)
            targets = rules.get(key)
            if targets is None:
                targets = rules[key] = {}
            entry = targets.get(r.target_id)
            if entry is None:
                entry = targets[r.target_id] = (r, [])
                self.targets[severity][r.target_id] = r.target_type
                if severity == "deduct":
                    new.append(key)
                at = (r.region_code, r.target_code, n)
                seen = self.first.get((severity, *key))
                if seen is None or at < seen:
                    self.first[(severity, *key)] = at
            detail = p.get("url") or p["message"]
            if detail and len(entry[1]) < DETAILS_KEPT and detail not in entry[1]:
                entry[1].append(detail)
        for key in new:
            self._keep_named(key, r)
        r.veto_names, r.problem_names = list(vetoes), list(problems)
        if drop:
            r.problems = []
        return r

    def _keep_named(self, key: GroupKey, r: ResultRow) -> None:
        """Keep the details of a deduction group's first NAMED units only, as rows arrive."""
        named = self.named.setdefault(key, [])
        bisect.insort(named, (r.region_code, r.organisation_name, r.target_code, r.target_id))
        if len(named) > NAMED:
            target_id = named.pop()[3]
            targets = self.by_rule["deduct"][key]
            targets[target_id] = (targets[target_id][0], DROPPED)
