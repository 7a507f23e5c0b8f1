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


def hall_base_url(site: Site, hall_id: str, hall_public: str | None = None) -> str:
    """Where the pages of hall `hall_id` (under content/halls/) are published.

    `hall_public` is the hall.yaml public_base_url: an https URL is used as it is, a path
    (/h/liushi) is joined to the default site's URL; without it, <site URL>/h/<hall_id>."""
    root = site.public_base_url.rstrip("/")
    if hall_public and hall_public.startswith("https://"):
        return hall_public.rstrip("/")
    if hall_public and hall_public.startswith("/"):
        return root + hall_public.rstrip("/")
    return f"{root}/h/{hall_id}"


def hall_guide_url(site: Site, hall_id: str, code: str, hall_public: str | None = None) -> str:
    """The URL a hall's poster prints for guide `code`: <hall base URL>/g/<code>."""
    return f"{hall_base_url(site, hall_id, hall_public)}/g/{code}"
