"""同源: the 一次告知单, the poster, the phone page and the kiosk screen carry the same elements
of every sample guide, with the same values and counts.

Each surface is read back the way a person meets it: the receipt from the ESC/POS bytes the
printer gets (the project's decoder), the poster from the PDF (pdfium's text), the page from
the HTML the server sends, the kiosk from the widget tree of the guide screen. Each reader
finds an element only by its Chinese label on that surface, so an element a surface lacks
(the fee line the receipt once missed) shows up as a missing key, and a count that differs
(申报材料 3 项 on the poster, 4 on the page) as a different value.
"""
from __future__ import annotations

import html
import re
from pathlib import Path

import pypdfium2

from guides.fonts import FONT_PATH
from guides.keyfacts import fee_short
from guides.loader import load_content
from guides.model import Guide, Speed
from guides.release import ReleaseStore
from hardware.printer import escpos_decode as ed, get_profile, render
from kiosk.receipts import checklist_receipt
from tests.conftest import SAMPLE_CONTENT
from tests.kiosk.harness import KioskTestCase

# Elements every surface shows; the full surfaces (receipt, page, kiosk) show the rest too.
KEY = {"事项名称", "事项编码", "办理时限", "收费", "到现场次数", "申报材料", "咨询电话"}
FULL = KEY | {"易错范例", "办理地点", "投诉电话"}


def norm(text: str) -> str:
    """Text with every kind of space and line break removed (surfaces wrap differently)."""
    return re.sub(r"[\s\u00a0\u3000]+", "", text)


def canon_limit(text: str) -> str:
    text = norm(text)
    if "当场办结" in text or text.startswith("即办"):
        return "当场办结"
    return re.search(r"(\d+)个工作日", text).group(0)


def expected(g: Guide, full: bool) -> dict:
    out = {"事项名称": norm(g.name), "事项编码": g.code,
           "办理时限": "当场办结" if g.speed is Speed.immediate else f"{g.time_limit.promised_days}个工作日",
           "收费": norm(g.fee_label) if full else fee_short(g), "到现场次数": norm(g.visits_label),
           "申报材料": len(g.materials), "咨询电话": g.contacts.consult}
    if full:
        out.update({"易错范例": len(g.mistakes), "办理地点": len(g.locations), "投诉电话": g.contacts.complaint})
    return out


# -- the 一次告知单, from the printer's bytes ------------------------------------------------------
def receipt_elements(lines: list[str]) -> dict:
    out: dict = {}
    labelled: dict[str, list[str]] = {}
    current = None
    in_materials, materials, heading = False, 0, None
    for line in lines:
        if re.fullmatch(r"[-=]{8,}", line.strip()):
            current, in_materials = None, False
            continue
        if line.startswith("【需要准备的材料】"):
            in_materials = True
            continue
        m = re.match(r"^(事项|事项编码|办理时限|收费|到现场次数|地址|咨询电话|投诉电话)：(.*)$", line)
        if m:
            current = m.group(1)
            labelled.setdefault(current, []).append(m.group(2))
        elif current and line.startswith(" "):
            labelled[current][-1] += line
        else:
            current = None
        if in_materials:
            materials += bool(re.match(r"^\d+\. ", line))
            heading = heading or re.match(r"^共 (\d+) 项", line)
        out["易错范例"] = out.get("易错范例", 0) + line.startswith("× ")
    if materials:  # the count in the heading and the numbered list must agree
        said = int(heading.group(1)) if heading else None
        out["申报材料"] = materials if said == materials else f"标题 {said} 项，列出 {materials} 项"
    names = {"事项": "事项名称", "事项编码": "事项编码", "收费": "收费", "到现场次数": "到现场次数",
             "咨询电话": "咨询电话", "投诉电话": "投诉电话"}
    for label, key in names.items():
        if label in labelled:
            out[key] = norm(labelled[label][0])
    if "办理时限" in labelled:
        out["办理时限"] = canon_limit(labelled["办理时限"][0])
    if "地址" in labelled:
        out["办理地点"] = len(labelled["地址"])
    if not out.get("易错范例"):
        out.pop("易错范例", None)
    return out


# -- the poster, from the PDF -------------------------------------------------------------------
def poster_elements(path: Path) -> dict:
    tp = pypdfium2.PdfDocument(str(path))[0].get_textpage()
    text = norm(tp.get_text_range())
    out: dict = {}
    patterns = {"事项名称": r"办事指南(.+?)事项编码", "事项编码": r"事项编码([0-9A-Za-z-]+)",
                "办理时限": r"办理时限(\d+个工作日|当场办结)", "收费": r"收费(不收费|需缴费)",
                "到现场次数": r"到现场次数(零上门|最多跑一次|到现场\d+次)", "申报材料": r"申报材料(\d+)项",
                "咨询电话": r"咨询电话([0-9-]+(?:转\d+)?)"}
    for key, pattern in patterns.items():
        m = re.search(pattern, text)
        if m:
            out[key] = int(m.group(1)) if key == "申报材料" else m.group(1)
    return out


