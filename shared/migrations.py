"""Alembic per service: each service its own history, version table and PostgreSQL schema."""

from __future__ import annotations

import asyncio
from pathlib import Path

from alembic import command, context
from alembic.config import Config
from sqlalchemy import MetaData
from sqlalchemy.engine import Connection

from shared.db import ensure_schema, is_sqlite, make_engine


def alembic_config(migrations_dir: Path, url: str, schema: str) -> Config:
    """Build an Alembic config for a service's migrations folder."""
    cfg = Config()
    cfg.set_main_option("script_location", str(migrations_dir))
    cfg.attributes["url"] = url
    cfg.attributes["schema"] = schema
    return cfg


def upgrade(migrations_dir: Path, url: str, schema: str, revision: str = "head") -> None:
    """Bring a service's database up to a revision (call from a thread without a running loop)."""
    command.upgrade(alembic_config(migrations_dir, url, schema), revision)


def run_env(metadata: MetaData, service: str) -> None:
    """The body of a service's env.py: run its migrations online, inside its schema."""
    cfg = context.config
    url: str = cfg.attributes["url"]
    schema: str = cfg.attributes["schema"]
    sqlite = is_sqlite(url)

    def do_run(conn: Connection) -> None:
        context.configure(
            connection=conn,
            target_metadata=metadata,
            version_table=f"alembic_version_{service}",
            render_as_batch=sqlite,
            compare_type=True,
        )
        with context.begin_transaction():
            context.run_migrations()

    async def main() -> None:
        engine = make_engine(url, None if sqlite else schema)
        await ensure_schema(engine, schema)
        try:
            async with engine.begin() as conn:
                await conn.run_sync(do_run)
        finally:
            await engine.dispose()

    asyncio.run(main())
