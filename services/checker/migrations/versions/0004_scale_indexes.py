"""Indexes the national-scale benchmark's plans asked for (benchmarks/national_data.py): newest first, region subtrees

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-22
"""

from collections.abc import Sequence

from alembic import op

revision: str = '0004'
down_revision: str | None = '0003'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # PostgreSQL only: its LIKE 'prefix%' uses a btree only with *_pattern_ops under a non-C
    # collation (C.UTF-8 included); on SQLite the existing indexes are all there is to use.
    if op.get_bind().dialect.name != "postgresql":
        return
    op.create_index("ix_finding_last_seen", "finding", ["last_seen_at", "id"],
                    postgresql_ops={"last_seen_at": "DESC"})
    op.create_index("ix_finding_region_prefix_seen", "finding", ["region_code", "last_seen_at"],
                    postgresql_ops={"region_code": "varchar_pattern_ops", "last_seen_at": "DESC"})


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.drop_index("ix_finding_region_prefix_seen", table_name="finding")
    op.drop_index("ix_finding_last_seen", table_name="finding")
