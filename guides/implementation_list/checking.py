"""Run the content checker over imported guides, so that absent elements and vague clauses
show as usual: guides.check_one, the schema and rules of `guide-server check`, with the W401
warning for each absent recommended element and the guide's completeness figure.

The checker's findings never stop an import: an imported guide is a draft that editors
complete (a 实施清单 has no 易错范例, for one); the release step enforces them.
"""
from __future__ import annotations

import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path


from guides.check_one import FieldFinding, check_guide
from guides.implementation_list.yamlout import dump_guide, line_of

PARALLEL_FROM = 400  # guides; below this a process pool costs more than it saves


@dataclass
class GuideFindings:
    """The checker's findings for one guide and its completeness (e.g. "85%（17/20）")."""
    findings: list[FieldFinding]
    completeness: str


def _check_one(args: tuple[dict, frozenset[str] | None, Path | None]) -> GuideFindings:
    data, categories, forms_dir = args
    result = check_guide(data, categories=set(categories) if categories is not None else None, forms_dir=forms_dir)
    return GuideFindings(result.findings, str(result.completeness) if result.completeness else "")


def _dump_and_check(args: tuple[dict, frozenset[str] | None, Path | None]) -> tuple[str, GuideFindings]:
    data, categories, forms_dir = args
    text = dump_guide(data)
    checked = _check_one((data, categories, forms_dir))
    lines = text.split("\n")
    checked.findings = [replace(f, line=line_of(lines, f.path)) for f in checked.findings]
    return text, checked


def _pool_map(func, jobs: list) -> list:
    workers = min(os.cpu_count() or 1, 8)
    if len(jobs) < PARALLEL_FROM or workers < 2:
        return [func(job) for job in jobs]
    ctx = multiprocessing.get_context("spawn")  # safe in threaded hosts
    with ProcessPoolExecutor(workers, mp_context=ctx) as pool:
        return list(pool.map(func, jobs, chunksize=128))


def dump_and_check(guides: dict[str, dict], categories: set[str] | None = None,
                   forms_dir: Path | None = None) -> dict[str, tuple[str, GuideFindings]]:
    """For writing: each guide's YAML text and its findings with the line they point at in
    that text, by code; both done in the worker processes (the dumping costs as much as the
    checking)."""
    cats = frozenset(categories) if categories is not None else None
    results = _pool_map(_dump_and_check, [(data, cats, forms_dir) for data in guides.values()])
    return dict(zip(guides, results))


def check_guides(guides: dict[str, dict], categories: set[str] | None = None,
                 forms_dir: Path | None = None) -> dict[str, GuideFindings]:
    """Findings per code (field paths, no lines), in the order of ``guides``; several
    processes for large imports. ``categories``: the content folder's 主题分类 names;
    ``forms_dir``: its forms/ (E224)."""
    cats = frozenset(categories) if categories is not None else None
    results = _pool_map(_check_one, [(data, cats, forms_dir) for data in guides.values()])
    return dict(zip(guides, results))
