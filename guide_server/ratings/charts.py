"""A `stats.Table` drawn as a static SVG chart with pygal (server-side; the SVG holds no script).

The charts are shown as <img> (each is its own document, so the page needs no inline style),
with the same table printed under each for screen readers. Colours have enough contrast on
white and the five levels go from green (非常满意) to red (非常不满意). No Flask import.
"""
from __future__ import annotations

import re

import pygal
from pygal.style import Style

from guide_server.ratings.stats import TOP, Table

FONT = "'Noto Sans SC', 'Noto Sans CJK SC', 'Source Han Sans SC', 'WenQuanYi Micro Hei', sans-serif"
LEVEL_COLOURS = ("#1b7837", "#5aae61", "#8c8c8c", "#e08214", "#b2182b")
SERIES_COLOURS = ("#1f4e9c", "#b2182b", "#1b7837", "#7b3294", "#e08214", "#01665e", "#8c510a", "#4d4d4d")
_SCRIPT = re.compile(r"<script\b.*?</script>", re.S)


def _style(colours) -> Style:
    return Style(background="white", plot_background="white", foreground="#222", foreground_strong="#111",
                 foreground_subtle="#666", colors=tuple(colours), font_family=FONT, label_font_size=13,
                 major_label_font_size=13, legend_font_size=14, title_font_size=17, value_font_size=12,
                 tooltip_font_size=12)


def _short(label, n: int = 14) -> str:
    text = str(label)
    return text if len(text) <= n else text[: n - 1] + "…"


def render(table: Table, width: int = 860, height: int = 420) -> str:
    """The SVG of `table` (a str, without an XML declaration and without any script)."""
    kind, label_col, values = table.chart
    common = dict(width=width, height=height, js=[], disable_xml_declaration=True, title=table.title,
                  legend_at_bottom=True, print_values=False, show_y_guides=True, truncate_label=-1,
                  no_data_text="本期没有数据", explicit_size=True)
    rows = table.rows
    if kind == "stacked":
        colours = LEVEL_COLOURS if table.key == "levels" else ("#1f4e9c", "#b2182b")
        chart = pygal.StackedBar(style=_style(colours), x_label_rotation=0 if len(rows) <= 12 else 45, **common) \
            if table.key == "levels" else pygal.Bar(style=_style(colours), **common)
        chart.x_labels = [_short(r[label_col]) for r in rows]
        for col in values:
            chart.add(table.columns[col], [r[col] for r in rows])
    elif kind == "lines":
        chart = pygal.Line(style=_style(SERIES_COLOURS), x_label_rotation=0, dots_size=3, **common)
        chart.x_labels = [r[label_col] for r in rows]
        for col in values:
            chart.add(table.columns[col], [r[col] for r in rows])
    else:  # "bar" and "rate": horizontal, the first TOP rows, numbered as in the table below
        shown = [r for r in rows if r[values] is not None][:TOP]
        labels = [f"{i}. {_short(r[label_col], 10)}" for i, r in enumerate(shown, start=1)]
        # pygal sizes the label column for Latin text (0.6 em a character); a Chinese character
        # takes a whole em: the difference goes into the left margin so no label is cut off
        wide = max((sum(1 for ch in label if ord(ch) > 0x2E80) for label in labels), default=0)
        common["margin_left"] = 10 + int(wide * 13 * 0.45)
        chart = pygal.HorizontalBar(style=_style(("#1f4e9c",)), show_legend=False, **common)
        if kind == "rate":
            chart.range = (0, 100)
            chart.value_formatter = lambda v: f"{v:.1f}%"
        chart.x_labels = list(reversed(labels))
        chart.add(table.columns[values], [r[values] for r in reversed(shown)])
    svg = chart.render(is_unicode=True)
    return _SCRIPT.sub("", svg)
