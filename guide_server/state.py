"""The release an app serves, reloaded when the instance's CURRENT file changes.

One `ReleaseHolder` per app. Every request asks `get()`, which costs one
`os.stat`; a publish or rollback (both replace CURRENT atomically) is picked up
by the next request in every worker. Rendered pages are cached per release:
they depend on nothing but the release, the path and the display mode, which is
what makes the static export byte-identical to the served pages.
"""
from __future__ import annotations

import hashlib
import threading
from dataclasses import dataclass, field
from pathlib import Path

from guides.model import Category, Guide
from guides.release import Release, ReleaseStore
from guides.search import SearchIndex


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
    lock: threading.Lock = field(default_factory=threading.Lock)

    @classmethod
    def build(cls, release: Release) -> "Served":
        by_name = {c.name: c for c in release.categories}
        by_category: dict[str, list[Guide]] = {c.slug: [] for c in release.categories}
        for guide in release.guides.values():
            cat = by_name.get(guide.category)
            if cat is not None:
                by_category[cat.slug].append(guide)
        featured = [release.guides[c] for c in release.site.featured if c in release.guides]
        return cls(
            release=release,
            index=SearchIndex(release.guides.values()),
            by_category=by_category,
            category_by_slug={c.slug: c for c in release.categories},
            category_by_name=by_name,
            featured=featured,
        )

    def cached(self, key: tuple, render) -> tuple[bytes, str]:
        """(body, strong ETag) of a page, rendered at most once per release."""
        hit = self.pages.get(key)
        if hit is None:
            body = render().encode("utf-8")
            hit = (body, '"' + hashlib.sha256(body).hexdigest()[:32] + '"')
            with self.lock:
                if len(self.pages) < 20000:
                    self.pages[key] = hit
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
