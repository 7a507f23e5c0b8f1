"""One hall's view of a release: what a kiosk enrolled to that hall receives.

A release of several halls (guides.halls) holds every hall; a kiosk of hall H gets a
release of its own with the same number and creation time, whose content is H's site data
(as a ``Site``), the categories, the retired codes and H's resolved guides only — so
content.json, manifest hash and per-guide hashes are those of an ordinary one-hall release
and the kiosk's sync, delta and signature checks work unchanged. A release without halls is
its own view: nothing changes for a one-hall deployment.
"""
from __future__ import annotations

from dataclasses import replace
from typing import Any

from guides.halls import DEFAULT_HALL
from guides.loader import Content
from guides.model import Site
from guides.release import Release, build_release, content_document, canonical_json
from guides.urls import hall_base_url


def hall_site_model(release: Release, hall_id: str) -> Site:
    """Site data of hall `hall_id` in the shape of site.yaml (the default hall: site.yaml).

    public_base_url is where the hall's pages are published; a township's or village's
    9/12-digit region code is given as the county's 6-digit GB/T 2260 code it lies in."""
    if hall_id == DEFAULT_HALL:
        return release.site
    hall = release.content.halls[hall_id].site
    data: dict[str, Any] = {
        "hall_name": hall.name, "address": hall.address, "hours": hall.hours, "hotline": hall.hotline,
        "public_base_url": hall_base_url(release.site, hall_id, hall.public_base_url),
        "region_code": hall.region_code[:6], "featured": list(hall.featured),
    }
    if hall.area_code and "area_code" in Site.model_fields:
        data["area_code"] = hall.area_code
    return Site.model_validate(data)


def hall_content(release: Release, hall_id: str) -> Content:
    """The one-hall Content of hall `hall_id` (KeyError for a hall the release lacks)."""
    content = release.content
    if hall_id != DEFAULT_HALL and hall_id not in content.halls:
        raise KeyError(hall_id)
    return Content(hall_site_model(release, hall_id), content.categories, content.guides_of(hall_id),
                   content.retired, content.forms)


def hall_release(release: Release, hall_id: str) -> tuple[Release, bytes]:
    """(release view, its content.json bytes) of hall `hall_id`; the release itself when it
    has no halls. Number and creation time are the release's."""
    if not release.content.halls:
        return release, canonical_json(content_document(release.content))
    view = build_release(hall_content(release, hall_id), release.number, release.created)
    return replace(view, number=release.number), canonical_json(content_document(view.content))
