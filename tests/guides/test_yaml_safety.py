"""Hostile content files: anchors and aliases (self-reference, "billion laughs"), deep nesting,
symlinks and oversized files are refused with a finding at path:line before anything is built
or read; the CLI exits 1 without a traceback."""
import os
import subprocess
import sys
from pathlib import Path

import pytest

from guides.implementation_list.headers import HeaderMapError, load_header_map
from guides.loader import check_content
from guides.yamlsource import KEY_EXCERPT, MAX_BYTES, MAX_DEPTH, YamlSyntaxError, load_plain_file, parse_yaml, safe_load_plain
from tests.support.halls import add_second_hall

GUIDE = "guides/330382-GA-0001.yaml"


def laughs(levels: int) -> str:
    """A "billion laughs" document: `levels` levels of nine aliases each (9**levels strings)."""
    lines = ['a: &a ["哈", "哈", "哈", "哈", "哈", "哈", "哈", "哈", "哈"]']
    prev = "a"
    for i in range(levels):
        name = chr(ord("b") + i)
        lines.append(f"{name}: &{name} [{', '.join(['*' + prev] * 9)}]")
        prev = name
    return "\n".join(lines) + "\n"


def _errors_of(result, path: Path) -> list[tuple[str, int, str]]:
    return [(f.code, f.line, f.message) for f in result.errors if f.path == str(path)]


def _cli(content: Path) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=str(Path(__file__).resolve().parents[2]))
    return subprocess.run([sys.executable, "-m", "guide_server.cli", "check", "--content", str(content)],
                          capture_output=True, text=True, env=env, timeout=300)


