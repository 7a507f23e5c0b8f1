"""Hall memos (guides.hall_memo): a hall whose files and context did not change is not checked
again, yet every re-release gives the findings and the release, byte for byte, of a check from
scratch; and the release files a province's manifest is split into."""
import json
import os
import shutil
import time
from dataclasses import replace
from pathlib import Path

import pytest

import guides.halls as halls_module
from guides.check_cache import FOLDER, HALLS, INDEX, PARTS, CheckCache
from guides.loader import check_content
from guides.release import HALLS_DIR, ReleaseError, ReleaseStore, retired_member
from guides.release import canonical_json
from tests.guides.test_incremental_release import GA, _age, _both, _edit
from tests.support.halls import add_second_hall

OWN = "330382-SC-0901"


@pytest.fixture
def content(valid_content: Path) -> Path:
    """Three halls: the default one, 柳市镇 (liushi) and a copy of it, 北白象镇 (beibaixiang), each
    overriding 330382-GA-0001 and with one guide of its own; every file last modified an hour ago."""
    root = add_second_hall(valid_content, own_guide=True)
    copy = root / "halls" / "beibaixiang"
    shutil.copytree(root / "halls" / "liushi", copy)
    (copy / "hall.yaml").write_text((copy / "hall.yaml").read_text(encoding="utf-8")
                                    .replace("柳市镇便民服务中心", "北白象镇便民服务中心")
                                    .replace("/h/liushi", "/h/beibaixiang"), encoding="utf-8")
    own = copy / "guides" / f"{OWN}.yaml"
    own.rename(copy / "guides" / "330382-SC-0911.yaml")
    _edit(copy / "guides" / "330382-SC-0911.yaml", OWN, "330382-SC-0911")
    _age(root)
    return root


@pytest.fixture
def checked(monkeypatch) -> list[str]:
    """The ids of the halls a check with the cache checked afresh (not from their memo), in order."""
    seen: list[str] = []
    real = halls_module._check_hall

    def spy(plan, *args, **kwargs):
        if (kwargs["cache"] if "cache" in kwargs else args[-1]) is not None:
            seen.append(plan.folder.name)
        return real(plan, *args, **kwargs)

    monkeypatch.setattr(halls_module, "_check_hall", spy)
    return seen


def _memo(tmp_path: Path, hall: str) -> Path:
    return tmp_path / "instance" / FOLDER / HALLS / f"{hall}.memo"


def test_an_unchanged_hall_comes_from_its_memo(content, tmp_path, checked):
    _both(content, tmp_path)
    assert checked == ["beibaixiang", "liushi"] and _memo(tmp_path, "liushi").is_file()
    checked.clear()
    _edit(content / "halls" / "beibaixiang" / "overrides" / f"{GA}.yaml", "3 号窗口", "6 号窗口")
    _, inc, cache = _both(content, tmp_path)  # identical to a check from scratch, byte for byte
    assert checked == ["beibaixiang"] and cache.misses == 1
    store = ReleaseStore(tmp_path / "instance")
    assert store.current().content.guides_of("beibaixiang")[GA].locations[0].window == "6 号窗口"
    assert store.current().content.guides_of("liushi")[GA].locations[0].window == "3 号窗口"


def test_a_changed_shared_guide_is_resolved_again_in_every_hall_without_checking_them(content, tmp_path, checked):
    _both(content, tmp_path)
    checked.clear()
    _edit(content / "guides" / f"{GA}.yaml", "居民身份证申领登记表", "居民身份证申领登记表（新版）")
    _, inc, cache = _both(content, tmp_path)
    assert checked == [] and cache.misses == 1
    release = ReleaseStore(tmp_path / "instance").current()
    for hall in ("liushi", "beibaixiang"):
        guide = release.content.guides_of(hall)[GA]
        assert "居民身份证申领登记表（新版）" in [m.name for m in guide.all_materials()]
        assert guide.locations[0].window == "3 号窗口"
    checked.clear()
    _both(content, tmp_path)  # the refreshed memos are used as they are the next time
    assert checked == []


