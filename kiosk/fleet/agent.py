"""The kiosk's fleet loop, on one background thread: content sync (poll with jitter), outbox
upload, heartbeat. The app starts it with `start_agent(...)`; `kiosk agent` runs it alone.

Nothing here touches the UI: when a new release has been swapped in, `on_release(result)` is
called on the agent thread and the app moves it onto its own thread (Clock.schedule_once).
"""
from __future__ import annotations

import logging
import random
import threading
import time
from pathlib import Path
from typing import Callable

from kiosk.fleet.device_client import DeviceApiError, DeviceClient, Offline
from kiosk.fleet.settings import FleetSettings, load_settings, load_token
from kiosk.fleet.heartbeat import Probe, collect
from kiosk.fleet.outbox import Outbox, upload
from kiosk.fleet.sync import SyncResult, sync_once

log = logging.getLogger("kiosk.fleet.agent")

JITTER = 0.2
FIRST_SYNC_MAX = 30.0


class FleetAgent:
    def __init__(self, instance: Path, settings: FleetSettings, token: str, *, outbox: Outbox | None = None,
                 probe: Probe | None = None, on_release: Callable[[SyncResult], None] | None = None,
                 rng: random.Random | None = None) -> None:
        self.instance = Path(instance)
        self.settings = settings
        self.client = DeviceClient(settings.server, token)
        self.outbox = outbox or Outbox.for_instance(self.instance)
        self.probe = probe
        self.on_release = on_release
        self.rng = rng or random.Random()
        self.started = time.monotonic()
        self.last_sync: SyncResult | None = None
        self.last_error = ""
        self._stop = threading.Event()
        self._kick = threading.Event()
        self._thread: threading.Thread | None = None

    # -- control ---------------------------------------------------------------------------------
    def start(self) -> "FleetAgent":
        self._thread = threading.Thread(target=self.run, name="kiosk-fleet", daemon=True)
        self._thread.start()
        return self

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        self._kick.set()
        if self._thread is not None:
            self._thread.join(timeout)

    def kick(self) -> None:
        """Upload soon (a new event was recorded)."""
        self._kick.set()

    def poll_delay(self) -> float:
        p = self.settings.poll_seconds
        return max(1.0, p * (1 + self.rng.uniform(-JITTER, JITTER)))

    # -- the tasks -----------------------------------------------------------------------------------
    def sync(self) -> SyncResult:
        result = sync_once(self.instance, self.client, self.settings.public_key)
        self.last_sync = result
        if result.changed and self.on_release is not None:
            try:
                self.on_release(result)
            except Exception:
                log.exception("on_release failed")
        return result

    def upload(self):
        result = upload(self.outbox, self.client)
        if result.error:
            log.warning("upload: %s", result.error)
        return result

    def heartbeat(self) -> dict:
        data = collect(self.instance, self.outbox.backlog(), self.probe, self.started)
        return self.client.heartbeat(data)

    def run(self) -> None:
        now = time.monotonic()
        next_sync = now + self.rng.uniform(0, min(FIRST_SYNC_MAX, self.settings.poll_seconds))
        next_upload = now
        next_beat = now + min(5.0, self.settings.heartbeat_seconds)
        while not self._stop.is_set():
            now = time.monotonic()
            kicked = self._kick.is_set()
            self._kick.clear()
            if now >= next_sync:
                self._guard("sync", self.sync)
                next_sync = time.monotonic() + self.poll_delay()
            if now >= next_upload or kicked:
                self._guard("upload", self.upload)
                next_upload = time.monotonic() + self.settings.upload_seconds
            if now >= next_beat:
                self._guard("heartbeat", self.heartbeat)
                next_beat = time.monotonic() + self.settings.heartbeat_seconds
            wait = min(next_sync, next_upload, next_beat) - time.monotonic()
            self._kick.wait(max(0.05, wait))

    def _guard(self, what: str, fn) -> None:
        try:
            fn()
            self.last_error = ""
        except (Offline, DeviceApiError) as exc:
            self.last_error = f"{what}: {getattr(exc, 'message', exc)}"
            log.warning("%s", self.last_error)
        except Exception:  # the loop must survive anything one pass does
            self.last_error = f"{what}: internal error"
            log.exception("%s failed", what)


def start_agent(instance: Path, *, probe: Probe | None = None, outbox: Outbox | None = None,
                on_release: Callable[[SyncResult], None] | None = None) -> FleetAgent | None:
    """Start the fleet loop if this kiosk is provisioned; None (and a log line) otherwise."""
    from kiosk.fleet.settings import FleetConfigError

    try:
        settings = load_settings(Path(instance))
        token = load_token(Path(instance))
    except FleetConfigError as exc:
        log.info("fleet agent not started: %s", exc)
        return None
    return FleetAgent(Path(instance), settings, token, outbox=outbox, probe=probe, on_release=on_release).start()
