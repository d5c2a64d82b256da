"""Reporting's copy of a result follows the checker's newest revision, whatever order the
inspection and its verdict corrections (target.rescored) arrive in."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from services.reporting.result.intake import handle
from services.reporting.result.models import Result
from shared.contracts.events import TARGET_INSPECTED, TARGET_RESCORED, EventEnvelope
from tests.reporting.conftest import Reporting

AS_OF = datetime(2026, 11, 10, 9, tzinfo=ZoneInfo("Asia/Shanghai"))


def _payload(task_id: uuid.UUID, revision: int, vetoes: list[str]) -> dict[str, Any]:
    return {"run_id": str(uuid.uuid4()), "task_id": str(task_id), "as_of": AS_OF.isoformat(),
            "run_kind": "inspection", "rules": None, "target_type": "website",
            "revision": revision,
            "target": {"id": str(uuid.uuid5(uuid.NAMESPACE_DNS, "site")), "site_code": "3701020002",
                       "name": "历下区某局网站", "organisation_id": str(uuid.uuid4()),
                       "organisation_name": "历下区某局", "region_code": "370102",
                       "kind": "department", "home_url": "http://jyj.lixia.gov.cn/",
                       "domains": ["jyj.lixia.gov.cn"], "status": "running"},
            "score": None if vetoes else 99.9, "passed": not vetoes, "vetoes": vetoes,
            "deductions": {}, "findings": [{"rule": v, "indicator": "安全隐患", "severity": "veto",
                                            "message": "页面含暗链", "url": None,
                                            "fingerprint": f"fp-{v}"} for v in vetoes]}


async def _apply(rep: Reporting, name: str, payload: dict[str, Any]) -> None:
    async with rep.app.state.sessionmaker() as session:
        await handle(session, EventEnvelope(id=uuid.uuid4(), name=name, source="checker",
                                            occurred_at=AS_OF, payload=payload), AS_OF)
        await session.commit()


async def _copy(rep: Reporting, task_id: uuid.UUID) -> Result:
    async with rep.app.state.sessionmaker() as session:
        row = await session.get(Result, task_id)
        assert row is not None
        return row


async def test_a_correction_is_not_undone_by_an_older_copy(reporting: Reporting) -> None:
    task_id = uuid.uuid4()
    # Marked false positive (revision 1), taken back (revision 2), marked again (revision 3):
    # the three corrections and the inspection itself arrive out of order.
    await _apply(reporting, TARGET_RESCORED, _payload(task_id, 3, []))
    await _apply(reporting, TARGET_RESCORED, _payload(task_id, 1, []))
    await _apply(reporting, TARGET_INSPECTED, _payload(task_id, 0, ["veto.security"]))
    await _apply(reporting, TARGET_RESCORED, _payload(task_id, 2, ["veto.security"]))
    copy = await _copy(reporting, task_id)
    assert (copy.revision, copy.passed, copy.vetoes, copy.problems) == (3, True, [], [])

    # In order, each one replaces the copy.
    other = uuid.uuid4()
    await _apply(reporting, TARGET_INSPECTED, _payload(other, 0, ["veto.security"]))
    assert (await _copy(reporting, other)).passed is False
    await _apply(reporting, TARGET_RESCORED, _payload(other, 1, []))
    assert (await _copy(reporting, other)).score == 99.9
