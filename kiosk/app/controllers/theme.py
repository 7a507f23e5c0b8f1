"""Normal and 长辈模式 (elder mode) looks: type scale, touch-target size, colours.

Elder mode: type at least 1.4x, every touch target at least 60 px high,
high contrast (white on black and yellow, contrast ratio well above 7:1).
"""
from __future__ import annotations

from dataclasses import dataclass

Color = tuple[float, float, float, float]


def hex_color(h: str) -> Color:
    h = h.lstrip("#")
    return (int(h[0:2], 16) / 255, int(h[2:4], 16) / 255, int(h[4:6], 16) / 255, 1.0)


@dataclass(frozen=True)
class Theme:
    name: str
    scale: float          # multiplies every font size
    target: int           # minimum touch-target height in px
    bg: Color             # screen background
    fg: Color             # body text
    muted: Color          # secondary text
    panel: Color          # cards / tiles
    accent: Color         # primary buttons
    accent_fg: Color
    warn: Color           # fault messages
    good: Color


NORMAL = Theme("normal", 1.0, 96,
               bg=hex_color("#F3F6FA"), fg=hex_color("#1A1F29"), muted=hex_color("#4B5563"),
               panel=hex_color("#FFFFFF"), accent=hex_color("#0B5CAD"), accent_fg=hex_color("#FFFFFF"),
               warn=hex_color("#B42318"), good=hex_color("#0F7B3F"))
ELDER = Theme("elder", 1.45, 128,
              bg=hex_color("#000000"), fg=hex_color("#FFFFFF"), muted=hex_color("#FFFFFF"),
              panel=hex_color("#1C1C1C"), accent=hex_color("#FFD400"), accent_fg=hex_color("#000000"),
              warn=hex_color("#FF8A80"), good=hex_color("#7CFC9A"))


def theme_for(elder: bool) -> Theme:
    return ELDER if elder else NORMAL


def luminance(c: Color) -> float:
    def ch(v: float) -> float:
        return v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4
    return 0.2126 * ch(c[0]) + 0.7152 * ch(c[1]) + 0.0722 * ch(c[2])


def contrast(a: Color, b: Color) -> float:
    la, lb = sorted((luminance(a), luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)
