"""Settings shared by every service: where the data lives, Redis, and the principal secret."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


def var_dir() -> Path:
    """Return the directory for local state (SQLite files, the embedded Redis, keys)."""
    return Path(os.environ.get("GOVINSPECT_VAR_DIR", "./var")).resolve()


def default_principal_secret() -> str:
    """Read (or create once) the local secret that signs principal headers."""
    env = os.environ.get("PRINCIPAL_SECRET")
    if env:
        return env
    path = var_dir() / "principal.secret"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_urlsafe(48))
    return path.read_text().strip()


class ServiceSettings(BaseSettings):
    """Base settings; each service subclasses with its own env prefix and name.

    `DATABASE_URL` and `REDIS_URL` without a prefix are shared defaults; `<PREFIX>DATABASE_URL`
    overrides for one service. On PostgreSQL each service keeps its tables in its own schema.
    """

    model_config = SettingsConfigDict(extra="ignore")

    service_name: str = "service"
    database_url: str | None = Field(default=None)
    redis_url: str = Field(default_factory=lambda: os.environ.get(
        "REDIS_URL", "redis://127.0.0.1:6379/0"))
    principal_secret: str = Field(default_factory=default_principal_secret, repr=False)
    log_level: str = "INFO"
    metrics_port: int | None = None
    """Port of the Prometheus listener of a worker or the gateway (APIs answer /metrics on
    their own port); unset: none, as under `make run`, where every worker would want it."""
    shutdown_wait_s: int = 5
    """On SIGTERM a worker takes no new job and lets running ones finish this long before it
    cancels them (a cancelled checker task is handed back as pending). Keep it below the
    supervisor's grace: 10 s in deploy/supervisor.py, terminationGracePeriodSeconds in deploy/k8s."""

    max_json_depth: int = 32
    """JSON request bodies (and JSON import files) nested deeper than this are refused (422).
    Our own figure: the deepest document the APIs take (a rule profile) is 6 levels; 32 leaves
    room for any honest client and stops the thousands of levels that made the parser recurse
    to a 500 (issue 13)."""

    db_pool_size: int = Field(default=20, ge=1)
    """PostgreSQL connections an API process keeps open. Sized to the requests one process
    serves at once: the gateway sends each service at most `GATEWAY_MAX_CONNECTIONS` at a time
    (32), and a request holds one connection. Our own figure from the gateway benchmark (issue
    13): with 10, every request past the tenth opened and closed a connection of its own (an
    asyncpg connect costs more CPU than the read), and 200 clients waited seconds."""
    db_max_overflow: int = Field(default=12, ge=0)
    """Connections opened beyond `db_pool_size` for a burst and closed again when returned.
    PostgreSQL's default max_connections is 100: three services' APIs and workers stay inside it
    with one process each; with more API processes (`--workers`), lower these or raise it."""
    db_read_pool_size: int = Field(default=16, ge=1)
    """Connections of the pool that serves GET requests in a service with autocommit reads (the
    registry; `shared.db.make_read_engine`), none beyond it: a read waits for one rather than
    open more. Our own figure (gateway benchmark, issue 13): 16 queries at once keep two cores
    busy; the gateway sends at most 32 requests at a time."""
    db_pool_pre_ping: bool = True
    """Ping a pooled connection before lending it when it lay idle `db_pool_ping_idle_s` or
    longer (one round trip), so a PostgreSQL restarted while the service was quiet costs no
    failed request; off saves the ping after idle periods too."""
    db_pool_ping_idle_s: float = Field(default=1.0, ge=0)
    """Idle seconds after which a pooled connection is pinged before it is lent (0: always).
    Our own figure (issue 13, registry read path): a connection returned within the last second
    by a request that succeeded is alive; pinging every checkout cost the registry three round
    trips and about 0.2 CPU-ms per read. A disconnect met under load invalidates the pool."""

    def engine_options(self) -> dict[str, object]:
        """The connection-pool options of `shared.db.make_engine` (ignored on SQLite)."""
        return {"pool_size": self.db_pool_size, "max_overflow": self.db_max_overflow,
                "pool_pre_ping": self.db_pool_pre_ping,
                "pool_ping_idle_s": self.db_pool_ping_idle_s}

    def read_engine_options(self) -> dict[str, object]:
        """The pool options of the read engine (`shared.db.make_read_engine`)."""
        return {**self.engine_options(), "pool_size": self.db_read_pool_size, "max_overflow": 0}

    def resolved_database_url(self) -> str:
        """Return this service's database URL: its own, the shared one, or a SQLite file."""
        url = self.database_url or os.environ.get("DATABASE_URL")
        if url:
            return url
        path = var_dir() / f"{self.service_name}.db"
        path.parent.mkdir(parents=True, exist_ok=True)
        return f"sqlite+aiosqlite:///{path}"

    @property
    def db_schema(self) -> str:
        """The PostgreSQL schema holding this service's tables."""
        return self.service_name
