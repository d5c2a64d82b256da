"""Rule content.personal_info (个人信息泄露): ID, mobile and bank card numbers published in full.

Rule: in the text of every fetched page and attachment (tables included), report
- 18-character resident ID numbers (GB 11643-1999): a province code, a real birth date not after
  the monitoring point and not before the profile's earliest year, and the ISO 7064 MOD 11-2
  check character;
- 11-digit mainland mobile numbers 1[3-9]…, also written 138-1234-5678, 138 1234 5678 or +86…;
- bank card numbers: 16–19 digits with a personal-card prefix and length from the profile
  (62 UnionPay, 4 Visa, 5 Mastercard, 35 JCB) passing the Luhn check.
Not findings: masked numbers (138****1234, 370102********123X), numbers inside URLs, digits that
are part of a longer run or glued to letters (product codes, file names), runs starting with a
date (timestamps such as 20230101120000123456), and numbers failing their checks. Findings never
repeat a full number: message, excerpt, offending text and locator show it masked.
Indicator: 个人信息泄露. Source: RULES.md content checks (个人信息泄露); severities per kind
are profile parameters (see the profile's _source).

Passing: "咨询电话：0531-12345678；联系人：138****1234。"
Failing: "身份证号：11010519491231002X" — a valid ID number shown in full.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from services.checker.ground.finding import FindingDraft, Severity
from services.checker.ground.site import SiteSnapshot
from services.checker.rules.content.matcher import collapse_repeats, excerpt, place, readable_pages

CODE = "content.personal_info"
INDICATOR = "个人信息泄露"

Kind = Literal["id_card", "mobile", "bank_card"]
KIND_LABELS: dict[str, str] = {"id_card": "居民身份证号码", "mobile": "手机号码", "bank_card": "银行卡号"}

# GB/T 2260 province codes (71 台湾, 81–83 港澳台居民居住证): the first two digits of an ID number.
_PROVINCES = {*range(11, 16), *range(21, 24), *range(31, 38), *range(41, 47), *range(50, 55),
              *range(61, 66), 71, 81, 82, 83}
_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_FULLWIDTH = str.maketrans("０１２３４５６７８９Ｘｘ", "0123456789Xx")
_URL_CHARS = r"[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=%]"
_URL = re.compile(rf"(?:(?:https?|ftp)://|www\.){_URL_CHARS}+"
                  rf"|[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.(?:cn|com|net|org|gov|edu)(?![A-Za-z0-9])"
                  rf"(?:[/:?]{_URL_CHARS}*)?", re.I)
# A whole run of digits (an ID may end in X), or a mobile number written 138-1234-5678 or
# 138 1234 5678 that does not continue a longer spaced number; never glued to letters, masks
# or decimals.
_NUMBER = re.compile(
    r"(?<![0-9A-Za-z*_])(?<!\d\.)"
    r"(?:(?:(?<!\d[ -])|(?<=\+86[ -]))1[3-9]\d([ -])\d{4}\1\d{4}(?![ -]\d)|\d+[Xx]?)"
    r"(?![0-9A-Za-z*_])(?!\.\d)", re.ASCII)
# Every number the rule reports has 11 digits in a row (mobile, ID card, bank card) or is a
# mobile number written in groups: a text without either (most pages) needs no closer look.
_MAYBE = re.compile(r"[0-9０-９]{11}|[1１][3-9３-９][0-9０-９][ -][0-9０-９]{4}[ -][0-9０-９]{4}")


class Params(BaseModel):
    model_config = ConfigDict(extra="ignore")

    report_kinds: list[Kind]
    severity: dict[Kind, Severity]
    points: dict[Kind, float]  # per finding, for deduct severities
    id_min_birth_year: int
    bank_card_prefixes: dict[str, list[int]]  # issuer prefix → card lengths it issues
    context_chars: int = Field(ge=0)
    max_listed_pages: int = Field(ge=0)

    @model_validator(mode="after")
    def _kinds_mapped(self) -> Params:
        missing = [k for k in self.report_kinds if k not in self.severity or k not in self.points]
        if missing:
            raise ValueError(f"report_kinds without severity or points: {missing}")
        return self


def _date(digits: str) -> date | None:
    try:
        return date(int(digits[0:4]), int(digits[4:6]), int(digits[6:8]))
    except ValueError:
        return None


def _valid_id(d: str, as_of: date, params: Params) -> bool:
    if len(d) != 18 or not d[:17].isdigit() or int(d[:2]) not in _PROVINCES:
        return False
    born = _date(d[6:14])
    if born is None or born.year < params.id_min_birth_year or born > as_of:
        return False
    return d[17].upper() == "10X98765432"[sum(int(c) * w for c, w in zip(d, _WEIGHTS, strict=False)) % 11]


def _luhn(d: str) -> bool:
    digits = [int(c) for c in reversed(d)]
    return (sum(digits[0::2]) + sum(sum(divmod(2 * c, 10)) for c in digits[1::2])) % 10 == 0


def _classify(d: str, plus: bool, as_of: date, params: Params) -> tuple[Kind, int, int] | None:
    """Return (kind, digits kept in front, digits kept at the end) for a personal number, else None."""
    if len(d) == 18 and _valid_id(d, as_of, params):
        return "id_card", 6, 4
    if not d.isdigit():
        return None
    if len(d) == 11 and re.match(r"1[3-9]", d):
        return "mobile", 3, 4
    if plus and len(d) == 13 and re.match(r"861[3-9]", d):
        return "mobile", 5, 4
    timestamp = len(d) >= 14 and d[:2] in ("19", "20") and _date(d[:8]) is not None
    issuer = any(d.startswith(p) and len(d) in lengths for p, lengths in params.bank_card_prefixes.items())
    if issuer and not timestamp and _luhn(d):
        return "bank_card", 4, 4
    return None


def _mask(raw: str, front: int, back: int) -> str:
    places = [i for i, c in enumerate(raw) if c.isalnum()]
    hidden = set(places[front:len(places) - back])
    return "".join("*" if i in hidden else c for i, c in enumerate(raw))


def check(site: SiteSnapshot, params: Params) -> list[FindingDraft]:
    """Report full ID, mobile and bank card numbers, showing each only masked."""
    as_of = site.as_of.date()
    findings: list[FindingDraft] = []
    for page, text in readable_pages(site):
        if _MAYBE.search(text) is None:
            continue
        normal = _URL.sub(lambda m: " " * len(m.group()), text.translate(_FULLWIDTH))
        found: list[tuple[int, int, Kind, str]] = []
        for m in _NUMBER.finditer(normal):
            raw = m.group()
            kind = _classify(re.sub(r"[ -]", "", raw), normal[m.start() - 1:m.start()] == "+", as_of, params)
            if kind and kind[0] in params.report_kinds:
                found.append((m.start(), m.end(), kind[0], _mask(raw, kind[1], kind[2])))
        # Excerpts come from a copy with every found number masked, so no neighbour shows in full.
        parts, cursor = [], 0
        for start, end, _, masked in found:
            parts += [text[cursor:start], masked]
            cursor = end
        masked_text = "".join([*parts, text[cursor:]])
        counts: dict[str, int] = {}
        for start, end, kind_code, masked in found:
            n = counts[masked] = counts.get(masked, -1) + 1
            label, severity = KIND_LABELS[kind_code], params.severity[kind_code]
            findings.append(FindingDraft(
                rule=CODE, indicator=INDICATOR, severity=severity,
                message=f"{place(page)}中公开了完整的{label}“{masked}”（此处已脱敏显示），属于个人信息泄露",
                locator=f"{page.url}|{kind_code}|{masked}|{n}", url=page.url, parent_url=page.parent_url,
                excerpt=excerpt(masked_text, start, end, params.context_chars), offending=masked,
                suggestion=f"删除该{label}，或脱敏后发布（如“{masked}”）",
                points=params.points[kind_code] if severity == "deduct" else 0.0, screenshot=page.screenshot,
                detail={"kind": kind_code, "kind_label": label, "attachment": page.is_attachment},
            ))
    return collapse_repeats(findings, params.max_listed_pages)
