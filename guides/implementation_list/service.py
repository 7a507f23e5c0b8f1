"""The import and export as a few calls (what the command line and the editor use).

    result = read_lists(["清单.xlsx"], codes="gbt39046")      # ImportResult: guides + problems
    findings = check_result(result, categories)               # content-checker findings per code
    plan = plan_write(result, "content")                      # what --out would change (store.py)
    apply_plan(plan, sources=[...], profile=result.profile.name)
    payloads = to_draft_payloads(result, existing=lambda code: ...)   # for the web editor

    guides = guides_from_content("content")  /  guides_from_release("instance")
    export_workbook(guides, "清单.xlsx")
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from collections.abc import Iterator
from typing import Callable

import yaml

from guides.implementation_list.checking import check_guides
from guides.implementation_list.codelists import DEFAULT_PROFILE, load_profile
from guides.implementation_list.headers import header_maps
from guides.implementation_list.mapping import ImportResult, import_sheets
from guides.implementation_list.merge import merge_guide
from guides.implementation_list.yamlout import canonical, ordered
from guides.implementation_list.problems import ListReadError, Problem
from guides.implementation_list.reader import read_file
from guides.yamlsource import load_plain_file

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def read_lists(paths: list[str | Path], *, codes: str = DEFAULT_PROFILE,
               headers: tuple[str | Path, ...] = (), trace: bool = True) -> ImportResult:
    """Read and map every file. Problems (never exceptions) describe bad input; when a file
    cannot be read at all, no guide is mapped and the result holds the reading problems.
    ``trace=False`` skips recording which cell fed which element (large imports that print
    no per-item report). Raises ProfileError / HeaderMapError for a bad --codes / --headers."""
    profile = load_profile(codes)
    maps = header_maps(tuple(headers))
    workbooks, problems = [], []
    for path in paths:
        try:
            workbooks.append(read_file(path))
        except ListReadError as exc:
            problems.extend(exc.problems)
    if problems:
        return ImportResult({}, problems, [], [], profile)
    try:
        return import_sheets(workbooks, profile, maps, trace=trace)
    except ListReadError as exc:
        return ImportResult({}, exc.problems, [], [], profile)


def check_result(result: ImportResult, categories: set[str] | None = None,
                 merged: dict[str, dict] | None = None, forms_dir: Path | None = None) -> dict:
    """Content-checker findings per code, for the imported guides (or, when given, the
    guides as they would be written after merging with existing files); ``categories`` and
    ``forms_dir`` come from the content folder written to, when there is one."""
    guides = merged if merged is not None else {c: g.data for c, g in result.guides.items()}
    return check_guides(guides, categories, forms_dir)


def categories_of(content_dir: str | Path) -> set[str] | None:
    """The 主题分类 names of a content folder's categories.yaml, or None when it has none."""
    path = Path(content_dir) / "categories.yaml"
    if not path.is_file():
        return None
    try:
        data = load_plain_file(path)
    except (OSError, yaml.YAMLError, UnicodeDecodeError):
        return None
    if not isinstance(data, list):
        return None
    return {str(c.get("name")) for c in data if isinstance(c, dict) and c.get("name")}


@dataclass
class DraftPayload:
    """One guide for the web editor: ``data`` is a v2 dict (merged over ``existing`` when
    the caller gave one), ``managed`` the elements the spreadsheet speaks for, ``trace``
    the report lines of where each element came from."""
    code: str
    data: dict
    managed: set[str]
    trace: list[str] = field(default_factory=list)


def iter_draft_payloads(result: ImportResult,
                        existing: Callable[[str], dict | None] | None = None) -> Iterator[DraftPayload]:
    """The imported guides as editor drafts, one at a time in code order, JSON-ready (the
    editor stores JSON: ``updated`` is an ISO date string), so that tens of thousands are never
    all held at once. ``existing(code)`` may return the current draft or published guide (a
    dict as the editor holds it), so that elements the spreadsheet does not carry (易错范例,
    情形引导, …) are kept. Nothing is saved here."""
    for code, guide in result.guides.items():
        current = existing(code) if existing else None
        data = json.loads(canonical(merge_guide(current, guide.data, guide.managed)))
        data = ordered(data)
        trace = [f"{t.column} {t.place} → {t.element}" + (f"（{t.note}）" if t.note else "")
                 for t in guide.trace or ()]
        yield DraftPayload(code, data, set(guide.managed), trace)


def to_draft_payloads(result: ImportResult,
                      existing: Callable[[str], dict | None] | None = None) -> list[DraftPayload]:
    """`iter_draft_payloads` as a list."""
    return list(iter_draft_payloads(result, existing))


def guides_from_content(content_dir: str | Path) -> list[dict]:
    """Every guides/*.yaml of a content folder as a dict, in code order (files that do not
    parse raise ValueError naming the file)."""
    out = []
    for path in sorted((Path(content_dir) / "guides").glob("*.yaml")):
        try:
            data = load_plain_file(path)
        except (OSError, yaml.YAMLError, UnicodeDecodeError) as exc:
            raise ValueError(f"{path}: 无法解析（{str(exc).splitlines()[0][:80]}）") from None
        if isinstance(data, dict):
            out.append(data)
    return sorted(out, key=lambda g: str(g.get("code")))


def guides_from_release(instance_dir: str | Path) -> list[dict]:
    """The guides of the current release of an instance folder (ReleaseError when none)."""
    from guides.release import ReleaseError, ReleaseStore

    release = ReleaseStore(instance_dir).current()
    if release is None:
        raise ReleaseError(f"{instance_dir}: 还没有发布任何版本")
    # JSON mode: enums as their Chinese values, amounts as written; dates as ISO text
    return [g.model_dump(mode="json", exclude_none=True) for _, g in sorted(release.guides.items())]


__all__ = ["read_lists", "check_result", "categories_of", "to_draft_payloads", "iter_draft_payloads", "DraftPayload",
           "guides_from_content", "guides_from_release", "Problem"]