# -- the phone page, from the HTML ----------------------------------------------------------------
def strip(fragment: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", fragment))


def page_elements(body: str) -> dict:
    out: dict = {}
    m = re.search(r"<h1>(.*?)</h1>", body, re.S)
    if m:
        out["事项名称"] = norm(strip(m.group(1)))
    # a fact's value, without the note under it (<br><small>…)
    facts = {norm(strip(dt)): strip(dd.split("<br>")[0])
             for dt, dd in re.findall(r"<dt>(.*?)</dt><dd>(.*?)</dd>", body, re.S)}
    if "事项编码" in facts:
        out["事项编码"] = norm(facts["事项编码"])
    if "办理时限" in facts:
        out["办理时限"] = canon_limit(facts["办理时限"])
    if "收费" in facts:
        out["收费"] = norm(facts["收费"])
    if "到现场次数" in facts:
        out["到现场次数"] = norm(facts["到现场次数"])
    m = re.search(r'<h2 id="h-mat">申报材料（共 (\d+) 项.*?</h2>\s*(.*?)</section>', body, re.S)
    if m:
        listed = len(re.findall(r"<li>", re.search(r'<ul class="check">(.*?)</ul>', m.group(2), re.S).group(1)))
        said = int(m.group(1))
        out["申报材料"] = listed if said == listed else f"标题 {said} 项，列出 {listed} 项"
    m = re.search(r'<section class="mistakes".*?</section>', body, re.S)
    if m:
        out["易错范例"] = len(re.findall(r'<p class="bad">', m.group(0)))
    m = re.search(r'<h2 id="h-loc">.*?</section>', body, re.S)
    if m:
        out["办理地点"] = len(re.findall(r"<li>", m.group(0)))
    for label, key in (("咨询电话", "咨询电话"), ("投诉电话", "投诉电话")):
        m = re.search(rf'<a class="tel" href="tel:[^"]*">{label} ([^<]+)</a>', body)
        if m:
            out[key] = m.group(1).strip()
    return out


# -- the kiosk screen, from the widget tree -----------------------------------------------------
def kiosk_elements(screen) -> dict:
    children = list(reversed(screen.ids.sections.children))
    sections = {children[i].text: children[i + 1].text.replace("\u00a0", " ") for i in range(0, len(children), 2)}
    out: dict = {"事项名称": norm(screen.title)}
    m = re.search(r"事项编码\s*([0-9A-Za-z-]+)", screen.header.replace("\u00a0", " "))
    if m:
        out["事项编码"] = m.group(1)
    if "办理时限" in sections:
        out["办理时限"] = canon_limit(sections["办理时限"])
    if "收费" in sections:
        out["收费"] = norm(sections["收费"])
    if "到现场次数" in sections:
        out["到现场次数"] = norm(sections["到现场次数"].split("\n")[0])
    if "申报材料" in sections:
        out["申报材料"] = len(re.findall(r"(?m)^\d+\. ", sections["申报材料"]))
    if "易错范例" in sections:
        out["易错范例"] = sections["易错范例"].count("易错：")
    if "地点和时间" in sections:
        out["办理地点"] = len([line for line in sections["地点和时间"].split("\n") if line and not line[0].isspace()])
    if "电话" in sections:
        for label in ("咨询电话", "投诉电话"):
            m = re.search(rf"{label}：(\S+)", sections["电话"])
            if m:
                out[label] = m.group(1)
    return out


class SameSourceTest(KioskTestCase):
    def test_every_surface_carries_the_same_elements_of_every_sample_guide(self):
        from guide_server import create_app
        from guide_server.posters.pdf import poster_data, write_posters

        store = ReleaseStore(self.tmp / "server")
        store.publish(load_content(SAMPLE_CONTENT))
        rel = store.current()
        client = create_app({"TESTING": True, "INSTANCE_DIR": str(self.tmp / "server"),
                             "DATABASE_URL": f"sqlite:///{self.tmp / 'db.sqlite3'}"}).test_client()
        posters = dict(zip(rel.guides, write_posters([poster_data(rel, g) for g in rel.guides.values()],
                                                     self.tmp / "posters", jobs=2)))
        profile = get_profile("80mm")
        app = self.start_app(SAMPLE_CONTENT)
        differences = {}
        for code, g in rel.guides.items():
            lines = ed.text_lines(render(checklist_receipt(g, rel.site, rel.stamp), profile, FONT_PATH),
                                  profile.charset)
            app.open_guide(code)
            screen = self.screen()
            self.pump(until=lambda: len(screen.ids.sections.children) == 2 * 11 - 2 * (not g.faq), frames=1)
            surfaces = {
                "一次告知单": (receipt_elements(lines), True),
                "海报": (poster_elements(posters[code]), False),
                "手机页面": (page_elements(client.get(f"/g/{code}").get_data(as_text=True)), True),
                "自助终端": (kiosk_elements(screen), True),
            }
            for surface, (got, full) in surfaces.items():
                want = expected(g, full)
                assert set(want) == (FULL if full else KEY)
                if got != want:
                    differences[(code, surface)] = {k: (got.get(k, "（缺）"), want.get(k, "（多）"))
                                                    for k in set(got) | set(want) if got.get(k) != want.get(k)}
        assert differences == {}
        assert len(rel.guides) >= 30
