"""Re-import: lay an imported guide over the one already there.

The elements the spreadsheet speaks for (``ImportedGuide.managed``: every element with a
column in the file, and materials / fees / FAQ when their sheet is present) are replaced by
what the file says — or removed, when its cell is now empty. Everything else — 易错范例,
情形引导, aliases, forms, … which no 实施清单 carries — is kept as it is.
"""
from __future__ import annotations

import copy
from typing import Any

from guides.implementation_list.yamlout import ordered

_NESTED = ("time_limit", "contacts", "fee", "result")
_MISSING = object()


def _paths(data: dict) -> set[str]:
    out = set()
    for k, v in data.items():
        if k in _NESTED and isinstance(v, dict):
            out.update(f"{k}.{sub}" for sub in v)
        else:
            out.add(k)
    return out


def _get(d: dict, parts: list[str]) -> Any:
    for p in parts:
        if not isinstance(d, dict) or p not in d:
            return _MISSING
        d = d[p]
    return d


def merge_guide(existing: dict | None, imported: dict, managed: set[str]) -> dict:
    """The guide to write: ``imported`` over ``existing`` for the managed paths (see above)."""
    if existing is None:
        return ordered(imported)
    out = copy.deepcopy(existing)
    for path in sorted(managed | _paths(imported)):
        parts = path.split(".")
        value = _get(imported, parts)
        if len(parts) == 2 and not isinstance(out.get(parts[0]), dict):
            # the existing element has another shape (e.g. time-limit variants): replace it whole
            whole = _get(imported, parts[:1])
            if whole is _MISSING:
                out.pop(parts[0], None)
            else:
                out[parts[0]] = copy.deepcopy(whole)
            continue
        parent = out if len(parts) == 1 else out[parts[0]]
        if value is _MISSING:
            parent.pop(parts[-1], None)
            if len(parts) == 2 and not out[parts[0]]:
                out.pop(parts[0])
        else:
            parent[parts[-1]] = copy.deepcopy(value)
    return ordered(out)