def test_a_shared_guide_offered_as_it_is_leaves_the_hall_part_alone(content, tmp_path, checked):
    """A hall offering a shared guide without override keeps no hash of it in its part: when the
    shared guide changes the part is the same file, and the hall's resolved hash is the new one."""
    hall = content / "halls" / "beibaixiang" / "hall.yaml"
    hall.write_text(hall.read_text(encoding="utf-8") + '  - code: "330382-SC-0001"\n', encoding="utf-8")
    _age(content)
    _both(content, tmp_path)
    checked.clear()
    _edit(content / "guides" / "330382-SC-0001.yaml", "name: ", "name: （新）")
    _both(content, tmp_path)
    assert checked == []
    store = ReleaseStore(tmp_path / "instance")
    first, second = (store.folder(n) / HALLS_DIR / "beibaixiang.json" for n in store.numbers()[-2:])
    assert first.stat().st_ino == second.stat().st_ino
    release = store.current()
    assert release.hall_hashes["beibaixiang"]["330382-SC-0001"] == release.guide_hashes["330382-SC-0001"]
    assert release.content.guides_of("beibaixiang")["330382-SC-0001"].name.startswith("（新）")


def test_a_hall_part_is_brought_up_to_date_for_just_the_shared_guide_that_changed(content, tmp_path, checked,
                                                                                    monkeypatch):
    """A hall overriding two shared guides: after each of them changes in turn, only that
    guide's offer is resolved again (in every hall overriding it), no hall is checked again,
    and each release is byte for byte the one a check from scratch makes."""
    hall = content / "halls" / "liushi"
    (hall / "hall.yaml").write_text((hall / "hall.yaml").read_text(encoding="utf-8")
                                    + '  - code: "330382-SC-0001"\n', encoding="utf-8")
    (hall / "overrides" / "330382-SC-0001.yaml").write_text("contacts: {consult: 0577-61111119}\n", encoding="utf-8")
    _age(content)
    _both(content, tmp_path)
    resolved: list[tuple[str, str]] = []  # (shared code, code) of each offer resolved while a memo is reused
    real_resolve, real_reuse = halls_module.resolve_offer, halls_module._reuse
    reusing = []

    def resolve(guide, offer):
        if reusing:
            resolved.append((offer.source, offer.code))
        return real_resolve(guide, offer)

    def reuse(*args, **kwargs):
        reusing.append(True)
        try:
            return real_reuse(*args, **kwargs)
        finally:
            reusing.pop()

    monkeypatch.setattr(halls_module, "resolve_offer", resolve)
    monkeypatch.setattr(halls_module, "_reuse", reuse)
    checked.clear()
    _edit(content / "guides" / f"{GA}.yaml", "居民身份证申领登记表", "居民身份证申领登记表（新版）")
    _both(content, tmp_path)
    assert checked == [] and sorted(resolved) == [(GA, GA), (GA, GA)]  # beibaixiang's and liushi's
    resolved.clear()
    _edit(content / "guides" / "330382-SC-0001.yaml", "0577-61234568", "0577-61234569")
    _both(content, tmp_path)
    assert checked == [] and resolved == [("330382-SC-0001", "330382-SC-0001")]
    release = ReleaseStore(tmp_path / "instance").current()
    assert release.content.guides_of("liushi")["330382-SC-0001"].contacts.consult == "0577-61111119"
    assert "居民身份证申领登记表（新版）" in json.dumps(release.content.guides_of("liushi")[GA].dump(), ensure_ascii=False)


