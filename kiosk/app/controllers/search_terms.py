"""The most searched terms, counted in the kiosk's own store (``search_terms`` in kiosk.db).

A term is counted when a search led somewhere: a guide was opened from its results. The term
is kept as typed (``shown``, e.g. "SFZ", "社保", "SHEBAO") under its normalised form (``term``,
guides.search.normalize_query), with a count and the time of its last use — nothing about who
searched. Queries that may carry personal data are never stored (search_privacy.may_keep).
"""
from __future__ import annotations

import datetime as dt
import logging

from kiosk.app.controllers.search_privacy import may_keep

log = logging.getLogger(__name__)

MAX_TERM = 32


class SearchTerms:
    """``SearchTerms(store)``: ``record(shown)`` counts a successful query; ``top(n)`` returns the
    ``n`` most counted terms as shown, most counted first (ties: the most recent first)."""

    def __init__(self, store) -> None:
        self.store = store

    def record(self, shown: str, now: dt.datetime | None = None) -> bool:
        """Count ``shown`` once; False (nothing stored) for an empty or personal-looking query.
        A failing database is logged, never raised: counting is not worth a frozen screen."""
        from guides.search import normalize_query
        shown = (shown or "").strip()[:MAX_TERM]
        term = normalize_query(shown)
        if not term or not may_keep(shown, found=True):
            return False
        when = (now or dt.datetime.now().astimezone()).isoformat(timespec="seconds")
        try:
            self.store.execute(
                "INSERT INTO search_terms (term, shown, count, last_at) VALUES (?, ?, 1, ?) "
                "ON CONFLICT(term) DO UPDATE SET count = count + 1, shown = excluded.shown, last_at = excluded.last_at",
                (term, shown, when))
        except Exception:
            log.exception("search term not counted")
            return False
        return True

    def top(self, n: int) -> list[str]:
        if n <= 0:
            return []
        try:
            rows = self.store.execute("SELECT shown FROM search_terms ORDER BY count DESC, last_at DESC, term "
                                      "LIMIT ?", (int(n),))
        except Exception:
            log.exception("search terms unreadable")
            return []
        return [shown for (shown,) in rows]
