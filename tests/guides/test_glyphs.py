"""Which characters the bundled font can draw (every surface asks guides.glyphs first)."""
from __future__ import annotations

from guides.glyphs import describe, font_codepoints, undrawable_chars
from guides.loader import load_content
from tests.conftest import SAMPLE_CONTENT


def test_cjk_extension_b_and_private_use_characters_are_undrawable():
    # field case 01: 𡉃 (U+21243, CJK Extension B) is not in Noto Sans SC
    assert undrawable_chars("居民身份证换领(𡉃头村便民服务点)") == ["𡉃"]
    assert undrawable_chars("\ue000张三\U00020000𡉃𡉃") == ["\ue000", "\U00020000", "𡉃"]  # each once, in order
    assert describe("𡉃") == "“𡉃”（U+21243）"
    assert "ZERO WIDTH SPACE" in describe("\u200b")


def test_common_and_extension_a_characters_and_layout_are_drawable():
    assert undrawable_chars("䶮龑 工本费 20 元/证，（一）“１２”…—\n\t") == []
    assert 0x4DAE in font_codepoints()  # 䶮, Extension A


def test_every_text_of_the_sample_content_is_drawable():
    content = load_content(SAMPLE_CONTENT)
    texts = [content.site.model_dump_json()] + [g.model_dump_json() for g in content.guides.values()]
    assert undrawable_chars("".join(texts)) == []
