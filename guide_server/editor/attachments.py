"""Blank forms and samples uploaded in the editor (空白表格, 示例样表), before they are released.

A guide names an attachment by a file name under content/forms/ (CONTENT-STANDARD.md:
material blank_form / sample, forms[].file / sample). An editor uploads the file beside the
field; it is checked here and kept in the instance folder (``editor-forms/``) until a
publish copies it into the release like any file of content/forms/. No Flask.

Checks, each refused with a Chinese message saying what is wrong with which file:
- the content is really a PDF, PNG or JPEG (magic bytes, then opened by pypdfium2 or
  Pillow); the extension comes from the content, never from the uploaded name; SVG and
  everything else are refused (an uploaded SVG could carry script);
- at most `MAX_BYTES`; not empty.
The stored name is sanitised: Chinese is written in pinyin, everything but ASCII letters,
digits and "-" is dropped (``居民身份证申领登记表.pdf`` -> ``ju-min-shen-fen-zheng-shen-ling-deng-ji-biao.pdf``);
a name already used for different bytes (here or in the current release) gets the first
8 hex digits of the file's SHA-256 appended, so a published attachment never changes under
a guide that names it.
"""
from __future__ import annotations

import hashlib
import io
import os
import re
import tempfile
import unicodedata
from dataclasses import dataclass
from pathlib import Path

MAX_BYTES = 5 * 1024 * 1024
KINDS = {"pdf": "PDF", "png": "PNG 图片", "jpg": "JPEG 图片"}
_MAGIC = ((b"%PDF-", "pdf"), (b"\x89PNG\r\n\x1a\n", "png"), (b"\xff\xd8\xff", "jpg"))
NAME = re.compile(r"^[a-z0-9][a-z0-9-]{0,79}\.(pdf|png|jpg)$")


class AttachmentError(ValueError):
    """An upload refused; the message (Chinese) names the file and what is wrong."""


@dataclass(frozen=True)
class Upload:
    """A checked upload, not written yet: its sanitised name, bytes and SHA-256."""
    name: str
    data: bytes
    sha256: str


def _kind(data: bytes) -> str | None:
    for magic, kind in _MAGIC:
        if data.startswith(magic):
            return kind
    return None


def _opens(data: bytes, kind: str) -> bool:
    """True when the bytes really open as `kind` (a truncated or forged file does not)."""
    try:
        if kind == "pdf":
            import pypdfium2

            doc = pypdfium2.PdfDocument(data)
            ok = len(doc) > 0
            doc.close()
            return ok
        from PIL import Image

        with Image.open(io.BytesIO(data)) as img:
            img.verify()
        return True
    except Exception:  # noqa: BLE001 - any failure to open means "not a valid file"
        return False


def safe_stem(filename: str, fallback: str) -> str:
    """`filename` without its extension as an ASCII slug (pinyin for Chinese); `fallback`
    (made a slug too) when nothing is left."""
    stem = unicodedata.normalize("NFKC", filename or "").replace("\\", "/").rsplit("/", 1)[-1]
    stem = stem.rsplit(".", 1)[0] if "." in stem else stem
    if re.search(r"[\u3400-\u9fff]", stem):
        from pypinyin import lazy_pinyin

        stem = "-".join(lazy_pinyin(stem))
    slug = re.sub(r"[^a-z0-9]+", "-", stem.lower()).strip("-")[:60].strip("-")
    if not slug:
        slug = re.sub(r"[^a-z0-9]+", "-", fallback.lower()).strip("-")[:60].strip("-") or "attachment"
    return slug


class Attachments:
    """The editor's uploaded attachments in ``<instance>/editor-forms/``."""

    def __init__(self, instance: str | Path):
        self.folder = Path(instance) / "editor-forms"

    def check(self, filename: str, data: bytes, fallback: str) -> Upload:
        """Check one upload (see the module docstring); raises `AttachmentError`."""
        shown = filename or "（未命名文件）"
        if len(data) > MAX_BYTES:
            raise AttachmentError(f"文件“{shown}”有 {len(data) / 1024 / 1024:.1f} MB，超过了 "
                                  f"{MAX_BYTES // 1024 // 1024} MB 的上限，请压缩后再上传")
        if not data:
            raise AttachmentError(f"文件“{shown}”是空的，请重新选择文件")
        kind = _kind(data)
        if kind is None:
            raise AttachmentError(f"文件“{shown}”不是 PDF、PNG 或 JPEG 文件，空白表格和示例样表只能上传这三种格式")
        if not _opens(data, kind):
            raise AttachmentError(f"文件“{shown}”无法作为 {KINDS[kind]} 打开（文件可能已损坏），请重新导出后上传")
        name = f"{safe_stem(filename, fallback)}.{kind}"
        return Upload(name, data, hashlib.sha256(data).hexdigest())

    def path(self, name: str) -> Path | None:
        """The stored file of `name`, or None (also for a name that is not a stored name)."""
        if not NAME.match(name or ""):
            return None
        p = self.folder / name
        return p if p.is_file() else None

    def store(self, upload: Upload, released: dict[str, str] | None = None) -> tuple[str, bool]:
        """Write `upload` (atomically); returns (the name it is stored under, whether a new file
        was written). `released` maps the current release's attachment names to their SHA-256."""
        released = released or {}
        name = upload.name
        if self._taken(name, upload.sha256, released):
            stem, ext = name.rsplit(".", 1)
            name = f"{stem[:70]}-{upload.sha256[:8]}.{ext}"
        target = self.folder / name
        if target.is_file():
            return name, False
        if released.get(name) == upload.sha256:
            return name, False  # the very file is released already
        self.folder.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=self.folder, prefix=".upload-")
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(upload.data)
                f.flush()
                os.fsync(f.fileno())
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        return name, True

    def _taken(self, name: str, sha: str, released: dict[str, str]) -> bool:
        p = self.folder / name
        if p.is_file() and hashlib.sha256(p.read_bytes()).hexdigest() != sha:
            return True
        return name in released and released[name] != sha

    def remove(self, name: str) -> None:
        """Delete a file this request wrote, when the save it belonged to failed."""
        p = self.path(name)
        if p is not None:
            p.unlink(missing_ok=True)
