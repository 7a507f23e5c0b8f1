"""systemd notifications without a dependency: READY=1 once, WATCHDOG=1 from the UI loop.

With ``Type=notify`` and ``WatchdogSec=`` in scripts/kiosk.service, systemd restarts the app
when the pings stop (a hung UI thread), not only when the process dies. Outside systemd
($NOTIFY_SOCKET unset) every call does nothing.
"""
from __future__ import annotations

import os
import socket


def notify(message: str) -> bool:
    address = os.environ.get("NOTIFY_SOCKET")
    if not address:
        return False
    if address.startswith("@"):
        address = "\0" + address[1:]
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as sock:
            sock.connect(address)
            sock.sendall(message.encode())
        return True
    except OSError:
        return False


def ready() -> bool:
    return notify("READY=1")


def ping() -> bool:
    return notify("WATCHDOG=1")


def interval() -> float | None:
    """Half the watchdog period systemd asked for (seconds), or None when there is none."""
    usec = os.environ.get("WATCHDOG_USEC")
    if not usec or not usec.isdigit():
        return None
    pid = os.environ.get("WATCHDOG_PID")
    if pid and pid.isdigit() and int(pid) != os.getpid():
        return None
    return int(usec) / 2e6
