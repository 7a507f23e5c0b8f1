"""Immutable, content-hashed releases of the whole content.

On disk, under ``<instance>/releases/``::

    R0007/manifest.json   number, created, hash, per-guide hashes, per-attachment hashes and
                          sizes; with several halls, "halls": the SHA-256 of each hall's part
    R0007/content.json    canonical JSON of site, categories and guides; with several halls,
                          "halls" maps each hall id to the SHA-256 of its part file, so the
                          release hash (SHA-256 of content.json) covers every hall
    R0007/halls/<id>.json (several halls only) the hall's part (guides.hall_part): its
                          resolved guide hashes, offered list, own guides, site data; an
                          unchanged hall's file is a hard link of the previous one
    R0007/parts.json      (several halls only) where each root guide and member lies in
                          content.json (byte offsets; SHA-256 in manifest.json as
                          "parts_sha256"): a server reads the root guides without parsing them
    R0007/forms/...       the attachments the guides name (blank forms, samples, flow
                          images), copied from content/forms/
    R0007/origin.json     which path published it: {"source": "content"|"editor", "by": ...}
                          (not hashed or signed: it says where a release came from, so that no
                          path silently undoes another, see guides.publishing)
    CURRENT               the number of the current release, e.g. "7"

A release folder is written under a temporary name, fsynced, then renamed into
place (atomic on one file system); CURRENT is replaced the same way. Before any of
that, the intent is written to ``releases/PUBLISHING`` (number and hash), and it is
removed once CURRENT names the new release. `ReleaseStore.recover()` (run at start-up
by the server, the editor and the CLI) finishes or undoes whatever a crash left: a
release folder the intent names is made current (it was complete: it is only renamed
into place once written and fsynced), temporary folders and files are removed. So after
any crash the store holds the old state or the new one, never a release nobody records.
"""
from __future__ import annotations

import datetime as dt
import fcntl
import hashlib
import json
import os
import re
import shutil
import tempfile
import threading
from collections.abc import Callable, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from guides.hall_form import part_of, resolved_hashes
from guides.hall_part import PartRef, link_part, part_ref, read_part
from guides.halls import DEFAULT_HALL, halls_from_document, regions_document, regions_from_document
from guides.atomicfile import atomic_write, fsync_dir  # noqa: F401  (re-exported: callers import them from here)
from guides.guideset import GuideSet, canonical_bytes
from guides.hallset import HallSet
from guides.release_error import ReleaseError
from json.encoder import encode_basestring as _key  # a str as canonical JSON (ensure_ascii=False)
from guides.loader import Content
from guides.model import Category, Guide, Retired, Site

CHINA_TZ = dt.timezone(dt.timedelta(hours=8), "CST")
# 2: content model v2 (CONTENT-STANDARD v2): guides are written without absent elements.
SCHEMA = 2
_NUMBER = re.compile(r"[0-9]{1,9}", re.ASCII)          # str.isdigit() is also true for "²" and "٣"
_RELEASE_DIR = re.compile(r"R[0-9]{1,9}", re.ASCII)


HALLS_DIR = "halls"  # (several halls only) one part file per hall, guides.hall_part
HALLS_FILE = "halls.json"  # releases written before hall parts: per-hall guide hashes (still read)
HALLS_FILE_KEY = "halls_sha256"  # in such a manifest.json: SHA-256 of halls.json
PARTS_FILE = "parts.json"  # (several halls only) byte offsets of each root guide and member in content.json
PARTS_FILE_KEY = "parts_sha256"  # in manifest.json on disk: SHA-256 of parts.json


def _with_halls(head: dict[str, Any], halls: dict[str, Any]) -> dict[str, Any]:
    """The manifest `Release.manifest()` made: `head` with "halls" in its sorted place."""
    return dict(sorted({**head, "halls": halls}.items()))


