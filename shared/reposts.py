"""How a repost task went, as the checker judges it and the circular states it (issue 15 item 1).

Shared by the checker (which finds the reposts) and reporting (whose circular states them), so
both say the same thing: on time when the repost's Beijing date is on or before the deadline,
late after it, missing when none was found and the deadline passed (pending before).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Literal

from shared.calendar import SHANGHAI

RepostStatus = Literal["on_time", "late", "missing", "pending"]


def repost_status(found_at: datetime | None, due_on: date, today: date) -> RepostStatus:
    """How one site or account did on one task, judged `today` (`found_at`: the repost's date)."""
    if found_at is not None:
        return "on_time" if found_at.astimezone(SHANGHAI).date() <= due_on else "late"
    return "missing" if today > due_on else "pending"


def repost_sentence(assigned: int, reposted: int, missing_units: Sequence[str],
                    late_units: Sequence[str]) -> str:
    """The circular's sentence, in the circulars' own words ("转载重要信息19篇，全部完成转发。").

    `reposted`: tasks every site and account in scope reposted (on time or late).
    """
    if assigned == 0:
        return "本期未下达重要信息转载任务。"
    if reposted == assigned and not missing_units:
        sentence = f"转载重要信息{assigned}篇，全部完成转发"
    else:
        sentence = f"转载重要信息{assigned}篇，{reposted}篇全部完成转发"
        if missing_units:
            sentence += f"；{'、'.join(missing_units)}未按要求转载"
    if late_units:
        sentence += f"；{'、'.join(late_units)}逾期转载"
    return sentence + "。"
