"""The search screen's state: pinyin initials typed on the on-screen keyboard."""
from __future__ import annotations

import time
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # guides.search loads pypinyin's dictionaries: the app builds its index after start-up
    from guides.search import Hit, SearchIndex

LETTERS = tuple("ABCDEFGHIJKLMNOPQRSTUVWXYZ")
DIGITS = tuple("1234567890")
DELETE = "删除"   # no CJK font has the erase glyph; the key says what it does
MAX_QUERY = 16


class SearchController:
    def __init__(self, index: SearchIndex, limit: int = 8) -> None:
        self.index = index
        self.limit = limit  # as many as the screen shows
        self.query = ""
        self.results: list[Hit] = []
        self.more = False   # more hits than shown: ask for another letter
        self.last_search_seconds = 0.0

    def press(self, key: str) -> list[Hit]:
        if key == DELETE:
            self.query = self.query[:-1]
        elif len(key) == 1 and key.isascii() and key.isalnum():
            if len(self.query) < MAX_QUERY:
                self.query += key.upper()
        else:
            raise ValueError(f"not a key of the search keyboard: {key!r}")
        return self._run()

    def clear(self) -> None:
        self.query = ""
        self.results = []
        self.more = False

    def _run(self) -> list[Hit]:
        t0 = time.perf_counter()
        hits = self.index.search(self.query, limit=self.limit + 1) if self.query else []
        self.results, self.more = hits[:self.limit], len(hits) > self.limit
        self.last_search_seconds = time.perf_counter() - t0
        return self.results

    @property
    def message(self) -> str:
        if not self.query:
            return "请按事项名称的拼音首字母输入，例如“身份证”输入 SFZ"
        if not self.results:
            return f"没有找到与“{self.query}”相关的事项，请删除后重新输入或咨询工作人员"
        if self.more:
            return f"相关事项超过 {self.limit} 个，以下是最相关的 {self.limit} 个；再输入字母可以缩小范围"
        return f"找到 {len(self.results)} 个相关事项，请点击查看"
