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
    assert f"{OWN} 个体工商户登记：将被移除" in refused.output and "--allow-removals" in refused.output
    assert ReleaseStore(inst).current_number() == 1  # nothing written
    allowed = run("release", "--content", content, "--instance", inst, "--allow-removals")
    assert allowed.exit_code == 0, allowed.output
    assert ReleaseStore(inst).current().hall_codes == {}

    back = run("rollback", "1", "--instance", inst)
    assert back.exit_code == 0, back.output
    assert back.output.splitlines()[1:] == ["大厅事项上线（1 个）：", f"  {OWN}  （大厅 liushi）"]
    forward = run("rollback", "2", "--instance", inst)
    assert forward.output.splitlines()[1:] == ["大厅事项下线（1 个）：", f"  {OWN}  （大厅 liushi）"]


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
