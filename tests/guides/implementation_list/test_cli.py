"""The command line: choices, a hall's own header map, and the editor hook for --as-drafts."""
from __future__ import annotations

from click.testing import CliRunner

from guides.implementation_list.cli import make_import_list
from tests.guides.implementation_list.builders import CODE_A, CODE_B, sample_book, write_xlsx


def test_a_target_is_required_and_drafts_exclude_out(tmp_path, imp):
    path = write_xlsx(tmp_path / "清单.xlsx", sample_book())
    status, out = imp(path)
    assert status == 2 and "请指定 --out 内容目录、--as-drafts 或 --dry-run" in out
    status, out = imp(path, "--as-drafts", "--out", tmp_path / "c")
    assert status == 2 and "只能选一个" in out


def test_as_drafts_without_an_editor_connection_says_so(tmp_path, imp):
    status, out = imp(write_xlsx(tmp_path / "清单.xlsx", sample_book()), "--as-drafts")
    assert status == 1 and "没有连接网页编辑器" in out


def test_as_drafts_hands_v2_payloads_to_the_editor_hook(tmp_path):
    saved = []

    def save_drafts(payloads, overwrite, instance_dir):  # payloads come one at a time (single pass)
        for p in payloads:
            saved.append(p)
            yield f"草稿 {p.code} -> {instance_dir}"

    command = make_import_list(save_drafts)
    result = CliRunner().invoke(command, [str(write_xlsx(tmp_path / "清单.xlsx", sample_book())), "--as-drafts",
                                          "--instance", str(tmp_path / "inst")])
    assert result.exit_code == 0, result.output
    assert [p.code for p in saved] == [CODE_A, CODE_B]
    assert saved[0].data["materials"][0]["name"] == "原居民身份证"
    assert f"草稿 {CODE_A} -> {tmp_path / 'inst'}" in result.output


def test_a_halls_own_header_map(tmp_path, imp):
    own = tmp_path / "our-platform.yaml"
    own.write_text("source: our-platform\ncolumns:\n  items:\n    办事项目名称: name\n    项目编号: task_code\n",
                   encoding="utf-8")
    path = write_xlsx(tmp_path / "清单.xlsx", {"事项": [["办事项目名称", "项目编号"], ["居民身份证换领", CODE_A]]})
    status, out = imp(path, "--dry-run")
    assert status == 1 and "LE111" in out
    status, out = imp(path, "--dry-run", "--headers", own)
    assert status == 0, out
    assert f"事项 {CODE_A}  居民身份证换领" in out and "our-platform" in out


def test_a_broken_header_map_is_named(tmp_path, imp):
    own = tmp_path / "bad.yaml"
    own.write_text("columns:\n  items:\n    办事项目名称: no_such_field\n", encoding="utf-8")
    status, out = imp(write_xlsx(tmp_path / "清单.xlsx", sample_book()), "--dry-run", "--headers", own)
    assert status == 1
    assert f"{own}: 表头“办事项目名称”对应的字段 no_such_field 不存在" in out
