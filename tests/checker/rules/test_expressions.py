"""veto.security, kind expression: protected formulations, names and sovereignty wording."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from services.checker.ground.site import Page, SiteSnapshot, Target
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


def test_the_shipped_list_is_unique_annotated_and_sourced() -> None:
    entries = builtin_expressions()
    wrongs = [e.wrong for e in entries]

    assert len(wrongs) == len(set(wrongs)) and all(e.wrong != e.right for e in entries)
    assert all(e.note for e in entries) and all(e.source for e in entries)


def wrong_forms(text: str) -> set[str]:
    """The offending forms the expression rule reports in one page of text."""
    return {f.offending or "" for f in expressions.check(make_site(make_page(ARTICLE, text)), expression_params())}


def test_congress_counting_words_jie_and_ci() -> None:
    # Failing: a party congress counted in 届, a Central Committee or NPC counted in 次.
    assert wrong_forms("认真学习贯彻党的第二十届全国代表大会精神。") == {"第二十届全国代表大会"}
    assert wrong_forms("党的二十次三中全会审议通过了决定。") == {"二十次三中全会"}
    assert wrong_forms("中国共产党第二十届中央委员会第三届全体会议召开。") == {"中央委员会第三届全体会议"}
    assert wrong_forms("十四届全国人大二届会议在京开幕。") == {"全国人大二届会议"}
    assert wrong_forms("第十四次全国人民代表大会代表。") == {"第十四次全国人民代表大会"}
    # Passing: the official counting.
    assert wrong_forms("党的二十大即中国共产党第二十次全国代表大会；二十届三中全会即第二十届中央委员会"
                       "第三次全体会议；十四届全国人大二次会议，第十四届全国人民代表大会第二次会议；"
                       "十四届全国政协二次会议。") == set()


def test_fixed_national_formulations_in_their_official_order() -> None:
    assert wrong_forms("增强政治意识、核心意识、大局意识、看齐意识。") == {"政治意识、核心意识、大局意识、看齐意识"}
    assert wrong_forms("坚定理论自信、道路自信、制度自信、文化自信。") == {"理论自信、道路自信、制度自信、文化自信"}
    assert wrong_forms("统筹推进经济建设、政治建设、社会建设、文化建设、生态文明建设。") == {
        "经济建设、政治建设、社会建设、文化建设、生态文明建设"}
    assert wrong_forms("做到两个维护，维护习近平总书记全党的核心、党中央的核心地位。") == {"全党的核心、党中央的核心"}
    assert wrong_forms("增强政治意识、大局意识、核心意识、看齐意识，坚定道路自信、理论自信、制度自信、文化自信，"
                       "统筹推进经济建设、政治建设、文化建设、社会建设、生态文明建设“五位一体”总体布局，"
                       "维护习近平总书记党中央的核心、全党的核心地位。") == set()


def test_the_official_name_of_the_guiding_thought() -> None:
    assert wrong_forms("深入学习习近平新时代中国特色社会主义理论。") == {"习近平新时代中国特色社会主义理论"}
    assert wrong_forms("学习贯彻习近平中国特色社会主义新时代思想。") == {"习近平中国特色社会主义新时代思想"}
    assert wrong_forms("以习近平总书记新时代中国特色社会主义思想为指导。") == {"习近平总书记新时代中国特色社会主义思想"}
    assert wrong_forms("以習近平新時代中國特色社會主義理論為指導。") == {"習近平新時代中國特色社會主義理論"}
    assert wrong_forms("以习近平新时代中国特色社会主义思想为指导，中国特色社会主义理论体系。"
                       "以習近平新時代中國特色社會主義思想為指導。") == set()


def test_party_bodies_issue_before_government_bodies() -> None:
    assert wrong_forms("国务院办公厅、中共中央办公厅印发《意见》。") == {"国务院办公厅、中共中央办公厅"}
    assert wrong_forms("国务院、中共中央印发《纲要》。") == {"国务院、中共中央"}
    found = expressions.check(make_site(make_page(ARTICLE, "山东省人民政府办公厅、中共山东省委办公厅联合印发通知。")),
                              expression_params())
    assert [(f.offending, f.severity) for f in found] == [("人民政府办公厅、中共", "warn")]
    assert wrong_forms("中共中央办公厅、国务院办公厅印发《意见》；中共中央、国务院印发《纲要》；"
                       "中共山东省委办公厅、山东省人民政府办公厅联合印发通知。") == set()


def test_sovereignty_wording_and_titles_not_across_word_boundaries() -> None:
    assert wrong_forms("所谓台湾国的说法。") == {"台湾国"}
    assert wrong_forms("省人大常委会委员长出席。") == {"省人大常委会委员长"}
    # 台湾国 inside 台湾/国民党 or 台湾/国际 is two words, not the wrong form.
    assert wrong_forms("台湾国民党主席到访；台湾国际机场；省人大常委会主任出席；全国人大常委会委员长出席。") == set()


def test_traditional_script_pages_report_the_text_as_served() -> None:
    [finding] = expressions.check(make_site(make_page(ARTICLE, "學習貫徹黨的第二十屆全國代表大會精神。")),
                                  expression_params())

    assert finding.offending == "第二十屆全國代表大會" and finding.suggestion == "第二十次全国代表大会"
    assert "【第二十屆全國代表大會】" in (finding.excerpt or "") and "“第二十屆全國代表大會”" in finding.message
