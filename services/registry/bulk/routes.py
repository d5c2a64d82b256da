"""Bulk endpoints: import and export organisations, websites and accounts as CSV, XLSX or JSON."""

from __future__ import annotations

import inspect
import uuid
from collections.abc import Callable
from typing import Any, TypeVar

from fastapi import APIRouter, Depends, Query, Request, Response

from services.registry.account.routes import AccountFilters
from services.registry.bulk import exporting, service
from services.registry.bulk.columns import ACCOUNTS, ORGANISATIONS, WEBSITES, Sheet
from services.registry.bulk.rendering import MEDIA_TYPES, export_response
from services.registry.bulk.schemas import FileFormat, ImportReport
from services.registry.bulk.upload import XLSX_MEDIA, read_upload
from services.registry.common.context import Ctx, get_ctx
from services.registry.region.schemas import REGION_CODE
from services.registry.website.routes import WebsiteFilters
from shared.contracts.registry import OrgKind
from shared.errors import problem_responses

F = TypeVar("F", bound=Callable[..., Any])
router = APIRouter(tags=["bulk"], responses=problem_responses(401, 422))

_BINARY = {"schema": {"type": "string", "format": "binary"}}
IMPORT_BODY: dict[str, Any] = {"requestBody": {"required": True, "content": {
    "multipart/form-data": {"schema": {"type": "object", "required": ["file"], "properties": {
        "file": {"type": "string", "format": "binary",
                 "description": "CSV、XLSX 或 JSON 文件；格式按扩展名判断"}}}},
    "text/csv": _BINARY,
    XLSX_MEDIA: _BINARY,
    "application/json": {"schema": {"type": "array", "items": {"type": "object"}}},
}}}
IMPORT_ERRORS = problem_responses(403, 409, 413, 415)
EXPORT_OK: dict[int | str, dict[str, Any]] = {200: {
    "description": "导出文件（Content-Disposition 为附件，X-Total-Count 为条数）",
    "content": {MEDIA_TYPES[FileFormat.csv].split(";")[0]: _BINARY, XLSX_MEDIA: _BINARY,
                "application/json": {"schema": {"type": "object"}}}}}

FORMAT_IN = Query(None, alias="format", description="csv、xlsx 或 json；缺省按文件扩展名或 Content-Type 判断",
                  json_schema_extra={"enum": ["csv", "xlsx", "json"]})
DRY_RUN = Query(False, description="true 时只校验、不写入：有误的行列在 errors 中，仍返回 200")
FORMAT_OUT = Query(FileFormat.csv, alias="format", description="csv（UTF-8 带 BOM）、xlsx 或 json")

IMPORT_RULES = """

**Upload** the file as multipart field `file`, or as the raw request body. The format is
`?format=`, else the file name's extension (.csv / .xlsx / .json), else its Content-Type;
anything else is 415. CSV may be UTF-8 (with or without BOM) or GBK/GB18030; XLSX is read
from its first sheet with headers in row 1; JSON is an array of objects or
`{"items": [...]}`. Headers may be the Chinese ones or the English field names; unknown
columns are ignored and listed in `ignored_columns`. Enum cells take the value or the
Chinese label (`running` or `运行中`).

**All or nothing**: every row is checked first. If any is bad the answer is 422 and its
`errors` lists each problem as `{row, field, column, value, message}`, where `row` is the
spreadsheet row (header = row 1, first data row = row 2) or, for JSON, the 1-based index in
the array; nothing is written. `?dry_run=true` checks without writing and answers 200 with
the same report, bad rows included.

**Idempotent**: a row equal to what is stored counts as `unchanged` and files nothing;
importing one file twice gives all `unchanged` the second time. A column missing from the
file keeps the stored values; a blank cell clears an optional field (filing numbers, URL,
operator, parent) and keeps a required one.

**Limits**: settings max_import_rows and max_import_bytes; for XLSX also
max_import_unpacked_bytes (what the zip unpacks to) and max_import_cells (413 past any);
a cell longer than max_cell_chars and JSON nested deeper than max_json_depth answer 422.
Names refuse control characters and unpaired surrogates (422 naming the row and column).
Requires the role administrator, supervisor or integration."""

