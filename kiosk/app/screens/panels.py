"""Rounded panels for buttons and tiles, as small textures drawn with BorderImage."""
from __future__ import annotations

_PANELS: dict = {}


def panel_texture(fill, line, line_width: float, radius: int):
    """A small picture of a rounded panel: `fill` inside, a `line` (rgba) outline around it.

    Drawn as a BorderImage (nine quads whose corners keep their size), it replaces a
    RoundedRectangle plus a Line(rounded_rectangle): with software GL the rounded
    rectangle's triangle fan and the line's many segments cost several times more per
    frame than nine textured quads, and every button and tile has one. `line_width` is
    a Kivy Line width: the outline is 2 x that wide, its centre 1 px inside the edge.
    """
    key = (tuple(fill), tuple(line), line_width, radius)
    tex = _PANELS.get(key)
    if tex is not None:
        return tex
    from kivy.graphics.texture import Texture
    n = 2 * border_for(radius) + 2
    half = n / 2
    inner = max(0.0, 1.0 + line_width)           # how far the outline reaches inside
    fr, fg, fb, fa = (float(c) for c in fill)
    lr, lg, lb, la = (float(c) for c in line)
    buf = bytearray(n * n * 4)
    for y in range(n):
        for x in range(n):
            # signed distance from the pixel centre to the rounded rectangle's edge (< 0 inside)
            qx = abs(x + 0.5 - half) - (half - radius)
            qy = abs(y + 0.5 - half) - (half - radius)
            d = (max(qx, 0.0) ** 2 + max(qy, 0.0) ** 2) ** 0.5 + min(max(qx, qy), 0.0) - radius
            shape = min(1.0, max(0.0, 0.5 - d))
            if shape <= 0:
                continue
            band = min(1.0, max(0.0, inner + 0.5 + d)) * la   # the outline's alpha here
            a = band + fa * (1 - band)
            if a <= 0:
                continue
            r = (lr * band + fr * fa * (1 - band)) / a
            g = (lg * band + fg * fa * (1 - band)) / a
            b = (lb * band + fb * fa * (1 - band)) / a
            i = (y * n + x) * 4
            buf[i:i + 4] = bytes((round(r * 255), round(g * 255), round(b * 255), round(a * shape * 255)))
    tex = Texture.create(size=(n, n), colorfmt="rgba")
    tex.blit_buffer(bytes(buf), colorfmt="rgba", bufferfmt="ubyte")
    tex.add_reload_observer(lambda t, b=bytes(buf): t.blit_buffer(b, colorfmt="rgba", bufferfmt="ubyte"))
    _PANELS[key] = tex
    return tex


def border_for(radius: int) -> int:
    """The BorderImage border (px) that keeps a panel_texture's corner whole."""
    return int(radius) + 2
