"""What a hall poster says: the words of one guide, taken from a release.

The key facts come from guides.keyfacts, worded as on the phone page, the kiosk and the
一次告知单. No Flask, no PDF library.
"""
from __future__ import annotations

from dataclasses import dataclass, fields

from guides.glyphs import char_label, undrawable_chars
from guides.keyfacts import fee_short, material_count, time_limit_short, visits_short
from guides.phones import phone_display
from guides.model import Guide
from guides.release import Release
from guides.halls import DEFAULT_HALL
from guides.urls import guide_url, hall_guide_url


class PosterError(Exception):
    """A poster that cannot be made as it should look; the message is Chinese and names
    the guide (事项编码 and 事项名称) and what is wrong. Nothing is written for it."""

    def __init__(self, code: str, name: str, reason: str):
        self.code, self.name, self.reason = code, name, reason
        super().__init__(f"{code}（{name}）：{reason}")


# Chinese names of the poster's texts, for messages.
FIELD_NAMES = {"code": "事项编码", "hall": "大厅名称", "name": "事项名称", "url": "二维码网址",
               "time_limit": "办理时限", "time_note": "办理时限说明", "fee": "收费", "visits": "到现场次数",
               "visits_note": "到现场次数说明", "materials": "申请材料", "materials_note": "申请材料说明",
               "consult": "咨询电话",
               "hotline": "服务热线", "stamp": "版本"}


@dataclass(frozen=True)
class PosterData:
    code: str
    hall: str
    name: str
    url: str
    time_limit: str
    time_note: str
    fee: str
    visits: str
    visits_note: str
    materials: str
    materials_note: str
    consult: str
    hotline: str
    stamp: str
    qr_url: str = ""   # what the QR encodes when it carries a source tag (…/g/<code>?src=hall-2f); else url

    @property
    def qr_data(self) -> str:
        return self.qr_url or self.url

    def text(self) -> str:
        """Every character the poster draws from content."""
        return "".join(getattr(self, f.name) for f in fields(self))

    def check_drawable(self) -> None:
        """Raise PosterError naming the first text with a character the bundled font cannot
        draw: the poster would silently drop it."""
        for f in fields(self):
            bad = undrawable_chars(getattr(self, f.name))
            if bad:
                chars = "、".join(char_label(c) for c in bad)
                raise PosterError(self.code, self.name,
                                  f"{FIELD_NAMES[f.name]}含有海报字体（Noto Sans SC）无法显示的字符 {chars}，"
                                  "印出来会缺字。请在内容中改用可显示的写法（如常用字或拼音注明）。")


def poster_data(release: Release, guide: Guide, hall_id: str = DEFAULT_HALL) -> PosterData:
    """The words of `guide`'s poster in hall `hall_id` of `release`: stated facts only
    (guides.keyfacts), the hall's name, hotline and URL (the default hall prints the stable
    <site URL>/g/<code>)."""
    limit, note = time_limit_short(guide)
    visits, visits_note = visits_short(guide)
    count = material_count(guide)
    if hall_id == DEFAULT_HALL:
        hall, hotline, url = release.site.hall_name, release.site.hotline, guide_url(release.site, guide.code)
        area = release.site.area_code
    else:
        site = release.content.halls[hall_id].site
        hall, hotline = site.name, site.hotline
        url = hall_guide_url(release.site, hall_id, guide.code, site.public_base_url)
        area = site.area_code or release.site.area_code
    return PosterData(
        code=guide.code, hall=hall, name=guide.name, url=url,
        time_limit=limit, time_note=note, fee=fee_short(guide), visits=visits, visits_note=visits_note,
        materials=count.label, materials_note=count.note or "需本人准备",
        consult=phone_display(guide.contacts.consult, area), hotline=phone_display(hotline, area),
        stamp=release.stamp,
    )
