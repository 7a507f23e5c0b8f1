"""What a release looks like on the wire between the guide server and its kiosks.

A published release (guides.release) is ``content.json`` = canonical JSON of
``{"site", "categories", "guides": {code: guide}}`` and a manifest with the SHA-256 of
that whole body and of each guide's canonical JSON. On the wire it travels in parts,
so a kiosk downloads only what changed:

- the signed manifest envelope (guides.signing), polled with If-None-Match;
- the *site part*: canonical JSON of everything but the guides (``site``, ``categories``
  and, when there are any, ``retired``) of a release;
- each guide: exactly the canonical bytes whose SHA-256 is in the manifest.

The kiosk puts the parts back together with `assemble_body`; the SHA-256 of the result
must equal the manifest's ``hash``, which is how the site part (which has no hash of its
own in the manifest) is verified too. No Flask, no Kivy.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from guides.release import ReleaseError, ReleaseStore, canonical_json, sha256

CODE_RE = re.compile(r"^[0-9A-Za-z][0-9A-Za-z-]{0,39}$")
HEX64 = re.compile(r"^[0-9a-f]{64}$")


class FormatError(ValueError):
    """A manifest or part that does not have the expected shape (message in Chinese)."""


def check_manifest(manifest: Any) -> dict[str, Any]:
    """The manifest if its shape is right, else FormatError saying what is wrong."""
    if not isinstance(manifest, dict):
        raise FormatError("版本清单应为 JSON 对象")
    number = manifest.get("number")
    if not isinstance(number, int) or isinstance(number, bool) or number < 1:
        raise FormatError(f"版本清单的版本号无效：{number!r}")
    if not isinstance(manifest.get("hash"), str) or not HEX64.match(manifest["hash"]):
        raise FormatError("版本清单缺少有效的内容哈希")
    guides = manifest.get("guides")
    if not isinstance(guides, dict):
        raise FormatError("版本清单缺少事项列表")
    for code, h in guides.items():
        if not CODE_RE.match(code) or not isinstance(h, str) or not HEX64.match(h):
            raise FormatError(f"版本清单中的事项 {str(code)[:40]} 哈希无效")
    if not isinstance(manifest.get("created"), str):
        raise FormatError("版本清单缺少发布时间")
    return manifest


def site_part(doc: dict[str, Any]) -> dict[str, Any]:
    """Everything of a release but its guides: site, categories and retired codes."""
    return {k: v for k, v in doc.items() if k != "guides"}


def assemble_body(site: dict[str, Any], guides: dict[str, dict[str, Any]]) -> bytes:
    """content.json's exact bytes from the site part and the guides."""
    return canonical_json({**site, "guides": guides})


@dataclass
class ReleaseParts:
    """One published release cut into its wire parts, each already in canonical bytes."""

    number: int
    manifest: dict[str, Any]
    site: bytes
    guides: dict[str, bytes]

    @classmethod
    def read(cls, store: ReleaseStore, number: int) -> "ReleaseParts":
        manifest = store.manifest(number)
        path = Path(store.folder(number)) / "content.json"
        try:
            body = path.read_bytes()
        except OSError as exc:
            raise ReleaseError(f"{path}: 无法读取：{exc}") from None
        if sha256(body) != manifest.get("hash"):
            raise ReleaseError(f"{path}: 内容哈希与版本清单不符，该版本已损坏")
        doc = json.loads(body)
        guides = {code: canonical_json(g) for code, g in doc["guides"].items()}
        return cls(number, manifest, canonical_json(site_part(doc)), guides)
