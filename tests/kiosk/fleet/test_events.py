"""Events with nothing lost: the outbox, batch upload with idempotency keys, replays, privacy,
kill -9 of the uploader, and hall queue tickets (server-backed, local fallback, reconciled)."""
from __future__ import annotations

import datetime as dt
import multiprocessing
import os
import random
import signal
import sqlite3
import threading
import time

import pytest
import requests
from sqlalchemy import text

from kiosk.app.controllers.tickets import Queue
from kiosk.fleet.device_client import DeviceClient
from kiosk.fleet.tickets import ServerTicketIssuer
from kiosk.fleet.outbox import Outbox, PersonalDataError, upload
from tests.kiosk.fleet.conftest import Fleet, free_port
from tests.support.postgres import both_databases

# the tests using `fleet` run against a server on SQLite and on PostgreSQL
fleet_db_url = both_databases(scope="module", name="fleet_db_url")


def server_rows(fleet, name: str) -> list[tuple[str, str]]:
    with fleet.db.engine.connect() as c:
        return list(c.execute(text("SELECT e.key, e.kind FROM kiosk_events e JOIN kiosks k ON k.id = e.kiosk_id "
                                   "WHERE k.name = :n"), {"n": name}))


def test_outbox_is_wal_with_full_sync_and_refuses_personal_data(tmp_path):
    box = Outbox(tmp_path / "outbox.db")
    assert box.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert box.db.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
    with pytest.raises(PersonalDataError):
        box.add("ticket", {"number": "A001", "note": "330382198001014210"})
    with pytest.raises(PersonalDataError):
        box.add("rating", {"level": 5, "name": "张三"})
    key = box.add("rating", {"subject": "330382-GA-0001", "level": 5})
    assert box.backlog() == 1 and box.keys() == [key]


