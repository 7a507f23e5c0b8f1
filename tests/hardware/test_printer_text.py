"""The Chinese text path, widths, wrapping, receipt elements, read back through the ESC/POS decoder."""
import pytest
from hypothesis import given, strategies as st

from hardware.printer import escpos_decode as ed
from hardware.printer.profile import PrinterProfile, get_profile
from hardware.printer.receipt import Receipt, render
from hardware.printer.text import char_width, printable, width, wrap

P80, P58 = get_profile("80mm"), get_profile("58mm")
TRICKY = "（１）：，。；！？、“引号”《书名》￥12.50 〇 ①② № ℃ ×√ 王䶮 ABC-123"


def lines_of(data: bytes, charset="gb18030"):
    return ed.text_lines(data, charset)


def test_tricky_text_round_trips_as_text_not_question_marks():
    data = render(Receipt().text(TRICKY), P80)
    assert data.startswith(b"\x1b@\x1c&")  # ESC @ then FS & (Chinese mode) before any text
    assert b"?" not in data.replace("？".encode("gb18030"), b"")
    assert b"\x1dv0" not in data  # everything printed as text
    assert lines_of(data) == wrap(TRICKY, 48)
    assert " ".join(lines_of(data)) == TRICKY  # the line broke at a space
    assert "（".encode("gb18030") in data and "￥".encode("gb18030") in data and "〇".encode("gb18030") in data


def test_gbk_profile_sends_gbk_bytes():
    text = "办事指南（２０２６）"
    data = render(Receipt().text(text), get_profile("58mm-gbk"))
    assert text.encode("gbk") in data
    assert lines_of(data, "gbk") == [text]


gb_text = st.text(st.characters(codec="gbk", exclude_categories=("Cc", "Cs", "Co", "Cn", "Zl", "Zp", "Mn", "Cf")),
                  max_size=120)


@given(text=gb_text, columns=st.sampled_from([32, 48]))
def test_any_gbk_text_round_trips_and_fits_the_paper(text, columns):
    profile = P58 if columns == 32 else P80
    got = lines_of(render(Receipt().text(text), profile))
    for line in got:
        assert width(line) <= columns
    assert "".join(got).replace(" ", "") == text.replace(" ", "").replace("\t", "")


def test_widths_count_double_byte_characters_as_two_columns():
    assert [char_width(c) for c in "a（１·×①汉䶮 "] == [1, 2, 2, 2, 2, 2, 2, 2, 1]
    assert width("事项编码:330382-GA-0003") == 8 + 1 + 14


def test_wrapping_at_32_columns():
    text = "请携带居民身份证原件、户口簿原件和近期免冠照片一张，到市民中心一楼办理。"
    assert wrap(text, 32) == [
        "请携带居民身份证原件、户口簿原件",
        "和近期免冠照片一张，到市民中心",
        "一楼办理。",  # a number stays with its unit (一楼, first floor)
    ]


def test_wrapping_at_48_columns_keeps_words_and_a_hanging_indent():
    text = "1. 不动产权证书 please bring the original certificate and one copy"
    assert wrap(text, 48, indent=3) == [
        "1. 不动产权证书 please bring the original",
        "   certificate and one copy",
    ]


def test_closing_punctuation_never_starts_a_line():
    text = "一二三四五六七八九十一二三四五，六"  # the comma falls on column 31-32 of 30
    got = wrap(text, 30)
    assert all(not line.startswith("，") for line in got)
    assert got == ["一二三四五六七八九十一二三四", "五，六"]


@given(text=gb_text, columns=st.integers(4, 64), indent=st.integers(0, 8))
def test_wrapped_lines_never_exceed_the_width(text, columns, indent):
    for line in wrap(text, columns, indent=indent):
        assert width(line) <= columns


def test_two_column_row_fills_the_line():
    for profile in (P58, P80):
        got = lines_of(render(Receipt().row("居民身份证", "原件 1 份"), profile))
        assert got == ["居民身份证" + " " * (profile.columns - 10 - 9) + "原件 1 份"]


