"""/qr/<code>.svg and /qr/<code>.png: the QR of a guide's stable URL."""
from __future__ import annotations

import hashlib

from flask import Blueprint, Response, abort, request

from guides.halls import DEFAULT_HALL
from guides.urls import guide_url, hall_guide_url
from guide_server.public import qr
from guide_server.web import served

bp = Blueprint("qr", __name__)


def _qr(code: str, kind: str, hall_id: str = DEFAULT_HALL) -> Response:
    s = served().hall(hall_id)
    if s is None or code not in s.guides:
        abort(404)
    if hall_id == DEFAULT_HALL:
        url = guide_url(s.release.site, code)
    else:
        url = hall_guide_url(s.release.site, hall_id, code, s.site.public_base_url)
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


@bp.get("/h/<hall_id>/qr/<code>.svg")
def hall_qr_svg(hall_id: str, code: str):
    return _qr(code, "svg", hall_id)


@bp.get("/h/<hall_id>/qr/<code>.png")
def hall_qr_png(hall_id: str, code: str):
    return _qr(code, "png", hall_id)