def test_batches_are_stored_once_and_a_replayed_batch_is_answered_clearly(fleet, tmp_path):
    name, token = fleet.kiosk("events-1")
    box = Outbox(tmp_path / "outbox.db")
    for i in range(250):
        box.add("print", {"code": "330382-GA-0001", "ok": True, "n": i})
    result = upload(box, DeviceClient(fleet.url, token), batch=100)
    assert result.ok and result.sent == 250 and result.batches == 3 and result.remaining == 0
    rows = server_rows(fleet, name)
    assert len(rows) == 250 and {k for k, _ in rows} == set(box.keys())

    batch = [{"key": k, "kind": "print", "at": "2026-11-22T10:00:00+08:00", "data": {"ok": True}}
             for k in box.keys()[:50]]
    r = requests.post(fleet.url + "/api/v1/device/events", json={"events": batch}, timeout=10,
                      headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 200
    body = r.json()
    assert body["replay"] is True and body["stored"] == 0 and body["duplicates"] == 50
    assert "此前已全部收到，未重复保存" in body["message"]
    assert len(server_rows(fleet, name)) == 250


def test_the_server_refuses_personal_data_in_events(fleet):
    name, token = fleet.kiosk("events-privacy")
    events = [{"key": "a" * 32, "kind": "rating", "at": "2026-11-22T10:00:00+08:00",
               "data": {"level": 1, "comment": "我的身份证 330382198001014210"}},
              {"key": "b" * 32, "kind": "rating", "at": "2026-11-22T10:00:00+08:00", "data": {"level": 4}}]
    r = requests.post(fleet.url + "/api/v1/device/events", json={"events": events}, timeout=10,
                      headers={"Authorization": f"Bearer {token}"})
    body = r.json()
    assert body["stored"] == 1 and body["rejected"][0]["key"] == "a" * 32
    assert "个人信息" in body["rejected"][0]["reason"]
    assert [k for k, _ in server_rows(fleet, name)] == ["b" * 32]


def test_a_revoked_kiosk_cannot_upload(fleet, tmp_path):
    name, token = fleet.kiosk("events-revoked")
    fleet.service.revoke(name)
    box = Outbox(tmp_path / "outbox.db")
    box.add("fault", {"device": "printer", "detail": "paper out"})
    result = upload(box, DeviceClient(fleet.url, token))
    assert not result.ok and "被停用" in result.error and result.remaining == 1


# -- kill -9 the uploader while events are produced ---------------------------------------------------

def _produce(path: str, n: int, seed: int) -> None:
    rng = random.Random(seed)
    box = Outbox(path)
    for i in range(n):
        box.add(rng.choice(["rating", "ticket", "print", "fault"]), {"i": i})
        if i % 50 == 0:
            time.sleep(rng.uniform(0, 0.02))
    os._exit(0)


def _upload_forever(path: str, url: str, token: str) -> None:
    box = Outbox(path)
    client = DeviceClient(url, token)
    while True:
        upload(box, client, batch=40)
        time.sleep(0.01)


def _sent(path: str) -> int:
    box = Outbox(path)
    try:
        return box.counts()["sent"]
    finally:
        box.close()


def test_kill_9_the_uploader_while_1000_events_are_produced_nothing_lost_nothing_doubled(tmp_path):
    # SQLite only: what is killed is the kiosk's uploader and its outbox; replays reaching the
    # server on PostgreSQL are covered by the tests around it and tests/guide_server/fleet
    fleet = Fleet(tmp_path)
    try:
        name, token = fleet.kiosk("kill-upload")
        path = str(tmp_path / "outbox.db")
        Outbox(path).close()
        ctx = multiprocessing.get_context("fork")
        rng = random.Random(1122)
        producer = ctx.Process(target=_produce, args=(path, 1000, 7))
        producer.start()
        kills = 0
        for _ in range(300):  # bounded; the producer is done long before
            p = ctx.Process(target=_upload_forever, args=(path, fleet.url, token))
            p.start()
            time.sleep(rng.uniform(0.005, 0.15))
            os.kill(p.pid, signal.SIGKILL)
            p.join(10)
            kills += 1
            # on a busy machine an uploader may die before its first batch is answered: go on
            # until some batch got through, or the test would not test a kill mid-upload
            if not producer.is_alive() and kills >= 30 and _sent(path) > 0:
                break
        producer.join(60)
        assert producer.exitcode == 0
        box = Outbox(path)
        mid = box.counts()
        final = upload(box, DeviceClient(fleet.url, token), batch=100)
        assert final.ok and final.remaining == 0
        keys = box.keys()
        rows = server_rows(fleet, name)
        assert len(keys) == 1000
        assert len(rows) == 1000                      # 0 duplicated
        assert {k for k, _ in rows} == set(keys)      # 0 lost
        assert mid["sent"] > 0, "no upload got through before the kills: the test did not test"
        assert box.db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    finally:
        fleet.stop()


# -- queue tickets ---------------------------------------------------------------------------------------

def test_hall_tickets_are_unique_and_consecutive_across_kiosks(fleet):
    tokens = [fleet.kiosk(f"tickets-{i}", hall="票号大厅")[1] for i in range(3)]
    numbers: list[str] = []
    lock = threading.Lock()

    def take(token: str) -> None:
        client = DeviceClient(fleet.url, token)
        for _ in range(15):
            answer = client.ticket("B", os.urandom(8).hex())
            with lock:
                numbers.append(answer["number"])

    threads = [threading.Thread(target=take, args=(t,)) for t in tokens]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert sorted(numbers) == [f"B{i:03d}" for i in range(1, 46)]
    # another hall counts on its own; a retried request gets the same number again
    token = fleet.kiosk("tickets-other", hall="另一个大厅")[1]
    client = DeviceClient(fleet.url, token)
    first = client.ticket("B", "retry-key-0001")
    assert first["number"] == "B001"
    assert client.ticket("B", "retry-key-0001")["number"] == "B001"
    assert client.ticket("B", "retry-key-0002")["number"] == "B002"


def test_offline_tickets_use_the_kiosk_prefix_and_are_reconciled_later(fleet, tmp_path):
    name, token = fleet.kiosk("tickets-offline", hall="对账大厅")
    box = Outbox(tmp_path / "outbox.db")
    queue = Queue("A", "户籍办理")
    now = dt.datetime.now().astimezone()
    online = ServerTicketIssuer(DeviceClient(fleet.url, token), box, tag="K1")
    assert online.issue(queue, now).number == "A001" and online.last_source == "server"
    offline = ServerTicketIssuer(DeviceClient(f"http://127.0.0.1:{free_port()}", token), box, tag="K1")
    local = [offline.issue(queue, now).number for _ in range(2)]
    assert local == ["K1-A001", "K1-A002"] and offline.last_source == "local"
    assert online.issue(queue, now).number == "A002"
    assert upload(box, DeviceClient(fleet.url, token)).ok
    day = now.astimezone(dt.timezone(dt.timedelta(hours=8))).date().isoformat()
    hall = {(t.number, t.source) for t in fleet.service.tickets("对账大厅", day)}
    assert hall == {("A001", "server"), ("A002", "server"), ("K1-A001", "local"), ("K1-A002", "local")}
    # uploading again changes nothing
    ev = [{"key": k, "kind": "ticket", "at": now.isoformat(), "data": {"number": "K1-A001", "queue": "A",
                                                                       "day": day, "source": "local"}}
          for k in box.keys()]
    requests.post(fleet.url + "/api/v1/device/events", json={"events": ev}, timeout=10,
                  headers={"Authorization": f"Bearer {token}"})
    assert len(fleet.service.tickets("对账大厅", day)) == 4


def test_searches_that_found_nothing_reach_the_editors_without_personal_data(fleet, tmp_path):
    import re
    import subprocess

    from tests.kiosk.fleet.conftest import GUIDE_SERVER

    def guide_server(*args, input=None):
        return subprocess.run([GUIDE_SERVER, *args, "--instance", str(fleet.instance)], capture_output=True,
                              text=True, input=input, timeout=60, env=fleet.env())

    name, token = fleet.kiosk("events-search")
    box = Outbox(tmp_path / "outbox.db")
    for q in ("xqxq", "lvyouqianzheng", "xqxq"):
        box.add("search_nohit", {"query": q, "input": "pinyin", "release": "R1"})
    assert upload(box, DeviceClient(fleet.url, token)).sent == 3
    # a kiosk that did not check its queries itself: the server keeps none of these
    bad = [{"key": k * 32, "kind": "search_nohit", "at": "2026-11-22T10:00:00+08:00", "data": {"query": q}}
           for k, q in (("c", "13812345678"), ("d", "shouji1234567"), ("e", ""), ("f", "x" * 40))]
    body = requests.post(fleet.url + "/api/v1/device/events", json={"events": bad}, timeout=10,
                         headers={"Authorization": f"Bearer {token}"}).json()
    assert body["stored"] == 0 and len(body["rejected"]) == 4
    assert "疑似电话号码或证件号码" in body["rejected"][0]["reason"]
    assert "1 到 32 个字符" in body["rejected"][2]["reason"]

    misses = fleet.service.search_misses()
    assert [(m["query"], m["count"], m["kiosks"]) for m in misses] == [("xqxq", 2, 1), ("lvyouqianzheng", 1, 1)]
    out = guide_server("search-misses")
    assert out.returncode == 0, out.stderr
    assert out.stdout.splitlines()[1].startswith("xqxq  2 次  1 台终端  最后 "), out.stdout
    # the admin fleet page lists them too
    password = "correct horse battery 9"
    assert guide_server("users", "add", "missadmin", "--role", "admin", input=password + "\n").returncode == 0
    s = requests.Session()
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', s.get(fleet.url + "/login", timeout=10).text).group(1)
    s.post(fleet.url + "/login", data={"name": "missadmin", "password": password, "csrf_token": csrf},
           headers={"Origin": fleet.url, "Referer": fleet.url + "/login"}, timeout=30)
    page = s.get(fleet.url + "/admin/fleet", timeout=10).text
    assert "搜不到结果的搜索（近 30 天）" in page and "<th scope=\"row\">lvyouqianzheng</th>" in page
