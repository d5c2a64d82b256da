"""consolidation: supervisors' 瘦身提质 decisions and the units' confirmations

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import shared.db

revision: str = '0006'
down_revision: str | None = '0005'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_S = sqlmodel.sql.sqltypes.AutoString
_T = shared.db.UTCDateTime


def upgrade() -> None:
    op.create_table(
        'consolidation_decision',
        sa.Column('id', sa.Uuid(), nullable=False),
        sa.Column('account_id', sa.Uuid(), nullable=False),
        sa.Column('account_name', _S(length=200), nullable=False),
        sa.Column('platform', _S(length=32), nullable=False),
        sa.Column('organisation_id', sa.Uuid(), nullable=False),
        sa.Column('organisation_name', _S(length=200), nullable=False),
        sa.Column('region_code', _S(length=6), nullable=False),
        sa.Column('action', _S(length=16), nullable=False),
        sa.Column('merge_into_id', sa.Uuid(), nullable=True),
        sa.Column('merge_into_name', _S(length=200), nullable=True),
        sa.Column('note', _S(length=1000), nullable=True),
        sa.Column('status', _S(length=16), nullable=False),
        sa.Column('decided_by', _S(length=200), nullable=False),
        sa.Column('decided_at', _T(timezone=True), nullable=False),
        sa.Column('confirmed_by', _S(length=200), nullable=True),
        sa.Column('confirmed_at', _T(timezone=True), nullable=True),
        sa.Column('filing_id', sa.Uuid(), nullable=True),
        sa.PrimaryKeyConstraint('id'))
    for column in ('account_id', 'organisation_id', 'region_code', 'status'):
        op.create_index(f'ix_consolidation_decision_{column}', 'consolidation_decision', [column])


def downgrade() -> None:
    op.drop_table('consolidation_decision')
