"""Precision of the typo and expression rules on real government text: `python -m benchmarks.realtext`.

The text is short extracts of public government pages (mainland, Macau and Hong Kong, Simplified
and Traditional), kept as served in benchmarks/data/realtext/ with their source URLs. Published
text is taken as correct: every finding is counted false unless true_errors.txt lists it as a
reviewed real error. Prints characters, findings, false findings per 10,000 characters (goal
≤ 0.1, issue 12) and the scan rate in characters per second.
"""

from __future__ import annotations

import sys
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

from benchmarks.table import Row
from services.checker.ground.finding import FindingDraft
from services.checker.ground.site import Page, SiteSnapshot, Target
from services.checker.profile.loader import national_profile
from services.checker.rules.content import expressions, typos
from services.checker.rules.content.wordlists import builtin_expressions, builtin_typos
from services.checker.support.script import is_traditional

DATA = Path(__file__).parent / "data" / "realtext"
GOAL_PER_10K = 0.1  # issue 12: at most 0.1 false findings per 10,000 characters of real text
REPEATS = 5  # scans timed for the rate (the fastest is kept); the first also loads jieba


def documents() -> dict[str, str]:
    """Return each extract file's text (its # source lines removed), by file name."""
    return {p.name: "\n".join(line for line in p.read_text(encoding="utf-8").splitlines()
                              if not line.startswith("#"))
            for p in sorted(DATA.glob("*.txt")) if p.name != "true_errors.txt"}


# The extracts' regions, by file-name prefix (GB/T 2260): mainland, Hong Kong, Macau.
REGIONS = {"cn": "110000", "hk": "810000", "mo": "820000"}


def sites_of(docs: dict[str, str]) -> list[SiteSnapshot]:
    """One snapshot per region (cn_, hk_, mo_ files), each extract a page (URL = file name)."""
    home = "https://realtext.invalid/"
    sites = []
    for prefix, region in REGIONS.items():
        target = Target(id=uuid.uuid4(), site_code="0000000000", name="实文基准",
                        organisation_id=uuid.uuid4(), organisation_name="实文基准", region_code=region,
                        kind="portal", domains=["realtext.invalid"], home_url=home, status="running")
        pages = [Page(url=home + name, final_url=home + name, status=200, depth=1, parent_url=home, text=text,
                      html="", content_type="text/html")
                 for name, text in docs.items() if name.startswith(prefix)]
        sites.append(SiteSnapshot(target=target, as_of=datetime.now(UTC), pages=pages))
    return sites


def scan(sites: list[SiteSnapshot]) -> list[FindingDraft]:
    """Run the typo rule and the expression rule with the national profile and the shipped lists."""
    rules = national_profile()["rules"]
    typo_params = typos.Params.model_validate({**rules[typos.CODE], "entries": builtin_typos()})
    expression_params = expressions.Params.model_validate(
        {**rules[expressions.CODE], "expression_entries": builtin_expressions()})
    return [f for site in sites
            for f in (*typos.check(site, typo_params), *expressions.check(site, expression_params))]


def true_errors() -> set[tuple[str, str]]:
    """The reviewed real errors of the published text: (file, wrong form)."""
    path = DATA / "true_errors.txt"
    lines = path.read_text(encoding="utf-8").splitlines() if path.exists() else []
    pairs = (line.partition("|") for line in lines if line and not line.startswith("#"))
    return {(name, wrong) for name, _, wrong in pairs}


# Sentences a wrong form is planted in for the recall figure: it stands between ordinary words.
FRAMES = ("会议强调，要{}，推动工作落实。", "各部门{}，确保按期完成。", "文件指出{}的问题依然存在。")


def planted_recall(quick: bool = False) -> tuple[int, int, list[str]]:
    """Plant every listed wrong form (every tenth with --quick) in ordinary sentences, Simplified
    on a mainland site and Traditional on a Hong Kong site; return (found, planted, first misses)."""
    import opencc

    s2t = opencc.OpenCC("s2t")
    step = 10 if quick else 1
    docs: dict[str, str] = {}
    for kind, entries in (("typo", [e for e in builtin_typos() if e.level != "suspected"]),
                          ("expression", builtin_expressions())):
        for i, entry in enumerate(entries[::step]):
            text = FRAMES[i % len(FRAMES)].format(entry.wrong)
            docs[f"cn_{kind}_{i}.txt"] = text
            if entry.script == "all":
                docs[f"hk_{kind}_{i}.txt"] = str(s2t.convert(text))
    findings = scan(sites_of(docs))
    hit = {str(f.url).rsplit("/", 1)[-1] for f in findings}
    misses = [text for name, text in docs.items() if name not in hit]
    return len(docs) - len(misses), len(docs), misses[:15]


def run(quick: bool = False) -> list[Row]:
    """Scan the extracts, print every finding and the figures, return the headline rows."""
    docs = documents()
    sites = sites_of(docs)
    chars = sum(len(t) for t in docs.values())
    traditional = sum(len(t) for t in docs.values() if is_traditional(t))
    timings = []
    findings: list[FindingDraft] = []
    for _ in range(1 if quick else REPEATS):
        started = time.perf_counter()
        findings = scan(sites)
        timings.append(time.perf_counter() - started)
    known = true_errors()
    false = [f for f in findings if (str(f.url).rsplit("/", 1)[-1], f.offending or "") not in known]
    per_10k = len(false) / chars * 10_000 if chars else 0.0
    rate = chars / min(timings)
    print(f"real government text: {len(docs)} extracts, {chars:,} characters "
          f"({traditional:,} in Traditional script)")
    for f in findings:
        print(f"  {f.rule} {str(f.url).rsplit('/', 1)[-1]}: {f.offending} → {f.suggestion}  {f.excerpt}")
    print(f"findings {len(findings)}, false {len(false)}, false per 10,000 characters {per_10k:.2f} "
          f"(goal ≤ {GOAL_PER_10K}); scan {rate:,.0f} chars/s (first scan, with jieba loading, "
          f"{timings[0]:.2f} s)")
    found, planted, misses = planted_recall(quick)
    print(f"planted recall: {found:,} of {planted:,} listed wrong forms found ({found / planted:.2%}) "
          f"in ordinary sentences, Simplified and Traditional")
    for miss in misses:
        print(f"  missed: {miss}")
    return [Row("realtext: planted recall", f"{found / planted:.2%}", "",
                f"{found:,} of {planted:,} wrong forms planted in sentences"),
            Row("realtext: false findings", f"{per_10k:.2f}", "per 10k chars",
                f"{len(false)} of {len(findings)} findings on {chars:,} chars; goal ≤ {GOAL_PER_10K}"),
            Row("realtext: typo+expression scan", f"{rate:,.0f}", "chars/s", "after jieba is loaded")]


if __name__ == "__main__":
    run(quick="--quick" in sys.argv)
