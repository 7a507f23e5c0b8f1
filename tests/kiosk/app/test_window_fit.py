"""The windowed kiosk fits the screen it opens on, with the panel's aspect and layout."""
import pytest
from kivy.core.window import Window

from kiosk.app.window_fit import fit_scale, usable_display_size
from tests.kiosk.conftest import copy_sample_content
from tests.kiosk.harness import KioskTestCase


@pytest.mark.parametrize("panel,usable,expected", [
    ((1080, 1920), (1920, 1080), 1080 * 0.95 / 1920),    # portrait panel on a landscape desktop
    ((1080, 1920), (1920, 1040), 1040 * 0.95 / 1920),    # minus a taskbar
    ((1920, 1080), (1366, 768), 768 * 0.95 / 1080),
    ((1920, 1080), (3840, 2160), 1.0),                   # it fits: never larger than the panel
    ((1080, 1920), (0, 0), 1.0),                         # unknown
])
def test_fit_scale_keeps_the_aspect_and_fits(panel, usable, expected):
    scale = fit_scale(panel, usable)
    assert scale == pytest.approx(expected)
    if usable[0]:
        assert panel[0] * scale <= usable[0] and panel[1] * scale <= usable[1]


class ScaledWindow(KioskTestCase):
    orientation = "portrait"

    def test_a_portrait_panel_in_a_window_half_its_size_lays_out_and_taps_as_on_the_panel(self):
        app = self.start_app(copy_sample_content(self.tmp / "content"), window_scale=0.5)
        assert tuple(Window.size) == (540, 960)
        kiosk_root = app.root.children[0]
        assert tuple(kiosk_root.size) == (1080, 1920)     # laid out at the panel's size, as checked elsewhere
        assert tuple(app.sm.current_screen.size) == (1080, 1920)
        button = self.button("长辈模式")
        x, y = button.to_window(*button.center)
        assert x <= 540 and y <= 960                       # on the window, where it is drawn
        self.tap(button)
        assert app.elder

    def test_the_screen_size_comes_from_the_windows_sdl_or_nowhere(self):
        self.start_app(copy_sample_content(self.tmp / "content"))
        size = usable_display_size()
        assert size is None or (size[0] > 0 and size[1] > 0)
