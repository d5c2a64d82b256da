"""Rule veto.security, kind expression (严重表述错误): protected formulations written wrongly.

Rule: every occurrence of a listed wrong form — an official theory or formulation with a wrong
character or word order, a leader's name or title written wrongly, a State organ's misspelt
name, sovereignty wording (台湾总统, 中台关系, …) — in the text of a fetched page or attachment
is a finding, unless it lies inside one of the entry's exceptions (e.g. the quoted “中华民国” or
历史叙述 such as 中华民国时期). The list is the shipped one (wordlists.builtin_expressions)
followed by the deployment's own entries, injected as params.expression_entries. Level 严重 is a
veto; level 疑似 (right when quoting history or another party) is reported for review with the
profile's severity for it. One finding per error and context; a template repeating it on other
pages lists them.
Indicator: 严重表述错误 (under 安全、泄密事故等严重问题). Source: RULES.md veto.security
("serious expression error: wrong names, titles …, wrong official formulations, sovereignty wording").

Passing: "深入学习贯彻习近平新时代中国特色社会主义思想，铸牢中华民族共同体意识。"
Failing: "深入学习贯彻习近平新时代中国特色社会主意思想" — 主意 should be 主义 (严重, veto).
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, model_validator

from services.checker.ground.finding import FindingDraft, Severity
from services.checker.ground.site import SiteSnapshot
from services.checker.rules.content.matcher import PhraseMatcher, collapse_repeats, excerpt, place, scan
from services.checker.rules.content.wordlists import (
    LEVEL_LABELS,
    ExpressionEntry,
    ExpressionLevel,
    builtin_proper_names,
)

CODE = "veto.security"
INDICATOR = "严重表述错误"


class Params(BaseModel):
    # veto.security is shared by several rules; these names carry an expression_ prefix so that
    # their parameters sit side by side in the profile's single veto.security entry.
    model_config = ConfigDict(extra="ignore")

    expression_levels: list[ExpressionLevel]  # levels reported
    expression_severity: dict[ExpressionLevel, Severity]
    expression_context_chars: int = Field(ge=0)
    expression_max_listed_pages: int = Field(ge=0)
    # Wrong forms shorter than this are matched only as whole words (台湾国 is not in 台湾/国民党);
    # longer formulations are specific enough to match anywhere.
    expression_segment_below: int = Field(default=5, ge=0)
    expression_word_margin: float = Field(default=3.0, ge=0)  # as typos.Params.word_margin
    expression_entries: list[ExpressionEntry]  # injected: builtin_expressions() + the deployment's list

    @model_validator(mode="after")
    def _levels_mapped(self) -> Params:
        missing = [lv for lv in self.expression_levels if lv not in self.expression_severity]
        if missing:
            raise ValueError(f"expression_levels without expression_severity: {missing}")
        return self


def check(site: SiteSnapshot, params: Params) -> list[FindingDraft]:
    """Report each wrongly written protected formulation, name or title with its correct form."""
    matcher = PhraseMatcher([e for e in params.expression_entries if e.level in params.expression_levels],
                            proper_names=builtin_proper_names(), inside_word=True,
                            segment_below=params.expression_segment_below,
                            word_margin=params.expression_word_margin)
    findings: list[FindingDraft] = []
    for page, text, hit in scan(site, matcher):
        entry = hit.entry
        served = text[hit.start:hit.end]  # as served: Traditional text is reported in Traditional
        note = f"（{entry.note}）" if entry.note else ""
        if entry.level == "suspected":
            message = (f"{place(page)}中疑似严重表述错误：“{served}”，"
                       f"规范表述为“{entry.right}”{note}，请人工核实")
        else:
            message = f"{place(page)}中有严重表述错误：“{served}”应为“{entry.right}”{note}"
        findings.append(FindingDraft(
            rule=CODE, indicator=INDICATOR, severity=params.expression_severity[entry.level], message=message,
            locator=f"expression|{page.url}|{entry.wrong}|{hit.occurrence}", url=page.url,
            parent_url=page.parent_url, offending=served,
            excerpt=excerpt(text, hit.start, hit.end, params.expression_context_chars),
            suggestion=entry.right, screenshot=page.screenshot,
            detail={"kind": "expression", "level": entry.level, "level_label": LEVEL_LABELS[entry.level],
                    "note": entry.note, "attachment": page.is_attachment},
        ))
    return collapse_repeats(findings, params.expression_max_listed_pages)
