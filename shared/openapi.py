"""What every app's OpenAPI document shares: stable operationIds and one Problem error schema."""

from __future__ import annotations

import copy
import re
from collections.abc import Callable
from typing import Any

from fastapi import FastAPI
from fastapi._compat import get_flat_models_from_fields, get_model_name_map
from fastapi.openapi.utils import get_fields_from_routes
from fastapi.routing import APIRoute
from pydantic import BaseModel

from shared.errors import PROBLEM_JSON, PROBLEM_SCHEMA

PROBLEM_REF = {"$ref": "#/components/schemas/Problem"}
# FastAPI's own 422 schemas; the apps answer problem+json instead (shared.errors).
FASTAPI_VALIDATION_SCHEMAS = ("HTTPValidationError", "ValidationError")
HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
ERROR_DESCRIPTIONS = {
    400: "请求无效", 401: "未通过身份认证", 403: "无权执行此操作", 404: "资源不存在",
    405: "不支持该请求方法", 409: "与现有数据冲突", 412: "数据已被他人修改", 413: "请求内容过大",
    415: "不支持的文件格式", 422: "请求参数无效", 428: "缺少版本条件", 429: "请求过于频繁",
    500: "服务器内部错误", 502: "上游服务响应无效", 503: "服务暂不可用", 504: "上游服务响应超时",
}


def operation_id(route: APIRoute) -> str:
    """The operationId of a route declared without one: its function name in lowerCamelCase.

    `create_website` → `createWebsite`. Stable (it changes only when the function is renamed)
    and readable in generated clients; routes that set `operation_id=` keep theirs.
    """
    head, *rest = route.name.strip("_").split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest if part)


def operations(doc: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    """Every (path, method, operation) of a document, in document order."""
    return [(path, method, op) for path, item in doc.get("paths", {}).items()
            for method, op in item.items() if method in HTTP_METHODS]


def _refs(node: Any) -> set[str]:
    if isinstance(node, dict):
        found = {str(node["$ref"])} if isinstance(node.get("$ref"), str) else set()
        for value in node.values():
            found |= _refs(value)
        return found
    if isinstance(node, list):
        return set().union(*(_refs(v) for v in node)) if node else set()
    return set()


def not_null(schema: dict[str, Any]) -> None:
    """`json_schema_extra` of an optional field that may be left out but not sent as null.

    The field stays `X | None = None` (left out reads as None; an explicit null is refused by
    the service with a 422 naming the field); the document offers only X, without the null
    branch and the null default pydantic gives it.
    """
    if schema.get("default", ...) is None:
        del schema["default"]
    branches = schema.pop("anyOf", None)
    if branches is None:
        return
    kept = [b for b in branches if b != {"type": "null"}]
    if len(kept) == 1:
        schema.update(kept[0])
    else:
        schema["anyOf"] = kept


def problem_response(status: int, description: str | None = None) -> dict[str, Any]:
    """An OpenAPI response whose body is the Problem schema."""
    return {"description": description or ERROR_DESCRIPTIONS.get(status, "错误"),
            "content": {PROBLEM_JSON: {"schema": dict(PROBLEM_REF)}}}


def normalise_problems(doc: dict[str, Any], extra_statuses: tuple[int, ...] = ()) -> None:
    """Make every 4xx/5xx response of `doc` a problem+json `#/components/schemas/Problem`.

    The apps answer every error as problem+json (shared.errors), including request validation,
    so FastAPI's HTTPValidationError is replaced too. `extra_statuses` are added to every
    operation that does not list them. Changes `doc` in place.
    """
    schemas = doc.setdefault("components", {}).setdefault("schemas", {})
    schemas["Problem"] = copy.deepcopy(PROBLEM_SCHEMA)
    for path, _method, op in operations(doc):
        responses = op.setdefault("responses", {})
        # A body that is not UTF-8 JSON (or form data) is refused before validation, with 400;
        # a path naming something that does not exist (or is out of scope) answers 404.
        implied = ((400,) if "requestBody" in op else ()) + ((404,) if "{" in path else ())
        for status in extra_statuses + implied:
            responses.setdefault(str(status), {"description": ERROR_DESCRIPTIONS.get(status, "错误")})
        for code, response in responses.items():
            if code[:1] in ("4", "5") and "$ref" not in response:
                described = response.get("description") or ""
                generic = described in ("", "Validation Error", "Successful Response")
                response.update(problem_response(int(code), None if generic else described))
        if "428" in responses:  # answers 428 without If-Match: the document says it is required
            for parameter in op.get("parameters", []):
                if parameter.get("in") == "header" and parameter.get("name", "").lower() == "if-match":
                    parameter["required"] = True
    used = _refs(doc.get("paths", {})) | _refs(doc.get("components", {}))
    for name in FASTAPI_VALIDATION_SCHEMAS:
        if f"#/components/schemas/{name}" not in used:
            schemas.pop(name, None)


def _models(app: FastAPI) -> dict[str, type[BaseModel]]:
    """The pydantic models of `app`'s bodies (nested ones too), by their component name."""
    fields = get_fields_from_routes(list(app.routes))
    models = get_flat_models_from_fields(fields, known_models=set())
    return {name: model for model, name in get_model_name_map(models).items()
            if isinstance(model, type) and issubclass(model, BaseModel)}


def restore_examples(doc: dict[str, Any], app: FastAPI) -> None:
    """Put back the `null`s FastAPI drops from model examples (it encodes with exclude_none).

    Without them an example of a model with a required nullable field does not match its own
    schema. Changes `doc` in place.
    """
    schemas = doc.get("components", {}).get("schemas", {})
    for name, model in _models(app).items():
        examples = model.model_json_schema().get("examples")
        if not examples:
            continue
        if name in schemas:
            schemas[name]["examples"] = examples


def install_openapi(app: FastAPI) -> None:
    """Serve `app`'s document with every error response pointing at the Problem schema."""
    plain: Callable[[], dict[str, Any]] = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            doc = copy.deepcopy(plain())
            restore_examples(doc, app)
            normalise_problems(doc)
            app.openapi_schema = doc
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


_IDENTIFIER = re.compile(r"^[a-z][A-Za-z0-9]*$")


def is_operation_id(value: str) -> bool:
    """Tell whether an operationId has the suite's shape (lowerCamelCase, ASCII)."""
    return bool(_IDENTIFIER.match(value))
