"""Stable public URLs. A guide's QR URL never changes: posters are printed once."""
from __future__ import annotations

from guides.model import Site


def guide_url(site: Site, code: str) -> str:
    return f"{site.public_base_url.rstrip('/')}/g/{code}"
