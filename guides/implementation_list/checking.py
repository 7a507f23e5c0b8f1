"""Run the content checker (guides.check_one, the same rules as `guide-server check`) over
imported guides, so that absent elements and vague clauses show as usual.

The checker's findings never stop an import: an imported guide is a draft that editors
complete (a 实施清单 has no 易错范例, for one); the release step enforces them.
"""
from __future__ import annotations

import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor

from guides.check_one import FieldFinding, check_guide

PARALLEL_FROM = 400  # guides; below this a process pool costs more than it saves


def _check_one(args: tuple[dict, frozenset[str] | None]) -> list[FieldFinding]:
    data, categories = args
    return check_guide(data, categories=set(categories) if categories is not None else None).findings


def check_guides(guides: dict[str, dict], categories: set[str] | None = None) -> dict[str, list[FieldFinding]]:
    """Findings per code (errors and warnings), in the order of ``guides``."""
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
