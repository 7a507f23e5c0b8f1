"""The guide form: which fields, and the mapping between form fields and guide data.

Every input is named by the field path the checker uses ("materials.2.name",
"questions.0.options.1.id", "time_limit.1.promised"), so a finding lands next to its field
(`guide_server.editor.placing`). No Flask: `from_form` takes anything with `get(key)`,
`getlist(key)` and `keys()` (a werkzeug MultiDict, or a dict of lists).

v2 elements (CONTENT-STANDARD.md) are fields, not YAML:
- 情形引导 ``questions``: rows of {id, ask, when} each with option rows {id, label}; a
  hidden ``_was`` remembers the id a question or option had when the form was drawn, so that
  renaming an id renames it in every ``when`` of the guide too;
- ``when`` on a condition, material, group, group member, time-limit variant, fee item,
  step, place, mistake or question: checkboxes of the guide's own question=option pairs
  (several options of one question are joined as ``q=a|b``);
- material groups ``{one_of, choose, note, when, items: [material, ...]}``;
- time-limit variants ``{label, statutory, promised, note, when}`` with a number and a unit
  select (工作日 / 自然日 / 小时, or the words 即时 / 无); one variant without label and when
  is written back as one mapping, as the standard's simple form;
- 办件类型 as one select, or variants {speed, label, when} the same way;
- fee items with amount and ``when``; attachments (blank_form / sample / forms[].file) as a
  file name with an upload beside it (``<field>._upload``; stored by
  `guide_server.editor.attachments`, the view passes the stored names in).
Elements the fields do not cover (基本编码, 办理结果, co-departments, ...) and any element
whose shape the fields cannot hold stay in the advanced YAML box, so nothing a guide holds
is lost by saving it. An empty field stays absent: nothing is filled in by default.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

import yaml

from guides.model import SLUG_PATTERN, Audience, Channel, ItemType, LimitUnit, LimitWord, MaterialForm, Necessity, Speed
from guides.release import CHINA_TZ
from guides.yamlsource import YamlSyntaxError, safe_load_plain


@dataclass(frozen=True)
class Col:
    key: str
    label: str
    kind: str = "text"   # text, textarea, int, number, select, bool, check, when, attachment
    choices: tuple[str, ...] = ()
    optional: bool = False
    width: str = ""      # css class: s, m, l


YES_NO = ("true", "false")
_WHEN = Col("when", "适用情形", "when", optional=True)
MATERIAL_COLS: tuple[Col, ...] = (
    Col("name", "材料名称", width="l"),
    Col("form", "形式", "select", tuple(m.value for m in MaterialForm), optional=True),
    Col("copies", "份数", "int", optional=True, width="s"),
    Col("source", "来源渠道", optional=True, width="m"),
    Col("necessity", "必要性（不选即必要）", "select", tuple(n.value for n in Necessity), optional=True),
    Col("note", "备注", optional=True, width="l"),
    Col("blank_form", "空白表格", "attachment", optional=True, width="m"),
    Col("sample", "示例样表", "attachment", optional=True, width="m"),
    _WHEN,
)
GROUP_COLS: tuple[Col, ...] = (
    Col("one_of", "材料组名称（如 身份证明）", width="l"),
    Col("choose", "任选几种（不填即 1）", "int", optional=True, width="s"),
    Col("note", "备注", optional=True, width="l"),
    _WHEN,
)
QUESTION_COLS: tuple[Col, ...] = (
    Col("id", "问题标识（小写字母开头，如 why）", width="s"),
    Col("ask", "问题（如 您要办理哪一种？）", width="l"),
    _WHEN,
)
OPTION_COLS: tuple[Col, ...] = (
    Col("id", "选项标识（如 lost）", width="s"),
    Col("label", "选项文字（如 证件遗失（补领））", width="l"),
)
LIMIT_UNITS = tuple(u.value for u in LimitUnit) + tuple(w.value for w in LimitWord)
_WORDS = {w.value for w in LimitWord}
_AMOUNT_UNITS = {u.value for u in LimitUnit}
VARIANT_COLS: tuple[Col, ...] = (
    Col("label", "名称（可选，如 绿色通道）", optional=True, width="m"),
    Col("statutory", "法定时限", "limit", optional=True),
    Col("promised", "承诺时限", "limit", optional=True),
    Col("note", "时限说明（可选）", optional=True, width="l"),
    _WHEN,
)
SPEED_COLS: tuple[Col, ...] = (
    Col("speed", "办件类型", "select", tuple(s.value for s in Speed)),
    Col("label", "名称（可选）", optional=True, width="m"),
    _WHEN,
)

# Repeatable rows: key -> (label, columns); a column key "" means the row is a plain string.
# A key with a dot ("fee.items") is a list inside a mapping.
ROWS: dict[str, tuple[str, tuple[Col, ...]]] = {
    "basis": ("设定依据", (Col("law", "法律法规名称", width="l"), Col("article", "条款", optional=True, width="s"),
                          Col("doc_no", "文号", optional=True, width="s"))),
    "conditions": ("受理条件", (Col("text", "条件", kind="textarea", width="l"), _WHEN)),
    "materials": ("申请材料", MATERIAL_COLS),
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
    "forms": ("表格下载", (Col("name", "表格名称", width="m"), Col("file", "表格文件", "attachment", optional=True, width="m"),
                           Col("url", "网址", optional=True, width="l"),
                           Col("sample", "示例样表", "attachment", optional=True, width="m"))),
    "aliases": ("搜索别名", (Col("", "别名", width="m"),)),
}
REQUIRED_ROWS = {"basis", "conditions", "materials", "locations", "mistakes"}

# Top-level keys the form has fields for; every other key of a guide (基本编码, 办理结果,
# co-departments, ...) is edited as YAML in the advanced box, and so is an element whose
# shape the fields cannot hold (see `extra_keys`).
FORM_KEYS = {"code", "name", "category", "department", "item_type", "speed", "audience", "channels", "basis",
             "questions", "conditions", "materials", "time_limit", "fee", "visits", "visits_reason", "flow",
             "locations", "contacts", "mistakes", "faq", "online_url", "forms", "aliases", "updated"}
UPLOAD = "._upload"  # suffix of a file input beside an attachment field


class FormError(ValueError):
    """The form cannot be taken as it is: the YAML box does not parse, or the 情形 fields
    contradict themselves (see `structure_errors`). ``data`` is what could be read, to show
    the form again; ``fields`` maps a field key to its Chinese messages."""

    def __init__(self, message: str, data: dict, fields: dict[str, list[str]] | None = None):
        super().__init__(message)
        self.data = data
        self.fields = fields or {}


# ---------------------------------------------------------------------------- which keys are fields
def _is_when(v: Any) -> bool:
    return v is None or (isinstance(v, list) and all(isinstance(t, str) for t in v))


def _scalar(v: Any) -> bool:
    return isinstance(v, (str, int, float)) and not isinstance(v, bool)


def _fits(row: Any, cols: tuple[Col, ...]) -> bool:
    """True when the form's columns can hold `row` exactly."""
    if cols[0].key == "":
        return isinstance(row, str)
    if not isinstance(row, dict):
        return False
    by_key = {c.key: c for c in cols}
    for k, v in row.items():
        c = by_key.get(k)
        if c is None:
            return False
        if c.kind == "when":
            if not _is_when(v):
                return False
        elif c.kind in ("int",):
            if not (isinstance(v, int) and not isinstance(v, bool)):
                return False
        elif c.kind == "number":
            if not (isinstance(v, (int, float)) and not isinstance(v, bool)):
                return False
        elif c.kind in ("bool", "check"):
            if not isinstance(v, bool):
                return False
        elif c.kind == "limit":
            if not _limit_fits(v):
                return False
        elif not isinstance(v, str):
            return False
    return True


