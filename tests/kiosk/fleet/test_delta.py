"""Manifest deltas and ETags against a real guide server: a kiosk that holds release N polls
``/manifest?base=N`` and gets the new manifest as a delta against N (guides.sync_format),
rebuilds the full manifest and verifies its signature; weak ETags (nginx) still get 304s."""
from __future__ import annotations

import gzip
import json
import logging
import os
import shutil

import pytest
import requests

from guides.release import ReleaseStore, canonical_json
from guides.signing import verify_envelope
from kiosk.fleet.device_client import DeviceClient
from kiosk.fleet.sync import read_state, sync_once
from tests.kiosk.fleet.conftest import Fleet, TamperProxy, variant

EXTRA = 60  # 62 guides: a full manifest is several KB, a one-guide delta a few hundred bytes
MANIFEST = "/api/v1/device/manifest"


@pytest.fixture(scope="module")
def fleet(tmp_path_factory):
    f = Fleet(tmp_path_factory.mktemp("delta-fleet"), extra=EXTRA)
    yield f
    f.stop()


@pytest.fixture
def proxy(fleet):
    p = TamperProxy(fleet.url)
    yield p
    p.stop()


@pytest.fixture
def kiosk(fleet, tmp_path, request):
    inst = tmp_path / "kiosk"
    kiosk.n = getattr(kiosk, "n", 0) + 1
    settings, token = fleet.link(inst, f"delta-{kiosk.n}-{request.node.originalname[5:30]}")
    return inst, settings, token


_MARKS = iter(range(1, 10_000))


def publish(fleet: Fleet, *, change=(), add: int = 0, remove=()):
    """A release that differs from the current one exactly as asked: guides of `change`
    renamed, `add` new guides, the guides of `remove` gone."""
    content = ReleaseStore(fleet.instance).current().content
    guides = dict(content.guides)
    for code in change:
        guides[code] = guides[code].model_copy(update={"name": guides[code].name + f"（修订 {next(_MARKS)}）"})
    base = sorted(guides)[0]
    for _ in range(add):
        n = next(_MARKS)
        code = f"330382-ZX-{n:04d}"
        guides[code] = guides[base].model_copy(update={"code": code, "name": f"新增事项 {n}"})
    for code in remove:
        del guides[code]
    release, created = fleet.store.publish(content.__class__(site=content.site, categories=content.categories,
                                                             guides=guides, retired=content.retired))
    assert created
    return release


def copies(fleet: Fleet) -> list[str]:
    """Codes of the extra copies in the current release (safe to change or remove)."""
    return sorted(c for c in fleet.store.current().guides if "-ZX-" not in c and int(c[-4:]) >= 9000)


def get_manifest(fleet: Fleet, token: str, base=None, etag=None, gz=True) -> requests.Response:
    headers = {"Authorization": f"Bearer {token}", "Accept-Encoding": "gzip" if gz else "identity"}
    if etag:
        headers["If-None-Match"] = etag
    return requests.get(fleet.url + MANIFEST, params={"base": base} if base is not None else None,
                        headers=headers, timeout=10)


def manifest_answers(proxy: TamperProxy) -> list[tuple[str, int, int]]:
    return [x for x in proxy.log if x[0].split("?")[0].endswith("/manifest")]


# -- the happy paths ---------------------------------------------------------------------------------

