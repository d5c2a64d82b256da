"""content.typo: the shipped typo dictionary on pages and attachments; a scan-time benchmark."""

from __future__ import annotations

import time
import uuid
from datetime import datetime, timedelta, timezone
from typing import Any

from services.checker.ground.site import Page, SiteSnapshot, Target
from services.checker.profile.loader import national_profile
from services.checker.rules.content import expressions, personal_info, typos
from services.checker.rules.content.wordlists import TypoEntry, builtin_proper_names, builtin_typos
from tests.checker.rules.test_expressions import expression_params

AS_OF = datetime(2024, 5, 1, 10, 0, tzinfo=timezone(timedelta(hours=8)))
HOME = "https://www.jn.gov.cn/"
ARTICLE = "https://www.jn.gov.cn/art/2024/4/30/art_123_456.html"


def make_site(*pages: Page) -> SiteSnapshot:
    target = Target(id=uuid.uuid4(), site_code="3701000001", name="济南市人民政府",
                    organisation_id=uuid.uuid4(), organisation_name="济南市人民政府办公厅",
                    region_code="370100", kind="portal", domains=["www.jn.gov.cn"], home_url=HOME,
                    status="running")
    return SiteSnapshot(target=target, as_of=AS_OF, pages=list(pages))


def make_page(url: str, text: str, *, attachment: bool = False, html: str = "") -> Page:
    return Page(url=url, final_url=url, status=200, depth=0 if url == HOME else 1,
                parent_url=None if url == HOME else HOME, text=text, html=html or f"<p>{text}</p>",
                is_attachment=attachment, content_type="application/pdf" if attachment else "text/html")


def params(extra: list[TypoEntry] | None = None, **overrides: Any) -> typos.Params:
    """The national profile's params with the shipped dictionary injected, as the runner does."""
    raw = national_profile()["rules"][typos.CODE]
    return typos.Params.model_validate({**raw, "entries": [*builtin_typos(), *(extra or [])], **overrides})


def test_planted_typos_are_reported_with_correction_context_and_level() -> None:
    text = ("为贯彻落实市委部署，各部门要按步就班推进工作。请于5月底前核对单位帐户信息。"
            "人民检查院将派员参加。既使有困难也要克服。")
    site = make_site(make_page(HOME, "首页"), make_page(ARTICLE, text))

    found = {f.offending: f for f in typos.check(site, params())}

    assert set(found) == {"按步就班", "帐户", "检查院", "既使"}
    step = found["按步就班"]
    assert (step.rule, step.indicator) == ("content.typo", "错别字")
    assert (step.severity, step.points) == ("deduct", 0.5)
    assert (step.suggestion, step.url, step.parent_url) == ("按部就班", ARTICLE, HOME)
    assert "【按步就班】" in (step.excerpt or "") and "各部门要" in (step.excerpt or "")
    assert "“按步就班”应为“按部就班”" in step.message
    assert step.detail["level_label"] == "一般" and step.locator == f"{ARTICLE}|按步就班|0"
    assert found["帐户"].suggestion == "账户"
    assert (found["检查院"].points, found["检查院"].detail["level"]) == (1.0, "serious")
    assert found["既使"].severity == "warn" and found["既使"].points == 0
    assert "疑似" in found["既使"].message and found["既使"].detail["level_label"] == "疑似"


def test_correct_texts_with_look_alike_strings_are_not_reported() -> None:
    text = ("加强预防犯罪宣传，防犯罪于未然；他自己经常下基层。蚊帐单价为30元，好象棋手。"
            "手机配备1200万像素摄像头。人民检察院检查院内消防设施。截至目前，已部署到位，"
            "账户、台账均已核对，即使困难再大也要再接再厉、一如既往。")
    site = make_site(make_page(ARTICLE, text))

    assert typos.check(site, params()) == []


def test_every_correct_form_and_exception_of_the_dictionary_is_clean() -> None:
    entries = builtin_typos()
    text = "。\n".join(s for e in entries for s in (e.right, *e.exceptions))
    site = make_site(make_page(ARTICLE, text))

    assert typos.check(site, params()) == []


