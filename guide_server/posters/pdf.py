"""Print-ready hall posters (PDF): hall, guide name, code, a large QR of the stable URL,
four key facts (办理时限, 收费, 到现场次数, 申报材料), the phones and the release stamp.

What a poster says is guide_server.posters.content, where it goes guide_server.posters.layout
(every element measured and kept apart); this module draws that layout with fpdf2.

Speed: the bundled 8 MB Noto Sans SC is cut once per run to the characters all
posters use (fontTools), so each PDF embeds and parses a font of a few kB; the
posters are then rendered by a small process pool. No Flask import.
"""
from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor
from functools import lru_cache
from pathlib import Path

from guides.fonts import FONT_PATH
from guides.glyphs import char_label
from guide_server.posters.content import PosterData, PosterError, poster_data
from guide_server.posters.layout import BLUE, Layout, layout_poster
from guide_server.public import qr

__all__ = ["PosterData", "PosterError", "PostersRefused", "plan_posters", "poster_data", "render", "write_planned",
           "write_posters"]

ASCII = "".join(chr(c) for c in range(32, 127))
# every fixed text the layout writes, so the subset font has its glyphs
EXTRA = ("办事指南事项编码手机扫码查看办理时限到现场次数申报材料需本人准备咨询电话服务热线收费不缴免提交"
         "个工作日承诺时限即办件当场办结零上门最多跑一次项其中·：（）")


@lru_cache(maxsize=1)
def _advances() -> tuple[dict[int, int], float, int]:
    """(code point -> advance width in font units, units per em, .notdef's advance) of the
    bundled font; the subset font keeps these widths."""
    from fontTools.ttLib import TTFont

    font = TTFont(str(FONT_PATH), lazy=True)
    try:
        hmtx = font["hmtx"]
        cmap = font.getBestCmap()
        adv = {cp: hmtx[name][0] for cp, name in cmap.items()}
        return adv, float(font["head"].unitsPerEm), hmtx[".notdef"][0]
    finally:
        font.close()


def font_measure(text: str) -> float:
    """Width of `text` in em of the poster font (the sum of its advance widths; fpdf2 sets
    text without kerning, so this is what it draws)."""
    adv, upem, notdef = _advances()
    return sum(adv.get(ord(c), notdef) for c in text) / upem


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


def render(layout: Layout, data: PosterData, font: str | Path) -> bytes:
    """The PDF of one poster laid out by `layout_poster`. Raises PosterError if the font
    lacks a glyph of the text after all (fpdf2 would drop it with only a warning)."""
    from fpdf import FPDF

    pdf = FPDF(orientation="P", unit="mm", format=layout.size)
    pdf.set_auto_page_break(False)
    pdf.set_margins(0, 0, 0)
    pdf.c_margin = 0
    pdf.set_title(f"{data.name} - {data.hall}")
    pdf.set_creator("guide-server posters")
    pdf.add_font("sc", fname=str(font))
    # Bounding boxes were computed when the subset font was made: without this,
    # fpdf2's per-PDF subsetting decompiles and recompiles every glyph.
    for f in pdf.fonts.values():
        if hasattr(f, "ttfont"):
            f.ttfont.recalcBBoxes = False
    pdf.add_page()
    k = layout.width / 210.0
    band = layout.band
    pdf.set_fill_color(*BLUE)
    pdf.rect(band.x0, band.y0, band.width, band.height, style="F")
    q = layout.qr
    matrix = qr.matrix(q.data)
    if len(matrix) != q.modules:  # the layout was made for another symbol size
        raise PosterError(data.code, data.name, "二维码尺寸与版面不符。")
    pdf.set_fill_color(0, 0, 0)
    for y, row in enumerate(matrix):
        for x, run in qr.runs(row):
            pdf.rect(q.box.x0 + (x + qr.QUIET) * q.cell, q.box.y0 + (y + qr.QUIET) * q.cell,
                     run * q.cell + 0.02, q.cell + 0.02, style="F")
    for element in layout.elements:
        if element.frame:
            pdf.set_draw_color(*BLUE)
            pdf.set_line_width(0.6 * k)
            # the frame's stroke stays inside the element's box
            inset = 0.3 * k
            b = element.box
            pdf.rect(b.x0 + inset, b.y0 + inset, b.width - 2 * inset, b.height - 2 * inset)
        for line in element.lines:
            pdf.set_text_color(*line.color)
            pdf.set_font("sc", size=line.size)
            pdf.set_xy(line.box.x0, line.box.y0)
            pdf.cell(line.box.width, line.box.height, line.text, align="C")
    out = bytes(pdf.output())
    missing = sorted({cp for f in pdf.fonts.values() for cp in getattr(f, "missing_glyphs", [])})
    if missing:
        chars = "、".join(char_label(chr(cp)) for cp in missing)
        raise PosterError(data.code, data.name, f"海报字体缺少字符 {chars}。")
    return out


