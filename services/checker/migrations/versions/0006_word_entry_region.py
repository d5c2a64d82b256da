"""Word entries carry the region they apply to (100000: national)

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0006'
down_revision: str | None = '0005'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Entries made before regions existed were added by whoever could then add them; they keep
    # applying everywhere, as before, and a national administrator reviews them.
    with op.batch_alter_table("word_entry") as batch:
        batch.add_column(sa.Column("region_code", sa.String(length=6), nullable=False,
                                   server_default="100000"))
        batch.drop_constraint("uq_word_entry_list_wrong", type_="unique")
        batch.create_unique_constraint("uq_word_entry_list_region_wrong",
                                       ["list_name", "region_code", "wrong"])


def downgrade() -> None:
    with op.batch_alter_table("word_entry") as batch:
        batch.drop_constraint("uq_word_entry_list_region_wrong", type_="unique")
        batch.create_unique_constraint("uq_word_entry_list_wrong", ["list_name", "wrong"])
        batch.drop_column("region_code")