def test_after_one_change_the_kiosk_downloads_a_small_delta_and_that_guide_only(fleet, kiosk, proxy):
    inst, settings, token = kiosk
    client = DeviceClient(proxy.url, token)
    first = sync_once(inst, client, settings.public_key)
    assert first.ok and first.changed and first.delta_base is None  # nothing to build on yet
    full_size = manifest_answers(proxy)[-1][2]
    code = copies(fleet)[3]
    new = publish(fleet, change=[code])
    proxy.log.clear()
    result = sync_once(inst, client, settings.public_key)
    assert result.ok and result.changed and result.number == new.number
    assert result.delta_base == first.number and result.downloaded == [code]
    assert result.reused == len(new.guides) - 1
    paths = [p for p, _s, _n in proxy.log]
    assert paths == [f"{MANIFEST}?base={first.number}", f"/api/v1/device/releases/{new.number}/guides/{code}"]
    delta_size = manifest_answers(proxy)[0][2]
    assert delta_size < 1000 < full_size and delta_size * 5 < full_size, (delta_size, full_size)
    # the kiosk holds exactly the server's release, and its stored envelope is the full signed one
    mine = ReleaseStore(inst).current()
    assert mine.number == new.number and mine.hash == new.hash
    stored = json.loads((ReleaseStore(inst).folder(new.number) / "signature.json").read_bytes())
    assert "delta" not in stored
    assert verify_envelope(stored, settings.public_key) == fleet.store.manifest(new.number)
    # and the very next poll is a 304: the kiosk's delta representation is selected for it
    proxy.log.clear()
    again = sync_once(inst, client, settings.public_key)
    assert again.ok and not again.changed and again.bytes == 0
    assert manifest_answers(proxy) == [(f"{MANIFEST}?base={new.number}", 304, 0)]


def test_a_kiosk_two_releases_behind_gets_one_correct_delta(fleet, kiosk, proxy):
    inst, settings, token = kiosk
    client = DeviceClient(proxy.url, token)
    first = sync_once(inst, client, settings.public_key)
    assert first.ok
    c = copies(fleet)
    publish(fleet, change=[c[0]])
    newest = publish(fleet, change=[c[1]], add=1, remove=[c[2]])
    added = sorted(set(newest.guides) - set(fleet.store.load(first.number).guides))
    assert len(added) == 1
    proxy.log.clear()
    result = sync_once(inst, client, settings.public_key)
    assert result.ok and result.number == newest.number and result.delta_base == first.number
    assert result.downloaded == sorted([c[0], c[1], *added])
    delta = get_manifest(fleet, token, base=first.number).json()["delta"]
    assert delta["base"] == first.number and delta["fields"]["number"] == newest.number
    assert sorted(delta["changed"]) == sorted([c[0], c[1], *added]) and delta["removed"] == [c[2]]
    mine = ReleaseStore(inst).current()
    assert mine.hash == newest.hash and c[2] not in mine.guides and added[0] in mine.guides
    assert [p for p, _s, _n in manifest_answers(proxy)] == [f"{MANIFEST}?base={first.number}"]


def test_an_unknown_base_gets_the_full_manifest(fleet, kiosk, proxy):
    inst, settings, token = kiosk
    number = fleet.store.current_number()
    full = get_manifest(fleet, token)
    for base in (9999, 0):
        r = get_manifest(fleet, token, base=base)
        assert r.status_code == 200 and "manifest" in r.json() and "delta" not in r.json()
        assert r.content == full.content and r.headers["ETag"] == full.headers["ETag"]
    for base in ("abc", -1, "٣", "²"):  # not a number in ASCII digits: refused, never guessed
        r = get_manifest(fleet, token, base=base)
        assert r.status_code == 400 and "参数 base 应为" in r.json()["error"]["message"]
    # a kiosk whose release the server no longer has: the server answers the full manifest
    client = DeviceClient(proxy.url, token)
    first = sync_once(inst, client, settings.public_key)
    assert first.ok and first.number == number
    code = copies(fleet)[5]
    new = publish(fleet, change=[code])
    folder = fleet.store.folder(number)
    os.chmod(folder, 0o755)
    shutil.rmtree(folder)
    proxy.log.clear()
    result = sync_once(inst, client, settings.public_key)
    assert result.ok and result.number == new.number and result.delta_base is None
    assert result.downloaded == [code]  # still only the changed guide
    assert manifest_answers(proxy)[0][:2] == (f"{MANIFEST}?base={number}", 200)
    assert ReleaseStore(inst).current().hash == new.hash