LIFECYCLE_RULES = """

A **new row** is registered with a `register` filing, as planned or running; 开设时间
(occurred_at) is its event time, default now; times without a zone are Beijing time. A
**stored row** whose fields differ gets a `change` filing; a different 状态 is filed as the
one lifecycle action leading there (running → closed is `close`); a status no single action
reaches is an error. 变更时间 (changed_at) is the event time of those filings, default now;
备注 (note) becomes the filing note. Filings, events and compliance flags are exactly those
of the single-row endpoints."""


def _described(extra: str) -> Callable[[F], F]:
    """Append shared rules to an endpoint's docstring (its OpenAPI description)."""

    def wrap(fn: F) -> F:
        fn.__doc__ = inspect.cleandoc(fn.__doc__ or "") + extra
        return fn

    return wrap


async def _import(request: Request, ctx: Ctx, sheet: Sheet, fmt: str | None,
                  dry_run: bool) -> ImportReport:
    ctx.require_writer()
    upload = await read_upload(request, ctx.settings.max_import_bytes)
    return await service.import_file(ctx, sheet, upload, fmt, dry_run)


@router.post("/organisations/import", operation_id="importOrganisations",
             response_model=ImportReport, summary="批量导入单位", openapi_extra=IMPORT_BODY,
             responses=IMPORT_ERRORS)
@_described(IMPORT_RULES)
async def import_organisations(request: Request, ctx: Ctx = Depends(get_ctx),
                               fmt: str | None = FORMAT_IN,
                               dry_run: bool = DRY_RUN) -> ImportReport:
    """Import organisations (单位), keyed by 所在区划 + 单位名称.

    Columns: 单位名称 name, 单位类型 kind, 所在区划 region_code, 上级单位 parent_name,
    上级单位区划 parent_region_code (or 上级单位ID parent_id), 统一社会信用代码 credit_code,
    提供政务服务 provides_services (是/否). A parent may be another row of the same file, in
    any order; without 上级单位区划 it is looked up by name among units whose region contains
    this one. An existing unit whose fields differ is updated (its version goes up).
    """
    return await _import(request, ctx, ORGANISATIONS, fmt, dry_run)


@router.post("/websites/import", operation_id="importWebsites", response_model=ImportReport,
             summary="批量导入网站", openapi_extra=IMPORT_BODY, responses=IMPORT_ERRORS)
@_described(IMPORT_RULES + LIFECYCLE_RULES)
async def import_websites(request: Request, ctx: Ctx = Depends(get_ctx),
                          fmt: str | None = FORMAT_IN, dry_run: bool = DRY_RUN) -> ImportReport:
    """Import websites, keyed by 网站标识码 (site_code).

    Columns: 网站标识码 site_code, 网站名称 name, 主办单位 organisation_name, 主办单位区划
    organisation_region_code (or 主办单位ID organisation_id), 网站类型 kind, 域名 domains
    (several separated by ; ， or spaces, the first being the main domain), 首页网址 home_url,
    ICP备案号 icp_number, 公安机关备案号 psb_number, 状态 status, 开设时间 occurred_at,
    变更时间 changed_at, 备注 note. Without 主办单位区划 the sponsor is looked up in the region
    the 网站标识码 names (its first six digits), then in that region's subtree. A change of
    only 域名 and/or 首页网址 of a running site is filed as `migrate` (迁移). A main domain
    already used by another active site, in the registry or earlier in the file, is an error.
    """
    return await _import(request, ctx, WEBSITES, fmt, dry_run)


@router.post("/accounts/import", operation_id="importAccounts", response_model=ImportReport,
             summary="批量导入新媒体账号", openapi_extra=IMPORT_BODY, responses=IMPORT_ERRORS)
