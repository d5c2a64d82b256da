"""Indexes the national-scale benchmark's plans asked for (benchmarks/national_data.py): region subtrees in a period

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22
"""

from collections.abc import Sequence

from alembic import op

revision: str = '0002'
down_revision: str | None = '0001'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # PostgreSQL only: its LIKE 'prefix%' uses a btree only with *_pattern_ops under a non-C
    # collation (C.UTF-8 included); on SQLite the existing indexes are all there is to use.
    if op.get_bind().dialect.name != "postgresql":
        return
    op.create_index("ix_result_region_prefix_asof", "result", ["region_code", "as_of"],
                    postgresql_ops={"region_code": "varchar_pattern_ops"})


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.drop_index("ix_result_region_prefix_asof", table_name="result")