def _limit_fits(v: Any) -> bool:
    if isinstance(v, str):
        return v in _WORDS
    return (isinstance(v, dict) and set(v) == {"value", "unit"} and isinstance(v["value"], int)
            and not isinstance(v["value"], bool) and v["unit"] in _AMOUNT_UNITS)


def _material_fits(entry: Any) -> bool:
    if isinstance(entry, dict) and "one_of" in entry:
        items = entry.get("items")
        head = {k: v for k, v in entry.items() if k != "items"}
        return (isinstance(items, list) and _fits(head, GROUP_COLS)
                and all(_fits(m, MATERIAL_COLS) for m in items))
    return _fits(entry, MATERIAL_COLS)


def _question_fits(q: Any) -> bool:
    if not isinstance(q, dict) or not isinstance(q.get("options"), list):
        return False
    head = {k: v for k, v in q.items() if k != "options"}
    return _fits(head, QUESTION_COLS) and all(_fits(o, OPTION_COLS) for o in q["options"])


def extra_keys(data: dict) -> set[str]:
    """Keys of `data` edited in the YAML box rather than by form fields: keys without fields,
    and elements whose shape the fields cannot hold exactly (so saving loses nothing)."""
    out = {k for k in data if k not in FORM_KEYS and not k.startswith("_")}
    for key, (_label, cols) in ROWS.items():
        rows = _get_rows(data, key)
        if rows is None:
            continue
        if key == "materials":
            ok = isinstance(rows, list) and all(_material_fits(m) for m in rows)
        elif key == "conditions":
            ok = isinstance(rows, list) and all(isinstance(c, str) or _fits(c, cols) for c in rows)
        else:
            ok = isinstance(rows, list) and all(_fits(r, cols) for r in rows)
        if not ok:
            out.add(key.split(".")[0])
    qs = data.get("questions")
    if qs is not None and not (isinstance(qs, list) and all(_question_fits(q) for q in qs)):
        out.add("questions")
    tl = data.get("time_limit")
    if tl is not None and not (_fits(tl, VARIANT_COLS) if isinstance(tl, dict)
                               else isinstance(tl, list) and bool(tl) and all(_fits(v, VARIANT_COLS) for v in tl)):
        out.add("time_limit")
    speed = data.get("speed")
    if speed is not None and not (isinstance(speed, str) or isinstance(speed, list) and bool(speed)
                                  and all(_fits(v, SPEED_COLS) for v in speed)):
        out.add("speed")
    fee = data.get("fee")
    if fee is not None and not (isinstance(fee, dict) and set(fee) <= {"charged", "items", "waiver", "basis"}
                                and isinstance(fee.get("charged", True), bool)
                                and (fee.get("charged") is True or not fee.get("items"))
                                and all(isinstance(fee.get(k, ""), str) for k in ("waiver", "basis"))):
        out.add("fee")
    contacts = data.get("contacts")
    if contacts is not None and not (isinstance(contacts, dict) and all(
            k in ("consult", "complaint", "consult_note", "complaint_note") and isinstance(v, str)
            for k, v in contacts.items())):
        out.add("contacts")
    for key in ("audience", "channels"):
        if key in data and not isinstance(data[key], list):
            out.add(key)
    for key in ("name", "category", "department", "item_type", "visits_reason", "online_url"):
        if key in data and not isinstance(data[key], str):
            out.add(key)
    if "visits" in data and not (isinstance(data["visits"], int) and not isinstance(data["visits"], bool)):
        out.add("visits")
    return out


