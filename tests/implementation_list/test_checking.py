"""Imported guides go through the content checker: vague clauses and absent elements show
as usual, and never stop the import (editors complete the drafts; releases enforce)."""
from __future__ import annotations

from tests.implementation_list.builders import CODE_A, item, material, sample_book, write_xlsx


def test_vague_clauses_and_absent_elements_are_reported_per_guide(tmp_path, imp):
    book = sample_book()
    book["事项"][1] = item(CODE_A, "居民身份证换领", 到办事现场次数=None)
    book["材料"][2] = material(CODE_A, "其他相关材料")
    status, out = imp(write_xlsx(tmp_path / "清单.xlsx", book), "--dry-run")
    assert status == 0, out
    block = out.split(f"事项 {CODE_A}")[1].split("\n事项 ")[0]
    assert "检查 materials.1.name: E201 模糊条款" in block
    assert "检查 mistakes: E105 缺少必备要素：易错范例(mistakes)" in block
    assert "W401 缺少推荐要素：到现场次数(visits) 未载明" in block
    assert "推荐要素完整度" in block


def test_checker_errors_do_not_stop_writing_drafts_into_a_folder(tmp_path, imp):
    folder = tmp_path / "content"
    status, out = imp(write_xlsx(tmp_path / "清单.xlsx", sample_book()), "--out", folder)
    assert status == 0
    assert "内容检查 2 处错误" in out and "发布前须改正错误" in out
    assert len(list((folder / "guides").glob("*.yaml"))) == 2
