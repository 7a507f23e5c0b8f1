"""The search screen's state: what was typed or written, the results, and what to offer when
there is nothing to show.

The query line takes letters and digits from the on-screen keyboard (pinyin initials such as
SFZ, full pinyin such as SHEBAO or HUKOU) and Chinese characters from the 手写 pad, mixed if
people like (社BAO); the shared index (guides.search) normalises it and knows every reading.
At most ``MAX_QUERY`` characters.

Three states, each with its own message:

- ``EMPTY``: nothing typed yet — the screen offers 常用事项 and the most searched terms;
- ``RESULTS``: hits, best first, at most ``limit`` shown;
- ``NO_HIT``: nothing found — the screen offers the categories, the hotline and 请工作人员帮助.

A query is *kept* only when nothing in it looks personal (search_privacy.may_keep): a query
from whose results a guide was opened is counted as a popular term (``opened``); a query that
ends with no hit — the person leaves the screen, clears it, or asks for help — is reported once
through ``on_nohit(normalised_query)`` (the app records it as a ``search_nohit`` event in the
fleet outbox, for the editors).
"""
from __future__ import annotations

import logging
import time
from typing import TYPE_CHECKING, Callable

from kiosk.app.controllers.search_privacy import may_keep

if TYPE_CHECKING:  # guides.search loads pypinyin's dictionaries: the app builds its index after start-up
    from guides.search import Hit, SearchIndex
    from kiosk.app.controllers.search_terms import SearchTerms

log = logging.getLogger(__name__)

LETTERS = tuple("ABCDEFGHIJKLMNOPQRSTUVWXYZ")
QWERTY_ROWS = ("QWERTYUIOP", "ASDFGHJKL", "ZXCVBNM")
DIGITS = tuple("1234567890")
DELETE = "删除"   # no CJK font has the erase glyph; the key says what it does
CLEAR = "清空"
MAX_QUERY = 16

EMPTY, RESULTS, NO_HIT = "empty", "results", "nohit"
EMPTY_MESSAGE = "请输入拼音或拼音首字母，例如“社保”输入 SHEBAO 或 SB；也可以点“手写”写汉字"
EMPTY_MESSAGE_HANDWRITING = "请在下面的方框里写一个字，再点选候选字"


def keyboard_rows(layout: str) -> list[tuple[str, ...]]:
    """The letter keys of a layout in rows: "qwerty" gives the three rows of a PC keyboard,
    "az" one row of A–Z (the screen wraps it in a grid)."""
    if layout == "qwerty":
        return [tuple(r) for r in QWERTY_ROWS]
    if layout == "az":
        return [LETTERS]
    raise ValueError(f"unknown keyboard layout {layout!r}")


class SearchController:
    """``SearchController(index, limit=8, *, terms=None, on_nohit=None)``; ``index`` answers
    ``search(query, limit)`` with guides.search.Hit lists."""

    def __init__(self, index: SearchIndex, limit: int = 8, *, terms: SearchTerms | None = None,
                 on_nohit: Callable[[str], None] | None = None) -> None:
        self.index = index
        self.limit = limit  # as many as the screen shows
        self.terms = terms
        self.on_nohit = on_nohit
        self.query = ""
        self.results: list[Hit] = []
        self.more = False   # more hits than shown: ask for another letter
        self.last_search_seconds = 0.0
        self._reported = ""  # the no-hit query already reported (not twice in a row)

    # -- typing -----------------------------------------------------------------------------
    def press(self, key: str) -> list[Hit]:
        """A key of the on-screen keyboard: a letter or digit, 删除 or 清空. Raises ValueError
        for anything else (a key the screen does not have)."""
        if key == DELETE:
            self.query = self.query[:-1]
        elif key == CLEAR:
            self.clear()
            return self.results
        elif len(key) == 1 and key.isascii() and key.isalnum():
            if len(self.query) < MAX_QUERY:
                self.query += key.upper()
        else:
            raise ValueError(f"not a key of the search keyboard: {key!r}")
        return self._run()

    def add_text(self, text: str) -> list[Hit]:
        """Append characters chosen on the 手写 pad (or any text); what does not fit in
        MAX_QUERY is left out. Spaces and control characters are dropped."""
        room = MAX_QUERY - len(self.query)
        add = "".join(ch for ch in (text or "") if ch.isprintable() and not ch.isspace())
        if room > 0 and add:
            self.query += add[:room].upper() if add.isascii() else add[:room]
        return self._run()

    def set_query(self, text: str) -> list[Hit]:
        """Replace the query (a popular term was tapped)."""
        self.finish()
        self.query = ""
        return self.add_text(text)

    def clear(self) -> None:
        """An empty query (清空, a new search, the idle reset); a no-hit query is reported first."""
        self.finish()
        self.query = ""
        self.results = []
        self.more = False

    def _run(self) -> list[Hit]:
        t0 = time.perf_counter()
        hits = self.index.search(self.query, limit=self.limit + 1) if self.query else []
        self.results, self.more = hits[:self.limit], len(hits) > self.limit
        self.last_search_seconds = time.perf_counter() - t0
        return self.results

    # -- where it led -----------------------------------------------------------------------
    @property
    def state(self) -> str:
        if not self.query:
            return EMPTY
        return RESULTS if self.results else NO_HIT

    def opened(self, code: str) -> bool:
        """A guide was opened from the results: count the query as a popular term (if it is one
        of the results and nothing in it looks personal). True when counted."""
        if self.terms is None or not self.query or code not in {h.code for h in self.results}:
            return False
        return self.terms.record(self.query)

    def finish(self) -> bool:
        """The search ends as it stands (leaving the screen, 清空, 请工作人员帮助): a query with
        no hit is reported once through ``on_nohit``. True when reported."""
        if self.state != NO_HIT or self.on_nohit is None:
            return False
        from guides.search import normalize_query
        q = normalize_query(self.query)
        if not q or q == self._reported:
            return False
        if not may_keep(self.query, found=False):
            log.info("a search with no hit was not reported: it may hold personal data")
            return False
        self._reported = q
        try:
            self.on_nohit(q)
        except Exception:
            log.exception("no-hit search not recorded")
            return False
        return True

    # -- words for the screen ---------------------------------------------------------------
    @property
    def message(self) -> str:
        if not self.query:
            return EMPTY_MESSAGE
        if not self.results:
            return f"没有找到与“{self.query}”相关的事项。可以换个说法，或按下面的主题查找"
        if self.more:
            return f"相关事项超过 {self.limit} 个，以下是最相关的 {self.limit} 个；再输入字母或汉字可以缩小范围"
        return f"找到 {len(self.results)} 个相关事项，请点击查看"
