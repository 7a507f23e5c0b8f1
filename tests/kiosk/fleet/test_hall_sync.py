"""Kiosks of two halls on one server: each receives only its hall's guides, signed and
incremental, against a real guide server (gunicorn) over HTTP."""
from __future__ import annotations

import pytest
from click.testing import CliRunner

from guides.loader import load_content
from guides.release import ReleaseStore
from guide_server.cli import main
from kiosk.fleet.device_client import DeviceClient
from kiosk.fleet.sync import sync_once
from tests.kiosk.fleet.conftest import ServerProcess
from tests.support.halls import add_second_hall


@pytest.fixture(scope="module")
def halls_fleet(tmp_path_factory):
    import shutil

    from guide_server.db import Database, default_url
    from guide_server.fleet.service import FleetService
    from tests.conftest import FIXTURES

    root = tmp_path_factory.mktemp("halls-fleet")
    content = add_second_hall(shutil.copytree(FIXTURES / "valid", root / "content"), own_guide=True)
    instance = root / "server"
    ReleaseStore(instance).publish(load_content(content))
    db = Database(default_url(instance.resolve()))
    db.ready()
    server = ServerProcess(instance)
    yield root, content, instance, FleetService(db), server
    server.stop()
    db.engine.dispose()


def _link(halls_fleet, tmp_path, hall: str, name: str):
    import requests

    from guides.signing import key_id, load_or_create_key, public_key_text
    from kiosk.fleet.settings import FleetSettings, save_settings, save_token

    _root, _content, instance, service, server = halls_fleet
    code, _ = service.enroll(hall, name)
    r = requests.post(server.url + "/api/v1/device/enroll", json={"code": code}, timeout=10)
    assert r.status_code == 200, r.text
    token = r.json()["token"]
    pub = public_key_text(load_or_create_key(instance).public_key())
    inst = tmp_path / name
    save_settings(inst, FleetSettings(server=server.url, name=name, hall=hall, tag="K1", public_key=pub,
                                      key_id=key_id(pub)))
    save_token(inst, token)
    return inst, DeviceClient(server.url, token), pub


def test_each_kiosk_gets_only_its_halls_guides_and_then_only_what_changed(halls_fleet, tmp_path):
    root, content, instance, _service, _server = halls_fleet
    town, town_client, pub = _link(halls_fleet, tmp_path, "liushi", "liushi-01")
    city, city_client, _ = _link(halls_fleet, tmp_path, "main", "smzx-01")
    assert sync_once(town, town_client, pub).ok and sync_once(city, city_client, pub).ok

    town_release, city_release = ReleaseStore(town).current(), ReleaseStore(city).current()
    assert sorted(town_release.guides) == ["330382-GA-0001", "330382-SC-0901"]
    assert sorted(city_release.guides) == ["330382-GA-0001", "330382-SC-0001"]
    assert town_release.site.hall_name == "柳市镇便民服务中心"
    assert town_release.site.public_base_url == "https://bs.example.gov.cn/h/liushi"
    assert town_release.guides["330382-GA-0001"].locations[0].window == "3 号窗口"
    assert city_release.guides["330382-GA-0001"].locations[0].window != "3 号窗口"
    assert not town_release.content.halls and not city_release.content.halls  # no other hall's data

    # the town changes its consult phone: its kiosk downloads that one guide, the city's none
    override = content / "halls" / "liushi" / "overrides" / "330382-GA-0001.yaml"
    override.write_text(override.read_text(encoding="utf-8").replace("0577-61111112", "0577-61111119"),
                        encoding="utf-8")
    ReleaseStore(instance).publish(load_content(content))
    town_sync, city_sync = sync_once(town, town_client, pub), sync_once(city, city_client, pub)
    assert town_sync.ok and town_sync.downloaded == ["330382-GA-0001"] and town_sync.reused == 1
    assert city_sync.ok and city_sync.downloaded == [] and city_sync.reused == 2
    assert ReleaseStore(town).current().guides["330382-GA-0001"].contacts.consult == "0577-61111119"
    assert ReleaseStore(city).current().guides["330382-GA-0001"].contacts.consult != "0577-61111119"
    # unchanged poll: 304, nothing downloaded
    again = sync_once(town, town_client, pub)
    assert again.ok and not again.changed and again.bytes == 0


def test_a_kiosk_cannot_fetch_another_halls_guide(halls_fleet, tmp_path):
    import requests

    _root, _content, instance, _service, server = halls_fleet
    _inst, client, _pub = _link(halls_fleet, tmp_path, "main", "smzx-02")
    number = ReleaseStore(instance).current_number()
    r = requests.get(f"{server.url}/api/v1/device/releases/{number}/guides/330382-SC-0901", timeout=5,
                     headers={"Authorization": f"Bearer {client.token}"})
    assert r.status_code == 404 and "330382-SC-0901" in r.json()["error"]["message"]


def test_enroll_to_an_unknown_hall_is_refused(halls_fleet):
    _root, _content, instance, _service, _server = halls_fleet
    result = CliRunner().invoke(main, ["kiosks", "enroll", "--hall", "nowhere", "--name", "x-01",
                                       "--instance", str(instance)])
    assert result.exit_code != 0 and "没有大厅 nowhere" in result.output and "liushi（柳市镇便民服务中心）" in result.output
    ok = CliRunner().invoke(main, ["kiosks", "enroll", "--hall", "liushi", "--name", "liushi-09",
                                   "--instance", str(instance)])
    assert ok.exit_code == 0, ok.output


def test_a_kiosk_whose_hall_left_the_release_keeps_its_release_and_is_told_why(halls_fleet, tmp_path):
    """A township kiosk never silently switches to the city centre's guides, windows and phones:
    when the current release of several halls has no hall of its own (the hall folder was
    removed or renamed), the server answers 409 with the reason and the kiosk keeps the release
    it has."""
    import requests

    _root, content, instance, _service, server = halls_fleet
    store = ReleaseStore(instance)
    store.publish(load_content(content))
    town, client, pub = _link(halls_fleet, tmp_path, "liushi", "liushi-gone")
    first = sync_once(town, client, pub)
    assert first.ok, first.message
    without = load_content(content)
    from dataclasses import replace

    other = without.halls["liushi"]  # the hall renamed: liushi is gone, its kiosks are not silently moved
    gone, _ = store.publish(replace(without, halls={"liushi-new": replace(other, id="liushi-new")}))
    try:
        again = sync_once(town, client, pub)
        assert not again.ok
        assert "本终端登记在大厅 liushi" in again.message and f"R{gone.number} 中没有这个大厅" in again.message
        assert ReleaseStore(town).current().number == first.number
        assert ReleaseStore(town).current().site.hall_name == "柳市镇便民服务中心"
        from kiosk.fleet.hooks import offline_label
        from kiosk.fleet.sync import refused_reason

        assert "没有这个大厅" in refused_reason(town)  # what the heartbeat reports to the fleet list
        assert offline_label(town).startswith("内容未更新（大厅不在新版本中）")
        token = (town / "device-token").read_text(encoding="utf-8").strip()
        r = requests.get(server.url + "/api/v1/device/manifest", headers={"Authorization": f"Bearer {token}"},
                         timeout=10)
        assert r.status_code == 409 and "没有这个大厅" in r.json()["error"]["message"]
    finally:
        store.publish(load_content(content))  # the other tests of this module expect the hall back
