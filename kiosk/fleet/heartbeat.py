"""The kiosk's heartbeat: what the fleet page shows about it, sent every 60 s.

    {"release": 12, "app_version": "0.1.0", "uptime": 3600, "disk_free_mb": 5120,
     "outbox_backlog": 0, "offline_since": null,
     "printer": {"state": "near_end", "text": "纸将用完"}, "reader": {"state": "ok", "text": "正常"},
     "content_refused": "内容格式版本 3 高于本机支持的 2，请升级终端软件；继续使用上一版内容 R11"}

``content_refused`` is sent only while the server's current release is in a content format
this kiosk does not read, or has no longer this kiosk's hall (kiosk.fleet.sync); the fleet page
shows it as an alert.

Device states come from a *probe*: `probe_devices(reader_url, printer_url, profile)` opens the
devices itself (the `kiosk heartbeat` command, the agent without the app); inside the app a
probe that goes through its DeviceService is used instead, so nothing talks to a device twice
at once.
"""
from __future__ import annotations

import shutil
import time
from pathlib import Path
from typing import Any, Callable

from guides.release import ReleaseError, ReleaseStore

Probe = Callable[[], dict[str, dict[str, str]]]
_STARTED = time.monotonic()


def app_version() -> str:
    try:
        from importlib.metadata import version
        return version("saoma-banshi")
    except Exception:  # not installed as a package (a source checkout)
        return "0.0.0"


def printer_state(status) -> dict[str, str]:
    """hardware.printer.status.PrinterStatus -> {"state", "text"} of the heartbeat."""
    if status is None or not status.answered:
        return {"state": "unknown", "text": "打印机无应答"}
    if status.paper == "out":
        state = "out"
    elif status.cover_open:
        state = "cover_open"
    elif status.online is False:
        state = "offline"
    elif status.cutter_error or status.unrecoverable_error or status.auto_recoverable_error:
        state = "error"
    elif status.paper == "near_end":
        state = "near_end"
    else:
        state = "ok"
    return {"state": state, "text": status.describe_zh()[:200]}


def probe_devices(reader_url: str, printer_url: str, profile: str = "80mm") -> dict[str, dict[str, str]]:
    out: dict[str, dict[str, str]] = {}
    if not reader_url:
        out["reader"] = {"state": "unconfigured", "text": "未配置读卡器"}
    else:
        try:
            from hardware.reader import open_reader
            with open_reader(reader_url) as reader:
                reader.status()
            out["reader"] = {"state": "ok", "text": "正常"}
        except Exception as exc:
            out["reader"] = {"state": "fault", "text": str(getattr(exc, "zh", type(exc).__name__))[:200]}
    if not printer_url:
        out["printer"] = {"state": "unconfigured", "text": "未配置打印机"}
    else:
        try:
            from hardware.printer import open_printer
            with open_printer(printer_url, profile) as printer:
                out["printer"] = printer_state(printer.status(timeout=2.0))
        except Exception as exc:
            out["printer"] = {"state": "error", "text": str(getattr(exc, "zh", type(exc).__name__))[:200]}
    return out


def collect(instance: Path, backlog: int, probe: Probe | None = None,
            started: float | None = None) -> dict[str, Any]:
    from kiosk.fleet.sync import read_state, refused_reason

    instance = Path(instance)
    try:
        release = ReleaseStore(instance).current_number()
    except ReleaseError:
        release = None
    try:
        free = shutil.disk_usage(instance).free // (1024 * 1024)
    except OSError:
        free = None
    data: dict[str, Any] = {
        "release": release,
        "app_version": app_version(),
        "uptime": int(time.monotonic() - (started if started is not None else _STARTED)),
        "disk_free_mb": free,
        "outbox_backlog": backlog,
        "offline_since": read_state(instance).get("offline_since"),
    }
    refused = refused_reason(instance)
    if refused:  # the server's current release is in a content format this program does not read
        data["content_refused"] = refused
    if probe is not None:
        try:
            data.update(probe())
        except Exception as exc:  # a probe must never stop the heartbeat
            data["printer"] = {"state": "unknown", "text": f"状态查询失败：{type(exc).__name__}"}
    return data
