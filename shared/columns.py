"""Column helpers every service's tables use: client-made UUID keys and UTC instants."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlmodel import Field

from shared.db import UTCDateTime


def id_field() -> uuid.UUID:
    """A UUID primary key made on the client, so events can name the row before the flush."""
    return Field(default_factory=uuid.uuid4, primary_key=True)


def instant_field(index: bool = False) -> datetime:
    """A required UTC instant."""
    return Field(sa_type=UTCDateTime, index=index)


def optional_instant(index: bool = False) -> datetime | None:
    """An optional UTC instant."""
    return Field(default=None, sa_type=UTCDateTime, index=index)
