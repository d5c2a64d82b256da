"""Typed client of the checker API (what reporting asks of it)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from pydantic import BaseModel

from shared.clients.base import ServiceClient


class RecheckStarted(BaseModel):
    """The run the checker started to re-check one target for some rules (复核)."""

    id: UUID
    status: str


# How long a re-check request may take: it is asked for while a person waits (or by the
# deadline watcher, which stops at the first timeout). Our own figure.
RECHECK_TIMEOUT_S = 10.0


class CheckerClient(ServiceClient):
    """Re-checks, and runs and findings for reporting's backfill."""

    async def recheck(self, target_id: UUID, rules: list[str], reason: str) -> RecheckStarted:
        """Ask for a re-check of exactly this target and these rules."""
        r = await self.request("POST", "/rechecks", timeout=RECHECK_TIMEOUT_S, json={
            "target_id": str(target_id), "rules": rules, "reason": reason})
        return RecheckStarted.model_validate(r.json())

    async def run_tasks(self, run_id: UUID) -> list[dict[str, Any]]:
        """Every task of a run the caller may see, with scores."""
        r = await self.request("GET", f"/runs/{run_id}/tasks")
        return list(r.json())

    async def run(self, run_id: UUID) -> dict[str, Any]:
        """One run with its progress."""
        r = await self.request("GET", f"/runs/{run_id}")
        return dict(r.json())

    async def run_findings(self, run_id: UUID, page_size: int = 1000) -> list[dict[str, Any]]:
        """Every finding seen in a run."""
        out: list[dict[str, Any]] = []
        while True:
            r = await self.request("GET", "/findings", params={
                "run_id": str(run_id), "limit": page_size, "offset": len(out)})
            page = r.json()
            out.extend(page["items"])
            if not page["items"] or len(out) >= page["total"]:
                return out
