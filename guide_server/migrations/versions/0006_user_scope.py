"""users.scope: the region or hall a user may change ("" = everything)

Revision ID: 0006_user_scope
Revises: 0005_security
Create Date: 2026-11-30
"""
from alembic import op
import sqlalchemy as sa

revision = "0006_user_scope"
down_revision = "0005_security"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("scope", sa.String(40), nullable=False, server_default=""))


def downgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.drop_column("scope")
