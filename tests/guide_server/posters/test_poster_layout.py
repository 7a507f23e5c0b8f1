"""Poster layout: every element measured and kept apart, read back from the rendered PDF.

Each poster is rendered, then read the way a printer and a phone would see it: pdfium gives
every drawn character's box, zxing-cpp finds and decodes the QR on the rendered page. The
checks are on those, not only on the layout's own numbers.
"""
from __future__ import annotations

import dataclasses
import itertools
import re
import shutil

import pypdfium2
import pytest
import zxingcpp
from click.testing import CliRunner

from guides.loader import load_content
from guides.release import ReleaseStore
from guide_server.cli import main
from guide_server.posters.content import PosterData, PosterError
from guide_server.posters.layout import Box, layout_poster, wrap
from guide_server.posters.pdf import PostersRefused, font_measure, poster_data, write_posters
from tests.conftest import SAMPLE_CONTENT

MM = 72 / 25.4  # points per mm
# Field case 07: a real 63-character name that pushed the 事项编码 line under the QR.
LONG_NAME = ("基本医疗保险关系转移接续申请(跨省转入、省内跨统筹区转入、职工医保与城乡居民医保之间转移接续"
             "及退役军人、随军家属医保关系转入)")
# The longest real form of 事项编码 (Sichuan's local form, 55 characters) and a 64-character one,
# the most the content standard allows.
SICHUAN_CODE = "511A0138000000-511602000000-000-115113010833722043-1-00"
CODE_64 = "511A0138000000-511602000000-000-115113010833722043-1-00-ABCDEFGH"
assert len(CODE_64) == 64


def render_and_read(data: PosterData, tmp_path, size="A4", scale=2.0):
    """(layout, [(char, Box in mm)], decoded QR results, page size in mm) of `data`'s poster."""
    out = tmp_path / f"{size}-{abs(hash(data))}"
    [path] = write_posters([data], out, size=size)
    layout = layout_poster(data, font_measure, size)
    page = pypdfium2.PdfDocument(str(path))[0]
    w_pt, h_pt = page.get_size()
    tp = page.get_textpage()
    chars = []
    for i in range(tp.count_chars()):
        ch = tp.get_text_range(i, 1)
        if ch.isspace():
            continue
        left, bottom, right, top = tp.get_charbox(i)
        chars.append((ch, Box(left / MM, (h_pt - top) / MM, right / MM, (h_pt - bottom) / MM)))
    img = page.render(scale=scale).to_pil()
    codes = []
    for r in zxingcpp.read_barcodes(img):
        if r.format != zxingcpp.BarcodeFormat.QRCode:
            continue
        pts = [r.position.top_left, r.position.top_right, r.position.bottom_left, r.position.bottom_right]
        px_per_mm = scale * MM
        codes.append((r.text, Box(min(p.x for p in pts) / px_per_mm, min(p.y for p in pts) / px_per_mm,
                                  max(p.x for p in pts) / px_per_mm, max(p.y for p in pts) / px_per_mm)))
    return layout, chars, codes, (w_pt / MM, h_pt / MM)


def assert_kept_apart(data: PosterData, tmp_path, size="A4"):
    layout, chars, codes, (w, h) = render_and_read(data, tmp_path, size)
    boxes = layout.boxes()
    # the layout's own promise, checked independently
    for (a, ba), (b, bb) in itertools.combinations(boxes.items(), 2):
        assert not ba.overlaps(bb), f"{a} overlaps {b}: {ba} {bb}"
    for name, box in boxes.items():
        assert box.inside(layout.margins), (name, box)
    assert layout.margins.x0 >= 10 * w / 210 and layout.margins.x1 <= w - 10 * w / 210
    # every drawn character lies inside exactly one element's box, and that element holds it
    by_element: dict[str, str] = {}
    for ch, cbox in chars:
        owners = [name for name, box in boxes.items() if cbox.inside(box, slack=0.2)]
        assert len(owners) == 1, (ch, cbox, owners)
        assert not cbox.overlaps(layout.qr.box), (ch, "drawn over the QR")
        by_element[owners[0]] = by_element.get(owners[0], "") + ch
    for e in layout.elements:
        assert by_element.get(e.name, "") == re.sub(r"\s", "", e.text), e.name
    # the name, the code line and every key fact are there, whole
    assert by_element["name"] == re.sub(r"\s", "", data.name)
    assert by_element["code"] == "事项编码" + data.code
    # the QR decodes to the guide's URL where the layout put it, above everything below it
    assert [t for t, _ in codes] == [data.url]
    [(_, found)] = codes
    assert found.inside(layout.qr.box, slack=1.0)
    assert layout.element("code").box.y1 <= found.y0
    assert found.x1 - found.x0 >= 100 * w / 210 * 0.75  # the symbol itself, without its quiet zone
    return layout


