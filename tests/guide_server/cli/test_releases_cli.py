"""`guide-server releases` and `rollback` as an operator in China reads them: release times in
Beijing time (UTC+8), labelled, on the same day as the release stamp; `--json` keeps ISO 8601
with its offset; a rollback names each guide it takes offline, brings back or changes back on
a line of its own, code and name."""
from __future__ import annotations

import datetime as dt
import json
import os

from click.testing import CliRunner

from guides.release import ReleaseStore
from guide_server.cli import main

GA, GA_NAME = "330382-GA-0001", "居民身份证换领、补领"
SC, SC_NAME = "330382-SC-0001", "个体工商户登记"


def cli(*args):
    result = CliRunner().invoke(main, [str(a) for a in args])
    assert result.exit_code == 0, result.output
    return result.output


def set_created(inst, number: int, created: str) -> None:
    path = ReleaseStore(inst).folder(number) / "manifest.json"
    manifest = json.loads(path.read_text(encoding="utf-8"))
    manifest["created"] = created
    os.chmod(path, 0o644)
    path.write_text(json.dumps(manifest), encoding="utf-8")


def test_release_times_are_beijing_time_on_the_stamps_day(valid_content, tmp_path):
    inst = tmp_path / "inst"
    cli("release", "--content", valid_content, "--instance", inst)
    set_created(inst, 1, "2026-11-30T16:30:00+00:00")  # half past midnight in Beijing, 1 December
    out = cli("releases", "--instance", inst)
    assert "* R1  2026-12-01 00:30（北京时间）" in out
    assert "+00:00" not in out and "T16:30" not in out
    assert "2026-12-01" in ReleaseStore(inst).current().stamp  # the day every other surface shows


def test_an_afternoon_release_in_utc_is_late_evening_in_beijing(valid_content, tmp_path):
    inst = tmp_path / "inst"
    cli("release", "--content", valid_content, "--instance", inst)
    set_created(inst, 1, "2026-11-30T15:05:00+00:00")
    assert "R1  2026-11-30 23:05（北京时间）" in cli("releases", "--instance", inst)


def test_json_keeps_iso_8601_with_its_offset(valid_content, tmp_path):
    inst = tmp_path / "inst"
    cli("release", "--content", valid_content, "--instance", inst)
    set_created(inst, 1, "2026-11-30T16:30:00+00:00")
    (entry,) = json.loads(cli("releases", "--instance", inst, "--json"))
    when = dt.datetime.fromisoformat(entry["created"])
    assert when.utcoffset() is not None
    assert when == dt.datetime(2026, 12, 1, 0, 30, tzinfo=dt.timezone(dt.timedelta(hours=8)))


def two_releases(valid_content, inst):
    """R1: both guides. R2: GA's fee unit changed, SC removed."""
    cli("release", "--content", valid_content, "--instance", inst)
    g = valid_content / "guides" / f"{GA}.yaml"
    g.write_text(g.read_text(encoding="utf-8").replace("unit: 元/证", "unit: 元/张"), encoding="utf-8")
    (valid_content / "guides" / f"{SC}.yaml").unlink()
    cli("release", "--content", valid_content, "--instance", inst, "--allow-removals")


def test_a_rollback_lists_each_guide_on_its_own_line_with_its_name(valid_content, tmp_path):
    inst = tmp_path / "inst"
    two_releases(valid_content, inst)
    lines = cli("rollback", "1", "--instance", inst).splitlines()
    assert lines[0].startswith("当前版本已切换为 版本 R1")
    assert lines[1:] == ["上线（1 个）：", f"  {SC}  {SC_NAME}",
                         "改回 R1 的内容（1 个）：", f"  {GA}  {GA_NAME}"]


def test_rolling_forward_names_the_guide_that_goes_offline(valid_content, tmp_path):
    inst = tmp_path / "inst"
    two_releases(valid_content, inst)
    cli("rollback", "1", "--instance", inst)
    lines = cli("rollback", "2", "--instance", inst).splitlines()
    assert lines[1:] == ["下线（1 个）：", f"  {SC}  {SC_NAME}",
                         "改回 R2 的内容（1 个）：", f"  {GA}  {GA_NAME}"]


def test_rolling_back_to_the_current_release_says_nothing_changed(valid_content, tmp_path):
    inst = tmp_path / "inst"
    cli("release", "--content", valid_content, "--instance", inst)
    lines = cli("rollback", "1", "--instance", inst).splitlines()
    assert lines[1:] == ["R1 本来就是当前版本，在线事项没有变化。"]
