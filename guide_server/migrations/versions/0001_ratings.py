"""ratings table (好差评)

Revision ID: 0001
Revises:
Create Date: 2026-11-22
"""
from alembic import op
import sqlalchemy as sa

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "ratings",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("guide_code", sa.String(40), nullable=False),
        sa.Column("release_number", sa.Integer, nullable=True),
        sa.Column("level", sa.SmallInteger, nullable=False),
        sa.Column("reasons", sa.String(200), nullable=False, server_default=""),
        sa.Column("comment", sa.String(200), nullable=True),
        sa.Column("channel", sa.String(16), nullable=False, server_default="web"),
        sa.Column("client", sa.String(20), nullable=False),
        sa.Column("created", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_ratings_guide_code", "ratings", ["guide_code"])
    op.create_index("ix_ratings_client_created", "ratings", ["client", "created"])


def downgrade() -> None:
    op.drop_index("ix_ratings_client_created", "ratings")
    op.drop_index("ix_ratings_guide_code", "ratings")
    op.drop_table("ratings")
