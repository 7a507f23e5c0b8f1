"""The import report as text lines (Chinese), for the command line and the editor."""
from __future__ import annotations

import unicodedata
from functools import lru_cache
from typing import Iterator

from guides.implementation_list.fields import FIELDS, SHEET_KIND_NAMES
from guides.implementation_list.mapping import ImportResult
from guides.implementation_list.problems import Level, a1
from guides.implementation_list.store import Plan


def sheets_lines(result: ImportResult) -> Iterator[str]:
    for lay in result.layouts:
        known = len(lay.fields)
        extra = f"，{len(lay.unknown)} 列未识别" if lay.unknown else ""
        ign = f"，{len(lay.ignored)} 个技术列不导入" if lay.ignored else ""
        rows = lay.data_rows
        yield (f"读取 {lay.sheet.place()}：{SHEET_KIND_NAMES[lay.kind]}，表头在第 {lay.header_row + 1} 行"
               f"（{'、'.join(lay.sources)}），{known} 列已识别{extra}{ign}，{rows} 行数据")


@lru_cache(maxsize=4096)
def _width(text: str) -> int:
    """Display width: a Chinese character takes two columns."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int, shown: int | None = None) -> str:
    """Left-justify ``text`` to ``width`` display columns (at least one space after it)."""
    return text + " " * max(1, width - (_width(text) if shown is None else shown))


def _dotted(path: tuple) -> str:
    """("materials", 1, "name") -> "materials[1].name" (the trace's spelling)."""
    out = ""
    for p in path:
        out += f"[{p}]" if isinstance(p, int) else (f".{p}" if out else str(p))
    return out


def _origin(guide, path: tuple):
    """The cell a checker finding is about: the trace line of that element (or of the
    nearest enclosing one), else the item's row."""
    for n in range(len(path), 0, -1):
        want = _dotted(path[:n])
        for t in guide.trace:
            if t.element == want or t.element.startswith(want + ".") or t.element.startswith(want + "["):
                return t.place
    return guide.place


def item_lines(result: ImportResult, findings: dict | None = None) -> Iterator[str]:
    """Per item: what was read and which v2 element it went to, then the checker's findings."""
    for code, guide in result.guides.items():
        yield ""
        checked = (findings or {}).get(code)
        done = f"  推荐要素完整度 {checked.completeness}" if checked else ""
        yield f"事项 {code}  {guide.data.get('name', '（无名称）')}  [{guide.place}]{done}"
        sheets: dict[int, int] = {}
        for t in guide.trace:
            sheets.setdefault(id(t.sheet), len(sheets))
        for t in sorted(guide.trace, key=lambda t: (sheets[id(t.sheet)], t.r, t.c)):
            note = f"（{t.note}）" if t.note else ""
            cell = a1(t.r, t.c)
            where = _pad(f"{t.sheet.name}!{cell}", 14, _width(t.sheet.name) + 1 + len(cell))
            yield f"  {_pad(t.column, 18)}{where}→ {t.element}{note}"
        for f in checked.findings if checked else []:
            yield f"  检查 {_origin(guide, f.path)}: {f.code} {f.message}（{_dotted(f.path) or '事项'}）"
    for s in result.skipped:
        yield ""
        yield f"跳过 {s.code}  {s.name or ''}  [{s.place}]：{s.reason}，不是依申请事项"


def problem_lines(result: ImportResult) -> Iterator[str]:
    for p in result.problems:
        yield str(p)


def plan_lines(plan: Plan, *, diffs: bool = True) -> Iterator[str]:
    labels = {"new": "新增", "update": "更新", "same": "无变化", "held": "未覆盖", "overwrite": "覆盖"}
    for a in plan.actions:
        if a.kind == "same":
            continue
        reason = f"：{a.reason}" if a.reason else ""
        extra = "；加 --overwrite 覆盖（清单不含的要素如易错范例会保留）" if a.kind == "held" else ""
        yield f"{labels[a.kind]} {a.path}{reason}{extra}"
        if diffs and a.kind != "new":
            for line in a.diff[:40]:
                yield f"    {line}"
            if len(a.diff) > 40:
                yield f"    ……另有 {len(a.diff) - 40} 处变化"
    for code in plan.not_in_file[:50]:
        yield f"不在本次清单中 {code}：保留原样（如已取消，请在 retired.yaml 中停用）"
    if len(plan.not_in_file) > 50:
        yield f"……另有 {len(plan.not_in_file) - 50} 个以前导入的事项不在本次清单中"


def summary_line(result: ImportResult, findings: dict | None = None, plan: Plan | None = None) -> str:
    errors = sum(1 for p in result.problems if p.level is Level.error)
    warnings = sum(1 for p in result.problems if p.level is Level.warning)
    parts = [f"{len(result.guides)} 个事项", f"{errors} 处导入错误", f"{warnings} 处导入提醒"]
    if result.skipped:
        parts.append(f"跳过 {len(result.skipped)} 个非依申请事项")
    if findings is not None:
        ce = sum(1 for g in findings.values() for f in g.findings if f.is_error)
        cw = sum(1 for g in findings.values() for f in g.findings if not f.is_error)
        parts.append(f"内容检查 {ce} 处错误、{cw} 处提醒（发布前须改正错误）")
    if plan is not None:
        parts.append(f"新增 {plan.count('new')}、更新 {plan.count('update')}、覆盖 {plan.count('overwrite')}、"
                     f"无变化 {plan.count('same')}、未覆盖 {plan.count('held')}")
    return "；".join(parts) + "。"


__all__ = ["sheets_lines", "item_lines", "problem_lines", "plan_lines", "summary_line", "FIELDS"]
