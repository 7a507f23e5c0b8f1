"""Reading the v2 elements out of free text: legal bases, flow steps, phones, fee standards,
time limits. Pure functions; each returns the element and a note for the report, or raises
``cells.CellError`` with a Chinese reason."""
from __future__ import annotations

import re

from guides.implementation_list.blobs import Split, split_numbered
from guides.implementation_list.cells import CellError, nfkc

_ARTICLE = r"(?:第[一二三四五六七八九十百千零〇两\d]+[条款项目章节](?:之[一二三四五六七八九十])?\s*)+"
_BASIS_RE = re.compile(r"《([^《》]+)》\s*(" + _ARTICLE + r")?\s*(?:[（(]([^（）()]*〔\d{4}〕[^（）()]*号)[）)])?[。；;，,]?")
_STEP_RE = re.compile(r"^([^：:\n]{1,12})[：:]\s*(.+)$", re.S)

_PHONE = re.compile(
    r"(?<![\d-])(?:0\d{2,3}-\d{5,8}|0\d{9,11}|1[3-9]\d{9}|[48]00-?\d{3}-?\d{4}|[2-8]\d{6,7}|1\d{4}|9\d{4})"
    r"(?:(?:转|-)\d{1,6})?(?![\d-])")
_PHONE_LABEL = re.compile(r"^(?:咨询|投诉|监督投诉|监督|联系|服务)?(?:电话|热线|方式|号码)?[:：]?\s*")
_AMOUNT = re.compile(r"^(\d+(?:\.\d+)?)\s*(元(?:/[^\s/]{1,6})?)$")
_LIMIT_WORDS = {"即时": "即时", "即时办结": "即时", "当场办结": "即时", "即办": "即时", "无": "无"}
_LIMIT_WITH_UNIT = re.compile(r"^(\d+)\s*(个工作日|工作日|个自然日|自然日|日历日|个小时|小时|天|日|个月|月)$")


def list_items(text: str) -> tuple[list[str], Split]:
    """A blob as list items (split where the numbering is unambiguous)."""
    split = split_numbered(text)
    return list(split.items), split


def parse_basis(text: str) -> tuple[list[dict], Split]:
    """设定依据 -> [{law, article?, doc_no?}]. A piece written as 《title》第N条（文号） is taken
    apart; any other piece is kept whole as ``law``."""
    split = split_numbered(text)
    pieces = list(split.items)
    if not split.was_split and "\n" in text:
        lines = [ln.strip() for ln in text.split("\n") if ln.strip()]
        if all(ln.startswith("《") for ln in lines):
            pieces = lines
    out = []
    for piece in pieces:
        m = _BASIS_RE.fullmatch(piece.strip())
        if m:
            entry = {"law": m[1].strip()}
            if m[2]:
                entry["article"] = re.sub(r"\s+", "", m[2])
            if m[3]:
                entry["doc_no"] = m[3].strip()
            out.append(entry)
        else:
            out.append({"law": piece.strip()})
    return out, split


def basis_text(entry: dict) -> str:
    """The inverse of one parsed basis, for export."""
    law = str(entry.get("law", ""))
    head = law if "《" in law else f"《{law}》"
    out = head + str(entry.get("article") or "")
    if entry.get("doc_no"):
        out += f"（{entry['doc_no']}）"
    return out


def parse_flow(text: str) -> tuple[list[dict], Split]:
    """办理流程 -> [{step, what?}]; a numbered item "受理：当场受理" becomes step 受理, what 当场受理.
    A blob without clear numbering is one step holding the whole text."""
    split = split_numbered(text)
    if not split.was_split:
        return [{"step": text.strip()}], split
    steps = []
    for item in split.items:
        m = _STEP_RE.match(item)
        steps.append({"step": m[1].strip(), "what": m[2].strip()} if m else {"step": item})
    return steps, split


def step_text(step: dict) -> str:
    return f"{step['step']}：{step['what']}" if step.get("what") else str(step.get("step", ""))


def parse_phone(text: str) -> tuple[str | None, str | None, str]:
    """咨询方式 / 监督投诉方式 -> (phone, note, report note). A cell that is only a number (after a
    label such as "咨询电话：") gives the phone alone; a cell with text around its numbers gives
    the first number as the phone and keeps the whole text as the note; a cell without a
    number gives only the note."""
    flat = nfkc(text).strip()
    bare = _PHONE_LABEL.sub("", flat, count=1).strip()
    if _PHONE.fullmatch(bare):
        return bare, None, ""
    found = _PHONE.findall(flat)
    if not found:
        return None, text, "没有可识别的电话号码，原文作为说明保留"
    why = f"含 {len(found)} 个号码，取第一个" if len(found) > 1 else "号码之外还有文字"
    return found[0], text, f"{why}，原文作为说明保留"


def parse_fee_standard(text: str) -> dict:
    """收费标准 -> {amount, unit} for "20元" / "20元/证"; anything else -> {text}."""
    m = _AMOUNT.match(nfkc(text).strip().replace(" ", ""))
    if m:
        f = float(m[1])
        return {"amount": int(f) if f == int(f) else f, "unit": m[2]}
    return {"text": text}


def fee_standard_text(item: dict) -> str:
    if item.get("amount") is not None:
        amount = item["amount"]
        return f"{amount:g}{item.get('unit') or '元'}" if isinstance(amount, float) else f"{amount}{item.get('unit') or '元'}"
    return str(item.get("text") or "")


def parse_limit_value(raw) -> tuple[int | str, str | None]:
    """A 办结时限 cell -> (number or 即时/无, unit written in the same cell or None)."""
    if isinstance(raw, bool):
        raise CellError("应为数字")
    if isinstance(raw, (int, float)):
        if raw != int(raw) or raw < 0:
            raise CellError(f"时限应为非负整数，实际为 {raw:g}")
        return int(raw), None
    s = nfkc(str(raw)).strip().replace(" ", "")
    if s in _LIMIT_WORDS:
        return _LIMIT_WORDS[s], None
    if s.isdigit():
        return int(s), None
    m = _LIMIT_WITH_UNIT.match(s)
    if m:
        return int(m[1]), m[2]
    raise CellError(f"无法识别的时限“{raw}”（应为数字，或“即时”“无”）")
