"""usage_log_offsets: how far nginx's views log of the static export has been counted

Revision ID: 0009_usage_log_offsets
Revises: 0008_kiosk_content_refused
Create Date: 2026-11-30
"""
from alembic import op
import sqlalchemy as sa

revision = "0009_usage_log_offsets"
down_revision = "0008_kiosk_content_refused"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "usage_log_offsets",
        sa.Column("source", sa.String(400), primary_key=True),
        sa.Column("inode", sa.BigInteger, nullable=False),
        sa.Column("position", sa.BigInteger, nullable=False),
        sa.Column("head", sa.String(64), nullable=False, server_default=""),
    )


def downgrade() -> None:
    op.drop_table("usage_log_offsets")