def test_a_delta_against_another_copy_of_the_base_makes_the_kiosk_fetch_the_full_manifest(fleet, kiosk, proxy,
                                                                                          caplog):
    """A delta whose base_hash is not the kiosk's copy of that release (a renumbered server)."""
    inst, settings, token = kiosk
    client = DeviceClient(proxy.url, token)
    first = sync_once(inst, client, settings.public_key)
    assert first.ok
    new = publish(fleet, change=[copies(fleet)[6]])
    proxy.mode = "delta_base_hash"
    proxy.log.clear()
    with caplog.at_level(logging.WARNING, logger="kiosk.fleet.sync"):
        result = sync_once(inst, client, settings.public_key)
    assert result.ok and result.number == new.number and result.delta_base is None
    assert [p for p, _s, _n in manifest_answers(proxy)] == [f"{MANIFEST}?base={first.number}", MANIFEST]
    assert any("增量版本清单基于" in r.getMessage() for r in caplog.records)
    assert ReleaseStore(inst).current().hash == new.hash


# -- tampered deltas ---------------------------------------------------------------------------------

@pytest.mark.parametrize("mode", ["delta_hash", "delta_add", "delta_remove", "manifest"])
def test_a_tampered_delta_is_rejected_and_the_kiosk_stays_on_its_release(fleet, kiosk, proxy, mode, caplog):
    inst, settings, token = kiosk
    client = DeviceClient(proxy.url, token)
    good = sync_once(inst, client, settings.public_key)
    assert good.ok
    c = copies(fleet)
    publish(fleet, change=[c[7]])
    proxy.remove_code = c[8]  # unchanged guide of the kiosk's release
    proxy.mode = mode
    proxy.log.clear()
    with caplog.at_level(logging.ERROR, logger="kiosk.fleet.sync"):
        bad = sync_once(inst, client, settings.public_key)
    assert proxy.log and proxy.log[0][0] == f"{MANIFEST}?base={good.number}"
    assert not bad.ok and not bad.changed
    reason = "签名验证失败"
    assert reason in bad.message and f"增量版本清单，基于 R{good.number}" in bad.message
    assert f"R{good.number}" in bad.message.split("；")[-1]
    assert any(reason in r.getMessage() and "增量" in r.getMessage() for r in caplog.records)
    assert reason in read_state(inst)["last_error"]
    assert len(proxy.log) == 1  # no guide downloaded for a manifest that did not verify
    mine = ReleaseStore(inst).current()
    assert mine.number == good.number and mine.hash == fleet.store.manifest(good.number)["hash"]
    # untampered, the same kiosk catches up through a delta
    proxy.mode = None
    ok = sync_once(inst, client, settings.public_key)
    assert ok.ok and ok.delta_base == good.number and ReleaseStore(inst).current().hash == fleet.store.current().hash


# -- ETags -------------------------------------------------------------------------------------------

