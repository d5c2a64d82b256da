"""Text typed by people: no control characters, no unpaired surrogates, whitespace normalised.

A name with U+0000 in it broke the region's XLSX export, and a lone surrogate (valid JSON
`"\\ud800"`, not valid UTF-8) answered 500 when it reached the database (issue 13). `Name` is
for one-line fields (names, titles, codes typed by hand); `Text` for notes that may span
lines. Both refuse what cannot be stored or shown, naming the character and its position, and
normalise the rest before length limits are checked.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Annotated, Any

from pydantic import BeforeValidator, Field

# C0 controls (tab, newline and return are whitespace, handled below), DEL and C1 controls,
# and the two XML non-characters U+FFFE / U+FFFF.
_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffe\uffff]")
_SURROGATE = re.compile("[\ud800-\udfff]")
_SPACES = re.compile(r"[^\S\n]+")  # every kind of whitespace but the line break


def _refuse(value: str) -> None:
    for pattern, what in ((_SURROGATE, "不成对的代理字符"), (_FORBIDDEN, "控制字符")):
        found = pattern.search(value)
        if found:
            code, at = ord(found.group()), found.start() + 1
            raise ValueError(f"含有{what} U+{code:04X}（第 {at} 个字符），请删除后重试")


def clean_line(value: Any) -> Any:
    """One line of text: refused if unprintable, NFC-normalised, runs of whitespace one space."""
    if not isinstance(value, str):
        return value
    value = value.replace("\t", " ").replace("\r", " ").replace("\n", " ")
    _refuse(value)
    return " ".join(unicodedata.normalize("NFC", value).split())


def clean_text(value: Any) -> Any:
    """Text that may span lines: as `clean_line` per line, line breaks kept as \\n."""
    if not isinstance(value, str):
        return value
    value = value.replace("\r\n", "\n").replace("\r", "\n").replace("\t", " ")
    _refuse(value)
    lines = [_SPACES.sub(" ", line).strip() for line in unicodedata.normalize("NFC", value).split("\n")]
    return "\n".join(lines).strip("\n")


# What the validators refuse, stated in the OpenAPI document so integrators (and schemathesis)
# learn it there: no control characters (line breaks allowed in `Text`). Lone surrogates are
# refused too but left out of the pattern: a surrogate range makes JSON Schema tools (schemathesis)
# drop the whole pattern, and no conforming UTF-8 client can send one.
_NO_CONTROLS = r"^[^\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\ufffe\uffff]*$"
_NAME_SCHEMA = Field(json_schema_extra={"pattern": _NO_CONTROLS})

Name = Annotated[str, BeforeValidator(clean_line), _NAME_SCHEMA]
Text = Annotated[str, BeforeValidator(clean_text), _NAME_SCHEMA]
