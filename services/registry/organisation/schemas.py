"""Organisation request and response bodies."""

from __future__ import annotations

from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from services.registry.region.schemas import REGION_CODE
from shared.contracts.registry import OrganisationRead, OrgKind
from shared.openapi import not_null
from shared.text import Name

CREDIT_CODE = r"^[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}$"


class OrganisationCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{
        "name": "济南市历下区人民政府", "kind": "county_government", "region_code": "370102",
        "credit_code": "11370102004190123K"}]})

    name: Name = Field(min_length=2, max_length=200)
    kind: OrgKind
    region_code: str = Field(pattern=REGION_CODE)
    parent_id: UUID | None = None
    credit_code: str | None = Field(default=None, pattern=CREDIT_CODE,
                                    description="统一社会信用代码（18 位）")
    provides_services: bool = Field(default=True, description="是否提供政务服务（影响 4/3 计分）")


class OrganisationUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    # Left out: unchanged. name, kind, region_code and provides_services cannot be cleared: the
    # document does not offer null for them (the service refuses it, 422, as before); parent_id
    # and credit_code can be (null). (`X | SkipJsonSchema[None]` with the constraints on the
    # field applied them to null too: a TypeError, answered 500.)
    name: Name | None = Field(default=None, min_length=2, max_length=200,
                              json_schema_extra=not_null)
    kind: OrgKind | None = Field(default=None, json_schema_extra=not_null)
    region_code: str | None = Field(default=None, pattern=REGION_CODE, json_schema_extra=not_null)
    parent_id: UUID | None = None
    credit_code: str | None = Field(default=None, pattern=CREDIT_CODE)
    provides_services: bool | None = Field(default=None, json_schema_extra=not_null)


class OrganisationPage(BaseModel):
    items: list[OrganisationRead]
    total: int
    limit: int
    offset: int
