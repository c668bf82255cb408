"""book.pages: NOT NULL with a server default, on the indexed table

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("book", sa.Column("pages", sa.Integer, server_default="0", nullable=False))


def downgrade() -> None:
    op.drop_column("book", "pages")
