"""Guides by code, held in their release form and validated on first use.

A guide's release form is the canonical JSON of ``Guide.dump()`` (sorted keys, no
whitespace, UTF-8): what content.json holds for it and what its hash in the manifest is
taken over. The checker produces that form once per guide file (and the incremental check
keeps it for files that did not change), so building a release needs neither a second dump
nor a validated ``Guide`` for guides nobody reads; `GuideSet[code]` validates one the first
time it is asked for, exactly as a release loaded from disk would (``Guide.model_validate``
of the parsed JSON).
"""
from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Mapping

from guides.model import Guide


def canonical_bytes(value) -> bytes:
    """One byte form for one JSON value: sorted keys, no whitespace, UTF-8 (the release form)."""
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")


class GuideSet(Mapping[str, Guide]):
    """A read-only mapping code -> Guide whose members are kept as release-form bytes.

    Build it from release forms (`GuideSet(forms)`, code -> bytes) or from guides
    (`GuideSet.of(guides)`); iteration follows the order given (callers pass codes sorted).
    `form(code)` and `hash(code)` (SHA-256 hex of the form) never validate a guide."""

    __slots__ = ("_forms", "_guides", "_hashes", "_docs")

    def __init__(self, forms: Mapping[str, bytes] | None = None):
        self._forms: dict[str, bytes | None] = dict(forms or {})
        self._guides: dict[str, Guide] = {}
        self._hashes: dict[str, str] = {}
        self._docs: dict[str, dict] = {}

    @classmethod
    def parsed(cls, docs: Mapping[str, dict]) -> "GuideSet":
        """A GuideSet of guides parsed from release forms (`docs`: code -> the parsed JSON, as
        json.loads of a form gives it): a form is made again only when asked for."""
        out = cls()
        out._forms = dict.fromkeys(docs)
        out._docs = dict(docs)
        return out

    @classmethod
    def of(cls, guides: Mapping[str, Guide]) -> "GuideSet":
        """A GuideSet of already validated guides (their forms are made when asked for)."""
        if isinstance(guides, GuideSet):
            return guides
        out = cls()
        out._forms = dict.fromkeys(guides)
        out._guides = dict(guides)
        return out

    def form(self, code: str) -> bytes:
        """The release form (canonical JSON bytes) of guide `code` (KeyError when absent)."""
        data = self._forms[code]
        if data is None:
            doc = self._docs.get(code)
            data = self._forms[code] = canonical_bytes(doc if doc is not None else self._guides[code].dump())
        return data

    def hash(self, code: str) -> str:
        """SHA-256 (hex) of the release form of guide `code`: its hash in a manifest."""
        h = self._hashes.get(code)
        if h is None:
            h = self._hashes[code] = hashlib.sha256(self.form(code)).hexdigest()
        return h

    def peek(self, code: str, key: str):
        """The value of top-level key `key` of guide `code` as its release form says (None when
        absent), without validating the guide (KeyError for an unknown code)."""
        guide = self._guides.get(code)
        if guide is not None:
            return getattr(guide, key, None)
        doc = self._docs.get(code)
        return (doc if doc is not None else json.loads(self._forms[code])).get(key)

    def __getitem__(self, code: str) -> Guide:
        guide = self._guides.get(code)
        if guide is None:
            data = self._forms[code]  # KeyError for an unknown code, as a dict
            doc = self._docs.get(code)
            guide = self._guides[code] = Guide.model_validate(doc if doc is not None else json.loads(data))
        return guide

    def __iter__(self) -> Iterator[str]:
        return iter(self._forms)

    def __len__(self) -> int:
        return len(self._forms)

    def __contains__(self, code: object) -> bool:
        return code in self._forms

    def __repr__(self) -> str:
        return f"GuideSet({len(self)} guides)"
