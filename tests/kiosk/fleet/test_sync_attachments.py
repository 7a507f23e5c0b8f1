"""Kiosk sync of attachments (blank forms, samples) and of content formats, against a real guide
server: the signed manifest lists every attachment with its SHA-256 and size; the kiosk fetches
only the ones that changed, checks them, and keeps them inside its release folder; a release in
a content format the kiosk does not read is refused, and the kiosk says why until it is updated."""
from __future__ import annotations

import shutil

import pytest

from guides.loader import load_content
from guides.release import ReleaseStore, sha256
from guides.signing import load_or_create_key
from kiosk.content import load_kiosk_content
from kiosk.fleet.device_client import DeviceClient
from kiosk.fleet.heartbeat import collect
from kiosk.fleet.hooks import offline_label
from kiosk.fleet.sync import read_state, sync_once
from tests.conftest import FIXTURES
from tests.kiosk.fleet.conftest import TamperProxy

FORM = "shenling-biao.pdf"
PDF = (FIXTURES / "valid" / "forms" / FORM).read_bytes()


@pytest.fixture
def kiosk(fleet, tmp_path, request):
    inst = tmp_path / "kiosk"
    kiosk.n = getattr(kiosk, "n", 0) + 1
    settings, token = fleet.link(inst, f"forms-{kiosk.n}-{request.node.originalname[5:28]}")
    return inst, settings, token


@pytest.fixture
def proxy(fleet):
    p = TamperProxy(fleet.url)
    yield p
    p.stop()


def _content_with_new_forms(tmp_path, pdf_tail: bytes):
    """The fixture content with the blank form changed (a PDF comment appended) and a new sample
    of it on the 补领 identity group."""
    content = tmp_path / "content-forms"
    shutil.copytree(FIXTURES / "valid", content)
    (content / "forms" / FORM).write_bytes(PDF + pdf_tail)
    (content / "forms" / "yangbiao.pdf").write_bytes(PDF + b"%sample\n")
    guide = content / "guides" / "330382-GA-0001.yaml"
    text = guide.read_text(encoding="utf-8")
    guide.write_text(text.replace(f"blank_form: {FORM}}}", f"blank_form: {FORM}, sample: yangbiao.pdf}}"),
                     encoding="utf-8")
    return load_content(content)


def test_manifest_lists_attachments_and_the_kiosk_keeps_them_beside_its_release(fleet, kiosk):
    inst, settings, token = kiosk
    result = sync_once(inst, DeviceClient(fleet.url, token), settings.public_key)
    assert result.ok and result.forms_downloaded == [FORM] and "附件下载 1 个" in result.message
    store = ReleaseStore(inst)
    manifest = store.manifest(result.number)
    assert manifest["attachments"] == {FORM: sha256(PDF)} and manifest["attachment_sizes"] == {FORM: len(PDF)}
    assert (store.folder(result.number) / "forms" / FORM).read_bytes() == PDF
    # the kiosk app's loader finds them: the release's forms/ folder
    shown = load_kiosk_content(None, inst)
    assert (shown.release.content.forms / FORM).read_bytes() == PDF


def test_only_changed_attachments_are_downloaded(fleet, kiosk, tmp_path):
    inst, settings, token = kiosk
    client = DeviceClient(fleet.url, token)
    assert sync_once(inst, client, settings.public_key).ok
    # a guide renamed, the form unchanged: reused from the kiosk's own copy, not fetched
    new = fleet.publish(1)
    result = sync_once(inst, client, settings.public_key)
    assert result.ok and result.number == new.number
    assert result.forms_downloaded == [] and result.forms_reused == 1
    assert (ReleaseStore(inst).folder(new.number) / "forms" / FORM).read_bytes() == PDF
    # the form changed and a sample added: both fetched, nothing else
    release, created = fleet.store.publish(_content_with_new_forms(tmp_path, b"%rev 2\n"))
    assert created
    result = sync_once(inst, client, settings.public_key)
    assert result.ok and result.number == release.number
    assert result.forms_downloaded == [FORM, "yangbiao.pdf"] and result.forms_reused == 0
    store = ReleaseStore(inst)
    assert store.attachment(release.number, FORM) == PDF + b"%rev 2\n"
    assert store.attachment(release.number, "yangbiao.pdf") == PDF + b"%sample\n"
    # the previous release keeps its own copy of the old form
    assert store.attachment(new.number, FORM) == PDF
    fleet.publish(0)  # back to the fixture's forms for the other tests


