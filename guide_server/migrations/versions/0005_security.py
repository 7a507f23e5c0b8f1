"""server-side admin sessions, atomic login throttle, publish intents, one-time rating form tokens

Revision ID: 0005_security
Revises: 0004
Create Date: 2026-11-30
"""
from alembic import op
import sqlalchemy as sa

revision = "0005_security"
down_revision = "0004"
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "admin_sessions",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column("user_id", sa.Integer, nullable=False),
        sa.Column("epoch", sa.Integer, nullable=False),
        sa.Column("created", TS, nullable=False),
        sa.Column("expires", TS, nullable=False),
        sa.UniqueConstraint("token_hash", name="uq_admin_sessions_token_hash"),
    )
    op.create_index("ix_admin_sessions_user_id", "admin_sessions", ["user_id"])
    # one row per client, counted up atomically (the rows of login_failures were counted, then
    # inserted: parallel attempts all saw the same count)
    op.create_table(
        "login_throttle",
        sa.Column("client", sa.String(20), primary_key=True),
        sa.Column("window_start", TS, nullable=False),
        sa.Column("failures", sa.Integer, nullable=False),
    )
    op.drop_index("ix_login_failures_client_created", "login_failures")
    op.drop_table("login_failures")
    op.create_table(
        "publish_intents",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("created", TS, nullable=False),
        sa.Column("user_name", sa.String(40), nullable=False),
        sa.Column("content_hash", sa.String(64), nullable=False),
        sa.Column("base_number", sa.Integer, nullable=True),
        sa.Column("plan", sa.Text, nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("release_number", sa.Integer, nullable=True),
        sa.Column("finished", TS, nullable=True),
    )
    op.create_index("ix_publish_intents_state", "publish_intents", ["state"])
    op.create_table(
        "rating_form_tokens",
        sa.Column("nonce", sa.String(64), primary_key=True),
        sa.Column("created", TS, nullable=False),
        sa.Column("guide_code", sa.String(40), nullable=False),
    )
    op.create_index("ix_rating_form_tokens_created", "rating_form_tokens", ["created"])


def downgrade() -> None:
    op.drop_index("ix_rating_form_tokens_created", "rating_form_tokens")
    op.drop_table("rating_form_tokens")
    op.drop_index("ix_publish_intents_state", "publish_intents")
    op.drop_table("publish_intents")
    op.drop_table("login_throttle")
    op.create_table(
        "login_failures",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("client", sa.String(20), nullable=False),
        sa.Column("created", TS, nullable=False),
    )
    op.create_index("ix_login_failures_client_created", "login_failures", ["client", "created"])
    op.drop_index("ix_admin_sessions_user_id", "admin_sessions")
    op.drop_table("admin_sessions")
