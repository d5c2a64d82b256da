"""content.personal_info: ID, mobile and bank card numbers shown in full, never repeated in full."""

from __future__ import annotations

import random
import re
import unicodedata
import uuid
from datetime import datetime, timedelta, timezone
from typing import Any

from services.checker.ground.finding import FindingDraft
from services.checker.ground.site import Page, SiteSnapshot, Target
from services.checker.profile.loader import national_profile
from services.checker.rules.content import personal_info

AS_OF = datetime(2024, 5, 1, 10, 0, tzinfo=timezone(timedelta(hours=8)))
HOME = "https://www.jn.gov.cn/"
ARTICLE = "https://www.jn.gov.cn/art/2024/4/30/art_123_456.html"

# (as published, kind, how the finding shows it)
VALID = [
    ("11010519491231002X", "id_card", "110105********002X"),
    ("370102198001011237", "id_card", "370102********1237"),
    ("44030419951231456x", "id_card", "440304********456x"),
    ("510107200002297896", "id_card", "510107********7896"),  # born on 29 February 2000
    ("650102197611153219", "id_card", "650102********3219"),
    ("810000199001012348", "id_card", "810000********2348"),  # 港澳居民居住证
    ("350203198808088882", "id_card", "350203********8882"),
    ("420106197005150010", "id_card", "420106********0010"),
    ("13812345678", "mobile", "138****5678"),
    ("139-1234-5678", "mobile", "139-****-5678"),
    ("159 8765 4321", "mobile", "159 **** 4321"),
    ("+8615912345678", "mobile", "86159****5678"),
    ("１８６１２３４５６７８", "mobile", "186****5678"),  # full-width digits
    ("17012345678", "mobile", "170****5678"),
    ("19912345678", "mobile", "199****5678"),
    ("6222021001123456789", "bank_card", "6222***********6789"),
    ("6228480012345671", "bank_card", "6228********5671"),
    ("6217001234567890122", "bank_card", "6217***********0122"),
    ("4567890123456783", "bank_card", "4567********6783"),
    ("5356789012345671", "bank_card", "5356********5671"),
]
LOOK_ALIKES = [
    "370102198001011238",  # wrong check digit
    "370102199013011234",  # no 13th month
    "370102203001011230",  # born after the monitoring point
    "990105194912310023",  # no province 99
    "370102********123X", "138****1234", "6222***********6789", "35*************123",  # masked
    "https://www.jn.gov.cn/search?tel=13812345679&sfz=11010519491231002X",  # in a URL
    "jn.gov.cn/art/13912345678.html",
    "20230101120000123456", "20230101120000123",  # timestamps
    "37010219800101123799", "3701021980010112379",  # a valid ID inside a longer product code
    "6222021001123456789012",  # a valid card inside a longer number
    "ABC13812345678", "13812345678ABC",  # glued to letters
    "6222021001123456788",  # fails Luhn
    "12345678901", "1381234567",  # not a mobile number
    "0.13812345678",  # a decimal
    "0531-88881234",  # a landline
]


def make_site(*pages: Page) -> SiteSnapshot:
    target = Target(id=uuid.uuid4(), site_code="3701000001", name="济南市人民政府",
                    organisation_id=uuid.uuid4(), organisation_name="济南市人民政府办公厅",
                    region_code="370100", kind="portal", domains=["www.jn.gov.cn"], home_url=HOME,
                    status="running")
    return SiteSnapshot(target=target, as_of=AS_OF, pages=list(pages))


def make_page(url: str, text: str, *, attachment: bool = False) -> Page:
    return Page(url=url, final_url=url, status=200, depth=1, parent_url=HOME, text=text,
                html=f"<p>{text}</p>", is_attachment=attachment)


def params(**overrides: Any) -> personal_info.Params:
    raw = national_profile()["rules"][personal_info.CODE]
    return personal_info.Params.model_validate({**raw, **overrides})


