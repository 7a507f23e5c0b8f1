"""Building one v2 guide dict from an item's rows (CONTENT-STANDARD.md v2).

Each element has its reader here: time limits (value + unit, or 即时 / 无), locations
(addresses paired with their hours), contacts (phone + note), channels (办理形式 and the
是否网办/快递/预约/自助 flags), materials (材料类型 + 材料形式 -> one ``form``), fees (items,
waiver, basis), FAQ. Nothing is invented: an empty cell leaves its element absent, and a
value that cannot be read is a warning with the element left absent.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from guides.implementation_list import cells as C
from guides.implementation_list.codelists import CodeError, Profile, UnknownLabel, resolve
from guides.implementation_list.elements import (list_items, parse_basis, parse_fee_standard, parse_flow,
                                                 parse_limit_value, parse_phone)
from guides.implementation_list.problems import Place, Problem
from guides.implementation_list.rows import Row, RowReader, Trace, Where

CHANNEL_ORDER = ["窗口办理", "网上办理", "掌上办理", "自助终端", "快递送达", "预约上门", "预约办理"]
AUDIENCE_ORDER = ["个人", "法人"]
_FLAG_CHANNEL = {"is_online": "网上办理", "is_express": "快递送达", "is_schedule": "预约办理",
                 "is_terminal": "自助终端"}
_NOT_ON_APPLICATION = {"行政处罚", "行政强制", "行政检查"}
_GUID = re.compile(r"^[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}$")

# Which v2 paths a column speaks for: on re-import these are replaced (or removed when the
# cell is empty); paths no column covers (mistakes, questions, …) are kept as they are.
MANAGED = {
    "name": ["name"], "basic_code": ["basic_code"], "item_type": ["item_type"],
    "department": ["department"], "department_code": ["department_code"],
    "handling_unit": ["handling_unit"], "co_departments": ["co_departments"], "level": ["level"],
    "service_scope": ["service_scope"], "audience": ["audience"], "basis": ["basis"],
    "conditions": ["conditions"], "flow": ["flow"], "speed": ["speed"],
    "statutory_value": ["time_limit.statutory"], "statutory_unit": ["time_limit.statutory"],
    "promised_value": ["time_limit.promised"], "promised_unit": ["time_limit.promised"],
    "statutory_note": ["time_limit.note"], "promised_note": ["time_limit.note"],
    "visits": ["visits"], "visits_reason": ["visits_reason"], "address": ["locations"], "hours": ["locations"],
    "consult": ["contacts.consult", "contacts.consult_note"],
    "complaint": ["contacts.complaint", "contacts.complaint_note"],
    "charged": ["fee.charged"], "fee_basis": ["fee.basis"],
    "channels": ["channels"], "is_online": ["channels"], "is_express": ["channels"],
    "is_schedule": ["channels"], "is_terminal": ["channels"],
    "result_name": ["result.name"], "result_type": ["result.type"], "online_url": ["online_url"],
    "category": ["category"], "refusal_conditions": ["refusal_conditions"], "remedies": ["remedies"],
    "updated": ["updated"],
}
SHEET_MANAGED = {"materials": ["materials"], "fees": ["fee.items", "fee.waiver", "fee.basis"], "faq": ["faq"]}


@dataclass
class ImportedGuide:
    """One guide as imported: the v2 dict, where its item row is, the trace of its cells,
    the v2 paths the file speaks for (``MANAGED``), and its 实施编码."""
    code: str
    data: dict
    place: Place
    trace: list[Trace] = field(default_factory=list)
    managed: set[str] = field(default_factory=set)
    task_code: str | None = None


@dataclass
class Skipped:
    """An item that gets no guide (行政处罚 and the like: not applied for)."""
    code: str
    name: str | None
    place: Place
    reason: str


def _split_note(split, column: str) -> str:
    if split.was_split:
        return f"按编号“{split.style}”拆成 {len(split.items)} 条"
    return f"整段保留（{split.reason}）"


def _split_problem(r: RowReader, split, place: Where, column: str) -> None:
    if split.was_split:
        r.warn(place, "LI501", f"“{column}”按编号“{split.style}”拆成 {len(split.items)} 条")
    elif split.reason != "没有编号":
        r.warn(place, "LI502", f"“{column}”未拆分，整段保留：{split.reason}")


# -- one guide --------------------------------------------------------------------------------------
def _time_limit(r: RowReader) -> dict | None:
    out: dict = {}
    for kind, label in (("statutory", "法定"), ("promised", "承诺")):
        got = r.cell(f"{kind}_value")
        if got is None:
            unit = r.cell(f"{kind}_unit")
            if unit is not None:
                r.note(unit[2], unit[1], "未导入", f"只有单位，没有{label}办结时限")
            continue
        value, place, header = got
        try:
            amount, unit_in_cell = parse_limit_value(value)
        except C.CellError as exc:
            r.warn(place, "LW303", f"“{header}”{exc}；该项未导入")
            continue
        if isinstance(amount, str):
            out[kind] = amount
            r.note(header, place, f"time_limit.{kind}", f"“{amount}”")
            continue
        unit_label = r.label(f"{kind}_unit", quiet=True)
        unit_text = None
        if unit_label is not None:
            res, uplace, uheader = unit_label
            if res.value is None:
                r.warn(uplace, "LW305", f"“{uheader}”为“{res.label}”，未说明是工作日还是自然日，{label}办结时限未导入")
                continue
            unit_text = res.value
        elif unit_in_cell:
            try:
                res = resolve(unit_in_cell, "time_unit", None, r.profile, header)
            except (CodeError, UnknownLabel):
                res = None
            if res is None or res.value is None:
                r.warn(place, "LW305", f"“{header}”写作“{C.line(value)}”，未说明是工作日还是自然日，该项未导入")
                continue
            unit_text = res.value
        if unit_text is None:
            r.warn(place, "LW302", f"“{header}”为 {amount}，但没有时限单位，该项未导入")
            continue
        out[kind] = {"value": amount, "unit": unit_text}
        r.note(header, place, f"time_limit.{kind}", f"{amount} {unit_text}")
    notes = []
    for kind in ("statutory", "promised"):
        got = r.text(f"{kind}_note")
        if got and got[0] not in notes:
            notes.append(got[0])
            r.note(got[2], got[1], "time_limit.note")
    if notes:
        out["note"] = "；".join(notes)
    return out or None


def _locations(r: RowReader) -> list[dict] | None:
    addr = r.text("address")
    hours = r.text("hours")
    if addr is None and hours is None:
        return None
    a_items, a_split = list_items(addr[0]) if addr else ([], None)
    h_items, h_split = list_items(hours[0]) if hours else ([], None)
    if addr is None:
        r.note(hours[2], hours[1], "locations.hours", "没有办理地点")
        return [{"hours": hours[0]}]
    if hours is None:
        r.note(addr[2], addr[1], "locations.address", _split_note(a_split, addr[2]))
        _split_problem(r, a_split, addr[1], addr[2])
        return [{"address": a} for a in a_items]
    if len(a_items) == len(h_items):
        r.note(addr[2], addr[1], "locations.address", _split_note(a_split, addr[2]))
        r.note(hours[2], hours[1], "locations.hours",
               f"与办理地点逐条对应（{len(h_items)} 条）" if len(h_items) > 1 else "")
        _split_problem(r, a_split, addr[1], addr[2])
        _split_problem(r, h_split, hours[1], hours[2])
        return [{"address": a, "hours": h} for a, h in zip(a_items, h_items)]
    if len(h_items) == 1:
        r.note(addr[2], addr[1], "locations.address", _split_note(a_split, addr[2]))
        r.note(hours[2], hours[1], "locations.hours", f"同一办理时间适用于全部 {len(a_items)} 个地点")
        _split_problem(r, a_split, addr[1], addr[2])
        return [{"address": a, "hours": hours[0]} for a in a_items]
    if len(a_items) == 1:
        r.note(addr[2], addr[1], "locations.address")
        r.note(hours[2], hours[1], "locations.hours",
               f"未拆分，整段保留（{len(h_items)} 个时段同属一个办理地点）")
        r.warn(hours[1], "LI502", f"“{hours[2]}”有 {len(h_items)} 个编号时段，只有一个办理地点：整段保留")
        return [{"address": a_items[0], "hours": hours[0]}]
    r.warn(hours[1], "LW307", f"“{addr[2]}”有 {len(a_items)} 条，“{hours[2]}”有 {len(h_items)} 段，无法逐条对应：均整段保留")
    r.note(addr[2], addr[1], "locations.address", "整段保留（条数与办理时间不一致）")
    r.note(hours[2], hours[1], "locations.hours", "整段保留（条数与办理地点不一致）")
    return [{"address": addr[0], "hours": hours[0]}]


def _contacts(r: RowReader) -> dict | None:
    out: dict = {}
    for key, field_id in (("consult", "consult"), ("complaint", "complaint")):
        got = r.text(field_id)
        if got is None:
            continue
        text, place, header = got
        phone, note, why = parse_phone(text)
        if phone:
            out[key] = phone
        if note:
            out[f"{key}_note"] = note
        r.note(header, place, f"contacts.{key}" + ("、" + f"contacts.{key}_note" if note and phone else "")
               if phone else f"contacts.{key}_note", why)
    return out or None


def _channels(r: RowReader) -> list[str] | None:
    found: list[str] = []
    got = r.labels("channels")
    if got:
        found += [res.value for res in got[0]]
    for field_id, channel in _FLAG_CHANNEL.items():
        flag = r.label(field_id)
        if flag and flag[0].value is True:
            found.append(channel)
    if not found:
        return None
    return [c for c in CHANNEL_ORDER if c in found]


def _material(row: Row, index: int, profile: Profile, problems: list[Problem],
              trace: list[Trace] | None) -> dict | None:
    r = RowReader([row], profile, problems, trace, ("materials", index))
    name = r.line("m_name")
    if not name:
        r.warn(row.place(), "LW309", "材料行没有材料名称，该行未导入")
        return None
    m: dict = {"name": name}
    mtype = r.label("m_type", quiet=True)
    mformat = r.label("m_format", quiet=True)
    form = None
    if mformat and mformat[0].value not in (None, "paper"):
        form = mformat[0].value
        if mtype and mtype[0].value:
            r.warn(mtype[1], "LW305", f"“{mtype[2]}”为“{mtype[0].label}”，但材料形式为“{mformat[0].label}”："
                                      f"v2 的 form 只有一个取值，已取“{form}”")
    else:
        if mformat and mformat[0].value is None:
            r.warn(mformat[1], "LW305", f"“{mformat[2]}”为“{mformat[0].label}”，v2 内容标准没有对应取值，未导入")
        if mtype:
            if mtype[0].value is None:
                r.warn(mtype[1], "LW305", f"“{mtype[2]}”为“{mtype[0].label}”，v2 内容标准没有对应取值，未导入")
            else:
                form = mtype[0].value
    if form:
        m["form"] = form
    copies = r.integer("m_copies", ("份",))
    if copies is None:
        orig = r.integer("m_copies_original", ("份",))
        dup = r.integer("m_copies_copy", ("份",))
        if orig is not None and dup is not None and orig != dup:
            r.warn(row.place(row.layout.columns_of("m_copies_copy")[0]), "LW307",
                   f"原件 {orig} 份、复印件 {dup} 份：v2 每项材料只有一个份数，份数未导入")
        else:
            copies = orig if orig is not None else dup
    if copies is not None:
        if 1 <= copies <= 20:
            m["copies"] = copies
        elif copies != 0:
            r.warn(row.place(), "LW303", f"份数 {copies} 超出 1–20，未导入")
    for field_id, key in (("m_necessity", "necessity"),):
        got = r.label(field_id)
        if got and got[0].value:
            m[key] = got[0].value
    source = r.label("m_source", quiet=True)
    source_note = r.text("m_source_note")
    if source and source[0].value:
        m["source"] = source[0].value + (f"：{source_note[0]}" if source_note else "")
        if source_note:
            r.note(source_note[2], source_note[1], "materials.source", "写在来源渠道之后")
    elif source and source[0].value is None:
        r.warn(source[1], "LW305", f"“{source[2]}”为“{source[0].label}”，v2 内容标准没有对应取值，未导入")
    elif source_note:
        r.warn(source_note[1], "LW305", f"只有“{source_note[2]}”，没有来源渠道，未导入")
    for field_id, key in (("m_blank_form", "blank_form"), ("m_sample", "sample")):
        got = r.cell(field_id)
        if got is None:
            continue
        value = C.line(got[0]) or ""
        if re.match(r"^[a-z]+://", value, re.I) or _GUID.match(value):
            r.warn(got[1], "LW305", f"“{got[2]}”是网址或附件标识，v2 只接受 content/forms/ 下的文件名：未导入，"
                                    "请下载后放入 forms/ 再填写")
            continue
        m[key] = value
        r.note(got[2], got[1], f"materials.{key}")
    note = r.text("m_fill_note") or r.text("m_remark")
    if note:
        m["note"] = note[0]
        r.note(note[2], note[1], "materials.note")
    return m


def _fees(rows: list[Row], r: RowReader, profile: Profile, problems: list[Problem],
          trace: list[Trace] | None) -> dict:
    items: list[dict] = []
    bases: list[str] = []
    waivers: list[str] = []
    for row in rows:
        fr = RowReader([row], profile, problems, trace, ("fee.items", len(items)))
        name = fr.line("f_name")
        if not name:
            fr.warn(row.place(), "LW309", "收费行没有收费项目名称，该行未导入")
            continue
        item = {"name": name}
        std = fr.text("f_standard")
        if std:
            item.update(parse_fee_standard(std[0]))
            fr.note(std[2], std[1], "fee.items.amount" if "amount" in item else "fee.items.text")
        items.append(item)
        basis = fr.text("f_basis")
        if basis and basis[0] not in bases:
            bases.append(basis[0])
            fr.note(basis[2], basis[1], "fee.basis")
        waivable = fr.label("f_waivable")
        wtext = fr.text("f_waiver_basis")
        if waivable and waivable[0].value is True:
            if wtext:
                if wtext[0] not in waivers:
                    waivers.append(wtext[0])
                fr.note(wtext[2], wtext[1], "fee.waiver")
            else:
                fr.warn(waivable[1], "LW305", "允许减免，但没有写减免依据：减免未导入")
        elif wtext:
            fr.note(wtext[2], wtext[1], "未导入", "未标明允许减免")
    out: dict = {}
    if items:
        out["items"] = items
    if bases:
        if len(bases) > 1:
            r.warn(rows[0].place(), "LW307", f"各收费项目的收费依据不同，v2 每个事项只有一个收费依据：已用“；”连接 {len(bases)} 条")
        out["basis"] = "；".join(bases)
    if waivers:
        out["waiver"] = "；".join(waivers)
    return out


def build_guide(code: str, item_rows: list[Row], joined: dict[str, list[Row]], profile: Profile,
                problems: list[Problem], *, trace: bool = True) -> tuple[ImportedGuide | None, Skipped | None]:
    """One guide from its item row(s) and its joined material/fee/faq rows; ``trace``: record
    which cell fed which element (the dry-run report), else skip that bookkeeping."""
    trace: list[Trace] | None = [] if trace else None
    r = RowReader(item_rows, profile, problems, trace)
    first = item_rows[0]
    data: dict = {"code": code}
    got = r.cell("handle_item_code") or r.cell("task_code")
    if got:
        r.note(got[2], got[1], "code")
    task_code = None
    tc = r.cell("task_code")
    if tc:
        try:
            task_code = C.code(tc[0])
        except C.CellError:
            task_code = None
    name = r.line("name")
    if name:
        data["name"] = name
    it = r.label("item_type", quiet=True)
    if it:
        res, place, header = it
        if res.value is None and res.label in _NOT_ON_APPLICATION:
            return None, Skipped(code, name, first.place(), f"事项类型为“{res.label}”")
        if res.value is None:
            r.warn(place, "LW305", f"“{header}”为“{res.label}”，v2 内容标准没有对应取值，未导入")
        else:
            data["item_type"] = res.value
    for field_id in ("basic_code", "department_code"):
        v = r.code(field_id)
        if v:
            data[field_id] = v
    for field_id in ("department", "handling_unit", "online_url", "category"):
        v = r.line(field_id)
        if v:
            data[field_id] = v
    got = r.text("co_departments")
    if got:
        data["co_departments"] = [p.strip() for p in re.split(r"[、，,;；\n]+", got[0]) if p.strip()]
        r.note(got[2], got[1], "co_departments")
    for field_id in ("level", "service_scope"):
        got = r.label(field_id)
        if got and got[0].value:
            data[field_id] = got[0].value
    got = r.labels("audience")
    if got and got[0]:
        values = {res.value for res in got[0]}
        data["audience"] = [a for a in AUDIENCE_ORDER if a in values]
    got = r.text("basis")
    if got:
        data["basis"], split = parse_basis(got[0])
        r.note(got[2], got[1], "basis", _split_note(split, got[2]) + f"，{len(data['basis'])} 条依据")
        _split_problem(r, split, got[1], got[2])
    for field_id in ("conditions", "refusal_conditions"):
        got = r.text(field_id)
        if got:
            data[field_id], split = list_items(got[0])
            r.note(got[2], got[1], field_id, _split_note(split, got[2]))
            _split_problem(r, split, got[1], got[2])
    got = r.text("flow")
    if got:
        data["flow"], split = parse_flow(got[0])
        r.note(got[2], got[1], "flow", _split_note(split, got[2]))
        _split_problem(r, split, got[1], got[2])
    got = r.labels("speed")
    if got and got[0]:
        speeds = list(dict.fromkeys(res.value for res in got[0]))
        data["speed"] = speeds[0] if len(speeds) == 1 else [{"speed": s} for s in speeds]
    tl = _time_limit(r)
    if tl:
        data["time_limit"] = tl
    visits = r.integer("visits", ("次",))
    if visits is not None:
        data["visits"] = visits
    for field_id in ("visits_reason", "remedies"):
        got = r.text(field_id)
        if got:
            data[field_id] = got[0]
            r.note(got[2], got[1], field_id)
    locs = _locations(r)
    if locs:
        data["locations"] = locs
    contacts = _contacts(r)
    if contacts:
        data["contacts"] = contacts
    channels = _channels(r)
    if channels:
        data["channels"] = channels
    result: dict = {}
    v = r.line("result_name")
    if v:
        result["name"] = v
    got = r.label("result_type")
    if got and got[0].value:
        result["type"] = got[0].value
    if result:
        data["result"] = result
    d = r.date("updated")
    if d:
        data["updated"] = d
    r.label("satisfaction")
    # fee: 是否收费 and 收费依据 on the item row; items, bases and waivers from the fee sheet
    fee: dict = {}
    charged = r.label("charged")
    if charged and charged[0].value is not None:
        fee["charged"] = charged[0].value
    got = r.text("fee_basis")
    if got:
        fee["basis"] = got[0]
        r.note(got[2], got[1], "fee.basis")
    fee_rows = joined.get("fees", [])
    if fee_rows:
        from_rows = _fees(fee_rows, r, profile, problems, trace)
        if "basis" in fee and "basis" in from_rows and from_rows["basis"] != fee["basis"]:
            r.warn(fee_rows[0].place(), "LW307", "收费项目表的收费依据与事项表不同，以事项表为准")
        from_rows.pop("basis", None) if "basis" in fee else None
        fee.update(from_rows)
        if "charged" not in fee and from_rows.get("items"):
            fee["charged"] = True
            r.note("收费项目", (fee_rows[0], 0), "fee.charged", "由收费项目推定为收费")
        elif fee.get("charged") is False and from_rows.get("items"):
            r.warn(fee_rows[0].place(), "LW307", "“是否收费”为否，但收费项目表列有收费项目")
    if fee:
        data["fee"] = {k: fee[k] for k in ("charged", "items", "waiver", "basis") if k in fee}
    mats = []
    for row in joined.get("materials", []):
        m = _material(row, len(mats), profile, problems, trace)
        if m:
            mats.append(m)
    if mats:
        data["materials"] = mats
    faq = []
    for row in joined.get("faq", []):
        qr = RowReader([row], profile, problems, trace, ("faq", len(faq)))
        q, a = qr.text("q_question"), qr.text("q_answer")
        if not q or not a:
            qr.warn(row.place(), "LW309", "常见问题行缺少问题或答案，该行未导入")
            continue
        faq.append({"q": q[0], "a": a[0]})
        qr.note(q[2], q[1], "faq.q")
        qr.note(a[2], a[1], "faq.a")
    if faq:
        data["faq"] = faq
    managed: set[str] = {"code"}
    for row in item_rows:
        for fid in row.layout.fields.values():
            managed.update(MANAGED.get(fid, []))
    for row in item_rows + [row for rows in joined.values() for row in rows]:
        row.release()
    return ImportedGuide(code, data, first.place(), trace or [], managed, task_code), None