def test_a_code_taken_by_another_hall_after_the_memo_is_reported(content, tmp_path, checked):
    _both(content, tmp_path)
    checked.clear()
    # the default hall now uses liushi's own code: liushi's memo cannot stand (E207 on its file)
    src = (content / "guides" / "330382-SC-0001.yaml").read_text(encoding="utf-8")
    (content / "guides" / f"{OWN}.yaml").write_text(src.replace("330382-SC-0001", OWN), encoding="utf-8")
    full, inc, _ = _both(content, tmp_path)
    where = str(content / "halls" / "liushi" / "guides" / f"{OWN}.yaml")
    assert (where, "E207") in {(f.path, f.code) for f in inc.errors}
    assert "liushi" in checked


def test_a_category_removed_after_the_memo_is_reported(content, tmp_path, checked):
    _both(content, tmp_path)
    checked.clear()
    guide = (content / "halls" / "liushi" / "guides" / f"{OWN}.yaml").read_text(encoding="utf-8")
    category = next(line.split(":", 1)[1].strip() for line in guide.splitlines() if line.startswith("category:"))
    cats = content / "categories.yaml"
    text = cats.read_text(encoding="utf-8")
    assert f"name: {category}" in text
    cats.write_text(text.replace(f"name: {category}", "name: 另一个分类"), encoding="utf-8")
    _, inc, _ = _both(content, tmp_path)
    assert "E213" in {f.code for f in inc.errors} and set(checked) == {"liushi", "beibaixiang"}


def _damage(path: Path) -> None:
    path.chmod(0o644)
    raw = bytearray(path.read_bytes())
    raw[-10] ^= 0xFF
    path.write_bytes(bytes(raw))


def test_a_damaged_memo_index_is_ignored(content, tmp_path, checked):
    _both(content, tmp_path)
    checked.clear()
    _damage(tmp_path / "instance" / FOLDER / INDEX)
    _both(content, tmp_path)
    assert checked == ["beibaixiang", "liushi"]
    checked.clear()
    _both(content, tmp_path)  # written again, whole
    assert checked == []


def test_a_damaged_memo_tail_is_ignored_when_a_shared_guide_changed(content, tmp_path, checked):
    _both(content, tmp_path)
    checked.clear()
    _damage(_memo(tmp_path, "liushi"))
    _edit(content / "guides" / f"{GA}.yaml", "居民身份证申领登记表", "居民身份证申领登记表（新版）")
    _both(content, tmp_path)  # liushi's offers cannot be resolved from its memo: checked again
    assert checked == ["liushi"]


def test_a_tail_of_another_hall_or_an_older_check_is_not_used(content, tmp_path, checked):
    """A memo's tail is used only with the head it was written with: a tail copied from another
    hall, or one a crash left newer than the index, makes the hall be checked again, and the
    release is that of a check from scratch."""
    _both(content, tmp_path)
    checked.clear()
    halls = tmp_path / "instance" / FOLDER / HALLS
    shutil.copyfile(halls / "beibaixiang.memo", halls / "liushi.memo")
    _edit(content / "guides" / f"{GA}.yaml", "居民身份证申领登记表", "居民身份证申领登记表（新版）")
    _both(content, tmp_path)  # byte for byte as from scratch
    assert checked == ["liushi"]
    # a crash between writing the tails and the index: the new tails with the old heads
    index = tmp_path / "instance" / FOLDER / INDEX
    old_index = index.read_bytes()
    checked.clear()
    _edit(content / "guides" / f"{GA}.yaml", "居民身份证申领登记表（新版）", "居民身份证申领登记表（第三版）")
    _both(content, tmp_path)
    index.write_bytes(old_index)
    checked.clear()
    _edit(content / "guides" / f"{GA}.yaml", "居民身份证申领登记表（第三版）", "居民身份证申领登记表（新版）")
    _both(content, tmp_path)
    assert sorted(checked) == ["beibaixiang", "liushi"]


