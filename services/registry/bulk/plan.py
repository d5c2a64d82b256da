"""What an import would do, worked out before anything is written."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from enum import Enum
from typing import Any, Generic, Protocol, TypeVar

from services.registry.bulk.cells import RowReader
from services.registry.bulk.schemas import RowError
from services.registry.common.context import Ctx
from services.registry.filing import service as filings
from shared.errors import ValidationFailed

# Stands in for an organisation that failed to resolve, so the row's other fields still get checked.
PLACEHOLDER_ID = uuid.UUID(int=0)


class Numbered(Protocol):
    number: int


C = TypeVar("C", bound=Numbered)
U = TypeVar("U", bound=Numbered)


@dataclass
class Plan(Generic[C, U]):
    """The rows to create, the rows to update, the unchanged rows and every row error."""

    errors: list[RowError]
    creates: list[C] = field(default_factory=list)
    updates: list[U] = field(default_factory=list)
    unchanged: list[int] = field(default_factory=list)

    def settle(self) -> None:
        """Drop rows found bad by checks across rows (duplicates, cycles) from the counts."""
        bad = {e.row for e in self.errors}
        self.creates = [c for c in self.creates if c.number not in bad]
        self.updates = [u for u in self.updates if u.number not in bad]
        self.unchanged = [n for n in self.unchanged if n not in bad]

    async def apply(self, ctx: Ctx) -> None:
        """Write the plan into the session (flushes; the caller commits)."""
        raise NotImplementedError


def event_time(ctx: Ctx, reader: RowReader, name: str) -> datetime | None:
    """A row's event time, defaulting to now and refused in the future as the single-row API does."""
    try:
        return filings.check_occurred_at(ctx, reader.get(name))
    except ValidationFailed as exc:
        reader.error(name, exc.detail.split("：", 1)[-1])
        return None


def plain(value: Any) -> Any:
    """An enum member as its stored value; anything else unchanged."""
    return value.value if isinstance(value, Enum) else value