def extra_yaml(data: dict) -> str:
    """The YAML box's text for `data` ("" when the form fields hold everything)."""
    keys = [k for k in data if k in extra_keys(data)]
    if not keys:
        return ""
    return yaml.safe_dump({k: data[k] for k in keys}, allow_unicode=True, sort_keys=False, width=1000,
                          default_flow_style=None)


ITEM_TYPES = tuple(t.value for t in ItemType)
AUDIENCES = tuple(a.value for a in Audience)
SPEEDS = tuple(s.value for s in Speed)
CHANNELS = tuple(c.value for c in Channel)
_INT = re.compile(r"^-?[0-9]{1,6}$")  # ASCII digits only: int() also reads "٣"
_SLUG = re.compile(SLUG_PATTERN)


def today() -> str:
    return dt.datetime.now(CHINA_TZ).date().isoformat()


# ------------------------------------------------------------------------------------ reading
def _text(form, key: str) -> str:
    v = form.get(key)
    return v.replace("\r\n", "\n").strip() if isinstance(v, str) else ""


def _int(text: str):
    # a non-number stays text so that the checker names the field ("应为整数")
    return int(text) if _INT.match(text) else text


def _number(text: str):
    try:
        value = float(text)
    except ValueError:
        return text  # the checker names the field ("应为数字")
    if value != value or value in (float("inf"), float("-inf")):
        return text
    return int(value) if value.is_integer() else value