def test_a_tail_written_for_another_basic_code_index_is_not_used(content, tmp_path, checked, monkeypatch):
    """A hall offering a shared guide by its 基本编码: when the 基本编码 moves to another shared
    guide, the hall is checked again and its tail names the other guide. If the disk then
    refuses halls.index (the old heads stay) and the 基本编码 moves back while the first guide
    changes, the old head must not be brought up to date with that tail: the release is the
    one a check from scratch makes."""
    hall = content / "halls" / "liushi"
    text = (hall / "hall.yaml").read_text(encoding="utf-8")
    (hall / "hall.yaml").write_text(text.replace(f'  - code: "{GA}"', '  - basic_code: "000102001000"')
                                    .replace(f'featured: ["{GA}"]', "featured: []"), encoding="utf-8")
    (hall / "overrides" / f"{GA}.yaml").rename(hall / "overrides" / "000102001000.yaml")
    _age(content)
    ga, sc = content / "guides" / f"{GA}.yaml", content / "guides" / "330382-SC-0001.yaml"
    ga_text, sc_text = ga.read_text(encoding="utf-8"), sc.read_text(encoding="utf-8")
    _both(content, tmp_path)
    ga.write_text(ga_text.replace("000102001000", "000116002000"), encoding="utf-8")  # the two swap
    sc.write_text(sc_text.replace("000116002000", "000102001000"), encoding="utf-8")
    _age(content / "guides")
    real_write = CheckCache._write_blob

    def index_refused(path, data):
        if path.name == INDEX:
            raise OSError(28, "No space left on device")
        real_write(path, data)

    monkeypatch.setattr(CheckCache, "_write_blob", staticmethod(index_refused))
    _both(content, tmp_path)  # liushi now offers SC-0001; its new tail is written, the index is not
    monkeypatch.setattr(CheckCache, "_write_blob", staticmethod(real_write))
    ga.write_text(ga_text.replace("居民身份证申领登记表", "居民身份证申领登记表（新版）"), encoding="utf-8")
    sc.write_text(sc_text, encoding="utf-8")
    _age(content / "guides")
    _both(content, tmp_path)  # byte for byte as from scratch
    guide = ReleaseStore(tmp_path / "instance").current().content.guides_of("liushi")[GA]
    assert "居民身份证申领登记表（新版）" in [m.name for m in guide.all_materials()]


def test_a_reused_hall_names_its_files_where_the_content_folder_is_now(content, tmp_path, monkeypatch):
    """The content folder moved, or given as a relative path instead of an absolute one: what
    a hall's memo found names the files by the path of the check that made it, so the hall is
    checked again and its findings name the files as this check reaches them."""
    _edit(content / "halls" / "liushi" / "overrides" / f"{GA}.yaml", "3 号窗口", "3 号窗口（请携带其他必要材料）")
    _age(content)
    _both(content, tmp_path)
    moved = tmp_path / "moved"
    content.rename(moved)
    full, inc, _ = _both(moved, tmp_path)  # the same findings as a check from scratch
    assert [f.path for f in inc.findings if f.code == "E201"] == [str(moved / "halls" / "liushi" / "overrides"
                                                                      / f"{GA}.yaml")]
    monkeypatch.chdir(tmp_path)
    _both(Path("moved"), tmp_path)


def test_a_guide_file_added_to_a_hall_during_a_release_and_removed_is_not_kept(content, tmp_path, monkeypatch):
    """A hall's guide file saved while a release is under way (after the check listed the
    content's folders) and removed again before the next release: the hall is checked from
    the files its memo records, so the next release, like one from scratch, does not offer
    the removed guide."""
    import guides.loader as loader

    _both(content, tmp_path)
    hall = content / "halls" / "liushi"
    _edit(hall / "hall.yaml", "前市街 1 号", "前市街 2 号")  # liushi is checked again in the next release
    _age(content)
    added = hall / "guides" / "330382-SC-0902.yaml"
    real_scan = loader.symlink_findings

    def an_editor_saves_a_file_meanwhile(root, listings=None):
        found = real_scan(root, listings)
        added.write_text((hall / "guides" / f"{OWN}.yaml").read_text(encoding="utf-8")
                         .replace(OWN, "330382-SC-0902"), encoding="utf-8")
        _age(hall / "guides")
        return found

    monkeypatch.setattr(loader, "symlink_findings", an_editor_saves_a_file_meanwhile)
    cache = CheckCache(tmp_path / "instance")
    result = check_content(content, cache)
    assert result.ok
    ReleaseStore(tmp_path / "instance").publish(result.content)
    cache.save()
    monkeypatch.setattr(loader, "symlink_findings", real_scan)
    added.unlink()
    _both(content, tmp_path)  # byte for byte as from scratch
    assert "330382-SC-0902" not in ReleaseStore(tmp_path / "instance").current().content.guides_of("liushi")