# -- anchors, aliases, depth ------------------------------------------------------------------------
@pytest.mark.parametrize("text,line,word", [
    ("a: &a [*a]\n", 1, "锚点（&a）"),
    ("name: 测试\nlist: *nothing\n", 2, "别名（*nothing）"),
    ("name: 测试\nbasis:\n  - &x 《中华人民共和国居民身份证法》\n", 3, "锚点（&x）"),
    (laughs(8), 1, "锚点（&a）"),
    ("a:" + " [" * (MAX_DEPTH + 30) + " ]" * (MAX_DEPTH + 30) + "\n", 1, f"超过 {MAX_DEPTH} 层"),
    ("a:\n" + "- " * (MAX_DEPTH + 5) + "x\n", 2, f"超过 {MAX_DEPTH} 层"),  # compact block sequences
    ("a:\n" + "-\t" * (MAX_DEPTH + 5) + "x\n", 2, "YAML 语法错误"),  # tabs after "-": refused either way
    ("a:\r\n" + "".join(" " * i + "- b:\r\n" for i in range(0, 2 * MAX_DEPTH, 2)) + "  " * MAX_DEPTH + "- x\r\n",
     MAX_DEPTH // 2 + 1, f"超过 {MAX_DEPTH} 层"),  # CRLF, a sequence under each key at the key's column
])
def test_aliases_anchors_and_deep_nesting_are_e001_at_their_line(valid_content, text, line, word):
    target = valid_content / GUIDE
    target.write_text(text, encoding="utf-8")
    result = check_content(valid_content)
    got = _errors_of(result, target)
    assert [(c, n) for c, n, _ in got] == [("E001", line)]
    assert word in got[0][2]
    assert not result.ok and result.content is None


def test_nesting_up_to_the_limit_is_still_read():
    inner = MAX_DEPTH - 1  # the top mapping is the first level
    nested = "a:" + " [" * inner + "1" + " ]" * inner
    assert parse_yaml(nested, "x.yaml").data["a"] is not None
    with pytest.raises(YamlSyntaxError):
        parse_yaml("a:" + " [" * (inner + 1) + "1" + " ]" * (inner + 1), "x.yaml")


def test_a_nested_mapping_deeper_than_the_limit_has_no_recursion_error():
    deep = "".join("  " * i + f"k{i}:\n" for i in range(MAX_DEPTH + 500)) + "  " * (MAX_DEPTH + 500) + "v\n"
    with pytest.raises(YamlSyntaxError) as info:
        safe_load_plain(deep)
    assert info.value.line == MAX_DEPTH + 1


def test_the_cli_refuses_a_self_reference_and_eight_levels_of_laughs_with_exit_1(valid_content):
    (valid_content / GUIDE).write_text("a: &a [*a]\n", encoding="utf-8")
    (valid_content / "guides" / "330382-SC-0001.yaml").write_text(laughs(8), encoding="utf-8")
    proc = _cli(valid_content)
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr + proc.stdout
    assert f"{valid_content / GUIDE}:1: E001" in proc.stdout
    assert f"{valid_content / 'guides' / '330382-SC-0001.yaml'}:1: E001" in proc.stdout


@pytest.mark.parametrize("name", ["site.yaml", "categories.yaml", "regions.yaml", "halls/liushi/hall.yaml",
                                  "halls/liushi/overrides/330382-GA-0001.yaml"])
def test_every_content_file_refuses_aliases(valid_content, name):
    add_second_hall(valid_content)
    target = valid_content / name
    target.write_text("x: &a [*a]\n", encoding="utf-8")
    result = check_content(valid_content)
    assert [(c, n) for c, n, _ in _errors_of(result, target)] == [("E001", 1)]


def test_side_files_refuse_aliases_with_a_message_naming_the_line(tmp_path):
    path = tmp_path / "map.yaml"
    path.write_text("columns:\n  items: &a [*a]\n", encoding="utf-8")
    with pytest.raises(HeaderMapError) as info:
        load_header_map(path)
    assert "第 2 行" in str(info.value) and "锚点" in str(info.value)
    with pytest.raises(YamlSyntaxError):
        load_plain_file(path)


# -- symlinks ---------------------------------------------------------------------------------------
def test_a_symlinked_guide_is_refused_and_its_target_never_shown(valid_content, tmp_path):
    secret = tmp_path / "shadow"
    secret.write_text("root:$6$secrethash$abcdefghijklmnop:19000:0:99999:7:::\n", encoding="utf-8")
    link = valid_content / "guides" / "330382-GA-0009.yaml"
    link.symlink_to(secret)
    result = check_content(valid_content)
    assert [(f.path, f.line, f.code) for f in result.errors] == [(str(link), 1, "E002")]
    assert "符号链接" in result.errors[0].message
    assert all("secrethash" not in str(f) and "root" not in f.message for f in result.findings)
    proc = _cli(valid_content)
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    assert "secrethash" not in proc.stdout + proc.stderr


def test_a_symlinked_folder_is_refused(valid_content, tmp_path):
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (outside / "330382-GA-0009.yaml").write_text("name: 外部文件\n", encoding="utf-8")
    link = valid_content / "halls"
    link.symlink_to(outside, target_is_directory=True)
    result = check_content(valid_content)
    assert [(f.path, f.code) for f in result.errors] == [(str(link), "E002")]


def test_reading_a_symlink_directly_is_refused(tmp_path):
    (tmp_path / "real.yaml").write_text("a: 1\n", encoding="utf-8")
    (tmp_path / "link.yaml").symlink_to(tmp_path / "real.yaml")
    with pytest.raises(OSError) as info:
        load_plain_file(tmp_path / "link.yaml")
    assert "符号链接" in str(info.value)


# -- size -------------------------------------------------------------------------------------------
def test_a_guide_file_over_the_limit_is_refused(valid_content):
    target = valid_content / GUIDE
    body = target.read_bytes()
    target.write_bytes(body + b"#" * (MAX_BYTES - len(body)) + b"\n" + b"# padding\n" * 10)
    result = check_content(valid_content)
    got = _errors_of(result, target)
    assert [(c, n) for c, n, _ in got] == [("E002", 1)]
    assert "文件过大" in got[0][2] and "1024 KB" in got[0][2]


def test_a_guide_file_at_the_limit_is_read(valid_content):
    target = valid_content / GUIDE
    body = target.read_bytes()
    target.write_bytes(body + b"#" * (MAX_BYTES - len(body) - 1) + b"\n")
    assert target.stat().st_size == MAX_BYTES
    assert _errors_of(check_content(valid_content), target) == []


# -- what an unknown key message repeats -----------------------------------------------------------
def test_an_unknown_key_is_echoed_only_as_a_short_printable_excerpt(valid_content):
    target = valid_content / GUIDE
    key = "root:\x1b[31m" + "x" * 200
    text = target.read_text(encoding="utf-8") + f'"{key.replace(chr(27), chr(92) + "e")}": 1\n'
    target.write_text(text, encoding="utf-8")
    got = _errors_of(check_content(valid_content), target)
    assert [c for c, _, _ in got] == ["E101"]
    message = got[0][2]
    assert "\x1b" not in message and "x" * (KEY_EXCERPT + 1) not in message and "…" in message


def test_every_guide_in_content_is_read_without_the_event_scan():
    """Ordinary guide files are vouched for by their characters alone (guides.yamlsource._surely_plain),
    so checking a province does not scan every file's events twice."""
    from guides.yamlsource import _surely_plain

    files = sorted((Path(__file__).resolve().parents[2] / "content" / "guides").glob("*.yaml"))
    assert files and all(_surely_plain(p.read_text(encoding="utf-8"), MAX_DEPTH) for p in files)
