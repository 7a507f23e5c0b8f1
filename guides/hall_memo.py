"""Hall memos: what checking one hall as a whole found, reused while nothing it depends on changed.

A hall (content/halls/<id>/) is checked from its own files — hall.yaml, guides/*.yaml,
overrides/*.yaml — and from a little outside it: which shared guides exist and their
基本编码, the region codes, the category names (together `context_digest`), the hashes of the
shared guides it offers, and which codes earlier halls and the default hall already use
(E207). The memo keeps, as plain data:

    stamps    the stat (size, mtime_ns, ctime_ns, inode) of every file of the hall folder the
              checker reads, by name (`hall_stamps`)
    ctx       `context_digest` of the check that made it
    sources   shared code -> SHA-256 of the shared guide, for every shared guide offered
    findings  what the hall's files and the hall's rules found (guides.check_cache rows)
    site      hall.yaml's data (validated when first used), `site_form` its release form
    own       own guide code -> release form; `own_paths` code -> the file it came from
    offered   rows (code, source, override, SHA-256 of the resolved guide) as guides.halls.OfferedGuide
              takes them; `overs` the overrides' texts (guides.halls._override_text)
    offered_form  the release form of the offered list
    local     local codes (an override's `code`) the E207 rule looks up among other halls'
    hashes    code -> SHA-256 of each resolved guide the hall offers (the manifest's entry)
    resolved  resolve key -> SHA-256 (see guides.halls), for the next check

A memo is used when the stamps, `ctx` and `forms/` listing are those recorded and none of the
hall's codes is taken by the default hall or an earlier hall. When only some offered shared
guides changed, just those offers are resolved and hashed again (`refresh`). A memo is only
kept for a hall that passed and whose files were not modified within
guides.check_cache.RACY_NS of the scan (a write in the same clock tick could go unseen).
"""
from __future__ import annotations

import hashlib
import os
import time
from collections.abc import Mapping
from typing import Any

from guides.check_cache import RACY_NS

Stamps = tuple  # ((relative name, size, mtime_ns, ctime_ns, inode), ...), sorted by name


def hall_stamps(folder: str | os.PathLike) -> tuple[int, Stamps]:
    """(time of the scan in ns, stamps) of hall folder `folder`: hall.yaml and every *.yaml of
    guides/ and overrides/ (the files the checker reads), without reading any of them. A
    missing file or folder is simply not listed."""
    scan_ns = time.time_ns()
    out: list[tuple] = []
    base = os.fspath(folder)
    try:
        st = os.stat(os.path.join(base, "hall.yaml"), follow_symlinks=False)
        out.append(("hall.yaml", st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino))
    except OSError:
        pass
    for sub in ("guides", "overrides"):
        try:
            with os.scandir(os.path.join(base, sub)) as entries:
                for entry in entries:
                    if entry.name.endswith(".yaml"):
                        st = entry.stat(follow_symlinks=False)
                        out.append((f"{sub}/{entry.name}", st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino))
        except (FileNotFoundError, NotADirectoryError):
            continue
    out.sort()
    return scan_ns, tuple(out)


def settled(scan: tuple[int, Stamps]) -> bool:
    """True when no file of the scan was modified within RACY_NS before it."""
    scan_ns, stamps = scan
    return all(row[2] < scan_ns - RACY_NS for row in stamps)


def context_digest(shared_codes, basic_index: Mapping[str, list[str]], region_codes,
                   categories: set[str] | None) -> str:
    """SHA-256 over what every hall's check depends on outside the hall except the shared
    guides' hashes: the shared codes, the 基本编码 index, the region codes, the category names."""
    h = hashlib.sha256()
    for part in (sorted(shared_codes), sorted((k, tuple(v)) for k, v in basic_index.items()),
                 sorted(region_codes), None if categories is None else sorted(categories)):
        h.update(repr(part).encode("utf-8") + b"\0")
    return h.hexdigest()


def usable(memo: Any, scan: tuple[int, Stamps], ctx: str) -> bool:
    """True when `memo` was made from exactly these files (by stat) and this context."""
    return (isinstance(memo, dict) and memo.get("stamps") == scan[1] and memo.get("ctx") == ctx)


def collides(memo: dict[str, Any], taken: Mapping[str, str]) -> bool:
    """True when a code of the memo's hall is already used by the default hall or an earlier
    hall (the hall must then be checked again, to say where)."""
    return any(c in taken for c in memo["own_paths"]) or any(c in taken for c in memo["local"])


def changed_sources(memo: dict[str, Any], shared_hashes: Mapping[str, str]) -> list[str]:
    """The shared codes the hall offers whose guide changed since the memo was made."""
    sources = memo["sources"]
    if sources.items() <= shared_hashes.items():
        return []
    return [s for s, h in sources.items() if shared_hashes.get(s) != h]
