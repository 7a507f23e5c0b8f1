"""How complete a guide is: its recommended elements (CONTENT-STANDARD.md, "Recommended").

Recommended elements may be absent -- a faithful guide leaves out what its source does not
state -- but each absent one is a warning (W401, never blocking a release), and the share
present is the guide's completeness figure (``guide-server check --summary``).

The slots counted, from the raw guide data:
basic_code; each time-limit variant's statutory and promised; visits; each material's
(group items included) form, copies and source; each location's window and hours;
contacts.complaint; flow (steps or flow_image) and each step's who, time and what; result; faq.
"""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from guides.findings import Finding, Severity
from guides.yamlsource import SourceDoc

NAMES = {
    "basic_code": "基本编码", "statutory": "法定时限", "promised": "承诺时限", "visits": "到现场次数",
    "form": "材料形式", "copies": "份数", "source": "来源渠道", "window": "窗口", "hours": "办理时间",
    "complaint": "监督投诉电话", "flow": "办理流程", "who": "办理人", "time": "时限", "what": "办理内容",
    "result": "办理结果", "faq": "常见问题",
}


@dataclass(frozen=True)
class Missing:
    """One absent recommended element: where it belongs (the path of its mapping), its key
    and a Chinese description of the owner (e.g. 申请材料“毕业证”)."""
    parent: tuple
    key: str
    owner: str

    @property
    def label(self) -> str:
        """E.g. 申请材料“毕业证”的份数(copies)."""
        own = f"{self.owner}的" if self.owner else ""
        return f"{own}{NAMES.get(self.key, self.key)}({self.key})"


@dataclass(frozen=True)
class Completeness:
    """``present`` of ``total`` recommended slots are filled; ``missing`` lists the rest."""
    present: int
    total: int
    missing: tuple[Missing, ...] = ()

    @property
    def ratio(self) -> float:
        """present / total (1.0 when nothing is counted)."""
        return self.present / self.total if self.total else 1.0

    def __str__(self) -> str:
        return f"{round(self.ratio * 100)}%（{self.present}/{self.total}）"

    def __add__(self, other: "Completeness") -> "Completeness":
        return Completeness(self.present + other.present, self.total + other.total, self.missing + other.missing)


def _has(mapping: Any, key: str) -> bool:
    if not isinstance(mapping, dict):
        return False
    value = mapping.get(key)
    return value is not None and value != [] and value != ""


def _slots(data: dict) -> Iterator[tuple[tuple, Any, str, str]]:
    """(parent path, parent mapping, key, owner description) of every recommended slot."""
    yield (), data, "basic_code", ""
    limit = data.get("time_limit")
    variants = [(("time_limit",), limit)] if isinstance(limit, dict) else \
        [(("time_limit", i), v) for i, v in enumerate(limit) if isinstance(v, dict)] if isinstance(limit, list) else []
    for path, variant in variants:
        owner = f"办理时限“{variant['label']}”" if isinstance(variant.get("label"), str) else \
            ("办理时限" if len(variants) == 1 else f"办理时限第 {path[-1] + 1} 项")
        yield path, variant, "statutory", owner
        yield path, variant, "promised", owner
    yield (), data, "visits", ""
    materials = data.get("materials")
    for i, entry in enumerate(materials if isinstance(materials, list) else []):
        if not isinstance(entry, dict):
            continue
        members = ([(("materials", i, "items", j), m) for j, m in enumerate(entry["items"]) if isinstance(m, dict)]
                   if isinstance(entry.get("items"), list) else [(("materials", i), entry)])
        for path, m in members:
            owner = f"申请材料“{m.get('name')}”"
            for key in ("form", "copies", "source"):
                yield path, m, key, owner
    locations = data.get("locations")
    for i, loc in enumerate(locations if isinstance(locations, list) else []):
        if isinstance(loc, dict):
            for key in ("window", "hours"):
                yield ("locations", i), loc, key, f"办理地点“{loc.get('address')}”"
    if isinstance(data.get("contacts"), dict):
        yield ("contacts",), data["contacts"], "complaint", ""
    flow = data.get("flow")
    yield (), {"flow": flow or data.get("flow_image")}, "flow", ""
    for i, step in enumerate(flow if isinstance(flow, list) else []):
        if isinstance(step, dict):
            for key in ("who", "time", "what"):
                yield ("flow", i), step, key, f"办理流程“{step.get('step')}”"
    yield (), data, "result", ""
    yield (), data, "faq", ""


def completeness(data: Any) -> Completeness:
    """The completeness of one guide's raw data (a dict as loaded from YAML)."""
    if not isinstance(data, dict):
        return Completeness(0, 0)
    present = total = 0
    missing = []
    for parent, mapping, key, owner in _slots(data):
        total += 1
        if _has(mapping, key):
            present += 1
        else:
            missing.append(Missing(parent, key, owner))
    return Completeness(present, total, tuple(missing))


def completeness_findings(doc: SourceDoc, result: Completeness) -> Iterator[Finding]:
    """One W401 warning per absent recommended element, at the line of its mapping."""
    for m in result.missing:
        yield Finding(doc.path, doc.line(m.parent), "W401",
                      f"缺少推荐要素：{m.label} 未载明，各终端将不显示此项", Severity.warning)
