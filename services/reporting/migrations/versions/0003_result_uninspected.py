"""result: a target that could not be inspected (passed null, with the reason)

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = '0003'
down_revision: str | None = '0002'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('result', schema=None) as batch_op:
        batch_op.alter_column('passed', existing_type=sa.Boolean(), nullable=True)
        batch_op.add_column(sa.Column('uninspected_reason',
                                      sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True))


def downgrade() -> None:
    op.execute("DELETE FROM result WHERE passed IS NULL")
    with op.batch_alter_table('result', schema=None) as batch_op:
        batch_op.drop_column('uninspected_reason')
        batch_op.alter_column('passed', existing_type=sa.Boolean(), nullable=False)