def _row_indexes(form, key: str) -> list[int]:
    pat = re.compile(rf"^{re.escape(key)}\.([0-9]{{1,3}})(\.|$)")
    found = set()
    for k in form.keys():
        m = pat.match(k)
        if m and int(m.group(1)) < 200:
            found.add(int(m.group(1)))
    return sorted(found)


def when_of(values: list[str]) -> list[str]:
    """Checkbox values ("why=lost", "age=a", "age=b") as ``when`` entries, one per question in
    first-seen order, several options joined by "|": ["why=lost", "age=a|b"]."""
    merged: dict[str, list[str]] = {}
    for v in values:
        for term in re.split(r"[\s,，;；、]+", v.strip()):
            q, sep, opts = term.partition("=")
            if not sep or not q:
                if term:
                    merged.setdefault(term, [])
                continue
            bucket = merged.setdefault(q.strip(), [])
            for o in opts.split("|"):
                if o.strip() and o.strip() not in bucket:
                    bucket.append(o.strip())
    return [f"{q}={'|'.join(opts)}" if opts else q for q, opts in merged.items()]


def _limit(form, name: str):
    value, unit = _text(form, f"{name}.value"), _text(form, f"{name}.unit")
    if unit in _WORDS:
        return unit
    if not value and not unit:
        return None
    out: dict[str, Any] = {}
    if value:
        out["value"] = _int(value)
    if unit:
        out["unit"] = unit
    return out


def _row(form, prefix: str, cols: tuple[Col, ...], uploads: dict[str, str]) -> dict:
    row: dict = {}
    for c in cols:
        name = f"{prefix}.{c.key}"
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
            terms = when_of(form.getlist(name))
            if terms:
                row[c.key] = terms
        elif c.kind == "limit":
            limit = _limit(form, name)
            if limit is not None:
                row[c.key] = limit
        elif c.kind == "attachment":
            stored = uploads.get(name)
            if stored:
                row[c.key] = stored
            elif text:
                row[c.key] = text
        elif text:
            row[c.key] = text
    return row


def _rows(form, key: str, cols: tuple[Col, ...] | None = None, uploads: dict[str, str] | None = None) -> list:
    cols = cols or ROWS[key][1]
    uploads = uploads or {}
    out = []
    for i in _row_indexes(form, key):
        if form.get(f"{key}.{i}._delete"):
            continue
        if cols[0].key == "":
            text = _text(form, f"{key}.{i}")
            if text:
                out.append(text)
            continue
        row = _row(form, f"{key}.{i}", cols, uploads)
        if row:
            out.append(row)
    return out


def _materials(form, uploads: dict[str, str]) -> list:
    out = []
    for i in _row_indexes(form, "materials"):
        prefix = f"materials.{i}"
        if form.get(f"{prefix}._delete"):
            continue
        if form.get(f"{prefix}._group"):
            head = _row(form, prefix, GROUP_COLS, uploads)
            items = _rows(form, f"{prefix}.items", MATERIAL_COLS, uploads)
            if head or items:
                # a group keeps its one_of key even when left empty (the checker then asks for
                # the group's name beside the field), so it stays a group with its members
                group = {"one_of": head.pop("one_of", "")}
                group.update(head)
                group["items"] = items
                out.append(group)
            continue
        row = _row(form, prefix, MATERIAL_COLS, uploads)
        if row:
            out.append(row)
    return out


