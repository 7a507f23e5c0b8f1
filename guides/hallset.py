"""Halls made from their part files when first asked for (guides.hall_part).

A province's release holds about 1,500 halls and 200,000 resolved guides; a server that parsed
and validated all of them at start would hold more than a gigabyte and take seconds per
worker. `HallSet` maps each hall id either to a ready `Hall` (one the checker has just
checked) or to the `PartRef` of its part file (a published release's ``halls/<id>.json``, or
the checker's cache of a hall that did not change) and reads a part only when the hall is
asked for: its site and own guides stay in release form (bytes) until read. The few most
recently made halls are kept; what the pages derive from a hall is kept by the server's
bounded view cache (guide_server.state). Writing a release links an unchanged hall's part
file (`part`) without reading it.
"""
from __future__ import annotations

import json
import threading
from collections import OrderedDict
from collections.abc import Iterator, Mapping

from guides.hall_form import hall_of_part
from guides.hall_part import PartError, PartRef, part_document, part_ref, part_site_form, read_part
from guides.halls import Hall, HallSite

RECENT = 32  # halls kept made (each holds only bytes until a page reads it)


class HallSet(Mapping[str, Hall]):
    """Read-only mapping hall id -> Hall over `entries` ({id: Hall | PartRef}, in hall order).

    `counts` may give the number of guides each part-backed hall offers and `locals` the
    codes only it offers (the checker's memo knows both), so that `code_count` and
    `local_codes` need not read the part. KeyError for an unknown hall, as a dict;
    guides.hall_part.PartError when a part file is missing or altered."""

    def __init__(self, entries: Mapping[str, Hall | PartRef], counts: Mapping[str, int] | None = None,
                 locals: Mapping[str, tuple[str, ...]] | None = None):
        self._entries = dict(entries)
        self._counts = dict(counts or {})
        self._locals = dict(locals or {})
        self._recent: OrderedDict[str, Hall] = OrderedDict()
        self._codes: dict[str, list[str]] = {}
        self._sites: dict[str, HallSite] = {}
        self._offering: dict[str, list[str]] | None = None
        self._lock = threading.Lock()

    def __getitem__(self, hall_id: str) -> Hall:
        entry = self._entries[hall_id]  # KeyError for an unknown hall
        if isinstance(entry, Hall):
            return entry
        with self._lock:
            hall = self._recent.get(hall_id)
            if hall is not None:
                self._recent.move_to_end(hall_id)
                return hall
        hall = hall_of_part(hall_id, entry)
        with self._lock:
            self._recent[hall_id] = hall
            while len(self._recent) > RECENT:
                self._recent.popitem(last=False)
        return hall

    def __iter__(self) -> Iterator[str]:
        return iter(self._entries)

    def __len__(self) -> int:
        return len(self._entries)

    def __contains__(self, hall_id: object) -> bool:
        return hall_id in self._entries

    def part(self, hall_id: str) -> PartRef | None:
        """The part file hall `hall_id` is (still) made of, without reading it; None for a hall
        built in memory (KeyError for an unknown hall)."""
        entry = self._entries[hall_id]
        return part_ref(entry) if isinstance(entry, Hall) else entry

    def site(self, hall_id: str) -> HallSite:
        """The site data of hall `hall_id` (a hall list needs every hall's: read from the part's
        "site" member alone, kept once read)."""
        entry = self._entries[hall_id]
        if isinstance(entry, Hall):
            return entry.site
        site = self._sites.get(hall_id)
        if site is None:
            form = part_site_form(read_part(entry), entry.path)
            try:
                site = HallSite.model_validate(json.loads(form))
            except ValueError as exc:  # pydantic's ValidationError too
                raise PartError(f"{entry.path}: 大厅数据无法解析：{exc}") from None
            self._sites[hall_id] = site
        return site

    def codes(self, hall_id: str) -> list[str]:
        """Codes of the guides hall `hall_id` offers, sorted (its part's own guides and offered
        list, kept once read: no guide validated)."""
        entry = self._entries[hall_id]
        if isinstance(entry, Hall):
            return entry.codes()
        found = self._codes.get(hall_id)
        if found is None:
            found = self._codes[hall_id] = _part_codes(part_document(read_part(entry), entry.path))
        return list(found)

    def local_codes(self, hall_id: str) -> list[str]:
        """The codes only hall `hall_id` offers: its own guides' and its overrides' local codes."""
        if hall_id in self._locals:
            return list(self._locals[hall_id])
        entry = self._entries[hall_id]
        if isinstance(entry, Hall):
            return entry.local_codes()
        doc = part_document(read_part(entry), entry.path)
        return [*doc["own"], *(o["code"] for o in doc["offered"] if o["code"] != o["source"])]

    def code_count(self, hall_id: str) -> int:
        """How many guides hall `hall_id` offers."""
        if hall_id in self._counts:
            return self._counts[hall_id]
        return len(self.codes(hall_id))

    def offering(self, code: str) -> list[str]:
        """Ids of the halls offering `code`, in hall order (an index made on first use: every
        part is read once)."""
        index = self._offering
        if index is None:
            index = {}
            for hall_id in self._entries:
                for c in self.codes(hall_id):
                    index.setdefault(c, []).append(hall_id)
            self._offering = index
        return list(index.get(code, ()))

    def __repr__(self) -> str:
        return f"HallSet({len(self)} halls)"


def _part_codes(doc: dict) -> list[str]:
    """The codes a hall offers, sorted, from its parsed part: own guides and offered list."""
    return sorted({*doc["own"], *(o["code"] for o in doc["offered"])})
