"""Stable public URLs. A guide's QR URL never changes: posters are printed once.

One answer path (情形) adds the answers in question order:
``<public base URL>/g/<code>?<question id>=<option id>[&…]`` (CONTENT-STANDARD "Stable URLs");
the query string comes from ``guides.cases`` (``ResolvedGuide.query`` or ``path_query``).
"""
from __future__ import annotations

from guides.model import Site


def guide_url(site: Site, code: str, query: str = "") -> str:
    """The guide's stable URL; with `query` (e.g. ``why=lost``) the URL of that answer path."""
    url = f"{site.public_base_url.rstrip('/')}/g/{code}"
    return f"{url}?{query}" if query else url