def _questions(form) -> tuple[list, dict[str, str], dict[tuple[str, str], str]]:
    """Question rows, and the ids renamed in this post: {old question id: new},
    {(new question id, old option id): new option id}."""
    out, q_renamed, o_renamed = [], {}, {}
    for i in _row_indexes(form, "questions"):
        prefix = f"questions.{i}"
        if form.get(f"{prefix}._delete"):
            continue
        q = _row(form, prefix, QUESTION_COLS, {})
        options = _rows(form, f"{prefix}.options", OPTION_COLS)
        if not q and not options:
            continue
        was = _text(form, f"{prefix}._was")
        if was and q.get("id") and was != q["id"]:
            q_renamed[was] = q["id"]
        for j in _row_indexes(form, f"{prefix}.options"):
            o_was, o_now = _text(form, f"{prefix}.options.{j}._was"), _text(form, f"{prefix}.options.{j}.id")
            if o_was and o_now and o_was != o_now and not form.get(f"{prefix}.options.{j}._delete"):
                o_renamed[(q.get("id", was), o_was)] = o_now
        entry: dict = {k: q[k] for k in ("id", "ask") if k in q}
        entry["options"] = options
        if "when" in q:
            entry["when"] = q["when"]
        out.append(entry)
    return out, q_renamed, o_renamed


def _renamed_when(when: list[str], q_renamed: dict[str, str], o_renamed: dict[tuple[str, str], str]) -> list[str]:
    out = []
    for term in when:
        q, sep, opts = term.partition("=")
        if not sep:
            out.append(term)
            continue
        q = q_renamed.get(q, q)
        out.append(f"{q}=" + "|".join(o_renamed.get((q, o), o) for o in opts.split("|")))
    return out


def _walk_when(node: Any, fn) -> None:
    if isinstance(node, dict):
        if isinstance(node.get("when"), list):
            node["when"] = fn(node["when"])
        for k, v in node.items():
            if k != "when":
                _walk_when(v, fn)
    elif isinstance(node, list):
        for v in node:
            _walk_when(v, fn)


def _time_limit(form):
    variants = _rows(form, "time_limit", VARIANT_COLS)
    if _text(form, "time_limit._shape") == "one" and len(variants) <= 1 \
            and not any(k in (variants[0] if variants else {}) for k in ("when", "label")):
        return variants[0] if variants else {}
    return variants


def _speed(form):
    """办件类型: one word (the simple form) or a list of {speed, label?, when?} variants."""
    variants = _rows(form, "speed", SPEED_COLS)
    if _text(form, "speed._shape") == "one" and len(variants) <= 1 and set(variants[0] if variants else {}) <= {"speed"}:
        return variants[0]["speed"] if variants else None
    return variants or None


