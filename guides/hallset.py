"""The halls of a published release, read from its content.json bytes when first asked for.

A province's release holds about 1,500 halls and 200,000 resolved guides; a server that parsed
and validated all of them at start would hold more than a gigabyte and take seconds per
worker. `HallSet` keeps the verified content.json bytes and the release's parts index
(guides.release, parts.json: where each hall's offered list, site and own guides lie) and
makes a `Hall` only when it is asked for: its site and own guides stay in release form (bytes)
until read, and its offered list is made from its release form (guides.halls.OfferedList).
The few most recently used halls are kept; what the pages derive from a hall is kept by the
server's bounded view cache (guide_server.state).
"""
from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterator, Mapping
from typing import Any

from guides.guideset import GuideSet
from guides.halls import Hall, OfferedList

RECENT = 32  # halls kept made (each holds only bytes until a page reads it)


class HallSet(Mapping[str, Hall]):
    """Read-only mapping hall id -> Hall over a release body.

    `body` is content.json's bytes (already checked against the manifest's hash), `spans`
    the parts index's "halls" ({id: {"offered": [start, end], "site": [...], "own": [...],
    "guides": {code: [start, end]}}}), `hashes` the manifest's per-hall guide hashes
    ({id: {code: sha256}}). KeyError for an unknown hall, as a dict."""

    def __init__(self, body: bytes, spans: Mapping[str, Any], hashes: Mapping[str, Mapping[str, str]]):
        self._body = body
        self._spans = spans
        self._hashes = hashes
        self._recent: OrderedDict[str, Hall] = OrderedDict()
        self._offering: dict[str, list[str]] | None = None

    def _slice(self, span: list[int]) -> bytes:
        return self._body[span[0]:span[1]]

    def __getitem__(self, hall_id: str) -> Hall:
        hall = self._recent.get(hall_id)
        if hall is not None:
            self._recent.move_to_end(hall_id)
            return hall
        spans = self._spans[hall_id]  # KeyError for an unknown hall
        own = GuideSet({code: self._slice(span) for code, span in spans["guides"].items()})
        offered_form = self._slice(spans["offered"])
        hashes = self._hashes.get(hall_id, {})
        offered = OfferedList(offered_form, hashes)
        site = self._slice(spans["site"])
        hall = Hall(hall_id, site, own, offered, (own, offered, site, offered_form, site, hashes))
        self._recent[hall_id] = hall
        while len(self._recent) > RECENT:
            self._recent.popitem(last=False)
        return hall

    def __iter__(self) -> Iterator[str]:
        return iter(self._spans)

    def __len__(self) -> int:
        return len(self._spans)

    def __contains__(self, hall_id: object) -> bool:
        return hall_id in self._spans

    def codes(self, hall_id: str) -> list[str]:
        """Codes of the guides hall `hall_id` offers, sorted (from the manifest, nothing parsed)."""
        if hall_id not in self._spans:
            raise KeyError(hall_id)
        return sorted(self._hashes.get(hall_id, {}))

    def offering(self, code: str) -> list[str]:
        """Ids of the halls offering `code`, in hall order (an index made on first use)."""
        if self._offering is None:
            index: dict[str, list[str]] = {}
            for hall_id in self._spans:
                for c in self._hashes.get(hall_id, {}):
                    index.setdefault(c, []).append(hall_id)
            self._offering = index
        return list(self._offering.get(code, ()))

    def __repr__(self) -> str:
        return f"HallSet({len(self)} halls)"
