"""Hall memos: what checking one hall as a whole found, reused while nothing it depends on changed.

A hall (content/halls/<id>/) is checked from its own files — hall.yaml, guides/*.yaml,
overrides/*.yaml — and from a little outside it: which shared guides exist and their
基本编码, the region codes, the category names (together `context_digest`), the hashes of the
shared guides it offers, and which codes earlier halls and the default hall already use
(E207). The memo keeps, as plain data, a *head* (every hall's in one file, read at each
check, with the hashes of the shared guides the heads were made with) and a *tail* (read only
when a shared guide the hall offers changed):

    head  stamps    SHA-256 of the hall folder's path and the stat (size, mtime_ns, ctime_ns,
                    inode) of every file of it the checker reads, by name (`hall_scan`)
          ctx       `context_digest` of the check that made it
          sources   the shared codes offered with an override or a local code (a tuple: the
                    part depends on these alone); `sources_digest` over their hashes
          findings  what the hall's files and the hall's rules found (guides.check_cache rows)
          own_paths own guide code -> "path:line" of its code (the E207 messages)
          local     local codes (an override's `code`) the E207 rule looks up among other halls'
          part      SHA-256 of the hall's release part (guides.hall_part), kept in the cache's
                    parts folder; `part_stat` (size, mtime_ns, ctime_ns, inode) of that file
                    when its bytes were last known to be those: when it was written or checked
                    against its SHA-256, taken again when the cache is saved (after a release
                    linked it: a new link changes the ctime)
          count     how many guides the hall offers
    tail  stamps    the head's `stamps` and `ctx` when the tail was written (a tail that does
          ctx       not fit its head is not used: the hall is checked again); the tail is
                    written when the hall is checked, not when only shared guides it offers
                    changed
          offers    (code, shared code) of each offer, in order
          overrides position -> (override, its text, guides.halls._override_text) for the
                    offers with an override
          resolved  resolve key -> SHA-256 (see guides.halls) of each offer with an override
                    or a local code when the hall was checked (the key names the shared
                    guide's hash: an entry is never wrong, only unused once it changed)

A memo is used when the stamps, `ctx` and `forms/` listing are those recorded, its part file
is the one recorded, and none of the hall's codes is taken by the default hall or an earlier
hall. The part is not read while its stat is `part_stat`: a write to the file changes its
ctime, which no one can set back, so a part edited in place (even with its mtime put back)
has another stat, is read and checked against its SHA-256, and is never linked into a release
when it differs.
When only some offered shared guides changed (their hashes against those recorded with the
heads), just those offers are resolved and hashed again and a new part written; the head is
brought up to date, the tail is not written (guides.halls). A memo is only kept for a hall
that passed and whose files were not modified within guides.check_cache.RACY_NS of the scan
(a write in the same clock tick could go unseen).
"""
from __future__ import annotations

import hashlib
import os
import time
from collections.abc import Mapping, MutableMapping
from typing import Any

from guides.check_cache import RACY_NS
from guides.hall_part import part_file_stat, same_part_file