def from_form(form, code: str, uploads: dict[str, str] | None = None) -> dict:
    """Guide data (as YAML would load it) from the submitted form. `uploads` maps an attachment
    field ("materials.2.blank_form") to the file name just stored for it. Raises `FormError`
    when the YAML box does not parse."""
    uploads = uploads or {}
    d: dict = {"code": code}
    for key in ("name", "category", "department", "item_type"):
        v = _text(form, key)
        if v:
            d[key] = v
    # in the order submitted: the form lists a guide's own choices first, in its order
    d["audience"] = list(dict.fromkeys(a for a in form.getlist("audience") if a in AUDIENCES))
    d["channels"] = list(dict.fromkeys(c for c in form.getlist("channels") if c in CHANNELS))
    d["basis"] = _rows(form, "basis")
    questions, q_renamed, o_renamed = _questions(form)
    if questions:
        d["questions"] = questions
    d["conditions"] = [c["text"] if set(c) == {"text"} else c for c in _rows(form, "conditions")]
    d["materials"] = _materials(form, uploads)
    d["time_limit"] = _time_limit(form)
    speed = _speed(form)
    if speed is not None:
        d["speed"] = speed
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
    if _text(form, "online_url"):
        d["online_url"] = _text(form, "online_url")
    for key in ("faq", "forms", "aliases"):
        rows = _rows(form, key, uploads=uploads)
        if rows:
            d[key] = rows
    d["updated"] = today()
    text = _text(form, "_extra")
    for key in ("audience", "channels", "basis", "conditions", "materials", "time_limit", "locations",
                "contacts", "mistakes"):
        if d[key] in ([], {}):
            del d[key]  # an element left empty is absent (the checker says 缺少必备要素), never []
    # `fee` stays a mapping: 是否收费 is a choice the form always asks, and without it the
    # checker's message (是否收费 must be stated) belongs beside that select
    if text:
        try:
            extra = safe_load_plain(text)  # no anchor, alias or deep nesting (guides.yamlsource)
        except YamlSyntaxError as exc:
            where = f"第 {exc.line} 行"
            raise FormError(f"“其他要素（YAML）”一栏{where}{exc.message}。",
                            {**d, "_extra_text": text}, {"_extra": [where + exc.message]}) from None
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            where = f"第 {mark.line + 1} 行" if mark else ""
            raise FormError(f"“其他要素（YAML）”一栏的格式有误{where}，请检查缩进和冒号后再保存。",
                            {**d, "_extra_text": text}, {"_extra": ["YAML 格式有误" + where]}) from None
        if not isinstance(extra, dict):
            raise FormError("“其他要素（YAML）”一栏应为“键: 值”的形式，如 result: …。", {**d, "_extra_text": text},
                            {"_extra": ["应为“键: 值”的形式"]})
        d.update({str(k): v for k, v in extra.items()})
    if q_renamed or o_renamed:
        _walk_when({k: v for k, v in d.items() if k != "questions"},
                   lambda w: _renamed_when(w, q_renamed, o_renamed))
        for q in d.get("questions") or []:
            if isinstance(q, dict) and isinstance(q.get("when"), list):
                q["when"] = _renamed_when(q["when"], q_renamed, o_renamed)
    return d


def keep_date(data: dict, before: dict) -> dict:
    """`data` with the 更新日期 of `before` when nothing else changed (saving an unchanged
    guide does not claim the office checked it again today)."""
    if {k: v for k, v in data.items() if k != "updated"} == {k: v for k, v in before.items() if k != "updated"}:
        out = {k: v for k, v in data.items() if k != "updated"}
        if "updated" in before:
            out["updated"] = before["updated"]
        return out
    return data


# -------------------------------------------------------------------------- structure of 情形
def _when_places(data: dict):
    """(field key, when list) of every `when` in the guide's form fields."""
    for i, q in enumerate(data.get("questions") or []):
        if isinstance(q, dict) and isinstance(q.get("when"), list):
            yield f"questions.{i}.when", q["when"]
    for key in ("conditions", "flow", "locations", "mistakes"):
        for i, r in enumerate(data.get(key) or []):
            if isinstance(r, dict) and isinstance(r.get("when"), list):
                yield f"{key}.{i}.when", r["when"]
    for i, m in enumerate(data.get("materials") or []):
        if isinstance(m, dict):
            if isinstance(m.get("when"), list):
                yield f"materials.{i}.when", m["when"]
            for j, it in enumerate(m.get("items") or [] if isinstance(m.get("items"), list) else []):
                if isinstance(it, dict) and isinstance(it.get("when"), list):
                    yield f"materials.{i}.items.{j}.when", it["when"]
    tl = data.get("time_limit")
    for i, v in enumerate(tl if isinstance(tl, list) else [tl] if isinstance(tl, dict) else []):
        if isinstance(v, dict) and isinstance(v.get("when"), list):
            yield f"time_limit.{i}.when", v["when"]
    speed = data.get("speed")
    for i, v in enumerate(speed if isinstance(speed, list) else []):
        if isinstance(v, dict) and isinstance(v.get("when"), list):
            yield f"speed.{i}.when", v["when"]
    fee = data.get("fee")
    for i, it in enumerate((fee.get("items") or []) if isinstance(fee, dict) else []):
        if isinstance(it, dict) and isinstance(it.get("when"), list):
            yield f"fee.items.{i}.when", it["when"]


