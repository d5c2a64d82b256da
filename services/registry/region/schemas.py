"""Region request and response bodies."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from shared.contracts.reference import RegionPage, RegionRead
from shared.errors import named_pattern
from shared.text import Name

__all__ = ["REGION_CODE", "RegionCreate", "RegionPage", "RegionRead"]

REGION_CODE = named_pattern(r"^\d{6}$", "区划代码应为六位数字")


class RegionCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={
        "examples": [{"code": "370102", "name": "历下区", "parent_code": "370100"}]})

    code: str = Field(pattern=REGION_CODE, description="GB/T 2260 六位行政区划代码")
    name: Name = Field(min_length=1, max_length=100)
    parent_code: str | None = Field(default=None, pattern=REGION_CODE,
                                    description="上级区划代码；省级为空")
