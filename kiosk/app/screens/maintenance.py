"""Hidden maintenance screen: PIN, device status, self-test, content release, version, last errors."""
from __future__ import annotations

from kivy.properties import BooleanProperty, StringProperty

from kiosk.app.screens import load_kv
from kiosk.app.screens.common import KButton, KioskScreen

PIN_KEYS = ("1", "2", "3", "4", "5", "6", "7", "8", "9", "删除", "0", "确定")


class MaintenanceScreen(KioskScreen):
    pin_shown = StringProperty("")
    unlocked = BooleanProperty(False)
    pin_message = StringProperty("请输入维护密码")
    reader_text = StringProperty("读卡器：未检测")
    printer_text = StringProperty("打印机：未检测")
    info_text = StringProperty("")
    errors_text = StringProperty("")

    def on_kv_post(self, base_widget):
        self._pin = ""
        for key in PIN_KEYS:
            b = KButton(text=key, base_size=40, primary=key == "确定")
            b.key = key
            b.bind(on_release=lambda btn: self.press(btn.key))
            self.ids.pinpad.add_widget(b)
        # both panes are kept (ids are weak references); only the one in use is in the tree
        self._panes = (self.ids.pin_pane.__self__, self.ids.status_pane.__self__)
        self.on_unlocked(self, self.unlocked)

    def on_unlocked(self, _scr, unlocked: bool) -> None:
        """Show the status pane once unlocked, the PIN pad otherwise. The other pane leaves
        the widget tree: a hidden pane would still take taps and push the shown one around."""
        panes = getattr(self, "_panes", None)
        if panes is None:
            return
        body = self.ids.body
        pin, status = panes
        shown, gone = (status, pin) if unlocked else (pin, status)
        if gone.parent is not None:
            body.remove_widget(gone)
        if shown.parent is None:
            body.add_widget(shown)

    def lock(self) -> None:
        self._pin = ""
        self.pin_shown = ""
        self.unlocked = False
        self.pin_message = "请输入维护密码"

    def press(self, key: str) -> None:
        if self.unlocked:
            return  # the PIN pad is gone: a second delivery of the tap on 确定 must not count
        if key == "删除":
            self._pin = self._pin[:-1]
        elif key == "确定":
            if self.app.check_pin(self._pin):
                self.unlocked = True
                self.app.refresh_maintenance()
            else:
                self.pin_message = "密码不正确，请重新输入"
            self._pin = ""
        elif len(self._pin) < 12:
            self._pin += key
        self.pin_shown = "●" * len(self._pin)


load_kv(__file__)
