"""The 一次告知单 and the test page, read back from bytes and from the printer simulator's PNG."""
import datetime as dt

import pytest
import zxingcpp
from PIL import Image

from guides.fonts import FONT_PATH
from hardware.printer import escpos_decode as ed, get_profile, open_printer, render
from hardware.printer.simulator import PrinterSimulator
from hardware.printer.text import width
from guides.checklist import material_line
from kiosk.receipts import checklist_receipt, test_receipt as make_test_page

from tests.hardware.conftest import SITE, STAMP, make_guide

WHEN = dt.datetime(2026, 11, 22, 9, 30)
URL = "https://bs.example.gov.cn/g/330382-GA-0003"


def printed_lines(profile_name="80mm", guide=None):
    profile = get_profile(profile_name)
    data = render(checklist_receipt(guide or make_guide(), SITE, STAMP, printed_at=WHEN), profile, FONT_PATH)
    return data, ed.text_lines(data, profile.charset)


def test_checklist_says_what_to_bring_and_where_to_go():
    data, lines = printed_lines()
    text = "\n".join(lines)
    for expected in [
        "一次告知单", "乐清市市民中心", "事项：户口迁入（浙江省内迁入乐清）", "事项编码：330382-GA-0003",
        "1. 居民身份证", "   原件 1 份 · 必须提供",
        "2. 结婚证", "   复印件 2 份 · 非必要", "   夫妻投靠适用（１）：需双方到场。",
        "3. 不动产权证书", "   免提交（部门共享核验）",
        "办理时限：承诺 5 个工作日；法定 20 个工作日", "收费：不收费", "到现场次数：最多跑一次",
        "地址：乐清市市民中心一楼 A 区", "窗口：12-15 号公安综合窗口", "时间：周一至周五 8:30-12:00、13:30-17:00",
        "× 以为户口簿复印件就可以", "√ 须带户口簿原件，户主签字同意",
        "咨询电话：0577-61880001", "投诉电话：12345", URL, STAMP, "打印时间：2026-11-22 09:30",
    ]:
        assert expected in lines, expected
    assert text.index("【需要准备的材料】") < text.index("【办理地点】") < text.index("【易错提醒】") < text.index(STAMP)
    qrs = [op.data for op in ed.decode(data) if isinstance(op, ed.QRCode)]
    assert qrs == [URL]


@pytest.mark.parametrize("profile_name", ["58mm", "80mm"])
def test_every_line_fits_the_paper_and_nothing_is_raster(profile_name):
    data, lines = printed_lines(profile_name)
    columns = get_profile(profile_name).columns
    assert all(width(line) <= columns for line in lines)
    assert b"\x1dv0" not in data
    assert len(data) <= 3 * 1024


def test_a_rare_character_on_a_gbk_printer_rasters_only_its_line():
    guide = make_guide(locations=[{"address": "龑䶮大厦一楼", "window": "3 号窗口", "hours": "全天"}])
    data, lines = printed_lines("80mm-gbk", guide)
    rasters = [op for op in ed.decode(data, "gbk") if isinstance(op, ed.RasterImage)]
    assert len(rasters) == 1
    assert "窗口：3 号窗口" in lines and not any("䶮" in line for line in lines)


def test_material_lines():
    from guides.model import Material
    assert material_line(Material(name="a", form="原件和复印件", copies=1)) == "原件和复印件 1 份 · 必须提供"
    assert material_line(Material(name="a", form="电子证照", necessity="非必要")) == "出示电子证照 · 非必要"
    assert material_line(Material(name="a", form="复印件", copies=3, necessity="免提交")).startswith("免提交")
    # nothing stated but the name: no form or number of copies is made up
    assert material_line(Material(name="a")) == "必须提供"


def test_a_case_path_prints_its_answers_its_group_and_its_fee():
    from guides.loader import load_content
    from tests.conftest import FIXTURES
    content = load_content(FIXTURES / "valid")
    g = content.guides["330382-GA-0001"]
    profile = get_profile("80mm")
    data = render(checklist_receipt(g, content.site, STAMP, answers={"why": "lost"}, printed_at=WHEN), profile,
                  FONT_PATH)
    lines = ed.text_lines(data, profile.charset)
    assert "您的情形：证件遗失（补领）" in lines
    assert "1. 身份证明（任选一种）" in lines and "   以下材料任选一种：" in lines
    assert "   (1) 居民户口簿 · 原件 1 份 · 必须提供" in lines
    assert "收费：工本费 40 元/证" in lines
    assert not any("原居民身份证" in line for line in lines)  # the 换领 path's material
    qrs = [op.data for op in ed.decode(data) if isinstance(op, ed.QRCode)]
    assert qrs == ["https://bs.example.gov.cn/g/330382-GA-0001?why=lost"]
    whole = ed.text_lines(render(checklist_receipt(g, content.site, STAMP, printed_at=WHEN), profile, FONT_PATH),
                          profile.charset)
    assert "〔情形：证件遗失（补领）〕" in whole and "未选择情形：以下按情形分列，请对照自己的情况准备" in whole


def test_checklist_through_the_printer_simulator_scans_to_the_guide_url(tmp_path):
    with PrinterSimulator(profile="80mm", preview_dir=tmp_path, font_path=FONT_PATH) as sim:
        with open_printer(sim.url, "80mm", font_path=FONT_PATH) as printer:
            printer.print_receipt(checklist_receipt(make_guide(), SITE, STAMP, printed_at=WHEN))
        assert sim.wait_for_receipts(1)
    image = Image.open(sim.previews[0])
    found = zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.QRCode)
    assert [r.text for r in found] == [URL]


def test_test_page_exercises_width_text_qr_barcode_and_cut():
    for name in ("58mm", "80mm-gbk"):
        profile = get_profile(name)
        data = render(make_test_page(profile, printer_url="tcp://127.0.0.1:9100", stamp=STAMP, printed_at=WHEN),
                      profile, FONT_PATH)
        ops = ed.decode(data, profile.charset)
        lines = [op.text for op in ops if isinstance(op, ed.Line)]
        assert "".join(str(i % 10) for i in range(1, profile.columns + 1)) in lines
        assert "汉" * (profile.columns // 2) in lines
        assert any(isinstance(op, ed.QRCode) for op in ops)
        assert any(isinstance(op, ed.BarcodeOp) and op.data == "SELFTEST-0001" for op in ops)
        assert isinstance([op for op in ops if not isinstance(op, ed.Line)][-1], ed.CutOp)
        assert STAMP in lines
