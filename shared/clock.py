"""An injectable clock, so tests and deadline watchers can set "now"."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime:
        """Return the current instant, timezone-aware, in UTC."""
        ...


class SystemClock:
    """The real time."""

    def now(self) -> datetime:
        """Return the current instant in UTC."""
        return datetime.now(UTC)


class FixedClock:
    """A clock that stands still until moved; for tests."""

    def __init__(self, at: datetime) -> None:
        if at.tzinfo is None:
            raise ValueError("FixedClock needs an aware datetime")
        self._at = at.astimezone(UTC)

    def now(self) -> datetime:
        """Return the set instant."""
        return self._at

    def set(self, at: datetime) -> None:
        """Move the clock to an instant."""
        self._at = at.astimezone(UTC)

    def advance(self, delta: timedelta) -> None:
        """Move the clock forward."""
        self._at += delta
