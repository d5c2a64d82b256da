"""A circular built from the database renders exactly as it did before aggregation was streamed.

`golden/` holds what the list-based build (all problem rows loaded into Python, before issue #16
item 6) rendered for this seeded quarter: the Markdown, and SHA-256 digests of the DOCX text and
of every XLSX cell. The draft here goes through the service (paged reads, database aggregation);
its documents must match byte for byte / cell for cell.
"""

from __future__ import annotations

import hashlib
import io
import json
import random
import uuid
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from docx import Document
from openpyxl import load_workbook

from services.reporting.result.models import Result
from tests.registry.factories import JINAN, region_tree
from tests.reporting.conftest import Reporting

SH = ZoneInfo("Asia/Shanghai")
GOLDEN = Path(__file__).parent / "golden"
RULES = (  # (rule, indicator, severity, weight)
    ("veto.homepage_stale", "首页不更新", "veto", 2), ("veto.security", "暗链", "veto", 1),
    ("veto.zombie", "僵尸账号", "veto", 1), ("deduct.links", "链接不可用", "deduct", 12),
    ("content.typo", "错别字", "deduct", 5), ("content.typo", "错别字", "warn", 4),
    ("deduct.policy_column_stale", "政策文件栏目不更新", "deduct", 2),
)
PLATFORMS = ("wechat_subscription", "weibo", "douyin")


def seeded_results(n_sites: int = 40, n_accounts: int = 60, seed: int = 16) -> list[Result]:
    """A quarter of results in 济南 (two districts): earlier and later runs, gaps, many problems."""
    rng = random.Random(seed)
    out: list[Result] = []
    received = datetime(2026, 12, 1, 9, tzinfo=SH)
    for i in range(n_sites + n_accounts):
        website = i < n_sites
        region = ("370102", "370103")[i % 2]
        org = rng.randrange(max(1, (n_sites + n_accounts) // 3))
        target_id = uuid.UUID(int=rng.getrandbits(128), version=4)
        code = f"{region}{i:04d}" if website else f"{PLATFORMS[i % 3][:2]}{i:06d}"
        name = f"{'网站' if website else '账号'}{rng.choice('甲乙丙丁戊')}{i}"
        for run in range(rng.choice((1, 1, 2))):
            as_of = datetime(2026, 10, 5, 9, tzinfo=SH) + timedelta(days=30 * run + rng.randrange(20))
            problems: list[dict[str, Any]] = []
            for n in range(min(30, int(rng.paretovariate(1.2)) - 1)):
                rule, indicator, severity, _ = rng.choices(RULES, weights=[r[3] for r in RULES])[0]
                url = f"http://{code}.gov.cn/art_{rng.randrange(8)}.html"
                problems.append({"rule": rule, "indicator": indicator, "severity": severity,
                                 "message": f"{indicator}：第{n + 1}处" if rng.random() < 0.5 else "",
                                 "url": url if rng.random() < 0.7 else None,
                                 "fingerprint": f"fp-{i}-{run}-{n}"})
            vetoes = sorted({str(p["rule"]) for p in problems if p["severity"] == "veto"})
            unreadable = rng.random() < 0.06
            passed = None if unreadable else (not vetoes and rng.random() < 0.8)
            out.append(Result(
                task_id=uuid.UUID(int=rng.getrandbits(128), version=4),
                run_id=uuid.UUID(int=run + 1), as_of=as_of, target_id=target_id,
                target_type="website" if website else "account", target_code=code,
                target_name=name, kind=("portal", "department")[i % 2] if website else PLATFORMS[i % 3],
                organisation_id=uuid.UUID(int=org + 1), organisation_name=f"单位{org}",
                region_code=region, score=None if passed is None or vetoes else 70.0 + i % 30,
                passed=passed, vetoes=vetoes, problems=[] if unreadable else problems,
                uninspected_reason="首页无法访问（dns）" if unreadable else None,
                received_at=received))
    return out


def docx_text(body: bytes) -> str:
    """Paragraphs and table cells of a DOCX, in order."""
    doc = Document(io.BytesIO(body))
    lines = [p.text for p in doc.paragraphs]
    for table in doc.tables:
        lines.extend("\t".join(c.text for c in row.cells) for row in table.rows)
    return "\n".join(lines)


def xlsx_cells(body: bytes) -> str:
    """Every sheet's layout and cells (value, type, number format, font, fill, border, alignment)."""
    book = load_workbook(io.BytesIO(body))
    lines = []
    for sheet in book.worksheets:
        setup = sheet.page_setup
        lines.append(json.dumps([
            sheet.title, sheet.freeze_panes, sheet.auto_filter.ref, sheet.print_title_rows,
            setup.orientation, setup.paperSize, setup.fitToWidth, setup.fitToHeight,
            {k: d.width for k, d in sorted(sheet.column_dimensions.items())}], ensure_ascii=False))
        for row in sheet.iter_rows():
            lines.append(json.dumps([
                (str(c.value) if c.value is not None else None, c.data_type, c.number_format,
                 c.font.name, c.font.b, c.fill.fgColor.rgb, c.border.left.style,
                 c.alignment.wrap_text, c.alignment.horizontal, c.alignment.vertical)
                for c in row], ensure_ascii=False))
    return "\n".join(lines)


def digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


async def documents(rep: Reporting) -> dict[str, Any]:
    """Draft the seeded quarter through the API and download it as Markdown, DOCX and XLSX."""
    await region_tree(rep.registry, *JINAN)
    async with rep.app.state.sessionmaker() as session:
        session.add_all(seeded_results())
        await session.commit()
    r = await rep.client.post("/circulars", json={
        "region_code": "370100", "quarter": "2026Q4", "issuing_office": "济南市人民政府办公厅",
        "deadline_at": "2027-01-20T18:00:00+08:00"})
    assert r.status_code == 201, r.text
    url = f"/circulars/{r.json()['id']}/document"
    out: dict[str, Any] = {"data": r.json()["data"]}
    for fmt in ("md", "docx", "xlsx"):
        got = await rep.client.get(url, params={"format": fmt})
        assert got.status_code == 200, got.text
        out[fmt] = got.content
    return out


async def test_documents_match_the_list_based_build(reporting: Reporting) -> None:
    got = await documents(reporting)
    expected = json.loads((GOLDEN / "seeded_circular.json").read_text())
    assert got["md"].decode() == (GOLDEN / "seeded_circular.md").read_text()
    assert digest(docx_text(got["docx"])) == expected["docx_text_sha256"]
    assert digest(xlsx_cells(got["xlsx"])) == expected["xlsx_cells_sha256"]
    figures = {k: v["value"] for k, v in got["data"]["figures"].items()}
    assert figures == expected["figures"]
