"""/openapi.json (the merged document) and /docs (Swagger UI from local files, no CDN)."""

from __future__ import annotations

import asyncio
import logging
import time
from importlib.resources import files
from typing import Any

import httpx
from fastapi import APIRouter, FastAPI, Request
from fastapi.openapi.docs import get_swagger_ui_html, get_swagger_ui_oauth2_redirect_html
from fastapi.responses import HTMLResponse, JSONResponse
from fastapi.staticfiles import StaticFiles

from gateway.openapi.merge import merge
from gateway.proxy.upstream import Upstreams

log = logging.getLogger("govinspect.gateway.openapi")

router = APIRouter(include_in_schema=False)
DOCS_ASSETS = "/docs/assets"
# Swagger UI's files as the fastapi-offline wheel ships them: the docs page works offline.
ASSETS_DIR = str(files("fastapi_offline") / "static")


class MergedDocument:
    """The merged document, rebuilt at most every `ttl_s` from the services' own documents.

    A service that does not answer keeps its last document; one never fetched is left out and
    named in `info.x-upstreams-missing`, and the next request asks it again.
    """

    def __init__(self, ttl_s: float) -> None:
        self.ttl_s = ttl_s
        self.lock = asyncio.Lock()
        self.docs: dict[str, dict[str, Any]] = {}
        self.merged: dict[str, Any] | None = None
        self.built_at = 0.0

    async def _fetch(self, upstreams: Upstreams, name: str) -> dict[str, Any] | None:
        try:
            response = await upstreams.client(name).get("/openapi.json", timeout=5.0)
            response.raise_for_status()
            doc = response.json()
        except (httpx.HTTPError, ValueError) as exc:
            log.warning("could not fetch the OpenAPI document of %s: %s", name, exc)
            return None
        return doc if isinstance(doc, dict) else None

    async def document(self, app: FastAPI) -> dict[str, Any]:
        """Return the merged document, refreshing it when stale or incomplete."""
        async with self.lock:
            fresh = time.monotonic() - self.built_at < self.ttl_s
            if self.merged is not None and fresh:
                return self.merged
            upstreams: Upstreams = app.state.upstreams
            names = list(upstreams.clients)
            fetched = await asyncio.gather(*(self._fetch(upstreams, n) for n in names))
            for name, doc in zip(names, fetched, strict=True):
                if doc is not None:
                    self.docs[name] = doc
            merged = merge(app.openapi(), self.docs, app.state.settings.routes)
            missing = [n for n in names if n not in self.docs]
            if missing:
                merged["info"]["x-upstreams-missing"] = missing
            self.merged = merged
            # An incomplete document is served but not kept: the next request tries again.
            self.built_at = 0.0 if missing else time.monotonic()
            return merged


@router.get("/openapi.json")
async def openapi_document(request: Request) -> JSONResponse:
    """The OpenAPI 3.1 document of every public endpoint, the services' included."""
    merged: MergedDocument = request.app.state.openapi
    return JSONResponse(await merged.document(request.app))


@router.get("/docs")
async def docs_page(request: Request) -> HTMLResponse:
    """Swagger UI for the merged document; "Authorize" takes an API key or client credentials."""
    root = request.scope.get("root_path", "")
    return get_swagger_ui_html(
        openapi_url=f"{root}/openapi.json", title="govinspect 接口文档",
        oauth2_redirect_url=f"{root}/docs/oauth2-redirect",
        swagger_js_url=f"{root}{DOCS_ASSETS}/swagger-ui-bundle.js",
        swagger_css_url=f"{root}{DOCS_ASSETS}/swagger-ui.css",
        swagger_favicon_url=f"{root}{DOCS_ASSETS}/favicon.png",
        swagger_ui_parameters={"persistAuthorization": True})


@router.get("/docs/oauth2-redirect")
async def docs_oauth2_redirect() -> HTMLResponse:
    """Where Swagger UI's OAuth2 flow returns."""
    return get_swagger_ui_oauth2_redirect_html()


def install(app: FastAPI, ttl_s: float) -> None:
    """Serve the merged document and its docs page on `app` (whose own ones must be off)."""
    app.state.openapi = MergedDocument(ttl_s)
    app.include_router(router)
    app.mount(DOCS_ASSETS, StaticFiles(directory=ASSETS_DIR), name="docs-assets")
