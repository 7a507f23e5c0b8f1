"""WSGI fast path for the pages a QR scan hits: /, /c/<slug>, /g/<code>, /g/<code>/print, and a
guide's 情形 answer paths /g/<code>?<question>=<option>[&…] (the 带走 QR of a kiosk).

A page is rendered by its Flask view the first time (per release and display mode)
and kept in the release's page cache (guide_server.state.Served.pages). Later GETs
of the same page are answered from that cache here, ahead of Flask's request
machinery, with the very same body and headers. Anything else, and any cache miss,
goes to Flask unchanged.
"""
from __future__ import annotations

import re

from guide_server.security import HEADER_LIST

_ROUTES = (
    (re.compile(r"^/$"), lambda m: ("home",)),
    (re.compile(r"^/c/([a-z][a-z0-9-]{1,30})$"), lambda m: ("category", m.group(1))),
    (re.compile(r"^/g/([A-Za-z0-9-]{1,64})$"), lambda m: ("guide", m.group(1))),
    (re.compile(r"^/g/([A-Za-z0-9-]{1,64})/print$"), lambda m: ("print", m.group(1))),
)
_ELDER = re.compile(r"(?:^|;)\s*mode=elder\s*(?:;|$)")
# A query of question=option slugs only (CONTENT-STANDARD "Stable URLs"), as nginx's map has it. The
# view caches an answer path's page under its canonical query (the guide's question order), so
# only that exact spelling can hit; any other order, share parameters or an unknown option miss
# here and Flask answers them (the same page, or the 404).
_ANSWERS = re.compile(r"^[a-z][a-z0-9_]{0,23}=[a-z][a-z0-9_]{0,23}(?:&[a-z][a-z0-9_]{0,23}=[a-z][a-z0-9_]{0,23}){0,31}$")


def page_key(path: str) -> tuple | None:
    for pattern, key in _ROUTES:
        m = pattern.match(path)
        if m:
            return key(m)
    return None


_GUIDE = re.compile(r"^/g/([A-Za-z0-9-]{1,40})$")


class CachedPages:
    """Also counts every GET of a guide page as a phone page view (usage_counts; nothing about
    the visitor), whether answered here or by Flask; a poster scan (`?src=`) is counted by the
    view that redirects it, and the page it redirects to then counts as the view."""

    def __init__(self, app, wsgi_app):
        from guide_server.security import hsts

        self.holder = app.extensions["releases"]
        self.usage = app.extensions.get("usage")
        self.wsgi_app = wsgi_app
        seconds = app.config.get("HSTS_SECONDS")
        self.tls_headers = [("Strict-Transport-Security", hsts(seconds))] if seconds else []

    def _count_view(self, served, code: str) -> None:
        if self.usage is not None and code in served.release.guides:
            try:
                self.usage.add("view", "phone", served.release.site.hall_name, code)
            except Exception:  # noqa: BLE001 - a page is answered even when counting fails
                pass

    def __call__(self, environ, start_response):
        if environ.get("REQUEST_METHOD") == "GET":
            m = _GUIDE.match(environ.get("PATH_INFO", ""))
            if m and "src=" not in environ.get("QUERY_STRING", ""):
                try:
                    served = self.holder.get()
                except Exception:  # noqa: BLE001 - Flask's error handlers answer a broken release
                    served = None
                if served is not None:
                    self._count_view(served, m.group(1))
        query = environ.get("QUERY_STRING", "")
        if environ.get("REQUEST_METHOD") == "GET" and (not query or _ANSWERS.match(query)):
            key = page_key(environ.get("PATH_INFO", ""))
            if key is not None and query:
                key = (*key, query) if key[0] == "guide" else None
            if key is not None:
                try:
                    served = self.holder.get()
                except Exception:  # noqa: BLE001 - Flask's error handlers answer a broken release
                    served = None
                if served is not None:
                    elder = bool(_ELDER.search(environ.get("HTTP_COOKIE", "")))
                    hit = served.pages.get((key, elder))
                    if hit is not None:
                        return self._answer(hit, environ, start_response)
        return self.wsgi_app(environ, start_response)

    def _answer(self, hit, environ, start_response):
        from guide_server.web import etag_matches

        body, etag = hit
        headers = [("ETag", etag), ("Cache-Control", "no-cache"), ("Vary", "Cookie"), *HEADER_LIST]
        if environ.get("wsgi.url_scheme") == "https":
            headers += self.tls_headers
        inm = environ.get("HTTP_IF_NONE_MATCH")
        if inm and etag_matches(inm, etag):
            start_response("304 NOT MODIFIED", headers)
            return []
        start_response("200 OK", [("Content-Type", "text/html; charset=utf-8"),
                                  ("Content-Length", str(len(body))), *headers])
        return [body]
