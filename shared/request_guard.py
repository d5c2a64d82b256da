"""Guards every service applies to a request before its route sees it (issue 13, hostile input).

- A JSON body nested deeper than `max_json_depth` is refused with 422 before it is parsed:
  Python's parser recurses per level, and a few thousand levels answered 500.
- A JSON string holding an unpaired surrogate (`"\\ud800"`: valid JSON, not valid UTF-8) is
  refused with 422 naming the field, instead of a 500 when it reaches the database.
- A query parameter the route does not declare is refused with 422 naming it: a misspelt
  filter (`?regoin=370102`) used to answer everything, unfiltered.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

from fastapi import Request
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute
from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from shared.errors import ValidationFailed, problem_response

# Bodies larger than this are checked in a worker thread, so other requests go on meanwhile.
INLINE_BYTES = 64 * 1024
_STRING = re.compile(r'"(?:[^"\\]|\\.)*"', re.S)
_BRACKET = re.compile(r"[\[\]{}]")
_SURROGATE = re.compile("[\ud800-\udfff]")


def check_depth(text: str, max_depth: int) -> None:
    """Refuse JSON text nested deeper than `max_depth` arrays/objects (422), without parsing it."""
    depth = 0
    for match in _BRACKET.finditer(_STRING.sub('""', text)):
        depth += 1 if match.group() in "[{" else -1
        if depth > max_depth:
            raise ValidationFailed(
                f"JSON 嵌套层数超过上限 {max_depth} 层（第 {match.start() + 1} 个字符附近），请检查数据结构",
                limit_name="max_json_depth", limit=max_depth)


def _strings(value: Any, path: str) -> Iterator[tuple[str, str]]:
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _strings(key, path)
            yield from _strings(item, f"{path}.{key}" if path else str(key))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from _strings(item, f"{path}[{i}]")


def check_text(doc: Any) -> None:
    """Refuse a parsed JSON document holding a string with an unpaired surrogate (422)."""
    for path, text in _strings(doc, ""):
        found = _SURROGATE.search(text)
        if found:
            field = path or "(根)"
            message = f"含有不成对的代理字符 U+{ord(found.group()):04X}，请删除后重试"
            raise ValidationFailed(f"字段 {field} {message}",
                                   errors=[{"field": field, "value": None, "message": message}])


def loads(text: str, max_depth: int) -> Any:
    """`json.loads` bounded in depth and refusing unpaired surrogates; JSONDecodeError as usual."""
    check_depth(text, max_depth)
    doc = json.loads(text)
    check_text(doc)
    return doc


class JsonBodyGuard:
    """ASGI middleware: apply `loads`'s checks to every JSON request body (others pass through)."""

    def __init__(self, app: ASGIApp, max_depth: int) -> None:
        self.app, self.max_depth = app, max_depth

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not _is_json(scope):
            await self.app(scope, receive, send)
            return
        chunks: list[bytes] = []
        message: Message = {"more_body": True}
        while message.get("more_body", False):
            message = await receive()
            if message["type"] != "http.request":  # the client went away
                await self.app(scope, _replay(None, message, receive), send)
                return
            chunks.append(message.get("body", b""))
        body = b"".join(chunks)
        try:
            if len(body) > INLINE_BYTES:  # a JSON import file: parsed beside the event loop
                await run_in_threadpool(_check_body, body, self.max_depth)
            else:
                _check_body(body, self.max_depth)
        except ValidationFailed as exc:
            await problem_response(exc, Request(scope))(scope, receive, send)
            return
        except (UnicodeDecodeError, json.JSONDecodeError):
            pass  # FastAPI answers its own 422 for a body that is not JSON
        await self.app(scope, _replay(body, None, receive), send)


def _check_body(body: bytes, max_depth: int) -> None:
    loads(body.decode("utf-8"), max_depth)


def _is_json(scope: Scope) -> bool:
    for name, value in scope.get("headers", ()):
        if name == b"content-type":
            media = value.split(b";", 1)[0].strip().lower()
            return media == b"application/json" or media.endswith(b"+json")
    return False


def _replay(body: bytes | None, first: Message | None, receive: Receive) -> Receive:
    """Hand the app the body read already, then the client's own later messages (disconnect)."""
    pending: list[Message] = [first] if first is not None else [
        {"type": "http.request", "body": body or b"", "more_body": False}]

    async def replay() -> Message:
        if pending:
            return pending.pop()
        return await receive()
    return replay


def _query_names(dependant: Dependant) -> Iterator[str]:
    for param in dependant.query_params:
        model = param.field_info.annotation
        if isinstance(model, type) and issubclass(model, BaseModel):  # a query model
            yield from (f.alias or name for name, f in model.model_fields.items())
        else:
            yield param.alias
    for sub in dependant.dependencies:
        yield from _query_names(sub)


def _declared_query(route: APIRoute) -> frozenset[str]:
    names = getattr(route, "_govinspect_query", None)
    if names is None:
        names = frozenset(_query_names(route.dependant))
        route._govinspect_query = names  # type: ignore[attr-defined]
    return names


async def refuse_unknown_query(request: Request) -> None:
    """Dependency for every route: 422 naming each query parameter the route does not declare."""
    route = request.scope.get("route")
    if not isinstance(route, APIRoute) or not request.query_params:
        return
    unknown = sorted(set(request.query_params.keys()) - _declared_query(route))
    if unknown:
        allowed = "、".join(sorted(_declared_query(route))) or "（无）"
        raise ValidationFailed(
            f"未知的查询参数：{'、'.join(unknown)}；此接口接受：{allowed}",
            errors=[{"field": name, "value": request.query_params.get(name),
                     "message": "未知的查询参数"} for name in unknown])
