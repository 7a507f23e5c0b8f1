"""One category: its guides as big tiles."""
from __future__ import annotations

from kivy.properties import StringProperty

from kiosk.app.controllers.guide_view import guide_brief
from kiosk.app.screens import load_kv
from kiosk.app.screens.common import KioskScreen, Tile


class CategoryScreen(KioskScreen):
    title = StringProperty("")
    description = StringProperty("")

    def show(self, category) -> None:
        app = self.app
        self.title = category.name
        self.description = category.description or ""
        grid = self.ids.guides
        grid.clear_widgets()
        for guide in app.guides_in(category.name):
            tile = Tile(title=guide.name, subtitle=guide_brief(guide), code=guide.code)
            tile.bind(on_release=lambda t: app.open_guide(t.code))
            grid.add_widget(tile)
        self.ids.scroll.scroll_y = 1


load_kv(__file__)
