"""unit view: attachments, disputes of findings, practice write-ups and their versions

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import shared.db

revision: str = '0005'
down_revision: str | None = '0004'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_S = sqlmodel.sql.sqltypes.AutoString
_T = shared.db.UTCDateTime


def upgrade() -> None:
    op.create_table(
        'attachment',
        sa.Column('id', sa.Uuid(), nullable=False),
        sa.Column('subject_type', _S(length=16), nullable=False),
        sa.Column('subject_id', sa.Uuid(), nullable=False),
        sa.Column('organisation_id', sa.Uuid(), nullable=False),
        sa.Column('region_code', _S(length=6), nullable=False),
        sa.Column('filename', _S(length=200), nullable=False),
        sa.Column('media_type', _S(length=64), nullable=False),
        sa.Column('size', sa.Integer(), nullable=False),
        sa.Column('sha256', _S(length=64), nullable=False),
        sa.Column('content', sa.LargeBinary(), nullable=False),
        sa.Column('uploaded_by', _S(length=200), nullable=False),
        sa.Column('uploaded_at', _T(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('id'))
    for column in ('subject_id', 'organisation_id', 'region_code'):
        op.create_index(f'ix_attachment_{column}', 'attachment', [column])
    op.create_table(
        'dispute',
        sa.Column('id', sa.Uuid(), nullable=False),
        sa.Column('finding_id', sa.Uuid(), nullable=False),
        sa.Column('target_id', sa.Uuid(), nullable=False),
        sa.Column('target_type', _S(length=16), nullable=False),
        sa.Column('target_code', _S(length=64), nullable=False),
        sa.Column('target_name', _S(length=200), nullable=False),
        sa.Column('organisation_id', sa.Uuid(), nullable=False),
        sa.Column('organisation_name', _S(length=200), nullable=False),
        sa.Column('region_code', _S(length=6), nullable=False),
        sa.Column('rule', _S(length=64), nullable=False),
        sa.Column('indicator', _S(length=100), nullable=False),
        sa.Column('message', _S(length=2000), nullable=False),
        sa.Column('kind', _S(length=16), nullable=False),
        sa.Column('reason', _S(length=2000), nullable=False),
        sa.Column('status', _S(length=16), nullable=False),
        sa.Column('raised_by', _S(length=200), nullable=False),
        sa.Column('raised_at', _T(timezone=True), nullable=False),
        sa.Column('decided_by', _S(length=200), nullable=True),
        sa.Column('decided_at', _T(timezone=True), nullable=True),
        sa.Column('decision_note', _S(length=1000), nullable=True),
        sa.PrimaryKeyConstraint('id'))
    for column in ('finding_id', 'organisation_id', 'region_code', 'status'):
        op.create_index(f'ix_dispute_{column}', 'dispute', [column])
    op.create_index('uq_dispute_pending_finding', 'dispute', ['finding_id'], unique=True,
                    sqlite_where=sa.text("status = 'pending'"),
                    postgresql_where=sa.text("status = 'pending'"))
    op.create_table(
        'practice',
        sa.Column('id', sa.Uuid(), nullable=False),
        sa.Column('organisation_id', sa.Uuid(), nullable=False),
        sa.Column('organisation_name', _S(length=200), nullable=False),
        sa.Column('region_code', _S(length=6), nullable=False),
        sa.Column('title', _S(length=100), nullable=False),
        sa.Column('text', sa.Text(), nullable=False),
        sa.Column('links', sa.JSON(), nullable=False),
        sa.Column('images', sa.JSON(), nullable=False),
        sa.Column('status', _S(length=16), nullable=False),
        sa.Column('circular_id', sa.Uuid(), nullable=True),
        sa.Column('position', sa.Integer(), nullable=True),
        sa.Column('decision_note', _S(length=1000), nullable=True),
        sa.Column('submitted_by', _S(length=200), nullable=False),
        sa.Column('submitted_at', _T(timezone=True), nullable=False),
        sa.Column('updated_at', _T(timezone=True), nullable=False),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['circular_id'], ['circular.id']),
        sa.PrimaryKeyConstraint('id'))
    for column in ('organisation_id', 'region_code', 'status', 'circular_id'):
        op.create_index(f'ix_practice_{column}', 'practice', [column])
    op.create_table(
        'practice_version',
        sa.Column('id', sa.Uuid(), nullable=False),
        sa.Column('practice_id', sa.Uuid(), nullable=False),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.Column('title', _S(length=100), nullable=False),
        sa.Column('text', sa.Text(), nullable=False),
        sa.Column('links', sa.JSON(), nullable=False),
        sa.Column('images', sa.JSON(), nullable=False),
        sa.Column('edited_by', _S(length=200), nullable=False),
        sa.Column('edited_as', _S(length=16), nullable=False),
        sa.Column('edited_at', _T(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['practice_id'], ['practice.id']),
        sa.PrimaryKeyConstraint('id'))
    op.create_index('ix_practice_version_practice_id', 'practice_version', ['practice_id'])


def downgrade() -> None:
    op.drop_table('practice_version')
    op.drop_table('practice')
    op.drop_table('dispute')
    op.drop_table('attachment')
