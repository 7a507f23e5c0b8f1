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
from guides.keyfacts import fee_short, material_count, time_limit_short, visits_short
from guides.wording import visits_text
from guides.loader import load_content
from guides.model import Guide
from guides.release import ReleaseStore
from hardware.printer import escpos_decode as ed, get_profile, render
from kiosk.app.controllers.guide_view import guide_sections
from kiosk.receipts import checklist_receipt
from tests.conftest import SAMPLE_CONTENT
from tests.kiosk.harness import KioskTestCase

# Elements every surface shows; the full surfaces (receipt, page, kiosk) show the rest too.
KEY = {"事项名称", "事项编码", "办理时限", "收费", "到现场次数", "申请材料", "咨询电话"}
FULL = KEY | {"易错范例", "办理地点", "投诉电话"}


def norm(text: str) -> str:
    """Text with every kind of space and line break removed (surfaces wrap differently)."""
    return re.sub(r"[\s\u00a0\u3000]+", "", text)


def canon_limit(text: str) -> str:
    """The 办理时限 a surface states, as the poster box words it (guides.keyfacts)."""
    text = norm(text)
    promises = list(dict.fromkeys(re.findall(r"承诺(即时办结|\d+个(?:工作日|自然日)|\d+小时)", text)))
    if len(promises) > 1:
        return "视情形而定"
    if promises:
        return "当场办结" if promises[0] == "即时办结" else promises[0]
    if "当场办结" in text or text.startswith("即办"):
        return "当场办结"
    statutes = list(dict.fromkeys(re.findall(r"法定(\d+个(?:工作日|自然日))", text)))
    return statutes[0] if len(statutes) == 1 else "视情形而定" if statutes else text


def canon_fee(text: str) -> str:
    """The fee a surface states: 不收费, or every amount with its unit, in order of first mention."""
    if norm(text).startswith("不收费"):
        return "不收费"
    found = set()
    for line in text.split("\n"):  # a surface's lines (its fee lines and notes) one by one
        found.update(re.findall(r"\d+(?:\.\d+)?元/[^；〔（(、，]+?(?=[；〔（(、，]|$)", norm(line)))
    return "、".join(sorted(found))


def expected(g: Guide, full: bool) -> dict:
    fee = ("不收费" if not g.fee.charged else
           "、".join(sorted({f"{i.amount:g}元/{(i.unit or '元').removeprefix('元/')}" for i in g.fee.items or ()
                             if i.amount is not None})))
    out = {"事项名称": norm(g.name), "事项编码": g.code, "办理时限": time_limit_short(g)[0],
           "收费": fee if full else fee_short(g),
           "到现场次数": norm(visits_text(g)) if full else norm(visits_short(g)[0]),
           "申请材料": material_count(g).label, "咨询电话": g.contacts.consult}
    if full:
        out.update({"易错范例": len(g.mistakes), "办理地点": len(g.locations), "投诉电话": g.contacts.complaint})
    return out


# -- the 一次告知单, from the printer's bytes ------------------------------------------------------
def receipt_elements(lines: list[str]) -> dict:
    out: dict = {}
    labelled: dict[str, list[str]] = {}
    current = None
    in_materials, materials, heading, certain, in_case = False, 0, None, 0, False
    for line in lines:
        if re.fullmatch(r"[-=]{8,}", line.strip()):
            current, in_materials = None, False
            continue
        if line.startswith("【需要准备的材料】"):
            in_materials = True
            continue
        m = re.match(r"^(事项|事项编码|办理时限|收费|到现场次数|地址|咨询电话|投诉电话)(?:（[^）]*）)?：(.*)$", line)
        if m:
            current = m.group(1)
            labelled.setdefault(current, []).append(m.group(2))
        elif current and line.startswith(" "):
            labelled[current][-1] += "\n" + line
        else:
            current = None
        if in_materials:
            materials += bool(re.match(r"^\d+\. ", line))
            certain += bool(re.match(r"^\d+\. ", line)) and not in_case
            in_case = in_case or line.startswith("〔情形")
            heading = heading or re.match(r"^(?:按情形)?共 (\d+)(?:-(\d+))? 项", line)
        out["易错范例"] = out.get("易错范例", 0) + line.startswith("× ")
    if materials:  # the count in the heading and the numbered list must agree
        out["申请材料"] = material_label(heading, certain, materials)
    names = {"事项": "事项名称", "事项编码": "事项编码", "收费": "收费", "到现场次数": "到现场次数",
             "咨询电话": "咨询电话", "投诉电话": "投诉电话"}
    for label, key in names.items():
        if label in labelled:
            out[key] = norm(labelled[label][0])
    if "收费" in labelled:
        out["收费"] = canon_fee(labelled["收费"][0])
    if "办理时限" in labelled:
        out["办理时限"] = canon_limit("；".join(labelled["办理时限"]))
    if "地址" in labelled:
        out["办理地点"] = len(labelled["地址"])
    if not out.get("易错范例"):
        out.pop("易错范例", None)
    return out


