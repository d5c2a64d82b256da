"""The typo and expression lists: entry models and the lists shipped with the checker."""

from __future__ import annotations

import csv
import io
from functools import cache
from importlib import resources
from itertools import permutations
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

TypoLevel = Literal["general", "suspected", "serious"]
# Which script's norm an entry states: "simplified" entries (帐户, 部份, 身分证 …) are right by the
# norms of Traditional script (帳戶, 部份, 身分證 in Hong Kong and Macau) and are not applied there.
EntryScript = Literal["all", "simplified", "traditional"]
ExpressionLevel = Literal["serious", "suspected"]

LEVEL_LABELS: dict[str, str] = {"general": "一般", "suspected": "疑似", "serious": "严重"}
DATA_PACKAGE = "services.checker.rules.content.data"


class PhraseEntry(BaseModel):
    """A wrong form, its correction and the longer correct strings that contain the wrong form."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    wrong: str = Field(min_length=2)  # one character alone is never a safe match in Chinese text
    right: str = Field(min_length=1)
    # Correct strings containing the wrong form (e.g. 预防犯罪 for 防犯): a match inside one is no error.
    exceptions: tuple[str, ...] = ()
    script: EntryScript = "all"  # the script whose norm the entry states (see EntryScript)
    source: str | None = None  # id of the public source the entry comes from (named in the data file)

    @model_validator(mode="after")
    def _consistent(self) -> PhraseEntry:
        if self.wrong == self.right:
            raise ValueError(f"错误写法与正确写法相同：{self.wrong}")
        stray = [e for e in self.exceptions if self.wrong not in e]
        if stray:
            raise ValueError(f"例外词须包含错误写法“{self.wrong}”：{'、'.join(stray)}")
        return self


class TypoEntry(PhraseEntry):
    """One wrong → right pair of the typo dictionary (错别字)."""

    level: TypoLevel


class ExpressionEntry(PhraseEntry):
    """One wrongly written protected formulation, name or title (严重表述错误)."""

    level: ExpressionLevel
    note: str | None = None  # why the wrong form is wrong, shown in the finding


def _text(name: str) -> str:
    return resources.files(DATA_PACKAGE).joinpath(name).read_text(encoding="utf-8")


def _rows(name: str) -> list[dict[str, str]]:
    # Lines starting with # are section headings and source declarations of the shipped lists.
    return [{k: v for k, v in row.items() if v} for row in csv.DictReader(io.StringIO(_text(name)))
            if not row["wrong"].startswith("#")]


def _exceptions(row: dict[str, str]) -> tuple[str, ...]:
    return tuple(e for e in (row.get("exceptions") or "").split("|") if e)


TYPO_FILES = ("typos.csv", "variants.csv", "confusion.csv")  # curated, 异形词, idiom confusions


@cache
def _typos() -> tuple[TypoEntry, ...]:
    entries: dict[str, TypoEntry] = {}
    for name in TYPO_FILES:
        for r in _rows(name):
            entries.setdefault(r["wrong"], TypoEntry.model_validate({**r, "exceptions": _exceptions(r)}))
    return tuple(entries.values())


# Counting words of a congress or plenary session: 一 … 三十 cover every session to date.
_NUMERALS_TEXT = ("一 二 三 四 五 六 七 八 九 十 十一 十二 十三 十四 十五 十六 十七 十八 十九 二十 "
                  "二十一 二十二 二十三 二十四 二十五 二十六 二十七 二十八 二十九 三十")
_NUMERALS = _NUMERALS_TEXT.split()


def _expand(row: dict[str, str]) -> list[dict[str, str]]:
    """Expand a template row: {n} runs over the numerals, {m} over the plenary-session numerals,
    and a wrong form of {order} stands for every other order of the right form's items (、)."""
    if row["wrong"] == "{order}":
        items = row["right"].split("、")
        return [{**row, "wrong": "、".join(p)} for p in permutations(items) if list(p) != items]
    rows = [row]
    for key, values in (("{n}", _NUMERALS[:30]), ("{m}", _NUMERALS[:10])):
        if key in row["wrong"]:
            rows = [{k: (v.replace(key, n) if k in ("wrong", "right", "exceptions") else v)
                     for k, v in r.items()} for r in rows for n in values]
    return rows


@cache
def _expressions() -> tuple[ExpressionEntry, ...]:
    entries: dict[str, ExpressionEntry] = {}
    for row in _rows("expressions.csv"):
        for r in _expand(row):
            entry = ExpressionEntry.model_validate({**r, "exceptions": _exceptions(r)})
            entries.setdefault(r["wrong"], entry)
    return tuple(entries.values())


@cache
def _proper_names() -> tuple[str, ...]:
    lines = (line.strip() for line in _text("proper_names.txt").splitlines())
    return tuple(line for line in lines if line and not line.startswith("#"))


def builtin_typos() -> list[TypoEntry]:
    """Return the shipped typo dictionary (a fresh list; the entries are immutable)."""
    return list(_typos())


def builtin_expressions() -> list[ExpressionEntry]:
    """Return the shipped list of wrongly written protected formulations."""
    return list(_expressions())


def builtin_proper_names() -> list[str]:
    """Return the shipped proper names inside which no typo or expression is reported."""
    return list(_proper_names())
