"""Run the content checker over imported guides, so that absent elements and vague clauses
show as usual: guides.check_one (the schema and rules of `guide-server check`) plus the
W401 warning for each absent recommended element (guides.completeness).

The checker's findings never stop an import: an imported guide is a draft that editors
complete (a 实施清单 has no 易错范例, for one); the release step enforces them.
"""
from __future__ import annotations

import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass

from guides.check_one import FieldFinding, check_guide
from guides.completeness import completeness
from guides.findings import Severity

PARALLEL_FROM = 400  # guides; below this a process pool costs more than it saves


@dataclass
class GuideFindings:
    """The checker's findings for one guide and its completeness (e.g. "85%（17/20）")."""
    findings: list[FieldFinding]
    completeness: str


def _check_one(args: tuple[dict, frozenset[str] | None]) -> GuideFindings:
    data, categories = args
    findings = list(check_guide(data, categories=set(categories) if categories is not None else None).findings)
    done = completeness(data)
    if not any(f.code == "W401" for f in findings):
        for m in done.missing:
            findings.append(FieldFinding(m.parent + (m.key,), "W401",
                                         f"缺少推荐要素：{m.label} 未载明，各终端将不显示此项", Severity.warning))
    return GuideFindings(findings, str(done))


def check_guides(guides: dict[str, dict], categories: set[str] | None = None) -> dict[str, GuideFindings]:
    """Findings per code, in the order of ``guides``; several processes for large imports."""
    cats = frozenset(categories) if categories is not None else None
    jobs = [(data, cats) for data in guides.values()]
    workers = min(os.cpu_count() or 1, 8)
    if len(jobs) < PARALLEL_FROM or workers < 2:
        results = [_check_one(job) for job in jobs]
    else:
        ctx = multiprocessing.get_context("spawn")  # safe in threaded hosts
        with ProcessPoolExecutor(workers, mp_context=ctx) as pool:
            results = list(pool.map(_check_one, jobs, chunksize=128))
    return dict(zip(guides, results))
