"""Audit log response bodies."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict


class AuditRead(BaseModel):
    model_config = ConfigDict(from_attributes=True, json_schema_extra={"examples": [{
        "id": 1042, "at": "2026-11-20T02:00:00Z",
        "subject": "apikey:0f8c1d2e3f4a5b6c7d8e9f0a1b2c3d4e", "name": "历下区政务公开办",
        "roles": ["supervisor"], "method": "POST", "path": "/api/v1/websites", "query": "",
        "status": 201, "address": "10.0.0.8", "request_id": "c1f0…", "user_agent": "curl/8.5",
        "idempotency_key": "import-2026q4-1", "replayed": False, "duration_ms": 38.2}]})

    id: int
    at: datetime
    subject: str
    name: str
    roles: list[str]
    method: str
    path: str
    query: str
    status: int
    address: str
    request_id: str
    user_agent: str
    idempotency_key: str | None
    replayed: bool
    duration_ms: float


class AuditPage(BaseModel):
    items: list[AuditRead]
    total: int
    limit: int
    offset: int
