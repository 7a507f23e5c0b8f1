"""What checking each content file found, kept between releases (incremental re-release).

Checking a guide file (parse, schema, rules, completeness) depends on that file's bytes
alone, plus the names of the files under content/forms/ that it may point to; so do a
hall.yaml's own findings, an override file's, and regions.yaml's. The cache keeps, per file
path, the SHA-256 of the bytes that were checked and what the check found, as plain tuples (findings, the
guide's release form, the lines cross-file messages point to). On the next check a file
whose bytes have the same SHA-256 is not parsed again; rules that span files (duplicate
codes, offers of unknown codes, overrides against the shared text, the region tree,
featured codes, categories) are always evaluated again from these per-file summaries.

Key of an entry: the path as the checker names it and the SHA-256 of the file's bytes. To
avoid reading every file, a file whose size, mtime_ns, ctime_ns and inode are those
recorded is taken as unchanged, unless it had been modified less than `RACY_NS` before it
was read (a write in the same clock tick could then go unseen); any other file is read and
hashed. ctime cannot be set back by a user, so an edit that restores size and mtime is
still seen.

A province has thousands of halls; so that a re-release costs what changed and not what
exists, each hall under content/halls/ also has a *hall memo* (guides.hall_memo): what
checking that hall as a whole found (its findings, the codes it uses, the SHA-256 of its
release part) keyed by the stat of every file in the hall folder and by what the hall
depends on outside it. A hall whose files and context are unchanged is neither parsed nor
checked again, and its part file (guides.hall_part, kept here by SHA-256) is linked into the
next release without being read.

On disk, under ``<instance>/release-cache/``: ``check-cache.bin`` (the files outside
content/halls/), ``halls.index`` (every hall's memo head, read in one go), per hall
``halls/<id>.files`` (that hall's per-file entries) and ``halls/<id>.memo`` (the rest of its
memo, read only when a shared guide it offers changed), and ``parts/<sha256>.json`` (the hall
parts the memos name). Each but the parts is a header (format, `code_version()`, SHA-256 of
the body) and a pickle of plain data (the unpickler refuses every class but dates). A file
written by another version of the checker, truncated or altered, or made for another
content/forms/ listing is ignored; when check-cache.bin itself is ignored or missing, so are
the hall files: everything is checked again. Files are renamed into place after a check (not
fsynced: a file torn by a crash fails its checksum); a hall file left older than
check-cache.bin by a crash is still only ever used for files whose stat it records, so it
cannot make a check wrong. The cache holds the files and halls of the last check only; a
check that will save it holds ``.lock`` (`held`) from reading it to saving it. Like
the rest of the instance folder it is written by the server's own user; it is not content
and never lives in content/.
"""
from __future__ import annotations

import contextlib
import fcntl
import functools
import gc
import hashlib
import io
import os
import pickle
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pydantic

from guides.findings import Finding, Severity
from guides.hall_part import part_file_stat, same_part_file
from guides.yamlsource import read_limited

FORMAT = b"GSCC5"
FOLDER = "release-cache"
FILE = "check-cache.bin"
HALLS = "halls"  # per-hall files, under FOLDER
INDEX = "halls.index"  # the memo heads of all halls, under FOLDER
LOCK = ".lock"  # under FOLDER: held by a check that will save the cache (`held`)
PARTS = "parts"  # hall parts by SHA-256, under FOLDER (guides.hall_part.store_part)
RACY_NS = 2_000_000_000  # a file modified this close to its reading is hashed again
# a hall part whose ctime is this close to the moment its stat is recorded is read next time:
# file times come from the kernel's coarse clock, which ticks at least every 10 ms (HZ >= 100),
# so a later write gets another ctime only once the clock has ticked past this one
PART_RACY_NS = 20_000_000


