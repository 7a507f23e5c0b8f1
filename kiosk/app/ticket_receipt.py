"""The printed queue ticket (取号小票): number, service, people waiting, time, masked holder, hotline."""
from __future__ import annotations

from hardware.printer import Receipt
from kiosk.app.controllers.tickets import Ticket


def ticket_receipt(ticket: Ticket) -> Receipt:
    r = Receipt()
    r.text(ticket.hall_name, align="center", bold=True)
    r.text("排队号", align="center")
    r.title(ticket.number)
    r.text(ticket.queue.name, align="center", bold=True)
    r.separator()
    for label, value in ticket.lines()[1:]:
        r.row(label, value)
    r.separator()
    r.text("请留意叫号，过号请重新取号。", align="center")
    r.text("本票当日有效", align="center")
    r.cut()
    return r
