"""HTTP API of the kiosks: /api/v1/device/… (enroll, signed manifest, release parts,
events, heartbeat, queue tickets).

Every endpoint but /enroll needs ``Authorization: Bearer <device token>``: 401 when the
token is missing or unknown, 403 when the kiosk was revoked. Answers are JSON; errors are
``{"error": {"status": …, "message": "<Chinese>"}}``. The views only translate HTTP to and
from guide_server.fleet.FleetService.

The signed manifest and the release parts are sent gzip-compressed to a kiosk that accepts
it (requests does): after a one-guide change a kiosk downloads the whole manifest and that
guide, and compressed that is about the guide's own size. They hold public content only.
The compressed manifest has its own ETag (``…-gz``), as a different representation must.
Compressing here also keeps an nginx in front (scripts/nginx-guide-server.conf, gzip on)
from compressing the manifest itself, which would turn its ETag weak (W/"…").
"""
from __future__ import annotations

import gzip
import json
import threading
from collections import OrderedDict

from flask import Blueprint, Response, current_app, g, request

from guides.release import ReleaseError, ReleaseStore, canonical_json
from guides.signing import key_id, public_key_text, sign_manifest
from guides.sync_format import ReleaseParts
from guide_server.fleet import FleetError, FleetService

bp = Blueprint("device_api", __name__, url_prefix="/api/v1/device")


def _dumps(value) -> bytes:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def _json(value, status: int = 200) -> Response:
    resp = Response(_dumps(value), status=status, mimetype="application/json")
    resp.headers["Cache-Control"] = "no-store"
    return resp


def _gzip(body: bytes) -> bytes:
    return gzip.compress(body, compresslevel=9, mtime=0)


def _wants_gzip() -> bool:
    return request.accept_encodings["gzip"] > 0


def _error(status: int, message: str) -> Response:
    return _json({"error": {"status": status, "message": message}}, status)


def fleet() -> FleetService:
    return current_app.extensions["fleet"]


class ReleaseCache:
    """Signed manifests and release parts, read once per release number (releases are immutable)."""

    def __init__(self, instance, key, keep: int = 3):
        self.store = ReleaseStore(instance)
        self.key = key
        self.public_key = public_key_text(key.public_key())
        self.key_id = key_id(self.public_key)
        self.keep = keep
        self._parts: OrderedDict[int, ReleaseParts] = OrderedDict()
        self._signed: dict[int, tuple[str, bytes, bytes]] = {}
        self._lock = threading.Lock()

    def parts(self, number: int) -> ReleaseParts:
        with self._lock:
            hit = self._parts.get(number)
            if hit is not None:
                self._parts.move_to_end(number)
                return hit
        parts = ReleaseParts.read(self.store, number)
        with self._lock:
            self._parts[number] = parts
            while len(self._parts) > self.keep:
                self._parts.popitem(last=False)
        return parts

    def signed(self, number: int) -> tuple[str, bytes, bytes]:
        """(ETag, body, gzipped body) of the signed manifest envelope of release `number`."""
        hit = self._signed.get(number)
        if hit is None:
            manifest = self.store.manifest(number)
            body = canonical_json(sign_manifest(manifest, self.key))
            hit = (f'R{number}-{manifest["hash"][:24]}', body, _gzip(body))
            with self._lock:
                self._signed[number] = hit
        return hit


def releases() -> ReleaseCache:
    return current_app.extensions["fleet_releases"]


@bp.errorhandler(FleetError)
def _fleet_error(exc: FleetError):
    return _error(exc.status, exc.message)


@bp.errorhandler(ReleaseError)
def _release_error(exc: ReleaseError):
    current_app.logger.error("release unreadable: %s", exc)
    return _error(500, "服务器上的这个版本无法读取，请联系管理员。")


@bp.before_request
def _authenticate():
    if request.endpoint == "device_api.enroll":
        return None
    header = request.headers.get("Authorization", "")
    token = header[7:].strip() if header[:7].lower() == "bearer " else None
    g.kiosk = fleet().authenticate(token)
    return None


def _body() -> dict:
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise FleetError("请求体应为 JSON 对象。")
    return data


@bp.post("/enroll")
def enroll():
    data = _body()
    hardware = data.get("hardware") if isinstance(data.get("hardware"), dict) else {}
    kiosk, token = fleet().redeem(str(data.get("code", ""))[:40], hardware)
    cache = releases()
    current_app.logger.info("kiosk %s enrolled (hall %s)", kiosk.name, kiosk.hall)
    return _json({"kiosk": {"name": kiosk.name, "hall": kiosk.hall, "tag": kiosk.tag}, "token": token,
                  "public_key": cache.public_key, "key_id": cache.key_id})


@bp.get("/me")
def me():
    k, cache = g.kiosk, releases()
    return _json({"kiosk": {"name": k.name, "hall": k.hall, "tag": k.tag},
                  "public_key": cache.public_key, "key_id": cache.key_id})


def _current_number() -> int | None:
    served = current_app.extensions["releases"].get()
    return served.release.number if served is not None else None


@bp.get("/manifest")
def manifest():
    number = _current_number()
    if number is None:
        return _error(503, "服务器还没有发布任何版本。")
    etag, body, gz = releases().signed(number)
    compressed = _wants_gzip()
    if compressed:
        etag = etag + "-gz"
    if request.if_none_match.contains_weak(etag):  # If-None-Match compares weakly (RFC 9110 13.1.2)
        resp = Response(status=304)
    else:
        resp = Response(gz if compressed else body, mimetype="application/json")
        resp.headers["Cache-Control"] = "no-cache"
        if compressed:
            resp.headers["Content-Encoding"] = "gzip"
    resp.set_etag(etag)
    resp.vary.add("Accept-Encoding")
    return resp


@bp.get("/releases/<int:number>/site")
def release_site(number: int):
    return _part(number, None)


@bp.get("/releases/<int:number>/guides/<code>")
def release_guide(number: int, code: str):
    return _part(number, code)


def _part(number: int, code: str | None) -> Response:
    if number not in releases().store.numbers():
        return _error(404, f"没有版本 R{number}。")
    parts = releases().parts(number)
    if code is None:
        body = parts.site
    else:
        body = parts.guides.get(code)
        if body is None:
            return _error(404, f"版本 R{number} 中没有事项编码为 {code[:40]} 的办事指南。")
    compressed = _wants_gzip()
    resp = Response(_gzip(body) if compressed else body, mimetype="application/json")
    resp.headers["Cache-Control"] = "public, max-age=31536000, immutable"
    if compressed:
        resp.headers["Content-Encoding"] = "gzip"
    resp.vary.add("Accept-Encoding")
    return resp


@bp.post("/events")
def events():
    data = _body()
    result = fleet().store_events(g.kiosk, data.get("events"))
    return _json(result.as_dict())


@bp.post("/heartbeat")
def heartbeat():
    fleet().heartbeat(g.kiosk, _body())
    return _json({"ok": True, "release": _current_number()})


@bp.post("/tickets")
def tickets():
    data = _body()
    issued = fleet().issue_ticket(g.kiosk, data.get("queue"), data.get("request_key"),
                                  window_minutes=int(current_app.config.get("TICKET_WAITING_MINUTES", 30)))
    return _json({"number": issued.number, "seq": issued.seq, "waiting": issued.waiting, "day": issued.day})