@functools.cache
def code_version() -> str:
    """SHA-256 of what the checker's findings depend on besides the content: every file under
    guides/ and zhtext/ (code, word lists, the font the glyph rule reads), pydantic's and
    Python's versions. Computed once per process, on first use."""
    h = hashlib.sha256(FORMAT)
    top = Path(__file__).resolve().parent.parent
    for package in ("guides", "zhtext"):
        for path in sorted((top / package).rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts:
                h.update(str(path.relative_to(top)).encode() + b"\0" + path.read_bytes() + b"\0")
    h.update(f"{pydantic.VERSION}|{sys.version_info[:3]}".encode())
    return h.hexdigest()


_PLAIN = {("datetime", "date"), ("datetime", "datetime"), ("datetime", "time"), ("datetime", "timedelta"),
          ("datetime", "timezone")}


class _Unpickler(pickle.Unpickler):
    """Plain data only (the values YAML gives, dates included): a cache file cannot make the
    loader import or call anything."""

    def find_class(self, module: str, name: str) -> Any:
        if (module, name) in _PLAIN:
            return super().find_class(module, name)
        raise pickle.UnpicklingError(f"{module}.{name} is not allowed in a check cache")


def file_digest(raw: bytes) -> str:
    return hashlib.sha256(raw).hexdigest()


Stamp = tuple  # (size, mtime_ns, ctime_ns, ino, read_ns, sha256) of the bytes a check read


def read_source(path: Path) -> tuple[bytes, Stamp]:
    """The bytes of `path` and their stamp: the file's stat taken before reading (so a
    later write always shows as a changed stat), the time of reading and the SHA-256.
    OSError as Path.read_bytes; guides.yamlsource.SourceRefused for a symlink or a file
    over guides.yamlsource.MAX_BYTES."""
    st = os.lstat(path)
    read_ns = time.time_ns()
    raw = read_limited(path)  # no symlink followed, at most MAX_BYTES (SourceRefused)
    return raw, (st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino, read_ns, file_digest(raw))


@contextlib.contextmanager
def held(instance: str | Path, on_wait: Callable[[], None] | None = None):
    """Keep other checks with the cache of instance folder `instance` out for a block of work
    (an flock on release-cache/.lock, so across processes): `guide-server release` holds it
    from reading the cache to saving it, as a save removes the parts its own check does not
    name, among them those another check has written and its release is about to link. A
    second release waits its turn (`on_wait` is called first, to say so). When the lock file
    cannot be opened (a folder that cannot be written) the block runs without it: such a cache
    cannot be saved either."""
    try:
        folder = Path(instance) / FOLDER
        folder.mkdir(parents=True, exist_ok=True)
        fh = open(folder / LOCK, "a")
    except OSError:
        yield
        return
    with fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            if on_wait is not None:
                on_wait()
            fcntl.flock(fh, fcntl.LOCK_EX)
        yield


class CheckCache:
    """Per-file check results and hall memos of one instance folder; see the module text.

    `get(kind, path)` gives the summary stored for the file's current bytes or None;
    `put(kind, path, stamp, summary)` records a fresh one; `hall_memo(id)`,
    `keep_hall(id)` and `put_hall(id, memo)` read and record hall memos; `save()` writes
    what this check used. `status` says whether the file was used ("loaded"), absent
    ("empty") or ignored and why; `hits` / `misses` count the files taken from the cache
    (a reused hall counts all its files) and the files parsed."""

    def __init__(self, instance: str | Path):
        self.path = Path(instance) / FOLDER / FILE
        self.halls_dir = self.path.parent / HALLS
        self.index_path = self.path.parent / INDEX
        self.parts_dir = self.path.parent / PARTS
        self.forms_listing: tuple[str, ...] | None = None
        self._forms_old: tuple[str, ...] | None = None
        self._forms_sha: str | None = None
        # (kind, path) -> (size, mtime_ns, ctime_ns, ino, read_ns, sha256, summary): the
        # file's stat before it was read, when it was read, the SHA-256 of the bytes checked
        self._old: dict[tuple[str, str], tuple] = {}
        self._new: dict[tuple[str, str], tuple] = {}
        self._halls_prefix: str | None = None
        self._hall_old: dict[str, dict] = {}     # hall id -> its per-file entries (read when first needed)
        self._hall_new: dict[str, dict] = {}     # hall id -> entries used by this check
        self._heads_old: dict[str, Any] | None = None  # hall id -> memo head (halls.index, read when first needed)
        self._heads_new: dict[str, Any] = {}     # hall id -> memo head kept by this check
        self._shared_old: dict[str, str] = {}    # shared code -> hash the old heads were made with
        self._shared_new: dict[str, str] = {}    # shared code -> hash of this check
        self._tails_new: dict[str, Any] = {}     # hall id -> memo tail to write (None: remove it)
        self._halls_seen: set[str] | None = None  # None: this check did not go through content/halls/
        self.hits = self.misses = 0
        self.status = "empty"
        self._load()

    # -- the files -------------------------------------------------------------------------
    def _read_blob(self, path: Path) -> tuple[Any, str]:
        """(data, "loaded") of one cache file, or (None, why it is ignored)."""
        try:
            raw = path.read_bytes()
        except FileNotFoundError:
            return None, "empty"
        except OSError as exc:
            return None, f"ignored: unreadable ({exc.strerror})"
        head, sep, body = raw.partition(b"\n\n")
        fields = head.split(b"\n")
        if not sep or len(fields) != 3 or fields[0] != FORMAT:
            return None, "ignored: not a check cache"
        if fields[1].decode("ascii", "replace") != code_version():
            return None, "ignored: written by another version of the checker"
        if fields[2].decode("ascii", "replace") != hashlib.sha256(body).hexdigest():
            return None, "ignored: corrupt (checksum differs)"
        gc_was = gc.isenabled()
        gc.disable()  # unpickling tens of thousands of tuples: no use collecting meanwhile
        try:
            return _Unpickler(io.BytesIO(body)).load(), "loaded"
        except Exception as exc:  # any damage: the cache is only ever an optimisation
            return None, f"ignored: unreadable ({type(exc).__name__})"
        finally:
            if gc_was:
                gc.enable()

    @staticmethod
    def _write_blob(path: Path, data: Any) -> None:
        body = pickle.dumps(data, protocol=pickle.HIGHEST_PROTOCOL)
        head = b"\n".join([FORMAT, code_version().encode(), hashlib.sha256(body).hexdigest().encode()])
        path.parent.mkdir(parents=True, exist_ok=True)
        # a name of this process's own (no two checkers write one temporary file); one a crash
        # left is removed by the next save
        tmp = path.parent / f".{path.name}.{os.getpid()}"
        try:
            with open(tmp, "wb") as fh:
                fh.write(head + b"\n\n" + body)
            os.replace(tmp, path)  # not fsynced: a file torn by a crash fails its checksum
        finally:
            tmp.unlink(missing_ok=True)

    def _load(self) -> None:
        data, self.status = self._read_blob(self.path)
        if data is None:
            return
        try:
            forms, entries = tuple(data["forms"]), dict(data["entries"])
        except Exception as exc:
            self.status = f"ignored: unreadable ({type(exc).__name__})"
            return
        self._old, self._forms_old = entries, forms

    def use_forms(self, listing: tuple[str, ...]) -> None:
        """The checker calls this first with the content's forms/ listing (`forms_listing`):
        guide rules look at which attachments exist, so a cache made for another listing is
        dropped."""
        self.forms_listing = listing
        self._forms_sha = None
        if self.status == "loaded" and self._forms_old != listing:
            self._old = {}
            self.status = "ignored: content/forms/ changed"

    def use_root(self, root: Path | str) -> None:
        """The content folder being checked: entries of files under its halls/ are kept per hall."""
        self._halls_prefix = str(Path(root) / "halls") + os.sep

    def _hall_of(self, path: str) -> str | None:
        prefix = self._halls_prefix
        if prefix is None or not path.startswith(prefix):
            return None
        return path[len(prefix):].split(os.sep, 1)[0]

    def _hall_blob(self, hall_id: str, suffix: str) -> Any:
        """The data of one hall's cache file when usable with this check, else None."""
        if self.status != "loaded":
            return None
        data, _ = self._read_blob(self.halls_dir / f"{hall_id}.{suffix}")
        if not isinstance(data, dict) or data.get("forms") != self._forms_digest():
            return None
        return data.get("data")

    def _forms_digest(self) -> str:
        """SHA-256 of the forms/ listing (what a hall file records instead of the listing)."""
        if self._forms_sha is None:
            self._forms_sha = hashlib.sha256("\0".join(self.forms_listing or ()).encode()).hexdigest()
        return self._forms_sha

    def _entries(self, hall_id: str | None) -> dict:
        if hall_id is None:
            return self._old
        entries = self._hall_old.get(hall_id)
        if entries is None:
            entries = self._hall_old[hall_id] = self._hall_blob(hall_id, "files") or {}
        return entries

    def save(self) -> None:
        """Write the entries and hall memos of this check (renamed into place; errors are
        swallowed: a cache that cannot be written only costs time next time). Called after
        the checked content is published, it records each hall part's stat as the release
        left it, and the next check need not read the parts (see guides.hall_memo)."""
        if self.forms_listing is None:
            return
        try:
            self._write_blob(self.path, {"forms": self.forms_listing, "entries": self._new})
            for name in (FILE, INDEX):  # temporary files of a process killed while writing them
                for p in self.path.parent.glob(f".{name}.*"):
                    p.unlink(missing_ok=True)
            for hall_id, entries in self._hall_new.items():
                self._write_blob(self.halls_dir / f"{hall_id}.files", {"forms": self._forms_digest(), "data": entries})
            for hall_id, tail in self._tails_new.items():
                if tail is None:
                    (self.halls_dir / f"{hall_id}.memo").unlink(missing_ok=True)
                else:
                    self._write_blob(self.halls_dir / f"{hall_id}.memo", {"forms": self._forms_digest(), "data": tail})
            if self._halls_seen is None:
                return
            heads = {}
            for h in sorted(self._heads_new):
                if h in self._halls_seen:
                    head = self._part_seen(self._heads_new[h])
                    if head is not None:
                        heads[h] = head
            self._write_blob(self.index_path, {"forms": self._forms_digest(), "data": heads,
                                               "shared": self._shared_new if heads else {}})
            if self.halls_dir.is_dir():
                for p in self.halls_dir.iterdir():  # halls gone from content/halls/
                    if p.name.partition(".")[0] not in self._halls_seen:
                        p.unlink(missing_ok=True)
            if self.parts_dir.is_dir():
                named = {f"{head['part']}.json" for head in heads.values()}
                for p in self.parts_dir.iterdir():  # parts no memo names (a release keeps its own link)
                    if p.name not in named:
                        p.unlink(missing_ok=True)
        except OSError:
            pass

    # -- hall memos ------------------------------------------------------------------------
    def _part_seen(self, head: Any) -> Any:
        """`head` with its part's stat taken now (a release that linked the part since it was
        written or checked changed its ctime: recorded, the next check need not read it); None
        when the file is no longer the one this check wrote or checked (the memo is dropped).
        A ctime within PART_RACY_NS of now, or in whole seconds (a file system that keeps no
        finer times), is recorded as -1: a write in the same clock tick would keep it, so the
        next check reads the part."""
        try:
            now = part_file_stat(os.path.join(self.parts_dir, f"{head['part']}.json"))  # not pathlib: 1,500 of them
            if not same_part_file(head["part_stat"], now):
                return None
        except (TypeError, KeyError):
            return None
        if now[2] % 1_000_000_000 == 0 or time.time_ns() - now[2] < PART_RACY_NS:
            now = (now[0], now[1], -1, now[3])
        return head if now == head["part_stat"] else {**head, "part_stat": now}

    def halls_checked(self) -> None:
        """The checker went through content/halls/: halls not recorded by this check are
        removed from the cache when it is saved."""
        if self._halls_seen is None:
            self._halls_seen = set()

    def _index(self) -> None:
        """Read halls.index once: the memo heads and the shared guides' hashes they were made with."""
        if self._heads_old is None:
            data = None
            if self.status == "loaded":
                data, _ = self._read_blob(self.index_path)
            fits = isinstance(data, dict) and data.get("forms") == self._forms_digest()
            heads, shared = (data.get("data"), data.get("shared")) if fits else (None, None)
            self._heads_old = heads if isinstance(heads, dict) else {}
            self._shared_old = shared if isinstance(shared, dict) and isinstance(heads, dict) else {}

    def hall_memo(self, hall_id: str) -> Any:
        """The memo head recorded for hall `hall_id` (plain data, see guides.hall_memo) or None."""
        self._index()
        return self._heads_old.get(hall_id)

    def memo_shared_hashes(self) -> dict[str, str]:
        """Shared guide code -> SHA-256 (hex) as the check that wrote the memo heads saw them:
        every head was made, or brought up to date, with these."""
        self._index()
        return self._shared_old

    def use_shared_hashes(self, hashes: dict[str, str]) -> None:
        """The shared guides' hashes of this check (code -> SHA-256 hex), recorded with the heads."""
        self._shared_new = hashes

    def hall_tail(self, hall_id: str) -> Any:
        """The rest of hall `hall_id`'s memo (what resolving its offers again needs) or None."""
        return self._hall_blob(hall_id, "memo")

    def keep_hall(self, hall_id: str, files: int, head: Any = None) -> None:
        """Hall `hall_id` was reused as its memo says: its `files` files count as hits, its
        per-hall files stay as they are, and its head (`head`, or the one recorded) is kept."""
        self.halls_checked()
        self._halls_seen.add(hall_id)
        self.hits += files
        head = head if head is not None else self.hall_memo(hall_id)
        if head is not None:
            self._heads_new[hall_id] = head

    def put_hall(self, hall_id: str, head: Any, tail: Any = None) -> None:
        """Record the memo of hall `hall_id` made by this check: its `head` and `tail`
        (None: keep none)."""
        self.halls_checked()
        self._halls_seen.add(hall_id)
        if head is None:
            self._heads_new.pop(hall_id, None)
            self._tails_new[hall_id] = None
        else:
            self._heads_new[hall_id] = head
            self._tails_new[hall_id] = tail

    # -- lookups ---------------------------------------------------------------------------
    def get(self, kind: str, path: Path | str) -> Any:
        """The summary of file `path` (checked as `kind`) when its bytes are those recorded."""
        key = (kind, str(path))
        hall_id = self._hall_of(key[1])
        entry = self._entries(hall_id).get(key)
        if entry is None:
            self.misses += 1
            return None
        try:
            st = os.stat(path)
        except OSError:
            self.misses += 1
            return None
        size, mtime_ns, ctime_ns, ino, read_ns, digest, summary = entry
        same_stat = (st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino) == (size, mtime_ns, ctime_ns, ino)
        if not (same_stat and mtime_ns < read_ns - RACY_NS):
            read_ns = time.time_ns()
            try:
                raw = Path(path).read_bytes()
            except OSError:
                self.misses += 1
                return None
            if file_digest(raw) != digest:
                self.misses += 1
                return None
            entry = (st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino, read_ns, digest, summary)
        self._target(hall_id)[key] = entry
        self.hits += 1
        return summary

    def put(self, kind: str, path: Path | str, stamp: "Stamp | None", summary: Any) -> None:
        """Record what checking `path` found; `stamp` is `read_source`'s for the bytes that
        were checked (None: the file could not be read, nothing is recorded)."""
        if stamp is not None:
            key = (kind, str(path))
            self._target(self._hall_of(key[1]))[key] = (*stamp, summary)

    def _target(self, hall_id: str | None) -> dict:
        return self._new if hall_id is None else self._hall_new.setdefault(hall_id, {})


def pack_findings(findings: list[Finding]) -> tuple:
    """Findings as plain tuples, for the cache. Their strings are interned: pickle writes an
    object it has seen once, so the ~15,000 warnings of a province's memo index (a few dozen
    distinct messages, a few per file) take a third less room and half the time to write."""
    intern = sys.intern
    return tuple((intern(f.path), f.line, intern(f.code), intern(f.message), intern(f.severity.value))
                 for f in findings)


_SEVERITY = {s.value: s for s in Severity}  # a dict lookup: a province's memos hold ~15,000 warnings


def unpack_findings(rows: tuple) -> list[Finding]:
    """Findings from `pack_findings` rows (KeyError for an unknown severity)."""
    severity = _SEVERITY
    return [Finding(p, line, code, msg, severity[sev]) for p, line, code, msg, sev in rows]


def forms_listing(forms: Path) -> tuple[str, ...]:
    """The files under content/forms/ (relative paths, sorted): what guide rules look at."""
    if not forms.is_dir():
        return ()
    return tuple(sorted(str(p.relative_to(forms)) for p in forms.rglob("*") if p.is_file()))