def _cached_part(tmp_path: Path, hall: str) -> Path:
    """The part file the check cache's memo of `hall` names."""
    cache = CheckCache(tmp_path / "instance")
    cache.use_forms(cache._forms_old)
    return tmp_path / "instance" / FOLDER / PARTS / f"{cache.hall_memo(hall)['part']}.json"


def test_a_hall_part_edited_in_place_with_its_mtime_put_back_is_not_linked(content, tmp_path, checked):
    """An in-place edit of the part a memo names that keeps its size, inode and mtime still
    changes its ctime: the part is read and checked against its SHA-256 before it is linked,
    the hall is checked again, and the new release holds good bytes."""
    _both(content, tmp_path)
    checked.clear()
    part = _cached_part(tmp_path, "liushi")
    st = part.stat()
    part.chmod(0o644)
    with open(part, "r+b") as fh:
        data = fh.read()
        fh.seek(0)
        fh.write(data.replace("3 号窗口".encode(), "9 号窗口".encode()))
    os.utime(part, ns=(st.st_atime_ns, st.st_mtime_ns))
    _edit(content / "halls" / "beibaixiang" / "overrides" / f"{GA}.yaml", "3 号窗口", "6 号窗口")
    _both(content, tmp_path)  # byte for byte as from scratch
    assert sorted(checked) == ["beibaixiang", "liushi"]
    release = ReleaseStore(tmp_path / "instance").current()
    assert release.content.guides_of("liushi")[GA].locations[0].window == "3 号窗口"


def test_a_part_is_read_only_when_its_stat_is_not_the_one_recorded(content, tmp_path, checked, monkeypatch):
    """A reused hall's part is not read while its stat, ctime included, is the one the cache
    recorded after the release linked it; a link made after that (a cache saved before
    publishing) makes the next check read it and check its SHA-256 once, and the hall is still
    taken from its memo."""
    store = ReleaseStore(tmp_path / "instance")
    override = content / "halls" / "beibaixiang" / "overrides" / f"{GA}.yaml"
    reads: list[str] = []
    real = halls_module.read_part

    def spy(ref):
        reads.append(Path(ref.path).name)
        return real(ref)

    def release(window: str, save_first: bool = False) -> None:
        _edit(override, "3 号窗口" if window == "4 号窗口" else "4 号窗口", window)
        os.utime(override, ns=(1, 1))  # an old file: a memo is kept
        cache = CheckCache(tmp_path / "instance")
        result = check_content(content, cache)
        if save_first:
            cache.save()
        time.sleep(0.06)  # past guides.check_cache.PART_RACY_NS: the link's ctime can be recorded
        store.publish(result.content)
        time.sleep(0.06)
        if not save_first:
            cache.save()

    _both(content, tmp_path)
    release("4 号窗口")
    monkeypatch.setattr(halls_module, "read_part", spy)
    liushi = _cached_part(tmp_path, "liushi").name
    checked.clear()
    release("3 号窗口", save_first=True)  # the new release links liushi's part after its stat was recorded
    assert checked == ["beibaixiang"] and liushi not in reads
    release("4 号窗口")
    assert checked == ["beibaixiang", "beibaixiang"] and reads == [liushi]
    assert store.current().content.guides_of("liushi")[GA].locations[0].window == "3 号窗口"
    assert store.current().content.guides_of("beibaixiang")[GA].locations[0].window == "4 号窗口"


