"""Search by pinyin initials on an on-screen keyboard; results update on every key."""
from __future__ import annotations

from kivy.properties import StringProperty

from kiosk.app.controllers.search import DELETE, DIGITS, LETTERS
from kiosk.app.controllers.guide_view import guide_brief
from kiosk.app.screens import load_kv
from kiosk.app.screens.common import KButton, KioskScreen, Tile

RESULT_SLOTS = 8


class SearchScreen(KioskScreen):
    query = StringProperty("")
    message = StringProperty("")

    def on_kv_post(self, base_widget):
        # keyboard and result tiles are built once; a key press only changes texts
        for key in LETTERS + (DELETE,):
            self.ids.letters.add_widget(self._key(key))
        for key in DIGITS:
            self.ids.digits.add_widget(self._key(key))
        self._slots = []
        for _ in range(RESULT_SLOTS):
            tile = Tile()
            tile.bind(on_release=lambda t: t.code and self.app.open_guide(t.code))
            self._slots.append(tile)

    def _key(self, key: str) -> KButton:
        b = KButton(text=key, base_size=36 if key != DELETE else 30, primary=(key == DELETE))
        b.key = key
        b.bind(on_release=lambda btn: self.app.search_key(btn.key))
        return b

    def show_results(self, controller) -> None:
        self.query = controller.query
        self.message = controller.message
        box = self.ids.results
        hits = controller.results[:RESULT_SLOTS]
        guides = self.app.guides
        for i, tile in enumerate(self._slots):
            if i < len(hits):
                g = guides.get(hits[i].code)
                tile.title, tile.code = hits[i].name, hits[i].code
                tile.subtitle = " · ".join(x for x in (g.category, guide_brief(g)) if x) if g else ""
                if tile.parent is None:
                    box.add_widget(tile)
            elif tile.parent is not None:
                box.remove_widget(tile)
                tile.code = ""
        self.ids.scroll.scroll_y = 1


load_kv(__file__)
