"""Every time the kiosk shows or prints is hall time (hall.timezone, default Asia/Shanghai),
whatever the operating system's time zone is.

Field case 06-home-clock-utc.py is the first test: the OS in UTC, the home clock said 08:50
while the ticket said 16:50."""
import datetime as dt
import os
import time

import pytest

from guides.release import CHINA_TZ
from hardware.printer import escpos_decode as ed
from kiosk.app.controllers import tickets as tk
from kiosk.cli.simulate import DEMO_CARD
from kiosk.config import ConfigError, parse_config
from kiosk.fleet.hooks import offline_label
from kiosk.fleet.sync import write_state
from kiosk.hall_time import HallClock
from tests.kiosk.conftest import copy_sample_content
from tests.kiosk.harness import KioskTestCase

CODE = "330382-GA-0001"
PATH = {"reason": "expiring"}   # its 情形 question (您为什么换领？) answered


def minutes_around(zone, fn):
    """`fn()` and the set of hall-clock minutes ("%H:%M") just before and after it ran."""
    before = dt.datetime.now(zone)
    value = fn()
    after = dt.datetime.now(zone)
    return value, {before.strftime("%H:%M"), after.strftime("%H:%M")}


class InOsTimeZone(KioskTestCase):
    """The test process's OS time zone is `os_tz` while a test runs (TZ and time.tzset)."""
    os_tz = "UTC"

    def setUp(self):
        self._old_tz = os.environ.get("TZ")
        os.environ["TZ"] = self.os_tz
        time.tzset()
        super().setUp()

    def tearDown(self, fake=False):
        super().tearDown(fake)
        if self._old_tz is None:
            os.environ.pop("TZ", None)
        else:
            os.environ["TZ"] = self._old_tz
        time.tzset()

    def home_clock(self, app) -> str:
        app._clock(0)
        return app.screen("home").clock_text.split("\n")[0]


class ClockTZ(InOsTimeZone):
    os_tz = "UTC"

    def test_home_clock_matches_printed_time(self):
        # field case 06, run with the OS in UTC
        app = self.start_app(copy_sample_content(self.tmp / "content"))
        assert time.localtime().tm_gmtoff == 0, "the OS time zone should be UTC in this test"
        shown, beijing = minutes_around(CHINA_TZ, lambda: self.home_clock(app))
        assert shown in beijing


class EveryTimeInHallTimeNewYork(InOsTimeZone):
    os_tz = "America/New_York"

    def test_clock_ticket_receipt_and_faults_agree_with_beijing(self):
        app = self.start_app(copy_sample_content(self.tmp / "content"))
        assert time.localtime().tm_gmtoff != 8 * 3600
        shown, beijing = minutes_around(CHINA_TZ, lambda: self.home_clock(app))
        assert shown in beijing
        # the date line too
        now = dt.datetime.now(CHINA_TZ)
        assert f"{now:%m月%d日}" in app.screen("home").clock_text

        # the queue ticket, on screen and on paper
        self.sims.reader.place(DEMO_CARD)
        app.open_ticket()
        scr = app.screen("ticket")
        self.pump(lambda: scr.state == tk.CHOOSE)
        app.choose_queue(app.queues[0])
        self.pump(lambda: scr.state == tk.DONE)
        printed = dt.datetime.now(CHINA_TZ).strftime("%Y-%m-%d %H:")
        assert printed in scr.details
        self.pump(lambda: len(self.sims.printer.receipts) == 1)
        assert printed in receipt_text(self.sims.printer.receipts[0])

        # the 一次告知单's 打印时间
        app.print_checklist(CODE, PATH)
        self.pump(lambda: len(self.sims.printer.receipts) == 2)
        assert f"打印时间：{printed}" in receipt_text(self.sims.printer.receipts[1])

        # a device fault on the maintenance screen
        self.sims.printer.set_state(paper="out")
        app.print_checklist(CODE, PATH)
        pscr = app.screen("printing")
        self.pump(lambda: pscr.phase == "failed")
        assert app.devices.errors[-1].at.startswith(printed)


class HallInAnotherZone(InOsTimeZone):
    os_tz = "UTC"

    def test_a_configured_hall_time_zone_is_what_every_time_follows(self):
        urumqi = HallClock("Asia/Urumqi").zone
        app = self.start_app(copy_sample_content(self.tmp / "content"), timezone="Asia/Urumqi")
        shown, there = minutes_around(urumqi, lambda: self.home_clock(app))
        assert shown in there
        self.sims.reader.place(DEMO_CARD)
        app.open_ticket()
        scr = app.screen("ticket")
        self.pump(lambda: scr.state == tk.CHOOSE)
        app.choose_queue(app.queues[0])
        self.pump(lambda: scr.state == tk.DONE)
        assert dt.datetime.now(urumqi).strftime("%Y-%m-%d %H:") in scr.details


def receipt_text(ops) -> str:
    """The text lines of a receipt the simulated printer decoded."""
    return "\n".join(op.text for op in ops if isinstance(op, ed.Line))


def test_offline_since_is_shown_in_hall_time(tmp_path):
    write_state(tmp_path, last_ok="2026-11-22T06:05:00+00:00", offline_since="2026-11-22T07:00:00+00:00")
    assert offline_label(tmp_path).startswith("离线 · 自 11-22 14:05 · ")
    assert offline_label(tmp_path, HallClock("Asia/Urumqi")).startswith("离线 · 自 11-22 12:05 · ")


def test_hall_clock_ignores_the_os_zone_and_takes_naive_times_as_utc():
    fixed = dt.datetime(2026, 11, 22, 0, 50, tzinfo=dt.timezone.utc)
    clock = HallClock(utc_now=lambda: fixed)
    assert clock.now().strftime("%Y-%m-%d %H:%M") == "2026-11-22 08:50"
    assert clock.local(dt.datetime(2026, 11, 22, 16, 0)).strftime("%d %H:%M") == "23 00:00"
    assert clock.today() == dt.date(2026, 11, 22)


def test_hall_timezone_key_is_checked():
    assert parse_config({"hall": {"timezone": "Asia/Urumqi"}}).timezone == "Asia/Urumqi"
    assert parse_config({}).timezone == "Asia/Shanghai"
    with pytest.raises(ConfigError, match="hall.timezone 不认识的时区 'Beijing'"):
        parse_config({"hall": {"timezone": "Beijing"}}, "kiosk.toml")
