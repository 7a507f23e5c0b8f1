"""The guide form: which fields, and the mapping between form fields and guide data.

Every input is named by the field path the checker uses ("materials.2.name"), so a
finding lands next to its field without a lookup table. No Flask: `from_form` takes
anything with `get(key)` and `getlist(key)` (a werkzeug MultiDict, or a dict of lists).
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from guides.model import Audience, Channel, ItemType, MaterialForm, Speed
from guides.release import CHINA_TZ


@dataclass(frozen=True)
class Col:
    key: str
    label: str
    kind: str = "text"   # text, textarea, int, select, bool, check
    choices: tuple[str, ...] = ()
    optional: bool = False
    width: str = ""      # css class: s, m, l


YES_NO = ("true", "false")

# Repeatable rows: key -> (label, columns); a column key "" means the row is a plain string.
ROWS: dict[str, tuple[str, tuple[Col, ...]]] = {
    "basis": ("设立依据", (Col("law", "法律法规名称", width="l"), Col("article", "条款", width="s"))),
    "conditions": ("申报条件", (Col("", "条件", kind="textarea", width="l"),)),
    "materials": ("申报材料", (
        Col("name", "材料名称", width="l"),
        Col("form", "形式", "select", tuple(m.value for m in MaterialForm)),
        Col("copies", "份数", "int", width="s"),
        Col("source", "来源渠道", width="m"),
        Col("required", "是否必需", "bool"),
        Col("shared", "免提交（数据共享）", "check", optional=True),
        Col("note", "备注", optional=True, width="l"),
    )),
    "flow": ("办理流程", (Col("step", "环节", width="s"), Col("who", "办理人", width="s"),
                          Col("time_limit", "时限", width="s"), Col("what", "办理内容", width="l"))),
    "locations": ("办理地点", (Col("address", "地址", width="l"), Col("window", "窗口", width="m"),
                               Col("hours", "办理时间", width="m"))),
    "mistakes": ("易错范例", (Col("mistake", "易错情形", "textarea", width="l"),
                              Col("correct", "正确做法", "textarea", width="l"))),
    "faq": ("常见问题", (Col("q", "问题", "textarea", width="l"), Col("a", "解答", "textarea", width="l"))),
    "forms": ("表格下载", (Col("name", "表格名称", width="m"), Col("url", "网址", width="l"),
                           Col("sample_url", "填写样本网址", optional=True, width="l"))),
    "aliases": ("搜索别名", (Col("", "别名", width="m"),)),
}
REQUIRED_ROWS = {"basis", "conditions", "materials", "flow", "locations", "mistakes"}

ITEM_TYPES = tuple(t.value for t in ItemType)
AUDIENCES = tuple(a.value for a in Audience)
SPEEDS = tuple(s.value for s in Speed)
CHANNELS = tuple(c.value for c in Channel)
_INT = re.compile(r"^-?[0-9]{1,6}$")  # ASCII digits only: int() also reads "٣"


def today() -> str:
    return dt.datetime.now(CHINA_TZ).date().isoformat()


def _text(form, key: str) -> str:
    v = form.get(key)
    return v.replace("\r\n", "\n").strip() if isinstance(v, str) else ""


def _int(text: str):
    # a non-number stays text so that the checker names the field ("应为整数")
    return int(text) if _INT.match(text) else text


def _row_indexes(form, key: str) -> list[int]:
    pat = re.compile(rf"^{re.escape(key)}\.([0-9]{{1,3}})(\.|$)")
    found = set()
    for k in form.keys():
        m = pat.match(k)
        if m and int(m.group(1)) < 200:
            found.add(int(m.group(1)))
    return sorted(found)


def _rows(form, key: str) -> list:
    _label, cols = ROWS[key]
    out = []
    for i in _row_indexes(form, key):
        if form.get(f"{key}.{i}._delete"):
            continue
        if cols[0].key == "":
            text = _text(form, f"{key}.{i}")
            if text:
                out.append(text)
            continue
        row: dict = {}
        for c in cols:
            name = f"{key}.{i}.{c.key}"
            text = _text(form, name)
            if c.kind == "check":
                if form.get(name):
                    row[c.key] = True
            elif c.kind == "bool":
                if text in YES_NO:
                    row[c.key] = text == "true"
            elif c.kind == "int":
                if text:
                    row[c.key] = _int(text)
            elif text:
                row[c.key] = text
        meaningful = {k: v for k, v in row.items() if not (k == "required")}
        if meaningful:
            out.append(row)
    return out


def from_form(form, code: str) -> dict:
    """Guide data (as YAML would load it) from the submitted form."""
    d: dict = {"code": code}
    for key in ("name", "category", "department", "item_type", "speed"):
        v = _text(form, key)
        if v:
            d[key] = v
    d["audience"] = [a for a in AUDIENCES if a in form.getlist("audience")]
    d["channels"] = [c for c in CHANNELS if c in form.getlist("channels")]
    for key in ("basis", "conditions", "materials"):
        d[key] = _rows(form, key)
    tl = {}
    for k in ("statutory_days", "promised_days"):
        t = _text(form, f"time_limit.{k}")
        if t:
            tl[k] = _int(t)
    if _text(form, "time_limit.note"):
        tl["note"] = _text(form, "time_limit.note")
    d["time_limit"] = tl
    fee: dict = {}
    charged = _text(form, "fee.charged")
    if charged in YES_NO:
        fee["charged"] = charged == "true"
        if fee["charged"]:
            for k in ("standard", "basis"):
                if _text(form, f"fee.{k}"):
                    fee[k] = _text(form, f"fee.{k}")
    d["fee"] = fee
    visits = _text(form, "visits")
    if visits:
        d["visits"] = _int(visits)
    if _text(form, "visits_reason"):
        d["visits_reason"] = _text(form, "visits_reason")
    for key in ("flow", "locations"):
        d[key] = _rows(form, key)
    d["contacts"] = {k: _text(form, f"contacts.{k}") for k in ("consult", "complaint") if _text(form, f"contacts.{k}")}
    d["mistakes"] = _rows(form, "mistakes")
    for key in ("faq",):
        rows = _rows(form, key)
        if rows:
            d[key] = rows
    if _text(form, "online_url"):
        d["online_url"] = _text(form, "online_url")
    for key in ("forms", "aliases"):
        rows = _rows(form, key)
        if rows:
            d[key] = rows
    d["updated"] = today()
    return d


def rows_for_display(data: dict, extra: str | None = None) -> dict[str, list]:
    """Rows of each repeatable element to draw: the data's rows, at least one (empty) row for
    required elements, and one more empty row for the element named by `extra` ("add a row")."""
    out = {}
    for key, (_label, cols) in ROWS.items():
        rows = list(data.get(key) or []) if isinstance(data.get(key), list) else []
        if not rows and key in REQUIRED_ROWS:
            rows.append("" if cols[0].key == "" else {})
        if extra == key:
            rows.append("" if cols[0].key == "" else {})
        out[key] = rows
    return out


def blank_guide(code: str = "", name: str = "", category: str = "") -> dict:
    # 是否收费 is a choice the editor must make: no default (an office that charges must not
    # be published as 不收费 because nobody changed a pre-set answer)
    return {"code": code, "name": name, "category": category, "audience": ["个人"], "channels": ["窗口办理"],
            "visits": 1, "time_limit": {}, "fee": {}, "updated": today()}