def canonical_json(value: Any) -> bytes:
    """One byte form for one value: sorted keys, no whitespace, UTF-8."""
    return canonical_bytes(value)


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@dataclass(frozen=True)
class Release:
    """One release: its number, time, hash of content.json, per-guide hashes, the content and
    the SHA-256 and size in bytes of each attachment (file name under forms/ -> hash, -> size)."""
    number: int | None  # None: built in memory, not published
    created: dt.datetime
    hash: str
    guide_hashes: dict[str, str]
    content: Content
    # per hall id, the SHA-256 of its part (guides.hall_part); empty for a one-hall release
    hall_parts: dict[str, str] = field(default_factory=dict)
    # the codes only halls offer (their own guides, an override's local code) -> the hall offering
    # it: live guides too, so that a release taking one away says so (guides.publishing)
    hall_codes: dict[str, str] = field(default_factory=dict)
    attachments: dict[str, str] = field(default_factory=dict)
    attachment_sizes: dict[str, int] = field(default_factory=dict)

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
    def hall_hashes(self) -> "HallHashes":
        """Per hall id, the SHA-256 of each resolved guide it offers ({code: hash}), read from
        the hall's part when asked for; empty for a one-hall release."""
        return HallHashes(self.content)

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
            **({"halls": dict(sorted(self.hall_parts.items()))} if self.hall_parts else {}),
            **({"hall_codes": dict(sorted(self.hall_codes.items()))} if self.hall_codes else {}),
            **({"attachments": dict(sorted(self.attachments.items()))} if self.attachments else {}),
            **({"attachment_sizes": dict(sorted(self.attachment_sizes.items()))} if self.attachment_sizes else {}),
        }


class HallHashes(Mapping[str, dict[str, str]]):
    """Hall id -> {code: SHA-256 of the resolved guide} of a content's halls, the default hall
    (its root guides) first, each read (from the hall's part file, or its checker-made forms)
    when asked for; empty for a one-hall content."""

    def __init__(self, content: Content):
        self._content = content

    def __getitem__(self, hall_id: str) -> dict[str, str]:
        if hall_id == DEFAULT_HALL and self._content.halls:
            guides = GuideSet.of(self._content.guides)
            return {code: guides.hash(code) for code in sorted(guides)}
        return resolved_hashes(self._content.halls[hall_id], GuideSet.of(self._content.guides))

    def __iter__(self):
        if self._content.halls:
            yield DEFAULT_HALL
            yield from self._content.halls

    def __len__(self) -> int:
        return len(self._content.halls) + 1 if self._content.halls else 0


def content_document(content: Content) -> dict[str, Any]:
    """The release form of the content: site, categories, guides by code (v2, absent
    elements left out) and retired codes when there are any; with several halls, "halls"
    maps each hall id to the SHA-256 of its part (guides.hall_part)."""
    doc = {
        "site": content.site.model_dump(mode="json", exclude_none=True),
        "categories": [c.model_dump(mode="json") for c in content.categories],
        "guides": {code: g.dump() for code, g in sorted(content.guides.items())},
    }
    if content.retired:  # only when present, so releases without retired codes keep their hashes
        doc["retired"] = [r.model_dump(mode="json") for r in content.retired]
    if content.halls:  # likewise only for several halls
        doc["halls"] = {hall_id: part[0] for hall_id, part in _hall_parts(content, GuideSet.of(content.guides)).items()}
    if content.regions:
        doc["regions"] = regions_document(content.regions)
    return doc


def hall_only_codes(content: Content) -> dict[str, str]:
    """The codes only halls offer — their own guides and the local codes (实施编码) of their
    overrides — each with the hall offering it, sorted by code; read from the checker's memo
    heads or the halls' part files without making the halls where it can."""
    halls = content.halls
    local = getattr(halls, "local_codes", None)
    out: dict[str, str] = {}
    for hall_id in halls:
        if local is not None:
            codes = local(hall_id)
        else:
            codes = halls[hall_id].local_codes()
        out.update((code, hall_id) for code in codes)
    return dict(sorted(out.items()))


def _hall_parts(content: Content, guides: GuideSet) -> dict[str, tuple[str, bytes | None, PartRef | None]]:
    """Per hall id (sorted): (SHA-256 of its part, the part's bytes when made here, the file
    holding it when there is one). A hall still made of a part file (an unchanged hall the
    checker's cache kept, a hall of a loaded release) is neither read nor serialised."""
    halls = content.halls
    ref_of = getattr(halls, "part", None)
    out: dict[str, tuple[str, bytes | None, PartRef | None]] = {}
    for hall_id in sorted(halls):
        ref = ref_of(hall_id) if ref_of is not None else part_ref(halls[hall_id])
        if ref is not None:
            out[hall_id] = (ref.hash, None, ref)
        else:
            data = part_of(halls[hall_id], guides)
            out[hall_id] = (sha256(data), data, None)
    return out


