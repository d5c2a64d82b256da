"""repost_task, repost_result: key-information repost tasks and what inspections found (issue 15 item 1)

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import shared.db

revision: str = '0009'
down_revision: str | None = '0008'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('repost_task',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('external_id', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True),
    sa.Column('title', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
    sa.Column('source_url', sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('published_on', sa.Date(), nullable=False),
    sa.Column('region_code', sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
    sa.Column('scope', sa.JSON(), nullable=False),
    sa.Column('column', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True),
    sa.Column('deadline_working_days', sa.Integer(), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('created_by', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('created_at', shared.db.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('external_id')
    )
    with op.batch_alter_table('repost_task', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_repost_task_region_code'), ['region_code'], unique=False)
    op.create_table('repost_result',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('task_id', sa.Uuid(), nullable=False),
    sa.Column('target_type', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('target_id', sa.Uuid(), nullable=False),
    sa.Column('target_code', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('target_name', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
    sa.Column('organisation_id', sa.Uuid(), nullable=False),
    sa.Column('organisation_name', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
    sa.Column('region_code', sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
    sa.Column('found_url', sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=True),
    sa.Column('found_title', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True),
    sa.Column('found_published_at', shared.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('similarity', sa.Float(), nullable=True),
    sa.Column('in_column', sa.Boolean(), nullable=True),
    sa.Column('run_id', sa.Uuid(), nullable=False),
    sa.Column('checked_at', shared.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['task_id'], ['repost_task.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('task_id', 'target_id')
    )
    with op.batch_alter_table('repost_result', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_repost_result_task_id'), ['task_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_repost_result_organisation_id'), ['organisation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_repost_result_region_code'), ['region_code'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('repost_result', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_repost_result_region_code'))
        batch_op.drop_index(batch_op.f('ix_repost_result_organisation_id'))
        batch_op.drop_index(batch_op.f('ix_repost_result_task_id'))
    op.drop_table('repost_result')
    with op.batch_alter_table('repost_task', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_repost_task_region_code'))
    op.drop_table('repost_task')
