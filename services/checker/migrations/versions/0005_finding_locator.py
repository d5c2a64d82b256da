"""Findings keep their rule's locator (one false positive marked on every site); a task's result revision

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0005'
down_revision: str | None = '0004'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Findings recorded before this revision get their locator the next time a run sees them.
    # No index: a locator can be longer than a btree entry may be; matches go by rule first.
    with op.batch_alter_table("finding") as batch:
        batch.add_column(sa.Column("locator", sa.String(length=2048), nullable=True))
    # Each re-score of a result by a verdict counts up, so reporting applies the newest last.
    with op.batch_alter_table("task") as batch:
        batch.add_column(sa.Column("revision", sa.Integer(), nullable=False,
                                   server_default="0"))


def downgrade() -> None:
    with op.batch_alter_table("task") as batch:
        batch.drop_column("revision")
    with op.batch_alter_table("finding") as batch:
        batch.drop_column("locator")