class _Body:
    """Chunks of a release body being written, the length so far, and where members lie."""

    def __init__(self) -> None:
        self.chunks: list[bytes] = []
        self.pos = 0

    def add(self, data: bytes) -> None:
        self.chunks.append(data)
        self.pos += len(data)


def _emit(out: _Body, members, spans: dict | None = None) -> None:
    """Append to `out` the canonical JSON object of (key, value) pairs given in key order; a
    value is canonical JSON bytes or a function that appends it. With `spans`, record where
    each value lies: key -> [start, end] byte offsets in the body."""
    sep = "{"
    for k, v in members:
        out.add((sep + _key(k) + ":").encode("utf-8"))
        sep = ","
        start = out.pos
        if callable(v):
            v(out)
        else:
            out.add(v)
        if spans is not None:
            spans[k] = [start, out.pos]
    out.add(b"{}" if sep == "{" else b"}")


def _serialize(content: Content) -> tuple[list[bytes], dict[str, str], dict[str, tuple], dict[str, Any]]:
    """Canonical body of the whole content as a list of chunks (b"".join of them), the hash
    of each guide's canonical form, (several halls only) each hall's part as `_hall_parts`
    gives it, and the body's parts index (`parts_index`).

    The body is assembled from each guide's release form (guides.guideset): a guide the
    checker has already put in that form (or the check cache kept from the last release)
    is neither dumped nor hashed again, and a hall kept as a part file is not read. Joined,
    it is byte for byte canonical_json(content_document())."""
    guides = GuideSet.of(content.guides)
    codes = sorted(guides)
    hashes = {code: guides.hash(code) for code in codes}
    index: dict[str, Any] = {"members": {}, "guides": {}}
    parts: dict[str, Any] = {
        "site": canonical_json(content.site.model_dump(mode="json", exclude_none=True)),
        "categories": canonical_json([c.model_dump(mode="json") for c in content.categories]),
        "guides": lambda out: _emit(out, ((code, guides.form(code)) for code in codes), index["guides"]),
    }
    if content.retired:  # only when present, so releases without retired codes keep their hashes
        parts["retired"] = canonical_json([r.model_dump(mode="json") for r in content.retired])
    halls: dict[str, tuple] = {}
    if content.halls:  # likewise only for several halls
        halls = _hall_parts(content, guides)
        parts["halls"] = canonical_json({hall_id: part[0] for hall_id, part in halls.items()})
    if content.regions:
        parts["regions"] = canonical_json(regions_document(content.regions))
    body = _Body()
    _emit(body, sorted(parts.items()), index["members"])
    return body.chunks, hashes, halls, index


def build_release(content: Content, number: int | None = None,
                  created: dt.datetime | None = None) -> Release:
    """A release in memory: hashes of the canonical form, nothing written."""
    return _build(content, number, created)[0]


def attachment_names(content: Content) -> list[str]:
    """File names (under content/forms/) the guides refer to, sorted, each once."""
    names: set[str] = set()
    for g in content.guides.values():
        names.update(m.blank_form for m in g.all_materials() if m.blank_form)
        names.update(m.sample for m in g.all_materials() if m.sample)
        names.update(f for f in (g.flow_image, g.result.sample if g.result else None) if f)
        for form in g.forms or ():
            names.update(f for f in (form.file, form.sample) if f)
    return sorted(names)


def _attachments(content: Content) -> tuple[dict[str, str], dict[str, int]]:
    """(SHA-256, size in bytes) of each attachment file the guides name, by file name."""
    hashes: dict[str, str] = {}
    sizes: dict[str, int] = {}
    if content.forms is None:
        return hashes, sizes
    for name in attachment_names(content):
        if (content.forms / name).is_file():
            data = (content.forms / name).read_bytes()
            hashes[name], sizes[name] = sha256(data), len(data)
    return hashes, sizes


