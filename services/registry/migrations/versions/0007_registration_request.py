"""registration requests (补报备案通知): a supervisor asks a unit to file a discovered account
or site; closed by the unit's filing or withdrawn by the supervisor

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-07 08:50:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from shared.db import UTCDateTime

revision: str = '0007'
down_revision: str | None = '0006'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'registration_request',
        sa.Column('id', sa.Uuid(), nullable=False),
        sa.Column('kind', sa.String(length=16), nullable=False),
        sa.Column('organisation_id', sa.Uuid(), nullable=False),
        sa.Column('region_code', sa.String(length=6), nullable=False),
        sa.Column('platform', sa.String(length=32), nullable=True),
        sa.Column('platform_account_id', sa.String(length=200), nullable=True),
        sa.Column('name', sa.String(length=200), nullable=False),
        sa.Column('domain', sa.String(length=253), nullable=True),
        sa.Column('url', sa.String(length=2048), nullable=True),
        sa.Column('seen_on', sa.JSON(), nullable=False),
        sa.Column('finding_id', sa.Uuid(), nullable=True),
        sa.Column('note', sa.String(length=2000), nullable=True),
        sa.Column('status', sa.String(length=16), nullable=False),
        sa.Column('requested_by', sa.String(length=200), nullable=False),
        sa.Column('closed_by', sa.String(length=200), nullable=True),
        sa.Column('closing_note', sa.String(length=2000), nullable=True),
        sa.Column('filed_target_id', sa.Uuid(), nullable=True),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.Column('created_at', UTCDateTime(timezone=True), nullable=False),
        sa.Column('closed_at', UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    with op.batch_alter_table('registration_request', schema=None) as batch_op:
        batch_op.create_index('ix_registration_request_organisation_id', ['organisation_id'])
        batch_op.create_index('ix_registration_request_region_code', ['region_code'])
        batch_op.create_index('ix_registration_request_domain', ['domain'])
        batch_op.create_index('ix_registration_request_status', ['status'])


def downgrade() -> None:
    op.drop_table('registration_request')
