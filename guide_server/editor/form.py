"""The guide form: which fields, and the mapping between form fields and guide data.

Every input is named by the field path the checker uses ("materials.2.name"), so a
finding lands next to its field without a lookup table. No Flask: `from_form` takes
anything with `get(key)` and `getlist(key)` (a werkzeug MultiDict, or a dict of lists).
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

import yaml

from guides.model import Audience, Channel, ItemType, MaterialForm, Necessity, Speed
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
# A key with a dot ("fee.items") is a list inside a mapping. Kind "when" is a row's 适用情形
# (question=option entries, separated by spaces), as the checker names it ("materials.2.when").
_WHEN = Col("when", "适用情形（如 why=lost）", "when", optional=True, width="m")
ROWS: dict[str, tuple[str, tuple[Col, ...]]] = {
    "basis": ("设定依据", (Col("law", "法律法规名称", width="l"), Col("article", "条款", optional=True, width="s"),
                          Col("doc_no", "文号", optional=True, width="s"))),
    "conditions": ("受理条件", (Col("", "条件", kind="textarea", width="l"),)),
    "materials": ("申请材料", (
        Col("name", "材料名称", width="l"),
        Col("form", "形式", "select", tuple(m.value for m in MaterialForm), optional=True),
        Col("copies", "份数", "int", optional=True, width="s"),
        Col("source", "来源渠道", optional=True, width="m"),
        Col("necessity", "必要性（不选即必要）", "select", tuple(n.value for n in Necessity), optional=True),
        Col("note", "备注", optional=True, width="l"),
        Col("blank_form", "空白表格文件", optional=True, width="m"),
        Col("sample", "示例样表文件", optional=True, width="m"),
        _WHEN,
    )),
    "fee.items": ("收费项目", (Col("name", "收费项目", width="m"), Col("amount", "金额（元）", "number", optional=True, width="s"),
                               Col("unit", "单位（如 元/证）", optional=True, width="s"),
                               Col("text", "收费标准说明", optional=True, width="l"), _WHEN)),
    "flow": ("办理流程", (Col("step", "环节", width="s"), Col("who", "办理人", optional=True, width="s"),
                          Col("time", "时限", optional=True, width="s"), Col("what", "办理内容", optional=True, width="l"),
                          _WHEN)),
    "locations": ("办理地点", (Col("address", "地址", width="l"), Col("window", "窗口", optional=True, width="m"),
                               Col("hours", "办理时间", optional=True, width="m"), _WHEN)),
    "mistakes": ("易错范例", (Col("mistake", "易错情形", "textarea", width="l"),
                              Col("correct", "正确做法", "textarea", width="l"), _WHEN)),
    "faq": ("常见问题", (Col("q", "问题", "textarea", width="l"), Col("a", "解答", "textarea", width="l"))),
    "forms": ("表格下载", (Col("name", "表格名称", width="m"), Col("file", "文件（content/forms/ 下）", optional=True, width="m"),
                           Col("url", "网址", optional=True, width="l"), Col("sample", "示例样表文件", optional=True, width="m"))),
    "aliases": ("搜索别名", (Col("", "别名", width="m"),)),
}
REQUIRED_ROWS = {"basis", "conditions", "materials", "locations", "mistakes"}

# Top-level keys the form has fields for; every other key of a guide (questions, result, codes,
# co-departments, ...) is edited as YAML in the 情形引导与其他要素 box, and so is an element
# whose shape the rows cannot hold (conditions with when, material groups, time-limit or speed
# variants). Nothing a guide holds is lost by saving it through the form.
FORM_KEYS = {"code", "name", "category", "department", "item_type", "speed", "audience", "channels", "basis",
             "conditions", "materials", "time_limit", "fee", "visits", "visits_reason", "flow", "locations",
             "contacts", "mistakes", "faq", "online_url", "forms", "aliases", "updated"}
_LIMIT = re.compile(r"^(\d{1,4})\s*(?:个)?\s*(工作日|自然日|小时)$")


class FormError(ValueError):
    """The form cannot be read (the YAML box does not parse); ``data`` is what could be read,
    to show the form again with the message."""

    def __init__(self, message: str, data: dict):
        super().__init__(message)
        self.data = data


def extra_keys(data: dict) -> set[str]:
    """Keys of `data` edited in the YAML box rather than by form fields."""
    out = {k for k in data if k not in FORM_KEYS and not k.startswith("_")}
    if any(isinstance(c, dict) for c in data.get("conditions") or []):
        out.add("conditions")
    if any(isinstance(m, dict) and "one_of" in m for m in data.get("materials") or []):
        out.add("materials")
    for key in ("time_limit", "speed"):
        if isinstance(data.get(key), list):
            out.add(key)
    tl = data.get("time_limit")
    if isinstance(tl, dict) and (set(tl) - {"statutory", "promised", "note"}):
        out.add("time_limit")
    return out


def extra_yaml(data: dict) -> str:
    """The YAML box's text for `data` ("" when the form fields hold everything)."""
    keys = [k for k in data if k in extra_keys(data)]
    if not keys:
        return ""
    return yaml.safe_dump({k: data[k] for k in keys}, allow_unicode=True, sort_keys=False, width=1000,
                          default_flow_style=None)


