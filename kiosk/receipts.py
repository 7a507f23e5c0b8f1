"""Receipts the kiosk prints: the 一次告知单 for a guide, and the printer test page.

The wording comes from the same release the screens and phone pages show, and
the release stamp is printed on the paper.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from guides.checklist import checklist_blocks, now_in_china as _now
from guides.model import Guide, Site
from hardware.printer import Receipt
from hardware.printer.profile import PrinterProfile


def checklist_receipt(guide: Guide, site: Site, stamp: str, *, answers: Mapping[str, str] | None = None,
                      printed_at: dt.datetime | None = None) -> Receipt:
    """The 一次告知单: the blocks of guides.checklist as a printable receipt, for the citizen's
    `answers` (None: the whole guide grouped by case)."""
    return Receipt.from_blocks(checklist_blocks(guide, site, stamp, answers=answers, printed_at=printed_at))


def checklist_for_release(release, code: str, *, answers: Mapping[str, str] | None = None,
                          printed_at: dt.datetime | None = None) -> Receipt:
    """The 一次告知单 of ``code`` from a guides.release.Release; KeyError when the release lacks it."""
    return checklist_receipt(release.guides[code], release.site, release.stamp, answers=answers,
                             printed_at=printed_at)


def test_receipt(profile: PrinterProfile, *, printer_url: str = "", stamp: str | None = None,
                 printed_at: dt.datetime | None = None) -> Receipt:
    """A page a technician looks at: width, Chinese text, punctuation, rare characters, QR, barcode, cut."""
    cols = profile.columns
    r = Receipt()
    r.title("打印测试页")
    r.text(f"纸宽 {cols} 列 · 字符集 {profile.charset.upper()}", align="center")
    if printer_url:
        r.text(f"设备：{printer_url}", align="center")
    r.separator("=")
    r.text("".join(str(i % 10) for i in range(1, cols + 1)))
    r.text("汉" * (cols // 2))
    r.separator()
    r.text("全角标点：（１）：，。；！？、“引号”《书名》")
    r.text("货币与数字：￥12.50 〇一二三 ①②③ № ℃")
    r.text("生僻字（如缺字则以图像打印）：王䶮 龑 堃 㛃")
    r.bold("粗体：请携带身份证原件")
    r.double("倍高倍宽")
    r.row("左对齐项目", "右对齐 1 份")
    r.text("居中", align="center")
    r.text("右对齐", align="right")
    r.separator()
    r.text("二维码（打印机原生指令）：", align="left")
    r.qr("https://example.gov.cn/selftest")
    r.text("条码 CODE128:", align="left")
    r.barcode("SELFTEST-0001", height=60)
    r.separator()
    if stamp:
        r.text(stamp)
    r.text(f"打印时间：{(printed_at or _now()).strftime('%Y-%m-%d %H:%M')}")
    r.text("看到本页各行完整、无问号、无乱码，即为正常。")
    r.cut()
    return r
