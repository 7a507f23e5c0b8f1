"""Tables of the 好差评 follow-up and figures (alembic revision 0005). No Flask import.

- `rating_cases`: one per 差评: state, the due date of each step, what was rectified (public);
- `rating_contacts`: the encrypted contact of a 实名差评, deleted when its case closes;
- `case_settings`: per hall, the working days each step may take;
- `rating_rollup`: ratings counted per month and hall along each dimension the figures use —
  guide, department, channel — with the total, the satisfied, the 差评 and each level; kept in
  step with `ratings` in the same transaction (the dashboard and /pingjia read it). Its size
  follows guides × halls × months, not the number of ratings;
- `usage_counts` (guide_server/usage.py) holds the usage figures.
"""
from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, Date, DateTime, ForeignKey, Index, Integer, SmallInteger, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from guide_server.db import Base


class RatingCase(Base):
    __tablename__ = "rating_cases"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    rating_id: Mapped[int] = mapped_column(ForeignKey("ratings.id"), nullable=False, unique=True)
    hall: Mapped[str] = mapped_column(String(100), nullable=False, default="")
    guide_code: Mapped[str] = mapped_column(String(40), nullable=False, default="")
    department: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    channel: Mapped[str] = mapped_column(String(16), nullable=False)
    level: Mapped[int] = mapped_column(SmallInteger, nullable=False)
    state: Mapped[str] = mapped_column(String(16), nullable=False)
    named: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)   # 实名差评: a contact was left
    opened_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    verify_due: Mapped[dt.date] = mapped_column(Date, nullable=False)
    rectify_due: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    callback_due: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    rectified_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    closed_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    rectification: Mapped[str] = mapped_column(Text, nullable=False, default="")  # published on /pingjia
    appeal_from: Mapped[str | None] = mapped_column(String(16), nullable=True)
    appeal_by: Mapped[str | None] = mapped_column(String(40), nullable=True)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), nullable=False)

    __table_args__ = (Index("ix_rating_cases_state", "state", "hall"),
                      Index("ix_rating_cases_open", "closed_at", "state", "verify_due", "rectify_due", "callback_due",
                            "named", "hall"))


class RatingContact(Base):
    __tablename__ = "rating_contacts"

    case_id: Mapped[int] = mapped_column(ForeignKey("rating_cases.id"), primary_key=True)
    masked: Mapped[str] = mapped_column(String(20), nullable=False)       # 138****5678
    sealed: Mapped[str] = mapped_column(Text, nullable=False)             # Fernet token of the digits
    created: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), nullable=False)


class CaseSettings(Base):
    __tablename__ = "case_settings"

    hall: Mapped[str] = mapped_column(String(100), primary_key=True)
    verify_days: Mapped[int] = mapped_column(SmallInteger, nullable=False)
    rectify_days: Mapped[int] = mapped_column(SmallInteger, nullable=False)
    callback_days: Mapped[int] = mapped_column(SmallInteger, nullable=False)   # after the 整改 deadline
    updated_by: Mapped[str] = mapped_column(String(40), nullable=False)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), nullable=False)


class RatingRollup(Base):
    __tablename__ = "rating_rollup"

    dim: Mapped[str] = mapped_column(String(10), primary_key=True)     # guide, department, channel
    month: Mapped[str] = mapped_column(String(7), primary_key=True)    # 2026-10 (Beijing time)
    hall: Mapped[str] = mapped_column(String(100), primary_key=True)
    key: Mapped[str] = mapped_column(String(200), primary_key=True)    # the guide code ("" = a ticket), ...
    total: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    satisfied: Mapped[int] = mapped_column(Integer, nullable=False, default=0)   # 非常满意 + 满意 + 基本满意
    bad: Mapped[int] = mapped_column(Integer, nullable=False, default=0)         # 不满意 + 非常不满意
    l1: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    l2: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    l3: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    l4: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    l5: Mapped[int] = mapped_column(Integer, nullable=False, default=0)

    __table_args__ = {"sqlite_with_rowid": False}


DIMS = ("guide", "department", "channel")