def test_the_shipped_dictionary_is_large_unique_and_consistent() -> None:
    entries = builtin_typos()
    wrongs = [e.wrong for e in entries]

    assert len(entries) >= 3000
    assert all(e.source for e in entries)
    assert len(wrongs) == len(set(wrongs))
    assert all(e.wrong != e.right for e in entries)
    assert {e.level for e in entries} == {"general", "suspected", "serious"}
    assert all(e.wrong in x for e in entries for x in e.exceptions)


def test_attachment_text_is_scanned_and_named_as_an_attachment() -> None:
    pdf = "https://www.jn.gov.cn/module/download/2024/notice.pdf"
    site = make_site(make_page(ARTICLE, "附件：通知.pdf"),
                     make_page(pdf, "第三条 各单位应于每月5日前报送统计台帐。", attachment=True))

    [finding] = typos.check(site, params())

    assert (finding.url, finding.offending, finding.suggestion) == (pdf, "台帐", "台账")
    assert finding.message.startswith("附件中") and finding.detail["attachment"] is True


def test_a_template_repeating_a_typo_on_every_page_is_one_finding() -> None:
    footer = "主办单位：济南市人民政府办公厅 本网站已复盖全市各区县"
    pages = [make_page(HOME, "首页要闻 " + footer)] + [
        make_page(f"https://www.jn.gov.cn/art/{i}.html", f"第{i}篇正文 " + footer) for i in range(3)]

    [finding] = typos.check(make_site(*pages), params())

    assert finding.url == HOME and finding.suggestion == "覆盖"
    assert finding.detail["pages_count"] == 4 and len(finding.detail["also_on"]) == 3


def test_deployment_entries_add_to_and_override_the_shipped_dictionary() -> None:
    extra = [TypoEntry(wrong="政务服务中新", right="政务服务中心", level="serious"),
             TypoEntry(wrong="按步就班", right="按部就班（地方词库）", level="general")]
    site = make_site(make_page(ARTICLE, "请到政务服务中新办理，按步就班。"))

    found = {f.offending: f for f in typos.check(site, params(extra))}

    assert found["政务服务中新"].suggestion == "政务服务中心" and found["政务服务中新"].points == 1.0
    assert found["按步就班"].suggestion == "按部就班（地方词库）"


def test_levels_not_reported_by_the_profile_are_skipped() -> None:
    site = make_site(make_page(ARTICLE, "既使如此，也要按步就班。"))

    findings = typos.check(site, params(report_levels=["general", "serious"]))

    assert [f.offending for f in findings] == ["按步就班"]


def test_the_html_is_read_when_the_crawler_extracted_no_text() -> None:
    page = make_page(ARTICLE, "", html="<html><script>var a='再接再励';</script><p>我们要再接再励</p></html>")

    [finding] = typos.check(make_site(page), params())

    assert finding.suggestion == "再接再厉" and "我们要【再接再励】" in (finding.excerpt or "")


def test_scanning_500_pages_of_5000_characters_finishes() -> None:
    sentence = ("为深入贯彻落实党中央、国务院决策部署，进一步优化营商环境，市政府办公厅印发实施方案，"
                "明确各部门职责分工，推动政务服务事项全程网办，切实提高群众满意度。")
    body = (sentence * 100)[:4990]
    pages = [make_page(f"https://www.jn.gov.cn/art/{i}.html",
                       body + ("按步就班" if i % 10 == 0 else "") + f"联系电话1381234{i:04d}")
             for i in range(500)]
    site = make_site(*pages)
    pi_params = personal_info.Params.model_validate(national_profile()["rules"][personal_info.CODE])

    started = time.perf_counter()
    typo_findings = typos.check(site, params())
    typo_seconds = time.perf_counter() - started
    expressions.check(site, expression_params())
    expression_seconds = time.perf_counter() - started - typo_seconds
    pi = personal_info.check(site, pi_params)
    total = time.perf_counter() - started

    print(f"\n500 pages x 5,000 chars: typos {typo_seconds:.2f}s, expressions {expression_seconds:.2f}s, "
          f"all content rules {total:.2f}s")
    assert len(typo_findings) == 50 and len(pi) == 500



