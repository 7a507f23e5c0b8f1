"""kiosks.content_refused: why a kiosk keeps an older release (a content format it does not read)

Revision ID: 0008_kiosk_content_refused
Revises: 0007_rating_followup
Create Date: 2026-11-30
"""
from alembic import op
import sqlalchemy as sa

revision = "0008_kiosk_content_refused"
down_revision = "0007_rating_followup"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("kiosks") as b:
        b.add_column(sa.Column("content_refused", sa.String(400), nullable=False, server_default=""))


def downgrade() -> None:
    with op.batch_alter_table("kiosks") as b:
        b.drop_column("content_refused")
