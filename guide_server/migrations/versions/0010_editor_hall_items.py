"""editor_hall_items: a hall's local overrides and own guides as changes in the web editor

Revision ID: 0010_editor_hall_items
Revises: 0009_usage_log_offsets
Create Date: 2026-11-30
"""
from alembic import op
import sqlalchemy as sa

revision = "0010_editor_hall_items"
down_revision = "0009_usage_log_offsets"
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "editor_hall_items",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("hall", sa.String(40), nullable=False),
        sa.Column("kind", sa.String(10), nullable=False),    # override | own
        sa.Column("key", sa.String(64), nullable=False),     # the override's basic_code/code, or the own guide's code
        sa.Column("status", sa.String(16), nullable=False),  # draft, in_review, approved, published
        sa.Column("data", sa.Text, nullable=False),
        sa.Column("base", sa.Text, nullable=False, server_default="null"),
        sa.Column("deleting", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("authors", sa.String(400), nullable=False, server_default=""),
        sa.Column("comment", sa.Text, nullable=True),
        sa.Column("updated", TS, nullable=False),
        sa.Column("updated_by", sa.String(40), nullable=False),
        sa.UniqueConstraint("hall", "kind", "key", name="uq_editor_hall_items"),
    )


def downgrade() -> None:
    op.drop_table("editor_hall_items")
