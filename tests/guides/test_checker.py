"""The checker: every invalid fixture yields exactly its expected codes and lines."""
import re
import subprocess
import sys
from pathlib import Path

import pytest

from guides.loader import check_content, load_content, ContentError
from tests.conftest import FIXTURES

INVALID = sorted((FIXTURES / "invalid").glob("*.yaml"))


def _header(path: Path) -> tuple[str, list[tuple[str, int]]]:
    text = path.read_text(encoding="utf-8", errors="replace")
    target = re.search(r"^# target: (\S+)", text, re.M).group(1)
    expect = [(c, int(n)) for c, n in re.findall(r"(E\d{3})@(\d+)", re.search(r"^# expect: (.*)$", text, re.M).group(1))]
    return target, expect


def test_there_are_enough_invalid_fixtures():
    assert len(INVALID) >= 40
    codes = {c for p in INVALID for c, _ in _header(p)[1]}
    # every error rule of the standard's rejects list has at least one fixture
    assert codes >= {"E001", "E003", "E101", "E102", "E103", "E104", "E105", "E201", "E202", "E203", "E204",
                     "E205", "E206", "E207", "E208", "E209", "E210", "E211", "E212", "E213", "E214", "E219",
                     "E220", "E221", "E222", "E223", "E224", "E225", "E226"}


def test_valid_fixture_is_clean(valid_content):
    result = check_content(valid_content)
    assert result.findings == []
    assert sorted(result.content.guides) == ["330382-GA-0001", "330382-SC-0001"]
    assert {str(c) for c in result.completeness.values()} == {"100%（28/28）", "100%（25/25）"}


@pytest.mark.parametrize("fixture", INVALID, ids=lambda p: p.stem)
def test_invalid_fixture_reports_exact_code_and_line(fixture, valid_content):
    target, expected = _header(fixture)
    (valid_content / target).write_bytes(fixture.read_bytes())
    result = check_content(valid_content)
    target_path = str(valid_content / target)
    got = sorted((f.code, f.line) for f in result.errors if f.path == target_path)
    assert got == sorted(expected), [str(f) for f in result.findings]
    others = [str(f) for f in result.errors if f.path != target_path]
    assert others == []
    assert not result.ok and result.content is None
    with pytest.raises(ContentError) as info:
        load_content(valid_content)
    assert f"{target_path}:{expected[0][1]}: {expected[0][0]}" in str(info.value)


def test_finding_format_is_path_line_code_message(valid_content):
    g = valid_content / "guides" / "330382-GA-0001.yaml"
    g.write_text(g.read_text(encoding="utf-8").replace("  - {name: 居民身份证申领登记表,", "  - {name: 有关材料, form: 原件, copies: 1, source: 申请人自备}\n  - {name: 居民身份证申领登记表,"), encoding="utf-8")
    proc = subprocess.run([sys.executable, "-m", "guide_server", "check", "--content", str(valid_content)],
                          capture_output=True, text=True)
    assert proc.returncode == 1
    assert proc.stdout.splitlines() == [f"{g}:25: E201 模糊条款：“有关材料”含义不明（泛指），请逐项写明具体内容或删除"]
    assert "Traceback" not in proc.stderr


def test_warning_does_not_fail(valid_content):
    g = valid_content / "guides" / "330382-GA-0001.yaml"
    g.write_text(g.read_text(encoding="utf-8").replace("visits: 1", "visits: 2\nvisits_reason: 需本人到场采集指纹并在制证后到场领取"), encoding="utf-8")
    result = check_content(valid_content)
    assert result.ok
    assert [(f.code, f.line, f.severity.value) for f in result.findings] == [("W301", 35, "warning")]
    proc = subprocess.run([sys.executable, "-m", "guide_server", "check", "--content", str(valid_content)],
                          capture_output=True, text=True)
    assert proc.returncode == 0 and "W301" in proc.stdout


