"""QR codes (PNG and SVG endpoints) and hall posters, decoded with zxing-cpp as a phone would."""
from __future__ import annotations

import io
import logging
import re

import pypdfium2
import pytest
import zxingcpp
from click.testing import CliRunner
from PIL import Image, ImageDraw

from guides.present import poster_facts

from guides.release import ReleaseStore
from guides.urls import guide_url
from guide_server.cli import main
from tests.guide_server.conftest import VALID_GUIDES


def decode(img: Image.Image) -> list[str]:
    return [r.text for r in zxingcpp.read_barcodes(img) if r.format == zxingcpp.BarcodeFormat.QRCode]


def svg_to_image(svg: str, scale: int = 8) -> Image.Image:
    size = int(re.search(r'viewBox="0 0 (\d+) \d+"', svg).group(1))
    img = Image.new("L", (size * scale, size * scale), 255)
    draw = ImageDraw.Draw(img)
    for x, y, n in re.findall(r"M(\d+) (\d+)h(\d+)v1h-\d+z", svg):
        x, y, n = int(x), int(y), int(n)
        draw.rectangle([x * scale, y * scale, (x + n) * scale - 1, (y + 1) * scale - 1], fill=0)
    return img


@pytest.mark.parametrize("code", VALID_GUIDES)
def test_png_endpoint_decodes_to_the_stable_guide_url(client, app, code):
    site = ReleaseStore(app.instance_path).current().site
    resp = client.get(f"/qr/{code}.png")
    assert resp.status_code == 200 and resp.mimetype == "image/png"
    assert decode(Image.open(io.BytesIO(resp.data))) == [guide_url(site, code)]
    assert guide_url(site, code) == f"https://bs.example.gov.cn/g/{code}"


@pytest.mark.parametrize("code", VALID_GUIDES)
def test_svg_endpoint_draws_the_same_code(client, code):
    resp = client.get(f"/qr/{code}.svg")
    assert resp.status_code == 200 and resp.mimetype == "image/svg+xml"
    svg = resp.get_data(as_text=True)
    assert "<script" not in svg
    assert decode(svg_to_image(svg)) == [f"https://bs.example.gov.cn/g/{code}"]


def test_qr_for_every_sample_guide_decodes(sample_client, sample_release):
    for code in sample_release.guides:
        img = Image.open(io.BytesIO(sample_client.get(f"/qr/{code}.png").data))
        assert decode(img) == [guide_url(sample_release.site, code)], code


@pytest.mark.parametrize("path", ["/qr/nope.png", "/qr/nope.svg", "/qr/330382-GA-0001.gif", "/qr/330382-GA-0001"])
def test_qr_of_unknown_guide_or_format_is_404(client, path):
    assert client.get(path).status_code == 404


