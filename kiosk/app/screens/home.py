"""Home / attract screen: hall, clock, search, tickets, elder mode, categories, most-used guides."""
from __future__ import annotations

from kivy.properties import StringProperty

from kiosk.app.controllers.guide_view import guide_brief
from kiosk.app.screens import load_kv
from kiosk.app.screens.common import KioskScreen, Tile


class HomeScreen(KioskScreen):
    clock_text = StringProperty("")

    def populate(self) -> None:
        app = self.app
        grid = self.ids.categories
        grid.clear_widgets()
        for cat in app.categories_with_guides():
            n = len(app.guides_in(cat.name))
            tile = Tile(title=cat.name, subtitle=f"{n} 个事项", code=cat.slug)
            tile.bind(on_release=lambda t: app.open_category(t.code))
            grid.add_widget(tile)
        featured = self.ids.featured
        featured.clear_widgets()
        for guide in app.featured_guides():
            tile = Tile(title=guide.name, subtitle=guide_brief(guide), code=guide.code)
            tile.bind(on_release=lambda t: app.open_guide(t.code))
            featured.add_widget(tile)


load_kv(__file__)