def structure_errors(data: dict) -> dict[str, list[str]]:
    """What makes the 情形 fields contradict themselves, by field key (Chinese): a duplicate
    question or option id, a question with fewer than two options, a `when` naming a question
    or option the guide does not have (CONTENT-STANDARD.md: questions, `when`). The form
    refuses to save these (the checker would block them anyway)."""
    out: dict[str, list[str]] = {}
    questions = [q for q in data.get("questions") or [] if isinstance(q, dict)]
    seen: dict[str, int] = {}
    options: dict[str, set[str]] = {}
    for i, q in enumerate(questions):
        qid = q.get("id")
        if not qid:
            out.setdefault(f"questions.{i}.id", []).append("请填写问题标识（如 why）")
        elif qid in seen:
            out.setdefault(f"questions.{i}.id", []).append(
                f"问题标识“{qid}”与第 {seen[qid] + 1} 个问题重复，每个问题的标识须不同")
        else:
            seen[qid] = i
        opts = [o for o in q.get("options") or [] if isinstance(o, dict)]
        if len(opts) < 2:
            out.setdefault(f"questions.{i}.options", []).append(
                f"问题“{q.get('ask') or qid or i + 1}”只有 {len(opts)} 个选项，至少要有两个选项才需要提问")
        ids: dict[str, int] = {}
        for j, o in enumerate(opts):
            oid = o.get("id")
            if not oid:
                out.setdefault(f"questions.{i}.options.{j}.id", []).append("请填写选项标识（如 lost）")
            elif oid in ids:
                out.setdefault(f"questions.{i}.options.{j}.id", []).append(
                    f"选项标识“{oid}”与第 {ids[oid] + 1} 个选项重复，同一问题的选项标识须不同")
            else:
                ids[oid] = j
        if qid and qid not in options:
            options[qid] = set(ids)
    for key, when in _when_places(data):
        for term in when:
            q, sep, opts = str(term).partition("=")
            if not sep:
                out.setdefault(key, []).append(f"适用情形“{term}”应写成 问题标识=选项标识")
            elif q not in options:
                out.setdefault(key, []).append(f"适用情形中的问题“{q}”本事项没有，请在“情形引导”中添加或取消勾选")
            else:
                for o in opts.split("|"):
                    if o not in options[q]:
                        out.setdefault(key, []).append(
                            f"适用情形中的选项“{q}={o}”本事项没有：问题“{q}”没有选项“{o}”，请取消勾选或添加该选项")
    return out


# ------------------------------------------------------------------------------------ display
def _get_rows(data: dict, key: str):
    if "." in key:
        outer, inner = key.split(".", 1)
        holder = data.get(outer)
        return holder.get(inner) if isinstance(holder, dict) else None
    return data.get(key)


def _blank(cols) -> Any:
    return "" if cols[0].key == "" else {}


def rows_for_display(data: dict, extra: str | None = None) -> dict[str, list]:
    """Rows of each repeatable element to draw: the data's rows, at least one (empty) row for
    required elements, and one more empty row for the element named by `extra` ("add a row":
    "materials", "materials.group", "materials.2.items", "questions", "questions.0.options",
    "time_limit", "fee.items", ...). Material groups and questions are copied with their
    member rows, so the added member row never touches `data`."""
    out: dict[str, list] = {}
    for key, (_label, cols) in ROWS.items():
        value = _get_rows(data, key)
        rows = list(value) if isinstance(value, list) else []
        if key == "conditions":
            rows = [{"text": r} if isinstance(r, str) else r for r in rows]
        if not rows and key in REQUIRED_ROWS:
            rows.append(_blank(cols))
        if extra == key:
            rows.append(_blank(cols))
        out[key] = rows
    mats = []
    for i, m in enumerate(out["materials"]):
        if isinstance(m, dict) and "one_of" in m:
            items = list(m.get("items") or [])
            if extra == f"materials.{i}.items":
                items.append({})
            m = dict(m, items=items)
        mats.append(m)
    if extra == "materials.group":
        mats.append({"one_of": "", "items": [{}, {}]})
    out["materials"] = mats
    qs = []
    for i, q in enumerate(data.get("questions") or []):
        if isinstance(q, dict):
            opts = list(q.get("options") or [])
            if extra == f"questions.{i}.options":
                opts.append({})
            qs.append(dict(q, options=opts))
    if extra == "questions":
        qs.append({"options": [{}, {}]})
    out["questions"] = qs
    tl = data.get("time_limit")
    variants = list(tl) if isinstance(tl, list) else [tl] if isinstance(tl, dict) else []
    if not variants:
        variants.append({})
    if extra == "time_limit":
        variants.append({})
    out["time_limit"] = variants
    speed = data.get("speed")
    speeds = list(speed) if isinstance(speed, list) else [{"speed": speed}] if isinstance(speed, str) else [{}]
    if extra == "speed":
        speeds.append({})
    out["speed"] = speeds
    return out


