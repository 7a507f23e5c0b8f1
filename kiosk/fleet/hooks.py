"""Where the running kiosk app meets the fleet: two calls from `kiosk run` (kiosk/cli/app.py).

    prepare_instance(instance)   before the content is loaded: repair CURRENT after a crash
                                 (fall back to the previous release if the current one is broken)
    attach(app)                  after KioskApp is created, before app.run():

- starts the FleetAgent (sync with jitter, outbox upload, heartbeat every 60 s) when the kiosk
  is provisioned; a new release is loaded on the UI thread (app.reload_content);
- heartbeat device states come through the app's DeviceService, never a second connection;
- ratings, printed receipts, device faults and searches that found nothing (`search_nohit`,
  through the app's `record_event`) also go to the outbox (nothing personal);
- queue tickets come from the server (ServerTicketIssuer), with the kiosk-prefixed local
  sequence as fallback;
- the home screen's offline badge reads "离线 · 自 11-22 14:05 · …" while the server is away;
- systemd: READY=1 once the app runs, WATCHDOG=1 from the UI clock (a hung UI gets restarted).

The app's own classes are not changed: the adapters below wrap its RatingStore and its
DeviceService's print and fault paths on the instance.
"""
from __future__ import annotations

import datetime as dt
import logging
import threading
from pathlib import Path

from kiosk.fleet import watchdog
from kiosk.fleet.outbox import Outbox, PersonalDataError
from kiosk.hall_time import HallClock

log = logging.getLogger("kiosk.fleet")

OFFLINE_CHECK_SECONDS = 15


def prepare_instance(instance: Path) -> int | None:
    from kiosk.fleet.sync import repair

    try:
        return repair(Path(instance))
    except OSError:
        log.exception("repair of %s failed", instance)
        return None


STALE_NOTE = "内容可能不是最新，以窗口为准"
REFUSED_FORMAT_LABEL = f"内容未更新（本机软件需升级）· {STALE_NOTE}"  # a content format the kiosk does not read
REFUSED_HALL_LABEL = f"内容未更新（大厅不在新版本中）· {STALE_NOTE}"  # the kiosk's hall left the release


def offline_label(instance: Path, hall_time: HallClock | None = None) -> str:
    """"离线 · 自 11-22 14:05 · 内容可能不是最新，以窗口为准" while the server is away, else "";
    the time is the last good sync in hall time. While the kiosk refuses the server's release
    (a content format it does not read): "内容未更新（本机软件需升级）· 内容可能不是最新，以窗口为准";
    while its hall is not in the server's release: "内容未更新（大厅不在新版本中）· …"
    (the full reason goes to the log, `kiosk sync` and the heartbeat)."""
    from kiosk.fleet.sync import offline_since, read_state, refused_reason

    since = offline_since(Path(instance))
    if since is None:
        if refused_reason(Path(instance)):
            refused = read_state(Path(instance)).get("refused") or {}
            return REFUSED_HALL_LABEL if refused.get("hall") else REFUSED_FORMAT_LABEL
        return ""
    last_ok = read_state(Path(instance)).get("last_ok")
    try:
        shown = dt.datetime.fromisoformat(last_ok) if last_ok else since
    except ValueError:
        shown = since
    return f"离线 · 自 {(hall_time or HallClock()).local(shown):%m-%d %H:%M} · {STALE_NOTE}"


def _record(outbox: Outbox, kind: str, data: dict) -> None:
    try:
        outbox.add(kind, data)
    except (PersonalDataError, ValueError):
        log.error("%s event not recorded: it would carry personal data", kind)
    except Exception:
        log.exception("%s event not recorded", kind)


class OutboxRatings:
    """The app's RatingStore, with every rating also recorded in the outbox."""

    def __init__(self, inner, outbox: Outbox, kick) -> None:
        self._inner = inner
        self._outbox = outbox
        self._kick = kick

    def add(self, subject, level, reasons=(), source="guide", release="", now=None, comment=""):
        rating = self._inner.add(subject, level, reasons, source=source, release=release, now=now, comment=comment)
        _record(self._outbox, "rating", {"subject": subject, "level": level, "reasons": list(rating.reasons),
                                         "comment": rating.comment, "source": source, "release": release})
        self._kick()
        return rating

    def __getattr__(self, name):
        return getattr(self._inner, name)


