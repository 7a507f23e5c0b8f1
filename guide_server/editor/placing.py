"""Where a checker finding is shown in the guide form.

The checker (guides.check_one) names a finding by the guide's key path, e.g.
("time_limit", "promised") or ("materials", 3, "items", 1, "name"); the form names its
fields the same way, with two differences of shape: a time limit written as one mapping is
the form's variant 0 ("time_limit.0.promised"), and a condition written as a plain string is
the form's "conditions.2.text", and a 办件类型 written as one word is "speed.0.speed". A finding is shown beside the deepest field of the form that
contains its path (a message about a limit's unit lands on the limit; one about a whole
material group on the group); one that no field contains is shown in the summary only.
No Flask.
"""
from __future__ import annotations

import re
from collections.abc import Iterable

FIELD_ATTR = re.compile(r'data-(?:field|rows)="([^"]+)"')


def form_path(path: tuple, data: dict) -> tuple:
    """The checker's key `path` in the form's shape (see the module docstring)."""
    if not path:
        return path
    if path[0] == "time_limit" and isinstance(data.get("time_limit"), dict) and len(path) > 1 \
            and not isinstance(path[1], int):
        path = ("time_limit", 0, *path[1:])
    if path[0] == "speed" and isinstance(data.get("speed"), str):
        path = ("speed", 0, "speed", *path[1:])
    if path[0] == "conditions" and len(path) == 2 and isinstance(path[1], int):
        rows = data.get("conditions")
        if isinstance(rows, list) and path[1] < len(rows) and isinstance(rows[path[1]], str):
            path = (*path, "text")
    return path


def form_field(path: tuple, data: dict) -> str:
    """The dotted form field name of a checker path ("time_limit.0.promised")."""
    return ".".join(str(p) for p in form_path(path, data))


def place(path: tuple, data: dict, keys: Iterable[str] | set[str]) -> str:
    """The form field key (one of `keys`) a finding at `path` is shown beside; "" for none."""
    parts = [str(p) for p in form_path(path, data)]
    keys = keys if isinstance(keys, set) else set(keys)
    for n in range(len(parts), 0, -1):
        key = ".".join(parts[:n])
        if key in keys:
            return key
    return ""


def rendered_keys(html: str) -> set[str]:
    """The field keys a rendered form holds (its data-field and data-rows attributes)."""
    return set(FIELD_ATTR.findall(html))
