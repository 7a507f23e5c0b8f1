"""/qr/<code>.svg and /qr/<code>.png: the QR of a guide's stable URL."""
from __future__ import annotations

import hashlib

from flask import Blueprint, Response, abort, request

from guides.urls import guide_url
from guide_server.public import qr
from guide_server.web import served

bp = Blueprint("qr", __name__)


def _qr(code: str, kind: str) -> Response:
    s = served()
    if code not in s.release.guides:
        abort(404)
    url = guide_url(s.release.site, code)
    if kind == "svg":
        body, mimetype = qr.svg(url), "image/svg+xml"
    else:
        body, mimetype = qr.png(url), "image/png"
    resp = Response(body, mimetype=mimetype)
    resp.set_etag(hashlib.sha256(body).hexdigest()[:32])
    resp.headers["Cache-Control"] = "public, max-age=86400"
    return resp.make_conditional(request)


@bp.get("/qr/<code>.svg")
def qr_svg(code: str):
    return _qr(code, "svg")


@bp.get("/qr/<code>.png")
def qr_png(code: str):
    return _qr(code, "png")