def _limit_in(text: str):
    m = _LIMIT.match(text)
    if m:
        return {"value": int(m.group(1)), "unit": m.group(2)}
    return text  # 即时, 无, or something the checker names as wrong


def limit_text(value) -> str:
    """A time limit as the form shows it: "60 自然日", "即时", "无"."""
    if isinstance(value, dict):
        return f"{value.get('value', '')} {value.get('unit', '')}".strip()
    return "" if value is None else str(value)


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


def _number(text: str):
    try:
        value = float(text)
    except ValueError:
        return text  # the checker names the field ("应为数字")
    return int(value) if value.is_integer() else value


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
            elif c.kind == "number":
                if text:
                    row[c.key] = _number(text)
            elif c.kind == "when":
                terms = [t for t in re.split(r"[\s,，;；、]+", text) if t]
                if terms:
                    row[c.key] = terms
            elif text:
                row[c.key] = text
        if row:
            out.append(row)
    return out


def from_form(form, code: str) -> dict:
    """Guide data (as YAML would load it) from the submitted form; raises `FormError` when
    the YAML box does not parse."""
    d: dict = {"code": code}
    for key in ("name", "category", "department", "item_type", "speed"):
        v = _text(form, key)
        if v:
            d[key] = v
    d["audience"] = [a for a in AUDIENCES if a in form.getlist("audience")]
    d["channels"] = [c for c in CHANNELS if c in form.getlist("channels")]
    for key in ("basis", "conditions", "materials"):
        d[key] = _rows(form, key)
    tl: dict = {}
    for k in ("statutory", "promised"):
        t = _text(form, f"time_limit.{k}")
        if t:
            tl[k] = _limit_in(t)
    if _text(form, "time_limit.note"):
        tl["note"] = _text(form, "time_limit.note")
    d["time_limit"] = tl
    fee: dict = {}
    charged = _text(form, "fee.charged")
    if charged in YES_NO:
        fee["charged"] = charged == "true"
        if fee["charged"]:
            items = _rows(form, "fee.items")
            if items:
                fee["items"] = items
            for k in ("waiver", "basis"):
                if _text(form, f"fee.{k}"):
                    fee[k] = _text(form, f"fee.{k}")
    d["fee"] = fee
    visits = _text(form, "visits")
    if visits:
        d["visits"] = _int(visits)
    if _text(form, "visits_reason"):
        d["visits_reason"] = _text(form, "visits_reason")
    flow = _rows(form, "flow")
    if flow:
        d["flow"] = flow
    d["locations"] = _rows(form, "locations")
    d["contacts"] = {k: _text(form, f"contacts.{k}") for k in ("consult", "complaint", "consult_note", "complaint_note")
                     if _text(form, f"contacts.{k}")}
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
    text = _text(form, "_extra")
    if text:
        try:
            extra = yaml.safe_load(text)
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            where = f"第 {mark.line + 1} 行" if mark else ""
            raise FormError(f"“情形引导与其他要素”一栏的 YAML 格式有误{where}，请检查缩进和冒号后再保存。",
                            {**d, "_extra_text": text}) from None
        if not isinstance(extra, dict):
            raise FormError("“情形引导与其他要素”一栏应为“键: 值”的形式，如 questions: …。", {**d, "_extra_text": text})
        d.update({str(k): v for k, v in extra.items()})
    return d


def _get_rows(data: dict, key: str):
    if "." in key:
        outer, inner = key.split(".", 1)
        holder = data.get(outer)
        return holder.get(inner) if isinstance(holder, dict) else None
    return data.get(key)


def rows_for_display(data: dict, extra: str | None = None) -> dict[str, list]:
    """Rows of each repeatable element to draw: the data's rows, at least one (empty) row for
    required elements, and one more empty row for the element named by `extra` ("add a row")."""
    out = {}
    for key, (_label, cols) in ROWS.items():
        value = _get_rows(data, key)
        rows = list(value) if isinstance(value, list) else []
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
            "time_limit": {}, "fee": {}, "updated": today()}
