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


class RegistrySettings(ServiceSettings):
    """Registry settings; every field can be set as REGISTRY_<NAME> in the environment."""

    model_config = SettingsConfigDict(env_prefix="REGISTRY_", extra="ignore")

    service_name: str = "registry"
    filing_limits: dict[str, int] = Field(default_factory=default_filing_limits)
    # Which queues receive which events: reporting watches late filings, the gateway calls back.
    event_routes: dict[str, list[str]] = Field(default_factory=lambda: {
        "filing.late": ["govinspect:reporting", "govinspect:gateway"]})
    max_import_rows: int = 50_000
    max_import_bytes: int = 50 * 1024 * 1024
