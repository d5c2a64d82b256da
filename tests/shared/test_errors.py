"""problem+json rendering: Chinese titles, details naming field and value."""

from __future__ import annotations

import httpx
from fastapi import FastAPI
from pydantic import BaseModel, Field

from shared.errors import NotFound, install_problem_handlers, named_pattern


class Body(BaseModel):
    code: str = Field(pattern=r"^\d{6}$")
    count: int
    site: str | None = Field(default=None, pattern=named_pattern(r"^bm\d{8}$", "应为 bm 加八位数字"))


def _app() -> FastAPI:
    app = FastAPI()
    install_problem_handlers(app)

    @app.post("/things")
    async def make(body: Body) -> dict[str, str]:
        return {"code": body.code}

    @app.get("/missing")
    async def missing() -> None:
        raise NotFound("网站 x 不存在")

    @app.get("/boom")
    async def boom() -> None:
        raise RuntimeError("secret internals")

    return app


async def test_validation_names_every_field_and_value_in_chinese() -> None:
    transport = httpx.ASGITransport(app=_app(), raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as c:
        r = await c.post("/things", json={"code": "12a", "count": "many"})
        assert r.status_code == 422
        assert r.headers["content-type"] == "application/problem+json"
        body = r.json()
        assert body["title"] == "请求参数无效"
        assert "code" in body["detail"] and "'12a'" in body["detail"]
        assert "count" in body["detail"] and "'many'" in body["detail"]
        assert {e["field"] for e in body["errors"]} == {"code", "count"}

        # A named pattern is explained in words, with the field and the value.
        r = await c.post("/things", json={"code": "370102", "count": 1, "site": "bm123"})
        assert r.json()["detail"] == "字段 site 的值 'bm123'：格式不符合要求：应为 bm 加八位数字"

        r = await c.get("/missing")
        assert r.status_code == 404 and r.json()["detail"] == "网站 x 不存在"
        r = await c.get("/nowhere")
        assert r.status_code == 404 and r.json()["title"] == "资源不存在"

        r = await c.get("/boom")
        assert r.status_code == 500
        assert r.json()["title"] == "服务器内部错误"
        assert "secret internals" not in r.text
