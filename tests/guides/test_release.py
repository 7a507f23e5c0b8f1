"""Releases: canonical hashing, immutability, atomic publishing, listing, rollback."""
import json
import os
import stat
import subprocess
import sys

import pytest
import yaml
from hypothesis import given, settings, strategies as st

from guides.loader import load_content
from guides.release import ReleaseError, ReleaseStore, build_release, canonical_json, sha256


def guide_cli(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "guide_server", *args], capture_output=True, text=True, cwd=cwd)


def test_release_writes_manifest_and_content_with_matching_hashes(valid_content, tmp_path):
    store = ReleaseStore(tmp_path / "inst")
    rel, created = store.publish(load_content(valid_content))
    assert created and rel.number == 1
    folder = tmp_path / "inst" / "releases" / "R0001"
    manifest = json.loads((folder / "manifest.json").read_bytes())
    body = (folder / "content.json").read_bytes()
    assert manifest["hash"] == sha256(body) == rel.hash
    doc = json.loads(body)
    assert set(manifest["guides"]) == {"330382-GA-0001", "330382-SC-0001"}
    assert manifest["guides"]["330382-GA-0001"] == sha256(canonical_json(doc["guides"]["330382-GA-0001"]))
    assert doc["site"]["public_base_url"] == "https://bs.example.gov.cn"
    assert stat.S_IMODE((folder / "content.json").stat().st_mode) == 0o444
    loaded = store.current()
    assert loaded.hash == rel.hash and loaded.guides == rel.guides
    assert rel.stamp.startswith("版本 R1 · ") and rel.stamp.endswith(rel.hash[:6])


def test_numbers_are_monotonic_and_unchanged_content_makes_no_release(valid_content, tmp_path):
    store = ReleaseStore(tmp_path / "inst")
    first, _ = store.publish(load_content(valid_content))
    same, created = store.publish(load_content(valid_content))
    assert not created and same.number == 1
    g = valid_content / "guides" / "330382-SC-0001.yaml"
    g.write_text(g.read_text(encoding="utf-8").replace("有固定的经营场所", "有固定的经营场所（住所）"), encoding="utf-8")
    second, created = store.publish(load_content(valid_content))
    assert created and second.number == 2 and second.hash != first.hash
    # only the changed guide's hash moved
    assert second.guide_hashes["330382-GA-0001"] == first.guide_hashes["330382-GA-0001"]
    assert second.guide_hashes["330382-SC-0001"] != first.guide_hashes["330382-SC-0001"]
    store.rollback(1)
    assert store.current().hash == first.hash
    third_content = load_content(valid_content)
    third, created = store.publish(third_content)  # same as R2 but R1 is current: new number
    assert created and third.number == 3 and third.hash == second.hash


def test_corrupt_release_is_refused(valid_content, tmp_path):
    store = ReleaseStore(tmp_path / "inst")
    store.publish(load_content(valid_content))
    body = tmp_path / "inst" / "releases" / "R0001" / "content.json"
    os.chmod(body.parent, 0o755)
    os.chmod(body, 0o644)
    body.write_bytes(body.read_bytes().replace("居民身份证换领".encode(), "居民身份证换新".encode()))
    with pytest.raises(ReleaseError, match="哈希"):
        store.current()
    with pytest.raises(ReleaseError):
        store.rollback(7)


@st.composite
def reordered_yaml(draw, data):
    """The same data as YAML with shuffled keys and varied whitespace/flow style."""
    def shuffle(value):
        if isinstance(value, dict):
            items = list(value.items())
            perm = draw(st.permutations(items))
            return {k: shuffle(v) for k, v in perm}
        if isinstance(value, list):
            return [shuffle(v) for v in value]
        return value
    flow = draw(st.sampled_from([None, True, False]))
    indent = draw(st.integers(2, 6))
    return yaml.safe_dump(shuffle(data), allow_unicode=True, sort_keys=False, default_flow_style=flow,
                          indent=indent, width=draw(st.integers(40, 200)))


@settings(max_examples=30, deadline=None)
@given(st.data())
def test_hash_ignores_key_order_and_whitespace(tmp_path_factory, data):
    from tests.conftest import FIXTURES
    src = FIXTURES / "valid"
    dest = tmp_path_factory.mktemp("c")
    (dest / "guides").mkdir()
    for rel in ["site.yaml", "categories.yaml", "guides/330382-GA-0001.yaml", "guides/330382-SC-0001.yaml"]:
        original = yaml.safe_load((src / rel).read_text(encoding="utf-8"))
        (dest / rel).write_text(data.draw(reordered_yaml(original)), encoding="utf-8")
    assert build_release(load_content(dest)).hash == build_release(load_content(src)).hash


def test_cli_release_check_failure_writes_nothing(valid_content, tmp_path):
    g = valid_content / "guides" / "330382-GA-0001.yaml"
    g.write_text(g.read_text(encoding="utf-8").replace("visits: 1", "visits: 4"), encoding="utf-8")
    inst = tmp_path / "inst"
    proc = guide_cli("release", "--content", str(valid_content), "--instance", str(inst))
    assert proc.returncode == 1
    assert f"{g}:18: E205" in proc.stdout
    assert not (inst / "releases").exists() or list((inst / "releases").iterdir()) == []


