"""Guide dicts as content/ YAML: the standard's key order, one stable form, one hash.

Key order follows CONTENT-STANDARD.md's table, so a re-import that changes one element
changes only those lines of the file. ``guide_hash`` is over canonical JSON (sorted keys),
so it does not change with key order, quoting or comments.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
from typing import Any

import yaml

_Dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)

KEY_ORDER = ["code", "basic_code", "name", "item_type", "audience", "category", "department",
             "department_code", "handling_unit", "level", "service_scope", "co_departments", "basis",
             "questions", "conditions", "materials", "time_limit", "speed", "fee", "channels", "visits",
             "visits_reason", "flow", "flow_image", "locations", "contacts", "result", "refusal_conditions",
             "remedies", "mistakes", "faq", "online_url", "forms", "aliases", "updated"]
_SUB_ORDER = {
    "material": ["one_of", "choose", "name", "form", "copies", "source", "necessity", "note", "blank_form",
                 "sample", "items", "when"],
    "basis": ["law", "article", "doc_no"],
    "time_limit": ["label", "statutory", "promised", "note", "when"],
    "limit": ["value", "unit"],
    "fee": ["charged", "items", "waiver", "basis"],
    "fee_item": ["name", "amount", "unit", "text", "when"],
    "step": ["step", "who", "time", "what", "when"],
    "location": ["address", "window", "hours", "when"],
    "contacts": ["consult", "consult_note", "complaint", "complaint_note"],
    "result": ["name", "type", "sample"],
    "faq": ["q", "a"],
}
_CHILD = {"materials": "material", "basis": "basis", "fee": "fee", "flow": "step", "locations": "location",
          "contacts": "contacts", "result": "result", "faq": "faq", "time_limit": "time_limit"}


def _order(d: dict, order: list[str]) -> dict:
    out = {k: d[k] for k in order if k in d}
    out.update({k: d[k] for k in d if k not in out})
    return out


def _sub(value: Any, kind: str) -> Any:
    if isinstance(value, list):
        return [_sub(v, kind) for v in value]
    if not isinstance(value, dict):
        return value
    out = _order(value, _SUB_ORDER.get(kind, []))
    if kind == "material" and isinstance(out.get("items"), list):
        out["items"] = [_sub(v, "material") for v in out["items"]]
    if kind == "fee" and isinstance(out.get("items"), list):
        out["items"] = [_sub(v, "fee_item") for v in out["items"]]
    if kind == "time_limit":
        for k in ("statutory", "promised"):
            if isinstance(out.get(k), dict):
                out[k] = _order(out[k], _SUB_ORDER["limit"])
    return out


def ordered(data: dict) -> dict:
    """A copy of a guide dict with keys in the standard's order, nested ones too."""
    out = _order(data, KEY_ORDER)
    return {k: _sub(v, _CHILD[k]) if k in _CHILD else v for k, v in out.items()}


def dump_guide(data: dict) -> str:
    """content/guides/<code>.yaml text for one guide."""
    return yaml.dump(ordered(data), Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=4096,
                     default_flow_style=None)


def _json_default(value: Any) -> str:
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    raise TypeError(f"not JSON: {type(value).__name__}")


def canonical(data: Any) -> bytes:
    return json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"),
                      default=_json_default).encode("utf-8")


def guide_hash(data: dict) -> str:
    """SHA-256 of the canonical form: what the import state remembers per code."""
    return hashlib.sha256(canonical(data)).hexdigest()


def line_of(lines: list[str], path: tuple) -> int:
    """The 1-based line of ``path`` (("materials", 2, "name")) in text written by
    `dump_guide`, without parsing it again: the line of the top-level key, of the list entry
    or of the sub-key (a flow-style entry is one line, so deeper keys share its line).
    Falls back to the nearest enclosing line, then 1."""
    if not path:
        return 1
    key = f"{path[0]}:"
    start = next((i for i, ln in enumerate(lines) if ln == key or ln.startswith(key + " ")), None)
    if start is None:
        return 1
    end = next((i for i in range(start + 1, len(lines))
                if lines[i] and not lines[i].startswith((" ", "-"))), len(lines))
    found = start
    prefix = ""  # the indentation of the level being searched
    i = start
    for part in path[1:]:
        if isinstance(part, int):
            entries = [j for j in range(i + 1, end) if lines[j].startswith(prefix + "- ")]
            if part >= len(entries):
                break
            i = found = entries[part]
            prefix += "  "
        else:
            sub = f"{prefix}{part}:"
            hit = next((j for j in range(i + 1, end) if lines[j] == sub or lines[j].startswith(sub + " ")), None)
            if hit is None:
                break
            i = found = hit
            prefix += "  "
    return found + 1
