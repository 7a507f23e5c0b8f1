"""Incremental re-release: the check cache in the instance folder gives the same findings and
the same release, byte for byte, as checking everything again; only changed files are parsed."""
import json
import os
import pickle
from pathlib import Path

import pytest
from click.testing import CliRunner

from guides.check_cache import FILE, FOLDER, CheckCache
from guides.loader import check_content
from guides.release import ReleaseStore, canonical_json, content_document, sha256
from guide_server.cli import main
from tests.support.halls import OVERRIDE, add_second_hall

GA = "330382-GA-0001"
SC = "330382-SC-0001"


@pytest.fixture
def content(valid_content: Path) -> Path:
    """Two halls: the default one and 柳市镇 (an override of GA-0001, its own guide SC-0901)."""
    root = add_second_hall(valid_content, own_guide=True)
    own = root / "halls" / "liushi" / "guides"
    src = (own / "330382-SC-0901.yaml").read_text(encoding="utf-8")
    (own / "330382-SC-0902.yaml").write_text(src.replace("330382-SC-0901", "330382-SC-0902"), encoding="utf-8")
    return root


def _release_files(store: ReleaseStore) -> tuple[bytes, dict, dict]:
    """content.json, the manifest and the hall part files (name -> bytes) of the current
    release, minus what differs by the clock."""
    number = store.current_number()
    body = (store.folder(number) / "content.json").read_bytes()
    manifest = store.manifest(number)
    for key in ("created", "stamp", "number"):
        manifest.pop(key)
    halls = store.folder(number) / "halls"
    parts = {p.name: p.read_bytes() for p in sorted(halls.iterdir())} if halls.is_dir() else {}
    return body, manifest, parts


def _both(root: Path, tmp_path: Path):
    """Check and release `root` twice: from scratch into tmp/full, and with the check cache of
    tmp/instance (which the previous call filled; saved after publishing, as the command does). Returns (full result, incremental result,
    the cache); asserts that findings and, when it passes, the releases are identical."""
    full = check_content(root)
    cache = CheckCache(tmp_path / "instance")
    inc = check_content(root, cache)
    assert [str(f) for f in inc.findings] == [str(f) for f in full.findings]
    assert inc.ok == full.ok
    if full.ok:
        full_store, inc_store = ReleaseStore(tmp_path / "full"), ReleaseStore(tmp_path / "instance")
        full_store.publish(full.content)
        inc_store.publish(inc.content)
        assert _release_files(inc_store) == _release_files(full_store)
        body = _release_files(inc_store)[0]
        assert body == canonical_json(content_document(full.content))
    cache.save()  # after publishing, as `guide-server release` does
    return full, inc, cache


def _files(root: Path) -> int:
    """The files the cache keeps: guide files, regions.yaml and every hall's files."""
    return len([*(root / "guides").glob("*.yaml"), *(root / "halls").rglob("*.yaml"), root / "regions.yaml"])


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_first_release_fills_the_cache_beside_the_releases(content, tmp_path):
    _, _, cache = _both(content, tmp_path)
    assert cache.status == "empty" and cache.hits == 0
    assert (tmp_path / "instance" / FOLDER / FILE).is_file()
    assert not any(p.name == FILE for p in content.rglob("*"))  # nothing written into content/
    _, _, again = _both(content, tmp_path)
    assert again.status == "loaded" and again.misses == 0 and again.hits == _files(content)


def test_changed_shared_guide(content, tmp_path):
    _both(content, tmp_path)
    _edit(content / "guides" / f"{GA}.yaml", "居民身份证申领登记表", "居民身份证申领登记表（新版）")
    full, inc, cache = _both(content, tmp_path)
    assert cache.misses == 1
    assert inc.content.halls["liushi"].offered[0].resolved_hash is not None
    liushi = ReleaseStore(tmp_path / "instance").current().content.guides_of("liushi")[GA]
    assert "居民身份证申领登记表（新版）" in [m.name for m in liushi.all_materials()]  # the hall sees the shared text
    assert liushi.locations[0].window == "3 号窗口"  # and keeps its own window


def test_changed_override(content, tmp_path):
    _both(content, tmp_path)
    before = ReleaseStore(tmp_path / "instance").current().hall_hashes
    _edit(content / "halls" / "liushi" / "overrides" / f"{GA}.yaml", "3 号窗口", "5 号窗口")
    _, _, cache = _both(content, tmp_path)
    assert cache.misses == 1
    after = ReleaseStore(tmp_path / "instance").current()
    changed = {(h, c) for h, codes in after.hall_hashes.items() for c, x in codes.items() if before[h].get(c) != x}
    assert changed == {("liushi", GA)}
    assert after.content.guides_of("liushi")[GA].locations[0].window == "5 号窗口"


def test_deleted_file(content, tmp_path):
    _both(content, tmp_path)
    (content / "halls" / "liushi" / "guides" / "330382-SC-0902.yaml").unlink()
    _, _, cache = _both(content, tmp_path)
    assert cache.misses == 0
    assert "330382-SC-0902" not in ReleaseStore(tmp_path / "instance").current().hall_hashes["liushi"]


