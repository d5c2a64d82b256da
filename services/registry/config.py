"""The registry's settings (env prefix REGISTRY_)."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from shared.config import ServiceSettings


def default_filing_limits() -> dict[str, int]:
    """Working days allowed between a lifecycle event and its filing, by `target.action` glob.

    Source: RULES.md, "filings late" — a change, closure or deregistration filed after the
    allowed working days, a local rule with a default of 3 working days for new media. RULES.md
    gives no website figure; we apply the same 3 days until a province configures its own.
    """
    return {"account.*": 3, "website.*": 3}


def default_event_routes() -> dict[str, list[str]]:
    """Which queues receive which events: reporting watches late filings; the gateway calls
    back for late filings and registration requests (registration.requested, .closed)."""
    return {"filing.late": ["govinspect:reporting", "govinspect:gateway"],
            "registration.*": ["govinspect:gateway"]}


class RegistrySettings(ServiceSettings):
    """Registry settings; every field can be set as REGISTRY_<NAME> in the environment."""

    model_config = SettingsConfigDict(env_prefix="REGISTRY_", extra="ignore")

    service_name: str = "registry"
    filing_limits: dict[str, int] = Field(default_factory=default_filing_limits)
    event_routes: dict[str, list[str]] = Field(default_factory=default_event_routes)
    max_import_rows: int = 50_000
    max_import_bytes: int = 50 * 1024 * 1024
    max_import_unpacked_bytes: int = 100 * 1024 * 1024
    """An XLSX file (a zip) whose parts unpack to more than this is refused (413) before it is
    read. Our own figure: max_import_rows (50,000) website rows as our export writes them unpack
    to 47 MB (3 MB zipped); a 410 KB file that unpacked to hundreds of MB stalled the registry
    for 9 s (issue 13)."""
    max_import_cells: int = 2_000_000
    """Cells read from one XLSX sheet, blank ones included (413 past it). Our own figure: the
    widest sheet (websites, 20 columns) × max_import_rows × 2 for blank rows and columns."""
    import_analyze_rows: int = 200
    """An import that writes at least this many rows refreshes PostgreSQL's planner statistics
    of the table it wrote (ANALYZE, in the import's transaction). Until autovacuum's next
    analyze (a minute or more; PostgreSQL's autovacuum_naptime) the planner took a freshly
    filled table for empty: a list page of 1,000 imported sites cost 2.2 ms in PostgreSQL, 0.8
    ms once analyzed (our own figure, issue 13). 200 rows: ANALYZE of so few costs about 1 ms."""
    max_cell_chars: int = 32_767
    """Characters one imported cell may hold (422 past it): Excel's own limit per cell."""
