"""Notice and notice-contact bodies."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from shared.text import Name

Kind = Literal["due_soon", "overdue"]
Channel = Literal["callback", "email"]
KIND_LABELS = {"due_soon": "即将到期提醒", "overdue": "逾期提醒"}
CHANNEL_LABELS = {"callback": "回调", "email": "电子邮件"}
# Plain ASCII addresses (what government mail relays accept): no quoting, no control characters.
EMAIL = r"^[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}$"
STATUS_LABELS = {"queued": "已提交回调（经发件箱投递）", "pending": "待发送", "sending": "发送中",
                 "sent": "已发送", "failed": "发送失败", "no_recipients": "无收件地址"}


class NoticeRead(BaseModel):
    """One notice sent or attempted."""

    id: UUID
    kind: Kind
    kind_label: str
    channel: Channel
    channel_label: str
    organisation_id: UUID
    organisation_name: str
    region_code: str
    circular_id: UUID
    deadline_at: datetime
    item_ids: list[str]
    recipients: list[str]
    subject: str | None
    status: str
    status_label: str
    error: str | None
    attempts: int = Field(description="已尝试发送的次数（电子邮件）")
    created_at: datetime


class NoticePage(BaseModel):
    items: list[NoticeRead]
    total: int
    limit: int
    offset: int


class _ContactFields(BaseModel):
    model_config = ConfigDict(extra="forbid")

    region_code: str = Field(pattern=r"^\d{6}$", description="单位所在区划；监管单位为其发文的区划")
    name: Name = Field(min_length=1, max_length=200, description="收件人或科室名称")
    email: str = Field(max_length=254, pattern=EMAIL, description="电子邮箱")


class UnitContactCreate(_ContactFields):
    """A unit's address: it receives the e-mails about its own rectification items."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"role": "unit", "region_code": "370102",
         "organisation_id": "00000000-0000-4000-8000-0000000000a1",
         "name": "历下区教体局办公室", "email": "jtj@lixia.gov.cn"}]})

    role: Literal["unit"] = Field(description="unit 被通报单位")
    organisation_id: UUID = Field(description="被通报单位")


class SupervisorContactCreate(_ContactFields):
    """A supervising office's address: the e-mails about the items of its region's circulars."""

    role: Literal["supervisor"] = Field(description="supervisor 通报发文单位")
    organisation_id: None = Field(None, description="监管单位不填")


# The document states what the service enforces: a unit's address names its organisation.
ContactCreate = Annotated[UnitContactCreate | SupervisorContactCreate, Field(discriminator="role")]


class ContactRead(BaseModel):
    id: UUID
    role: str
    region_code: str
    organisation_id: UUID | None
    name: str
    email: str
    created_by: str
    created_at: datetime