def test_added_file(content, tmp_path):
    _both(content, tmp_path)
    own = content / "halls" / "liushi" / "guides"
    src = (own / "330382-SC-0901.yaml").read_text(encoding="utf-8")
    (own / "330382-SC-0903.yaml").write_text(src.replace("330382-SC-0901", "330382-SC-0903"), encoding="utf-8")
    _, _, cache = _both(content, tmp_path)
    assert cache.misses == 1
    assert "330382-SC-0903" in ReleaseStore(tmp_path / "instance").current().hall_hashes["liushi"]


def test_file_that_becomes_invalid_is_refused_and_the_release_stays(content, tmp_path):
    instance = tmp_path / "instance"
    runner = CliRunner()
    args = ["release", "--content", str(content), "--instance", str(instance)]
    assert runner.invoke(main, args).exit_code == 0
    before = ReleaseStore(instance).current_number()
    path = content / "halls" / "liushi" / "guides" / "330382-SC-0901.yaml"
    _edit(path, "time_limit:", "time_limits:")
    full = check_content(content)
    out = runner.invoke(main, args)  # the CLI uses the cache the first release filled
    assert out.exit_code == 1 and "未发布任何版本" in out.output
    expected = [str(f) for f in full.errors]
    assert expected and all(e in out.output for e in expected)
    assert any(f"{path}:" in e and " E" in e for e in expected)
    assert ReleaseStore(instance).current_number() == before
    _, inc, cache = _both(content, tmp_path)  # the findings match the full check's exactly
    assert not inc.ok and cache.misses == 0


@pytest.mark.parametrize("fault", ["duplicate_code", "unknown_offer", "region_removed", "unified_override",
                                   "basic_code_twice"])
def test_cross_file_fault_introduced_by_one_file(content, tmp_path, fault):
    _both(content, tmp_path)
    hall = content / "halls" / "liushi"
    if fault == "duplicate_code":  # a hall's own guide takes a code the default hall uses
        _edit(hall / "guides" / "330382-SC-0902.yaml", "330382-SC-0902", SC)
        code, where = "E207", hall / "guides" / "330382-SC-0902.yaml"
    elif fault == "unknown_offer":  # the shared guide a hall offers disappears; hall.yaml is unchanged
        (content / "guides" / f"{GA}.yaml").unlink()
        code, where = "E505", hall / "hall.yaml"
    elif fault == "region_removed":  # the hall's township leaves regions.yaml; hall.yaml is unchanged
        _edit(content / "regions.yaml", '"330382102"', '"330382103"')
        code, where = "E504", hall / "hall.yaml"
    elif fault == "unified_override":  # 六统一: an override may not change the name
        (hall / "overrides" / f"{GA}.yaml").write_text(OVERRIDE + "name: 本地名称\n", encoding="utf-8")
        code, where = "E506", hall / "overrides" / f"{GA}.yaml"
    else:  # an offer by 基本编码 becomes ambiguous when another shared guide takes the same one
        _edit(hall / "hall.yaml", 'code: "330382-GA-0001"', 'basic_code: "000102001000"')
        _both(content, tmp_path)
        _edit(content / "guides" / f"{SC}.yaml", '"000116002000"', '"000102001000"')
        code, where = "E505", hall / "hall.yaml"
    full, inc, cache = _both(content, tmp_path)
    assert cache.misses <= 1
    assert (str(where), code) in {(f.path, f.code) for f in inc.errors}


def test_corrupt_cache_is_ignored(content, tmp_path):
    _both(content, tmp_path)
    path = tmp_path / "instance" / FOLDER / FILE
    raw = bytearray(path.read_bytes())
    raw[-20] ^= 0xFF
    path.write_bytes(bytes(raw))
    _edit(content / "guides" / f"{GA}.yaml", "居民身份证申领登记表", "居民身份证申领登记表（新版）")
    _, _, cache = _both(content, tmp_path)
    assert cache.status.startswith("ignored: corrupt") and cache.hits == 0 and cache.misses == _files(content)
    path.write_bytes(b"garbage")
    assert CheckCache(tmp_path / "instance").status == "ignored: not a check cache"


def test_cache_from_another_checker_version_is_ignored(content, tmp_path):
    _both(content, tmp_path)
    path = tmp_path / "instance" / FOLDER / FILE
    fmt, version, rest = path.read_bytes().split(b"\n", 2)
    path.write_bytes(b"\n".join([fmt, b"0" * len(version), rest]))
    _edit(content / "halls" / "liushi" / "overrides" / f"{GA}.yaml", "3 号窗口", "5 号窗口")
    _, _, cache = _both(content, tmp_path)
    assert cache.status == "ignored: written by another version of the checker" and cache.hits == 0