def test_each_manifest_body_has_its_own_etag_and_304s_follow_it(fleet, kiosk):
    _inst, _settings, token = kiosk
    old = fleet.store.current_number()
    new = publish(fleet, change=[copies(fleet)[9]]).number
    answers = {(base, gz): get_manifest(fleet, token, base=base, gz=gz) for base in (None, old, new)
               for gz in (False, True)}
    tags = {k: r.headers["ETag"] for k, r in answers.items()}
    assert len(set(tags.values())) == 6  # six different bodies, six different ETags
    assert all(r.status_code == 200 for r in answers.values())
    assert tags[(old, True)].endswith(f'-d{old}-gz"') and "-d" not in tags[(None, False)]
    assert answers[(old, True)].headers["Content-Encoding"] == "gzip"
    # the bodies are what their ETags say: identity and gzip carry the same JSON
    assert answers[(old, False)].content == answers[(old, True)].content  # requests decompresses
    empty = answers[(new, True)].json()["delta"]
    assert empty["changed"] == {} and empty["removed"] == [] and empty["base"] == new
    # a conditional request with the tag of the body the client holds: 304
    for (base, gz), tag in tags.items():
        r = get_manifest(fleet, token, base=base, etag=tag, gz=gz)
        assert r.status_code == 304 and r.content == b"" and r.headers["ETag"] == tag
    # the tag of another body, for a kiosk still on the old release: the delta, not a 304
    r = get_manifest(fleet, token, base=old, etag=tags[(None, True)])
    assert r.status_code == 200 and r.headers["ETag"] == tags[(old, True)]
    # a kiosk on the current release holding any representation of it: 304 with that tag
    r = get_manifest(fleet, token, base=new, etag=tags[(old, True)])
    assert r.status_code == 304 and r.headers["ETag"] == tags[(old, True)]
    # ... but not one in another encoding, nor one of an older release
    assert get_manifest(fleet, token, base=new, etag=tags[(old, False)]).status_code == 200
    older = f'"R{old}-{fleet.store.manifest(old)["hash"][:24]}-gz"'
    assert get_manifest(fleet, token, base=new, etag=older).status_code == 200
    # the compressed body on the wire is gzip of the identity body
    raw = requests.get(fleet.url + MANIFEST, params={"base": old}, stream=True, timeout=10,
                       headers={"Authorization": f"Bearer {token}", "Accept-Encoding": "gzip"})
    assert gzip.decompress(raw.raw.read()) == answers[(old, False)].content


def test_a_weak_etag_round_trips_to_a_304(fleet, kiosk, proxy):
    """Behind nginx with gzip on, the ETag arrives weak (W/"…"): the kiosk stores it as it came,
    sends it back verbatim, and the server compares weakly."""
    inst, settings, token = kiosk
    proxy.weak_etags = True
    client = DeviceClient(proxy.url, token)
    first = sync_once(inst, client, settings.public_key)
    assert first.ok and first.changed
    stored = read_state(inst)["etag"]
    assert stored.startswith('W/"R') and stored.endswith('-gz"')
    proxy.log.clear()
    again = sync_once(inst, client, settings.public_key)
    assert again.ok and not again.changed and again.bytes == 0
    assert [s for _p, s, _n in manifest_answers(proxy)] == [304]
    # straight to the server, too
    r = get_manifest(fleet, token, base=first.number, etag=stored)
    assert r.status_code == 304 and r.content == b""
    # after a delta catch-up through the weakening proxy, the next poll is a 304 again
    publish(fleet, change=[copies(fleet)[10]])
    caught = sync_once(inst, client, settings.public_key)
    assert caught.ok and caught.changed and caught.delta_base == first.number
    assert read_state(inst)["etag"].startswith('W/"') and f"-d{first.number}-gz" in read_state(inst)["etag"]
    proxy.log.clear()
    last = sync_once(inst, client, settings.public_key)
    assert last.ok and not last.changed and last.bytes == 0
    assert [s for _p, s, _n in manifest_answers(proxy)] == [304]


def test_an_etag_stored_without_quotes_by_an_older_kiosk_still_gets_a_304(fleet, kiosk):
    inst, settings, token = kiosk
    client = DeviceClient(fleet.url, token)
    assert sync_once(inst, client, settings.public_key).ok
    state_file = inst / "sync-state.json"
    state = json.loads(state_file.read_text())
    state["etag"] = state["etag"].strip('"')
    state_file.write_text(json.dumps(state))
    again = sync_once(inst, client, settings.public_key)
    assert again.ok and not again.changed and again.bytes == 0


def test_the_delta_signature_is_the_full_manifests(fleet, kiosk):
    _inst, settings, token = kiosk
    old = fleet.store.current_number()
    new = publish(fleet, change=[copies(fleet)[11]]).number
    full = get_manifest(fleet, token).json()
    delta = get_manifest(fleet, token, base=old).json()
    assert delta["signature"] == full["signature"] and delta["key_id"] == full["key_id"]
    from guides.sync_format import apply_delta
    rebuilt = apply_delta(fleet.store.manifest(old), delta["delta"])
    assert canonical_json(rebuilt) == canonical_json(full["manifest"]) == canonical_json(fleet.store.manifest(new))