def test_an_altered_hall_part_in_the_cache_is_not_used(content, tmp_path, checked):
    """A part file the memo names that is not as it was written (by stat) is neither linked
    into the next release nor trusted: the hall is checked again and its part written anew."""
    _both(content, tmp_path)
    checked.clear()
    part = _cached_part(tmp_path, "liushi")
    # the same bytes written again (a new inode), then damaged bytes: neither is the file the memo made
    data = part.read_bytes()
    part.chmod(0o644)
    part.unlink()
    part.write_bytes(data.replace("柳市镇".encode(), "柳市乡".encode()))
    _both(content, tmp_path)  # the release is that of a check from scratch, byte for byte
    assert checked == ["liushi"]


def test_a_part_the_disk_does_not_sync_is_never_linked(content, tmp_path, monkeypatch):
    """The parts a check writes into the cache are fsynced together at its end; when the disk
    refuses, they are removed and their memos dropped, and a release that would link one stops
    with an error naming the file instead of pointing at bytes that may not be on disk."""
    def refuse(paths):
        raise OSError(5, "Input/output error")

    monkeypatch.setattr(halls_module, "sync_parts", refuse)
    cache = CheckCache(tmp_path / "instance")
    result = check_content(content, cache)
    assert result.ok
    cache.save()
    assert not list((tmp_path / "instance" / FOLDER / PARTS).glob("*.json"))
    cache = CheckCache(tmp_path / "instance")
    cache.use_forms(cache._forms_old)
    assert cache.hall_memo("liushi") is None
    with pytest.raises(ReleaseError, match=r"\.json: 无法读取"):
        ReleaseStore(tmp_path / "instance").publish(result.content)
    assert ReleaseStore(tmp_path / "instance").current_number() is None


def test_files_written_just_before_the_check_keep_no_memo(valid_content, tmp_path, checked):
    root = add_second_hall(valid_content, own_guide=True)  # just written: modified < 2 s ago
    _both(root, tmp_path)
    _both(root, tmp_path)
    assert checked == ["liushi", "liushi"]  # no memo from either check
    assert not _memo(tmp_path, "liushi").exists()


def test_a_removed_hall_leaves_no_cache_files(content, tmp_path):
    _both(content, tmp_path)
    assert _memo(tmp_path, "beibaixiang").is_file()
    shutil.rmtree(content / "halls" / "beibaixiang")
    _both(content, tmp_path)
    left = sorted(p.name for p in (tmp_path / "instance" / FOLDER / HALLS).iterdir())
    assert left and all(name.startswith("liushi.") for name in left)


def test_a_memo_for_other_forms_is_ignored(content, tmp_path, checked):
    _both(content, tmp_path)
    checked.clear()
    (content / "forms" / "new-form.pdf").write_bytes((content / "forms" / "shenling-biao.pdf").read_bytes())
    _, _, cache = _both(content, tmp_path)
    assert cache.status == "ignored: content/forms/ changed"
    assert sorted(checked) == ["beibaixiang", "liushi"]


# -- the release files ------------------------------------------------------------------------

def test_each_hall_is_a_part_file_named_in_content_json(content, tmp_path):
    """content.json names each hall's part by SHA-256 (so the release hash covers it); the
    manifest lists the same; each part holds the hall's resolved guide hashes."""
    from guides.release import sha256

    store = ReleaseStore(tmp_path / "instance")
    release, _ = store.publish(check_content(content, CheckCache(tmp_path / "instance")).content)
    folder = store.folder(release.number)
    body = json.loads((folder / "content.json").read_bytes())
    parts = {p.stem: p.read_bytes() for p in (folder / HALLS_DIR).iterdir()}
    assert set(parts) == {"liushi", "beibaixiang"}
    assert body["halls"] == {h: sha256(raw) for h, raw in parts.items()} == release.manifest()["halls"]
    assert store.manifest(release.number) == json.loads(json.dumps(release.manifest()))
    assert "halls" not in store.manifest_head(release.number)
    assert store.manifest_head(release.number)["guides"] == release.guide_hashes
    loaded = store.load(release.number)
    assert dict(loaded.hall_hashes) == dict(release.hall_hashes)
    assert json.loads(parts["liushi"])["hashes"] == release.hall_hashes["liushi"]
    whole = check_content(content).content  # the hashes are those of each hall's resolved guides
    assert release.hall_hashes["liushi"] == {code: sha256(canonical_json(g.dump()))
                                             for code, g in whole.guides_of("liushi").items()}


