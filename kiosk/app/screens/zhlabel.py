"""Screen text broken into lines by the Chinese rules every surface shares.

Kivy breaks a line at spaces, and inside a run without spaces (all Chinese text) at any
character: "工本费 1" / "0 元/证", lines starting with ；，）. A `ZhLabel` hands Kivy text
already broken by zhtext.linebreak (标点禁则: no closing punctuation at a line start, no
opening one at a line end; numbers with their units, amounts, times, codes and document
numbers kept whole), measured in pixels of the label's own font through Kivy's core label,
so every line fits and Kivy breaks nothing itself. The label's `text` stays what the screen
set; only what is drawn is broken.

Labels with no width bound (`text_size` (None, …)), shortened or markup labels are drawn
as Kivy draws them.
"""
from __future__ import annotations

from typing import Callable

from kivy.core.text import Label as CoreLabel
from kivy.uix.label import Label

from zhtext.linebreak import summed, wrap

_FONT_OPTIONS = ("font_name", "font_size", "bold", "italic", "font_hinting", "font_kerning", "font_features",
                 "font_direction", "font_script_name", "font_language", "font_family", "font_context",
                 "text_language", "base_direction")
_MEASURES: dict[str, Callable[[str], float]] = {}
_MAX_MEASURES = 256   # fonts x sizes kept (a shrinking title visits a few sizes)
SLACK = 1.0           # px left free on a line: Kivy measures whole lines, the rule sums characters


def pixel_measure(core) -> Callable[[str], float]:
    """Width in px of a string in the font of `core` (a kivy.core.text.Label, options set):
    the sum of each character's advance, cached per font and size."""
    core.resolve_font_name()
    key = "|".join(str(core.options.get(k)) for k in ("font_name_r", "font_size", "bold", "italic",
                                                        "font_hinting", "font_kerning"))
    measure = _MEASURES.get(key)
    if measure is None:
        if len(_MEASURES) >= _MAX_MEASURES:
            _MEASURES.clear()
        probe = CoreLabel(**{k: core.options[k] for k in _FONT_OPTIONS if k in core.options})
        probe.resolve_font_name()
        measure = _MEASURES[key] = summed(lambda ch: probe.get_extents(ch)[0])
    return measure


def break_text(text: str, width: float, core) -> str:
    """`text` with a newline at every line break the Chinese rules choose for `width` px in the
    font of `core`. Raises ValueError for a width that is not positive."""
    return "\n".join(wrap(text, width - SLACK, pixel_measure(core)))


def wraps_by_rule(label: Label) -> bool:
    """Whether `label` is drawn with the Chinese line breaking (it has a width to wrap in)."""
    width = label.text_size[0]
    return (width is not None and bool(label.text) and not label.markup and not label.shorten
            and width - label.padding[0] - label.padding[2] - SLACK > 0)


class ZhLabel(Label):
    """A Kivy Label whose text is broken into lines by the Chinese rules (see module doc)."""

    def texture_update(self, *largs):
        core = self._label
        if wraps_by_rule(self):
            width = self.text_size[0] - self.padding[0] - self.padding[2]
            core.text = break_text(self.text, width, core)
        else:
            core.text = self.text
        super().texture_update(*largs)