def test_missing_files_and_folders(tmp_path):
    result = check_content(tmp_path)
    got = sorted((Path(f.path).name, f.code) for f in result.errors)
    assert got == [("categories.yaml", "E002"), ("guides", "E002"), ("site.yaml", "E002")]
    assert [f.code for f in check_content(tmp_path / "nope").errors] == ["E002"]


def test_non_utf8_file_is_reported_with_its_line(valid_content):
    g = valid_content / "guides" / "330382-GA-0001.yaml"
    g.write_bytes(g.read_bytes().replace("居民户口簿".encode(), "居民户口簿".encode("gbk")))
    assert [(f.code, f.line) for f in check_content(valid_content).errors] == [("E001", 23)]


def test_every_sample_guide_passes_the_checker():
    from tests.conftest import SAMPLE_CONTENT
    result = check_content(SAMPLE_CONTENT)
    assert [str(f) for f in result.errors] == []
    content = result.content
    assert len(content.guides) >= 24
    assert len({g.category for g in content.guides.values()}) >= 6
    audiences = {a.value for g in content.guides.values() for a in g.audience}
    assert audiences == {"个人", "法人"}
    assert all(len(g.mistakes) >= 2 for g in content.guides.values())
    # cases where the sample really has them: 换领 reasons, 护照 首次/换发/补发, 签注 times, 不动产 use
    with_questions = {code for code, g in content.guides.items() if g.questions}
    assert with_questions >= {"330382-GA-0001", "330382-CRJ-0001", "330382-CRJ-0002", "330382-BDC-0001"}
    assert result.total_completeness.ratio > 0.9


def test_parallel_check_matches_serial(tmp_path, monkeypatch):
    """Big folders are checked in a process pool; findings must not differ."""
    import guides.loader as loader
    from bench.generate_guides import generate
    root = generate(tmp_path / "big", loader.PARALLEL_FROM + 20)
    victim = sorted((root / "guides").glob("*.yaml"))[100]
    victim.write_text(victim.read_text(encoding="utf-8").replace("visits: 1", "visits: 5").replace("visits: 0", "visits: 5"),
                      encoding="utf-8")
    parallel = loader.check_content(root)
    monkeypatch.setattr(loader, "PARALLEL_FROM", 10**9)
    serial = loader.check_content(root)
    assert [str(f) for f in parallel.findings] == [str(f) for f in serial.findings]
    assert [f.code for f in serial.errors] == ["E205"] and serial.errors[0].path == str(victim)


def test_summary_gives_completeness_per_guide_and_in_all():
    from tests.conftest import FIXTURES as F
    proc = subprocess.run([sys.executable, "-m", "guide_server", "check", "--content", str(F / "valid" / "real"),
                           "--summary"], capture_output=True, text=True)
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    lines = proc.stdout.splitlines()
    assert lines[-1] == "合计 2 个事项：推荐要素完整度 29%（13/45），错误 9 处，提醒 32 处"
    assert any(line.endswith("zhangzhuang-1544.yaml: 完整度 29%（5/17），错误 5 处，提醒 12 处；"
                             "未载明：基本编码、份数、来源渠道、材料形式、监督投诉电话、办理流程、办理结果、常见问题")
               for line in lines)


def test_the_editors_worked_example_in_content_readme_passes(valid_content):
    from tests.conftest import ROOT
    readme = (ROOT / "content" / "README.md").read_text(encoding="utf-8")
    example = re.search(r"## 一个完整的例子.*?```yaml\n(.*?)```", readme, re.S).group(1)
    target = valid_content / "guides" / "330382-GA-0099.yaml"  # beside the fixture's own 0001
    target.write_text(example, encoding="utf-8")
    result = check_content(valid_content)
    assert result.errors == [], [str(f) for f in result.errors]
    warned = [f.message for f in result.warnings if f.path == str(target)]
    assert "缺少推荐要素：到现场次数(visits) 未载明，各终端将不显示此项" in warned
    assert result.content.guides["330382-GA-0099"].questions[0].id == "why"
