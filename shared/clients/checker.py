"""Typed client of the checker API (what reporting asks of it)."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from pydantic import BaseModel

from shared.clients.base import ServiceClient


class RecheckStarted(BaseModel):
    """The run the checker started to re-check one target for some rules (复核)."""

    id: UUID
    status: str


class FindingRef(BaseModel):
    """What reporting keeps of a finding a unit disputes (the checker's FindingRead, in part)."""

    id: UUID
    target_id: UUID
    target_type: str
    target_code: str
    target_name: str
    region_code: str
    organisation_id: UUID
    organisation_name: str
    rule: str
    indicator: str
    message: str
    verdict: str | None = None
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

    async def finding(self, finding_id: UUID) -> FindingRef:
        """One finding the caller may see."""
        r = await self.request("GET", f"/findings/{finding_id}")
        return FindingRef.model_validate(r.json())

    async def set_verdict(self, finding_id: UUID, verdict: str | None, note: str | None) -> FindingRef:
        """Record a supervisor's verdict on a finding (false positives are re-scored there)."""
        r = await self.request("PUT", f"/findings/{finding_id}/verdict",
                               json={"verdict": verdict, "note": note})
        return FindingRef.model_validate(r.json())

    async def account_posts(self, account_id: UUID, since: datetime,
                            page_size: int = 1000) -> list[dict[str, Any]]:
        """An account's posts published since an instant (the checker lists them newest first)."""
        out: list[dict[str, Any]] = []
        while True:
            r = await self.request("GET", f"/accounts/{account_id}/posts", params={
                "limit": page_size, "offset": len(out)})
            page = r.json()
            items = page["items"]
            out.extend(items)
            last = datetime.fromisoformat(items[-1]["published_at"]) if items else None
            if not items or len(out) >= page["total"] or (last is not None and last < since):
                return out
