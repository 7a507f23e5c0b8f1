"""Receipts the kiosk prints: the 一次告知单 for a guide, and the printer test page.

The wording comes from the same release the screens and phone pages show, and
the release stamp is printed on the paper.
"""
from __future__ import annotations

import datetime as dt

from guides.model import Guide, MaterialForm, Site
from guides.urls import guide_url
from hardware.printer import Receipt
from hardware.printer.profile import PrinterProfile

CHINA_TZ = dt.timezone(dt.timedelta(hours=8))


def _now() -> dt.datetime:
    return dt.datetime.now(CHINA_TZ).replace(second=0, microsecond=0)


def material_line(form: MaterialForm, copies: int, shared: bool, required: bool) -> str:
    """How to bring one material: 原件 1 份 · 必须提供 / 免提交(部门间共享核验)."""
    if shared:
        return "免提交(窗口通过部门共享核验)"
    if form is MaterialForm.electronic:
        how = "出示电子证照"
    else:
        how = f"{form.value} {copies} 份"
    return f"{how} · {'必须提供' if required else '符合情形时提供'}"


def checklist_receipt(guide: Guide, site: Site, stamp: str, *, printed_at: dt.datetime | None = None) -> Receipt:
    """The 一次告知单: everything to bring and where to go, the guide's QR code and the release stamp."""
    url = guide_url(site, guide.code)
    r = Receipt()
    r.title("一次告知单")
    r.text(site.hall_name, align="center")
    r.separator("=")
    r.bold(f"事项:{guide.name}", indent=5)
    r.text(f"事项编码:{guide.code}")
    r.separator()
    r.bold("【需要准备的材料】")
    for i, m in enumerate(guide.materials, 1):
        prefix = f"{i}. "
        r.text(f"{prefix}{m.name}", indent=len(prefix))
        r.text(" " * len(prefix) + material_line(m.form, m.copies, m.shared, m.required), indent=len(prefix))
        if m.note:
            r.text(" " * len(prefix) + m.note, indent=len(prefix))
    r.separator()
    r.text(f"办理时限:{guide.time_limit_label}", indent=9)
    r.text(f"到现场次数:{guide.visits_label}", indent=11)
    r.separator()
    r.bold("【办理地点】")
    for loc in guide.locations:
        r.text(f"地址:{loc.address}", indent=5)
        r.text(f"窗口:{loc.window}", indent=5)
        r.text(f"时间:{loc.hours}", indent=5)
    r.separator()
    r.bold("【易错提醒】")
    for item in guide.mistakes:
        r.text(f"× {item.mistake}", indent=2)
        r.text(f"√ {item.correct}", indent=2)
    r.separator()
    r.text(f"咨询电话:{guide.contacts.consult}", indent=9)
    r.text(f"投诉电话:{guide.contacts.complaint}", indent=9)
    r.feed(1)
    r.qr(url)
    r.text("扫码查看完整办事指南", align="center")
    r.text(url, align="center")
    r.separator()
    r.text(stamp)
    when = (printed_at or _now()).strftime("%Y-%m-%d %H:%M")
    r.text(f"打印时间:{when}")
    r.text("以窗口审核意见为准", align="center")
    r.cut()
    return r


def checklist_for_release(release, code: str, *, printed_at: dt.datetime | None = None) -> Receipt:
    """The 一次告知单 of ``code`` from a guides.release.Release; KeyError when the release lacks it."""
    return checklist_receipt(release.guides[code], release.site, release.stamp, printed_at=printed_at)


def test_receipt(profile: PrinterProfile, *, printer_url: str = "", stamp: str | None = None,
                 printed_at: dt.datetime | None = None) -> Receipt:
    """A page a technician looks at: width, Chinese text, punctuation, rare characters, QR, barcode, cut."""
    cols = profile.columns
    r = Receipt()
    r.title("打印测试页")
    r.text(f"纸宽 {cols} 列 · 字符集 {profile.charset.upper()}", align="center")
    if printer_url:
        r.text(f"设备:{printer_url}", align="center")
    r.separator("=")
    r.text("".join(str(i % 10) for i in range(1, cols + 1)))
    r.text("汉" * (cols // 2))
    r.separator()
    r.text("全角标点:（１）：，。；！？、“引号”《书名》")
    r.text("货币与数字:￥12.50 〇一二三 ①②③ № ℃")
    r.text("生僻字(如缺字则以图像打印):王䶮 龑 堃 㛃")
    r.bold("粗体:请携带身份证原件")
    r.double("倍高倍宽")
    r.row("左对齐项目", "右对齐 1 份")
    r.text("居中", align="center")
    r.text("右对齐", align="right")
    r.separator()
    r.text("二维码(打印机原生指令):", align="left")
    r.qr("https://example.gov.cn/selftest")
    r.text("条码 CODE128:", align="left")
    r.barcode("SELFTEST-0001", height=60)
    r.separator()
    if stamp:
        r.text(stamp)
    r.text(f"打印时间:{(printed_at or _now()).strftime('%Y-%m-%d %H:%M')}")
    r.text("看到本页各行完整、无问号、无乱码,即为正常。")
    r.cut()
    return r