def hall_scan(folder: str | os.PathLike,
              listings: MutableMapping[str, list[os.DirEntry]] | None = None) -> tuple[str, int, bool]:
    """(digest, number of files, settled) of hall folder `folder`: the SHA-256 of the path
    `folder` as given (what the hall's findings name its files by: a content folder moved, or
    given relative instead of absolute, is another scan) and of the stat (size, mtime_ns,
    ctime_ns, inode) of hall.yaml and every *.yaml of guides/ and overrides/ (the files the
    checker reads), by name, taken without reading any file; and
    whether none of them was modified within RACY_NS before the scan (only then is a memo
    kept: a write in the same clock tick as the check could go unseen). A missing file or
    folder is simply not listed. `listings` (folder path -> its entries, listed earlier in
    this check) spares listing guides/ and overrides/ again, and receives a listing made here:
    the check reads the files of these listings (guides.halls._yaml_files), so the memo records
    the stat of exactly the files checked; the stat is taken now."""
    scan_ns = time.time_ns()
    out: list[str] = []
    newest = 0
    base = os.fspath(folder)
    try:
        st = os.stat(os.path.join(base, "hall.yaml"), follow_symlinks=False)
        out.append(f"hall.yaml\0{st.st_size}\0{st.st_mtime_ns}\0{st.st_ctime_ns}\0{st.st_ino}")
        newest = st.st_mtime_ns
    except OSError:
        pass
    for sub in ("guides", "overrides"):
        path = os.path.join(base, sub)
        entries = listings.get(path) if listings is not None else None
        try:
            if entries is None:
                with os.scandir(path) as listed:
                    entries = list(listed)
                if listings is not None:  # the check reads the files of this very listing
                    listings[path] = entries
            for e in entries:
                if e.name.endswith(".yaml"):
                    try:
                        st = e.stat(follow_symlinks=False)
                    except FileNotFoundError:  # removed since it was listed
                        continue
                    out.append(f"{sub}/{e.name}\0{st.st_size}\0{st.st_mtime_ns}\0{st.st_ctime_ns}\0{st.st_ino}")
                    if st.st_mtime_ns > newest:
                        newest = st.st_mtime_ns
        except (FileNotFoundError, NotADirectoryError):
            continue
    out.sort()
    out.insert(0, base)  # findings and E207 messages name the files by this path
    return hashlib.sha256("\n".join(out).encode()).hexdigest(), len(out) - 1, newest < scan_ns - RACY_NS


def context_digest(shared_codes, basic_index: Mapping[str, list[str]], region_codes,
                   categories: set[str] | None) -> str:
    """SHA-256 over what every hall's check depends on outside the hall except the shared
    guides' hashes: the shared codes, the 基本编码 index, the region codes, the category names."""
    h = hashlib.sha256()
    for part in (sorted(shared_codes), sorted((k, tuple(v)) for k, v in basic_index.items()),
                 sorted(region_codes), None if categories is None else sorted(categories)):
        h.update(repr(part).encode("utf-8") + b"\0")
    return h.hexdigest()


def sources_digest(sources: tuple[str, ...], shared_hashes: Mapping[str, str]) -> str:
    """SHA-256 over the current hashes of the shared guides `sources` (codes): equal to the
    memo's while none of them changed."""
    return hashlib.sha256("\n".join(map(shared_hashes.__getitem__, sources)).encode()).hexdigest()


def part_now(memo: Any, parts_dir: str | os.PathLike) -> tuple[int, int, int, int] | None:
    """`part_file_stat` of the part file `memo` names in `parts_dir`, taken now (None when
    there is none)."""
    return part_file_stat(os.path.join(parts_dir, f"{memo.get('part')}.json")) if isinstance(memo, dict) else None


def usable(memo: Any, scan: str | None, ctx: str, part_stat: tuple[int, int, int, int] | None) -> bool:
    """True when `memo` was made from exactly these files (by stat) and this context, and
    its part file (`part_stat`: `part_now`) is still the file it wrote (`same_part_file`;
    whether its bytes can be trusted without reading them is `_reuse`'s question)."""
    return (isinstance(memo, dict) and scan is not None and memo.get("stamps") == scan and memo.get("ctx") == ctx
            and same_part_file(memo.get("part_stat"), part_stat))


def tail_fits(tail: Any, head: dict[str, Any]) -> bool:
    """True when `tail` was written from the very files `head` was (its `stamps`) and in its
    context (`ctx`: which shared guide a 基本编码 offer names is in it): a tail of another hall,
    of the hall's files as they were before, or of another context (a crash or a refused
    halls.index left an older head) does not fit."""
    return isinstance(tail, dict) and tail.get("stamps") == head["stamps"] and tail.get("ctx") == head["ctx"]


def collides(memo: dict[str, Any], taken: Mapping[str, str]) -> bool:
    """True when a code of the memo's hall is already used by the default hall or an earlier
    hall (the hall must then be checked again, to say where)."""
    return any(c in taken for c in memo["own_paths"]) or any(c in taken for c in memo["local"])
