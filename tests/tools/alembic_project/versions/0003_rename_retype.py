"""rename author.name to full_name (an indexed column), widen book.pages to BIGINT

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.alter_column("author", "name", new_column_name="full_name")
    op.alter_column("book", "pages", type_=sa.BigInteger, existing_type=sa.Integer, existing_nullable=False)


def downgrade() -> None:
    op.alter_column("book", "pages", type_=sa.Integer, existing_type=sa.BigInteger, existing_nullable=False)
    op.alter_column("author", "full_name", new_column_name="name")
