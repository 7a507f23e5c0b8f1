"""Two guide-server instances (gunicorn, two workers each) on one PostgreSQL database and one
shared instance folder, behind nginx balancing round-robin — as a deployment past one machine
runs. Requests alternate between the instances; ratings, editor sessions, publishing and kiosk
sync must not notice."""
from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests
from click.testing import CliRunner

from guide_server.accounts.service import AccountService, make_hasher
from guides.release import ReleaseStore
from guides.signing import load_or_create_key, public_key_text
from kiosk.fleet.device_client import DeviceClient
from kiosk.fleet.outbox import Outbox, upload
from kiosk.fleet.sync import sync_once
from tests.guide_server.authutil import PASSWORD
from tests.guide_server.editor.test_editor import _Fields
from tests.kiosk.fleet.conftest import Fleet, ServerProcess, free_port
from tests.support.postgres import migrated_template

GA = "330382-GA-0001"
pytestmark = pytest.mark.slow


@dataclass
class Pair:
    fleet: Fleet          # instance folder, database, FleetService, and instance A
    a: str                # http://127.0.0.1:<port> of instance A
    b: str                # ... of instance B
    nginx: str            # nginx in front of both
    site: Path            # the static export nginx serves

    def instance_of(self, response: requests.Response) -> str:
        """Which instance answered a request sent through nginx ("a" or "b")."""
        port = response.headers["X-Upstream"].rsplit(":", 1)[1]
        return "a" if self.a.endswith(":" + port) else "b"

    def export(self) -> None:
        """`guide-server export` of the current release, as an operator runs it after a release."""
        from guide_server.cli import main

        result = CliRunner().invoke(main, ["export", "--out", str(self.site), "--instance", str(self.fleet.instance)])
        assert result.exit_code == 0, result.output


