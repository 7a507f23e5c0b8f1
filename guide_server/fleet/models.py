"""Tables of the kiosk fleet (alembic revision 0003): kiosks, enrollment codes, kiosk events,
hall ticket counters and issued tickets. No Flask import.

Nothing personal is stored: a kiosk's token and an enrollment code are kept only as
SHA-256 hashes; events hold no name, ID number or photo (the service rejects them).
"""
from __future__ import annotations

import datetime as dt

from sqlalchemy import DateTime, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from guide_server.db import Base


class Kiosk(Base):
    __tablename__ = "kiosks"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(64), nullable=False, unique=True)
    hall: Mapped[str] = mapped_column(String(100), nullable=False)
    tag: Mapped[str] = mapped_column(String(8), nullable=False)          # "K3": prefix of offline tickets
    token_hash: Mapped[str | None] = mapped_column(String(64), nullable=True)
    created: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    enrolled_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    last_seen: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    release_number: Mapped[int | None] = mapped_column(Integer, nullable=True)
    app_version: Mapped[str] = mapped_column(String(40), nullable=False, default="")
    uptime_s: Mapped[int | None] = mapped_column(Integer, nullable=True)
    disk_free_mb: Mapped[int | None] = mapped_column(Integer, nullable=True)
    outbox_backlog: Mapped[int | None] = mapped_column(Integer, nullable=True)
    backlog_trend: Mapped[str] = mapped_column(String(120), nullable=False, default="")  # "3,5,9"
    printer_state: Mapped[str] = mapped_column(String(20), nullable=False, default="")
    printer_text: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    reader_state: Mapped[str] = mapped_column(String(20), nullable=False, default="")
    reader_text: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    offline_since: Mapped[str] = mapped_column(String(40), nullable=False, default="")  # kiosk's own view
    # why the kiosk keeps an older release (a content format it does not read), "" when it does not
    content_refused: Mapped[str] = mapped_column(String(400), nullable=False, default="")
    hardware: Mapped[str] = mapped_column(Text, nullable=False, default="")             # JSON, from provision

    __table_args__ = (UniqueConstraint("hall", "tag", name="uq_kiosks_hall_tag"),)


class EnrollmentCode(Base):
    __tablename__ = "kiosk_enrollments"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code_hash: Mapped[str] = mapped_column(String(64), nullable=False, unique=True)
    kiosk_name: Mapped[str] = mapped_column(String(64), nullable=False)
    hall: Mapped[str] = mapped_column(String(100), nullable=False)
    created: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    expires_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    used_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class KioskEvent(Base):
    """One event from a kiosk's outbox, stored once per (kiosk, idempotency key)."""

    __tablename__ = "kiosk_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kiosk_id: Mapped[int] = mapped_column(ForeignKey("kiosks.id"), nullable=False)
    key: Mapped[str] = mapped_column(String(64), nullable=False)
    kind: Mapped[str] = mapped_column(String(16), nullable=False)
    occurred_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    received_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    data: Mapped[str] = mapped_column(Text, nullable=False, default="{}")

    __table_args__ = (UniqueConstraint("kiosk_id", "key", name="uq_kiosk_events_key"),
                      Index("ix_kiosk_events_kind_occurred", "kind", "occurred_at"))


class TicketCounter(Base):
    """The last queue number handed out per hall, queue and day."""

    __tablename__ = "ticket_counters"

    hall: Mapped[str] = mapped_column(String(100), primary_key=True)
    queue: Mapped[str] = mapped_column(String(4), primary_key=True)
    day: Mapped[str] = mapped_column(String(10), primary_key=True)
    last_seq: Mapped[int] = mapped_column(Integer, nullable=False, default=0)


class IssuedTicket(Base):
    """A queue ticket: issued by the server (source "server") or, while the server was
    unreachable, by a kiosk's own prefixed sequence and reported later (source "local")."""

    __tablename__ = "issued_tickets"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    hall: Mapped[str] = mapped_column(String(100), nullable=False)
    day: Mapped[str] = mapped_column(String(10), nullable=False)
    queue: Mapped[str] = mapped_column(String(4), nullable=False)
    number: Mapped[str] = mapped_column(String(20), nullable=False)
    source: Mapped[str] = mapped_column(String(8), nullable=False)
    kiosk_id: Mapped[int] = mapped_column(ForeignKey("kiosks.id"), nullable=False)
    request_key: Mapped[str] = mapped_column(String(64), nullable=False)
    issued_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), nullable=False)

    __table_args__ = (UniqueConstraint("kiosk_id", "request_key", name="uq_issued_tickets_request"),
                      UniqueConstraint("hall", "day", "number", name="uq_issued_tickets_number"),
                      Index("ix_issued_tickets_hall_day_queue", "hall", "day", "queue", "issued_at"))
