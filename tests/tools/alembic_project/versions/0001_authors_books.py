"""authors and books: an index on each, a foreign key

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "author",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(80), nullable=False),
        sa.Column("nickname", sa.String(40)),
    )
    op.create_index("ix_author_name", "author", ["name"])
    op.create_table(
        "book",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("author_id", sa.Integer, sa.ForeignKey("author.id", name="fk_book_author"), nullable=False),
    )
    op.create_index("ix_book_title", "book", ["title"])


def downgrade() -> None:
    op.drop_index("ix_book_title", table_name="book")
    op.drop_table("book")
    op.drop_index("ix_author_name", table_name="author")
    op.drop_table("author")
