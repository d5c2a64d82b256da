"""Repost task endpoints: issue tasks (one or an import), and read completion per task, unit and region."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, File, Query, UploadFile, status
from pydantic import AnyHttpUrl, BaseModel, ConfigDict, Field, ValidationError

from services.checker.common.context import Ctx, get_ctx
from services.checker.repost import service, sheet
from services.checker.repost.models import RepostTask
from shared.clients.deps import RegistryDep
from shared.contracts.registry import Platform
from shared.errors import NotFound, PayloadTooLarge, problem_responses
from shared.text import Name, Text

router = APIRouter(tags=["repost-tasks"], responses=problem_responses(401, 422))
RegionCode = Annotated[str, Field(pattern=r"^\d{6}$")]
# A kind is a site kind, "website" or "account" (all of either), or an account's platform.
Kind = Literal["portal", "department", "website", "account"] | Platform
MAX_IMPORT = 500


class RepostScope(BaseModel):
    model_config = ConfigDict(extra="forbid")

    regions: list[RegionCode] = Field(default_factory=list, max_length=200,
                                      description="须转载的区划（含下级）")
    organisation_ids: list[uuid.UUID] = Field(default_factory=list, max_length=1000,
                                              description="须转载的单位")
    kinds: list[Kind] = Field(default_factory=list, max_length=20,
                              description="须转载的类型：portal 门户、department 部门网站、account 或平台名")


class RepostTaskCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{
        "title": "国务院办公厅关于进一步优化政务服务的意见", "source_url": "https://www.gov.cn/zhengce/content/1.htm",
        "body": "各省、自治区、直辖市人民政府，国务院各部委、各直属机构：为进一步优化政务服务……",
        "published_on": "2026-11-02", "region_code": "370100",
        "scope": {"regions": ["370100"], "kinds": ["portal", "department"]}, "column": "重要信息",
        "deadline_working_days": 3}]})

    title: Annotated[Name, Field(min_length=2, max_length=300)]
    source_url: AnyHttpUrl
    body: Annotated[Text, Field(min_length=20, max_length=100_000, description="原文正文，用于比对转载内容")]
    published_on: date
    region_code: RegionCode = Field(description="下达任务的区划")
    scope: RepostScope
    column: Annotated[Name, Field(max_length=100)] | None = Field(None, description="应转载到的栏目")
    deadline_working_days: int = Field(ge=0, le=60, description="发布后几个工作日内完成转载")
    external_id: Annotated[Name, Field(max_length=100)] | None = Field(
        None, description="省级系统中的任务编号（导入时去重）")

    def as_input(self) -> service.TaskInput:
        return service.TaskInput(
            title=self.title, source_url=str(self.source_url), body=self.body, published_on=self.published_on,
            region_code=self.region_code, regions=list(self.scope.regions),
            organisation_ids=[str(o) for o in self.scope.organisation_ids],
            kinds=[str(getattr(k, 'value', k)) for k in self.scope.kinds], column=self.column,
            deadline_working_days=self.deadline_working_days,
            external_id=self.external_id)


class RepostTaskImport(BaseModel):
    model_config = ConfigDict(extra="forbid")

    tasks: list[RepostTaskCreate] = Field(min_length=1, max_length=MAX_IMPORT)


class RepostTaskRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    external_id: str | None
    title: str
    source_url: str
    published_on: date
    region_code: str
    scope: dict[str, list[str]]
    column: str | None
    deadline_working_days: int
    due_on: date = Field(description="转载截止日期（按工作日历计算）")
    created_by: str
    created_at: datetime


class RepostResultRead(BaseModel):
    target_type: str
    target_id: uuid.UUID
    target_code: str
    target_name: str
    organisation_id: uuid.UUID
    organisation_name: str
    region_code: str
    status: service.Status = Field(
        description="on_time 按时转载 / late 逾期转载 / missing 未转载 / pending 未到期未发现")
    found_url: str | None
    found_title: str | None
    found_published_at: datetime | None
    similarity: float | None
    in_column: bool | None
    checked_at: datetime


class Counts(BaseModel):
    assigned: int
    on_time: int = 0
    late: int = 0
    missing: int = 0
    pending: int = 0


class UnitRead(Counts):
    organisation_id: uuid.UUID
    organisation_name: str
    region_code: str


class RepostTaskDetail(RepostTaskRead):
    completion: Counts
    results: list[RepostResultRead]
    units: list[UnitRead]


class RepostSummary(BaseModel):
    region_code: str
    since: date
    until: date
    assigned: int = Field(description="下达的转载任务数")
    reposted: int = Field(description="所有受检对象都已转载的任务数")
    units_missing: list[str]
    units_late: list[str]
    sentence: str = Field(description="通报用语，如“转载重要信息19篇，全部完成转发。”")
    units: list[UnitRead]


def _detail(task: RepostTask, results: list[service.RepostResult], today: date) -> RepostTaskDetail:
    reads = [RepostResultRead(status=service.status_of(r, task.due_on, today), **r.model_dump(
        include=set(RepostResultRead.model_fields) - {"status"})) for r in results]
    counts = Counts(assigned=len(reads))
    for r in reads:
        setattr(counts, r.status, getattr(counts, r.status) + 1)
    units = [UnitRead(**vars(u)) for u in service.by_unit([task], results, today)]
    return RepostTaskDetail(**RepostTaskRead.model_validate(task).model_dump(), completion=counts,
                            results=reads, units=units)


@router.post("/repost-tasks", operation_id="createRepostTask", response_model=RepostTaskRead,
             status_code=status.HTTP_201_CREATED, summary="下达重点信息转载任务",
             responses=problem_responses(403))
async def create_task(body: RepostTaskCreate, registry: RegistryDep,
                      ctx: Ctx = Depends(get_ctx)) -> RepostTaskRead:
    """Issue a repost task: the article, who must repost it, and the deadline in working days.

    The deadline is counted on the registry's working-day calendar from the publication date.
    Every inspection from then on looks for the repost on each site (its home page, column
    lists and articles) and in each account's posts in the scope, by the body's similarity.
    """
    ctx.require_admin_or_supervisor()
    [row] = await service.create_tasks(ctx.session, ctx.principal, ctx.actor, ctx.clock.now(), registry,
                                       [body.as_input()])
    return RepostTaskRead.model_validate(row)


@router.post("/repost-tasks/import", operation_id="importRepostTasks", response_model=list[RepostTaskRead],
             status_code=status.HTTP_201_CREATED, summary="导入重点信息转载任务",
             responses=problem_responses(403, 409))
async def import_tasks(body: RepostTaskImport, registry: RegistryDep,
                       ctx: Ctx = Depends(get_ctx)) -> list[RepostTaskRead]:
    """Import tasks from the provincial system: all or none (a refused item changes nothing).

    An item's `external_id` already imported is refused (409), so an import can be retried.
    """
    ctx.require_admin_or_supervisor()
    rows = await service.create_tasks(ctx.session, ctx.principal, ctx.actor, ctx.clock.now(), registry,
                                      [t.as_input() for t in body.tasks], prefix="tasks")
    return [RepostTaskRead.model_validate(r) for r in rows]


@router.post("/repost-tasks/import-sheet", operation_id="importRepostTaskSheet",
             response_model=list[RepostTaskRead], status_code=status.HTTP_201_CREATED,
             summary="以 XLSX 导入重点信息转载任务", responses=problem_responses(403, 409, 413))
async def import_sheet(registry: RegistryDep, file: Annotated[UploadFile, File(description="XLSX 文件")],
                       ctx: Ctx = Depends(get_ctx)) -> list[RepostTaskRead]:
    """Import tasks from an XLSX sheet (multipart field `file`), one task per row: all or none.

    Headers (any order): 任务编号, 标题, 原文链接, 正文, 发布日期, 下达区划, 转载区划, 转载单位ID,
    转载类型, 栏目, 转载期限（工作日）; the three scope columns take several values joined by 、.
    An error names the row and the column, and nothing is written.
    """
    ctx.require_admin_or_supervisor()
    limit = ctx.settings.repost_import_max_bytes
    data = await file.read(limit + 1)
    if len(data) > limit:
        raise PayloadTooLarge(f"文件超过上限 {limit} 字节（repost_import_max_bytes）",
                              limit_name="repost_import_max_bytes", limit=limit)
    items = []
    for number, fields in sheet.read_sheet(data, max_unpacked=ctx.settings.repost_import_unpacked_bytes,
                                           max_rows=MAX_IMPORT):
        try:
            items.append(RepostTaskCreate.model_validate(fields).as_input())
        except ValidationError as exc:
            raise sheet.refuse_row(number, exc) from None
    rows = await service.create_tasks(ctx.session, ctx.principal, ctx.actor, ctx.clock.now(), registry,
                                      items, prefix="rows")
    return [RepostTaskRead.model_validate(r) for r in rows]


@router.get("/repost-tasks", operation_id="listRepostTasks", response_model=list[RepostTaskDetail],
            summary="查看转载任务及完成情况")
async def list_tasks(ctx: Ctx = Depends(get_ctx),
                     region: Annotated[str | None, Query(pattern=r"^\d{6}$")] = None,
                     ) -> list[RepostTaskDetail]:
    """Every task in the caller's regions with its completion (newest first)."""
    tasks = await service.list_tasks(ctx.session, ctx.principal, region)
    results = await service.results_of(ctx.session, ctx.principal, [t.id for t in tasks])
    today = service.today_of(ctx.clock.now())
    return [_detail(t, [r for r in results if r.task_id == t.id], today) for t in tasks]


