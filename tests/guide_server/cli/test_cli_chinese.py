"""`guide-server` speaks Chinese to operators: click's errors, aborts, usage lines and help
headings, with click's non-zero exit codes; nothing in English from the library."""
from __future__ import annotations

import subprocess
import sys

import click
import pytest
from click.testing import CliRunner

from guide_server.cli import main
from tests.conftest import ROOT

ENGLISH = ("Error:", "Aborted!", "Usage:", "Options:", "Commands:", "Try '", "Show this message", "Missing argument",
           "No such", "Invalid value", "is not one of", "is not a valid", "is not in the range", "does not exist")


def english(text: str) -> list[str]:
    return [w for w in ENGLISH if w in text]


@pytest.mark.parametrize("args,expected,code", [
    (["posters", "--size", "A5"], "错误：'--size' 的取值无效：'A5' 不在可选值", 2),
    (["rollback"], "错误：缺少参数 'NUMBER'", 2),
    (["rollback", "zwei"], "不是有效的整数", 2),
    (["nosuch"], "错误：没有命令 'nosuch'。", 2),
    (["serve", "--port", "99999"], "不在范围 1<=x<=65535 之内", 2),
    (["release", "--bogus"], "错误：没有选项 '--bogus'。", 2),
    (["check", "--content", "/nonexistent/folder", "extra"], "错误：多余的参数（extra）", 2),
])
def test_usage_errors_are_chinese_with_exit_code_2(args, expected, code):
    result = CliRunner().invoke(main, args)
    assert result.exit_code == code
    assert expected in result.output and "用法：" in result.output and "查看帮助" in result.output
    assert english(result.output) == []


def test_command_errors_are_chinese_with_exit_code_1(tmp_path):
    result = CliRunner().invoke(main, ["rollback", "9", "--instance", str(tmp_path)])
    assert result.exit_code == 1 and result.output.startswith("错误：") and english(result.output) == []


def test_ctrl_c_is_aborted_in_chinese(monkeypatch):
    import guide_server.cli.releases as releases

    def interrupted(_folder):
        raise KeyboardInterrupt

    monkeypatch.setattr(releases, "check_content", interrupted)
    result = CliRunner().invoke(main, ["check", "--content", "content"])
    assert result.exit_code == 1 and "已中止。" in result.output and english(result.output) == []


def _commands(group: click.Group, prefix=()):
    for name, cmd in group.commands.items():
        yield (*prefix, name)
        if isinstance(cmd, click.Group):
            yield from _commands(cmd, (*prefix, name))


def test_every_help_page_has_chinese_headings():
    runner = CliRunner()
    for path in [(), *_commands(main)]:
        result = runner.invoke(main, [*path, "-h"])
        assert result.exit_code == 0, path
        assert "用法：" in result.output and "显示本帮助并退出。" in result.output, path
        assert english(result.output) == [], (path, english(result.output))


def test_the_real_process_says_it_in_chinese_too(tmp_path):
    """Through the console entry point (no CliRunner), as an operator types it."""
    proc = subprocess.run([sys.executable, "-m", "guide_server.cli", "posters", "--instance", str(tmp_path), "X"],
                          capture_output=True, text=True, cwd=ROOT, env={"PYTHONPATH": str(ROOT), "LANG": "C",
                                                                         "PATH": "/usr/bin:/bin"})
    assert proc.returncode == 1
    assert "还没有发布任何版本" in proc.stderr and english(proc.stderr + proc.stdout) == []
