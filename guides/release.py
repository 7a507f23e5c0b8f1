"""Immutable, content-hashed releases of the whole content.

On disk, under ``<instance>/releases/``::

    R0007/manifest.json   number, created, hash, per-guide hashes
    R0007/content.json    canonical JSON of site, categories and guides
    R0007/origin.json     which path published it: {"source": "content"|"editor", "by": ...}
                          (not hashed or signed: it says where a release came from, so that no
                          path silently undoes another, see guides.publishing)
    CURRENT               the number of the current release, e.g. "7"

A release folder is written under a temporary name, fsynced, then renamed into
place (atomic on one file system); CURRENT is replaced the same way. A crash
therefore leaves either the old state or the new one, never half a release.
"""
from __future__ import annotations

import datetime as dt
import fcntl
import hashlib
import json
import os
import shutil
import tempfile
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from guides.loader import Content
from guides.model import Category, Guide, Retired, Site

CHINA_TZ = dt.timezone(dt.timedelta(hours=8), "CST")
SCHEMA = 1


class ReleaseError(Exception):
    """A release that cannot be read, is corrupt, or does not exist."""


def canonical_json(value: Any) -> bytes:
    """One byte form for one value: sorted keys, no whitespace, UTF-8."""
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def guide_hash(guide: Guide) -> str:
    return sha256(canonical_json(guide.model_dump(mode="json")))


@dataclass(frozen=True)
class Release:
    number: int | None  # None: built in memory, not published
    created: dt.datetime
    hash: str
    guide_hashes: dict[str, str]
    content: Content

    @property
    def site(self) -> Site:
        return self.content.site

    @property
    def categories(self) -> tuple[Category, ...]:
        return self.content.categories

    @property
    def guides(self) -> dict[str, Guide]:
        return self.content.guides

    @property
    def retired(self) -> dict[str, Retired]:
        return {r.code: r for r in self.content.retired}

    @property
    def label(self) -> str:
        return f"R{self.number}" if self.number is not None else "未发布"

    @property
    def stamp(self) -> str:
        """What every surface shows, e.g. "版本 R12 · 2026-11-22 · 9f3a1c"."""
        day = self.created.astimezone(CHINA_TZ).date().isoformat()
        return f"版本 {self.label} · {day} · {self.hash[:6]}"

    def manifest(self) -> dict[str, Any]:
        return {
            "schema": SCHEMA,
            "number": self.number,
            "created": self.created.isoformat(),
            "hash": self.hash,
            "stamp": self.stamp,
            "guides": dict(sorted(self.guide_hashes.items())),
        }


def content_document(content: Content) -> dict[str, Any]:
    doc = {
        "site": content.site.model_dump(mode="json"),
        "categories": [c.model_dump(mode="json") for c in content.categories],
        "guides": {code: g.model_dump(mode="json") for code, g in sorted(content.guides.items())},
    }
    if content.retired:  # only when present, so releases without retired codes keep their hashes
        doc["retired"] = [r.model_dump(mode="json") for r in content.retired]
    return doc


def _serialize(content: Content) -> tuple[bytes, dict[str, str]]:
    """Canonical body of the whole content, and the hash of each guide's canonical form."""
    doc = content_document(content)
    hashes = {code: sha256(canonical_json(g)) for code, g in doc["guides"].items()}
    return canonical_json(doc), hashes


def build_release(content: Content, number: int | None = None,
                  created: dt.datetime | None = None) -> Release:
    """A release in memory: hashes of the canonical form, nothing written."""
    return _build(content, number, created)[0]


def _build(content: Content, number: int | None = None,
           created: dt.datetime | None = None) -> tuple[Release, bytes]:
    body, hashes = _serialize(content)
    release = Release(
        number=number,
        created=created or dt.datetime.now(dt.timezone.utc).replace(microsecond=0),
        hash=sha256(body),
        guide_hashes=hashes,
        content=content,
    )
    return release, body


def content_from_document(doc: dict[str, Any]) -> Content:
    return Content(
        site=Site.model_validate(doc["site"]),
        categories=tuple(Category.model_validate(c) for c in doc["categories"]),
        guides={code: Guide.model_validate(g) for code, g in sorted(doc["guides"].items())},
        retired=tuple(Retired.model_validate(r) for r in doc.get("retired", ())),
    )


def fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _write_file(path: Path, data: bytes) -> None:
    with open(path, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())
    os.chmod(path, 0o444)


def atomic_write(path: Path, data: bytes) -> None:
    """Replace `path` with `data`: temp file, fsync, rename, fsync the folder."""
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    fsync_dir(path.parent)


@dataclass(frozen=True)
class ReleaseInfo:
    number: int
    created: str
    hash: str
    guides: int
    current: bool


