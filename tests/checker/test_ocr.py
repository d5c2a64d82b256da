"""Text inside pictures and scanned PDFs: read by Tesseract, judged by the text rules, cropped as evidence."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from services.checker.ground.site import Link, Page
from services.checker.inspect.evaluate import evaluate
from services.checker.ocr.collect import OcrBudget, _pdf_pictures, _read, image_candidates
from services.checker.ocr.crop import crop, locate
from services.checker.ocr.engine import available, parse_tsv
from services.checker.profile.loader import national_profile
from services.checker.rules.params import WordLists
from tests.checker.cleansite import HOST, documents, snapshot
from tests.checker.ocrfixture import notice, scanned_pdf

pytestmark = pytest.mark.skipif(not available(), reason="tesseract-ocr is not installed")
BUDGET = OcrBudget(max_images=5, max_pdf_pages=3, min_pixels=40_000, timeout_s=60, min_confidence=50)
PAGE = f"https://{HOST}/tzgg/202611/t20261112_9.html"
LEAKED = "11010519491231002X"  # passes the GB 11643 check digit
WRONG = "370102198001011238"  # 18 digits, wrong check digit


async def _findings(picture: bytes, url: str = f"https://{HOST}/images/gs.png") -> tuple[list, object]:  # type: ignore[type-arg]
    result = await _read(picture, url, PAGE, BUDGET)
    assert result is not None
    site = snapshot(documents())
    site.ocr_pages = [result.page]
    found = evaluate(site, national_profile(), WordLists(), only={"content.personal_info", "veto.security"})
    return [f for f in found if f.detail.get("ocr")], result


async def test_a_full_id_number_in_a_notice_picture_is_found_masked_with_its_crop() -> None:
    picture = notice(["关于临时救助资金发放的公示", f"申请人：张某某  身份证号：{LEAKED}",
                      "联系电话：139****5678", f"登记编号：{WRONG}"])
    [f], result = await _findings(picture)
    assert f.rule == "content.personal_info" and f.offending == "110105********002X"
    assert LEAKED not in f.message + (f.excerpt or "") and "图片中（文字识别）" in f.message
    assert (f.url, f.parent_url) == (f"https://{HOST}/images/gs.png", PAGE)
    span = locate(result.ocr, f)  # type: ignore[attr-defined]
    assert span is not None
    part = crop(picture, result.ocr, span)  # type: ignore[attr-defined]
    assert part is not None
    with Image.open(io.BytesIO(part)) as cut, Image.open(io.BytesIO(picture)) as whole:
        assert cut.height < whole.height / 2 and cut.width <= whole.width


async def test_a_serious_expression_error_on_a_poster_is_a_veto() -> None:
    found, _ = await _findings(notice(["深入学习习近平新时代特色社会主义思想"], size=36))
    assert [(f.rule, f.severity) for f in found] == [("veto.security", "veto")]


async def test_a_scanned_pdf_is_read_page_by_page_within_the_budget() -> None:
    pdf = scanned_pdf([["第一页：工作方案"], [f"第二页：联系人身份证号 {LEAKED}"], ["第三页"], ["第四页"]])
    pictures = _pdf_pictures(pdf, 3)
    assert [n for n, _ in pictures] == [1, 2, 3]
    [f], _ = await _findings(pictures[1][1], f"https://{HOST}/zcwj/fj/scan.pdf#page=2")
    assert "扫描文档中（文字识别）" in f.message


def test_template_pictures_are_not_read() -> None:
    def img(url: str, on: str) -> Link:
        return Link(url=f"https://{HOST}{url}", parent_url=on, tag="img")
    home, a, b = (f"https://{HOST}/", f"https://{HOST}/a.html", f"https://{HOST}/b.html")
    pages = [Page(url=u, final_url=u, status=200, depth=0 if u == home else 1, parent_url=None, links=links)
             for u, links in ((home, [img("/banner.png", home)]),
                              (a, [img("/logo.png", a), img("/notice.jpg", a), img("/banner.png", a)]),
                              (b, [img("/logo.png", b)]))]
    assert image_candidates(pages) == [(f"https://{HOST}/notice.jpg", a)]


def test_words_are_joined_without_spaces_between_chinese_and_kept_with_their_boxes() -> None:
    tsv = ("level\tpage_num\tblock_num\tpar_num\tline_num\tword_num\tleft\ttop\twidth\theight\tconf\ttext\n"
           "5\t1\t1\t1\t1\t1\t10\t10\t40\t20\t95\t身份\n5\t1\t1\t1\t1\t2\t52\t10\t20\t20\t40\t证\n"
           "5\t1\t1\t1\t1\t3\t80\t10\t20\t20\t90\t号\n5\t1\t1\t1\t1\t4\t120\t10\t200\t20\t91\tAB12\n"
           "5\t1\t1\t1\t2\t1\t10\t40\t40\t20\t93\t电话\n")
    read = parse_tsv(tsv, 50)
    assert read.text == "身份号 AB12\n电话"  # the unsure 证 is left out
    assert read.boxes(4, 8) == [(120, 10, 200, 20)]
