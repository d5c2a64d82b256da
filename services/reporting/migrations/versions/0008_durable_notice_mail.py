"""notice: e-mails written as pending with the claim, retried a bounded number of times

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-07
"""

import uuid
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import shared.db

revision: str = '0008'
down_revision: str | None = '0007'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('notice', schema=None) as batch_op:
        batch_op.add_column(sa.Column('attempts', sa.Integer(), nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('next_attempt_at', shared.db.UTCDateTime(timezone=True),
                                      nullable=True))
        batch_op.create_index(batch_op.f('ix_notice_status'), ['status'], unique=False)
    # A callback whose e-mail was still to go becomes that e-mail, pending (one per item).
    notice = sa.table(
        'notice', sa.column('id', sa.Uuid()), sa.column('kind', sa.String()),
        sa.column('channel', sa.String()), sa.column('organisation_id', sa.Uuid()),
        sa.column('organisation_name', sa.String()), sa.column('region_code', sa.String()),
        sa.column('circular_id', sa.Uuid()), sa.column('deadline_at', shared.db.UTCDateTime()),
        sa.column('item_ids', sa.JSON()), sa.column('recipients', sa.JSON()),
        sa.column('status', sa.String()), sa.column('mail_state', sa.String()),
        sa.column('attempts', sa.Integer()), sa.column('created_at', shared.db.UTCDateTime()))
    bind = op.get_bind()
    waiting = bind.execute(sa.select(
        notice.c.kind, notice.c.organisation_id, notice.c.organisation_name, notice.c.region_code,
        notice.c.circular_id, notice.c.deadline_at, notice.c.item_ids, notice.c.created_at,
    ).where(notice.c.channel == 'callback', notice.c.mail_state == 'pending')).mappings().all()
    if waiting:
        op.bulk_insert(notice, [{**row, 'id': uuid.uuid4(), 'channel': 'email', 'recipients': [],
                                 'status': 'pending', 'mail_state': 'none', 'attempts': 0}
                                for row in waiting])
    with op.batch_alter_table('notice', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_notice_mail_state'))
        batch_op.drop_column('mail_state')


def downgrade() -> None:
    with op.batch_alter_table('notice', schema=None) as batch_op:
        batch_op.add_column(sa.Column('mail_state', sa.String(length=16), nullable=False,
                                      server_default='none'))
        batch_op.create_index(batch_op.f('ix_notice_mail_state'), ['mail_state'], unique=False)
        batch_op.drop_index(batch_op.f('ix_notice_status'))
        batch_op.drop_column('next_attempt_at')
        batch_op.drop_column('attempts')