def shown(finding: FindingDraft) -> str:
    """Everything of a finding a person or a log can read."""
    return " ".join([finding.message, finding.excerpt or "", finding.offending or "", finding.locator,
                     finding.suggestion or ""])


def test_only_valid_unmasked_numbers_among_look_alikes_are_reported_masked() -> None:
    numbers = [n for n, _, _ in VALID] + LOOK_ALIKES
    random.Random(11643).shuffle(numbers)
    rows = [f"第{i}行 姓名：张某某 号码：{number} 备注：无" for i, number in enumerate(numbers)]
    site = make_site(make_page(ARTICLE, "低保对象公示名单\n" + "\n".join(rows)))

    findings = personal_info.check(site, params())

    assert sorted((f.detail["kind"], f.offending) for f in findings) == sorted((k, m) for _, k, m in VALID)
    in_full = [re.sub(r"[^0-9Xx]", "", unicodedata.normalize("NFKC", n))[-18:] for n, _, _ in VALID]
    for finding in findings:
        readable = re.sub(r"[ -]", "", shown(finding))
        assert not any(number in readable or number[-11:] in readable for number in in_full)
        assert f"【{finding.offending}】" in (finding.excerpt or "")


def test_severity_and_points_follow_the_kind() -> None:
    text = "申请人身份证号11010519491231002X，手机13812345678，银行卡号6228480012345671。"
    site = make_site(make_page(ARTICLE, text))

    found = {f.detail["kind"]: f for f in personal_info.check(site, params())}

    assert (found["id_card"].severity, found["bank_card"].severity) == ("veto", "veto")
    assert (found["mobile"].severity, found["mobile"].points) == ("deduct", 1.0)
    id_card = found["id_card"]
    assert (id_card.rule, id_card.indicator, id_card.url, id_card.parent_url) == (
        "content.personal_info", "个人信息泄露", ARTICLE, HOME)
    assert "居民身份证号码“110105********002X”" in id_card.message and "个人信息泄露" in id_card.message
    assert id_card.locator == f"{ARTICLE}|id_card|110105********002X|0"
    # The excerpt shows the neighbouring mobile number masked too.
    assert "138****5678" in (id_card.excerpt or "") and "13812345678" not in (id_card.excerpt or "")


def test_numbers_in_space_separated_table_columns_are_found() -> None:
    text = "序号 手机 身份证号 姓名\n1 13612345678 370102198001011237 王某\n2 +86 135 1234 5678 无 李某"
    site = make_site(make_page(ARTICLE, text))

    findings = personal_info.check(site, params())

    assert [f.offending for f in findings] == ["136****5678", "370102********1237", "135 **** 5678"]


def test_attachment_text_is_scanned() -> None:
    xls = "https://www.jn.gov.cn/module/download/2024/subsidy.xls"
    table = "序号\t姓名\t身份证号\t补贴金额\n1\t王某\t370102198001011237\t500"
    site = make_site(make_page(ARTICLE, "附件：补贴发放名单.xls"), make_page(xls, table, attachment=True))

    [finding] = personal_info.check(site, params())

    assert (finding.url, finding.offending, finding.severity) == (xls, "370102********1237", "veto")
    assert finding.message.startswith("附件中")


def test_a_page_with_only_masked_numbers_and_office_phones_is_clean() -> None:
    text = ("咨询电话：0531-88881234，12345政务服务便民热线。联系人：李某，138****1234。"
            "公示对象身份证号370102********123X，银行卡号6222***********6789。"
            "文号：济政办发〔2024〕12号，发布时间：2024-04-30 09:00:00。")
    site = make_site(make_page(ARTICLE, text))

    assert personal_info.check(site, params()) == []


def test_kinds_the_profile_does_not_report_are_skipped() -> None:
    site = make_site(make_page(ARTICLE, "手机13812345678，身份证号11010519491231002X"))

    findings = personal_info.check(site, params(report_kinds=["id_card", "bank_card"]))

    assert [f.detail["kind"] for f in findings] == ["id_card"]