def test_cache_naming_a_foreign_class_is_refused(content, tmp_path):
    _both(content, tmp_path)
    path = tmp_path / "instance" / FOLDER / FILE
    fmt, version, _ = path.read_bytes().split(b"\n", 2)
    body = pickle.dumps({"forms": (), "entries": {("guide", "x"): os.system}, "resolved": {}})
    path.write_bytes(b"\n".join([fmt, version, sha256(body).encode()]) + b"\n\n" + body)
    cache = CheckCache(tmp_path / "instance")
    assert cache.status.startswith("ignored: unreadable")


def _age(root: Path, seconds: int = 3600) -> None:
    """Set every content file's mtime `seconds` back, as for files not edited lately."""
    for p in root.rglob("*"):
        if p.is_file():
            st = p.stat()
            os.utime(p, ns=(st.st_atime_ns, st.st_mtime_ns - seconds * 10**9))


def test_unchanged_files_are_not_read_again(content, tmp_path, monkeypatch):
    _age(content)
    _both(content, tmp_path)
    import guides.check_cache as check_cache
    hashed = []
    monkeypatch.setattr(check_cache, "file_digest", lambda raw: hashed.append(raw) or "x")
    cache = CheckCache(tmp_path / "instance")
    check_content(content, cache)
    assert cache.hits == _files(content) and hashed == []  # size, mtime, ctime and inode as recorded


def test_edit_that_keeps_size_and_mtime_is_still_seen(content, tmp_path):
    _age(content)
    _both(content, tmp_path)
    path = content / "halls" / "liushi" / "overrides" / f"{GA}.yaml"
    st = path.stat()
    _edit(path, "3 号窗口", "4 号窗口")  # same size
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))  # and the old mtime: only ctime differs
    assert (path.stat().st_size, path.stat().st_mtime_ns) == (st.st_size, st.st_mtime_ns)
    _, inc, cache = _both(content, tmp_path)
    assert cache.misses == 1
    assert ReleaseStore(tmp_path / "instance").current().content.guides_of("liushi")[GA].locations[0].window == "4 号窗口"


def test_removed_attachment_drops_the_cache_and_is_reported(content, tmp_path):
    _both(content, tmp_path)
    (content / "forms" / "shenling-biao.pdf").unlink()
    full, inc, cache = _both(content, tmp_path)
    assert cache.status == "ignored: content/forms/ changed"
    assert any(f.path.endswith(f"{GA}.yaml") and "shenling-biao.pdf" in f.message for f in inc.findings)


@pytest.mark.parametrize("where, old, new, code", [
    ("halls/liushi/hall.yaml", "name: 柳市镇便民服务中心", "name: 柳市镇𠀾便民服务中心", "E223"),
    ("halls/liushi/hall.yaml", "前市街 1 号", "前市街\u200b<b>x</b> 1 号", "E222"),
    ("halls/liushi/overrides/330382-GA-0001.yaml", "8:30-12:00", "8:30-12:00，其他材料视情况\u202e", "E201"),
    ("regions.yaml", "name: 柳市镇", "name: 柳市𠃑镇", "E223"),
    ("halls/liushi/guides/330382-SC-0901.yaml", "有固定的经营场所", "有固定的经营场所等相关证明", "E201"),
])
def test_text_fault_in_a_hall_file_after_a_release(content, tmp_path, where, old, new, code):
    """A re-release with the cache reports a text fault of a hall file exactly as a full check,
    and reports it again when that file is unchanged the next time (from the cache)."""
    runner = CliRunner()
    instance = tmp_path / "instance"
    args = ["release", "--content", str(content), "--instance", str(instance)]
    assert runner.invoke(main, args).exit_code == 0
    path = content / where
    _edit(path, old, new)
    out = runner.invoke(main, args)
    assert out.exit_code == 1
    full, inc, cache = _both(content, tmp_path)  # identical findings, checked with the cache twice
    assert cache.misses == 0
    line = next(n for n, text in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if new.split("\n")[0] in text)
    assert (str(path), line, code) in {(f.path, f.line, f.code) for f in inc.errors}
    assert f"{path}:{line}: {code}" in out.output


def test_files_a_release_killed_while_saving_the_cache_left_are_removed(content, tmp_path):
    """`guide-server release` killed (kill -9, the OOM killer) while it saves the check cache
    leaves the file it was writing under a temporary name; the next release removes it, so
    killed releases do not pile up copies of a province's cache."""
    instance = tmp_path / "instance"
    assert CliRunner().invoke(main, ["release", "--content", str(content), "--instance", str(instance)]).exit_code == 0
    left = [instance / FOLDER / f".{FILE}.4194301", instance / FOLDER / ".halls.index.4194302"]
    for p in left:
        p.write_bytes(b"GSCC5\npartly written")
    assert CliRunner().invoke(main, ["release", "--content", str(content), "--instance", str(instance)]).exit_code == 0
    assert not [p for p in left if p.exists()]
    assert (instance / FOLDER / FILE).is_file()
