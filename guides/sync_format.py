"""What a release looks like on the wire between the guide server and its kiosks.

A published release (guides.release) is ``content.json`` = canonical JSON of
``{"site", "categories", "guides": {code: guide}}`` and a manifest with the SHA-256 of
that whole body and of each guide's canonical JSON. On the wire it travels in parts,
so a kiosk downloads only what changed:

- the signed manifest envelope (guides.signing), polled with If-None-Match; to a kiosk
  that already holds release N it travels as a *delta envelope* against N (below);
- the *site part*: canonical JSON of everything but the guides (``site``, ``categories``
  and, when there are any, ``retired``) of a release;
- each guide: exactly the canonical bytes whose SHA-256 is in the manifest;
- each attachment (blank form, sample: ``attachments`` name -> SHA-256 and
  ``attachment_sizes`` name -> bytes in the manifest): the file's bytes as published.

The kiosk puts the parts back together with `assemble_body`; the SHA-256 of the result
must equal the manifest's ``hash``, which is how the site part (which has no hash of its
own in the manifest) is verified too.

A delta envelope carries the signature of the FULL new manifest, never one of its own::

    {"delta": {"base": N, "base_hash": "<hash of release N>",
               "fields": {every top-level field of the new manifest but "guides"},
               "changed": {code: hash, ...},      # guides added or whose hash changed
               "removed": [code, ...]},           # guides of N that are gone
     "signature": "<the full new manifest's>", "key_id": "..."}

The kiosk rebuilds the full manifest from its own copy of N with `apply_delta` (which
checks only the shape and that the delta fits N) and verifies the signature over the
rebuilt manifest's canonical JSON exactly as for a full envelope: a delta that is wrong
or altered in any way gives another manifest, whose signature does not verify.
No Flask, no Kivy.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from guides.release import ReleaseStore, canonical_json

CODE_RE = re.compile(r"^[0-9A-Za-z][0-9A-Za-z-]{0,63}$")  # 事项编码: up to 64 characters (CONTENT-STANDARD v2)
HEX64 = re.compile(r"^[0-9a-f]{64}$")


class FormatError(ValueError):
    """A manifest or part that does not have the expected shape (message in Chinese)."""


class DeltaBaseMismatch(FormatError):
    """A delta computed against another release than the kiosk's own copy of it (a server
    whose releases were renumbered, say): the kiosk asks for the full manifest instead."""


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
    schema = manifest.get("schema", 1)
    if not isinstance(schema, int) or isinstance(schema, bool) or schema < 1:
        raise FormatError(f"版本清单的内容格式版本无效：{str(schema)[:20]!r}")
    attachments = manifest.get("attachments", {})
    sizes = manifest.get("attachment_sizes", {})
    if not isinstance(attachments, dict) or not isinstance(sizes, dict):
        raise FormatError("版本清单的附件列表无效")
    for name, h in attachments.items():
        if not safe_attachment_name(name) or not isinstance(h, str) or not HEX64.match(h):
            raise FormatError(f"版本清单中的附件 {str(name)[:60]} 名称或哈希无效")
    for name, size in sizes.items():
        if name not in attachments or not isinstance(size, int) or isinstance(size, bool) or not 0 <= size <= MAX_ATTACHMENT:
            raise FormatError(f"版本清单中的附件 {str(name)[:60]} 大小无效")
    return manifest


MAX_ATTACHMENT = 64 * 1024 * 1024  # bytes: a scanned form is a few MB; anything larger is refused


def safe_attachment_name(name: object) -> bool:
    """True for a relative file name under forms/ that stays there (``shenling-biao.pdf``,
    ``gongan/biao.pdf``): no absolute path, no ``.`` or ``..`` part, no backslash or control
    character, at most 200 characters (guides.rules E224 holds content to the same)."""
    if not isinstance(name, str) or not name or len(name) > 200 or "\\" in name or name.startswith("/"):
        return False
    if any(ord(c) < 32 or ord(c) == 127 for c in name):
        return False
    return all(part not in ("", ".", "..") for part in name.split("/"))


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
        manifest, body = store.verified_body(number)
        return cls.from_body(number, manifest, body)

    @classmethod
    def from_body(cls, number: int, manifest: dict[str, Any], body: bytes) -> "ReleaseParts":
        """The parts of content.json `body` whose manifest is `manifest`."""
        doc = json.loads(body)
        guides = {code: canonical_json(g) for code, g in doc["guides"].items()}
        return cls(number, manifest, canonical_json(site_part(doc)), guides)


# -- manifest deltas ------------------------------------------------------------------------------
def manifest_delta(base: dict[str, Any], new: dict[str, Any]) -> dict[str, Any]:
    """The delta of manifest `new` against manifest `base` (the ``delta`` of a delta envelope)."""
    old, cur = base["guides"], new["guides"]
    return {
        "base": base["number"],
        "base_hash": base["hash"],
        "fields": {k: v for k, v in new.items() if k != "guides"},
        "changed": {code: h for code, h in sorted(cur.items()) if old.get(code) != h},
        "removed": sorted(code for code in old if code not in cur),
    }


def delta_envelope(envelope: dict[str, Any], base: dict[str, Any]) -> dict[str, Any]:
    """The delta form of a signed envelope against manifest `base`; same signature."""
    return {"delta": manifest_delta(base, envelope["manifest"]), "signature": envelope.get("signature"),
            "key_id": envelope.get("key_id")}


def apply_delta(base: dict[str, Any], delta: Any) -> dict[str, Any]:
    """The full manifest rebuilt from manifest `base` and a delta.

    Checks the delta's shape and that it fits `base` (DeltaBaseMismatch when it was made
    against another release, FormatError for anything else); the result is NOT verified:
    the caller checks the signature over its canonical JSON."""
    if not isinstance(delta, dict):
        raise FormatError("增量版本清单应为 JSON 对象")
    if delta.get("base") != base.get("number") or delta.get("base_hash") != base.get("hash"):
        raise DeltaBaseMismatch(f"增量版本清单基于 R{str(delta.get('base'))[:12]}，与本机的 "
                                f"R{base.get('number')} 不符")
    fields, changed, removed = delta.get("fields"), delta.get("changed"), delta.get("removed")
    if not isinstance(fields, dict) or "guides" in fields:
        raise FormatError("增量版本清单缺少有效的 fields")
    if not isinstance(changed, dict) or not isinstance(removed, list):
        raise FormatError("增量版本清单缺少有效的 changed / removed")
    guides = dict(base.get("guides") or {})
    for code in removed:
        if not isinstance(code, str) or code not in guides or code in changed:
            raise FormatError(f"增量版本清单要删除的事项 {str(code)[:40]} 不在 R{base.get('number')} 中")
        del guides[code]
    for code, h in changed.items():
        if not CODE_RE.match(code) or not isinstance(h, str) or not HEX64.match(h):
            raise FormatError(f"增量版本清单中的事项 {str(code)[:40]} 哈希无效")
        guides[code] = h
    return {**fields, "guides": dict(sorted(guides.items()))}