# -- the poster, from the PDF -------------------------------------------------------------------
def material_label(heading, certain: int, listed: int) -> str:
    """The material count a surface states, checked against what it lists: "4 项", "4-5 项"
    (the materials every path needs, up to all of them), or the disagreement."""
    if heading is None:
        return f"没有数目，列出 {listed} 项"
    low, high = int(heading.group(1)), int(heading.group(2) or heading.group(1))
    if (low, high) != (certain, listed):
        return f"标题 {low}-{high} 项，列出 {certain}-{listed} 项"
    return f"{low} 项" if low == high else f"{low}-{high} 项"


def poster_elements(path: Path) -> dict:
    tp = pypdfium2.PdfDocument(str(path))[0].get_textpage()
    text = norm(tp.get_text_range())
    out: dict = {}
    patterns = {"事项名称": r"办事指南(.+?)事项编码", "事项编码": r"事项编码([0-9A-Za-z-]+)",
                "办理时限": r"办理时限(\d+个(?:工作日|自然日)|当场办结|视情形而定|未载明)", "收费": r"收费(不收费|需缴费)",
                "到现场次数": r"到现场次数(零上门|最多跑一次|\d+次|未载明)", "申请材料": r"申请材料(\d+(?:-\d+)?)项",
                "咨询电话": r"咨询电话([0-9-]+(?:转\d+)?)"}
    for key, pattern in patterns.items():
        m = re.search(pattern, text)
        if m:
            out[key] = f"{m.group(1)} 项" if key == "申请材料" else m.group(1)
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
        out["收费"] = canon_fee(facts["收费"])
    if "到现场次数" in facts:
        out["到现场次数"] = norm(facts["到现场次数"])
    m = re.search(r'<h2 id="h-mat">申请材料（((?:按情形)?共 (\d+)(?:-(\d+))? 项).*?</h2>\s*(.*?)</section>', body, re.S)
    if m:
        lists = re.findall(r'(<p class="case">[^<]*</p>)?\s*<ul class="check">(.*?)</ul>', m.group(4), re.S)
        certain = sum(len(re.findall(r"<li>", items)) for case, items in lists if not case)
        listed = sum(len(re.findall(r"<li>", items)) for _, items in lists)
        out["申请材料"] = material_label(re.match(r"(?:按情形)?共 (\d+)(?:-(\d+))? 项", m.group(1)), certain, listed)
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
        out["收费"] = canon_fee(sections["收费"])
    if "到现场次数" in sections:
        out["到现场次数"] = norm(sections["到现场次数"].split("\n")[0])
    if "申请材料" in sections:
        text = sections["申请材料"]
        listed = len(re.findall(r"(?m)^\d+\. ", text))
        certain = len(re.findall(r"(?m)^\d+\. ", text.split("〔情形")[0]))
        out["申请材料"] = f"{listed} 项" if certain == listed else f"{certain}-{listed} 项"
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
            app.show_guide(code)   # the whole guide, grouped by case
            screen = self.screen()
            n = 2 * len(guide_sections(g, rel.site))
            self.pump(until=lambda: len(screen.ids.sections.children) == n, frames=1)
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
