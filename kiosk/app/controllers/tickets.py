"""取号: the queue-ticket flow and the ticket issuer.

Numbers come from a `TicketIssuer`. The embedded default, `SqliteTicketIssuer`,
keeps a per-day, per-queue sequence in the kiosk's SQLite (a branch with one
kiosk); a server-backed issuer can take its place behind the same interface.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace
from typing import Protocol

from kiosk import messages
from kiosk.app.controllers.session import CardHolder
from kiosk.config import Queue  # noqa: F401  (a configured queue; part of this module's interface)
from kiosk.hall_time import HallClock
from kiosk.store import KioskStore


@dataclass(frozen=True)
class IssuedNumber:
    number: str          # "A012"
    waiting: int         # people before this ticket


@dataclass(frozen=True)
class Ticket:
    number: str
    queue: Queue
    waiting: int
    issued_at: dt.datetime
    holder: CardHolder | None   # None once the ticket is finished
    hall_name: str
    hotline: str

    @property
    def time_label(self) -> str:
        return self.issued_at.strftime("%Y-%m-%d %H:%M")

    def lines(self) -> list[tuple[str, str]]:
        """(label, value) rows shown on screen and printed."""
        return [
            ("业务", self.queue.name),
            ("前面等候", f"{self.waiting} 人"),
            ("取号时间", self.time_label),
        ] + ([("姓名", self.holder.masked_name), ("证件号码", self.holder.masked_id)] if self.holder else []) + [
            ("咨询电话", self.hotline),
        ]


class TicketIssuer(Protocol):
    def issue(self, queue: Queue, now: dt.datetime) -> IssuedNumber: ...


def format_number(prefix: str, seq: int) -> str:
    return f"{prefix}{seq:03d}"


class SqliteTicketIssuer:
    """Per-day, per-queue numbers in the kiosk's SQLite; no personal data.

    `waiting` is an estimate for a branch with no calling system: the tickets
    of the same queue issued today within the last `window_minutes`.
    """

    def __init__(self, store: KioskStore, window_minutes: int = 30, hall_time: HallClock | None = None) -> None:
        self.store = store
        self.window = dt.timedelta(minutes=window_minutes)
        self.hall_time = hall_time or HallClock()

    def issue(self, queue: Queue, now: dt.datetime) -> IssuedNumber:
        day = self.hall_time.local(now).date().isoformat()  # numbers start again each hall day
        with self.store.transaction() as db:
            (last,) = db.execute("SELECT COALESCE(MAX(seq), 0) FROM ticket_numbers WHERE day=? AND queue=?",
                                 (day, queue.prefix)).fetchone()
            since = (now - self.window).isoformat(timespec="seconds")
            (waiting,) = db.execute(
                "SELECT COUNT(*) FROM ticket_numbers WHERE day=? AND queue=? AND issued_at>=?",
                (day, queue.prefix, since)).fetchone()
            seq = last + 1
            db.execute("INSERT INTO ticket_numbers (day, queue, seq, issued_at) VALUES (?,?,?,?)",
                       (day, queue.prefix, seq, now.isoformat(timespec="seconds")))
        return IssuedNumber(format_number(queue.prefix, seq), waiting)


# Flow states
NEED_CARD, READING, CHOOSE, PRINTING, DONE, FAILED = "need_card", "reading", "choose", "printing", "done", "failed"


@dataclass
class TicketFlow:
    """取号 step by step: card -> service -> print. Holds only masked data."""

    issuer: TicketIssuer
    queues: list[Queue]
    hall_name: str
    hotline: str
    state: str = NEED_CARD
    holder: CardHolder | None = None
    ticket: Ticket | None = None
    message: str = "请将身份证放在读卡区"
    history: list[str] = field(default_factory=list)
    hall_time: HallClock = field(default_factory=HallClock)   # the printed time is hall time

    def _go(self, state: str, message: str) -> None:
        self.state, self.message = state, message
        self.history.append(state)

    def start(self) -> None:
        self.holder = None
        self.ticket = None
        self._go(READING, "请将身份证放在读卡区")

    def card_read(self, holder: CardHolder) -> None:
        if self.state != READING:
            return
        self.holder = holder
        self._go(CHOOSE, "请选择要办理的业务")

    def card_failed(self, message: str) -> None:
        if self.state != READING:
            return
        self._go(FAILED, message)

    def choose(self, queue: Queue, now: dt.datetime | None = None) -> Ticket:
        if self.state != CHOOSE or self.holder is None:
            raise RuntimeError("choose a service only after the card was read")
        now = self.hall_time.local(now) if now else self.hall_time.now()
        issued = self.issuer.issue(queue, now)
        self.ticket = Ticket(issued.number, queue, issued.waiting, now, self.holder,
                             self.hall_name, self.hotline)
        self._go(PRINTING, "正在打印排队号，请稍候")
        return self.ticket

    def printed(self) -> None:
        if self.state == PRINTING:
            self._go(DONE, messages.TICKET_PRINTED)

    def print_failed(self, message: str) -> None:
        if self.state == PRINTING:
            self._go(FAILED, message)

    def not_issued(self, message: str) -> None:
        """The printer cannot print: no number is taken from the sequence."""
        if self.state == CHOOSE:
            self._go(FAILED, message)

    def forget_holder(self) -> None:
        """After a finished ticket: the number stays on screen, the holder goes."""
        self.holder = None
        if self.ticket is not None:
            self.ticket = replace(self.ticket, holder=None)

    def wipe(self) -> None:
        self.holder = None
        self.ticket = None
        self.state = NEED_CARD
        self.message = "请将身份证放在读卡区"


def queues_from_categories(categories) -> list[Queue]:
    """One queue per content category, lettered A, B, C … (when config names none)."""
    letters = "ABCDEFGHJKLMNPQRSTUVWXYZ"  # no I or O: they look like 1 and 0 on a ticket
    return [Queue(letters[i], c.name, c.description or "") for i, c in enumerate(categories[:len(letters)])]
