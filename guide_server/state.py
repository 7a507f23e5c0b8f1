"""The release an app serves, reloaded when the instance's CURRENT file changes.

One `ReleaseHolder` per app. Every request asks `get()`, which costs one
`os.stat`; a publish or rollback (both replace CURRENT atomically) is picked up
by the next request in every worker. Rendered pages are cached per release:
they depend on nothing but the release, the path and the display mode, which is
what makes the static export byte-identical to the served pages.
"""
from __future__ import annotations

import hashlib
import os
import threading
from dataclasses import dataclass, field
from pathlib import Path

from guides.guideset import GuideSet
from guides.halls import DEFAULT_HALL, hall_outline, own_basic_codes
from guides.model import Category, Guide
from guides.release import Release, ReleaseStore
from guides.search import SearchIndex


MAX_HALL_VIEWS = 64  # hall views (search index, category lists; ~2.5 MB each at 130 guides) kept per release
MAX_PAGES = 20000  # rendered pages kept per release (per worker) ...
MAX_PAGE_BYTES = 128 * 1024 * 1024  # ... and their bodies' bytes at most: later pages are rendered each time


@dataclass(frozen=True)
class HallSiteView:
    """The site data a page shows for one hall (the attributes templates read from Site)."""
    hall_name: str
    address: str
    hours: str
    hotline: str
    public_base_url: str | None
    featured: tuple[str, ...]
    area_code: str | None = None
    region_code: str | None = None


def hall_site(release: Release, hall_id: str):
    """The site data of hall `hall_id`: the release's Site for the default hall."""
    if hall_id == DEFAULT_HALL:
        return release.site
    h = release.content.hall_site(hall_id)  # not the hall's whole view
    return HallSiteView(h.name, h.address, h.hours, h.hotline, h.public_base_url, tuple(h.featured),
                        h.area_code, h.region_code)


MAX_OTHER_HALLS = 12  # "在其他大厅办理" lists the nearest halls, then says how many more there are


@dataclass(frozen=True)
class OtherHalls:
    """Which halls offer the same item, built once per release from what each hall offers
    (nothing validated): `keys` (hall id, code) -> the item's key, `groups` key -> every
    (hall id, code, hall name, region code) offering it, `regions` hall id -> region code."""
    keys: dict[tuple[str, str], str]
    groups: dict[str, list[tuple[str, str, str, str]]]
    regions: dict[str, str]

    def of(self, hall_id: str, code: str) -> list[tuple[str, str, str, str]]:
        """The other halls offering item `code` of hall `hall_id`, nearest first: the longest
        common prefix of the GB/T 2260 region codes (same township, county, city …), then by
        region code and hall id."""
        key = self.keys.get((hall_id, code))
        if key is None:
            return []
        here = self.regions.get(hall_id, "")

        def distance(o: tuple[str, str, str, str]) -> tuple:
            common = len(os.path.commonprefix([here, o[3]]))
            return (-common, o[3], o[0])

        return sorted((o for o in self.groups[key] if o[0] != hall_id), key=distance)


def other_halls(release: Release) -> OtherHalls:
    """Which halls offer the same items. Items are the same when they share a 基本编码
    (basic_code) or are the same shared guide."""
    content = release.content
    groups: dict[str, list[tuple[str, str, str, str]]] = {}
    keys: dict[tuple[str, str], str] = {}
    regions: dict[str, str] = {DEFAULT_HALL: getattr(release.site, "region_code", None) or ""}
    shared = GuideSet.of(content.guides)  # peeks at release forms, or reads validated guides
    shared_keys: dict[str, str] = {}
    for code in shared:
        basic = shared.peek(code, "basic_code")
        shared_keys[code] = f"b:{basic}" if basic else f"c:{code}"

    def add(hall_id: str, code: str, key: str, name: str) -> None:
        keys[(hall_id, code)] = key
        groups.setdefault(key, []).append((hall_id, code, name, regions[hall_id]))

    for code, key in shared_keys.items():
        add(DEFAULT_HALL, code, key, release.site.hall_name)
    for hall_id in content.halls:
        hall = content.halls[hall_id]
        name, regions[hall_id] = hall_outline(hall)
        for code, basic in own_basic_codes(hall).items():
            add(hall_id, code, f"b:{basic}" if basic else f"c:{code}", name)
        for offer in hall.offered:
            add(hall_id, offer.code, shared_keys[offer.source], name)
    return OtherHalls(keys, groups, regions)


