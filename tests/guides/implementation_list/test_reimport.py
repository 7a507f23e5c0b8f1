"""Writing into a content folder, and importing a newer export over it."""
from __future__ import annotations

import json

import pytest
import yaml

from guides.implementation_list import store
from guides.implementation_list.service import read_lists, to_draft_payloads
from tests.guides.implementation_list.builders import CODE_A, CODE_B, item, sample_book, write_xlsx
from tests.guides.implementation_list.conftest import tree


def _load(folder, code):
    return yaml.safe_load((folder / "guides" / f"{code}.yaml").read_text(encoding="utf-8"))


@pytest.fixture
def imported(tmp_path, imp):
    path = write_xlsx(tmp_path / "清单.xlsx", sample_book())
    folder = tmp_path / "content"
    status, out = imp(path, "--out", folder)
    assert status == 0, out
    return path, folder


def test_out_writes_one_yaml_file_per_code_in_the_standard_key_order(imported):
    _, folder = imported
    files = sorted(p.name for p in (folder / "guides").iterdir())
    assert files == [f"{CODE_A}.yaml", f"{CODE_B}.yaml"]
    text = (folder / "guides" / f"{CODE_A}.yaml").read_text(encoding="utf-8")
    keys = [line.split(":")[0] for line in text.splitlines() if line and not line.startswith((" ", "-"))]
    assert keys[:4] == ["code", "basic_code", "name", "item_type"] and keys[-1] == "updated"
    state = json.loads((folder / store.STATE_FILE).read_text(encoding="utf-8"))
    assert set(state["guides"]) == {CODE_A, CODE_B}


def test_temporaries_of_an_import_killed_before_its_renames_are_cleared_by_the_next(imported, imp):
    """kill -9 between writing the temporaries and renaming them leaves hidden .tmp files (never
    content); the next import into the folder removes them and leaves the guides as they are."""
    path, folder = imported
    leftovers = [folder / "guides" / f".{CODE_A}.yaml.0badc0de.tmp", folder / f".{store.STATE_FILE}.0badc0de.tmp"]
    for p in leftovers:
        p.write_text("half", encoding="utf-8")
    guides = {k: v for k, v in tree(folder / "guides").items() if not k.startswith(".")}
    status, out = imp(path, "--out", folder)
    assert status == 0, out
    assert not any(p.exists() for p in leftovers)
    assert {k: v for k, v in tree(folder / "guides").items()} == guides


def test_dry_run_with_out_writes_nothing(tmp_path, imp):
    path = write_xlsx(tmp_path / "清单.xlsx", sample_book())
    status, out = imp(path, "--out", tmp_path / "content", "--dry-run")
    assert status == 0
    assert f"新增 {tmp_path / 'content' / 'guides' / (CODE_A + '.yaml')}" in out
    assert not (tmp_path / "content").exists()


def test_the_same_export_again_changes_nothing(imported, imp):
    path, folder = imported
    before = {k: v for k, v in tree(folder).items() if k != store.STATE_FILE}
    status, out = imp(path, "--out", folder)
    assert status == 0
    assert "新增 0、更新 0、覆盖 0、无变化 2、未覆盖 0" in out
    assert {k: v for k, v in tree(folder).items() if k != store.STATE_FILE} == before


def test_a_newer_export_updates_only_what_changed_and_shows_the_diff(imported, imp):
    path, folder = imported
    other_before = (folder / "guides" / f"{CODE_B}.yaml").read_bytes()
    book = sample_book()
    book["事项"][1] = item(CODE_A, "居民身份证换领", 承诺办结时限=10)
    write_xlsx(path, book)
    status, out = imp(path, "--out", folder)
    assert status == 0, out
    assert "~ time_limit.promised.value: 10" not in out  # the diff goes old → new
    assert "~ time_limit.promised.value: 15 → 10" in out
    assert _load(folder, CODE_A)["time_limit"]["promised"] == {"value": 10, "unit": "工作日"}
    assert (folder / "guides" / f"{CODE_B}.yaml").read_bytes() == other_before


def test_an_emptied_cell_removes_the_element(imported, imp):
    path, folder = imported
    book = sample_book()
    book["事项"][1] = item(CODE_A, "居民身份证换领", 网办地址=None)
    write_xlsx(path, book)
    status, out = imp(path, "--out", folder)
    assert "- online_url: https://www.zjzwfw.gov.cn/" in out
    assert "online_url" not in _load(folder, CODE_A)


