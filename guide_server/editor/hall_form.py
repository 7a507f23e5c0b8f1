"""The hall override form's fields to and from override data (guides.halls.LOCAL_KEYS).

Field names are the checker's paths, so a finding lands beside its field:
``locations.<i>.address|window|hours``, ``contacts.consult|complaint|consult_note|complaint_note``,
``fee.mode`` ("" = as in the shared guide, "free", "charged"), ``fee.<i>.name|amount|unit|text``,
``fee.waiver``, ``fee.basis``; ``extra`` is YAML of the other local elements (实施编码, 实施主体,
网上办理入口 …). A group left wholly blank is not overridden: the shared guide's text applies.
`form` is any mapping with .get (a werkzeug MultiDict); no Flask import.
"""
from __future__ import annotations

import re
from typing import Any, Mapping

LOCATION_PARTS = ("address", "window", "hours")
CONTACT_PARTS = ("consult", "complaint", "consult_note", "complaint_note")
FEE_PARTS = ("name", "amount", "unit", "text")
MAX_ROWS = 30
_NUMBER = re.compile(r"^\d+(\.\d{1,2})?$")


def _v(form: Mapping, key: str, limit: int = 500) -> str:
    return str(form.get(key, "") or "").strip()[:limit]


def _rows(form: Mapping, prefix: str, parts: tuple[str, ...]) -> list[dict[str, Any]]:
    out = []
    for i in range(MAX_ROWS):
        row = {p: _v(form, f"{prefix}.{i}.{p}") for p in parts}
        if not any(f"{prefix}.{i}.{p}" in form for p in parts):
            break
        row = {k: v for k, v in row.items() if v}
        if row:
            out.append(row)
    return out


def override_from_form(form: Mapping) -> tuple[dict[str, Any], str]:
    """(override of locations / contacts / fee, the YAML text of the other local elements)."""
    data: dict[str, Any] = {}
    locations = _rows(form, "locations", LOCATION_PARTS)
    if locations:
        data["locations"] = locations
    contacts = {p: _v(form, f"contacts.{p}") for p in CONTACT_PARTS}
    contacts = {k: v for k, v in contacts.items() if v}
    if contacts:
        data["contacts"] = contacts
    mode = _v(form, "fee.mode")
    if mode == "free":
        data["fee"] = {"charged": False}
    elif mode == "charged":
        items = []
        for row in _rows(form, "fee", FEE_PARTS):
            amount = row.get("amount")
            if amount is not None and _NUMBER.match(amount):
                row["amount"] = float(amount) if "." in amount else int(amount)
            items.append(row)
        fee: dict[str, Any] = {"charged": True}
        if items:
            fee["items"] = items
        for k in ("waiver", "basis"):
            if _v(form, f"fee.{k}"):
                fee[k] = _v(form, f"fee.{k}")
        data["fee"] = fee
    return data, str(form.get("extra", "") or "")[:20000]


def fee_mode(override: dict) -> str:
    fee = override.get("fee")
    if not isinstance(fee, dict):
        return ""
    return "charged" if fee.get("charged") else "free"
