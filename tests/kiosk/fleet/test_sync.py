"""Content sync against a real guide server: 304 polls, only changed guides, signature and
hash checks, offline operation, and kill -9 at random moments."""
from __future__ import annotations

import json
import logging
import multiprocessing
import os
import random
import signal
import statistics
import time

import pytest
import requests

from guides.release import ReleaseStore
from kiosk.content import load_kiosk_content
from kiosk.fleet.device_client import DeviceClient
from kiosk.fleet.sync import boot_release, offline_since, read_state, sync_once
from tests.kiosk.fleet.conftest import Fleet, TamperProxy, free_port


@pytest.fixture
def kiosk(fleet, tmp_path, request):
    inst = tmp_path / "kiosk"
    kiosk.n = getattr(kiosk, "n", 0) + 1
    settings, token = fleet.link(inst, f"sync-{kiosk.n}-{request.node.originalname[5:30]}")
    return inst, settings, token


def test_unchanged_poll_is_a_304_with_no_body(fleet, kiosk):
    inst, settings, token = kiosk
    first = sync_once(inst, DeviceClient(fleet.url, token), settings.public_key)
    assert first.ok and first.changed and first.number == fleet.store.current_number()
    etag = read_state(inst)["etag"]
    r = requests.get(fleet.url + "/api/v1/device/manifest", timeout=5,
                     headers={"Authorization": f"Bearer {token}", "If-None-Match": etag})
    assert r.status_code == 304 and r.content == b""
    client = DeviceClient(fleet.url, token)
    again = sync_once(inst, client, settings.public_key)
    assert again.ok and not again.changed and again.bytes == 0
    assert "没有变化" in again.message


def test_a_changed_guide_is_the_only_download_and_the_kiosk_matches_the_server(fleet, kiosk):
    inst, settings, token = kiosk
    client = DeviceClient(fleet.url, token)
    assert sync_once(inst, client, settings.public_key).ok
    before = ReleaseStore(inst).current()
    new = fleet.publish(1)  # every third guide renamed: one of the two fixture guides
    changed = sorted(c for c, h in new.guide_hashes.items() if before.guide_hashes.get(c) != h)
    assert changed and len(changed) < len(new.guides)
    result = sync_once(inst, client, settings.public_key)
    assert result.ok and result.changed and result.number == new.number
    assert result.downloaded == changed and result.reused == len(new.guides) - len(changed)
    assert result.previous == before.number
    mine = ReleaseStore(inst).current()
    assert mine.number == new.number and mine.hash == new.hash
    assert mine.stamp == new.stamp
    # the previous release is kept to fall back on
    assert ReleaseStore(inst).numbers()[-2:] == [before.number, new.number]


def test_a_changed_site_is_downloaded_and_verified(fleet, kiosk):
    inst, settings, token = kiosk
    client = DeviceClient(fleet.url, token)
    assert sync_once(inst, client, settings.public_key).ok
    new = fleet.publish(0, hall="新的大厅名称")
    result = sync_once(inst, client, settings.public_key)
    assert result.ok and result.number == new.number and "site" in result.downloaded
    assert ReleaseStore(inst).current().site.hall_name == "新的大厅名称"


# variant k renames the guides at positions i % 3 == k % 3: with the two fixture guides,
# k % 3 in (0, 1) always renames one, and a k never used before makes a new text
_NEW_NAMES = iter(k for k in range(100, 1000) if k % 3 != 2)


@pytest.mark.parametrize("mode, reason", [
    ("manifest", "签名验证失败"),
    ("foreign_key", "另一把密钥"),
    ("unsigned", "没有签名"),
    ("truncate_guide", "哈希不符"),
    ("flip_guide", "哈希不符"),
    ("flip_site", "哈希不符"),
])
def test_a_spoiled_release_is_rejected_and_the_kiosk_stays_on_its_last_good_one(fleet, kiosk, mode, reason, caplog):
    inst, settings, token = kiosk
    proxy = TamperProxy(fleet.url)
    try:
        client = DeviceClient(proxy.url, token)
        good = sync_once(inst, client, settings.public_key)
        assert good.ok
        fleet.publish(next(_NEW_NAMES), hall=f"大厅 {mode}")  # new guide texts and a new site
        proxy.mode = mode
        with caplog.at_level(logging.ERROR, logger="kiosk.fleet.sync"):
            bad = sync_once(inst, client, settings.public_key)
    finally:
        proxy.stop()
    assert not bad.ok and not bad.changed
    assert reason in bad.message and f"R{good.number}" in bad.message
    assert any(reason in r.getMessage() for r in caplog.records)
    assert read_state(inst)["last_error"] and reason in read_state(inst)["last_error"]
    booted = boot_release(inst)
    assert booted.ok and booted.release.number == good.number
    assert ReleaseStore(inst).current().hash == good_hash(fleet, good.number)


