"""What an inspection needs of its run: the run's identity, its resolved profile, the rules a
re-check limits it to, its kind and the monitoring point.

The checker's `Run` row has these; so do the benchmarks' stand-ins, which inspect without a
database row. Read-only, so a frozen dataclass fits as well as a table row.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Protocol
from uuid import UUID


class RunFacts(Protocol):
    """The run an Inspector inspects a target for."""

    @property
    def id(self) -> UUID: ...

    @property
    def profile(self) -> dict[str, Any]: ...

    @property
    def rules(self) -> list[str] | None: ...  # a re-check's rule codes; None: every rule

    @property
    def kind(self) -> str: ...  # inspection / recheck (复核)

    @property
    def as_of(self) -> datetime: ...  # the monitoring point
