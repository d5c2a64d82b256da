"""The registry's reference data on the wire: regions (行政区划) and the working-day calendar."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, ConfigDict, Field


class RegionRead(BaseModel):
    model_config = ConfigDict(from_attributes=True, json_schema_extra={"examples": [
        {"code": "370102", "name": "历下区", "parent_code": "370100", "level": "county"}]})

    code: str
    name: str
    parent_code: str | None
    level: str = Field(description="national / province / city / county")


class RegionPage(BaseModel):
    items: list[RegionRead]
    total: int


class YearSummary(BaseModel):
    """A year the working-day calendar knows."""

    year: int
    source: str = Field(description="bundled（随软件提供）或 loaded（监管单位载入）")
    holidays: int
    adjusted_workdays: int


class YearScheduleRead(BaseModel):
    """A year's holidays and adjusted working days."""

    model_config = ConfigDict(json_schema_extra={"examples": [{
        "year": 2027, "source": "loaded", "holidays": ["2027-01-01", "2027-02-06", "2027-02-07"],
        "workdays": ["2027-02-20"], "note": "国务院办公厅关于2027年部分节假日安排的通知"}]})

    holidays: list[date] = Field(description="放假日期（含周末）", max_length=120)
    workdays: list[date] = Field(description="调休上班日期（周六、周日）", max_length=30)
    note: str | None = Field(default=None, max_length=500, description="依据，如通知文号")
    year: int
    source: str