def _build(content: Content, number: int | None = None,
           created: dt.datetime | None = None) -> tuple[Release, list[bytes], dict[str, Any], dict[str, tuple]]:
    body, hashes, halls, index = _serialize(content)
    attachments, attachment_sizes = _attachments(content)
    digest = hashlib.sha256()
    for chunk in body:
        digest.update(chunk)
    release = Release(
        number=number,
        created=created or dt.datetime.now(dt.timezone.utc).replace(microsecond=0),
        hash=digest.hexdigest(),
        guide_hashes=hashes,
        content=content,
        hall_parts={hall_id: part[0] for hall_id, part in halls.items()},
        hall_codes=hall_only_codes(content) if content.halls else {},
        attachments=attachments,
        attachment_sizes=attachment_sizes,
    )
    return release, body, index, halls


_RETIRED = b',"retired":['


def retired_member(body: bytes) -> list[dict[str, Any]]:
    """The "retired" list of a release's content.json `body`, without parsing the rest.

    content.json is canonical JSON (sorted keys, quotes inside strings escaped), so the bytes
    ``,"retired":[`` can only be a key followed by a list; of the top-level members only
    "site" follows "retired", and no model (Site, Guide, Category, HallSite, a region, an
    override's LOCAL_KEYS) has a key of that name, so the last occurrence is the member when
    there is one. ValueError when the bytes there are not a JSON list."""
    at = body.rfind(_RETIRED)
    if at < 0:
        return []
    value, _ = json.JSONDecoder().raw_decode(body[at + len(_RETIRED) - 1:].decode("utf-8"))
    if not isinstance(value, list):
        raise ValueError("retired is not a list")
    return value


def hall_part_refs(folder: Path, halls: Mapping[str, Any]) -> dict[str, PartRef]:
    """Where the parts a release's "halls" ({id: SHA-256}) name lie in its release `folder`
    (halls/<id>.json); entries that are not a hash (halls written inline by older releases)
    are left out."""
    return {h: PartRef(v, str(folder / HALLS_DIR / f"{h}.json")) for h, v in halls.items() if isinstance(v, str)}


def content_from_parts(body: bytes, index: dict[str, Any], halls: Mapping[str, PartRef]) -> Content:
    """The content of a release from its content.json `body`, parts index (parts.json) and
    hall part files (`halls`: id -> PartRef), parsing only the small members: root guides
    stay in release form until read (guides.guideset) and halls are made when asked for
    (guides.hallset). ValueError, KeyError when the index does not fit the body."""
    members = index["members"]

    def member(key: str, default: Any) -> Any:
        span = members.get(key)
        return default if span is None else json.loads(body[span[0]:span[1]])

    guides = GuideSet({code: body[a:b] for code, (a, b) in index["guides"].items()})
    return Content(
        site=Site.model_validate(member("site", None)),
        categories=tuple(Category.model_validate(c) for c in member("categories", [])),
        guides=guides,
        retired=tuple(Retired.model_validate(r) for r in member("retired", ())),
        halls=HallSet(halls),
        regions=regions_from_document(member("regions", [])),
    )


def content_from_document(doc: dict[str, Any], folder: Path | None = None) -> Content:
    """Validated content from a release's content.json (pydantic ValidationError, a
    ValueError, when it is not v2 content); halls named by their part's hash are read from
    release folder `folder` when asked for (halls written inline by older releases are
    validated at once)."""
    halls_doc = doc.get("halls", {})
    if halls_doc and all(isinstance(v, str) for v in halls_doc.values()):
        if folder is None:
            raise ValueError("halls are kept in part files, but no release folder was given")
        halls: Mapping[str, Any] = HallSet(hall_part_refs(folder, halls_doc))
    else:
        halls = halls_from_document(halls_doc)
    return Content(
        site=Site.model_validate(doc["site"]),
        categories=tuple(Category.model_validate(c) for c in doc["categories"]),
        guides={code: Guide.model_validate(g) for code, g in sorted(doc["guides"].items())},
        retired=tuple(Retired.model_validate(r) for r in doc.get("retired", ())),
        halls=halls,
        regions=regions_from_document(doc.get("regions", [])),
    )


def _write_file(path: Path, data: bytes | list[bytes]) -> None:
    """Write `data` (bytes, or chunks written in order) to a new file, fsync it, make it read-only."""
    with open(path, "wb") as fh:
        if isinstance(data, bytes):
            fh.write(data)
        else:
            fh.writelines(data)
        fh.flush()
        os.fsync(fh.fileno())
    os.chmod(path, 0o444)


