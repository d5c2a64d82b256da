"""Bulk import report and the file formats imports and exports speak."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from pydantic import BaseModel, Field


class FileFormat(StrEnum):
    csv = "csv"
    xlsx = "xlsx"
    json = "json"


class RowError(BaseModel):
    row: int = Field(description="行号：CSV/XLSX 表头为第 1 行、第一条数据为第 2 行；"
                                 "JSON 为数组中的序号（从 1 起）")
    field: str = Field(description="字段的英文名，如 site_code")
    column: str | None = Field(default=None, description="文件中该列的表头（或 JSON 键）原文")
    value: Any = Field(default=None, description="文件中的原值")
    message: str


class ImportReport(BaseModel):
    model_config = {"json_schema_extra": {"examples": [{
        "dry_run": False, "format": "csv", "total": 120, "created": 100, "updated": 5,
        "unchanged": 15, "errors": [], "ignored_columns": ["备注2"]}]}}

    dry_run: bool = Field(description="true 时只做校验，未写入任何数据")
    format: FileFormat
    total: int = Field(description="数据行数（不含表头和空行）")
    created: int = Field(description="新登记的条数")
    updated: int = Field(description="内容或状态有变化、已报备变更的条数")
    unchanged: int = Field(description="与现有登记一致、未作改动的条数")
    errors: list[RowError] = Field(
        description="有误的行；正式导入时有误即整体拒绝（422），试导入时在此列出")
    ignored_columns: list[str] = Field(default_factory=list,
                                       description="未识别、已忽略的列")
