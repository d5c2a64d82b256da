"""RFC 9457 problem+json errors with Chinese titles, and the handlers that render them."""

from __future__ import annotations

import logging
import re
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DBAPIError
from starlette.exceptions import HTTPException as StarletteHTTPException

PROBLEM_JSON = "application/problem+json"
TYPE_PREFIX = "https://govinspect.cn/problems/"
# PostgreSQL's character_not_in_repertoire: e.g. U+0000 in a text value.
UNTRANSLATABLE_CHARACTER = "22021"

log = logging.getLogger("govinspect.errors")


class ProblemError(Exception):
    """An error that answers as problem+json: a status, a stable type slug and a Chinese title."""

    status: int = 500
    slug: str = "internal-error"
    title: str = "服务器内部错误"

    def __init__(self, detail: str, *, headers: dict[str, str] | None = None, **extra: Any):
        super().__init__(detail)
        self.detail = detail
        self.headers = headers or {}
        self.extra = extra

    def body(self, instance: str | None = None) -> dict[str, Any]:
        """Return the problem document."""
        doc: dict[str, Any] = {
            "type": TYPE_PREFIX + self.slug,
            "title": self.title,
            "status": self.status,
            "detail": self.detail,
        }
        if instance:
            doc["instance"] = instance
        doc.update(self.extra)
        return doc


class BadRequest(ProblemError):
    status, slug, title = 400, "bad-request", "请求无效"


class Unauthorized(ProblemError):
    status, slug, title = 401, "unauthorized", "未通过身份认证"


class Forbidden(ProblemError):
    status, slug, title = 403, "forbidden", "无权执行此操作"


class NotFound(ProblemError):
    status, slug, title = 404, "not-found", "资源不存在"


class Conflict(ProblemError):
    status, slug, title = 409, "conflict", "与现有数据冲突"


class InvalidTransition(ProblemError):
    status, slug, title = 409, "invalid-transition", "当前状态不允许此操作"


class PreconditionFailed(ProblemError):
    status, slug, title = 412, "precondition-failed", "数据已被他人修改"


class PayloadTooLarge(ProblemError):
    status, slug, title = 413, "payload-too-large", "请求内容过大"


class UnsupportedMediaType(ProblemError):
    status, slug, title = 415, "unsupported-media-type", "不支持的文件格式"


class ValidationFailed(ProblemError):
    status, slug, title = 422, "validation-failed", "请求参数无效"


class PreconditionRequired(ProblemError):
    status, slug, title = 428, "precondition-required", "缺少版本条件"


class ServiceUnavailable(ProblemError):
    status, slug, title = 503, "service-unavailable", "服务暂不可用"


_HTTP_TITLES = {
    400: ("bad-request", "请求无效"),
    401: ("unauthorized", "未通过身份认证"),
    403: ("forbidden", "无权执行此操作"),
    404: ("not-found", "资源不存在"),
    405: ("method-not-allowed", "不支持该请求方法"),
    406: ("not-acceptable", "无法提供所请求的格式"),
    409: ("conflict", "与现有数据冲突"),
    413: ("payload-too-large", "请求内容过大"),
    415: ("unsupported-media-type", "不支持的文件格式"),
    422: ("validation-failed", "请求参数无效"),
    429: ("too-many-requests", "请求过于频繁"),
}

# FastAPI's own English details, as a caller should read them.
_HTTP_DETAILS = {
    "There was an error parsing the body": "请求体无法解析：应为 UTF-8 编码的 JSON 或表单数据",
}

