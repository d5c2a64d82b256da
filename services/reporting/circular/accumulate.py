"""Reduce a circular's results one row at a time, so a national quarter fits in bounded memory.

A result carries its problem list (up to thousands of dicts); a circular keeps only, per problem
type, the targets with it and up to five distinct details each, and per target the names of its
problem types. `ProblemIndex.take` extracts exactly that from one row, so the rows can be read
from the database a page at a time and their problem lists dropped as soon as they are read
(issue #16 item 6: 2,000,000 problems no longer sit in Python at once).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from services.reporting.circular.compute import ResultRow

# Per problem type the details named for one target: circulars quote a few, the XLSX lists them.
DETAILS_KEPT = 5
GROUPED = ("veto", "deduct")  # warnings (疑似) are named on no list

GroupKey = tuple[str, str]  # (rule, indicator)
Entry = tuple["ResultRow", list[str]]


class ProblemIndex:
    """The targets under each problem type, with their details, built row by row."""

    def __init__(self) -> None:
        self.by_rule: dict[str, dict[GroupKey, dict[str, Entry]]] = {s: {} for s in GROUPED}
        # Where each problem type first occurs in the circular's row order (region, code, nth
        # problem): the figures are listed in that order whatever order the pages came in.
        self.first: dict[tuple[str, str, str], tuple[str, str, int]] = {}

    def groups(self, severity: str) -> list[tuple[GroupKey, dict[str, Entry]]]:
        """The problem types of a severity in order of first occurrence, with their targets."""
        return sorted(self.by_rule[severity].items(), key=lambda item: self.first[(severity, *item[0])])

    def take(self, r: ResultRow, *, drop: bool = False) -> ResultRow:
        """Index a row's problems (judged rows only) and name them on the row; `drop` frees them."""
        vetoes: dict[str, None] = {}
        problems: dict[str, None] = {}
        judged = r.passed is not None
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
                at = (r.region_code, r.target_code, n)
                seen = self.first.get((severity, *key))
                if seen is None or at < seen:
                    self.first[(severity, *key)] = at
            detail = p.get("url") or p["message"]
            if detail and len(entry[1]) < DETAILS_KEPT and detail not in entry[1]:
                entry[1].append(detail)
        r.veto_names, r.problem_names = list(vetoes), list(problems)
        if drop:
            r.problems = []
        return r
