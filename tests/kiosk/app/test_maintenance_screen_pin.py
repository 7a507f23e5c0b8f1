"""The maintenance screen opens with this kiosk's own PIN (kept as a hash), not with 246810."""
from kiosk.maintenance_pin import hash_pin
from tests.kiosk.conftest import copy_sample_content
from tests.kiosk.harness import KioskTestCase


class MaintenancePin(KioskTestCase):
    def test_own_pin_opens_and_the_default_does_not(self):
        app = self.start_app(copy_sample_content(self.tmp / "content"), maintenance_pin="",
                             maintenance_pin_hash=hash_pin("60417329"))
        app.open_maintenance()
        self.pump()
        m = app.screen("maintenance")
        for key in "246810":
            self.tap(self.button(key))
        self.tap(self.button("确定"))
        assert not m.unlocked and "不正确" in m.pin_message
        for key in "60417329":
            self.tap(self.button(key))
        self.tap(self.button("确定"))
        assert m.unlocked
