"""Guide detail: every element of the guide, scrolled with a finger, and what to do next.

Under the one-line summary: a row of jump buttons (材料, 易错, 条件, 流程, …) to the
sections, and the sections with 申请材料 first (controllers.guide_view).

A guide is drawn in two steps: the first frame holds the header and the sections
that fill the visible part of the scroll view (with some margin); the sections
below follow on the next clock tick, after that frame is on the screen. Every
label's text is laid out and rendered into a texture on the CPU, and on a kiosk
with software GL the first screenful is what a person looks at first.
"""
from __future__ import annotations

import math

from kivy.core.window import Window
from kivy.properties import BooleanProperty, ObjectProperty, StringProperty

from guides.present import guide_view
from kiosk.app.controllers.guide_view import JUMPS, case_line, guide_header, guide_sections, guide_summary
from kiosk.app.screens import load_kv
from kiosk.app.screens.common import KButton, KioskScreen, KLabel

# as in guide.kv: font sizes (before app.scale), SectionBody's line_height, paddings
TITLE_SIZE, BODY_SIZE, BODY_LINE_HEIGHT = 34, 29, 1.35
TITLE_PADDING, BOX_SPACING, BOX_RIGHT_PADDING = 22, 6, 30
LINE_EM = 1.3  # a text line of the app font is ~1.45 em tall; a lower guess only adds sections
FIRST_SCREEN_MARGIN = 1.35  # viewport heights of sections in the first frame (guesses are up to 1.33x high)


class SectionTitle(KLabel):
    pass


class SectionBody(KLabel):
    pass


def ems(text: str) -> float:
    """Width of `text` in em, about: CJK glyphs and full-width punctuation 1, the rest ~0.55."""
    return sum(1.0 if ord(c) >= 0x2E80 else 0.55 for c in text)


def estimated_height(section, width: float, scale: float) -> float:
    """A lower guess of the height a section's title and body take at `width` pixels."""
    body = BODY_SIZE * scale
    per_line = max(1.0, width / body)
    lines = sum(max(1, math.ceil(ems(line) / per_line)) for text in section.lines for line in text.split("\n"))
    return (TITLE_SIZE * scale * LINE_EM + TITLE_PADDING + lines * body * LINE_EM * BODY_LINE_HEIGHT
            + 2 * BOX_SPACING)


def first_screenful(sections, width: float, height: float, scale: float) -> int:
    """How many sections, from the top, fill `height` pixels of the view (at least one)."""
    used, n = 0.0, 0
    for section in sections:
        n += 1
        used += estimated_height(section, width, scale)
        if used >= height * FIRST_SCREEN_MARGIN:
            break
    return n


class GuideScreen(KioskScreen):
    title = StringProperty("")
    header = StringProperty("")
    summary = StringProperty("")
    code = StringProperty("")
    reading = BooleanProperty(False)       # 朗读 in progress: the button says 停止朗读
    voice_message = StringProperty("")     # speech did not work: the calm line under the summary
    has_questions = BooleanProperty(False)  # 情形 questions: the case bar shows
    case_text = StringProperty("")         # 您的情形：… (or, for the whole guide, how it is grouped)
    answers = ObjectProperty(None, allownone=True)   # {question id: option id} of the path shown

    _pending = None
    shown_guide = None

    def __init__(self, **kw):
        super().__init__(**kw)
        self._pool: list[tuple[SectionTitle, SectionBody]] = []
        self._finish = None   # adds the sections not shown yet, while they are pending
        self._jumps: dict[str, KButton] = {}
        for title, label in JUMPS:
            b = KButton(text=label, base_size=30)
            b.section = title
            b.bind(on_release=lambda btn: self.jump_to(btn.section))
            self._jumps[title] = b

    def show_jumps(self, titles) -> None:
        """One jump button per section of this guide that has one, in the order of JUMPS."""
        row = self.ids.jumps
        row.clear_widgets()
        for title, _label in JUMPS:
            if title in titles:
                row.add_widget(self._jumps[title])

    def jump_to(self, title: str) -> None:
        """Scroll the section titled `title` to the top of the view (all sections are added
        first if the guide is still being drawn)."""
        if self._pending is not None and self._finish is not None:
            self._pending.cancel()
            self._finish()
        box = self.ids.sections
        target = next((w for w in box.children if isinstance(w, SectionTitle) and w.text == title), None)
        if target is None:
            return
        box.do_layout()
        scroll = self.ids.scroll
        scroll.update_from_scroll()
        scroll.scroll_to(target, padding=0, animate=False)

    def show(self, guide, then=None, answers=None) -> None:
        """Show `guide` for the 情形 path `answers` (None: the whole guide, grouped by case);
        `then()` is called once all of its sections are in the tree."""
        if self._pending is not None:
            self._pending.cancel()
            self._pending = None
            self._finish = None
        self.code = guide.code
        self.shown_guide = guide   # what 朗读 reads: the guide as shown (a citizen's case, once resolved)
        self.voice_message = ""
        self.title = guide.name
        self.header = guide_header(guide)
        site = getattr(self.app, "site", None) if self.app else None
        view = guide_view(guide, site, answers)
        self.answers = dict(answers) if answers else None
        self.has_questions = bool(guide.questions)
        self.case_text = case_line(view.resolved) if guide.questions else ""
        self.summary = "    ".join(f"{k}：{v}" for k, v in guide_summary(guide, site, view))
        box = self.ids.sections
        box.clear_widgets()  # the labels stay in the pool
        sections = guide_sections(guide, site, answers, view=view)
        self.show_jumps([sec.title for sec in sections])
        scroll = self.ids.scroll
        # before the screen's first layout the view still has Kivy's default 100x100 size
        width = (scroll.width if scroll.width > 100 else Window.width - 64) - BOX_RIGHT_PADDING
        height = scroll.height if scroll.height > 100 else Window.height
        n = first_screenful(sections, width, height, self.app.scale if self.app else 1.0)
        self._add(sections, 0, n)
        self.ids.scroll.scroll_y = 1
        if n == len(sections):
            if then is not None:
                then()
            return

        def more():
            self._pending = None
            self._finish = None
            self._add(sections, n, len(sections))
            if then is not None:
                then()
        self._finish = more
        self._pending = self.app.after_next_frame(more)

    def _add(self, sections, start: int, end: int) -> None:
        """Show sections[start:end], in labels reused from guide to guide: no widgets are built
        or thrown away per guide (less work, and far less garbage for the cyclic GC to walk), and
        a label whose text stays the same (most section titles) keeps its texture."""
        box = self.ids.sections
        pool = self._pool
        while len(pool) < end:
            pool.append((SectionTitle(), SectionBody()))
        for i in range(start, end):
            title, body = pool[i]
            title.text = sections[i].title
            body.text = "\n".join(sections[i].lines)   # broken by the Chinese rules (ZhLabel)
            box.add_widget(title)
            box.add_widget(body)


load_kv(__file__)
