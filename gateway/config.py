"""The gateway's settings (env prefix GATEWAY_)."""

from __future__ import annotations

import os
import secrets
from ipaddress import ip_network

from pydantic import Field, field_validator
from pydantic_settings import SettingsConfigDict

from gateway.webhooks.delivery import WebhookSettings
from shared.config import ServiceSettings, var_dir


def default_jwt_secret() -> str:
    """Read (or create once) the key that signs the gateway's access tokens.

    It is not the principal secret: every service holds that one, and none of them may be able
    to mint a token the gateway would accept.
    """
    path = var_dir() / "gateway-jwt.secret"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:  # another gateway process made it first
            return path.read_text().strip()
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_urlsafe(48))
    return path.read_text().strip()


def default_rate_limits() -> dict[str, int]:
    """Requests per principal per window, by role; a principal gets its most generous role's.

    No national figure exists. Sized for people clicking through a UI (viewer, unit) and for a
    provincial system paging through thousands of rows (integration, administrator).
    """
    return {"administrator": 1200, "supervisor": 600, "integration": 1200, "unit": 300,
            "viewer": 300}


def default_routes() -> dict[str, str]:
    """The service owning each resource below /api/v1: a path prefix, `*` for one segment."""
    return {
        # Posts pushed for an account live with the checker, which inspects them.
        "accounts/*/posts": "checker", "posts:bulk": "checker", "feeds": "checker",
        **dict.fromkeys(("regions", "organisations", "websites", "accounts", "filings",
                         "calendar", "registration-requests"), "registry"),
        **dict.fromkeys(("runs", "rechecks", "plans", "findings", "evidence", "profiles",
                         "wordlists", "alerts", "emblems", "repost-tasks", "filing-offers",
                         "discoveries"), "checker"),
        **dict.fromkeys(("circulars", "rectifications", "error-reports", "results", "notices",
                         "notice-contacts", "disputes", "practices", "attachments", "consolidation",
                         "annual-reports"),
                        "reporting"),
    }


class GatewaySettings(ServiceSettings):
    """Gateway settings; every field can be set as GATEWAY_<NAME> in the environment."""

    model_config = SettingsConfigDict(env_prefix="GATEWAY_", extra="ignore")

    service_name: str = "gateway"
    webhooks: WebhookSettings = Field(default_factory=WebhookSettings)
    registry_url: str = "http://127.0.0.1:8001"
    checker_url: str = "http://127.0.0.1:8002"
    reporting_url: str = "http://127.0.0.1:8003"
    routes: dict[str, str] = Field(default_factory=default_routes)

    jwt_secret: str = Field(default_factory=default_jwt_secret, repr=False)
    jwt_issuer: str = "govinspect-gateway"
    jwt_audience: str = "govinspect-api"
    # OAuth2 access tokens live ten minutes: a revoked client stops at once anyway (the client
    # row is checked on every request), so the lifetime only bounds a stolen token.
    jwt_ttl_s: int = 600
    # The principal header signed for one upstream request; long enough for a slow import.
    principal_ttl_s: int = 300
    # A verified credential is trusted this long without a database lookup. Rotating or
    # revoking one takes effect at once in the gateway process that did it and within this
    # many seconds in the others (several gateway replicas); 0 looks every request up.
    credential_cache_s: float = Field(default=10.0, ge=0)
    # last_used_at is written at most this often per credential, not on every request.
    last_used_resolution_s: int = 300

    connect_timeout_s: float = 3.0
    # Bulk imports of 50 000 rows and DOCX rendering take a while upstream.
    read_timeout_s: float = 120.0
    write_timeout_s: float = 60.0
    pool_timeout_s: float = 5.0
    # Requests in flight to one service at a time; more callers wait for a connection (up to
    # pool_timeout_s, then 503). A service serves best with about as many requests at once as
    # it has database connections (ServiceSettings.db_pool_size, 20, plus overflow): beyond
    # that extra requests only queue inside it, unordered. Every connection is kept alive:
    # with fewer kept than opened, each request past the kept ones paid a TCP handshake and
    # the upstream a new connection. Our own figures (gateway benchmark, issue 13).
    max_connections: int = Field(default=32, ge=1)
    # The registry accepts imports up to 50 MiB; leave room for multipart framing.
    max_body_bytes: int = 64 * 1024 * 1024
    # Retry-After sent with 503 when an upstream does not answer.
    upstream_retry_after_s: int = 5
    # Proxies (CIDRs or addresses, e.g. ["10.0.0.0/8"]) whose X-Forwarded-For is believed: the
    # caller's address is the right-most hop not among them. Empty: the socket peer, always.
    trusted_proxies: list[str] = Field(default_factory=list)

    # Failed authentications (wrong API keys, client secrets, bad tokens) allowed per source
    # address and per credential id (API key id, OAuth client id) within the window before the
    # source or the credential is refused with 429 for the lockout. No national figure exists;
    # the OWASP Authentication Cheat Sheet ("Login Throttling", "Account Lockout") asks for a
    # threshold, an observation window and a lockout duration, and these are its usual orders.
    # A source behind one NAT is many users, hence the larger per-source figure.
    auth_failures_per_source: int = Field(default=30, ge=1)
    auth_failures_per_credential: int = Field(default=10, ge=1)
    auth_failure_window_s: int = Field(default=900, ge=1)
    auth_lockout_s: int = Field(default=900, ge=1)

    idempotency_retention_s: int = 24 * 3600
    # An in-flight record older than this belongs to a request that died; a retry may take over.
    idempotency_lock_s: int = 300
    idempotency_max_response_bytes: int = 8 * 1024 * 1024
    idempotency_purge_interval_s: int = 3600

    # The merged OpenAPI document is rebuilt from the services' own at most this often.
    openapi_cache_s: int = 60

    rate_limit_window_s: int = 60
    rate_limits: dict[str, int] = Field(default_factory=default_rate_limits)

    @field_validator("trusted_proxies")
    @classmethod
    def _networks(cls, value: list[str]) -> list[str]:
        for cidr in value:
            ip_network(cidr.strip(), strict=False)  # ValueError names the bad entry
        return value

    def upstream_urls(self) -> dict[str, str]:
        """Base URL of each upstream service, by name."""
        return {"registry": self.registry_url, "checker": self.checker_url,
                "reporting": self.reporting_url}