@_described(IMPORT_RULES + LIFECYCLE_RULES)
async def import_accounts(request: Request, ctx: Ctx = Depends(get_ctx),
                          fmt: str | None = FORMAT_IN, dry_run: bool = DRY_RUN) -> ImportReport:
    """Import new-media accounts, keyed by 平台 + 平台账号ID.

    Columns: 平台 platform, 平台账号ID platform_account_id, 账号名称 name, 账号网址 url,
    主办单位 sponsor_name, 主办单位区划 sponsor_region_code (or 主办单位ID sponsor_id),
    运维单位 operator_name, 运维单位区划 operator_region_code (or 运维单位ID operator_id),
    状态 status, 开设时间 occurred_at, 变更时间 changed_at, 备注 note, 订阅源 feed. A unit named
    without its region must be the only one of that name in the caller's scope; the operator's
    region defaults to the sponsor's. 订阅源 is one cell holding the account's feed as a JSON
    object, e.g. {"kind": "rss", "url": "https://…"} (kinds rss, atom, json, profile_page with
    its selectors, push); a JSON file may give the object itself. A blank cell in a file with
    the column removes the feed; a file without the column leaves feeds as they are.
    """
    return await _import(request, ctx, ACCOUNTS, fmt, dry_run)


class OrganisationFilters:
    """The filters of the organisation list, for export."""

    def __init__(self, values: dict[str, Any]) -> None:
        self.values = values

    @classmethod
    async def query(
        cls,
        region: str | None = Query(None, pattern=REGION_CODE, description="区划子树"),
        kind: OrgKind | None = Query(None, description="单位类型"),
        parent_id: uuid.UUID | None = Query(None, description="上级单位"),
        q: str | None = Query(None, max_length=100, description="按名称模糊查询"),
    ) -> OrganisationFilters:
        # A coroutine: FastAPI runs a plain class or function dependency in a worker thread.
        return cls({"region": region, "kind": kind, "parent_id": parent_id,
                    "q": q})


EXPORT_NOTE = """

CSV is UTF-8 with a BOM (Excel opens it directly); CSV and XLSX carry the Chinese headers
and Chinese labels for enums. JSON is `{"items": [...], "total": n}` with English keys and
enum values. An export imports back unchanged (every row `unchanged`)."""


@router.get("/organisations/export", operation_id="exportOrganisations", summary="导出单位",
            response_class=Response, responses=EXPORT_OK)
@_described(EXPORT_NOTE)
async def export_organisations(filters: OrganisationFilters = Depends(OrganisationFilters.query),
                               fmt: FileFormat = FORMAT_OUT,
                               ctx: Ctx = Depends(get_ctx)) -> Response:
    """Download the organisations in the caller's scope, filtered as the organisation list."""
    rows = await exporting.organisation_rows(ctx, **filters.values)
    return export_response(ORGANISATIONS, fmt, rows, ctx.clock.now())


@router.get("/websites/export", operation_id="exportWebsites", summary="导出网站",
            response_class=Response, responses=EXPORT_OK)
@_described(EXPORT_NOTE)
async def export_websites(filters: WebsiteFilters = Depends(WebsiteFilters.query),
                          fmt: FileFormat = FORMAT_OUT,
                          ctx: Ctx = Depends(get_ctx)) -> Response:
    """Download the websites in the caller's scope, filtered as the website list.

    Includes 合规标记 (compliance flags) for reading; importing ignores that column.
    """
    rows = await exporting.website_rows(ctx, **filters.values)
    return export_response(WEBSITES, fmt, rows, ctx.clock.now())


@router.get("/accounts/export", operation_id="exportAccounts", summary="导出新媒体账号",
            response_class=Response, responses=EXPORT_OK)
@_described(EXPORT_NOTE)
async def export_accounts(filters: AccountFilters = Depends(AccountFilters.query),
                          fmt: FileFormat = FORMAT_OUT,
                          ctx: Ctx = Depends(get_ctx)) -> Response:
    """Download the accounts in the caller's scope, filtered as the account list.

    Includes 合规标记 (compliance flags) for reading; importing ignores that column.
    """
    rows = await exporting.account_rows(ctx, **filters.values)
    return export_response(ACCOUNTS, fmt, rows, ctx.clock.now())
