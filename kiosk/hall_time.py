"""The hall's time: every time a citizen or a technician reads on the kiosk is hall time.

The home clock, queue tickets, printed 一次告知单 and test pages, the maintenance screen's
device faults and the "离线 · 自 …" badge all come from one `HallClock`, in the hall's time
zone (`hall.timezone` in kiosk.toml, an IANA name, default Asia/Shanghai), whatever time zone
the operating system was left in (a fresh image is often UTC). Stored and uploaded times keep
their UTC offset, so nothing is lost either way.

Plain Python (zoneinfo, from the OS's tz database); no Kivy.
"""
from __future__ import annotations

import datetime as dt
from typing import Callable
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

DEFAULT_TIME_ZONE = "Asia/Shanghai"


def hall_zone(name: str = DEFAULT_TIME_ZONE) -> dt.tzinfo:
    """The tzinfo of IANA zone `name`. Raises ValueError (a Chinese message) for an unknown name."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, TypeError):
        raise ValueError(f"不认识的时区 {name!r}（应为 IANA 时区名，如 {DEFAULT_TIME_ZONE}）") from None


class HallClock:
    """Now, and any moment, in the hall's time zone.

    `utc_now` (for tests) returns the current instant as an aware datetime."""

    def __init__(self, zone: str | dt.tzinfo = DEFAULT_TIME_ZONE,
                 utc_now: Callable[[], dt.datetime] | None = None) -> None:
        self.zone = hall_zone(zone) if isinstance(zone, str) else zone
        self._utc_now = utc_now or (lambda: dt.datetime.now(dt.timezone.utc))

    def now(self) -> dt.datetime:
        """The current time in the hall (aware)."""
        return self._utc_now().astimezone(self.zone)

    def local(self, when: dt.datetime) -> dt.datetime:
        """`when` (aware; a naive one is taken as UTC) in the hall's time zone."""
        if when.tzinfo is None:
            when = when.replace(tzinfo=dt.timezone.utc)
        return when.astimezone(self.zone)

    def today(self) -> dt.date:
        """The hall's date (a queue's numbers start again each hall day)."""
        return self.now().date()

    def stamp(self) -> str:
        """"2026-11-22 14:05:09": when a device fault happened, for the maintenance screen."""
        return self.now().strftime("%Y-%m-%d %H:%M:%S")
