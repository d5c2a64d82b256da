"""account posts: posts pushed for government new-media accounts

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22 06:55:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import shared.db

revision: str = '0003'
down_revision: str | None = '0002'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('account_posts',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('account_id', sa.Uuid(), nullable=False),
    sa.Column('platform_post_id', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('title', sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('published_at', shared.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('url', sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=True),
    sa.Column('comments', sa.JSON(), nullable=False),
    sa.Column('pushed_by', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('received_at', shared.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', shared.db.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('account_id', 'platform_post_id', name='uq_account_posts_account_post')
    )
    with op.batch_alter_table('account_posts', schema=None) as batch_op:
        batch_op.create_index('ix_account_posts_account_published', ['account_id', 'published_at'],
                              unique=False)


def downgrade() -> None:
    with op.batch_alter_table('account_posts', schema=None) as batch_op:
        batch_op.drop_index('ix_account_posts_account_published')
    op.drop_table('account_posts')