_PYDANTIC_MESSAGES = {
    "missing": "缺少必填项",
    "string_pattern_mismatch": "格式不符合要求",
    "string_too_short": "长度不足",
    "string_too_long": "长度超出限制",
    "string_type": "应为字符串",
    "int_parsing": "应为整数",
    "int_type": "应为整数",
    "float_parsing": "应为数字",
    "bool_parsing": "应为布尔值",
    "uuid_parsing": "不是有效的 UUID",
    "uuid_type": "不是有效的 UUID",
    "enum": "取值不在允许范围内",
    "literal_error": "取值不在允许范围内",
    "date_parsing": "不是有效的日期（YYYY-MM-DD）",
    "date_from_datetime_parsing": "不是有效的日期（YYYY-MM-DD）",
    "datetime_parsing": "不是有效的时间（ISO 8601）",
    "datetime_from_date_parsing": "不是有效的时间（ISO 8601）",
    "greater_than_equal": "数值过小",
    "less_than_equal": "数值过大",
    "greater_than": "数值过小",
    "less_than": "数值过大",
    "list_type": "应为列表",
    "dict_type": "应为对象",
    "model_type": "应为对象",
    "json_invalid": "不是有效的 JSON",
    "extra_forbidden": "不允许的字段",
    "url_parsing": "不是有效的网址",
    "url_scheme": "网址协议应为 http 或 https",
    "too_short": "条目过少",
    "too_long": "条目过多",
    "value_error": "取值无效",
    "union_tag_invalid": "取值不在允许范围内",
    "union_tag_not_found": "缺少必填项",
    "none_required": "此处不应给出",
}


# What a pattern means, in Chinese, for the messages of values that do not match it.
_PATTERN_NAMES: dict[str, str] = {}


def named_pattern(pattern: str, meaning: str) -> str:
    """Register what a `Field(pattern=...)` means (`应为六位数字`) and return the pattern, so a
    value that does not match is explained in words rather than as a regular expression."""
    _PATTERN_NAMES[pattern] = meaning
    return pattern


def field_path(loc: tuple[Any, ...] | list[Any]) -> str:
    """Render a pydantic location as a dotted field path, dropping the request part."""
    parts = [str(p) for p in loc]
    if parts and parts[0] in {"body", "query", "path", "header", "cookie"}:
        parts = parts[1:] or parts
    return ".".join(parts)


def _without_tag(loc: tuple[Any, ...] | list[Any], body: Any) -> tuple[Any, ...]:
    """A location inside a discriminated union body names the branch (`merge`, `change`) after
    `body`; the field path a client sees does not: the tag is the value of a body field, not
    a field of the body."""
    loc = tuple(loc)
    if (len(loc) >= 2 and loc[0] == "body" and isinstance(body, dict)
            and isinstance(loc[1], str) and loc[1] not in body
            and loc[1] in {v for v in body.values() if isinstance(v, str)}):
        return (loc[0], *loc[2:])
    return loc


def describe_errors(errors: list[Any], body: Any = None) -> list[dict[str, Any]]:
    """Turn pydantic error dicts into {field, value, message} items in Chinese (`body`: the
    request body they are about, to tell a union's branch from a field)."""
    items = []
    for err in errors:
        kind = err.get("type", "value_error")
        message = _PYDANTIC_MESSAGES.get(kind, "取值无效")
        ctx = err.get("ctx") or {}
        loc = _without_tag(err.get("loc", ()), body)
        if kind in ("union_tag_invalid", "union_tag_not_found") and "discriminator" in ctx:
            # The branch field of a discriminated union: missing, or a value no branch has.
            loc = (*loc, str(ctx["discriminator"]).strip("'"))
            if "expected_tags" in ctx:  # "'keep', 'merge'" or "<Action.keep: 'keep'>, …"
                tags = re.findall(r"'([^']*)'", str(ctx["expected_tags"]))
                message += "，允许：" + ", ".join(tags)
        if kind in ("enum", "literal_error") and "expected" in ctx:
            message += f"，允许：{ctx['expected']}"
        elif kind == "string_pattern_mismatch" and "pattern" in ctx:
            meaning = _PATTERN_NAMES.get(str(ctx["pattern"]))
            message += f"：{meaning}" if meaning else f"（{ctx['pattern']}）"
        elif kind == "value_error" and ctx.get("error"):
            message = str(ctx["error"])
        elif kind in ("string_too_long", "string_too_short", "too_long", "too_short") and ctx:
            limit = ctx.get("max_length", ctx.get("min_length"))
            if limit is not None:
                message += f"（限制 {limit}）"
        value = err.get("input")
        if kind == "missing":
            value = None
        if kind.startswith("union_tag_"):
            value = ctx.get("tag")
        items.append({"field": field_path(loc), "value": _jsonable(value),
                      "message": message})
    return items