def time_limit_shape(data: dict, extra: str | None = None, key: str = "time_limit") -> str:
    """"one" when the time limit (or, with `key` "speed", the 办件类型) is written in the simple
    form (one mapping, one word) and stays so, else "list"."""
    return "list" if isinstance(data.get(key), list) or extra == key else "one"


def limit_parts(value: Any) -> tuple[str, str]:
    """A time limit as the form's (number, unit) fields: ("60", "自然日"), ("", "即时")."""
    if isinstance(value, dict):
        v = value.get("value")
        return ("" if v is None else str(v)), str(value.get("unit") or "")
    if isinstance(value, str):
        return ("", value) if value in _WORDS else (value, "")
    return "", ""


def when_choices(data: dict) -> list[tuple[str, str, list[tuple[str, str]]]]:
    """The guide's own question=option pairs for the `when` checkboxes:
    [(question id, ask, [(option id, label), ...]), ...]; questions without an id are left out."""
    out = []
    for q in data.get("questions") or []:
        if not isinstance(q, dict) or not isinstance(q.get("id"), str) or not q["id"]:
            continue
        opts = [(o["id"], str(o.get("label") or o["id"])) for o in q.get("options") or []
                if isinstance(o, dict) and isinstance(o.get("id"), str) and o["id"]]
        out.append((q["id"], str(q.get("ask") or q["id"]), opts))
    return out


def when_checked(when: Any) -> set[str]:
    """The checkbox values a `when` list checks: {"why=lost", "age=a", "age=b"}."""
    out = set()
    for term in when or []:
        q, sep, opts = str(term).partition("=")
        for o in opts.split("|") if sep else []:
            out.add(f"{q}={o}")
    return out


def when_unknown(when: Any, choices) -> list[str]:
    """Checkbox values of `when` that are not among `choices` (kept and shown, so nothing a
    guide holds is dropped silently; saving them is refused with a message)."""
    known = {f"{q}={o}" for q, _ask, opts in choices for o, _label in opts}
    raw = [str(t) for t in when or [] if "=" not in str(t)]
    return sorted(when_checked(when) - known) + raw


def own_order(chosen: Any, every: tuple[str, ...]) -> list[str]:
    """`every` choice, those in `chosen` first and in its order (so saving keeps the order)."""
    first = [c for c in chosen if c in every] if isinstance(chosen, list) else []
    return first + [c for c in every if c not in first]


# The columns, choices and helpers the form template draws with.
TEMPLATE_NAMES = dict(
    ROWS=ROWS, MATERIAL_COLS=MATERIAL_COLS, GROUP_COLS=GROUP_COLS, QUESTION_COLS=QUESTION_COLS, OPTION_COLS=OPTION_COLS,
    VARIANT_COLS=VARIANT_COLS, SPEED_COLS=SPEED_COLS, limit_units=LIMIT_UNITS, item_types=ITEM_TYPES,
    audiences=AUDIENCES, speeds=SPEEDS, channels=CHANNELS, limit_parts=limit_parts, own_order=own_order,
    when_checked=when_checked, when_choices=when_choices, when_unknown=when_unknown)


def blank_guide(code: str = "", name: str = "", category: str = "") -> dict:
    # 是否收费 is a choice the editor must make: no default (an office that charges must not
    # be published as 不收费 because nobody changed a pre-set answer)
    return {"code": code, "name": name, "category": category, "audience": ["个人"], "channels": ["窗口办理"],
            "time_limit": {}, "fee": {}, "updated": today()}
