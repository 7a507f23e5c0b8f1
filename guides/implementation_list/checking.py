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
from dataclasses import dataclass
from pathlib import Path

from guides.check_one import FieldFinding, check_guide, check_guide_text

PARALLEL_FROM = 400  # guides; below this a process pool costs more than it saves


@dataclass
class GuideFindings:
    """The checker's findings for one guide and its completeness (e.g. "85%（17/20）")."""
    findings: list[FieldFinding]
    completeness: str


def _check_one(args: tuple[dict | tuple[str, str], frozenset[str] | None, Path | None]) -> GuideFindings:
    subject, categories, forms_dir = args
    cats = set(categories) if categories is not None else None
    if isinstance(subject, tuple):  # (YAML text, file stem): findings also carry the line
        text, stem = subject
        result = check_guide_text(text, stem, categories=cats, forms_dir=forms_dir)
    else:
        result = check_guide(subject, categories=cats, forms_dir=forms_dir)
    return GuideFindings(result.findings, str(result.completeness) if result.completeness else "")


def check_guides(guides: dict[str, dict | tuple[str, str]], categories: set[str] | None = None,
                 forms_dir: Path | None = None) -> dict[str, GuideFindings]:
    """Findings per code, in the order of ``guides``; several processes for large imports.
    A guide is its dict, or (the YAML text about to be written, its file stem) when the
    findings should carry line numbers. ``categories``: the content folder's 主题分类 names;
    ``forms_dir``: its forms/ (E224)."""
    cats = frozenset(categories) if categories is not None else None
    jobs = [(data, cats, forms_dir) for data in guides.values()]
    workers = min(os.cpu_count() or 1, 8)
    if len(jobs) < PARALLEL_FROM or workers < 2:
        results = [_check_one(job) for job in jobs]
    else:
        ctx = multiprocessing.get_context("spawn")  # safe in threaded hosts
        with ProcessPoolExecutor(workers, mp_context=ctx) as pool:
            results = list(pool.map(_check_one, jobs, chunksize=128))
    return dict(zip(guides, results))
