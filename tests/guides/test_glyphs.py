"""Characters the bundled font cannot draw are found, so no surface drops them silently."""
import pytest
from PIL import Image, ImageDraw, ImageFont

from guides.fonts import FONT_PATH
from guides.glyphs import char_label, font_coverage, undrawable_chars
from tests.conftest import SAMPLE_CONTENT

# Field case 01-poster-missing-glyph.yaml: the name of 330382-GA-0001 with 𡉃 (CJK Ext B, U+21243)
FIELD_CASE_01 = "居民身份证换领(𡉃头村便民服务点)"


def test_field_case_the_ext_b_character_is_reported():
    assert undrawable_chars(FIELD_CASE_01) == ["𡉃"]
    assert char_label("𡉃") == "“𡉃”（U+21243）"


@pytest.mark.parametrize("text,missing", [
    ("王䶮 龑 堃 㛃 〇①×√￥ 〓", []),                 # rare but covered: Ext A 䶮, symbols
    ("𠮷野家 𪚥 𡉃", ["𠮷", "𪚥", "𡉃"]),               # Ext B, each once, in order
    ("张三\ue188", ["\ue188"]),                       # a private-use 生僻字 code
    ("办事👍", ["👍"]),
    ("第一行\n第二行\t制表\u200d\u00ad", []),          # control and format characters need no glyph
    ("葛\U000E0100", []),                             # an ideographic variation selector
    ("\u3000全角空格 和\u00a0不换行空格", []),
])
def test_what_the_font_can_and_cannot_draw(text, missing):
    assert undrawable_chars(text) == missing


def test_the_answer_agrees_with_what_pillow_draws_with_the_font():
    """A reported character really comes out as the font's .notdef box; a covered one does not."""
    font = ImageFont.truetype(str(FONT_PATH), 48)

    def ink(ch):
        img = Image.new("L", (64, 64), 0)
        ImageDraw.Draw(img).text((8, 4), ch, font=font, fill=255)
        return img.tobytes()

    notdef = ink("\U0010FFFD")  # surely not in the font
    for ch in "𡉃𠮷\ue188":
        assert ink(ch) == notdef
    for ch in "䶮龑堃〓":
        assert ink(ch) != notdef


def test_every_sample_guide_is_drawable():
    for path in sorted((SAMPLE_CONTENT / "guides").glob("*.yaml")):
        assert undrawable_chars(path.read_text(encoding="utf-8")) == [], path.name
    assert len(font_coverage()) > 30000


def test_coverage_file_is_the_bundled_fonts_cmap():
    """The checker reads the bundled font's coverage from its .coverage file; it must say
    exactly what the font's cmap says (after a font update: python -m guides.glyphs)."""
    from guides.fonts import FONT_PATH
    from guides.glyphs import COVERAGE_PATH, cmap_coverage, coverage_text, font_coverage

    cmap = cmap_coverage(FONT_PATH)
    assert COVERAGE_PATH.read_text(encoding="ascii") == coverage_text(cmap)
    assert font_coverage() == cmap
    assert 0x4E2D in cmap and 0x21243 not in cmap  # 中 is drawn, 𡉃 (CJK Ext B) is not
