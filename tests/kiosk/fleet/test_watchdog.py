"""systemd notifications reach a real unix datagram socket, as systemd's NOTIFY_SOCKET would."""
from __future__ import annotations

import os
import socket

from kiosk.fleet import watchdog


def test_ready_and_watchdog_pings_reach_the_notify_socket(tmp_path, monkeypatch):
    path = str(tmp_path / "notify")
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind(path)
    sock.settimeout(5)
    try:
        monkeypatch.setenv("NOTIFY_SOCKET", path)
        monkeypatch.setenv("WATCHDOG_USEC", "60000000")
        monkeypatch.setenv("WATCHDOG_PID", str(os.getpid()))
        assert watchdog.ready() and watchdog.ping()
        assert sock.recv(100) == b"READY=1"
        assert sock.recv(100) == b"WATCHDOG=1"
        assert watchdog.interval() == 30.0
        monkeypatch.setenv("WATCHDOG_PID", "1")  # the watchdog is some other process's
        assert watchdog.interval() is None
    finally:
        sock.close()
    monkeypatch.delenv("NOTIFY_SOCKET")
    assert watchdog.ping() is False
