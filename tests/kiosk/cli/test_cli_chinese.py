"""The kiosk command line speaks Chinese to technicians, click's own errors included."""
import os
import subprocess
import sys

from click.testing import CliRunner

from kiosk.cli import main
from tests.conftest import ROOT


def kiosk(*args):
    env = dict(os.environ, PYTHONPATH=str(ROOT), KIVY_NO_ARGS="1", LANG="C", LC_ALL="C")
    return subprocess.run([sys.executable, "-m", "kiosk.cli", *args], capture_output=True, text=True, env=env,
                          timeout=60)


def test_a_bad_choice_is_a_chinese_usage_error():
    out = kiosk("run", "--orientation", "sideways")
    assert out.returncode == 2
    assert "错误：" in out.stderr and "用法：" in out.stderr
    assert "Error:" not in out.stderr and "Usage:" not in out.stderr and "Invalid value" not in out.stderr


def test_a_missing_option_and_an_unknown_command_in_chinese():
    out = kiosk("provision")
    assert out.returncode == 2 and "缺少选项 '--server'" in out.stderr and "Missing" not in out.stderr
    out = kiosk("provison")
    assert out.returncode == 2 and "没有命令 'provison'" in out.stderr and "您是不是想输入" in out.stderr


def test_help_headings_in_chinese():
    out = kiosk("--help")
    assert out.returncode == 0 and "用法：" in out.stdout and "选项" in out.stdout and "命令" in out.stdout
    assert "Usage:" not in out.stdout and "Show this message" not in out.stdout


def test_ctrl_c_says_aborted_in_chinese(tmp_path, monkeypatch):
    import kiosk.config

    def interrupted(*_a, **_kw):
        raise KeyboardInterrupt

    monkeypatch.setattr(kiosk.config, "write_config", interrupted)
    result = CliRunner().invoke(main, ["config-init", "--instance", str(tmp_path)])
    assert result.exit_code == 1
    assert "已中止。" in result.output and "Aborted!" not in result.output
