"""What goes to the printer as text is decided by the profile's character set, not by the codec.

Private-use characters (some 生僻字 are coded there), GB18030/GBK user-defined areas, four-byte
codes on printers without them and anything else outside a profile's set are drawn on a raster
line; a character the bundled font cannot draw either is printed as 〓, never dropped.
Everything is read back with the project's ESC/POS decoder.
"""
import pytest
from hypothesis import given, settings, strategies as st

from hardware.printer import PROFILES, Receipt, escpos_decode as ed, get_profile, open_printer, render_receipt
from hardware.printer import raster
from hardware.printer.simulator import PrinterSimulator
from hardware.printer.text import in_user_defined_area, printable, wrap
from hardware.reader.card import IdCard, mask_name

P80 = get_profile("80mm")
# The card of field case 04-ticket-pua-name.json: a name ending in U+E188, a private-use 生僻字.
FIELD_CARD = IdCard.from_dict({
    "card_type": "resident", "name": "张三\ue188", "name_en": None, "sex": "男", "nation": "汉",
    "birth_date": "1990-01-02", "address": "浙江省乐清市示例路1号", "id_number": "330382199001024210",
    "issuing_authority": "乐清市公安局", "valid_from": "2015-01-01", "valid_to": "长期",
    "pass_number": None, "issue_count": None, "nationality": None})
PUA_NAME = mask_name(FIELD_CARD.name)


def ticket(name: str) -> Receipt:
    """A queue ticket laid out like the kiosk's (hall, number, service, rows, cut)."""
    r = Receipt().text("乐清市市民中心", align="center", bold=True).text("排队号", align="center").title("A001")
    r.text("户籍办理", align="center", bold=True).separator()
    for label, value in [("前面等候", "0 人"), ("取号时间", "2026-11-22 16:50"), ("姓名", name),
                         ("证件号码", FIELD_CARD.masked_id), ("咨询电话", "0577-61881101")]:
        r.row(label, value)
    return r.separator().text("请留意叫号，过号请重新取号。", align="center").cut()


def test_field_case_pua_name_goes_to_the_raster_line_not_as_a_user_defined_code(tmp_path, font_path):
    sim = PrinterSimulator(profile="80mm", font_path=font_path).start()
    try:
        with open_printer(sim.url, "80mm", font_path=font_path) as printer:
            printer.print_receipt(ticket(PUA_NAME))
        assert sim.wait_for_receipts(1)
        printed = bytes(sim.received)
    finally:
        sim.stop()
    assert PUA_NAME == "张*\ue188" and "\ue188".encode("gb18030") == b"\xae\xb1"
    assert b"\xae\xb1" not in printed  # the user-defined code the product used to send
    ops = sim.receipts[0]
    texts = [op.text for op in ops if isinstance(op, ed.Line)]
    assert not [t for t in texts if "张" in t]  # the name line is not text...
    rasters = [op for op in ops if isinstance(op, ed.RasterImage)]
    assert len(rasters) == 1  # ...but exactly one raster line, the rest stays text
    printed_lines = [op for op in ops if isinstance(op, (ed.Line, ed.RasterImage))]
    at = printed_lines.index(rasters[0])  # in its place between the rows around it
    assert printed_lines[at - 1].text == "取号时间" + " " * 24 + "2026-11-22 16:50"
    assert printed_lines[at + 1].text == "证件号码" + " " * 22 + "330382********4210"
    # the raster line is the row drawn with the bundled font, the private-use character as 〓
    row = "姓名" + " " * (48 - 4 - 5) + PUA_NAME  # 张 2 columns, * 1, the 生僻字 2
    expected = raster.raster_bytes(raster.text_line_image(row.replace("\ue188", "〓"), font_path, dots=576,
                                                         cell=P80.cell_width))
    got = raster.raster_bytes(raster.image_from_raster(rasters[0].width_bytes, rasters[0].rows, rasters[0].data))
    assert got == expected
    blank = raster.raster_bytes(raster.text_line_image(row.replace("\ue188", " "), font_path, dots=576,
                                                      cell=P80.cell_width))
    assert got != blank  # the character is not silently left out


def test_a_character_the_font_lacks_is_reported(font_path):
    out = render_receipt(ticket(PUA_NAME), P80, font_path)
    assert out.missing_glyphs == ("\ue188",) and out.raster_lines == 1
    out = render_receipt(Receipt().text("王䶮").text("𡉃头村"), get_profile("80mm-gbk"), font_path)
    assert out.raster_lines == 2 and out.missing_glyphs == ("𡉃",)  # 䶮 is in the font, 𡉃 is not


# characters of each kind, and the profiles whose ROM font prints them as text
OTHER_PUA = ["\ue000", "\ue5e5", "\uf8ff", "\ue816", "\ue78d", "\ue7c7"]  # E816/E78D/E7C7: GB18030 FE51/A6D9/A8BC
USER_DEFINED = [bytes.fromhex(h).decode("gb18030") for h in
                ("aaa1", "afa1", "affe", "f8a1", "fcb0", "fefe", "a140", "a480", "a7a0")]
