"""JSON API for kiosks and other clients: /api/v1/release, site, guides/<code>, search, openapi.json."""
from __future__ import annotations

import hashlib
import json

from flask import Blueprint, Response, current_app, request

from guides.release import canonical_json
from guides.urls import guide_url
from guide_server.api.models import LIMIT_MAX, SEARCH_MAX, openapi_document
from guide_server.web import query_int, served

bp = Blueprint("api", __name__, url_prefix="/api/v1")


def _json(body: bytes, etag: str | None = None, status: int = 200) -> Response:
    resp = Response(body, status=status, mimetype="application/json")
    if status == 200:
        resp.set_etag(etag or hashlib.sha256(body).hexdigest()[:32])
        resp.headers["Cache-Control"] = "no-cache"
        resp.make_conditional(request)
    return resp


def _dumps(value) -> bytes:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def error(status: int, message: str) -> Response:
    return _json(_dumps({"error": {"status": status, "message": message}}), status=status)


@bp.get("/release")
def release():
    s = served()
    return _json(canonical_json(s.release.manifest()), etag=s.release.hash)


@bp.get("/site")
def site():
    s = served()
    doc = {"release": s.release.stamp, "site": s.release.site.model_dump(mode="json"),
           "categories": [c.model_dump(mode="json") for c in s.release.categories]}
    return _json(canonical_json(doc))


@bp.get("/guides/<code>")
def guide(code: str):
    s = served()
    g = s.release.guides.get(code)
    if g is None:
        return error(404, f"没有事项编码为 {code[:40]} 的办事指南。")
    # exactly the canonical bytes whose SHA-256 is the manifest's guide hash
    return _json(canonical_json(g.model_dump(mode="json")), etag=s.release.guide_hashes[code])


@bp.get("/search")
def search():
    s = served()
    raw_q = request.args.get("q", "")
    if len(raw_q) > SEARCH_MAX:
        return error(400, f"搜索词最多 {SEARCH_MAX} 个字符。")
    q = raw_q.strip()
    if not q:
        return error(400, "请提供搜索词参数 q。")
    limit = query_int("limit", default=20, minimum=1, maximum=LIMIT_MAX)
    hits = s.index.search(q, limit=limit)
    doc = {"query": q, "release": s.release.stamp,
           "hits": [{"code": h.code, "name": h.name, "score": h.score, "field": h.field,
                     "url": guide_url(s.release.site, h.code)} for h in hits]}
    return _json(_dumps(doc))


@bp.get("/openapi.json")
def openapi():
    """The whole API: this blueprint's part and every part another feature registered in
    app.extensions["openapi_parts"] (the device API's)."""
    body = current_app.extensions.get("openapi_body")
    if body is None:
        parts = [make() for make in current_app.extensions.get("openapi_parts", [])]
        body = current_app.extensions["openapi_body"] = _dumps(openapi_document(parts))
    return _json(body)
