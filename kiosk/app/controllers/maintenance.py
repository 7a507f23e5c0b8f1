"""The maintenance screen: PIN, content and device facts, reader/printer checks, test page.

Plain Python; the host provides `cfg`, `content`, `stamp`, `guides`, `offline`, `devices`,
`screen(name)`, `guard` (a once.ActionGuard) and the `nav` controller. A test page prints
once at a time; a PIN entered once is checked once.
"""
from __future__ import annotations

from kiosk.maintenance_pin import check_pin

VERSION = "0.1.0"


class Maintenance:
    """What the technician sees and can do behind the PIN."""

    def __init__(self, host) -> None:
        self.host = host

    def open_maintenance(self) -> None:
        host = self.host
        host.screen("maintenance").lock()
        host.nav.go("maintenance")
        host.nav.last_args = {}

    def check_pin(self, pin: str) -> bool:
        """Whether `pin` opens maintenance: this kiosk's PIN (its hash, kiosk.maintenance_pin)."""
        cfg = self.host.cfg
        return check_pin(pin, pin_hash=cfg.maintenance_pin_hash, plain=cfg.maintenance_pin)

    def refresh_maintenance(self) -> None:
        """Fill in the content and device facts, then ask both devices for their status."""
        host = self.host
        scr = host.screen("maintenance")
        c = host.content
        cfg = host.cfg
        release = (f"内容：{host.stamp},{len(host.guides)} 个事项，来源 {c.source}"
                   + (",离线" if host.offline else "")) if c.ok else f"内容：无可用版本（{c.problem})"
        scr.info_text = (f"{release}\n程序版本：{VERSION}\n读卡器地址：{cfg.reader}\n"
                         f"打印机地址：{cfg.printer}({cfg.printer_profile})")
        scr.errors_text = "\n".join(f"{e.at} {e.device}: {e.detail}" for e in reversed(host.devices.errors))
        scr.reader_text = "读卡器：检测中……"
        scr.printer_text = "打印机：检测中……"

        def reader(o) -> None:
            scr.reader_text = f"读卡器：{'正常' if o.ok else '故障'} · {o.message} {o.detail}"

        def printer(o) -> None:
            scr.printer_text = f"打印机：{'正常' if o.ok else '不可用'} · {o.message or ''} {o.detail}"
            scr.errors_text = "\n".join(f"{e.at} {e.device}: {e.detail}" for e in reversed(host.devices.errors))
        host.devices.reader_status(reader)
        host.devices.printer_status(printer)

    def reader_self_test(self) -> None:
        self.refresh_maintenance()

    def print_test_page(self) -> None:
        host = self.host
        if not host.guard.begin("test_page"):
            return
        scr = host.screen("maintenance")
        scr.printer_text = "打印机：正在打印测试页……"

        def done(o) -> None:
            host.guard.end("test_page")
            scr.printer_text = f"打印机：{o.message} {o.detail}"
        host.devices.test_page(done, stamp=host.stamp)
