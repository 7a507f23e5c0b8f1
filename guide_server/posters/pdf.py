"""Print-ready hall posters (PDF): hall, guide name, code, a large QR of the stable URL,
three key facts (办理时限, 到现场次数, 材料), the hotline and the release stamp.

Speed: the bundled 8 MB Noto Sans SC is cut once per run to the characters all
posters use (fontTools), so each PDF embeds and parses a font of a few kB; the
posters are then rendered by a small process pool. No Flask import.
"""
from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from guides.fonts import FONT_PATH
from guides.model import Guide, Speed
from guides.release import Release
from guides.halls import DEFAULT_HALL
from guides.urls import guide_url, hall_guide_url
from guide_server.public import qr

SIZES = {"A4": (210.0, 297.0), "A3": (297.0, 420.0)}
BLUE = (11, 79, 179)
GREEN = (10, 122, 61)
INK = (26, 26, 26)
GREY = (74, 74, 74)
ASCII = "".join(chr(c) for c in range(32, 127))
# every fixed text the layout below writes, so the subset font has its glyphs
EXTRA = ("办事指南事项编码手机扫码查看办理时限到现场次数申报材料需本人准备咨询电话服务热线"
         "个工作日承诺时限即办件当场办结零上门最多跑一次项·：（）")


@dataclass(frozen=True)
class PosterData:
    code: str
    hall: str
    name: str
    url: str
    time_limit: str
    time_note: str
    visits: str
    materials: str
    consult: str
    hotline: str
    stamp: str

    def text(self) -> str:
        return "".join(self.__dict__.values())


def poster_data(release: Release, guide: Guide, hall_id: str = DEFAULT_HALL) -> PosterData:
    """What the poster of `guide` in hall `hall_id` shows (hall name, hotline and QR URL are
    the hall's; the default hall prints the stable /g/<code> URL)."""
    if guide.speed is Speed.immediate:
        limit, note = "当场办结", "即办件"
    else:
        limit, note = f"{guide.time_limit.promised_days} 个工作日", "承诺时限"
    need = sum(1 for m in guide.materials if not m.shared)
    if hall_id == DEFAULT_HALL:
        hall, hotline, url = release.site.hall_name, release.site.hotline, guide_url(release.site, guide.code)
    else:
        site = release.content.halls[hall_id].site
        hall, hotline = site.name, site.hotline
        url = hall_guide_url(release.site, hall_id, guide.code, site.public_base_url)
    return PosterData(
        code=guide.code, hall=hall, name=guide.name, url=url,
        time_limit=limit, time_note=note, visits=guide.visits_label, materials=f"{need} 项",
        consult=guide.contacts.consult, hotline=hotline, stamp=release.stamp,
    )


def subset_font(text: str, dest: Path) -> Path:
    """Write a TrueType copy of the bundled font holding only the glyphs of `text` (plus ASCII).

    The bundled font has CFF outlines; fpdf2 re-subsets the font of every PDF it
    writes, which for CFF costs ~0.5 s a poster and for TrueType outlines ~0.05 s.
    So the subset is converted once to quadratic (glyf) outlines here.
    """
    from fontTools import subset
    from fontTools.ttLib import TTFont

    opts = subset.Options()
    opts.name_IDs = ["*"]
    opts.notdef_outline = True
    opts.layout_features = []
    opts.hinting = False
    font = TTFont(str(FONT_PATH), lazy=True)
    sub = subset.Subsetter(opts)
    sub.populate(text="".join(sorted(set(text + ASCII + EXTRA))))
    sub.subset(font)
    _cff_to_glyf(font)
    font.save(str(dest))
    return dest


def _cff_to_glyf(font) -> None:
    """Replace the CFF (cubic) outlines of `font` by TrueType (quadratic) ones, in place."""
    from fontTools.pens.cu2quPen import Cu2QuPen
    from fontTools.pens.ttGlyphPen import TTGlyphPen
    from fontTools.ttLib import newTable

    order = font.getGlyphOrder()
    glyph_set = font.getGlyphSet()
    glyphs = {}
    for name in order:
        pen = TTGlyphPen(glyph_set)
        glyph_set[name].draw(Cu2QuPen(pen, 1.0, reverse_direction=True))
        glyphs[name] = pen.glyph()
    font["loca"] = newTable("loca")
    glyf = font["glyf"] = newTable("glyf")
    glyf.glyphOrder = order
    glyf.glyphs = glyphs
    del font["CFF "]
    if "VORG" in font:
        del font["VORG"]
    glyf.compile(font)
    hmtx = font["hmtx"]
    for name, g in glyphs.items():
        if hasattr(g, "xMin"):
            hmtx[name] = (hmtx[name][0], g.xMin)
    maxp = font["maxp"] = newTable("maxp")
    maxp.tableVersion = 0x00010000
    for attr in ("maxTwilightPoints", "maxStorage", "maxFunctionDefs", "maxInstructionDefs",
                 "maxStackElements", "maxSizeOfInstructions", "maxComponentElements"):
        setattr(maxp, attr, 0)
    maxp.maxZones = 1
    maxp.compile(font)
    post = font["post"]
    post.formatType = 2.0
    post.extraNames = []
    post.mapping = {}
    post.glyphOrder = order
    font["head"].glyphDataFormat = 0
    font.sfntVersion = "\000\001\000\000"