def _jsonable(value: Any) -> Any:
    if value is None or isinstance(value, str | int | float | bool):
        if isinstance(value, str):
            # A lone surrogate cannot be written as UTF-8: show it escaped, never answer 500.
            value = value.encode("utf-8", "backslashreplace").decode("utf-8")
            if len(value) > 200:
                return value[:200] + "…"
        return value
    if isinstance(value, dict):
        return {"…": f"对象（{len(value)} 个字段）"}
    if isinstance(value, list):
        return f"列表（{len(value)} 项）"
    return str(value)[:200]


def summarise(items: list[dict[str, Any]]) -> str:
    """One Chinese sentence naming each bad field and its value."""
    parts = []
    for it in items[:5]:
        shown = "（未提供）" if it["value"] is None else repr(it["value"])
        parts.append(f"字段 {it['field']} 的值 {shown}：{it['message']}")
    more = f"；另有 {len(items) - 5} 处错误" if len(items) > 5 else ""
    return "；".join(parts) + more


def problem_response(err: ProblemError, request: Request | None = None) -> JSONResponse:
    """Render a ProblemError as a problem+json response."""
    instance = request.url.path if request is not None else None
    return JSONResponse(err.body(instance), status_code=err.status,
                        media_type=PROBLEM_JSON, headers=err.headers)


def install_problem_handlers(app: FastAPI) -> None:
    """Make every error the app raises answer as problem+json."""

    async def on_problem(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, ProblemError)
        return problem_response(exc, request)

    async def on_validation(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, RequestValidationError)
        items = describe_errors(list(exc.errors()), exc.body)
        return problem_response(ValidationFailed(summarise(items), errors=items), request)

    async def on_http(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, StarletteHTTPException)
        slug, title = _HTTP_TITLES.get(exc.status_code, ("http-error", "请求失败"))
        detail = _HTTP_DETAILS.get(str(exc.detail), str(exc.detail)) if exc.detail else title
        err = ProblemError(detail,
                           headers=dict(exc.headers or {}))
        err.status, err.slug, err.title = exc.status_code, slug, title
        return problem_response(err, request)

    async def on_unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error", exc_info=exc)
        return problem_response(ProblemError("服务器处理请求时发生意外错误，已记录日志。"), request)

    async def on_database(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, DBAPIError)
        # PostgreSQL text cannot hold U+0000 (SQLSTATE 22021); SQLite can. The caller's input
        # is at fault, not the server: say so instead of answering 500.
        if getattr(exc.orig, "sqlstate", None) == UNTRANSLATABLE_CHARACTER:
            return problem_response(ValidationFailed(
                "文本中含有数据库无法保存的字符（如空字符 U+0000），请删除后重试。"), request)
        return await on_unexpected(request, exc)

    app.add_exception_handler(ProblemError, on_problem)
    app.add_exception_handler(DBAPIError, on_database)
    app.add_exception_handler(RequestValidationError, on_validation)
    app.add_exception_handler(StarletteHTTPException, on_http)
    app.add_exception_handler(Exception, on_unexpected)


PROBLEM_SCHEMA: dict[str, Any] = {
    "type": "object",
    "title": "Problem",
    "description": "RFC 9457 problem details：title 为中文标题，detail 指明出错的字段和取值。",
    "properties": {
        "type": {"type": "string", "format": "uri"},
        "title": {"type": "string", "examples": ["请求参数无效"]},
        "status": {"type": "integer", "examples": [422]},
        "detail": {"type": "string",
                   "examples": ["字段 site_code 的值 '37010' ：格式不符合要求"]},
        "instance": {"type": "string"},
        "errors": {
            "type": "array",
            "items": {"type": "object", "properties": {
                "field": {"type": "string"}, "value": {}, "message": {"type": "string"}}},
        },
    },
    "required": ["type", "title", "status", "detail"],
}


def problem_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI `responses=` entries documenting problem+json errors."""
    out: dict[int | str, dict[str, Any]] = {}
    for status in statuses:
        title = _HTTP_TITLES.get(status, ("", "错误"))[1]
        if status == 412:
            title = PreconditionFailed.title
        if status == 428:
            title = PreconditionRequired.title
        out[status] = {"description": title,
                       "content": {PROBLEM_JSON: {"schema": PROBLEM_SCHEMA}}}
    return out
