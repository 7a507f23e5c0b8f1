"""The bundled Noto Sans SC has a glyph for every character the kiosk can show."""
import ast
from pathlib import Path

from fontTools.ttLib import TTFont

from guides.fonts import FONT_PATH
from guides.loader import load_content
from kiosk.app.controllers.guide_view import guide_header, guide_sections, guide_summary
from tests.conftest import FIXTURES, ROOT
from tests.kiosk.conftest import copy_sample_content

KIOSK = ROOT / "kiosk"
UI_FILES = ["app/*.py", "messages.py", "app/controllers/*.py", "app/screens/*.py", "cli/simulate.py"]


def font_chars() -> set[int]:
    return set(TTFont(str(FONT_PATH), lazy=True).getBestCmap())


def ui_strings() -> list[str]:
    out = []
    for pattern in UI_FILES:
        for path in KIOSK.glob(pattern):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.Constant) and isinstance(node.value, str):
                    out.append(node.value)
    for kv in list(KIOSK.glob("app/*.kv")) + list(KIOSK.glob("app/screens/*.kv")):
        out.append(kv.read_text(encoding="utf-8"))
    return out


def content_strings(content) -> list[str]:
    out = [content.site.hall_name, content.site.hotline, content.site.address, content.site.hours,
           content.site.public_base_url]
    for c in content.categories:
        out += [c.name, c.description or ""]
    for g in content.guides.values():
        out += [g.name, g.category, g.visits_label, g.time_limit_label, guide_header(g)]
        out += [f"{k}{v}" for k, v in guide_summary(g)]
        for s in guide_sections(g):
            out += [s.title, "\n".join(s.lines)]
    return out


def missing(strings, cmap) -> dict[str, str]:
    gaps = {}
    for text in strings:
        for ch in text:
            if ch in "\n\r\t":
                continue
            if ord(ch) not in cmap:
                gaps.setdefault(ch, text[:40])
    return gaps


def test_font_covers_every_ui_string():
    strings = ui_strings()
    assert any("打印机暂不可用" in s for s in strings) and any("删除" in s for s in strings)
    assert missing(strings, font_chars()) == {}


def test_font_covers_all_sample_and_fixture_content(tmp_path):
    cmap = font_chars()
    for folder in (copy_sample_content(tmp_path / "c"), FIXTURES / "valid"):
        content = load_content(folder)
        assert missing(content_strings(content), cmap) == {}, folder
        # and the raw files, so text the kiosk does not show yet is covered too
        raw = [p.read_text(encoding="utf-8") for p in Path(folder).rglob("*.yaml")]
        assert missing(raw, cmap) == {}


def test_the_check_finds_a_character_the_font_lacks():
    assert "⌫" in missing(["删除 ⌫"], font_chars())   # why the key says 删除
