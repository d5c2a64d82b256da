"""Indexes the national-scale benchmark's plans asked for (benchmarks/national_data.py): region subtrees

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22
"""

from collections.abc import Sequence

from alembic import op

revision: str = '0003'
down_revision: str | None = '0002'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # PostgreSQL only: its LIKE 'prefix%' uses a btree only with *_pattern_ops under a non-C
    # collation (C.UTF-8 included); on SQLite the existing indexes are all there is to use.
    if op.get_bind().dialect.name != "postgresql":
        return
    op.create_index("ix_organisation_region_prefix", "organisation", ["region_code"],
                    postgresql_ops={"region_code": "varchar_pattern_ops"})


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.drop_index("ix_organisation_region_prefix", table_name="organisation")
