"""Circular request and response bodies."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from uuid import UUID

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, model_validator

from services.reporting.circular.content import CircularData, Narrative

QUARTER = r"^\d{4}Q[1-4]$"


class CircularCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{
        "region_code": "370100", "quarter": "2026Q4", "issuing_office": "济南市人民政府办公厅",
        "deadline_working_days": 15,
        "narrative": {"practices": "各区县、各部门高度重视……",
                      "requirements": "各单位要对照问题清单逐项整改……"}}]})

    region_code: str = Field(pattern=r"^\d{6}$", description="通报范围：区划子树")
    quarter: str | None = Field(default=None, pattern=QUARTER, description="如 2026Q4；缺省为上一季度")
    period_start: date | None = Field(default=None, description="自定义期间起（含）")
    period_end: date | None = Field(default=None, description="自定义期间止（含）")
    title: str | None = Field(default=None, max_length=300, description="缺省按期间和范围生成")
    issuing_office: str = Field(min_length=2, max_length=200, description="发文机关")
    deadline_at: AwareDatetime | None = Field(default=None, description="整改期限（时刻）")
    deadline_working_days: int | None = Field(default=None, ge=1, le=120,
                                              description="整改期限：发布后若干工作日")
    narrative: Narrative = Field(default_factory=Narrative)

    @model_validator(mode="after")
    def _period(self) -> CircularCreate:
        if (self.period_start is None) != (self.period_end is None):
            raise ValueError("period_start 与 period_end 须同时给出")
        if self.period_start and self.quarter:
            raise ValueError("quarter 与 period_start/period_end 只能给出一种")
        if self.period_start and self.period_end and self.period_end < self.period_start:
            raise ValueError(f"period_end {self.period_end} 早于 period_start {self.period_start}")
        if self.deadline_at and self.deadline_working_days:
            raise ValueError("deadline_at 与 deadline_working_days 只能给出一种")
        return self


class CircularUpdate(BaseModel):
    """What may change in a draft: the narrative, title, office and deadline — never figures."""

    model_config = ConfigDict(extra="forbid")

    title: str | None = Field(default=None, max_length=300)
    issuing_office: str | None = Field(default=None, min_length=2, max_length=200)
    narrative: Narrative | None = None
    deadline_at: AwareDatetime | None = None
    deadline_working_days: int | None = Field(default=None, ge=1, le=120)


class PublishBody(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{
        "number": "济政办字〔2026〕19号", "issued_on": "2027-01-05"}]})

    number: str = Field(min_length=3, max_length=100, pattern=r"〔\d{4}〕\d+号$",
                        description="文号，如 济政办字〔2026〕19号")
    issued_on: date | None = Field(default=None, description="成文日期；缺省为发布当日")


class CircularRead(BaseModel):
    id: UUID
    title: str
    region_code: str
    period_start: date
    period_end: date
    status: str
    status_label: str
    issuing_office: str
    number: str | None
    issued_on: date | None
    deadline_at: datetime | None
    deadline_working_days: int | None
    narrative: Narrative
    corrects_id: UUID | None
    version: int
    created_by: str
    created_at: datetime
    published_at: datetime | None
    data: CircularData


class FigureRows(BaseModel):
    key: str
    label: str
    value: float
    rows: list[dict[str, Any]] = Field(description="该数字所统计的检查结果")
