"""drop author.nickname

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_column("author", "nickname")


def downgrade() -> None:
    op.add_column("author", sa.Column("nickname", sa.String(40)))
