"""A hall's part of a release: one file per hall, named in content.json by its SHA-256.

A release of several halls (guides.release) keeps each hall in a file of its own,
``R0007/halls/<id>.json``, whose bytes are the canonical JSON (sorted keys, no whitespace,
UTF-8) of::

    {"hashes":  {code: SHA-256 of the resolved guide's release form, ...} for the own guides
                and the offers with an override or a local code (an offer of a shared guide
                as it is has the shared guide's hash: a change of a shared guide leaves the
                parts of the halls that offer it unaltered unchanged),
     "offered": [{"code", "override", "source"}, ...],
     "own":     {code: the hall's own guide (release form), ...},
     "site":    hall.yaml's site data}

content.json's "halls" member maps each hall id to the SHA-256 of that file, so the release
hash (SHA-256 of content.json) covers every hall, and a hall whose part is unchanged keeps
the same file: a re-release links it (a hard link of an immutable file) instead of writing
and hashing it again. The checker's cache keeps the parts of the halls it checked the same
way (guides.check_cache, content-addressed by SHA-256), so a hall that did not change is
neither checked nor serialised again.
"""
from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from json.encoder import encode_basestring as _key  # a str as canonical JSON (ensure_ascii=False)
from pathlib import Path
from typing import Any, NamedTuple

from guides.atomicfile import fsync_dir
from guides.guideset import GuideSet, canonical_bytes
from guides.release_error import ReleaseError


class PartRef(NamedTuple):
    """Where a hall's part lies: SHA-256 (hex) of its bytes and the path of an immutable file
    holding exactly those bytes; `vouched` when this process has just written it or read it
    and checked it against `hash` (the checker does, for each hall its memo reuses), so
    linking it need not read it again."""
    hash: str
    path: str
    vouched: bool = False


class PartError(ReleaseError, ValueError):
    """A hall part file that is missing, unreadable, altered or not a hall part (a damaged
    release: pages and the device API answer 503); the message names the file."""


def part_bytes(own: GuideSet, offered_form: bytes, site_form: bytes, hashes: Mapping[str, str]) -> bytes:
    """The part of one hall: canonical JSON of {"hashes", "offered", "own", "site"}, assembled
    from release forms (`own` in code order, `offered_form` and `site_form` canonical JSON);
    byte for byte canonical_bytes of the parsed document."""
    own_members = b",".join(_key(c).encode("utf-8") + b":" + own.form(c) for c in sorted(own))
    return b"".join((b'{"hashes":', canonical_bytes(dict(sorted(hashes.items()))), b',"offered":', offered_form,
                     b',"own":{', own_members, b'},"site":', site_form, b"}"))


def is_plain(offer) -> bool:
    """True for an offer of a shared guide as it is (no override, the shared code): its
    resolved guide is the shared guide, and its hash is not kept in the hall's part."""
    return not offer.override and offer.code == offer.source


def part_hashes(own: GuideSet, offered, resolved: Mapping[str, str]) -> dict[str, str]:
    """The "hashes" of a part: each own guide's, and `resolved`'s for each offer that is not
    `is_plain`, sorted by code."""
    out = {code: own.hash(code) for code in own}
    out.update((o.code, resolved[o.code]) for o in offered if not is_plain(o))
    return dict(sorted(out.items()))


def part_file_stat(path: str | os.PathLike) -> tuple[int, int, int, int] | None:
    """(size, mtime_ns, ctime_ns, inode) of part file `path`, None when it cannot be read
    (symlinks are not followed: the cache only ever writes plain files)."""
    try:
        st = os.lstat(path)
    except OSError:
        return None
    return st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino


def same_part_file(seen: Any, now: tuple[int, int, int, int] | None) -> bool:
    """True when `part_file_stat` `now` is of the file `seen` (an earlier one) was taken of, not rewritten
    since (size, mtime and inode alike; the ctime may differ: a link or an edit changes it)."""
    return (now is not None and isinstance(seen, (tuple, list)) and len(seen) == 4
            and (now[0], now[1], now[3]) == (seen[0], seen[1], seen[3]))


