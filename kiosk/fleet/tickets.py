"""Queue numbers from the guide server for halls with several kiosks.

`ServerTicketIssuer` implements the kiosk's TicketIssuer (kiosk.app.controllers.tickets): it asks
the server for the hall's next number of the queue (unique per hall, queue and day). When the
server cannot be reached within a few seconds it falls back to this kiosk's own sequence,
prefixed with the kiosk's tag so it cannot collide with anyone's ("K2-A007"). Every ticket is
also recorded in the outbox; the server reconciles the local ones into the hall's day when
they arrive. No personal data goes anywhere: a ticket event is number, queue, day and source.
"""
from __future__ import annotations

import datetime as dt
import logging
import uuid

from kiosk.app.controllers.tickets import IssuedNumber, Queue, format_number
from kiosk.fleet.device_client import DeviceApiError, Offline
from kiosk.fleet.outbox import Outbox
from kiosk.hall_time import HallClock

log = logging.getLogger("kiosk.tickets")


class ServerTicketIssuer:
    def __init__(self, client, outbox: Outbox, tag: str, window_minutes: int = 30, timeout: float = 3.0,
                 hall_time: HallClock | None = None) -> None:
        self.client = client
        self.hall_time = hall_time or HallClock()
        self.outbox = outbox
        self.tag = tag
        self.window = dt.timedelta(minutes=window_minutes)
        self.timeout = timeout
        self.last_source = ""

    def issue(self, queue: Queue, now: dt.datetime) -> IssuedNumber:
        key = uuid.uuid4().hex
        try:
            answer = self.client.ticket(queue.prefix, key, timeout=self.timeout)
            number, waiting, day, source = str(answer["number"]), int(answer["waiting"]), answer["day"], "server"
        except (Offline, DeviceApiError, KeyError, ValueError, TypeError) as exc:
            log.warning("server ticket failed (%s); using the local sequence", exc)
            day = self.hall_time.local(now).date().isoformat()  # the hall's day
            seq, waiting = self.outbox.next_local_ticket(day, queue.prefix, now, self.window)
            number, source = f"{self.tag}-{format_number(queue.prefix, seq)}", "local"
        self.last_source = source
        self.outbox.add("ticket", {"number": number, "queue": queue.prefix, "day": day, "source": source},
                        at=now)
        return IssuedNumber(number, waiting)