def good_hash(fleet: Fleet, number: int) -> str:
    return fleet.store.manifest(number)["hash"]


def test_offline_the_kiosk_keeps_its_release_and_knows_since_when(fleet, kiosk):
    inst, settings, token = kiosk
    assert sync_once(inst, DeviceClient(fleet.url, token), settings.public_key).ok
    dead = DeviceClient(f"http://127.0.0.1:{free_port()}", token)
    first = sync_once(inst, dead, settings.public_key)
    since = offline_since(inst)
    assert first.offline and not first.ok and "无法连接服务器" in first.message
    assert since is not None
    time.sleep(1.1)
    second = sync_once(inst, dead, settings.public_key)
    assert second.offline and offline_since(inst) == since  # since the first failure, not the latest
    content = load_kiosk_content(None, inst)
    assert content.ok and content.release.number == first.number
    assert sync_once(inst, DeviceClient(fleet.url, token), settings.public_key).ok
    assert offline_since(inst) is None


def test_a_revoked_kiosk_cannot_sync(fleet, kiosk):
    inst, settings, token = kiosk
    assert sync_once(inst, DeviceClient(fleet.url, token), settings.public_key).ok
    fleet.service.revoke(settings.name)
    r = requests.get(fleet.url + "/api/v1/device/manifest", headers={"Authorization": f"Bearer {token}"}, timeout=5)
    assert r.status_code == 403 and "被停用" in r.json()["error"]["message"]
    result = sync_once(inst, DeviceClient(fleet.url, token), settings.public_key)
    assert not result.ok and "被停用" in result.message
    assert load_kiosk_content(None, inst).ok
    r = requests.get(fleet.url + "/api/v1/device/manifest", headers={"Authorization": "Bearer 1.forged"}, timeout=5)
    assert r.status_code == 401 and "凭证" in r.json()["error"]["message"]


# -- kill -9 ----------------------------------------------------------------------------------------

def _child_sync(inst, url, token, public_key):
    sync_once(inst, DeviceClient(url, token), public_key)
    os._exit(0)


def test_kill_9_at_random_moments_every_restart_boots_a_valid_release(tmp_path):
    """100 times: the server's current release changes, a sync process starts and is killed
    with SIGKILL after a random delay; then the kiosk restarts (repair + load) and must boot a
    complete, verified release, either the old one or the new one."""
    fleet = Fleet(tmp_path, extra=10)  # 12 guides: a pass has several steps to die in
    try:
        numbers = [fleet.publish(k).number for k in (1, 2, 3)]
        numbers.insert(0, numbers[0] - 1)
        hashes = {n: fleet.store.manifest(n)["hash"] for n in numbers}
        inst = tmp_path / "kiosk"
        settings, token = fleet.link(inst, "kill-sync")
        ctx = multiprocessing.get_context("fork")
        rng = random.Random(20261122)

        def switch_server():
            current = ReleaseStore(inst).current_number()
            fleet.store.rollback(rng.choice([n for n in numbers if n != current]))

        durations = []
        for _ in range(5):  # how long an uninterrupted pass takes here, to aim the kills
            switch_server()
            t0 = time.perf_counter()
            p = ctx.Process(target=_child_sync, args=(inst, fleet.url, token, settings.public_key))
            p.start()
            p.join(30)
            durations.append(time.perf_counter() - t0)
        window = statistics.median(durations) * 1.3

        killed = finished = 0
        for _ in range(100):
            switch_server()
            p = ctx.Process(target=_child_sync, args=(inst, fleet.url, token, settings.public_key))
            p.start()
            time.sleep(rng.uniform(0, window))
            if p.is_alive():
                os.kill(p.pid, signal.SIGKILL)
            p.join(30)
            assert p.exitcode is not None
            killed += p.exitcode == -signal.SIGKILL
            finished += p.exitcode == 0
            booted = boot_release(inst)
            assert booted.ok, booted.problem
            assert booted.release.number in hashes
            assert booted.release.hash == hashes[booted.release.number]
            leftovers = [x.name for x in (inst / "releases").iterdir() if x.name.startswith(".tmp-")]
            assert leftovers == []
        print(f"kill -9: {killed} killed mid-pass, {finished} finished, window {window:.3f} s")
        assert killed >= 10, f"only {killed} of 100 passes were killed mid-way: the test did not test"
        assert finished >= 1
        final = sync_once(inst, DeviceClient(fleet.url, token), settings.public_key)
        assert final.ok and ReleaseStore(inst).current().hash == hashes[fleet.store.current_number()]
    finally:
        fleet.stop()