@pytest.fixture(scope="module")
def release(tmp_path_factory):
    root = tmp_path_factory.mktemp("posters")
    shutil.copytree(SAMPLE_CONTENT, root / "content")
    ReleaseStore(root / "instance").publish(load_content(root / "content"))
    return ReleaseStore(root / "instance").current()


def sample(release, guide="330382-YB-0004", **changes) -> PosterData:
    return dataclasses.replace(poster_data(release, release.guides[guide]), **changes)


def test_field_case_07_long_name_keeps_the_code_line_above_the_qr(release, tmp_path):
    data = sample(release, name=LONG_NAME)
    assert len(LONG_NAME) == 63
    layout = assert_kept_apart(data, tmp_path)
    name = layout.element("name")
    assert len(name.lines) in (2, 3) and name.lines[0].size >= 20  # wrapped, not shrunk to nothing
    assert layout.element("code").box.y1 <= layout.qr.box.y0


@pytest.mark.parametrize("size", ["A4", "A3"])
def test_longest_real_code_and_extremes_on_both_sizes(release, tmp_path, size):
    base = release.site.public_base_url
    for code, name in [(SICHUAN_CODE, LONG_NAME), (CODE_64, LONG_NAME + "（含异地就医备案）"),
                       ("11330382002609422Q3000102001000", "婚姻登记"),
                       (CODE_64, "居" * 75)]:
        data = sample(release, code=code, name=name, url=f"{base}/g/{code}",
                      consult="0577-61881125转8001", hotline="400-123-4567转9")
        layout = assert_kept_apart(data, tmp_path, size)
        assert layout.qr.cell >= 1.0  # a module of at least 1 mm: still scans from a step away


def test_every_sample_poster_keeps_its_elements_apart(release, tmp_path):
    for code in list(release.guides)[:12]:
        assert_kept_apart(sample(release, code), tmp_path)


def test_a_name_that_cannot_fit_is_an_error_naming_the_guide(release, tmp_path):
    too_long = "跨省" * 60
    data = sample(release, name=too_long)
    with pytest.raises(PosterError) as err:
        layout_poster(data, font_measure, "A4")
    assert err.value.code == data.code and "事项名称" in str(err.value) and too_long in str(err.value)
    with pytest.raises(PostersRefused):
        write_posters([sample(release, "330382-GA-0001"), data], tmp_path / "out")
    assert not list((tmp_path / "out").glob("*")) if (tmp_path / "out").exists() else True


def test_posters_command_refuses_a_name_too_long_and_writes_nothing(tmp_path):
    content = tmp_path / "content"
    shutil.copytree(SAMPLE_CONTENT, content)
    path = content / "guides" / "330382-YB-0004.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(re.sub(r"(?m)^name: .*$", "name: " + "基本医疗保险关系转移接续申请" * 8, text), encoding="utf-8")
    runner = CliRunner()
    assert runner.invoke(main, ["release", "--content", str(content), "--instance", str(tmp_path / "i")]).exit_code == 0
    result = runner.invoke(main, ["posters", "--out", str(tmp_path / "p"), "--instance", str(tmp_path / "i")])
    assert result.exit_code == 1
    assert "330382-YB-0004" in result.output and "事项名称放不下" in result.output
    assert not (tmp_path / "p").exists() or not list((tmp_path / "p").iterdir())


def test_wrapping_follows_chinese_rules():
    lines = wrap(SICHUAN_CODE, font_measure, 12)
    assert "".join(lines) == SICHUAN_CODE and all(line.endswith("-") for line in lines[:-1])
    for width in range(4, 30):
        for line in wrap(LONG_NAME, font_measure, width)[1:]:
            assert line[0] not in "、，。)）", (width, line)
        for line in wrap(LONG_NAME, font_measure, width)[:-1]:
            assert line[-1] not in "(（", (width, line)
