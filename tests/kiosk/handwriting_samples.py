"""Handwritten characters as a finger draws them on the pad: stroke by stroke, in stroke order.

Each character is a list of strokes; each stroke a polyline of way-points in pad fractions
(0..1, origin top-left). ``draw`` turns them into what the pad records: points every few pixels
along the path (a touchscreen reports ~60 per second), with a little tremble, in pad pixels.
"""
from __future__ import annotations

import math
import random

# stroke order and shapes follow the standard forms (GB 13000.1 stroke order)
CHARACTERS: dict[str, list[list[tuple[float, float]]]] = {
    "十": [[(0.10, 0.45), (0.90, 0.45)],                                   # 一
           [(0.50, 0.10), (0.50, 0.92)]],                                  # 丨
    "户": [[(0.48, 0.06), (0.54, 0.16)],                                   # 丶
           [(0.22, 0.26), (0.80, 0.26), (0.80, 0.55)],                     # 横折
           [(0.22, 0.54), (0.80, 0.54)],                                   # 一
           [(0.22, 0.26), (0.22, 0.60), (0.16, 0.80), (0.06, 0.94)]],      # 丿
    "社": [[(0.22, 0.08), (0.27, 0.17)],                                   # 丶
           [(0.08, 0.28), (0.36, 0.28), (0.28, 0.42), (0.08, 0.60)],       # 横撇
           [(0.24, 0.42), (0.24, 0.95)],                                   # 丨
           [(0.27, 0.55), (0.35, 0.64)],                                   # 丶
           [(0.50, 0.48), (0.88, 0.48)],                                   # 一
           [(0.69, 0.22), (0.69, 0.86)],                                   # 丨
           [(0.44, 0.86), (0.95, 0.86)]],                                  # 一
    "人": [[(0.50, 0.05), (0.45, 0.45), (0.15, 0.90)],                     # 丿
           [(0.50, 0.45), (0.85, 0.90)]],                                  # 乀
    "口": [[(0.25, 0.25), (0.27, 0.75)],                                   # 丨
           [(0.25, 0.25), (0.75, 0.25), (0.73, 0.75)],                     # 横折
           [(0.27, 0.72), (0.73, 0.72)]],                                  # 一
}


def draw(char: str, pad: tuple[float, float] = (600, 600), *, box: tuple[float, float, float, float] | None = None,
         step: float = 7.0, tremble: float = 1.5, seed: int = 0, y_up: bool = False) -> list[list[tuple[float, float]]]:
    """The pad's record of ``char`` written inside ``box`` (x, y, w, h in pad pixels; default: the
    largest centred square). Points every ``step`` pixels, each moved up to ``tremble`` pixels."""
    w, h = pad
    if box is None:
        side = min(w, h)
        box = ((w - side) / 2, (h - side) / 2, side, side)
    bx, by, bw, bh = box
    rnd = random.Random(seed)
    strokes = []
    for way in CHARACTERS[char]:
        pts = [(bx + fx * bw, by + fy * bh) for fx, fy in way]
        strokes.append(_trace(pts, step, tremble, rnd, h if y_up else None))
    return strokes


def _trace(pts, step, tremble, rnd, flip_height):
    out = []
    for (x0, y0), (x1, y1) in zip(pts, pts[1:]):
        n = max(1, int(math.hypot(x1 - x0, y1 - y0) / step))
        for i in range(n):
            t = i / n
            out.append((x0 + (x1 - x0) * t, y0 + (y1 - y0) * t))
    out.append(pts[-1])
    out = [(x + rnd.uniform(-tremble, tremble), y + rnd.uniform(-tremble, tremble)) for x, y in out]
    if flip_height is not None:
        out = [(x, flip_height - y) for x, y in out]
    return out


def scribble(pad: tuple[float, float] = (600, 600), *, strokes: int = 2, turns: int = 24, seed: int = 0):
    """Back-and-forth scrubbing across the pad, as someone 'crossing out' or testing the glass."""
    rnd = random.Random(seed)
    w, h = pad
    out = []
    for _ in range(strokes):
        way = [(rnd.uniform(0.1, 0.9) * w, rnd.uniform(0.1, 0.9) * h) for _ in range(turns)]
        out.append(_trace(way, 7.0, 1.5, rnd, None))
    return out


def circles(pad: tuple[float, float] = (600, 600), *, loops: int = 5):
    """Round and round in one stroke, like colouring in a letter O."""
    w, h = pad
    n = 60 * loops
    return [[(w / 2 + 0.35 * w * math.cos(2 * math.pi * i / 60), h / 2 + 0.35 * h * math.sin(2 * math.pi * i / 60))
             for i in range(n)]]