class PostersRefused(Exception):
    """Some posters cannot be made; `errors` holds one PosterError per guide. No file was
    written."""

    def __init__(self, errors: list[PosterError]):
        self.errors = errors
        super().__init__("\n".join(str(e) for e in errors))


def plan_posters(items: Iterable[PosterData], size: str = "A4") -> list[tuple[PosterData, Layout]]:
    """Check and lay out every poster before any is drawn: characters the font cannot draw
    and elements that cannot fit are reported for all guides at once (PostersRefused)."""
    plans, errors = [], []
    for data in items:
        try:
            data.check_drawable()
            plans.append((data, layout_poster(data, font_measure, size)))
        except PosterError as exc:
            errors.append(exc)
    if errors:
        raise PostersRefused(errors)
    return plans


def _write(args: tuple[PosterData, Layout, str, str]) -> str:
    data, layout, font, out = args
    path = Path(out) / f".{data.code}.pdf.tmp"
    path.write_bytes(render(layout, data, font))
    return data.code


def write_posters(items: Iterable[PosterData], out: Path, size: str = "A4", jobs: int | None = None,
                  progress: Callable[[str], None] | None = None) -> list[Path]:
    """Write <out>/<code>.pdf for every item; `progress(code)` after each one.

    All or nothing: every poster is laid out and checked first (PostersRefused lists the
    guides that cannot be made), then drawn to temporary files that are renamed into
    place only when all of them are done."""
    return write_planned(plan_posters(items, size), out, jobs, progress)


def write_planned(plans: list[tuple[PosterData, Layout]], out: Path, jobs: int | None = None,
                  progress: Callable[[str], None] | None = None) -> list[Path]:
    """Draw posters already laid out by `plan_posters` (see `write_posters`)."""
    items = [d for d, _layout in plans]
    out.mkdir(parents=True, exist_ok=True)
    jobs = max(1, min(jobs or os.cpu_count() or 1, len(items) or 1))
    tmps = [out / f".{d.code}.pdf.tmp" for d in items]
    try:
        with tempfile.TemporaryDirectory(prefix="posters-") as tmp:
            font = subset_font("".join(d.text() for d in items), Path(tmp) / "poster-font.ttf")
            work = [(d, layout, str(font), str(out)) for d, layout in plans]
            if jobs == 1 or len(items) < 8:
                done = map(_write, work)
                for code in done:
                    if progress:
                        progress(code)
            else:
                with ProcessPoolExecutor(max_workers=jobs) as pool:
                    for code in pool.map(_write, work, chunksize=8):
                        if progress:
                            progress(code)
    except PosterError as exc:
        for t in tmps:
            t.unlink(missing_ok=True)
        raise PostersRefused([exc]) from None
    except BaseException:
        for t in tmps:
            t.unlink(missing_ok=True)
        raise
    paths = [out / f"{d.code}.pdf" for d in items]
    for t, p in zip(tmps, paths):
        os.replace(t, p)
    return paths
