"""repost_copy: reporting's copy of repost task results (repost.checked), for the circular

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import shared.db

revision: str = '0007'
down_revision: str | None = '0006'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_S = sqlmodel.sql.sqltypes.AutoString
_T = shared.db.UTCDateTime


def upgrade() -> None:
    op.create_table('repost_copy',
    sa.Column('task_id', sa.Uuid(), nullable=False),
    sa.Column('target_id', sa.Uuid(), nullable=False),
    sa.Column('title', _S(length=300), nullable=False),
    sa.Column('published_on', sa.Date(), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('target_type', _S(length=16), nullable=False),
    sa.Column('target_code', _S(length=200), nullable=False),
    sa.Column('target_name', _S(length=300), nullable=False),
    sa.Column('organisation_id', sa.Uuid(), nullable=False),
    sa.Column('organisation_name', _S(length=300), nullable=False),
    sa.Column('region_code', _S(length=12), nullable=False),
    sa.Column('found_url', _S(length=2000), nullable=True),
    sa.Column('found_published_at', _T(timezone=True), nullable=True),
    sa.Column('received_at', _T(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('task_id', 'target_id')
    )
    with op.batch_alter_table('repost_copy', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_repost_copy_published_on'), ['published_on'], unique=False)
        batch_op.create_index(batch_op.f('ix_repost_copy_organisation_id'), ['organisation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_repost_copy_region_code'), ['region_code'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('repost_copy', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_repost_copy_region_code'))
        batch_op.drop_index(batch_op.f('ix_repost_copy_organisation_id'))
        batch_op.drop_index(batch_op.f('ix_repost_copy_published_on'))
    op.drop_table('repost_copy')