def typo_forms(text: str) -> set[str]:
    """The offending forms the typo rule reports in one page of text (as served)."""
    return {f.offending or "" for f in typos.check(make_site(make_page(ARTICLE, text)), params())}


def test_everyday_typos_a_proof_reader_knows() -> None:
    assert typo_forms("我们要一如即往，不可理谕的做法要坚决纠正，迫不急待。") >= {"一如即往", "不可理谕"}
    assert typo_forms("全市上下一筹莫展的局面已经扭转，要一如既往、再接再厉。") == set()


def test_a_pair_inside_two_neighbouring_words_is_not_a_typo() -> None:
    # 既使 is listed (即使), but in 既使用…又 it is 既 + 使用; 帐户 is listed, but 蚊帐/户外 are two words.
    assert typo_forms("既使用新技术又保留传统工艺；蚊帐户外展销。") == set()
    assert typo_forms("既使困难再大也要完成。") == {"既使"}
    # Cut apart by a likelier neighbour (指出/帐/目的) yet nearly as likely whole: still reported.
    assert typo_forms("文件指出帐目的问题依然存在。") == {"帐目"}


def test_traditional_typos_are_found_and_reported_as_served() -> None:
    [finding] = typos.check(make_site(make_page(ARTICLE, "各部門要按步就班推進工作，確保政策落實。")), params())

    assert (finding.offending, finding.suggestion) == ("按步就班", "按部就班")
    assert "【按步就班】推進工作" in (finding.excerpt or "")
    [finding] = typos.check(make_site(make_page(ARTICLE, "各部門要再接再勵，推進政務服務。")), params())
    assert (finding.offending, finding.suggestion) == ("再接再勵", "再接再厉")


def test_traditional_pages_are_judged_by_their_own_norms() -> None:
    # 帳戶, 部份, 回覆 are the norm in Hong Kong and Macau; the Simplified norm (账户, 部分, 回复) does not apply.
    text = "請於月底前核對單位帳戶資料。部份巴士路線改道行駛，本局已即時回覆市民。"
    assert typo_forms(text) == set()
    assert typo_forms("请于月底前核对单位帐户资料。部份公交线路改道，本局已即时回覆市民。") == {"帐户", "部份", "回覆"}


def test_listed_proper_names_are_never_typos() -> None:
    assert "香港政府新闻网" in builtin_proper_names()
    extra = [TypoEntry(wrong="政府新闻", right="政府新闻（测试）", level="general", source="test")]
    text = "詳情見香港政府新聞網。"
    assert typos.check(make_site(make_page(ARTICLE, text)), params(extra)) == []


def test_real_government_text_slice_has_no_findings() -> None:
    from benchmarks.realtext import documents, scan, sites_of

    docs = documents()
    assert sum(len(t) for t in docs.values()) > 5000 and any("澳門" in t for t in docs.values())
    assert scan(sites_of(docs)) == []


def test_hong_kong_and_macau_sites_keep_their_norm_in_the_simplified_version_too() -> None:
    text = "有助解决部份企业的困难，充份关心弱势社群，大型渡假村陆续落成。"
    macau = make_site(make_page(ARTICLE, text))
    macau.target.region_code = "820000"

    assert typos.check(macau, params()) == []
    assert typo_forms(text) == {"部份", "充份", "渡假"}  # a mainland site: the Simplified norm


def test_a_misspelling_inside_a_longer_misspelt_word_is_found_but_proper_names_are_kept() -> None:
    # jieba knows 渡假村 as a word; it is the same misspelling of 度假村, so 渡假 is still reported.
    assert typo_forms("本市大型渡假村陆续落成。") == {"渡假"}
    assert typo_forms("澳门永利渡假村协办展览；本市度假村陆续落成。") == set()