def test_an_unchanged_hall_is_the_same_file_in_the_next_release(content, tmp_path):
    """A re-release links an unchanged hall's part (one file, two names) and writes the changed one."""
    _both(content, tmp_path)
    _edit(content / "halls" / "beibaixiang" / "overrides" / f"{GA}.yaml", "3 号窗口", "6 号窗口")
    _both(content, tmp_path)
    store = ReleaseStore(tmp_path / "instance")
    first, second = (store.folder(n) / HALLS_DIR for n in store.numbers()[-2:])
    assert (first / "liushi.json").stat().st_ino == (second / "liushi.json").stat().st_ino
    assert (first / "beibaixiang.json").read_bytes() != (second / "beibaixiang.json").read_bytes()


def test_a_damaged_hall_part_is_refused(content, tmp_path):
    store = ReleaseStore(tmp_path / "instance")
    release, _ = store.publish(check_content(content).content)
    path = store.folder(release.number) / HALLS_DIR / "liushi.json"
    path.chmod(0o644)
    path.write_bytes(path.read_bytes().replace("柳市镇".encode(), "柳市乡".encode(), 1))
    loaded = store.load(release.number)  # content.json still verifies; the hall is read when asked for
    with pytest.raises(ValueError, match="liushi.json.*已损坏"):
        loaded.content.halls["liushi"]
    assert loaded.content.halls["beibaixiang"].site.name == "北白象镇便民服务中心"
    with pytest.raises(ReleaseError, match="liushi.json"):  # never carried into a new release
        store.publish(replace(loaded.content, site=loaded.content.site.model_copy(update={"hotline": "0577-12345"})))
    with pytest.raises(ReleaseError, match="liushi.json"):  # nor made current again
        store.rollback(release.number)
    path.unlink()
    with pytest.raises(ReleaseError, match="liushi.json"):
        store.check_side_files(release.number)


@pytest.mark.parametrize("retired", [False, True])
def test_retired_member_is_what_content_json_holds(content, tmp_path, retired):
    if retired:
        (content / "retired.yaml").write_text(
            '- code: "330382-GA-9999"\n  name: 已停办的事项 "旧"\n  retired_on: 2026-01-01\n', encoding="utf-8")
    result = check_content(content)
    assert result.ok, [str(f) for f in result.errors]
    store = ReleaseStore(tmp_path / "instance")
    release, _ = store.publish(result.content)
    body = (store.folder(release.number) / "content.json").read_bytes()
    assert retired_member(body) == json.loads(body).get("retired", [])
    assert bool(retired_member(body)) == retired