def test_qr_answers_304(client):
    first = client.get("/qr/330382-GA-0001.png")
    again = client.get("/qr/330382-GA-0001.png", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304


def pdf_pages(path, scale=2.0):
    doc = pypdfium2.PdfDocument(str(path))
    page = doc[0]
    return page, page.render(scale=scale).to_pil(), page.get_textpage().get_text_range()


def test_posters_command_writes_one_scannable_pdf_per_guide(instance, tmp_path, caplog):
    out = tmp_path / "posters"
    rel = ReleaseStore(instance).current()
    with caplog.at_level(logging.WARNING):
        result = CliRunner().invoke(main, ["posters", "--out", str(out), "--instance", str(instance)])
    assert result.exit_code == 0, result.output
    assert "已生成 2 张 A4 海报" in result.output and "生成海报" in result.output  # progress bar label
    assert not [r for r in caplog.records if "missing" in r.getMessage()]  # every glyph is in the font
    for code in VALID_GUIDES:
        g = rel.guides[code]
        page, img, text = pdf_pages(out / f"{code}.pdf")
        w, h = page.get_size()
        assert (round(w), round(h)) == (595, 842)  # A4 in points
        assert decode(img) == [guide_url(rel.site, code)]
        flat = text.replace("\r", "").replace("\n", "")
        (_, limit, _), (_, fee, _), (_, visits, _), (_, count, _) = poster_facts(g)
        for part in (rel.site.hall_name, g.name, code, visits, rel.site.hotline, g.contacts.consult,
                     rel.stamp, f"申请材料{count}", fee, limit):
            assert part in flat, part
        # QR large enough to scan from 1 m: at least 10 cm wide on paper
        [res] = zxingcpp.read_barcodes(img)
        px = res.position.top_right.x - res.position.top_left.x
        mm = px / 2.0 / 72 * 25.4
        assert mm >= 100, mm
    # the fixture's facts, worked out: 承诺 20 个工作日, 最多跑一次, 2 items on either path
    assert [f[1] for f in poster_facts(rel.guides["330382-GA-0001"])] == ["20个工作日", "需缴费", "最多跑一次", "2 项"]
    assert [f[1] for f in poster_facts(rel.guides["330382-SC-0001"])] == ["当场办结", "不收费", "零上门", "3 项"]


def test_a3_posters_and_chosen_codes(instance, tmp_path):
    out = tmp_path / "a3"
    result = CliRunner().invoke(main, ["posters", "--out", str(out), "--size", "A3", "--instance", str(instance),
                                       "330382-SC-0001"])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == ["330382-SC-0001.pdf"]
    page, img, _ = pdf_pages(out / "330382-SC-0001.pdf", scale=1.0)
    assert (round(page.get_size()[0]), round(page.get_size()[1])) == (842, 1191)
    assert decode(img) == ["https://bs.example.gov.cn/g/330382-SC-0001"]


def test_posters_refuse_unknown_codes_and_missing_release(instance, tmp_path):
    result = CliRunner().invoke(main, ["posters", "--out", str(tmp_path / "x"), "--instance", str(instance),
                                       "330382-XX-0000"])
    assert result.exit_code != 0 and "没有这些事项编码" in result.output
    empty = CliRunner().invoke(main, ["posters", "--out", str(tmp_path / "y"), "--instance", str(tmp_path / "none")])
    assert empty.exit_code == 1 and "guide-server release" in empty.output


def test_many_posters_go_through_the_process_pool(sample_instance, tmp_path):
    """The sample has more than 8 guides: the parallel path runs and every PDF scans."""
    from guide_server.posters.pdf import poster_data, write_posters

    rel = ReleaseStore(sample_instance).current()
    items = [poster_data(rel, g) for g in list(rel.guides.values())[:10]]
    done = []
    paths = write_posters(items, tmp_path / "many", jobs=2, progress=done.append)
    assert sorted(done) == sorted(d.code for d in items) and len(paths) == 10
    for d, path in zip(items, paths):
        _page, img, _text = pdf_pages(path, scale=1.0)
        assert decode(img) == [d.url]


def test_posters_of_a_second_hall_print_its_name_phones_and_url(tmp_path, valid_content):
    from guides.loader import load_content
    from tests.support.halls import add_second_hall

    add_second_hall(valid_content, own_guide=True)
    inst = tmp_path / "halls-instance"
    ReleaseStore(inst).publish(load_content(valid_content))
    out = tmp_path / "liushi"
    result = CliRunner().invoke(main, ["posters", "--hall", "liushi", "--out", str(out), "--instance", str(inst)])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == ["330382-GA-0001.pdf", "330382-SC-0901.pdf"]
    _page, img, text = pdf_pages(out / "330382-GA-0001.pdf")
    flat = text.replace("\r", "").replace("\n", "")
    assert "柳市镇便民服务中心" in flat and "0577-61111111" in flat and "0577-61111112" in flat
    assert decode(img) == ["https://bs.example.gov.cn/h/liushi/g/330382-GA-0001"]
    # the default hall's posters are unchanged: its name and the stable /g/<code> URL
    main_out = tmp_path / "main"
    assert CliRunner().invoke(main, ["posters", "--out", str(main_out), "--instance", str(inst)]).exit_code == 0
    assert sorted(p.name for p in main_out.iterdir()) == ["330382-GA-0001.pdf", "330382-SC-0001.pdf"]
    assert decode(pdf_pages(main_out / "330382-GA-0001.pdf")[1]) == ["https://bs.example.gov.cn/g/330382-GA-0001"]
    bad = CliRunner().invoke(main, ["posters", "--hall", "nowhere", "--out", str(tmp_path / "x"), "--instance", str(inst)])
    assert bad.exit_code != 0 and "没有大厅 nowhere" in bad.output and "liushi" in bad.output
    other = CliRunner().invoke(main, ["posters", "--hall", "liushi", "--out", str(tmp_path / "y"),
                                      "--instance", str(inst), "330382-SC-0001"])
    assert other.exit_code != 0 and "330382-SC-0001" in other.output and not (tmp_path / "y").exists()


def test_hall_page_qr_decodes_to_the_hall_url(tmp_path, valid_content):
    from guide_server import create_app
    from guides.loader import load_content
    from tests.support.halls import add_second_hall

    add_second_hall(valid_content)
    inst = tmp_path / "i"
    ReleaseStore(inst).publish(load_content(valid_content))
    c = create_app({"TESTING": True, "INSTANCE_DIR": str(inst),
                    "DATABASE_URL": f"sqlite:///{inst / 'db.sqlite3'}"}).test_client()
    html = c.get("/h/liushi/g/330382-GA-0001").get_data(as_text=True)
    assert 'src="/h/liushi/qr/330382-GA-0001.svg"' in html
    svg = c.get("/h/liushi/qr/330382-GA-0001.svg").get_data(as_text=True)
    assert decode(svg_to_image(svg)) == ["https://bs.example.gov.cn/h/liushi/g/330382-GA-0001"]
    assert c.get("/h/liushi/qr/330382-SC-0001.svg").status_code == 404
