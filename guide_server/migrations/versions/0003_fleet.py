"""kiosk fleet: kiosks, enrollment codes, kiosk events, ticket counters, issued tickets

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23
"""
from alembic import op
import sqlalchemy as sa

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "kiosks",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(64), nullable=False),
        sa.Column("hall", sa.String(100), nullable=False),
        sa.Column("tag", sa.String(8), nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=True),
        sa.Column("created", TS, nullable=False),
        sa.Column("enrolled_at", TS, nullable=True),
        sa.Column("revoked_at", TS, nullable=True),
        sa.Column("last_seen", TS, nullable=True),
        sa.Column("release_number", sa.Integer, nullable=True),
        sa.Column("app_version", sa.String(40), nullable=False, server_default=""),
        sa.Column("uptime_s", sa.Integer, nullable=True),
        sa.Column("disk_free_mb", sa.Integer, nullable=True),
        sa.Column("outbox_backlog", sa.Integer, nullable=True),
        sa.Column("backlog_trend", sa.String(120), nullable=False, server_default=""),
        sa.Column("printer_state", sa.String(20), nullable=False, server_default=""),
        sa.Column("printer_text", sa.String(200), nullable=False, server_default=""),
        sa.Column("reader_state", sa.String(20), nullable=False, server_default=""),
        sa.Column("reader_text", sa.String(200), nullable=False, server_default=""),
        sa.Column("offline_since", sa.String(40), nullable=False, server_default=""),
        sa.Column("hardware", sa.Text, nullable=False, server_default=""),
        sa.UniqueConstraint("name", name="uq_kiosks_name"),
        sa.UniqueConstraint("hall", "tag", name="uq_kiosks_hall_tag"),
    )
    op.create_table(
        "kiosk_enrollments",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("code_hash", sa.String(64), nullable=False),
        sa.Column("kiosk_name", sa.String(64), nullable=False),
        sa.Column("hall", sa.String(100), nullable=False),
        sa.Column("created", TS, nullable=False),
        sa.Column("expires_at", TS, nullable=False),
        sa.Column("used_at", TS, nullable=True),
        sa.UniqueConstraint("code_hash", name="uq_kiosk_enrollments_code"),
    )
    op.create_table(
        "kiosk_events",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("kiosk_id", sa.Integer, sa.ForeignKey("kiosks.id"), nullable=False),
        sa.Column("key", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("occurred_at", TS, nullable=False),
        sa.Column("received_at", TS, nullable=False),
        sa.Column("data", sa.Text, nullable=False, server_default="{}"),
        sa.UniqueConstraint("kiosk_id", "key", name="uq_kiosk_events_key"),
    )
    op.create_index("ix_kiosk_events_kind_occurred", "kiosk_events", ["kind", "occurred_at"])
    op.create_table(
        "ticket_counters",
        sa.Column("hall", sa.String(100), primary_key=True),
        sa.Column("queue", sa.String(4), primary_key=True),
        sa.Column("day", sa.String(10), primary_key=True),
        sa.Column("last_seq", sa.Integer, nullable=False, server_default="0"),
    )
    op.create_table(
        "issued_tickets",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("hall", sa.String(100), nullable=False),
        sa.Column("day", sa.String(10), nullable=False),
        sa.Column("queue", sa.String(4), nullable=False),
        sa.Column("number", sa.String(20), nullable=False),
        sa.Column("source", sa.String(8), nullable=False),
        sa.Column("kiosk_id", sa.Integer, sa.ForeignKey("kiosks.id"), nullable=False),
        sa.Column("request_key", sa.String(64), nullable=False),
        sa.Column("issued_at", TS, nullable=False),
        sa.UniqueConstraint("kiosk_id", "request_key", name="uq_issued_tickets_request"),
        sa.UniqueConstraint("hall", "day", "number", name="uq_issued_tickets_number"),
    )
    op.create_index("ix_issued_tickets_hall_day_queue", "issued_tickets", ["hall", "day", "queue", "issued_at"])


def downgrade() -> None:
    op.drop_index("ix_issued_tickets_hall_day_queue", "issued_tickets")
    op.drop_table("issued_tickets")
    op.drop_table("ticket_counters")
    op.drop_index("ix_kiosk_events_kind_occurred", "kiosk_events")
    op.drop_table("kiosk_events")
    op.drop_table("kiosk_enrollments")
    op.drop_table("kiosks")
