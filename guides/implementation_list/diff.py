"""A short per-guide diff for the re-import report: which element changed, from what to what."""
from __future__ import annotations

import json
from typing import Any

from guides.implementation_list.yamlout import _json_default

_WIDTH = 60


def _short(value: Any) -> str:
    if isinstance(value, list):
        return f"[{len(value)} 项]"
    if isinstance(value, dict):
        return "{" + "，".join(f"{k}: {_short(v)}" for k, v in value.items()) + "}"
    s = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=_json_default)
    s = s.replace("\n", "⏎")
    return s if len(s) <= _WIDTH else s[: _WIDTH - 1] + "…"


def diff_guides(old: dict | None, new: dict, prefix: str = "") -> list[str]:
    """Lines "+ key: value", "- key: value", "~ key: old → new" for the elements that differ,
    down to list items (``materials[2].copies``)."""
    if old is None:
        return [f"+ {prefix}{k}: {_short(v)}" for k, v in new.items()]
    out: list[str] = []
    for k in list(old) + [k for k in new if k not in old]:
        path = f"{prefix}{k}"
        if k not in new:
            out.append(f"- {path}: {_short(old[k])}")
        elif k not in old:
            out.append(f"+ {path}: {_short(new[k])}")
        elif old[k] != new[k]:
            out.extend(_diff_value(old[k], new[k], path))
    return out


def _diff_value(a: Any, b: Any, path: str) -> list[str]:
    if isinstance(a, dict) and isinstance(b, dict):
        return diff_guides(a, b, path + ".")
    if isinstance(a, list) and isinstance(b, list):
        out = []
        for i in range(max(len(a), len(b))):
            p = f"{path}[{i}]"
            if i >= len(a):
                out.append(f"+ {p}: {_short(b[i])}")
            elif i >= len(b):
                out.append(f"- {p}: {_short(a[i])}")
            elif a[i] != b[i]:
                out.extend(_diff_value(a[i], b[i], p))
        return out
    return [f"~ {path}: {_short(a)} → {_short(b)}"]
