"""A hall's own guide is a live guide like any other: a release that takes it away (its hall
folder removed, or the file) is refused with exit 3 and names it until the operator says
--allow-removals; a rollback names the hall guides it takes offline or brings back."""
from __future__ import annotations

import shutil

from click.testing import CliRunner

from guides.release import ReleaseStore
from guide_server.cli import main
from tests.support.halls import add_second_hall

OWN = "330382-SC-0901"


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def test_removing_a_hall_with_its_own_guide_is_refused_until_allowed(valid_content, tmp_path):
    content = add_second_hall(valid_content, own_guide=True)
    inst = tmp_path / "inst"
    assert run("release", "--content", content, "--instance", inst).exit_code == 0
    assert ReleaseStore(inst).current().hall_codes == {OWN: "liushi"}
    shutil.rmtree(content / "halls" / "liushi")
    refused = run("release", "--content", content, "--instance", inst)
    assert refused.exit_code == 3, refused.output
    assert f"{OWN} 个体工商户登记（大厅 liushi）：将被移除" in refused.output and "--allow-removals" in refused.output
    assert ReleaseStore(inst).current_number() == 1  # nothing written
    allowed = run("release", "--content", content, "--instance", inst, "--allow-removals")
    assert allowed.exit_code == 0, allowed.output
    assert ReleaseStore(inst).current().hall_codes == {}

    back = run("rollback", "1", "--instance", inst)
    assert back.exit_code == 0, back.output
    assert back.output.splitlines()[1:] == ["大厅事项上线（1 个）：", f"  {OWN}  个体工商户登记（大厅 liushi）"]
    forward = run("rollback", "2", "--instance", inst)
    assert forward.output.splitlines()[1:] == ["大厅事项下线（1 个）：", f"  {OWN}  个体工商户登记（大厅 liushi）"]


def test_moving_a_hall_guide_to_another_hall_is_not_a_removal(valid_content, tmp_path):
    content = add_second_hall(valid_content, own_guide=True)
    inst = tmp_path / "inst"
    assert run("release", "--content", content, "--instance", inst).exit_code == 0
    other = content / "halls" / "beibaixiang"
    shutil.copytree(content / "halls" / "liushi", other)
    (other / "hall.yaml").write_text((other / "hall.yaml").read_text(encoding="utf-8")
                                     .replace("/h/liushi", "/h/beibaixiang"), encoding="utf-8")
    shutil.rmtree(content / "halls" / "liushi")
    moved = run("release", "--content", content, "--instance", inst)
    assert moved.exit_code == 0, moved.output
    assert ReleaseStore(inst).current().hall_codes == {OWN: "beibaixiang"}


def test_export_brings_a_removed_hall_folder_back_as_the_refusal_advises(valid_content, tmp_path):
    content = add_second_hall(valid_content, own_guide=True)
    inst = tmp_path / "inst"
    assert run("release", "--content", content, "--instance", inst).exit_code == 0
    shutil.rmtree(content / "halls" / "liushi")
    refused = run("release", "--content", content, "--instance", inst)
    assert refused.exit_code == 3 and "content export --published" in refused.output
    exported = run("content", "export", "--published", "--out", content, "--instance", inst)
    assert exported.exit_code == 0, exported.output
    hall = content / "halls" / "liushi"
    assert (hall / "hall.yaml").is_file() and (hall / "guides" / f"{OWN}.yaml").is_file()
    assert (hall / "overrides" / "330382-GA-0001.yaml").is_file()
    again = run("release", "--content", content, "--instance", inst)
    assert again.exit_code == 0 and "内容与当前版本相同" in again.output, again.output


def test_a_hall_left_out_of_a_release_is_named_for_its_kiosks(valid_content, tmp_path):
    """A hall with no guide of its own can go without --allow-removals, but the operator is told
    that its kiosks keep their content (the device API answers them 409 with the reason)."""
    content = add_second_hall(valid_content)
    other = content / "halls" / "beibaixiang"
    shutil.copytree(content / "halls" / "liushi", other)
    (other / "hall.yaml").write_text((other / "hall.yaml").read_text(encoding="utf-8")
                                     .replace("/h/liushi", "/h/beibaixiang"), encoding="utf-8")
    inst = tmp_path / "inst"
    assert run("release", "--content", content, "--instance", inst).exit_code == 0
    shutil.rmtree(content / "halls" / "liushi")
    result = run("release", "--content", content, "--instance", inst)
    assert result.exit_code == 0, result.output
    assert "注意：大厅 liushi 不在新版本中，登记在这些大厅的终端将保留原有内容" in result.output
