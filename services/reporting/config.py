"""Reporting's settings (env prefix REPORTING_)."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from services.reporting.consolidation.thresholds import ConsolidationThresholds
from shared.config import ServiceSettings


class ReportingSettings(ServiceSettings):
    """Reporting settings; every field can be set as REPORTING_<NAME> in the environment."""

    model_config = SettingsConfigDict(env_prefix="REPORTING_", extra="ignore")

    service_name: str = "reporting"
    registry_url: str = "http://127.0.0.1:8001"
    checker_url: str = "http://127.0.0.1:8002"
    # Integrations receive these through the gateway's signed callbacks.
    event_routes: dict[str, list[str]] = Field(default_factory=lambda: {
        "circular.published": ["govinspect:gateway"],
        "rectification.*": ["govinspect:gateway"],
        "error_report.overdue": ["govinspect:gateway"]})
    # Working days before a rectification deadline when rectification.due_soon (callback and
    # e-mail) goes out. Source: none national (RULES.md sets deadlines, not reminders); our
    # choice following local practice of a reminder two working days ahead. 0 turns it off.
    due_soon_working_days: int = Field(default=2, ge=0, le=30)
    # The mail relay for deadline notices (issue #16 item 5); no host: callbacks only. Plain
    # SMTP on the internal relay by default; STARTTLS and a login where the relay asks for them.
    smtp_host: str | None = None
    smtp_port: int = Field(default=25, ge=1, le=65535)
    smtp_starttls: bool = False
    smtp_username: str | None = None
    smtp_password: str | None = Field(default=None, repr=False)
    smtp_sender: str = "govinspect@localhost"
    smtp_timeout_s: float = Field(default=10.0, gt=0)
    # A notice e-mail the relay refused or could not take is tried again after
    # `mail_retry_after_s`, `mail_max_attempts` times in all, then left failed in the log.
    # Our figures (no national source): three tries spread over half an hour ride out a relay
    # restart without flooding a relay that is down.
    mail_max_attempts: int = Field(default=3, ge=1, le=20)
    mail_retry_after_s: int = Field(default=900, gt=0)
    # How long a sender holds an e-mail it claimed before another sender may take it over (the
    # first one is taken to have died). Our figure: far above one SMTP exchange
    # (`smtp_timeout_s` per step), so a live sender is never overtaken.
    mail_lease_s: int = Field(default=300, gt=0)
    # 我为政府网站找错: messages answered within 3 working days (RULES.md, local; default 3).
    error_report_working_days: int = 3
    # Default rectification deadline in working days from publication, when a circular names none.
    default_deadline_working_days: int = 15
    watch_interval_s: int = 30
    # Our choice (no national figure): after a re-check the checker gave up on (the site did not
    # answer), wait this long before asking again, so an unreachable site is not re-checked
    # every watch round.
    recheck_retry_after_s: int = 3600
    # Our choice: a re-check with no outcome after this long (cancelled run, lost event) is
    # treated as failed. A re-check of one target takes minutes; a day is far beyond that.
    recheck_stale_after_s: int = 86400
    # Our choice (no national figure): a screenshot or a scanned page of a fix is well under
    # 10 MiB; a unit attaches at most 20 files to one rectification item or write-up.
    attachment_max_bytes: int = Field(default=10 * 1024 * 1024, ge=1)
    attachment_max_per_subject: int = Field(default=20, ge=1)
    # 瘦身提质 thresholds (each field names its source).
    consolidation: ConsolidationThresholds = Field(default_factory=ConsolidationThresholds)
