"""filing scope: each filing names its target's sponsor (and an account's operator), so the
list of filings is scoped and paged in SQL

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-07 07:45:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0006'
down_revision: str | None = '0005'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('filing', schema=None) as batch_op:
        batch_op.add_column(sa.Column('organisation_id', sa.Uuid(), nullable=True))
        batch_op.add_column(sa.Column('operator_id', sa.Uuid(), nullable=True))
    # Existing filings take the scope their target has now (what the list judged them by so far).
    op.execute("UPDATE filing SET organisation_id = (SELECT website.organisation_id FROM website"
               " WHERE website.id = filing.target_id) WHERE target_type = 'website'")
    op.execute("UPDATE filing SET organisation_id = (SELECT account.sponsor_id FROM account"
               " WHERE account.id = filing.target_id),"
               " operator_id = (SELECT account.operator_id FROM account"
               " WHERE account.id = filing.target_id) WHERE target_type = 'account'")
    with op.batch_alter_table('filing', schema=None) as batch_op:
        batch_op.alter_column('organisation_id', existing_type=sa.Uuid(), nullable=False)
        batch_op.create_index('ix_filing_organisation_id', ['organisation_id'], unique=False)
        batch_op.create_index('ix_filing_operator_id', ['operator_id'], unique=False)
        batch_op.create_foreign_key('fk_filing_organisation_id', 'organisation',
                                    ['organisation_id'], ['id'])
        batch_op.create_foreign_key('fk_filing_operator_id', 'organisation',
                                    ['operator_id'], ['id'])


def downgrade() -> None:
    with op.batch_alter_table('filing', schema=None) as batch_op:
        batch_op.drop_constraint('fk_filing_operator_id', type_='foreignkey')
        batch_op.drop_constraint('fk_filing_organisation_id', type_='foreignkey')
        batch_op.drop_index('ix_filing_operator_id')
        batch_op.drop_index('ix_filing_organisation_id')
        batch_op.drop_column('operator_id')
        batch_op.drop_column('organisation_id')
