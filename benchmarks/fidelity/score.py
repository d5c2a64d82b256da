"""Match reported findings to the answer key and count recall and precision per class and per rule.

Pure: reads the key (key.json) and the findings each target got, as plain dicts with rule,
severity, message, url, parent_url, offending, excerpt and detail. See key.json "about" for the
matching rules.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

KEY_PATH = Path(__file__).with_name("key.json")


def load_key(path: Path = KEY_PATH) -> dict[str, Any]:
    """Read the answer key."""
    return dict(json.loads(path.read_text(encoding="utf-8")))


def _path(url: str | None, host: str) -> str | None:
    if not url:
        return None
    parts = urlsplit(url)
    if parts.hostname and parts.hostname.lower() != host:
        return None
    return (parts.path or "/") + (f"?{parts.query}" if parts.query else "")


def _same_url(wanted: str, got: str | None, host: str) -> bool:
    if not got:
        return False
    if wanted.startswith("/"):
        return _path(got, host) == wanted
    return got.rstrip("/") == wanted.rstrip("/")


def matches(item: dict[str, Any], finding: dict[str, Any], host: str) -> bool:
    """Tell whether a reported finding is the one a key item describes."""
    if finding["rule"] != item["rule"]:
        return False
    if "page" in item:
        detail = finding.get("detail") or {}
        listed = [*(detail.get("pages") or []), *(detail.get("also_on") or [])]
        paths = {_path(u, host) for u in (finding.get("url"), finding.get("parent_url"), *listed)}
        if item["page"] not in paths:
            return False
    if "link" in item and not any(_same_url(item["link"], finding.get(k), host)
                                  for k in ("url", "offending")):
        return False
    if "text" in item:
        haystack = " ".join([finding.get("message") or "", finding.get("excerpt") or "",
                             finding.get("offending") or "",
                             json.dumps(finding.get("detail") or {}, ensure_ascii=False)])
        if not any(alt in haystack for alt in item["text"].split("|")):
            return False
    return True


@dataclass
class Tally:
    """Counts of one class or rule."""

    expected: int = 0
    found: int = 0  # expected items reported
    reported: int = 0  # findings counted (tolerated ones left out)
    correct: int = 0  # findings that are an expected item

    @property
    def recall(self) -> float | None:
        """Share of expected items reported (None when nothing was expected)."""
        return self.found / self.expected if self.expected else None

    @property
    def precision(self) -> float | None:
        """Share of counted findings that were expected (None when nothing was reported)."""
        return self.correct / self.reported if self.reported else None


@dataclass
class Score:
    """The benchmark's outcome."""

    classes: dict[str, Tally] = field(default_factory=lambda: defaultdict(Tally))
    rules: dict[str, Tally] = field(default_factory=lambda: defaultdict(Tally))
    total: Tally = field(default_factory=Tally)
    websites: Tally = field(default_factory=Tally)
    accounts: Tally = field(default_factory=Tally)
    controls: dict[str, int] = field(default_factory=dict)  # control target → findings reported
    misses: list[dict[str, Any]] = field(default_factory=list)
    false_positives: list[dict[str, Any]] = field(default_factory=list)
    tolerated: int = 0


def _brief(finding: dict[str, Any]) -> dict[str, Any]:
    return {k: finding.get(k) for k in ("rule", "severity", "message", "url", "parent_url", "offending")}


def score(key: dict[str, Any], reported: dict[str, list[dict[str, Any]]], hosts: dict[str, str],
          kinds: dict[str, str]) -> Score:
    """Score the findings of every target in `reported` (targets absent were not run).

    `hosts` names each target's host (a site's, or the feed host of an account) and `kinds`
    its type (website / account).
    """
    out = Score()
    for target, findings in reported.items():
        spec, host = key["targets"][target], hosts[target]
        scope = out.websites if kinds[target] == "website" else out.accounts
        expected = spec.get("expected", [])
        found = [False] * len(expected)
        for finding in findings:
            hit = [i for i, item in enumerate(expected) if matches(item, finding, host)]
            if not hit and any(matches(t, finding, host) for t in spec.get("tolerated", [])):
                out.tolerated += 1
                continue
            for i in hit:
                found[i] = True
            if hit:
                cls = str(expected[hit[0]]["class"])
            else:
                cls = next((str(item["class"]) for item in spec.get("lookalikes", [])
                            if matches(item, finding, host)), "9")
                out.false_positives.append({"target": target, "class": cls, **_brief(finding)})
            for tally in (out.classes[cls], out.rules[finding["rule"]], out.total, scope):
                tally.reported += 1
                tally.correct += bool(hit)
        for item, was_found in zip(expected, found, strict=True):
            for tally in (out.classes[str(item["class"])], out.rules[item["rule"]], out.total, scope):
                tally.expected += 1
                tally.found += was_found
            if not was_found:
                out.misses.append({"target": target, **item})
        if spec.get("control"):
            out.controls[target] = len(findings)
    return out


def as_json(result: Score, key: dict[str, Any]) -> dict[str, Any]:
    """The score as a JSON-ready document."""
    def tally(t: Tally) -> dict[str, Any]:
        return {"expected": t.expected, "found": t.found, "reported": t.reported, "correct": t.correct,
                "recall": t.recall, "precision": t.precision}
    return {
        "total": tally(result.total), "websites": tally(result.websites), "accounts": tally(result.accounts),
        "classes": {c: {"label": key["classes"].get(c, c), **tally(t)}
                    for c, t in sorted(result.classes.items(), key=lambda kv: int(kv[0]))},
        "rules": {r: tally(t) for r, t in sorted(result.rules.items())},
        "controls": result.controls, "tolerated": result.tolerated,
        "misses": result.misses, "false_positives": result.false_positives,
    }