@router.get("/repost-tasks/summary", operation_id="summariseRepostTasks", response_model=RepostSummary,
            summary="转载任务完成情况汇总（通报用）")
async def summarise(region: Annotated[str, Query(pattern=r"^\d{6}$")], since: date, until: date,
                    ctx: Ctx = Depends(get_ctx)) -> RepostSummary:
    """What the circular of `region` says about the tasks published from `since` to `until`."""
    if not ctx.principal.sees_region(region):
        raise NotFound(f"区划 {region} 不存在")
    tasks = await service.tasks_for_region(ctx.session, region, since, until)
    results = await service.region_results(ctx.session, ctx.principal, region, tasks)
    today = service.today_of(ctx.clock.now())
    s = service.summarise(tasks, results, today)
    return RepostSummary(region_code=region, since=since, until=until, assigned=s.assigned,
                         reposted=s.reposted, units_missing=s.units_missing,
                         units_late=s.units_late, sentence=s.sentence,
                         units=[UnitRead(**vars(u)) for u in service.by_unit(tasks, results, today)])


@router.get("/repost-tasks/{task_id}", operation_id="getRepostTask", response_model=RepostTaskDetail,
            summary="查看转载任务完成情况", responses=problem_responses(404))
async def get_task(task_id: uuid.UUID, ctx: Ctx = Depends(get_ctx)) -> RepostTaskDetail:
    """One task: per site or account, reposted on time, late, missing (with the URL found), and per unit."""
    task = await service.get_task(ctx.session, ctx.principal, task_id)
    results = await service.results_of(ctx.session, ctx.principal, [task_id])
    return _detail(task, results, service.today_of(ctx.clock.now()))
