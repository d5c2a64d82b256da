"""System alert response body."""

from __future__ import annotations

from datetime import datetime
from typing import Literal
from uuid import UUID

from pydantic import BaseModel, Field


class AlertRead(BaseModel):
    kind: Literal["run.stalled", "plan.overdue"] = Field(
        description="run.stalled 检查批次停滞；plan.overdue 检查计划逾期未启动")
    subject_type: Literal["run", "plan"]
    subject_id: UUID
    name: str = Field(description="检查批次或检查计划的名称")
    since: datetime = Field(description="上次进展时间（批次）或应执行时间（计划）")
    minutes: int = Field(description="至今已过去的分钟数")
    message: str
