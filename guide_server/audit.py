"""The append-only audit log (table `audit_log`, alembic revision 0004): who did what, when.

Shared by the guide editor (saves, reviews, publishing) and the 好差评 follow-up (every case
transition). The database refuses UPDATE and DELETE on the table (triggers), so an entry, once
written, stays. Entries never hold personal data: callers check the text they log. No Flask import.
"""
from __future__ import annotations

import datetime as dt

from sqlalchemy import DateTime, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from guide_server.db import Base


class AuditEntry(Base):
    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    user_name: Mapped[str] = mapped_column(String(40), nullable=False)
    action: Mapped[str] = mapped_column(String(20), nullable=False)
    code: Mapped[str | None] = mapped_column(String(40), nullable=True)
    detail: Mapped[str] = mapped_column(Text, nullable=False, default="")
    diff: Mapped[str] = mapped_column(Text, nullable=False, default="")


def append(s, user: str, action: str, code: str | None, detail: str = "", diff: str = "",
           at: dt.datetime | None = None) -> AuditEntry:
    """Add one entry in the caller's transaction (`s`, an SQLAlchemy session)."""
    entry = AuditEntry(at=at or dt.datetime.now(dt.timezone.utc), user_name=user, action=action, code=code,
                       detail=detail, diff=diff)
    s.add(entry)
    return entry
