"""Hall memos: what checking one hall as a whole found, reused while nothing it depends on changed.

A hall (content/halls/<id>/) is checked from its own files — hall.yaml, guides/*.yaml,
overrides/*.yaml — and from a little outside it: which shared guides exist and their
基本编码, the region codes, the category names (together `context_digest`), the hashes of the
shared guides it offers, and which codes earlier halls and the default hall already use
(E207). The memo keeps, as plain data:

    stamps    SHA-256 of the stat (size, mtime_ns, ctime_ns, inode) of every file of the hall
              folder the checker reads, by name (`hall_scan`)
    ctx       `context_digest` of the check that made it
    sources   the shared codes offered, one per line; `sources_digest` over their guides'
              hashes, `source_hashes` those hashes (32 bytes each)
    findings  what the hall's files and the hall's rules found (guides.check_cache rows)
    site_form hall.yaml's data as its release form (validated when first used)
    own       own guide code -> release form; `own_paths` code -> the file it came from
    offered_form  the release form of the offered list; `overrides` position -> (override,
              its text, guides.halls._override_text) for the offers with an override
    local     local codes (an override's `code`) the E207 rule looks up among other halls'
    hashes    code -> SHA-256 of each resolved guide the hall offers (the manifest's entry)
    resolved  resolve key -> SHA-256 (see guides.halls), for the next check

A memo is used when the stamps, `ctx` and `forms/` listing are those recorded and none of the
hall's codes is taken by the default hall or an earlier hall. When only some offered shared
guides changed, just those offers are resolved and hashed again (guides.halls). A memo is only
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


def hall_scan(folder: str | os.PathLike) -> tuple[str, int, bool]:
    """(digest, number of files, settled) of hall folder `folder`: the SHA-256 of the stat
    (size, mtime_ns, ctime_ns, inode) of hall.yaml and every *.yaml of guides/ and
    overrides/ (the files the checker reads), by name, taken without reading any file; and
    whether none of them was modified within RACY_NS before the scan (only then is a memo
    kept: a write in the same clock tick as the check could go unseen). A missing file or
    folder is simply not listed."""
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
                stats = [(e.name, e.stat(follow_symlinks=False)) for e in entries if e.name.endswith(".yaml")]
        except (FileNotFoundError, NotADirectoryError):
            continue
        out.extend((f"{sub}/{name}", st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino) for name, st in stats)
    out.sort()
    newest = max((row[2] for row in out), default=0)
    return hashlib.sha256(repr(out).encode()).hexdigest(), len(out), newest < scan_ns - RACY_NS


def context_digest(shared_codes, basic_index: Mapping[str, list[str]], region_codes,
                   categories: set[str] | None) -> str:
    """SHA-256 over what every hall's check depends on outside the hall except the shared
    guides' hashes: the shared codes, the 基本编码 index, the region codes, the category names."""
    h = hashlib.sha256()
    for part in (sorted(shared_codes), sorted((k, tuple(v)) for k, v in basic_index.items()),
                 sorted(region_codes), None if categories is None else sorted(categories)):
        h.update(repr(part).encode("utf-8") + b"\0")
    return h.hexdigest()


def sources_digest(sources: str, shared_hashes: Mapping[str, str]) -> str:
    """SHA-256 over the current hashes of the shared guides named in `sources` (codes, one
    per line): equal to the memo's while none of them changed."""
    return hashlib.sha256("\n".join(map(shared_hashes.__getitem__, _codes(sources))).encode()).hexdigest()


def source_hashes(sources: str, shared_hashes: Mapping[str, str]) -> bytes:
    """The hashes of the shared guides named in `sources`, 32 raw bytes each, in order."""
    return b"".join(bytes.fromhex(shared_hashes[s]) for s in _codes(sources))


def _codes(sources: str) -> list[str]:
    return sources.split("\n") if sources else []


def usable(memo: Any, scan: str | None, ctx: str) -> bool:
    """True when `memo` was made from exactly these files (by stat) and this context."""
    return isinstance(memo, dict) and scan is not None and memo.get("stamps") == scan and memo.get("ctx") == ctx


def collides(memo: dict[str, Any], taken: Mapping[str, str]) -> bool:
    """True when a code of the memo's hall is already used by the default hall or an earlier
    hall (the hall must then be checked again, to say where)."""
    return any(c in taken for c in memo["own_paths"]) or any(c in taken for c in memo["local"])


def changed_sources(memo: dict[str, Any], shared_hashes: Mapping[str, str]) -> set[str]:
    """The shared codes the hall offers whose guide changed since the memo was made."""
    old = memo["source_hashes"]
    return {s for i, s in enumerate(_codes(memo["sources"]))
            if old[32 * i:32 * i + 32] != bytes.fromhex(shared_hashes[s])}
