"""Phone numbers as CONTENT-STANDARD.md ("Phones") lists them, and how surfaces show them.

Valid forms (an extension may follow after 转 or -, e.g. ``0577-61881125转8012``):

- 区号-号码: ``0577-61881125``, ``0577-6188112``; an area code with a 5-digit service
  number: ``0539-12333``
- a 7-8 digit local number: ``87524298`` -- shown and dialled with site.yaml's
  ``area_code`` when the site has one, else shown as written
- a 5-digit service number: ``12345``, ``12333``, ``95588``
- 400 / 800 numbers: ``400-123-4567``, ``4001234567``
- an 11-digit mobile: ``13800000000``
"""
from __future__ import annotations

import re

_EXT = r"(?:(?:转|-)(?P<ext>\d{1,6}))?"
_FORMS = {
    "area": r"(?P<area>0\d{2,3})-(?P<number>[2-9]\d{6,7}|1\d{4})",
    "local": r"(?P<number>[2-9]\d{6,7})",
    "service": r"(?P<number>[19]\d{4})",
    "toll_free": r"(?P<number>[48]00-?\d{3}-?\d{4})",
    "mobile": r"(?P<number>1[3-9]\d{9})",
}
_RES = {kind: re.compile(rf"^{pattern}{_EXT}$") for kind, pattern in _FORMS.items()}


def phone_kind(text: str) -> str | None:
    """"area", "local", "service", "toll_free" or "mobile"; None when `text` is not a valid number."""
    if not isinstance(text, str):
        return None
    for kind, regex in _RES.items():
        if regex.match(text):
            return kind
    return None


def valid_phone(text: str) -> bool:
    """True when `text` is one of the standard's phone forms."""
    return phone_kind(text) is not None


def phone_display(text: str, area_code: str | None = None) -> str:
    """The number as shown: a local number gets the site's area code (``0531-87524298``)."""
    if area_code and phone_kind(text) == "local":
        return f"{area_code}-{text}"
    return text


def tel_uri(text: str, area_code: str | None = None) -> str:
    """A ``tel:`` link dialling the number (digits only; an extension after a pause ``,``)."""
    kind = phone_kind(text)
    if kind is None:
        return "tel:" + re.sub(r"[^\d]", "", text)
    m = _RES[kind].match(text)
    number = re.sub(r"\D", "", m.group("number"))
    area = m.groupdict().get("area") or (area_code if kind == "local" and area_code else "")
    ext = m.group("ext")
    return f"tel:{area}{number}" + (f",{ext}" if ext else "")
