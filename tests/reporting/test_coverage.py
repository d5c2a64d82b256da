"""Coverage and follow-up in a circular: 检查比例 against the registry, 复查比例, 整改率, the gaps."""

from __future__ import annotations

import io
import uuid
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from docx import Document
from openpyxl import load_workbook

from services.reporting.circular.coverage import NOT_INSPECTED
from services.reporting.result.models import Result
from tests.registry.factories import JINAN, account, org, region_tree, site
from tests.reporting.conftest import Reporting

SH = ZoneInfo("Asia/Shanghai")
Q3, Q4 = datetime(2026, 8, 10, 9, tzinfo=SH), datetime(2026, 11, 10, 9, tzinfo=SH)


def _result(target: dict[str, Any], as_of: datetime, passed: bool) -> Result:
    website = "site_code" in target
    return Result(
        task_id=uuid.uuid4(), run_id=uuid.uuid4(), as_of=as_of, target_id=uuid.UUID(target["id"]),
        target_type="website" if website else "account",
        target_code=target["site_code"] if website else target["platform_account_id"],
        target_name=target["name"], kind=target["kind"] if website else target["platform"],
        organisation_id=uuid.UUID(target["organisation_id"] if website else target["sponsor_id"]),
        organisation_name="单位", region_code=target["region_code"], score=90.0 if passed else 50.0,
        passed=passed, vetoes=[], problems=[] if passed else [
            {"rule": "deduct.links", "indicator": "链接不可用", "severity": "deduct",
             "message": "链接不可用", "url": "http://x.gov.cn/", "fingerprint": "fp"}],
        received_at=as_of)


async def test_coverage_recheck_and_rectification_figures_and_the_registry_gaps(
        reporting: Reporting) -> None:
    reg = reporting.registry
    await region_tree(reg, *JINAN)
    a, b = await org(reg, "370102"), await org(reg, "370103")
    s1, s2, s3, s4 = (await site(reg, a), await site(reg, a), await site(reg, b), await site(reg, b))
    await site(reg, b, status="planned")  # not running (yet): not in any ratio
    a1, a2 = await account(reg, a), await account(reg, b)
    async with reporting.app.state.sessionmaker() as session:
        session.add_all([
            # Last quarter s1 and s2 failed; this quarter s1 passes, s2 still fails.
            _result(s1, Q3, False), _result(s2, Q3, False), _result(s3, Q3, True),
            _result(s1, Q4, True), _result(s2, Q4, False), _result(s3, Q4, True),
            _result(a1, Q4, True)])  # s4 and a2 run but were not inspected this quarter
        await session.commit()
    r = await reporting.client.post("/circulars", json={
        "region_code": "370100", "quarter": "2026Q4", "issuing_office": "济南市人民政府办公厅"})
    assert r.status_code == 201, r.text
    data = r.json()["data"]
    f = {k: v["value"] for k, v in data["figures"].items()}
    assert (f["coverage.websites.running"], f["coverage.websites.inspected"],
            f["coverage.websites.ratio"]) == (4, 3, 75.0)
    assert (f["coverage.accounts.running"], f["coverage.accounts.inspected"],
            f["coverage.accounts.ratio"]) == (2, 1, 50.0)
    assert (f["follow_up.previous_problems"], f["follow_up.rechecked"],
            f["follow_up.recheck_ratio"]) == (2, 2, 100.0)
    assert (f["follow_up.rectified"], f["follow_up.rectified_rate"]) == (1, 50.0)
    # Running but not inspected: named in the gap list with the reason, not left out.
    assert sorted((g["target_name"], g["reason"]) for g in data["gaps"]) == sorted(
        [(s4["name"], NOT_INSPECTED), (a2["name"], NOT_INSPECTED)])
    assert f["coverage.not_inspected"] == 2
    # The rectified target is traceable.
    rows = (await reporting.client.get(
        f"/circulars/{r.json()['id']}/figures/follow_up.rectified")).json()["rows"]
    assert [row["target_id"] for row in rows] == [s1["id"]]

    url = f"/circulars/{r.json()['id']}/document"
    sentence = ("全市备案运行中的政府网站4个，已检查3个，检查比例为75%；政务新媒体2个，已检查1个，"
                "检查比例为50%。2个备案运行的网站和账号本期未检查，已列入未能检查名单。"
                "上期检查不合格的2个网站和账号中，本期复查2个，复查比例为100%；已整改合格1个，"
                "整改率为50%。各区县合格率：历下区66.7%、市中区100%。")
    docx = Document(io.BytesIO((await reporting.client.get(url, params={"format": "docx"})).content))
    text = "\n".join(p.text for p in docx.paragraphs)
    assert "（三）检查覆盖和复查情况。" + sentence in text
    gap_table = [t for t in docx.tables if any(s4["name"] in c.text for row in t.rows for c in row.cells)]
    assert gap_table, "the not-inspected site is in a DOCX attachment table"
    md = (await reporting.client.get(url, params={"format": "md"})).text
    assert sentence in md and a2["name"] in md
    html = (await reporting.client.get(url, params={"format": "html"})).text
    assert "检查比例为75%" in html
    book = load_workbook(io.BytesIO((await reporting.client.get(url, params={"format": "xlsx"})).content))
    sheet = [[c.value for c in row] for row in book["覆盖与复查"].iter_rows()]
    assert sheet[1:4] == [["检查比例", "政府网站（备案运行中）", 4, 3, 75],
                          ["检查比例", "政务新媒体（备案运行中）", 2, 1, 50],
                          ["复查比例", "上期不合格网站和账号", 2, 2, 100]]
    gaps = [[c.value for c in row] for row in book["未能检查"].iter_rows()]
    assert [g[3] for g in gaps[1:]] == sorted([s4["name"], a2["name"]], key=lambda n: n != s4["name"])
