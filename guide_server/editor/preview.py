"""The 一次告知单 preview image for the editor, drawn by the printer simulator's renderer.

The receipt is composed by guides.checklist (the very blocks the kiosk prints),
rendered to ESC/POS bytes by hardware.printer and drawn from those bytes by
hardware.printer.preview — so the editor shows what the paper will show. Imported
lazily, by the preview view only: the phone pages never load hardware code.
"""
from __future__ import annotations

import io

from guides.model import Guide, Site


def receipt_png(guide: Guide, site: Site, stamp: str, profile_name: str = "80mm", *,
                answers: dict[str, str] | None = None) -> bytes:
    """The 一次告知单 of `answers` (None: the whole guide by case) as a PNG, as `profile_name` paper prints it."""
    from guides.fonts import FONT_PATH
    from hardware.printer import get_profile, render
    from hardware.printer.preview import render_bytes
    from guides.checklist import checklist_blocks
    from hardware.printer import Receipt

    profile = get_profile(profile_name)
    data = render(Receipt.from_blocks(checklist_blocks(guide, site, stamp, answers=answers)), profile, FONT_PATH)
    img = render_bytes(data, dots=profile.dots, cell=profile.cell_width, font_path=FONT_PATH,
                       charset=profile.charset)
    buf = io.BytesIO()
    img.save(buf, "PNG", optimize=True)
    return buf.getvalue()
