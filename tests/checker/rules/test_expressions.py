"""veto.security, kind expression: protected formulations, names and sovereignty wording."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from services.checker.inspect.model import Page, SiteSnapshot, Target
from services.checker.profile.loader import national_profile
from services.checker.rules.content import expressions
from services.checker.rules.content.wordlists import ExpressionEntry, builtin_expressions

FRAGMENT = Path(__file__).parents[3] / "services/checker/profiles/national_2019/content.json"
AS_OF = datetime(2024, 5, 1, 10, 0, tzinfo=timezone(timedelta(hours=8)))
HOME = "https://www.jn.gov.cn/"
ARTICLE = "https://www.jn.gov.cn/art/2024/4/30/art_123_456.html"


def make_site(*pages: Page) -> SiteSnapshot:
    target = Target(id=uuid.uuid4(), site_code="3701000001", name="济南市人民政府",
                    organisation_id=uuid.uuid4(), organisation_name="济南市人民政府办公厅",
                    region_code="370100", kind="portal", domains=["www.jn.gov.cn"], home_url=HOME,
                    status="running")
    return SiteSnapshot(target=target, as_of=AS_OF, pages=list(pages))


def make_page(url: str, text: str, *, attachment: bool = False) -> Page:
    return Page(url=url, final_url=url, status=200, depth=1, parent_url=HOME, text=text,
                html=f"<p>{text}</p>", is_attachment=attachment)


def expression_profile() -> dict[str, Any]:
    """The expression params of veto.security in the national profile."""
    return dict(national_profile()["rules"]["veto.security"])


def expression_params(extra: list[ExpressionEntry] | None = None, **overrides: Any) -> expressions.Params:
    """The profile's params with the shipped list injected, as the runner does."""
    return expressions.Params.model_validate(
        {**expression_profile(), "expression_entries": [*builtin_expressions(), *(extra or [])], **overrides})


def test_a_misspelt_guiding_thought_is_a_veto_with_its_correct_form() -> None:
    text = "会议强调，要深入学习贯彻习近平新时代中国特色社会主意思想，推动各项工作落地见效。"
    site = make_site(make_page(ARTICLE, text))

    [finding] = expressions.check(site, expression_params())

    assert (finding.rule, finding.indicator, finding.severity) == ("veto.security", "严重表述错误", "veto")
    assert finding.detail["kind"] == "expression" and finding.detail["level_label"] == "严重"
    assert finding.suggestion == "习近平新时代中国特色社会主义思想"
    assert "【习近平新时代中国特色社会主意思想】" in (finding.excerpt or "") and finding.url == ARTICLE
    assert "严重表述错误" in finding.message and "应为" in finding.message


def test_sovereignty_wording_and_wrong_titles_are_vetoes() -> None:
    text = "台湾总统发表讲话；全国人大常委会主任出席会议；要筑牢中华民族共同体意识。"
    site = make_site(make_page(ARTICLE, text))

    found = {f.offending: f for f in expressions.check(site, expression_params())}

    assert set(found) == {"台湾总统", "全国人大常委会主任", "筑牢中华民族共同体意识"}
    assert found["台湾总统"].suggestion == "台湾地区领导人"
    assert all(f.severity == "veto" for f in found.values())


def test_republic_of_china_as_a_current_state_is_a_warning_for_review_but_history_is_not() -> None:
    text = ("本馆收藏中华民国时期档案，所谓“中华民国”不是国家。"
            "某网站称中华民国政府宣布新政策。")
    site = make_site(make_page(ARTICLE, text))

    [finding] = expressions.check(site, expression_params())

    assert finding.offending == "中华民国" and finding.severity == "warn"
    assert "疑似" in finding.message and "请人工核实" in finding.message
    assert "某网站称【中华民国】政府" in (finding.excerpt or "")


def test_correct_formulations_are_not_reported() -> None:
    entries = builtin_expressions()
    text = "。\n".join(s for e in entries for s in (e.right, *e.exceptions))
    text += "。坚持党中央权威和集中统一领导，增强“四个意识”、坚定“四个自信”、做到“两个维护”。"
    site = make_site(make_page(ARTICLE, text))

    assert expressions.check(site, expression_params()) == []


def test_attachment_text_is_scanned_and_deployment_entries_apply() -> None:
    pdf = "https://www.jn.gov.cn/module/download/report.pdf"
    extra = [ExpressionEntry(wrong="济南市人民正府", right="济南市人民政府", level="serious",
                             note="本级机关名称")]
    site = make_site(make_page(pdf, "济南市人民正府关于坚持人民当家做主的报告", attachment=True))

    found = {f.offending: f for f in expressions.check(site, expression_params(extra))}

    assert set(found) == {"济南市人民正府", "人民当家做主"}
    assert found["人民当家做主"].suggestion == "人民当家作主" and found["人民当家做主"].url == pdf
    own = found["济南市人民正府"]
    assert own.message.startswith("附件中") and "本级机关名称" in own.message


def test_the_shipped_list_is_modest_unique_and_annotated() -> None:
    entries = builtin_expressions()
    wrongs = [e.wrong for e in entries]

    assert 40 <= len(entries) <= 80
    assert len(wrongs) == len(set(wrongs)) and all(e.wrong != e.right for e in entries)
    assert all(e.note for e in entries)