class ReleaseStore:
    """The releases of one instance folder."""

    def __init__(self, instance: str | Path):
        self.instance = Path(instance)
        self.root = self.instance / "releases"

    # -- reading -----------------------------------------------------------
    def folder(self, number: int) -> Path:
        return self.root / f"R{number:04d}"

    def numbers(self) -> list[int]:
        if not self.root.is_dir():
            return []
        out = []
        for p in self.root.iterdir():
            if p.is_dir() and p.name.startswith("R") and p.name[1:].isdigit():
                out.append(int(p.name[1:]))
        return sorted(out)

    def current_number(self) -> int | None:
        try:
            text = (self.root / "CURRENT").read_text().strip()
        except FileNotFoundError:
            return None
        if not text.isdigit():
            raise ReleaseError(f"{self.root / 'CURRENT'}: 当前版本记录已损坏：{text!r}")
        return int(text)

    def manifest(self, number: int) -> dict[str, Any]:
        path = self.folder(number) / "manifest.json"
        try:
            return json.loads(path.read_bytes())
        except FileNotFoundError:
            raise ReleaseError(f"版本 R{number} 不存在") from None
        except (OSError, ValueError) as exc:
            raise ReleaseError(f"{path}: 版本清单无法读取：{exc}") from None

    def verified_body(self, number: int) -> tuple[dict[str, Any], bytes]:
        """(manifest, content.json bytes) of release `number`, the bytes checked against the hash."""
        manifest = self.manifest(number)
        path = self.folder(number) / "content.json"
        try:
            body = path.read_bytes()
        except OSError as exc:
            raise ReleaseError(f"{path}: 无法读取：{exc}") from None
        if sha256(body) != manifest.get("hash"):
            raise ReleaseError(f"{path}: 内容哈希与版本清单不符，该版本已损坏")
        return manifest, body

    def load(self, number: int) -> Release:
        manifest, body = self.verified_body(number)
        path = self.folder(number) / "content.json"
        try:
            content = content_from_document(json.loads(body))
        except (ValueError, KeyError) as exc:
            raise ReleaseError(f"{path}: 内容无法解析：{exc}") from None
        return Release(
            number=number,
            created=dt.datetime.fromisoformat(manifest["created"]),
            hash=manifest["hash"],
            guide_hashes=dict(manifest["guides"]),
            content=content,
        )

    def current(self) -> Release | None:
        number = self.current_number()
        return None if number is None else self.load(number)

    def list(self) -> list[ReleaseInfo]:
        current = self.current_number()
        out = []
        for n in self.numbers():
            m = self.manifest(n)
            out.append(ReleaseInfo(n, m["created"], m["hash"], len(m["guides"]), n == current))
        return out

    # -- writing -----------------------------------------------------------
    def _lock(self):
        self.root.mkdir(parents=True, exist_ok=True)
        fh = open(self.root / ".lock", "a")
        fcntl.flock(fh, fcntl.LOCK_EX)
        return fh

    def origin(self, number: int) -> dict[str, str]:
        """Where release `number` came from: {"source": "content" | "editor", "by": ...};
        {"source": "unknown"} for releases written without one (older ones, kiosk copies)."""
        try:
            data = json.loads((self.folder(number) / "origin.json").read_bytes())
        except (OSError, ValueError):
            return {"source": "unknown"}
        return data if isinstance(data, dict) and isinstance(data.get("source"), str) else {"source": "unknown"}

    def publish(self, content: Content, origin: dict[str, str] | None = None) -> tuple[Release, bool]:
        """Write a new release and make it current.

        Returns (release, created). When the content hash equals the current
        release's, nothing is written and (current, False) is returned. `origin`
        ({"source": "content" | "editor", "by": who}) is kept beside the release.
        """
        draft, body = _build(content)
        with self._lock():
            current = self.current_number()
            if current is not None and self.manifest(current).get("hash") == draft.hash:
                return self.load(current), False
            number = (self.numbers() or [0])[-1] + 1
            release = replace(draft, number=number)
            tmp = Path(tempfile.mkdtemp(prefix=".tmp-", dir=self.root))
            try:
                _write_file(tmp / "content.json", body)
                _write_file(tmp / "manifest.json", canonical_json(release.manifest()))
                if origin is not None:
                    _write_file(tmp / "origin.json", canonical_json(origin))
                fsync_dir(tmp)
                os.chmod(tmp, 0o555)
                os.rename(tmp, self.folder(number))
            except BaseException:
                os.chmod(tmp, 0o755)
                shutil.rmtree(tmp, ignore_errors=True)
                raise
            fsync_dir(self.root)
            atomic_write(self.root / "CURRENT", f"{number}\n".encode())
            return release, True

    def rollback(self, number: int) -> Release:
        with self._lock():
            release = self.load(number)  # verifies the hash before it becomes current
            atomic_write(self.root / "CURRENT", f"{number}\n".encode())
            return release

    def clean_temporaries(self) -> None:
        """Remove folders left by a crash in the middle of `publish`."""
        if self.root.is_dir():
            for p in self.root.glob(".tmp-*"):
                os.chmod(p, 0o755)
                shutil.rmtree(p, ignore_errors=True)
