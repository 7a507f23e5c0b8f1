"""Small helpers shared by the page blueprints: current release, mode, cached page responses."""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import Response, current_app, render_template, request

from guide_server.state import Served

MODE_COOKIE = "mode"
ELDER = "elder"


class NoRelease(Exception):
    """The instance has no current release yet."""


def served() -> Served:
    s = current_app.extensions["releases"].get()
    if s is None:
        raise NoRelease()
    return s


def is_elder() -> bool:
    return request.cookies.get(MODE_COOKIE) == ELDER


def wants_json() -> bool:
    return request.path.startswith("/api/")


def render(template: str, s: Served, path: str, elder: bool, **ctx) -> str:
    return render_template(template, site=s.site or s.release.site, release=s.release, stamp=s.release.stamp,
                           elder=elder, here=path, css_url=current_app.config["CSS_URL"], base=s.base,
                           several_halls=s.several_halls,
                           categories=s.release.categories, cat_by_name=s.category_by_name, **ctx)


def etag_matches(header: str, etag: str) -> bool:
    if header.strip() == "*":
        return True
    return etag in (t.strip().removeprefix("W/") for t in header.split(","))


def cached_page(key: tuple, template: str, status: int = 200, view: Served | None = None,
                **ctx) -> Response:
    """A page that depends only on the release, its path and the mode: rendered once per
    release, answered with a strong ETag and 304 on If-None-Match.

    This is the path every QR scan takes, so its headers are assembled in one go
    (security headers included) rather than one by one.
    """
    from guide_server.security import HEADER_LIST

    s = view or served()
    elder = is_elder()
    path = request.path
    body, etag = s.cached((key, elder), lambda: render(template, s, path, elder, **ctx))
    headers = [("ETag", etag), ("Cache-Control", "no-cache"), ("Vary", "Cookie"), *HEADER_LIST]
    inm = request.environ.get("HTTP_IF_NONE_MATCH")
    if inm and etag_matches(inm, etag):
        resp = Response(status=304, headers=headers)
    else:
        resp = Response(body, status=status, headers=[("Content-Type", "text/html; charset=utf-8"), *headers])
    resp.secured = True  # security headers already set: the after_request hook skips it
    return resp


def page(template: str, status: int = 200, view: Served | None = None, **ctx) -> Response:
    """A page rendered per request (forms with a CSRF token, live aggregates)."""
    s = view or served()
    body = render(template, s, request.path, is_elder(), **ctx)
    resp = Response(body, status=status, mimetype="text/html")
    resp.headers["Cache-Control"] = "no-store"
    return resp


def safe_next(target: str | None, default: str = "/") -> str:
    """A local path to go back to; anything else (other hosts, //x, \\x) gives `default`."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or any(ord(c) < 32 for c in target):
        return default
    return target
