"""The 一次告知单 preview image for the editor, drawn by the printer simulator's renderer.

The receipt is composed by kiosk.receipts (the very function the kiosk prints with),
rendered to ESC/POS bytes by hardware.printer and drawn from those bytes by
hardware.printer.preview — so the editor shows what the paper will show. Imported
lazily, by the preview view only: the phone pages never load kiosk or hardware code.
"""
from __future__ import annotations

import io

from guides.model import Guide, Site


def receipt_png(guide: Guide, site: Site, stamp: str, profile_name: str = "80mm") -> bytes:
    from guides.fonts import FONT_PATH
    from hardware.printer import get_profile, render
    from hardware.printer.preview import render_bytes
    from kiosk.receipts import checklist_receipt

    profile = get_profile(profile_name)
    data = render(checklist_receipt(guide, site, stamp), profile, FONT_PATH)
    img = render_bytes(data, dots=profile.dots, cell=profile.cell_width, font_path=FONT_PATH,
                       charset=profile.charset)
    buf = io.BytesIO()
    img.save(buf, "PNG", optimize=True)
    return buf.getvalue()
