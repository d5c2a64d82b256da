"""The typo and expression lists: entry models and the lists shipped with the checker."""

from __future__ import annotations

import csv
import io
from functools import cache
from importlib import resources
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

TypoLevel = Literal["general", "suspected", "serious"]
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


def _rows(name: str) -> list[dict[str, str]]:
    text = resources.files(DATA_PACKAGE).joinpath(name).read_text(encoding="utf-8")
    # Lines starting with # are section headings of the shipped lists.
    return [row for row in csv.DictReader(io.StringIO(text)) if not row["wrong"].startswith("#")]


def _exceptions(row: dict[str, str]) -> tuple[str, ...]:
    return tuple(e for e in (row.get("exceptions") or "").split("|") if e)


@cache
def _typos() -> tuple[TypoEntry, ...]:
    return tuple(TypoEntry.model_validate({**r, "exceptions": _exceptions(r)}) for r in _rows("typos.csv"))


@cache
def _expressions() -> tuple[ExpressionEntry, ...]:
    return tuple(ExpressionEntry.model_validate({**r, "exceptions": _exceptions(r)})
                 for r in _rows("expressions.csv"))


def builtin_typos() -> list[TypoEntry]:
    """Return the shipped typo dictionary (a fresh list; the entries are immutable)."""
    return list(_typos())


def builtin_expressions() -> list[ExpressionEntry]:
    """Return the shipped list of wrongly written protected formulations."""
    return list(_expressions())
