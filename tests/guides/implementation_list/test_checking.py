"""Imported guides go through the content checker: vague clauses and absent elements show
as usual, and never stop the import (editors complete the drafts; releases enforce)."""
from __future__ import annotations

from tests.guides.implementation_list.builders import CODE_A, item, material, sample_book, write_xlsx


def test_dry_run_points_each_checker_finding_at_the_cell_it_came_from(tmp_path, imp):
    book = sample_book()
    book["事项"][1] = item(CODE_A, "居民身份证换领", 到办事现场次数=None)
    book["材料"][2] = material(CODE_A, "其他相关材料")
    path = write_xlsx(tmp_path / "清单.xlsx", book)
    status, out = imp(path, "--dry-run")
    assert status == 0, out
    block = out.split(f"事项 {CODE_A}")[1].split("\n事项 ")[0]
    assert f"检查 {path}:材料!B3: E201 模糊条款" in block and "（materials[1].name）" in block
    assert f"检查 {path}:事项!A2: E105 缺少必备要素：易错范例(mistakes)" in block
    assert "W401 缺少推荐要素：到现场次数(visits) 未载明" in block
    assert "推荐要素完整度" in block


def test_out_prints_checker_findings_at_the_written_files_lines(tmp_path, imp):
    folder = tmp_path / "content"
    status, out = imp(write_xlsx(tmp_path / "清单.xlsx", sample_book()), "--out", folder)
    assert status == 0
    guide = folder / "guides" / f"{CODE_A}.yaml"
    assert f"{guide}:1: E105 缺少必备要素：易错范例(mistakes)" in out
    assert "内容检查 2 处错误" in out and "发布前须改正错误" in out
    assert len(list((folder / "guides").glob("*.yaml"))) == 2
    status, out = imp(write_xlsx(tmp_path / "清单.xlsx", sample_book()), "--out", folder, "--brief")
    assert "W401" not in out and "E105" in out


def test_lines_of_written_findings_match_the_checker_reading_the_file(tmp_path):
    """--out prints findings at lines worked out from its own YAML; they must be the lines
    `guide-server check` would print for the same file."""
    from guides.check_one import check_guide_text
    from guides.implementation_list.service import read_lists
    from guides.implementation_list.yamlout import dump_guide, line_of
    from tests.guides.implementation_list.test_roundtrip import rich_book

    result = read_lists([write_xlsx(tmp_path / "清单.xlsx", rich_book())])
    compared = 0
    for guide in result.guides.values():
        text = dump_guide(guide.data)
        for f in check_guide_text(text, guide.code).findings:
            assert line_of(text.split("\n"), f.path) == f.line, (f.path, f.code)
            compared += 1
    assert compared >= 15  # errors and W401 warnings at several depths
