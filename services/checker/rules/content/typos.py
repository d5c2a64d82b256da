"""Rule content.typo (错别字): wrong forms of the typo dictionary on pages and in attachments.

Rule: every occurrence of a dictionary entry's wrong form in the text of a fetched page or
attachment is a finding, unless it lies inside one of the entry's exceptions (longer correct
strings containing it, e.g. 预防犯罪 for 防犯). The dictionary is the shipped list
(wordlists.builtin_typos) followed by the deployment's own entries, injected as params.entries.
Each entry has a level — 一般, 疑似 (right in some contexts: to be reviewed), 严重 — and the
profile decides which levels are reported and their severity and points. The same error in the
same context on several pages (a shared template) is one finding that lists the other pages.
Indicator: 错别字. Source: RULES.md, content checks (错别字: dictionary, context, suggestion,
severity 一般 / 疑似 / 严重).

Passing: "各部门要按部就班推进工作，即使困难再大也要再接再厉。"
Failing: "各部门要按步就班推进工作" — 按步就班 should be 按部就班 (一般, deduct).
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, model_validator

from services.checker.ground.finding import FindingDraft, Severity
from services.checker.ground.site import SiteSnapshot
from services.checker.rules.content.matcher import PhraseMatcher, collapse_repeats, excerpt, place, scan
from services.checker.rules.content.wordlists import LEVEL_LABELS, TypoEntry, TypoLevel, builtin_proper_names

CODE = "content.typo"
INDICATOR = "错别字"


class Params(BaseModel):
    model_config = ConfigDict(extra="ignore")

    report_levels: list[TypoLevel]
    severity: dict[TypoLevel, Severity]
    points: dict[TypoLevel, float]  # per finding; the indicator's cap limits the total
    context_chars: int = Field(ge=0)  # characters of context on each side of the excerpt
    # A wrong form cut apart by the segmenter still counts if cutting it out whole is at most this
    # much less likely (natural log) than the best cut; see matcher.whole_words.
    word_margin: float = Field(default=3.0, ge=0)
    max_listed_pages: int = Field(ge=0)  # other pages listed on a finding repeated by a template
    entries: list[TypoEntry]  # injected by the runner: builtin_typos() + the deployment's entries

    @model_validator(mode="after")
    def _levels_mapped(self) -> Params:
        missing = [lv for lv in self.report_levels if lv not in self.severity or lv not in self.points]
        if missing:
            raise ValueError(f"report_levels without severity or points: {missing}")
        return self


def check(site: SiteSnapshot, params: Params) -> list[FindingDraft]:
    """Report each dictionary typo with its context, its correction and its level."""
    matcher = PhraseMatcher([e for e in params.entries if e.level in params.report_levels],
                            proper_names=builtin_proper_names(), word_margin=params.word_margin)
    findings: list[FindingDraft] = []
    for page, text, hit in scan(site, matcher):
        entry = hit.entry
        served = text[hit.start:hit.end]  # as served: Traditional text is reported in Traditional
        severity = params.severity[entry.level]
        if entry.level == "suspected":
            message = f"{place(page)}中疑似错别字：“{served}”可能应为“{entry.right}”，请结合上下文核实"
        else:
            message = f"{place(page)}中有错别字：“{served}”应为“{entry.right}”"
        findings.append(FindingDraft(
            rule=CODE, indicator=INDICATOR, severity=severity, message=message,
            locator=f"{page.url}|{entry.wrong}|{hit.occurrence}", url=page.url, parent_url=page.parent_url,
            excerpt=excerpt(text, hit.start, hit.end, params.context_chars), offending=served,
            suggestion=entry.right, points=params.points[entry.level] if severity == "deduct" else 0.0,
            screenshot=page.screenshot,
            detail={"level": entry.level, "level_label": LEVEL_LABELS[entry.level],
                    "attachment": page.is_attachment},
        ))
    return collapse_repeats(findings, params.max_listed_pages)