def test_separator_title_bold_and_double_size_reach_the_paper():
    ops = ed.decode(render(Receipt().title("一次告知单").separator("=").bold("粗体").double("倍宽"), P58))
    lines = [op for op in ops if isinstance(op, ed.Line)]
    assert lines[0].text == "一次告知单" and lines[0].align == "center"
    assert lines[0].segments[0].bold and lines[0].segments[0].double_width and lines[0].segments[0].double_height
    assert lines[1].text == "=" * 32
    assert lines[2].segments[0].bold and not lines[2].segments[0].double_width
    assert lines[3].segments[0].double_width and not lines[3].segments[0].bold


def test_double_size_text_wraps_at_half_the_columns():
    got = lines_of(render(Receipt().double("一二三四五六七八九十"), P58))
    assert got == ["一二三四五六七八", "九十"]


def test_a_character_the_charset_lacks_makes_just_that_line_raster(font_path):
    receipt = Receipt().text("申请人：王䶮").text("其余文字照常打印")
    gbk = render(receipt, get_profile("80mm-gbk"), font_path)
    ops = ed.decode(gbk, "gbk")
    assert [type(op).__name__ for op in ops] == ["RasterImage", "Line"]
    assert ops[1].text == "其余文字照常打印"
    assert ops[0].width_bytes == 576 // 8 and ops[0].rows >= 24
    # a GB18030 printer has 䶮 (FE9F) in its font: no raster needed
    assert lines_of(render(receipt, P80, font_path)) == ["申请人：王䶮", "其余文字照常打印"]


def test_characters_beyond_the_gb18030_2000_set_are_raster_on_any_printer(font_path):
    assert printable("䶮", "gb18030") and not printable("䶮", "gbk")
    assert printable("㐀", "gb18030")  # CJK Extension A, four-byte code
    assert not printable("𠮷", "gb18030")
    ops = ed.decode(render(Receipt().text("𠮷野家"), P80, font_path))
    assert isinstance(ops[0], ed.RasterImage)


def test_raster_fallback_needs_a_font():
    with pytest.raises(ValueError):
        render(Receipt().text("𠮷"), P80)


def test_qr_uses_the_printers_own_command_not_an_image():
    url = "https://bs.example.gov.cn/g/330382-GA-0003"
    data = render(Receipt().qr(url), P80)
    assert b"\x1dv0" not in data
    assert b"\x1d(k" + (len(url) + 3).to_bytes(2, "little") + b"1P0" + url.encode() in data
    assert b"\x1d(k\x03\x001Q0" in data  # print the stored symbol
    assert len(data) < 120
    qrs = [op for op in ed.decode(data) if isinstance(op, ed.QRCode)]
    assert qrs == [ed.QRCode(url, module=P80.qr_module, ec="M", align="center")]


def test_barcode_feed_and_cut():
    ops = ed.decode(render(Receipt().barcode("A-{1}").feed(3).cut(), P80))
    kinds = [op for op in ops if not isinstance(op, ed.Line)]
    assert kinds[0] == ed.BarcodeOp(73, "A-{1}", 80, 2, 2, "center")
    assert kinds[1] == ed.FeedOp(3)
    assert kinds[2] == ed.FeedOp(P80.feed_before_cut) and kinds[3] == ed.CutOp(partial=True)


def test_cut_options_and_presenter_bytes():
    full = PrinterProfile("kiosk", cut="full", presenter=bytes.fromhex("1d6503"))
    data = render(Receipt().text("x").cut(), full)
    assert data.endswith(b"\x1bd\x04\x1dV\x00\x1de\x03")
    assert CutOp_count(render(Receipt().cut(), PrinterProfile("none", cut="none"))) == 0


def CutOp_count(data: bytes) -> int:
    return sum(isinstance(op, ed.CutOp) for op in ed.decode(data))


def test_profiles_are_checked():
    with pytest.raises(ValueError):
        PrinterProfile("x", charset="big5")
    with pytest.raises(ValueError):
        PrinterProfile("x", cut="sideways")
    with pytest.raises(ValueError):
        get_profile("110mm")
    assert (P58.columns, P58.dots, P80.columns, P80.dots) == (32, 384, 48, 576)


@given(st.binary(max_size=400), st.lists(st.integers(0, 400), max_size=5))
def test_the_decoder_survives_any_bytes_split_anywhere(data, cuts):
    d = ed.EscposDecoder()
    last = 0
    for cut in sorted(cuts) + [len(data)]:
        d.feed(data[last:cut] if cut >= last else b"")
        last = max(last, cut)
    d.flush()