def test_a_guide_edited_by_hand_is_not_overwritten_without_overwrite(imported, imp):
    path, folder = imported
    guide_file = folder / "guides" / f"{CODE_A}.yaml"
    data = _load(folder, CODE_A)
    data["mistakes"] = [{"mistake": "只带了复印件", "correct": "带原件"}]
    guide_file.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    hand_edited = guide_file.read_bytes()
    book = sample_book()
    book["事项"][1] = item(CODE_A, "居民身份证换领", 承诺办结时限=10)
    write_xlsx(path, book)

    status, out = imp(path, "--out", folder)
    assert status == 0
    assert f"未覆盖 {guide_file}：上次导入后被手工修改过；加 --overwrite 覆盖" in out
    assert guide_file.read_bytes() == hand_edited

    status, out = imp(path, "--out", folder, "--overwrite")
    assert status == 0
    assert f"覆盖 {guide_file}" in out
    after = _load(folder, CODE_A)
    assert after["time_limit"]["promised"]["value"] == 10
    assert after["mistakes"] == [{"mistake": "只带了复印件", "correct": "带原件"}]  # not in a 实施清单: kept


def test_a_guide_written_by_hand_before_any_import_is_held_too(tmp_path, imp):
    folder = tmp_path / "content"
    (folder / "guides").mkdir(parents=True)
    own = folder / "guides" / f"{CODE_A}.yaml"
    own.write_text(f"code: '{CODE_A}'\nname: 手写的事项\n", encoding="utf-8")
    status, out = imp(write_xlsx(tmp_path / "清单.xlsx", sample_book()), "--out", folder)
    assert status == 0
    assert "此事项不是由实施清单导入的（手工编写）" in out
    assert own.read_text(encoding="utf-8") == f"code: '{CODE_A}'\nname: 手写的事项\n"


def test_guides_missing_from_a_newer_export_are_kept_and_named(imported, imp):
    path, folder = imported
    book = sample_book()
    book["事项"] = book["事项"][:2]
    book["材料"] = book["材料"][:3]
    book["常见问题"] = book["常见问题"][:1]
    write_xlsx(path, book)
    status, out = imp(path, "--out", folder)
    assert status == 0
    assert f"不在本次清单中 {CODE_B}：保留原样" in out
    assert (folder / "guides" / f"{CODE_B}.yaml").exists()


def test_a_failed_write_leaves_the_folder_as_it_was(imported, monkeypatch):
    path, folder = imported
    before = tree(folder)
    book = sample_book()
    book["事项"][1] = item(CODE_A, "居民身份证换领", 承诺办结时限=10)
    book["事项"][2] = item(CODE_B, "居民身份证补领", 承诺办结时限=3)
    write_xlsx(path, book)
    result = read_lists([path])
    plan = store.plan_write(result, folder)
    assert plan.count("update") == 2
    real = type(folder).write_text
    calls = []

    def failing(self, *a, **k):
        calls.append(self)
        if len(calls) == 2:
            raise OSError(28, "No space left on device")
        return real(self, *a, **k)

    monkeypatch.setattr(type(folder), "write_text", failing)
    with pytest.raises(store.WriteError, match="内容目录未作任何修改"):
        store.apply_plan(plan, sources=["清单.xlsx"], profile="gbt39046")
    assert tree(folder) == before  # no temporary left behind either


def test_draft_payloads_keep_what_the_spreadsheet_does_not_carry(tmp_path):
    result = read_lists([write_xlsx(tmp_path / "清单.xlsx", sample_book())])
    existing = {CODE_A: {"code": CODE_A, "name": "旧名称", "mistakes": [{"mistake": "甲", "correct": "乙"}],
                         "online_url": "https://old.example.gov.cn/"}}
    payloads = to_draft_payloads(result, existing=existing.get)
    assert [p.code for p in payloads] == [CODE_A, CODE_B]
    a = payloads[0].data
    assert a["name"] == "居民身份证换领" and a["mistakes"] == [{"mistake": "甲", "correct": "乙"}]
    assert a["online_url"] == "https://www.zjzwfw.gov.cn/"
    assert "mistakes" not in payloads[1].data
    assert a["updated"] == "2026-11-01"  # JSON-ready: the editor stores drafts as JSON
    assert any("受理条件" in line and "conditions" in line for line in payloads[0].trace)