def read_part(ref: PartRef) -> bytes:
    """The bytes of part `ref`, checked against its SHA-256 (PartError naming the file)."""
    try:
        with open(ref.path, "rb") as fh:  # not pathlib: a re-release reads 1,500 of these
            raw = fh.read()
    except OSError as exc:
        raise PartError(f"{ref.path}: 无法读取：{exc.strerror or exc}，该版本已损坏") from None
    if hashlib.sha256(raw).hexdigest() != ref.hash:
        raise PartError(f"{ref.path}: 内容哈希与版本记录不符，该版本已损坏")
    return raw


def part_document(raw: bytes, where: str) -> dict[str, Any]:
    """The parsed part `raw` (PartError naming `where` when it is not a hall part)."""
    try:
        doc = json.loads(raw)
    except ValueError as exc:
        raise PartError(f"{where}: 大厅数据无法解析：{exc}") from None
    if not isinstance(doc, dict) or set(doc) != {"hashes", "offered", "own", "site"}:
        raise PartError(f"{where}: 不是大厅数据（应有 hashes、offered、own、site）")
    return doc


_SITE = b',"site":'


def part_site_form(raw: bytes, where: str) -> bytes:
    """The "site" member of part `raw` (its release form) without parsing the rest: the part is
    canonical JSON (quotes inside strings escaped) whose last member is "site", and no key
    inside a guide, an offer or an override is named "site", so the last ``,"site":`` is that
    member. PartError naming `where` when it is not there."""
    at = raw.rfind(_SITE)
    if at < 0 or not raw.endswith(b"}"):
        raise PartError(f"{where}: 不是大厅数据（没有 site）")
    return raw[at + len(_SITE):-1]


def part_ref(hall) -> PartRef | None:
    """The part file `hall` was made from, while its members are still those of that file."""
    memo = hall.release_memo
    if memo is not None and len(memo) > 6 and memo[0] is hall.own and memo[1] is hall.offered \
            and memo[2] is hall.site_data:
        return memo[6]
    return None


def store_part(folder: str | os.PathLike, data: bytes, digest: str | None = None, sync: bool = True) -> PartRef:
    """Keep `data` in content-addressed folder `folder` as ``<sha256>.json`` (written once,
    fsynced, read-only: it may be hard-linked into a release as it is); the existing file
    when it holds these bytes. With `sync` False the caller fsyncs the file (`sync_parts`)
    before any release may link it. OSError when the folder cannot be written."""
    digest = digest or hashlib.sha256(data).hexdigest()
    folder = os.fspath(folder)
    path = os.path.join(folder, f"{digest}.json")
    try:
        if Path(path).read_bytes() == data:
            return PartRef(digest, path, True)
    except OSError:
        pass
    os.makedirs(folder, exist_ok=True)
    tmp = os.path.join(folder, f".part-{os.getpid()}")  # removed by the cache's next save if a crash left it
    try:
        if os.path.lexists(tmp):  # left read-only by a crash of an earlier process with this pid
            os.unlink(tmp)
        with open(tmp, "wb") as fh:
            fh.write(data)
            if sync:
                fh.flush()
                os.fsync(fh.fileno())
        os.chmod(tmp, 0o444)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return PartRef(digest, path, True)


def sync_parts(paths: list[str]) -> None:
    """fsync part files `paths` (written by `store_part` with sync=False) and their folders, a
    few at a time (the file system commits them together: a re-release writes hundreds).
    OSError when one cannot be synced."""
    if not paths:
        return
    with ThreadPoolExecutor(max_workers=8, thread_name_prefix="part-sync") as pool:
        list(pool.map(fsync_dir, [*paths, *sorted({os.path.dirname(p) for p in paths})]))


def link_part(ref: PartRef, dest: str | os.PathLike) -> None:
    """Put part `ref` at `dest`: a hard link when the file system allows one (the file is on
    disk already: the cache's parts are fsynced when written, a release's before it is made
    current), else a fsynced copy (read-only). A part not `vouched` for (another release's
    file) is read and checked first, so a damaged file is never carried into a new release
    (PartError)."""
    if not ref.vouched:
        read_part(ref)
    try:
        os.link(ref.path, dest)
        return
    except OSError:
        pass
    data = read_part(ref)
    with open(dest, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())
    os.chmod(dest, 0o444)