@pytest.mark.parametrize("mode, reason", [("truncate_form", "大小"), ("flip_form", "哈希不符")])
def test_a_spoilt_attachment_is_refused_and_the_kiosk_keeps_its_release(fleet, kiosk, proxy, tmp_path, mode,
                                                                        reason):
    inst, settings, token = kiosk
    client = DeviceClient(proxy.url, token)
    before = sync_once(inst, client, settings.public_key)
    assert before.ok
    release, _created = fleet.store.publish(_content_with_new_forms(tmp_path, f"%{mode}\n".encode()))
    proxy.mode = mode
    result = sync_once(inst, client, settings.public_key)
    assert not result.ok and reason in result.message and FORM in result.message
    assert f"继续使用上一个可用版本 R{before.number}" in result.message
    store = ReleaseStore(inst)
    assert store.current_number() == before.number and release.number not in store.numbers()
    assert not list(store.root.glob(".tmp-*"))
    proxy.mode = None
    healed = sync_once(inst, client, settings.public_key)
    assert healed.ok and store.attachment(release.number, FORM) == PDF + f"%{mode}\n".encode()
    fleet.publish(0)


def test_a_newer_content_format_is_refused_and_reported_until_the_kiosk_can_read_it(fleet, kiosk, proxy):
    inst, settings, token = kiosk
    client = DeviceClient(proxy.url, token)
    held = sync_once(inst, client, settings.public_key)
    assert held.ok
    new = fleet.publish(4)
    assert new.number != held.number
    proxy.mode, proxy.signing_key = "newer_schema", load_or_create_key(fleet.instance)
    proxy.log.clear()
    for _ in range(2):  # every pass refuses it again, and says so
        result = sync_once(inst, client, settings.public_key)
        want = f"内容格式版本 3 高于本机支持的 2，请升级终端软件；继续使用上一版内容 R{held.number}"
        assert not result.ok and want in result.message
        assert ReleaseStore(inst).current_number() == held.number
        assert read_state(inst)["refused"]["reason"] == want
    assert [p for p, _s, _b in proxy.log if "/manifest" not in p] == []  # nothing but the manifest fetched
    # the screen's notice says the content may be old, and why in short
    assert offline_label(inst) == "内容未更新（本机软件需升级）· 内容可能不是最新，以窗口为准"
    # the heartbeat carries the reason, and the fleet page shows it as an alert
    beat = collect(inst, 0)
    assert beat["content_refused"] == want and beat["release"] == held.number
    client.heartbeat(beat)
    row = next(k for k in fleet.service.status(new.number) if k["name"] == settings.name)
    assert row["content_refused"] == want
    assert {"code": "content_format", "level": "error", "text": want} in row["alerts"]
    # once the kiosk can read what the server sends (here: the server's own format), it catches up
    proxy.mode = None
    result = sync_once(inst, client, settings.public_key)
    assert result.ok and result.number == new.number and "refused" not in {k for k, v in read_state(inst).items() if v}
    beat = collect(inst, 0)
    assert "content_refused" not in beat and offline_label(inst) == ""
    client.heartbeat(beat)
    row = next(k for k in fleet.service.status(new.number) if k["name"] == settings.name)
    assert row["content_refused"] is None and not [a for a in row["alerts"] if a["code"] == "content_format"]


def test_a_kiosk_of_an_older_format_keeps_its_release(fleet, kiosk, monkeypatch):
    """A kiosk program that reads content format 1 offered the server's format 2."""
    import kiosk.fleet.sync as sync

    inst, settings, token = kiosk
    client = DeviceClient(fleet.url, token)
    held = sync_once(inst, client, settings.public_key)
    assert held.ok
    assert fleet.publish(7).number != held.number
    monkeypatch.setattr(sync, "SUPPORTED_SCHEMA", 1)
    result = sync_once(inst, client, settings.public_key)
    assert not result.ok
    assert f"内容格式版本 2 高于本机支持的 1，请升级终端软件；继续使用上一版内容 R{held.number}" in result.message
    assert ReleaseStore(inst).current_number() == held.number
    assert load_kiosk_content(None, inst).release.number == held.number


def test_attachment_endpoint_serves_only_listed_files_to_enrolled_kiosks(fleet, kiosk):
    import requests

    _inst, _settings, token = kiosk
    number = fleet.store.current_number()
    url = f"{fleet.url}/api/v1/device/releases/{number}/forms/"
    auth = {"Authorization": f"Bearer {token}"}
    r = requests.get(url + FORM, headers=auth, timeout=10)
    assert r.status_code == 200 and r.content == PDF
    assert r.headers["Content-Type"] == "application/octet-stream"
    r = requests.get(url + "nothing.pdf", headers=auth, timeout=10)
    assert r.status_code == 404 and r.json()["error"]["message"] == f"版本 R{number} 中没有附件 nothing.pdf。"
    r = requests.get(url + "..%2Fmanifest.json", headers=auth, timeout=10)
    assert r.status_code == 404 and "没有附件" in r.json()["error"]["message"]
    assert requests.get(url + FORM, timeout=10).status_code == 401
    r = requests.get(f"{fleet.url}/api/v1/device/releases/9999/forms/{FORM}", headers=auth, timeout=10)
    assert r.status_code == 404 and r.json()["error"]["message"] == "没有版本 R9999。"