@pytest.fixture(scope="module")
def pair(postgres, tmp_path_factory):
    root = tmp_path_factory.mktemp("pair")
    url = postgres.create_database(template=migrated_template(postgres))
    fleet = Fleet(root, database_url=url)
    b = ServerProcess(fleet.instance, database_url=url)
    accounts = AccountService(fleet.db, make_hasher("cheap"))
    accounts.add("ed", "editor", PASSWORD)
    accounts.add("rita", "reviewer", PASSWORD)
    from guide_server.nginx import local_config

    port = free_port()
    pair = Pair(fleet, fleet.url, b.url, f"http://127.0.0.1:{port}", root / "site")
    pair.export()
    conf = local_config(root / "nginx", pair.site, port, [fleet.server.port, b.port], workers=1, trace_upstream=True)
    nginx = subprocess.Popen(["nginx", "-c", str(conf), "-e", str(root / "nginx" / "error.log")],
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        from tests.guide_server.conftest import wait_for

        wait_for(pair.nginx + "/", nginx)
        yield pair
    finally:
        nginx.terminate()
        nginx.wait(timeout=20)
        b.stop()
        fleet.stop()
        postgres.drop_database(url)


def test_requests_alternate_and_ratings_count_once_with_one_rate_limit(pair):
    seen = [pair.instance_of(requests.get(pair.nginx + "/api/v1/release", timeout=10)) for _ in range(4)]
    assert sorted(set(seen)) == ["a", "b"] and seen[0] != seen[1], seen  # round-robin: one, then the other
    # five ratings through nginx land on both instances; the sixth from the same visitor is
    # refused, whichever instance gets it: the rate limit lives in the database
    answered = []
    for i, level in enumerate(("5", "4", "5", "3", "5")):  # five different ratings (the same words again: a retry)
        r = requests.post(pair.nginx + f"/g/{GA}/rate", data={"level": level, "comment": f"第 {i} 条"},
                          allow_redirects=False, timeout=10,
                          headers={"Origin": pair.nginx})
        assert r.status_code == 303, r.text
        answered.append(pair.instance_of(r))
    assert set(answered) == {"a", "b"}
    r = requests.post(pair.nginx + f"/g/{GA}/rate", data={"level": "1"}, allow_redirects=False, timeout=10,
                      headers={"Origin": pair.nginx})
    assert r.status_code == 429 and "太频繁" in r.text
    for base in (pair.a, pair.b):
        page = requests.get(base + f"/g/{GA}/ratings", timeout=10).text
        assert "共 5 条评价" in page, base
    assert "共 5 条评价" in requests.get(pair.nginx + f"/g/{GA}/rated", timeout=10).text


def _login(session: requests.Session, base: str, name: str) -> None:
    token = _token(session.get(base + "/login", timeout=10).text)
    r = session.post(base + "/login", data={"csrf_token": token, "name": name, "password": PASSWORD},
                     headers={"Origin": base, "Referer": base + "/login"}, allow_redirects=False, timeout=30)
    assert r.status_code == 303, r.text


def _token(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def _post(session: requests.Session, base: str, path: str, page: str, **data) -> requests.Response:
    data.setdefault("csrf_token", _token(session.get(base + page, timeout=10).text))
    return session.post(base + path, data=data, headers={"Origin": base, "Referer": base + page},
                        allow_redirects=False, timeout=30)


def test_a_login_on_one_instance_works_on_the_other_and_a_release_published_on_a_shows_on_b(pair):
    store = ReleaseStore(pair.fleet.instance)
    before = store.current_number()
    ed = requests.Session()
    _login(ed, pair.a, "ed")
    # the session cookie from A is honoured by B: same secret key in the shared instance folder
    editor_page = ed.get(pair.b + "/editor/", timeout=10, allow_redirects=False)
    assert editor_page.status_code == 200 and GA in editor_page.text
    # edit and submit on B, with the CSRF token of B's form
    html = ed.get(pair.b + f"/editor/g/{GA}", timeout=10).text
    fields = _Fields()
    fields.feed(html.split('id="guide-form"', 1)[1].split("</form>", 1)[0])
    form = [(k, v) for k, v in fields.fields if k != "department"]
    form += [("department", "乐清市公安局户政科（两台服务器测试窗口）"), ("action", "submit")]
    r = ed.post(pair.b + f"/editor/g/{GA}", data=form, allow_redirects=False, timeout=30,
                headers={"Origin": pair.b, "Referer": pair.b + f"/editor/g/{GA}"})
    assert r.status_code == 303, r.text
    # the reviewer logs in on B, approves and publishes on A
    rita = requests.Session()
    _login(rita, pair.b, "rita")
    version = re.search(r'name="version" value="(\d+)"', rita.get(pair.a + f"/editor/g/{GA}", timeout=10).text).group(1)
    assert _post(rita, pair.a, f"/editor/g/{GA}/approve", f"/editor/g/{GA}", version=version).status_code == 303
    published = _post(rita, pair.a, "/editor/publish", "/editor/publish", code=GA)
    number = before + 1
    assert f"已发布 版本 R{number}" in published.text
    # B serves the new release at once: its page, its API, its editor
    page = requests.get(pair.b + f"/g/{GA}", timeout=10).text
    assert "两台服务器测试窗口" in page and f"版本 R{number}" in page
    for _ in range(2):  # through nginx, one answer from each instance
        api = requests.get(pair.nginx + f"/api/v1/guides/{GA}", timeout=10)
        assert api.json()["department"] == "乐清市公安局户政科（两台服务器测试窗口）", pair.instance_of(api)
    assert "已发布" in ed.get(pair.b + f"/editor/g/{GA}", timeout=10).text
    # the static pages nginx serves follow after the export, as the deployment notes say
    pair.export()
    assert "两台服务器测试窗口" in requests.get(pair.nginx + f"/g/{GA}", timeout=10).text


def test_kiosk_sync_events_and_tickets_stay_exact_across_instances(pair, tmp_path):
    fleet = pair.fleet
    name, token = fleet.kiosk("pair-kiosk-1", hall="双机大厅")
    public_key = public_key_text(load_or_create_key(fleet.instance).public_key())
    client = DeviceClient(pair.nginx, token)
    kiosk_dir = tmp_path / "kiosk"
    first = sync_once(kiosk_dir, client, public_key)
    assert first.ok and first.number == fleet.store.current_number()
    # the next polls reach the other instance, then the first again: unchanged both times
    for _ in range(2):
        again = sync_once(kiosk_dir, client, public_key)
        assert again.ok and not again.changed and again.bytes == 0, again.message
    # a release made on the shared instance folder reaches the kiosk through either instance
    new = fleet.publish(7)
    caught_up = sync_once(kiosk_dir, client, public_key)
    assert caught_up.ok and caught_up.changed and caught_up.number == new.number
    assert ReleaseStore(kiosk_dir).current().hash == new.hash
    etags = {requests.get(base + "/api/v1/device/manifest", timeout=10, headers={"Authorization": f"Bearer {token}"})
             .headers["ETag"] for base in (pair.a, pair.b)}
    assert len(etags) == 1  # both instances describe the release the same way
    # events: batches alternate between the instances; sending them all again to each stores nothing
    box = Outbox(tmp_path / "outbox.db")
    for i in range(30):
        box.add("print", {"code": GA, "ok": True, "n": i})
    sent = upload(box, client, batch=10)
    assert sent.ok and sent.sent == 30 and sent.batches == 3
    events = [{"key": k, "kind": "print", "at": "2026-11-30T10:00:00+08:00", "data": {"ok": True}} for k in box.keys()]
    for base in (pair.a, pair.b):
        replay = DeviceClient(base, token).events(events)
        assert replay["stored"] == 0 and replay["duplicates"] == 30
    assert fleet.service.event_count("print") == 30
    # a queue ticket retried through the other instance is the same ticket
    one = client.ticket("C", "pair-ticket-0001")
    assert client.ticket("C", "pair-ticket-0001")["number"] == one["number"] == "C001"
    assert client.ticket("C", "pair-ticket-0002")["number"] == "C002"