def _wrap_devices(app, outbox: Outbox, kick) -> None:
    devices = app.devices
    print_receipt, record = devices.print_receipt, devices._record

    def print_and_record(receipt, callback, *, for_ticket: bool = False):
        code = None if for_ticket else getattr(app.session, "guide_code", None)

        def done(outcome):
            _record(outbox, "print", {"what": "ticket" if for_ticket else "checklist", "code": code,
                                      "ok": bool(outcome.ok), "detail": str(outcome.detail or "")[:200],
                                      "release": app.stamp})
            kick()
            callback(outcome)
        return print_receipt(receipt, done, for_ticket=for_ticket)

    def record_fault(device: str, detail: str) -> None:
        record(device, detail)
        _record(outbox, "fault", {"device": device, "detail": str(detail)[:200]})
        kick()

    devices.print_receipt = print_and_record
    devices._record = record_fault


def app_probe(app, timeout: float = 10.0):
    """Device states for the heartbeat, asked through the app's DeviceService (its own threads)."""
    from kiosk.fleet.heartbeat import printer_state

    def probe() -> dict:
        out: dict = {}
        got_printer, got_reader = threading.Event(), threading.Event()

        def printer(o):
            out["printer"] = printer_state(o.value) if o.value is not None else \
                {"state": "error", "text": (o.message or "打印机不可用")[:200]}
            got_printer.set()

        def reader(o):
            out["reader"] = {"state": "ok", "text": "正常"} if o.ok else \
                {"state": "fault", "text": (o.message or "读卡器不可用")[:200]}
            got_reader.set()
        app.devices.printer_status(printer)
        app.devices.reader_status(reader)
        if not got_printer.wait(timeout):
            out["printer"] = {"state": "unknown", "text": "打印机状态查询超时"}
        if not got_reader.wait(timeout):
            out["reader"] = {"state": "unknown", "text": "读卡器状态查询超时"}
        return out
    return probe


def attach(app):
    """Connect a KioskApp to the fleet; returns the FleetAgent, or None when not provisioned."""
    from kivy.clock import Clock

    from kiosk.fleet.agent import start_agent
    from kiosk.fleet.settings import FleetConfigError, load_settings, load_token

    instance = Path(app.instance)
    Clock.schedule_once(lambda _dt: watchdog.ready(), 0)
    every = watchdog.interval()
    if every:
        Clock.schedule_interval(lambda _dt: watchdog.ping(), max(1.0, every))

    def show_offline(_dt=None) -> None:
        label = offline_label(instance, app.hall_time)
        if label:
            app.offline_text = label
            app.offline = True
        elif app.content.fresh:
            app.offline = False
    Clock.schedule_interval(show_offline, OFFLINE_CHECK_SECONDS)

    try:
        settings = load_settings(instance)
        load_token(instance)
    except FleetConfigError as exc:
        log.info("not connected to a guide server: %s", exc)
        return None
    outbox = Outbox.for_instance(instance)
    holder: dict = {}

    def kick() -> None:
        agent = holder.get("agent")
        if agent is not None:
            agent.kick()

    def use_server_tickets() -> None:
        from kiosk.fleet.tickets import ServerTicketIssuer

        agent = holder.get("agent")
        if agent is not None:
            app.ticket_flow.issuer = ServerTicketIssuer(agent.client, outbox, settings.tag,
                                                        app.cfg.waiting_window_minutes, hall_time=app.hall_time)

    def reload(_dt) -> None:
        app.reload_content()
        use_server_tickets()
        show_offline()

    app.ratings = OutboxRatings(app.ratings, outbox, kick)
    _wrap_devices(app, outbox, kick)

    def record_event(kind: str, data: dict) -> None:
        _record(outbox, kind, data)
        kick()
    app.record_event = record_event
    agent = start_agent(instance, probe=app_probe(app), outbox=outbox,
                        on_release=lambda _r: Clock.schedule_once(reload, 0))
    holder["agent"] = agent
    use_server_tickets()
    app.bind(on_stop=lambda *_: agent.stop() if agent else None)
    return agent
