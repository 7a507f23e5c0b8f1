"""Small helpers shared by the blueprints: current release, mode, cached page responses, and
request input read through guide_server.inputs (JSON bodies, numbers in queries and forms)."""
from __future__ import annotations

from typing import TypeVar
from urllib.parse import urlsplit

from flask import Response, current_app, render_template, request
from pydantic import BaseModel
from werkzeug.routing import IntegerConverter

from guide_server.inputs import BadInput, ascii_int, parse_json
from guide_server.state import Served

M = TypeVar("M", bound=BaseModel)

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


def cached_page(key: tuple, template: str, status: int = 200, served_view: Served | None = None,
                **ctx) -> Response:
    """A page that depends only on the release, its path and the mode: rendered once per
    release, answered with a strong ETag and 304 on If-None-Match.

    This is the path every QR scan takes, so its headers are assembled in one go
    (security headers included) rather than one by one.
    """
    from guide_server.security import HEADER_LIST

    s = served_view or served()
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


def page(template: str, status: int = 200, served_view: Served | None = None, **ctx) -> Response:
    """A page rendered per request (forms with a CSRF token, live aggregates)."""
    s = served_view or served()
    body = render(template, s, request.path, is_elder(), **ctx)
    resp = Response(body, status=status, mimetype="text/html")
    resp.headers["Cache-Control"] = "no-store"
    return resp


def public_base_url() -> str:
    """The site's public base URL, e.g. "https://guides.example.gov.cn" (no trailing slash):
    the app's PUBLIC_BASE_URL setting, else the current release's site.public_base_url (the
    QR codes' base). Every absolute URL the app writes starts with it; none is built from the
    request's Host header, which the client chooses."""
    configured = current_app.config.get("PUBLIC_BASE_URL")
    if configured:
        return str(configured).rstrip("/")
    return served().release.site.public_base_url.rstrip("/")


def safe_next(target: str | None, default: str = "/") -> str:
    """A local path to go back to; anything else (other hosts, //x, \\x) gives `default`."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or any(ord(c) < 32 for c in target):
        return default
    return target


def json_body(model: type[M], max_bytes: int | None = None) -> M:
    """The request's JSON body as `model`: Content-Type, size (`max_bytes`, at most the app's
    MAX_CONTENT_LENGTH), nesting depth and the model are checked before anything else reads
    it. Raises BadInput (415/413/400/422), which the app answers with a Chinese message."""
    limit = min(max_bytes or current_app.config["MAX_CONTENT_LENGTH"], current_app.config["MAX_CONTENT_LENGTH"])
    if request.mimetype != "application/json":
        raise BadInput("请求体应为 JSON（Content-Type: application/json）。", 415)
    if request.content_length is not None and request.content_length > limit:
        raise BadInput(f"请求体过大：最多 {limit} 字节，收到 {request.content_length} 字节。", 413)
    return parse_json(request.get_data(cache=True), model, max_bytes=limit)


def query_int(name: str, *, default: int | None = None, minimum: int | None = None,
              maximum: int | None = None) -> int | None:
    """A number from the query string, ASCII digits only (guide_server.inputs.ascii_int)."""
    return ascii_int(request.args.get(name), name, minimum=minimum, maximum=maximum, default=default)


def form_int(name: str, *, default: int | None = None, minimum: int | None = None,
             maximum: int | None = None) -> int | None:
    """A number from the posted form, ASCII digits only (guide_server.inputs.ascii_int)."""
    return ascii_int(request.form.get(name), name, minimum=minimum, maximum=maximum, default=default)


class AsciiIntConverter(IntegerConverter):
    """`<int:…>` in a route: 1 to 9 ASCII digits. Werkzeug's own matches `\\d`, which takes
    "٣" and other Unicode digits too; create_app installs this one in its place."""

    regex = r"[0-9]{1,9}"


REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})


def chinese_redirect_body(resp: Response) -> None:
    """Give a redirect (301, 302, 303, 307, 308 with a Location) a short Chinese HTML body in
    place of werkzeug's English "Redirecting..." page: the phone or browser follows the
    Location at once, and a client that does not still sees where to go. The link is the
    Location as sent (HTML-escaped); status and Location are left as they are. Every redirect
    passes here (create_app's after_request hook), whether a view returned it or werkzeug's
    routing raised it (/editor -> /editor/)."""
    from markupsafe import escape

    location = resp.headers.get("Location")
    if resp.status_code not in REDIRECT_STATUSES or not location:
        return
    resp.set_data('<!doctype html>\n<html lang="zh-CN">\n<meta charset="utf-8">\n<title>正在跳转</title>\n'
                  f'<p>正在为您打开新的页面。如果没有自动跳转，请<a href="{escape(location)}">点击这里继续</a>。</p>\n')
    resp.headers["Content-Type"] = "text/html; charset=utf-8"