def test_a_release_read_through_its_parts_index_is_the_release(content, tmp_path):
    """A server reads a province's release through parts.json: halls made when asked for, guides
    in release form; every hall's resolved guides are those of the whole content.json parsed."""
    from guides.hallset import HallSet
    from guides.release import PARTS_FILE, content_from_document

    store = ReleaseStore(tmp_path / "instance")
    release, _ = store.publish(check_content(content).content)
    loaded = store.load(release.number)
    assert isinstance(loaded.content.halls, HallSet)
    whole = check_content(content).content
    assert loaded.content.site == whole.site and loaded.content.regions == whole.regions
    assert list(loaded.content.halls) == list(whole.halls) == ["beibaixiang", "liushi"]
    for hall in ["main", *whole.halls]:
        assert loaded.content.guides_of(hall) == whole.guides_of(hall)
        assert loaded.content.hall_codes(hall) == sorted(whole.hall_codes(hall))
    assert loaded.content.halls["liushi"] == whole.halls["liushi"]
    assert loaded.content.halls_offering(GA) == whole.halls_offering(GA) == ["main", "beibaixiang", "liushi"]
    assert loaded.content.halls_offering(OWN) == ["liushi"]
    # published again unchanged, it is the same release
    assert store.publish(loaded.content)[1] is False

    path = store.folder(release.number) / PARTS_FILE
    path.chmod(0o644)
    path.write_bytes(path.read_bytes().replace(b"[", b"[1", 1))
    with pytest.raises(ReleaseError, match="parts.json"):
        store.load(release.number)


def test_the_manifest_is_read_once_per_release_folder(content, tmp_path, monkeypatch):
    """A kiosk's every request needs the manifest (200,000 hashes in a province): a store reads
    it once, and again when the release folder was written anew under the same number."""
    store = ReleaseStore(tmp_path / "instance")
    release, _ = store.publish(check_content(content).content)
    reads: list[str] = []
    real = Path.read_bytes
    monkeypatch.setattr(Path, "read_bytes", lambda self: reads.append(self.name) or real(self))
    first = store.manifest(release.number)
    first["hash"] = "changed by a caller"
    again = store.manifest(release.number)
    assert reads.count("manifest.json") == 1 and again["hash"] == release.hash
    folder = store.folder(release.number)  # the folder written again (as after a crash and recover)
    folder.chmod(0o755)
    manifest = folder / "manifest.json"
    data = json.loads(real(manifest))
    data["stamp"] = "版本 R1 · 重写"
    manifest.chmod(0o644)
    manifest.unlink()
    manifest.write_text(json.dumps(data), encoding="utf-8")
    assert store.manifest(release.number)["stamp"] == "版本 R1 · 重写"


def test_a_release_written_before_hall_parts_still_loads(content, tmp_path):
    """Releases made before hall part files kept every hall inline in content.json and the
    per-hall guide hashes in halls.json: an instance upgraded in place still reads them."""
    from guides.release import HALLS_FILE, HALLS_FILE_KEY, PARTS_FILE_KEY, sha256

    store = ReleaseStore(tmp_path / "instance")
    release, _ = store.publish(check_content(content).content)
    folder = store.folder(release.number)
    folder.chmod(0o755)
    doc = json.loads((folder / "content.json").read_bytes())
    parts = {h: json.loads((folder / HALLS_DIR / f"{h}.json").read_bytes()) for h in doc["halls"]}
    doc["halls"] = {h: {k: part[k] for k in ("offered", "own", "site")} for h, part in parts.items()}
    body = canonical_json(doc)
    halls = canonical_json({"main": release.guide_hashes, **{h: dict(release.hall_hashes[h]) for h in parts}})
    manifest = json.loads((folder / "manifest.json").read_bytes())
    manifest.pop(PARTS_FILE_KEY)
    manifest.pop("halls")
    manifest.update({"hash": sha256(body), HALLS_FILE_KEY: sha256(halls)})
    for name, data in (("content.json", body), (HALLS_FILE, halls), ("manifest.json", canonical_json(manifest))):
        (folder / name).unlink(missing_ok=True)
        (folder / name).write_bytes(data)
    old = store.load(release.number)
    for hall in ("main", "liushi", "beibaixiang"):
        assert old.content.guides_of(hall) == release.content.guides_of(hall)
    assert store.manifest(release.number)["halls"]["liushi"] == release.hall_hashes["liushi"]
    # and a release made from it is written in the new layout, the same content
    again, created = store.publish(old.content)
    assert created and (store.folder(again.number) / HALLS_DIR / "liushi.json").is_file()
    assert store.load(again.number).content.guides_of("liushi") == release.content.guides_of("liushi")
