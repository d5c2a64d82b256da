"""Error-report (我为政府网站找错) request and response bodies."""

from __future__ import annotations

from datetime import datetime
from typing import Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

Category = Literal["typo", "broken_link", "content_error", "unreachable", "other"]
CATEGORY_LABELS: dict[str, str] = {"typo": "错别字", "broken_link": "链接错误",
                                   "content_error": "内容错误", "unreachable": "无法访问",
                                   "other": "其他"}
ReportStatus = Literal["open", "answered"]
STATUS_LABELS = {"open": "待答复", "answered": "已答复"}


class WebsiteRef(BaseModel):
    """The website the message is about, as the registry files it."""

    model_config = ConfigDict(extra="forbid")

    id: UUID = Field(description="登记系统中的网站 id")
    site_code: str = Field(pattern=r"^(\d{10}|bm\d{8})$", description="网站标识码",
                           examples=["3701000001"])
    name: str = Field(min_length=1, max_length=200, description="网站名称")
    organisation_id: UUID = Field(description="主办单位 id")
    organisation_name: str = Field(min_length=1, max_length=200, description="主办单位名称")
    region_code: str = Field(pattern=r"^\d{6}$", description="区划代码")


class ErrorReportCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{
        "website": {"id": "0b8e0a4e-6c7f-4c1e-9d64-0d6f0f5f3a11", "site_code": "3701000001",
                    "name": "济南市人民政府", "organisation_id": "5d1c2f0e-2b8a-4a57-9f0e-3c1d2e4f5a6b",
                    "organisation_name": "济南市人民政府办公厅", "region_code": "370100"},
        "page_url": "https://www.jinan.gov.cn/art/2026/11/13/art_1_1.html",
        "category": "typo", "content": "第二段“付责”应为“负责”。",
        "reporter_contact": "138****1234"}]})

    website: WebsiteRef
    page_url: str | None = Field(default=None, max_length=2048, pattern=r"^https?://\S+$",
                                 description="出错页面地址")
    category: Category = Field(description="typo 错别字 / broken_link 链接错误 / "
                                           "content_error 内容错误 / unreachable 无法访问 / other 其他")
    content: str = Field(min_length=1, max_length=5000, description="留言内容")
    reporter_contact: str | None = Field(default=None, max_length=200, description="留言人联系方式")
    submitted_at: datetime | None = Field(
        default=None, description="网民提交时间（带时区）；省略时为接收时间。答复时限从此时起算")


class AnswerBody(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"answer": "感谢您的留言，错别字已更正。"}]})

    answer: str = Field(min_length=1, max_length=5000, description="答复内容")


class ErrorReportRead(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{
        "id": "1b0851a6-e098-489d-8eb8-3810357b83ce",
        "website_id": "3b1f0c52-8d4e-4b7a-9c21-5e6f7a8b9c0d", "site_code": "3701020001",
        "site_name": "历下区人民政府网站", "organisation_id": "6f1c2b9e-3a4d-4e5f-8a7b-1c2d3e4f5a6b",
        "organisation_name": "历下区人民政府办公室", "region_code": "370102",
        "page_url": "https://www.lixia.gov.cn/art/2026/11/3/art_1_1.html", "category": "typo",
        "category_label": "错别字", "content": "第二段“以经”应为“已经”", "reporter_contact": None,
        "submitted_at": "2026-11-20T02:00:00Z", "deadline_at": "2026-11-25T16:00:00Z",
        "status": "answered", "status_label": "已答复", "overdue": False, "answered_on_time": True,
        "answer": "已更正，感谢您的留言。", "answered_at": "2026-11-21T03:20:00Z",
        "answered_by": "apikey:0d4c8b1e（历下区人民政府办公室）"}]})

    id: UUID
    website_id: UUID
    site_code: str
    site_name: str
    organisation_id: UUID
    organisation_name: str
    region_code: str
    page_url: str | None
    category: Category
    category_label: str
    content: str
    reporter_contact: str | None
    submitted_at: datetime
    deadline_at: datetime = Field(description="答复截止时间（按工作日计算）")
    status: ReportStatus
    status_label: str
    overdue: bool = Field(description="已过答复时限仍未答复")
    answered_on_time: bool | None = Field(description="已答复时是否在时限内；未答复为 null")
    answer: str | None
    answered_at: datetime | None
    answered_by: str | None


class ErrorReportPage(BaseModel):
    items: list[ErrorReportRead]
    total: int
    limit: int
    offset: int


class UnitErrorStats(BaseModel):
    organisation_id: UUID
    organisation_name: str
    region_code: str
    total: int
    open: int = Field(description="未答复、仍在时限内")
    overdue: int = Field(description="未答复、已超时限")
    answered_on_time: int
    answered_late: int = Field(description="超时限后答复")
    answered_over_month_late: int = Field(description="超时限一个月以上才答复")
    assessment_deduction: float = Field(
        description="年度考核扣分参考：超时未答复每条 3 分，超时一个月以上答复每条 2 分")


class ErrorReportStats(BaseModel):
    as_of: datetime
    items: list[UnitErrorStats]