EXT_B = ["𠮷", "𡉃", "𪚥", "𫟘"]


@pytest.mark.parametrize("name", sorted(PROFILES))
@pytest.mark.parametrize("ch", OTHER_PUA + USER_DEFINED + EXT_B + ["\U000f0001", "😀", "\u4db6"])
def test_never_text_on_any_profile(name, ch, font_path):
    profile = PROFILES[name]
    assert not printable(ch, profile.charset, profile.four_byte)
    out = render_receipt(Receipt().text(f"申请人：王{ch}"), profile, font_path)
    ops = ed.decode(out.data, profile.charset)
    assert [type(op) for op in ops] == [ed.RasterImage]


def test_user_defined_areas_are_the_three_ranges_of_the_standard():
    for h in ("aaa1", "affe", "f8a1", "fefe", "a140", "a7a0", "a57e"):
        assert in_user_defined_area(bytes.fromhex(h)), h
    for h in ("a9fe", "b0a1", "f7fe", "fe50", "fea0", "a8bc", "a6d9", "a1a1", "8140"):
        assert not in_user_defined_area(bytes.fromhex(h)), h


@pytest.mark.parametrize("ch,text_on", [
    ("张", {"58mm", "80mm", "58mm-gbk", "80mm-gbk", "80mm-gb18030-2byte", "58mm-gb2312"}),
    ("堃", {"58mm", "80mm", "58mm-gbk", "80mm-gbk", "80mm-gb18030-2byte"}),   # GBK, not GB2312
    ("䶮", {"58mm", "80mm", "80mm-gb18030-2byte"}),                           # GB18030 FE9F (double-byte)
    ("㐀", {"58mm", "80mm"}),                                                 # Ext A, four-byte code
    ("€", {"58mm", "80mm", "80mm-gb18030-2byte"}),                            # A2E3 in GB18030, 0x80 in cp936
])
def test_each_profile_prints_its_own_set_as_text(ch, text_on, font_path):
    assert set(PROFILES) >= text_on
    for name, profile in PROFILES.items():
        data = render_receipt(Receipt().text(ch + "字"), profile, font_path).data
        ops = ed.decode(data, profile.charset)
        if name in text_on:
            assert ops == [ed.Line((ed.Segment(ch + "字"),))], name
            assert (ch + "字").encode(profile.charset) in data
        else:
            assert [type(op) for op in ops] == [ed.RasterImage], name


candidates = st.one_of(
    st.characters(codec="gbk", exclude_categories=("Cc", "Cs", "Cn", "Zl", "Zp", "Mn", "Cf")),
    st.characters(min_codepoint=0xE000, max_codepoint=0xF8FF),
    st.characters(min_codepoint=0x3400, max_codepoint=0x4DBF),
    st.characters(min_codepoint=0x20000, max_codepoint=0x2A6DF),
    st.sampled_from(USER_DEFINED),
)


@settings(max_examples=60, deadline=None)
@given(text=st.text(candidates, min_size=1, max_size=60), name=st.sampled_from(sorted(PROFILES)))
def test_text_lines_hold_only_what_the_profile_prints_and_nothing_is_lost(text, name):
    from guides.fonts import FONT_PATH

    profile = PROFILES[name]
    out = render_receipt(Receipt().text(text), profile, FONT_PATH)
    ops = [op for op in ed.decode(out.data, profile.charset) if isinstance(op, (ed.Line, ed.RasterImage))]
    expected = wrap(text, profile.columns)
    assert len(ops) == len(expected)  # one printed line per wrapped line, text or raster
    for op, line in zip(ops, expected):
        if isinstance(op, ed.Line):
            assert op.text == line.rstrip(" ")
            for ch in op.text:
                code = ch.encode(profile.charset)
                assert not in_user_defined_area(code) and not 0xE000 <= ord(ch) <= 0xF8FF
                assert len(code) < 4 or (profile.four_byte and 0x3400 <= ord(ch) <= 0x4DB5)
        else:
            assert not all(printable(ch, profile.charset, profile.four_byte) for ch in line)


def test_raster_lines_use_the_bundled_font_and_agree_with_the_checker(font_path):
    """The receipt's raster fallback draws with guides/fonts (the font the checker and posters
    use), and what it cannot draw is exactly what guides.glyphs reports."""
    from guides.glyphs import undrawable_chars

    text = "𡉃头村便民服务点 王䶮 张三\ue188 𠮷野家 ①"
    assert raster.undrawable(text, font_path) == undrawable_chars(text) == ["𡉃", "\ue188", "𠮷"]
    img = raster.text_line_image("𡉃头村", font_path, dots=576, cell=12)
    cell = img.crop((0, 0, 24, 24)).convert("L")  # the first character's two columns
    assert cell.getextrema()[0] == 0  # it has black dots: drawn (as 〓), not left blank
    geta = raster.text_line_image("〓头村", font_path, dots=576, cell=12)
    assert img.tobytes() == geta.tobytes()