def _write_hall_parts(folder: Path, halls: dict[str, tuple]) -> None:
    """Write each hall's part into `folder` as <id>.json: a part kept in a file is linked
    (guides.hall_part.link_part: already on disk), one made in memory written and fsynced;
    then the folder is fsynced and made read-only. ReleaseError when a linked part is damaged."""
    folder.mkdir()
    for hall_id, (_digest, data, ref) in halls.items():
        dest = folder / f"{hall_id}.json"
        if ref is not None:
            link_part(ref, dest)  # guides.hall_part.PartError (a ReleaseError) for a damaged part
        else:
            _write_file(dest, data)
    fsync_dir(folder)
    os.chmod(folder, 0o555)


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
        self._thread_lock = threading.RLock()
        self._manifests: dict[tuple, dict[str, Any]] = {}  # see manifest()
        self._manifest_files: dict[tuple, dict[str, Any]] = {}  # see _manifest_json()
        self._depth = 0
        self._lock_file = None
        # set by `publish`: what was damaged in the current release it replaced by a complete
        # new release of the same content (for the operator), else None
        self.replaced_damaged: str | None = None

    # -- reading -----------------------------------------------------------
    def folder(self, number: int) -> Path:
        return self.root / f"R{number:04d}"

    def numbers(self) -> list[int]:
        if not self.root.is_dir():
            return []
        out = []
        for p in self.root.iterdir():
            if p.is_dir() and _RELEASE_DIR.fullmatch(p.name):
                out.append(int(p.name[1:]))
        return sorted(out)

    def current_number(self) -> int | None:
        try:
            text = (self.root / "CURRENT").read_text().strip()
        except FileNotFoundError:
            return None
        if not _NUMBER.fullmatch(text):
            raise ReleaseError(f"{self.root / 'CURRENT'}: 当前版本记录已损坏：{text!r}")
        return int(text)

    def _read_json(self, path: Path, number: int, what: str) -> Any:
        try:
            return json.loads(path.read_bytes())
        except FileNotFoundError:
            if what == "manifest":
                raise ReleaseError(f"版本 R{number} 不存在") from None
            raise ReleaseError(f"{path}: 文件缺失，该版本已损坏") from None
        except (OSError, ValueError) as exc:
            raise ReleaseError(f"{path}: 版本清单无法读取：{exc}") from None

    def _manifest_json(self, number: int) -> dict[str, Any]:
        """manifest.json of release `number` as parsed (shared: not to be changed), kept for
        the last few releases by the file's identity (inode, mtime, size): a release is read
        by every command and request, and a province's manifest is ~0.6 MB. ReleaseError when
        it is missing or not a JSON object."""
        path = self.folder(number) / "manifest.json"

        def read() -> dict[str, Any]:
            data = self._read_json(path, number, "manifest")
            if not isinstance(data, dict):
                raise ReleaseError(f"{path}: 版本清单无法读取：不是 JSON 对象")
            return data

        return self._kept(self._manifest_files, number, read)

    def _kept(self, kept: dict[tuple, dict[str, Any]], number: int,
              make: Callable[[], dict[str, Any]]) -> dict[str, Any]:
        """`make()` for release `number`, kept in `kept` for the last four releases by the
        identity (inode, mtime, size) of its manifest.json, so a release folder written again
        under the same number (after a crash) is read again; not kept when manifest.json cannot
        be looked at (`make` says why)."""
        try:
            st = os.stat(self.folder(number) / "manifest.json")
            ident = (number, st.st_ino, st.st_mtime_ns, st.st_size)
        except OSError:
            return make()
        with self._thread_lock:
            hit = kept.get(ident)
        if hit is not None:
            return hit
        data = make()
        with self._thread_lock:
            kept[ident] = data
            while len(kept) > 4:
                kept.pop(next(iter(kept)))
        return data

    def manifest_head(self, number: int) -> dict[str, Any]:
        """The manifest of release `number` without the per-hall hashes ("halls"): number,
        created, hash, root guide hashes, attachments — what most callers need, read without the
        hashes of a province's hundreds of thousands of hall guides (ReleaseError as `manifest`).
        The top level is a fresh dict; nested values are shared and must not be changed."""
        return {k: v for k, v in self._manifest_json(number).items()
                if k not in (HALLS_FILE_KEY, PARTS_FILE_KEY, "halls")}

    def manifest(self, number: int) -> dict[str, Any]:
        """The whole manifest of release `number` (as `Release.manifest()` made it), the
        per-hall hashes read from halls.json and checked against the SHA-256 manifest.json
        records for it. ReleaseError when it is missing or cannot be read.

        A province's manifest holds ~200,000 hashes and a kiosk's every request needs it: the
        last few are kept, by release number and the identity (inode, mtime, size) of its
        manifest.json, so a release folder written again under the same number (after a crash)
        is read again. The top level is a fresh dict each call; the nested values are shared
        and must not be changed."""
        return dict(self._kept(self._manifests, number, lambda: self._read_manifest(self.folder(number), number)))

    def _read_manifest(self, folder: Path, number: int) -> dict[str, Any]:
        data = dict(self._manifest_json(number))
        data.pop(PARTS_FILE_KEY, None)
        want = data.pop(HALLS_FILE_KEY, None)
        if want is not None:
            data = _with_halls(data, json.loads(self._side_file(folder, HALLS_FILE, want)))
        return data

    @staticmethod
    def _side_file(folder: Path, name: str, want: str) -> bytes:
        """The bytes of side file `name` (halls.json, parts.json) of a release folder, checked
        against the SHA-256 `want` its manifest.json records; ReleaseError naming the file when
        it is missing or altered."""
        try:
            raw = (folder / name).read_bytes()
        except OSError as exc:
            raise ReleaseError(f"{folder / name}: 无法读取：{exc.strerror or exc}，该版本已损坏") from None
        if sha256(raw) != want:
            raise ReleaseError(f"{folder / name}: 内容哈希与版本清单不符，该版本已损坏")
        return raw

    def _parts_index(self, number: int) -> dict[str, Any] | None:
        """The parts index of release `number` (parts.json, checked against the SHA-256 its
        manifest.json records); None for a release written without one (ReleaseError when
        it is named but missing or altered)."""
        folder = self.folder(number)
        want = self._manifest_json(number).get(PARTS_FILE_KEY)
        if want is None:
            return None
        return json.loads(self._side_file(folder, PARTS_FILE, want))

    def check_side_files(self, number: int) -> None:
        """Check parts.json (and an older release's halls.json) of release `number` against
        the SHA-256 its manifest.json records, and that every hall part file is there (not
        read: a part is checked against its hash whenever it is read or linked); ReleaseError
        naming the file when one is missing or altered. A release without them passes."""
        folder = self.folder(number)
        head = self._manifest_json(number)
        for name, key in ((HALLS_FILE, HALLS_FILE_KEY), (PARTS_FILE, PARTS_FILE_KEY)):
            want = head.get(key)
            if want is not None:
                self._side_file(folder, name, want)
        for ref in hall_part_refs(folder, head.get("halls") or {}).values():
            if not os.path.isfile(ref.path):
                raise ReleaseError(f"{ref.path}: 文件缺失，该版本已损坏")

    def verify(self, number: int) -> None:
        """Check every file of release `number` against its hash: content.json, the side
        files and each hall part (read whole: a province's release is ~100 MB). ReleaseError
        naming the first damaged file."""
        manifest, _body = self.verified_body(number)
        self.check_side_files(number)
        for ref in hall_part_refs(self.folder(number), manifest.get("halls") or {}).values():
            read_part(ref)  # PartError is a ReleaseError naming the file

    def verified_body(self, number: int) -> tuple[dict[str, Any], bytes]:
        """(manifest, content.json bytes) of release `number`, the bytes checked against the hash."""
        manifest = self.manifest(number)
        return manifest, self._body(number, manifest)

    def _body(self, number: int, manifest: dict[str, Any]) -> bytes:
        path = self.folder(number) / "content.json"
        try:
            body = path.read_bytes()
        except OSError as exc:
            raise ReleaseError(f"{path}: 无法读取：{exc}") from None
        if sha256(body) != manifest.get("hash"):
            raise ReleaseError(f"{path}: 内容哈希与版本清单不符，该版本已损坏")
        return body

    def verified_head(self, number: int) -> tuple[dict[str, Any], bytes]:
        """As `verified_body`, with `manifest_head`'s manifest (no per-hall hashes)."""
        manifest = self.manifest_head(number)
        return manifest, self._body(number, manifest)

    def load(self, number: int) -> Release:
        """Release `number`, its bytes verified; ReleaseError when it is missing, corrupt or
        written in an older content format than this program reads."""
        manifest, body = self.verified_body(number)
        path = self.folder(number) / "content.json"
        if manifest.get("schema", 1) != SCHEMA:
            raise ReleaseError(f"版本 R{number} 的内容格式为第 {manifest.get('schema', 1)} 版，本程序读取第 {SCHEMA} 版："
                               "请用当前程序重新检查并发布内容")
        index = self._parts_index(number)
        halls = manifest.get("halls", {})
        try:
            if index is not None and "halls" not in index and all(isinstance(v, str) for v in halls.values()):
                content = content_from_parts(body, index, hall_part_refs(self.folder(number), halls))
            else:  # one hall, or halls written inline by an older release
                content = content_from_document(json.loads(body), self.folder(number))
        except (ValueError, KeyError, TypeError, IndexError) as exc:
            raise ReleaseError(f"{path}: 内容无法解析：{exc}") from None
        forms = self.folder(number) / "forms"
        if forms.is_dir():
            content = replace(content, forms=forms)
        return Release(
            number=number,
            created=dt.datetime.fromisoformat(manifest["created"]),
            hash=manifest["hash"],
            guide_hashes=dict(manifest["guides"]),
            content=content,
            hall_parts={h: v for h, v in halls.items() if isinstance(v, str)},
            hall_codes=dict(manifest.get("hall_codes") or {}),
            attachments=dict(manifest.get("attachments") or {}),
            attachment_sizes=dict(manifest.get("attachment_sizes") or {}),
        )

    def attachment(self, number: int, name: str) -> bytes:
        """The bytes of attachment `name` of release `number`, checked against the manifest
        (ReleaseError when it is not one of the release's attachments or does not match)."""
        expected = (self.manifest(number).get("attachments") or {}).get(name)
        if expected is None:
            raise ReleaseError(f"版本 R{number} 没有附件 {name[:80]}")
        try:
            data = (self.folder(number) / "forms" / name).read_bytes()
        except OSError as exc:
            raise ReleaseError(f"版本 R{number} 的附件 {name} 无法读取：{exc.strerror}") from None
        if sha256(data) != expected:
            raise ReleaseError(f"版本 R{number} 的附件 {name} 与版本清单不符，已损坏")
        return data

    def current(self) -> Release | None:
        number = self.current_number()
        return None if number is None else self.load(number)

    def list(self) -> list[ReleaseInfo]:
        current = self.current_number()
        out = []
        for n in self.numbers():
            m = self.manifest_head(n)
            out.append(ReleaseInfo(n, m["created"], m["hash"], len(m["guides"]), n == current))
        return out

    # -- writing -----------------------------------------------------------
    INTENT = "PUBLISHING"

    @contextmanager
    def locked(self):
        """Hold the store's lock (an flock on releases/.lock, so across processes too) for a
        block of work; re-entrant within one ReleaseStore object. `publish`, `rollback` and
        `recover` take it themselves; a caller that must keep other writers out between
        several steps (the editor: intent, publish, database) holds it around them."""
        with self._thread_lock:
            if self._depth == 0:
                self.root.mkdir(parents=True, exist_ok=True)
                self._lock_file = open(self.root / ".lock", "a")
                fcntl.flock(self._lock_file, fcntl.LOCK_EX)
            self._depth += 1
            try:
                yield self
            finally:
                self._depth -= 1
                if self._depth == 0:
                    self._lock_file.close()  # releases the flock
                    self._lock_file = None

    def _lock(self):
        return self.locked()

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
        Finishes an interrupted earlier publish first (`recover`).
        """
        draft, body, index, halls = _build(content)
        self.replaced_damaged = None
        with self._lock():
            self.recover()
            current = self.current_number()
            if current is not None:
                m = self.manifest_head(current)
                if m.get("hash") == draft.hash and (m.get("attachments") or {}) == draft.attachments:
                    try:
                        self.verify(current)
                        return self.load(current), False
                    except ReleaseError as exc:  # the same content, but the current release is damaged: write it anew
                        self.replaced_damaged = str(exc)
            number = (self.numbers() or [0])[-1] + 1
            release = replace(draft, number=number)
            intent = self.root / self.INTENT
            atomic_write(intent, canonical_json({"number": number, "hash": draft.hash}))
            tmp = Path(tempfile.mkdtemp(prefix=".tmp-", dir=self.root))
            try:
                _write_file(tmp / "content.json", body)
                for name in release.attachments:
                    dest = tmp / "forms" / name
                    dest.parent.mkdir(parents=True, exist_ok=True)
                    _write_file(dest, (content.forms / name).read_bytes())
                for folder in sorted({p for p in (tmp / "forms").rglob("*") if p.is_dir()}, reverse=True):
                    fsync_dir(folder)
                    os.chmod(folder, 0o555)
                if (tmp / "forms").is_dir():
                    fsync_dir(tmp / "forms")
                    os.chmod(tmp / "forms", 0o555)
                manifest = release.manifest()
                if halls:  # a province: each hall's part in a file of its own
                    _write_hall_parts(tmp / HALLS_DIR, halls)
                    parts = canonical_json(index)  # where each root guide and member lies in content.json
                    _write_file(tmp / PARTS_FILE, parts)
                    manifest[PARTS_FILE_KEY] = sha256(parts)
                _write_file(tmp / "manifest.json", canonical_json(manifest))
                if origin is not None:
                    _write_file(tmp / "origin.json", canonical_json(origin))
                fsync_dir(tmp)
                os.chmod(tmp, 0o555)
                os.rename(tmp, self.folder(number))
            except BaseException:
                _remove_tree(tmp)
                intent.unlink(missing_ok=True)
                raise
            fsync_dir(self.root)
            atomic_write(self.root / "CURRENT", f"{number}\n".encode())
            intent.unlink()
            fsync_dir(self.root)
            return release, True

    def recover(self) -> list[str]:
        """Put the store right after a crash; returns what was done (Chinese, for the operator).

        - an intent (PUBLISHING) whose release folder is in place and verifies, and is newer
          than CURRENT, is finished: CURRENT names it; any other intent is dropped, with a
          folder of its that does not verify;
        - temporary folders (.tmp-*) and the temporary files of atomic writes are removed.
        """
        done: list[str] = []
        if not self.root.is_dir():
            return done
        with self._lock():
            intent = self.root / self.INTENT
            if intent.exists():
                try:
                    plan = json.loads(intent.read_bytes())
                    number, want = int(plan["number"]), str(plan["hash"])
                except (OSError, ValueError, KeyError, TypeError):
                    number, want = None, None
                current = self.current_number()
                if number is not None and self.folder(number).is_dir():
                    try:
                        ok = self.verified_head(number)[0].get("hash") == want
                    except ReleaseError:
                        ok = False
                    if ok and (current is None or number > current):
                        atomic_write(self.root / "CURRENT", f"{number}\n".encode())
                        done.append(f"已完成被中断的发布：R{number} 设为当前版本")
                    elif not ok:
                        _remove_tree(self.folder(number))
                        done.append(f"已删除被中断的发布留下的不完整版本 R{number}")
                elif number is not None:
                    done.append(f"被中断的发布 R{number} 尚未写入任何文件，已放弃")
                intent.unlink(missing_ok=True)
            for p in self.root.iterdir():
                if p.name.startswith(".tmp-") and p.is_dir():
                    _remove_tree(p)
                    done.append(f"已删除临时目录 {p.name}")
                elif p.name.startswith((".CURRENT.", f".{self.INTENT}.")) and p.is_file():
                    p.unlink(missing_ok=True)
                    done.append(f"已删除临时文件 {p.name}")
            if done:
                fsync_dir(self.root)
        return done

    def rollback(self, number: int) -> Release:
        with self._lock():
            self.recover()
            self.verify(number)  # every file, hall parts included, before it becomes current
            release = self.load(number)
            atomic_write(self.root / "CURRENT", f"{number}\n".encode())
            return release

    def clean_temporaries(self) -> None:
        """Remove folders left by a crash in the middle of `publish`."""
        if self.root.is_dir():
            for p in self.root.glob(".tmp-*"):
                _remove_tree(p)


def _remove_tree(path: Path) -> None:
    """rmtree of a (possibly read-only) release folder."""
    for p in [path, *path.rglob("*")]:
        try:
            if p.is_dir():
                os.chmod(p, 0o755)
        except OSError:
            pass
    shutil.rmtree(path, ignore_errors=True)
