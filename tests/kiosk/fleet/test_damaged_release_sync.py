"""A server whose current several-hall release has a damaged parts.json or hall part, seen from a
kiosk of a hall: the device API must not answer 500 (the phone pages say 503 暂时无法访问), and
`kiosk sync` prints one well-punctuated Chinese sentence and keeps its last good release."""
from __future__ import annotations

import os
import re

import pytest
import requests

from guides.loader import load_content
from guides.release import ReleaseStore
from kiosk.fleet.sync import sync_once
from tests.kiosk.fleet.test_hall_sync import _link, halls_fleet  # noqa: F401  (module fixture)


def _publish(halls_fleet, window: str):
    _root, content, instance, _service, _server = halls_fleet
    override = content / "halls" / "liushi" / "overrides" / "330382-GA-0001.yaml"
    override.write_text(re.sub(r"\d+ 号窗口", f"{window} 号窗口", override.read_text(encoding="utf-8")),
                        encoding="utf-8")
    store = ReleaseStore(instance)
    release, _ = store.publish(load_content(content))
    return store, release


def _damage_next_release(halls_fleet, name: str, window: str) -> None:
    store, release = _publish(halls_fleet, window)
    path = store.folder(release.number) / name
    os.chmod(path.parent, 0o755)
    path.chmod(0o644)
    path.write_bytes(path.read_bytes().replace(b"[", b"[1", 1))


def _linked_then_damaged(halls_fleet, tmp_path, name: str, kiosk: str, window: str):
    _publish(halls_fleet, "1" + window)  # a good current release first (an earlier test left a damaged one)
    town, client, pub = _link(halls_fleet, tmp_path, "liushi", kiosk)
    first = sync_once(town, client, pub)
    assert first.ok, first.message
    _damage_next_release(halls_fleet, name, window)
    return town, client, pub, first


@pytest.mark.parametrize("name, window", [("parts.json", "5"), ("halls/liushi.json", "6")])
def test_the_device_manifest_of_a_damaged_release_is_not_a_500(halls_fleet, tmp_path, name, window):
    server = halls_fleet[4]
    town, _client, _pub, _first = _linked_then_damaged(halls_fleet, tmp_path, name, f"dmg-{window}", window)
    token = (town / "device-token").read_text(encoding="utf-8").strip()
    r = requests.get(server.url + "/api/v1/device/manifest", headers={"Authorization": f"Bearer {token}"},
                     timeout=10)
    assert r.status_code != 500, (r.status_code, r.text)
    assert "服务器" in r.json()["error"]["message"]


def test_kiosk_sync_says_it_keeps_its_release_in_one_well_punctuated_sentence(halls_fleet, tmp_path):
    town, client, pub, first = _linked_then_damaged(halls_fleet, tmp_path, "parts.json", "dmg-msg", "7")
    again = sync_once(town, client, pub)
    assert not again.ok and f"R{first.number}" in again.message
    assert "。；" not in again.message, again.message
