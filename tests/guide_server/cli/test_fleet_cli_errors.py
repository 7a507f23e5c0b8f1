"""Fleet commands on an instance folder that does not exist: a Chinese message naming the folder
and the command that creates it, exit 1, no traceback and nothing created."""
from click.testing import CliRunner

from guide_server.cli import main


def test_enroll_into_a_missing_instance_says_what_to_do(tmp_path):
    missing = tmp_path / "no-instance"
    result = CliRunner().invoke(main, ["kiosks", "enroll", "--hall", "main", "--name", "k1",
                                       "--instance", str(missing)])
    assert result.exit_code == 1
    assert f"实例目录 {missing} 不存在" in result.output
    assert "guide-server release" in result.output
    assert "Traceback" not in result.output
    assert not missing.exists()
