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

The cache is one file, ``<instance>/release-cache/check-cache.bin``: a header (format,
`code_version()`, SHA-256 of the body) and a pickle of plain data (the unpickler refuses every
class but dates). A cache written by another version of the checker, a
truncated or altered file, or one for another content/forms/ listing is ignored as a whole:
everything is checked again. It is renamed into place after a check (not fsynced: a file
torn by a crash fails its checksum) and holds the files of that check only. Like the rest of the instance folder it is written by the server's own
user; it is not content and never lives in content/.
"""
from __future__ import annotations

import functools
import hashlib
import io
import os
import pickle
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import pydantic

from guides.findings import Finding, Severity
from guides.yamlsource import read_limited

FORMAT = b"GSCC2"
FOLDER = "release-cache"
FILE = "check-cache.bin"
RACY_NS = 2_000_000_000  # a file modified this close to its reading is hashed again


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


class CheckCache:
    """Per-file check results of one instance folder; see the module text.

    `get(kind, path)` gives the summary stored for the file's current bytes or None;
    `put(kind, path, stamp, summary)` records a fresh one; `save()` writes the
    entries used by this check. `status` says whether the file was used ("loaded"), absent
    ("empty") or ignored and why; `hits` / `misses` count the lookups."""

    def __init__(self, instance: str | Path):
        self.path = Path(instance) / FOLDER / FILE
        self.forms_listing: tuple[str, ...] | None = None
        self._forms_old: tuple[str, ...] | None = None
        # (kind, path) -> (size, mtime_ns, ctime_ns, ino, read_ns, sha256, summary): the
        # file's stat before it was read, when it was read, the SHA-256 of the bytes checked
        self._old: dict[tuple[str, str], tuple] = {}
        self._new: dict[tuple[str, str], tuple] = {}
        self.resolved_old: dict[str, str] = {}
        self.resolved: dict[str, str] = {}
        self.hits = self.misses = 0
        self.status = "empty"
        self._load()

    # -- the file --------------------------------------------------------------------------
    def _load(self) -> None:
        try:
            raw = self.path.read_bytes()
        except FileNotFoundError:
            return
        except OSError as exc:
            self.status = f"ignored: unreadable ({exc.strerror})"
            return
        head, sep, body = raw.partition(b"\n\n")
        fields = head.split(b"\n")
        if not sep or len(fields) != 3 or fields[0] != FORMAT:
            self.status = "ignored: not a check cache"
            return
        if fields[1].decode("ascii", "replace") != code_version():
            self.status = "ignored: written by another version of the checker"
            return
        if fields[2].decode("ascii", "replace") != hashlib.sha256(body).hexdigest():
            self.status = "ignored: corrupt (checksum differs)"
            return
        try:
            data = _Unpickler(io.BytesIO(body)).load()
            forms, entries, resolved = data["forms"], data["entries"], data["resolved"]
        except Exception as exc:  # any damage: the cache is only ever an optimisation
            self.status = f"ignored: unreadable ({type(exc).__name__})"
            return
        self._old, self.resolved_old, self._forms_old = entries, resolved, tuple(forms)
        self.status = "loaded"

    def use_forms(self, listing: tuple[str, ...]) -> None:
        """The checker calls this first with the content's forms/ listing (`forms_listing`):
        guide rules look at which attachments exist, so a cache made for another listing is
        dropped."""
        self.forms_listing = listing
        if self._old and self._forms_old != listing:
            self._old, self.resolved_old = {}, {}
            self.status = "ignored: content/forms/ changed"

    def save(self) -> None:
        """Write the entries and resolved hashes of this check (renamed into place; errors
        are swallowed: a cache that cannot be written only costs time next time)."""
        if self.forms_listing is None:
            return
        body = pickle.dumps({"forms": self.forms_listing, "entries": self._new, "resolved": self.resolved},
                            protocol=pickle.HIGHEST_PROTOCOL)
        head = b"\n".join([FORMAT, code_version().encode(), hashlib.sha256(body).hexdigest().encode()])
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=f".{FILE}.", dir=self.path.parent)
            try:
                with os.fdopen(fd, "wb") as fh:
                    fh.write(head + b"\n\n" + body)
                os.replace(tmp, self.path)  # not fsynced: a file torn by a crash fails its checksum
            finally:
                Path(tmp).unlink(missing_ok=True)
        except OSError:
            pass

    # -- lookups ---------------------------------------------------------------------------
    def get(self, kind: str, path: Path | str) -> Any:
        """The summary of file `path` (checked as `kind`) when its bytes are those recorded."""
        key = (kind, str(path))
        entry = self._old.get(key)
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
        self._new[key] = entry
        self.hits += 1
        return summary

    def put(self, kind: str, path: Path | str, stamp: "Stamp | None", summary: Any) -> None:
        """Record what checking `path` found; `stamp` is `read_source`'s for the bytes that
        were checked (None: the file could not be read, nothing is recorded)."""
        if stamp is not None:
            self._new[(kind, str(path))] = (*stamp, summary)

    def resolved_hash(self, key: str) -> str | None:
        """A resolved (shared guide + override) guide's hash recorded under `key`."""
        h = self.resolved_old.get(key) or self.resolved.get(key)
        if h is not None:
            self.resolved[key] = h
        return h


def pack_findings(findings: list[Finding]) -> tuple:
    """Findings as plain tuples, for the cache."""
    return tuple((f.path, f.line, f.code, f.message, f.severity.value) for f in findings)


def unpack_findings(rows: tuple) -> list[Finding]:
    return [Finding(p, line, code, msg, Severity(sev)) for p, line, code, msg, sev in rows]


def forms_listing(forms: Path) -> tuple[str, ...]:
    """The files under content/forms/ (relative paths, sorted): what guide rules look at."""
    if not forms.is_dir():
        return ()
    return tuple(sorted(str(p.relative_to(forms)) for p in forms.rglob("*") if p.is_file()))
