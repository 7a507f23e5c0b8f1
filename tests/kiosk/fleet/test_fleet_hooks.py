"""The running kiosk app connected to a real guide server through kiosk.fleet.hooks: ratings
and searches that found nothing reach the server through the outbox, a new release appears on screen, tickets come from the
server, and the home screen says since when it is offline."""
from __future__ import annotations

import json
import tempfile
from pathlib import Path

from sqlalchemy import text

from kiosk.fleet import hooks as fleet_hooks
from kiosk.fleet.device_client import DeviceClient
from kiosk.fleet.settings import load_settings, save_settings
from kiosk.fleet.sync import sync_once
from tests.kiosk.fleet.conftest import Fleet
from tests.kiosk.harness import KioskTestCase


class FleetHookTests(KioskTestCase):
    def test_app_uploads_ratings_follows_releases_takes_server_tickets_and_shows_offline(self):
        fleet = Fleet(Path(tempfile.mkdtemp(prefix="fleet-app-")))
        agent = None
        try:
            inst = self.tmp / "instance"
            settings, token = fleet.link(inst, "app-hooks")
            settings.poll_seconds, settings.upload_seconds, settings.heartbeat_seconds = 1, 0.2, 1
            save_settings(inst, settings)
            assert sync_once(inst, DeviceClient(fleet.url, token), settings.public_key).ok
            fleet_hooks.OFFLINE_CHECK_SECONDS = 0.2
            app = self.start_app(None)
            agent = fleet_hooks.attach(app)
            assert agent is not None and load_settings(inst).name == "app-hooks"
            first = app.stamp

            code = sorted(app.guides)[0]
            app.open_rating("guide", code)
            assert app.submit_rating(2, ["slow"], "排队十人") is None    # a 差评 with its reason and a comment

            def server_ratings():
                with fleet.db.engine.connect() as c:
                    return list(c.execute(text("SELECT data FROM kiosk_events WHERE kind='rating'")))
            self.pump(until=lambda: len(server_ratings()) == 1, timeout=15)
            (data,), = server_ratings()
            sent = json.loads(data)
            assert (sent["level"], sent["reasons"], sent["comment"]) == (2, ["slow"], "排队十人")
            with fleet.db.engine.connect() as c:
                stored = list(c.execute(text("SELECT level, reasons, comment, channel FROM ratings")))
            assert [tuple(r) for r in stored] == [(2, "slow", "排队十人", "kiosk")]

            # a search that found nothing reaches the server when the person leaves it
            app.open_search()
            for key in "XQXQ":
                app.search_key(key)
            app.go_home()

            def server_misses():
                with fleet.db.engine.connect() as c:
                    return list(c.execute(text("SELECT data FROM kiosk_events WHERE kind='search_nohit'")))
            self.pump(until=lambda: server_misses(), timeout=15)
            (data,), = server_misses()
            assert json.loads(data) == {"query": "xqxq", "input": "pinyin", "release": app.stamp}

            new = fleet.publish(1)
            self.pump(until=lambda: app.stamp == new.stamp, timeout=20)
            assert app.stamp == new.stamp != first

            assert type(app.ticket_flow.issuer).__name__ == "ServerTicketIssuer"
            from kiosk.app.controllers.tickets import Queue
            import datetime as dt
            issued = app.ticket_flow.issuer.issue(Queue("A", "户籍办理"), dt.datetime.now().astimezone())
            assert issued.number == "A001"

            fleet.server.stop()
            badge = app.screen("home").ids.offline_badge
            self.pump(until=lambda: badge.text.startswith("离线 · 自 "), timeout=20)
            assert app.offline and badge.text.startswith("离线 · 自 ")
            assert app.stamp == new.stamp  # still serving its last good release
        finally:
            if agent is not None:
                agent.stop()
            fleet_hooks.OFFLINE_CHECK_SECONDS = 15
            fleet.stop()
