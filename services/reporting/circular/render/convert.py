"""Simplified → Traditional Chinese for a rendered circular (OpenCC's s2t conversion)."""

from __future__ import annotations

import dataclasses
from functools import lru_cache
from typing import Any, Protocol, TypeVar, cast

from pydantic import BaseModel

T = TypeVar("T")


class _Converter(Protocol):
    def convert(self, text: str) -> str: ...


@lru_cache(maxsize=1)
def _converter() -> _Converter:
    # Imported lazily: the dictionaries load in ~0.1 s and only Traditional renders need them.
    import opencc

    return cast(_Converter, opencc.OpenCC("s2t"))


@lru_cache(maxsize=4096)
def to_traditional(text: str) -> str:
    """Convert one Simplified Chinese string to Traditional Chinese."""
    if not text or text.isascii():
        return text
    return _converter().convert(text)


def convert_tree(value: T) -> T:
    """Return a copy of `value` with every string in it converted to Traditional Chinese.

    Walks strings, lists, tuples, dicts, dataclasses and pydantic models; other values (numbers,
    dates, bytes) are kept as they are.
    """
    return cast(T, _convert(value))


def _convert(value: Any) -> Any:
    if isinstance(value, str):
        return to_traditional(value)
    if isinstance(value, list):
        return [_convert(v) for v in value]
    if isinstance(value, tuple):
        return tuple(_convert(v) for v in value)
    if isinstance(value, dict):
        return {k: _convert(v) for k, v in value.items()}
    if isinstance(value, BaseModel):
        return value.model_copy(update={name: _convert(getattr(value, name))
                                        for name in type(value).model_fields})
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return dataclasses.replace(value, **{f.name: _convert(getattr(value, f.name))
                                             for f in dataclasses.fields(value) if f.init})
    return value