def test_cli_release_list_and_rollback(valid_content, tmp_path):
    inst = tmp_path / "inst"
    assert guide_cli("release", "--content", str(valid_content), "--instance", str(inst)).returncode == 0
    g = valid_content / "guides" / "330382-GA-0001.yaml"
    g.write_text(g.read_text(encoding="utf-8").replace("20 元/证", "20 元/张"), encoding="utf-8")
    proc = guide_cli("release", "--content", str(valid_content), "--instance", str(inst))
    assert proc.returncode == 0 and "R2" in proc.stdout
    listing = json.loads(guide_cli("releases", "--instance", str(inst), "--json").stdout)
    assert [(r["number"], r["current"], r["guides"]) for r in listing] == [(1, False, 2), (2, True, 2)]
    assert all(len(r["hash"]) == 64 and r["created"] for r in listing)
    proc = guide_cli("rollback", "1", "--instance", str(inst))
    assert proc.returncode == 0 and "R1" in proc.stdout
    listing = json.loads(guide_cli("releases", "--instance", str(inst), "--json").stdout)
    assert [r["current"] for r in listing] == [True, False]
    bad = guide_cli("rollback", "9", "--instance", str(inst))
    assert bad.returncode != 0 and "R9 不存在" in bad.stderr and "Traceback" not in bad.stderr


def test_crash_mid_publish_leaves_previous_release_current(valid_content, tmp_path):
    """A publisher killed at any point leaves CURRENT on a complete, verified release."""
    inst = tmp_path / "inst"
    store = ReleaseStore(inst)
    first, _ = store.publish(load_content(valid_content))
    g = valid_content / "guides" / "330382-GA-0001.yaml"
    g.write_text(g.read_text(encoding="utf-8").replace("20 元/证", "25 元/证"), encoding="utf-8")
    script = (
        "import os, sys, guides.release as r\n"
        "from guides.loader import load_content\n"
        "calls = {'n': 0}\n"
        "real = os.rename\n"
        "def dying(*a, **k):\n"
        "    os._exit(9)\n"
        f"r.os.rename = dying\n"
        f"r.ReleaseStore({str(inst)!r}).publish(load_content({str(valid_content)!r}))\n"
    )
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True)
    assert proc.returncode == 9
    assert store.current().hash == first.hash
    store.clean_temporaries()
    assert [p.name for p in (inst / "releases").iterdir() if p.is_dir()] == ["R0001"]
    second, created = store.publish(load_content(valid_content))
    assert created and second.number == 2


def test_retired_codes_travel_in_the_release_and_keep_other_hashes(valid_content, tmp_path):
    store = ReleaseStore(tmp_path / "inst")
    before, _ = store.publish(load_content(valid_content))
    assert "retired" not in json.loads((tmp_path / "inst/releases/R0001/content.json").read_bytes())
    (valid_content / "guides" / "330382-SC-0001.yaml").unlink()
    site = valid_content / "site.yaml"
    (valid_content / "retired.yaml").write_text(
        '- {code: "330382-SC-0001", name: 个体工商户登记, successor: "330382-GA-0001", retired_on: 2026-11-20,'
        ' reason: 已并入企业开办一件事}\n', encoding="utf-8")
    after, created = store.publish(load_content(valid_content))
    assert created and after.number == 2
    assert set(after.guides) == {"330382-GA-0001"}
    assert after.retired["330382-SC-0001"].successor == "330382-GA-0001"
    assert after.guide_hashes["330382-GA-0001"] == before.guide_hashes["330382-GA-0001"]
    assert store.load(2).retired == after.retired


def _crash_after_rename(store, content):
    """What a publish killed between renaming the folder into place and replacing CURRENT
    leaves: the intent file and a complete release folder that CURRENT does not name."""
    from guides.release import atomic_write

    rel, created = store.publish(content)
    assert created
    atomic_write(store.root / "CURRENT", f"{rel.number - 1}\n".encode())
    atomic_write(store.root / store.INTENT, canonical_json({"number": rel.number, "hash": rel.hash}))
    return rel


def test_recover_finishes_a_publish_cut_short_after_the_rename(valid_content, tmp_path):
    store = ReleaseStore(tmp_path / "inst")
    content = load_content(valid_content)
    store.publish(content)
    changed = content.__class__(site=content.site.model_copy(update={"hall_name": "新大厅"}), categories=content.categories,
                                guides=content.guides, retired=content.retired)
    rel = _crash_after_rename(store, changed)
    (store.root / ".tmp-abc").mkdir()
    (store.root / ".tmp-abc" / "content.json").write_bytes(b"{")
    (store.root / ".CURRENT.x1y2").write_bytes(b"9\n")
    done = store.recover()
    assert store.current_number() == rel.number
    assert sorted(p.name for p in store.root.iterdir() if p.name != ".lock") == ["CURRENT", "R0001", "R0002"]
    assert any("R2" in line and "当前版本" in line for line in done) and len(done) == 3
    assert store.recover() == []  # nothing left to do


def test_recover_drops_an_intent_whose_folder_never_got_written_or_is_incomplete(valid_content, tmp_path):
    store = ReleaseStore(tmp_path / "inst")
    rel, _ = store.publish(load_content(valid_content))
    from guides.release import atomic_write

    atomic_write(store.root / store.INTENT, canonical_json({"number": 2, "hash": "0" * 64}))
    assert "尚未写入" in store.recover()[0] and store.current_number() == 1
    (store.root / "R0002").mkdir()
    (store.root / "R0002" / "manifest.json").write_text('{"hash": "x"}')
    atomic_write(store.root / store.INTENT, canonical_json({"number": 2, "hash": "0" * 64}))
    assert "不完整" in store.recover()[0]
    assert store.numbers() == [1] and store.current().hash == rel.hash
