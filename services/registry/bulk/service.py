"""Bulk import: read a file, check every row, then write all of it in one transaction or nothing."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from sqlalchemy import text
from sqlalchemy.exc import IntegrityError
from starlette.concurrency import run_in_threadpool

from services.registry.account.models import Account
from services.registry.bulk import accounts, organisations, websites
from services.registry.bulk.columns import ACCOUNTS, ORGANISATIONS, WEBSITES, Sheet
from services.registry.bulk.parsing import Limits, Table, read_table
from services.registry.bulk.plan import Plan
from services.registry.bulk.schemas import ImportReport, RowError
from services.registry.bulk.upload import Upload, detect_format
from services.registry.common.context import Ctx
from services.registry.organisation.models import Organisation
from services.registry.website.models import Website
from shared.errors import Conflict, ValidationFailed

Planner = Callable[[Ctx, Table], Awaitable[Plan[Any, Any]]]
PLANNERS: dict[str, Planner] = {ORGANISATIONS.name: organisations.plan,
                                WEBSITES.name: websites.plan, ACCOUNTS.name: accounts.plan}
TABLES = {ORGANISATIONS.name: Organisation, WEBSITES.name: Website, ACCOUNTS.name: Account}


async def import_file(ctx: Ctx, sheet: Sheet, upload: Upload, requested_format: str | None,
                      dry_run: bool) -> ImportReport:
    """Import a file of one entity; 422 listing every bad row unless all rows are good.

    With `dry_run` nothing is written and bad rows are reported rather than refused.
    """
    fmt = detect_format(requested_format, upload)
    settings = ctx.settings
    limits = Limits(rows=settings.max_import_rows, cells=settings.max_import_cells,
                    cell_chars=settings.max_cell_chars,
                    unpacked_bytes=settings.max_import_unpacked_bytes,
                    json_depth=settings.max_json_depth)
    # Parsing is CPU-bound (up to 50 MB): in a worker thread, so other requests go on meanwhile.
    table = await run_in_threadpool(read_table, upload.data, fmt, sheet, limits)
    plan = await PLANNERS[sheet.name](ctx, table)
    errors = sorted(plan.errors, key=lambda e: e.row)
    report = ImportReport(dry_run=dry_run, format=fmt,
                          total=len(table.rows) + len({e.row for e in table.errors}),
                          created=len(plan.creates), updated=len(plan.updates),
                          unchanged=len(plan.unchanged), errors=errors,
                          ignored_columns=table.ignored)
    if errors and not dry_run:
        raise ValidationFailed(summary(errors), errors=[e.model_dump() for e in errors],
                               total=report.total, error_rows=len({e.row for e in errors}))
    if not dry_run:
        try:
            await plan.apply(ctx)
        except IntegrityError as exc:
            # Someone registered one of these keys between our check and our insert.
            raise Conflict("导入期间有其他人登记了相同的标识码、账号或单位，请重新导入") from exc
        if report.created + report.updated >= settings.import_analyze_rows:
            await _analyze(ctx, TABLES[sheet.name])
    return report


async def _analyze(ctx: Ctx, model: Any) -> None:
    """Refresh the planner statistics of a table just filled (see `import_analyze_rows`)."""
    if ctx.session.get_bind().dialect.name == "postgresql":
        await ctx.session.execute(text(f"ANALYZE {model.__table__.name}"))


def summary(errors: list[RowError]) -> str:
    """One Chinese sentence: how many rows are bad, and the first few problems."""
    rows = len({e.row for e in errors})
    shown = "；".join(f"第 {e.row} 行 {e.column or e.field}：{e.message}" for e in errors[:5])
    more = f"；另有 {len(errors) - 5} 处错误" if len(errors) > 5 else ""
    return f"文件中有 {rows} 行数据有误（共 {len(errors)} 处），未导入任何数据。{shown}{more}"