def render(data: PosterData, font: str | Path, size: str = "A4") -> bytes:
    from fpdf import FPDF

    w, h = SIZES[size]
    k = w / 210.0  # every measure is given for A4 and scaled
    pdf = FPDF(orientation="P", unit="mm", format=size)
    pdf.set_auto_page_break(False)
    pdf.set_margins(0, 0, 0)
    pdf.set_title(f"{data.name} - {data.hall}")
    pdf.set_creator("guide-server posters")
    pdf.add_font("sc", fname=str(font))
    # Bounding boxes were computed when the subset font was made: without this,
    # fpdf2's per-PDF subsetting decompiles and recompiles every glyph.
    for f in pdf.fonts.values():
        if hasattr(f, "ttfont"):
            f.ttfont.recalcBBoxes = False
    pdf.add_page()
    margin = 14 * k

    # hall band
    pdf.set_fill_color(*BLUE)
    pdf.rect(0, 0, w, 24 * k, style="F")
    pdf.set_text_color(255, 255, 255)
    pdf.set_font("sc", size=20 * k)
    pdf.set_xy(margin, 6 * k)
    pdf.cell(w - 2 * margin, 12 * k, data.hall + " · 办事指南", align="C")

    # guide name (wraps), code
    pdf.set_text_color(*INK)
    name_pt = 34 if len(data.name) <= 12 else 28
    pdf.set_font("sc", size=name_pt * k)
    pdf.set_xy(margin, 30 * k)
    pdf.multi_cell(w - 2 * margin, name_pt * 0.45 * k, data.name, align="C")
    pdf.set_font("sc", size=12 * k)
    pdf.set_text_color(*GREY)
    pdf.set_x(margin)
    pdf.cell(w - 2 * margin, 8 * k, f"事项编码 {data.code}", align="C")

    # QR: 140 mm on A4 (198 mm on A3) with its quiet zone; the symbol itself is over 10 cm,
    # the usual 1:10 rule for scanning from 1 m
    m = qr.matrix(data.url)
    side = 140 * k
    n = len(m) + 2 * qr.QUIET
    cell = side / n
    qx, qy = (w - side) / 2, 64 * k
    pdf.set_fill_color(0, 0, 0)
    for y, row in enumerate(m):
        for x, run in qr.runs(row):
            pdf.rect(qx + (x + qr.QUIET) * cell, qy + (y + qr.QUIET) * cell, run * cell + 0.02, cell + 0.02,
                     style="F")
    pdf.set_text_color(*INK)
    pdf.set_font("sc", size=20 * k)
    pdf.set_xy(margin, qy + side + 2 * k)
    pdf.cell(w - 2 * margin, 10 * k, "手机扫码  查看办事指南", align="C")
    pdf.set_font("sc", size=11 * k)
    pdf.set_text_color(*GREY)
    pdf.set_xy(margin, qy + side + 12 * k)
    pdf.cell(w - 2 * margin, 6 * k, data.url, align="C")

    # three key facts
    facts = [("办理时限", data.time_limit, data.time_note), ("到现场次数", data.visits, ""),
             ("申报材料", data.materials, "需本人准备")]
    top = qy + side + 22 * k
    gap = 5 * k
    bw = (w - 2 * margin - 2 * gap) / 3
    for i, (label, value, note) in enumerate(facts):
        x = margin + i * (bw + gap)
        pdf.set_draw_color(*BLUE)
        pdf.set_line_width(0.6 * k)
        pdf.rect(x, top, bw, 31 * k)
        pdf.set_text_color(*GREY)
        pdf.set_font("sc", size=12 * k)
        pdf.set_xy(x, top + 3 * k)
        pdf.cell(bw, 7 * k, label, align="C")
        pdf.set_text_color(*(GREEN if label == "到现场次数" else INK))
        pdf.set_font("sc", size=(20 if len(value) <= 6 else 16) * k)
        pdf.set_xy(x, top + 12 * k)
        pdf.cell(bw, 10 * k, value, align="C")
        if note:
            pdf.set_text_color(*GREY)
            pdf.set_font("sc", size=10 * k)
            pdf.set_xy(x, top + 23 * k)
            pdf.cell(bw, 6 * k, note, align="C")

    # phones, stamp
    pdf.set_text_color(*INK)
    pdf.set_font("sc", size=15 * k)
    pdf.set_xy(margin, top + 35 * k)
    pdf.cell(w - 2 * margin, 9 * k, f"咨询电话 {data.consult}    服务热线 {data.hotline}", align="C")
    pdf.set_text_color(*GREY)
    pdf.set_font("sc", size=9 * k)
    pdf.set_xy(margin, h - 12 * k)
    pdf.cell(w - 2 * margin, 5 * k, data.stamp, align="C")
    return bytes(pdf.output())


def _write(args: tuple[PosterData, str, str, str]) -> str:
    data, font, size, out = args
    path = Path(out) / f"{data.code}.pdf"
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_bytes(render(data, font, size))
    os.replace(tmp, path)
    return data.code


def write_posters(items: Iterable[PosterData], out: Path, size: str = "A4", jobs: int | None = None,
                  progress: Callable[[str], None] | None = None) -> list[Path]:
    """Write <out>/<code>.pdf for every item; `progress(code)` after each one."""
    items = list(items)
    out.mkdir(parents=True, exist_ok=True)
    jobs = max(1, min(jobs or os.cpu_count() or 1, len(items) or 1))
    with tempfile.TemporaryDirectory(prefix="posters-") as tmp:
        font = subset_font("".join(d.text() for d in items), Path(tmp) / "poster-font.ttf")
        work = [(d, str(font), size, str(out)) for d in items]
        if jobs == 1 or len(items) < 8:
            for args in work:
                code = _write(args)
                if progress:
                    progress(code)
        else:
            with ProcessPoolExecutor(max_workers=jobs) as pool:
                for code in pool.map(_write, work, chunksize=8):
                    if progress:
                        progress(code)
    return [out / f"{d.code}.pdf" for d in items]