@dataclass
class Served:
    """A release plus what the pages derive from it, built once per release."""

    release: Release
    index: SearchIndex
    by_category: dict[str, list[Guide]]
    category_by_slug: dict[str, Category]
    category_by_name: dict[str, Category]
    featured: list[Guide]
    pages: dict[tuple, tuple[bytes, str]] = field(default_factory=dict)  # key -> (body, etag)
    page_bytes: list = field(default_factory=lambda: [0])  # bytes of the cached bodies (shared by the halls' views)
    lock: threading.Lock = field(default_factory=threading.Lock)
    hall_id: str = DEFAULT_HALL
    site: object = None  # Site, or HallSiteView for a hall under content/halls/
    guides: dict[str, Guide] = field(default_factory=dict)  # this hall's resolved guides
    base: str = ""  # URL prefix of this hall's pages: "" for a one-hall release, else /h/<id>
    views: dict[str, "Served"] = field(default_factory=dict)  # every hall's view, built on first use
    shared: dict = field(default_factory=dict)  # derived once per release for all halls

    @classmethod
    def build(cls, release: Release, hall_id: str = DEFAULT_HALL,
              parent: "Served | None" = None) -> "Served":
        """What the pages of hall `hall_id` derive from `release` (KeyError: unknown hall)."""
        guides = release.content.guides_of(hall_id)
        site = hall_site(release, hall_id)
        by_name = {c.name: c for c in release.categories}
        by_category: dict[str, list[Guide]] = {c.slug: [] for c in release.categories}
        for guide in guides.values():
            cat = by_name.get(guide.category)
            if cat is not None:
                by_category[cat.slug].append(guide)
        featured = [guides[c] for c in site.featured if c in guides]
        served = cls(
            release=release,
            index=SearchIndex(guides.values()),
            by_category=by_category,
            category_by_slug={c.slug: c for c in release.categories},
            category_by_name=by_name,
            featured=featured,
            hall_id=hall_id,
            site=site,
            guides=guides,
            base=f"/h/{hall_id}" if release.content.halls else "",
        )
        if parent is not None:  # one page cache per release, shared by all halls
            served.pages, served.lock, served.page_bytes = parent.pages, parent.lock, parent.page_bytes
            served.views, served.shared = parent.views, parent.shared
        else:
            served.views[hall_id] = served
        return served

    @property
    def several_halls(self) -> bool:
        return bool(self.release.content.halls)

    def hall(self, hall_id: str) -> "Served | None":
        """The pages' view of hall `hall_id`, or None when the release has no such hall."""
        view = self.views.get(hall_id)
        if view is not None:
            return view
        if hall_id != DEFAULT_HALL and hall_id not in self.release.content.halls:
            return None
        if view is None:
            view = Served.build(self.release, hall_id, parent=self)
            with self.lock:
                self.views[hall_id] = view
                while len(self.views) > MAX_HALL_VIEWS:  # bounded: a province has thousands of halls
                    oldest = next(h for h in self.views if h != DEFAULT_HALL)
                    del self.views[oldest]
        return view

    def any_guide(self, code: str) -> Guide | None:
        """Guide `code` as the default hall offers it, else as the first hall offering it."""
        guide = self.release.guides.get(code)
        if guide is None and self.several_halls:
            for hall_id in self.release.content.halls_offering(code):
                return self.hall(hall_id).guides[code]
        return guide

    def other_halls(self, code: str) -> tuple[list[tuple[str, str, str]], int]:
        """Other halls offering the item `code` of this hall, nearest first, at most
        MAX_OTHER_HALLS of them as (hall id, code, hall name); and how many more there are."""
        if not self.several_halls:
            return [], 0
        others = self.shared.get("others")
        if others is None:
            with self.lock:
                others = self.shared.get("others")
                if others is None:
                    others = self.shared["others"] = other_halls(self.release)
        found = others.of(self.hall_id, code)
        return [o[:3] for o in found[:MAX_OTHER_HALLS]], max(0, len(found) - MAX_OTHER_HALLS)

    def cached(self, key: tuple, render) -> tuple[bytes, str]:
        """(body, strong ETag) of a page, rendered at most once per release."""
        hit = self.pages.get(key)
        if hit is None:
            body = render().encode("utf-8")
            hit = (body, '"' + hashlib.sha256(body).hexdigest()[:32] + '"')
            with self.lock:
                if (key not in self.pages and len(self.pages) < MAX_PAGES
                        and self.page_bytes[0] + len(body) <= MAX_PAGE_BYTES):
                    self.pages[key] = hit
                    self.page_bytes[0] += len(body)
        return hit


class ReleaseHolder:
    def __init__(self, instance: str | Path):
        self.store = ReleaseStore(instance)
        self._current = self.store.root / "CURRENT"
        self._lock = threading.Lock()
        self._sig: tuple | None = None
        self._served: Served | None = None

    def _signature(self) -> tuple | None:
        try:
            st = self._current.stat()
        except FileNotFoundError:
            return None
        return (st.st_ino, st.st_mtime_ns, st.st_size)

    def get(self) -> Served | None:
        """The served release, or None when the instance has no release yet.

        Raises guides.release.ReleaseError when the current release is corrupt.
        """
        sig = self._signature()
        if sig is not None and sig == self._sig:
            return self._served
        with self._lock:
            sig = self._signature()
            if sig == self._sig and self._served is not None:
                return self._served
            release = self.store.current() if sig is not None else None
            self._served = Served.build(release) if release is not None else None
            self._sig = sig
            return self._served
